//! [`Signed`]: any store, with entries signed by a secret key and loaded only when verified.
//!
//! # Threat model
//!
//! Every entry passes several checks before its code is used. Each stops something different:
//!
//! - The **xxh3 trailer** of every encoded entry catches accidents: a torn or truncated write,
//!   flipped bits on disk or on the wire. Anyone can compute it, so it stops no attacker.
//! - The **fingerprint** (engine, engine version, code-generation options, wrappers) and the
//!   **key and checksum in the header** keep code of another engine, another template or
//!   another source from being used. They are made of public facts: compatibility, not security.
//! - The **0700 cache directory** of
//!   [`FileSystemBytecodeCache::with_default_dir`](crate::FileSystemBytecodeCache::with_default_dir)
//!   (or any directory only the application's user can write) is an access check by the
//!   operating system: no other user can plant an entry. A private directory needs no key.
//! - The **signature** stops everyone who can write to the store but does not hold the key.
//!   Each entry carries a keyed BLAKE3 MAC over its code and everything that identifies it
//!   (key, source checksum, the fingerprint passed down), checked in constant time before a
//!   byte of the code is used. A planted entry, an entry moved to another key or checksum, and
//!   a flipped bit are all misses: the template is compiled again and the entry overwritten.
//!
//! Who needs which: a cache in a private directory is safe with the first three. A store that
//! others can write to — a memcached or Redis without authentication (the default for both),
//! a directory shared between users or machines — needs the signature as soon as the engine
//! runs what it loads without verifying it: Lua does not verify binary chunks (a crafted one
//! can escape any sandbox), and wasmtime deserializes native machine code. A regex DFA is
//! validated when it is loaded, so a planted one can only give wrong answers; sign it if
//! answers matter.
//!
//! Two ways of combining stores would let an attacker around the signature; both are closed:
//!
//! - **Decompression before verification.** In `Signed::new(Compressed::new(store, ..))` the
//!   MAC covers the uncompressed code, so an attacker's payload would be decompressed before
//!   its MAC was checked. [`Signed::new`] refuses a store that decompresses; the order that
//!   works is `Compressed::new(Signed::new(store, key)?, level)`, where the MAC covers the
//!   stored bytes and is checked first. (`Compressed` also bounds what any payload may
//!   decompress to.)
//! - **Laundering through tiers.** In a
//!   [`TieredBytecodeCache`](crate::TieredBytecodeCache) where an unsigned tier sits below a
//!   signed one, filling the signed tier with the unsigned tier's hit would sign an attacker's
//!   entry with the application's key, and every machine trusting only the signed store would
//!   run it. A tiered cache never fills a tier more trusted ([`Trust`](crate::Trust)) than the tier the hit
//!   came from: the signed tier holds only what it verified or what was compiled here. The
//!   load that hit the unsigned tier still returns its code to this process, whose stack put
//!   that tier there.
//!
//! What the signature does not do: it does not hide entries (anyone who can read the store can
//! read the code), it does not stop anyone who can write to the store from deleting or
//! overwriting entries (costing recompilations), and it trusts every holder of the key. An old
//! entry signed for the same key, checksum and fingerprint can be put back, but it is by
//! construction code compiled from that very source.
//!
//! # Keys and rotation
//!
//! Keys are at least 32 bytes, best random (`openssl rand -hex 32`). The MAC key and a short
//! key id are derived from it with BLAKE3's key derivation; the id (8 bytes, revealing nothing
//! of the key) is stored with the MAC, so that a store verifying with several keys knows which
//! to use. Neither the key nor its id is in the fingerprint: during a rotation, entries signed
//! with the old key are still found, and load as long as [`Signed::also_accept`] names that
//! key. Writes always use the key given to [`Signed::new`]. Drop the old key once every
//! machine writes with the new one; its entries then miss once each and are re-signed.
//!
//! # Why keyed BLAKE3
//!
//! Keyed BLAKE3 is a standard keyed MAC, as HMAC-SHA256 is, and neither is the weak link.
//! BLAKE3 is several times cheaper per byte on the hit path (the README's benchmarks give the
//! figures), and one crate instead of two.

use std::fmt;

use crate::bucket::Environment;
use crate::cache::{BytecodeCache, Trust};
use crate::error::{Error, Result};
use crate::wrap::layer::{EntryId, Layered, PayloadLayer, layered_cache};

/// The shortest key [`Signed`] accepts, in bytes.
pub const MIN_KEY_LEN: usize = 32;

/// The MAC scheme, part of the fingerprint passed down.
const TAG: &[u8] = b"signed/1 keyed-blake3";
/// BLAKE3 key-derivation contexts: globally unique, fixed forever for this scheme.
const MAC_KEY_CONTEXT: &str = "bccache 2026-11 signed entry MAC key v1";
const KEY_ID_CONTEXT: &str = "bccache 2026-11 signed entry key id v1";

const KEY_ID_LEN: usize = 8;
const MAC_LEN: usize = blake3::OUT_LEN;
/// What a signature adds after the code: key id, then MAC.
const SIGNATURE_LEN: usize = KEY_ID_LEN + MAC_LEN;

/// Wraps any store so that every entry is signed with a secret key, and only entries whose
/// signature verifies are loaded: whoever can write to the store but lacks the key cannot make
/// the application run their code.
///
/// Read [the module docs](self) for what this protects against and what it does not, and for
/// key rotation with [`also_accept`](Self::also_accept).
///
/// The inner store sees ordinary entries under the same key and checksum, whose payload is the
/// code followed by the key's 8-byte id and a 32-byte keyed-BLAKE3 MAC over the key, the source
/// checksum, the fingerprint passed down, the code and the key id. The MAC scheme is part of that
/// fingerprint, so signed and unsigned entries never hit each other. An entry whose signature
/// does not verify is a miss, logged through `tracing` (at `warn` for a bad MAC under an
/// accepted key id, at `debug` for another key's id).
///
/// Statistics are the inner store's, with entries that failed verification counted as
/// `rejected` rather than hits. `clear` clears the whole inner store.
///
/// With the `tokio` feature, a `Signed` of an async store is async, with the same checks
/// ([`new_async`](Self::new_async) wraps a store that is only async).
///
/// With [`Compressed`](crate::Compressed), `Signed` goes inside, so that signatures are checked
/// before anything is decompressed (and the MAC covers fewer bytes):
/// `Compressed::new(Signed::new(store, key)?, 3)`. The other order is refused by
/// [`new`](Self::new).
///
/// ```
/// use bccache::{BytecodeCache, FileSystemBytecodeCache, Signed};
///
/// let dir = tempfile::tempdir()?;
/// let key = [7u8; 32]; // use a random key, e.g. from `Signed::from_env`
/// let cache = Signed::new(FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?, &key)?;
///
/// let mut bucket = cache.get_bucket(&(), "init.lua", None, "return 1")?;
/// bucket.code = Some(b"compiled".to_vec());
/// cache.set_bucket(&bucket)?;
/// assert_eq!(cache.get_bucket(&(), "init.lua", None, "return 1")?.code, bucket.code);
///
/// // Someone with another key writes to the same directory: their entry is a miss.
/// let forger = Signed::new(FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?, &[9u8; 32])?;
/// let mut forged = bucket;
/// forged.code = Some(b"evil".to_vec());
/// forger.set_bucket(&forged)?;
/// assert!(cache.get_bucket(&(), "init.lua", None, "return 1")?.code.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "signed")))]
pub struct Signed<B> {
    layered: Layered<Mac, B>,
}

impl<B: BytecodeCache> Signed<B> {
    /// Wraps `inner`, signing with `key` (at least 32 bytes; random, kept secret).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSigningKey`] when `key` is shorter than 32 bytes, and
    /// [`Error::SignedAroundCompressed`] when `inner` decompresses what it loads (a
    /// [`Compressed`](crate::Compressed) store, or one that wraps one): the signature would be
    /// checked only after an attacker's payload was decompressed. Put `Signed` inside:
    /// `Compressed::new(Signed::new(store, key)?, 3)`.
    ///
    /// ```
    /// use bccache::{FileSystemBytecodeCache, Signed};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let store = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?;
    /// let cache = Signed::new(store, b"a key of at least thirty-two bytes")?;
    /// # let store = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?;
    /// assert!(Signed::new(store, b"too short").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(inner: B, key: &[u8]) -> Result<Self> {
        let decompresses = inner.decompresses();
        Self::with_key(inner, SigningKey::given(key)?, decompresses)
    }

    /// Wraps `inner`, signing with the key held by the environment variable `var`, written as
    /// hex (`openssl rand -hex 32`) or base64 (`openssl rand -base64 32`; standard or URL-safe
    /// alphabet, padded or not). Surrounding whitespace is ignored. Text that is valid hex is
    /// read as hex.
    ///
    /// # Errors
    ///
    /// [`Error::SigningKeyVar`], naming `var`, when it is unset, not Unicode, neither hex nor
    /// base64, or holds fewer than 32 bytes. There is never an unsigned fallback. As
    /// [`new`](Self::new), [`Error::SignedAroundCompressed`] when `inner` decompresses.
    ///
    /// ```
    /// use bccache::{FileSystemBytecodeCache, Signed};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let store = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?;
    /// let error = Signed::from_env(store, "APP_BCCACHE_KEY_THAT_IS_NOT_SET").unwrap_err();
    /// assert!(error.to_string().contains("APP_BCCACHE_KEY_THAT_IS_NOT_SET"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_env(inner: B, var: &str) -> Result<Self> {
        let decompresses = inner.decompresses();
        Self::with_key(inner, SigningKey::from_env(var)?, decompresses)
    }
}

/// Construction around a store that is only async (a [`Blocking`](crate::Blocking), a store
/// of your own): [`new`](Signed::new) and [`from_env`](Signed::from_env) check the store
/// through the sync trait, these through the async one. A store that implements both may use
/// either.
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
impl<B: crate::AsyncBytecodeCache> Signed<B> {
    /// [`new`](Self::new) for a store that implements only
    /// [`AsyncBytecodeCache`](crate::AsyncBytecodeCache); the same errors.
    ///
    /// ```
    /// use bccache::{AsyncBytecodeCache, Blocking, FileSystemBytecodeCache, Signed};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let store = Blocking::new(FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?);
    /// let cache = Signed::new_async(store, &[7u8; 32])?;
    /// let mut bucket = cache.get_bucket(&(), "init.lua", None, "return 1").await?;
    /// bucket.code = Some(b"compiled".to_vec());
    /// cache.set_bucket(&bucket).await?;
    /// assert_eq!(cache.get_bucket(&(), "init.lua", None, "return 1").await?.code, bucket.code);
    /// # Ok(())
    /// # }
    /// ```
    pub fn new_async(inner: B, key: &[u8]) -> Result<Self> {
        let decompresses = crate::AsyncBytecodeCache::decompresses(&inner);
        Self::with_key(inner, SigningKey::given(key)?, decompresses)
    }

    /// [`from_env`](Self::from_env) for a store that implements only
    /// [`AsyncBytecodeCache`](crate::AsyncBytecodeCache); the same errors.
    ///
    /// ```
    /// use bccache::{Blocking, FileSystemBytecodeCache, Signed};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let store = Blocking::new(FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?);
    /// let error = Signed::from_env_async(store, "APP_BCCACHE_KEY_THAT_IS_NOT_SET").unwrap_err();
    /// assert!(error.to_string().contains("APP_BCCACHE_KEY_THAT_IS_NOT_SET"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_env_async(inner: B, var: &str) -> Result<Self> {
        let decompresses = crate::AsyncBytecodeCache::decompresses(&inner);
        Self::with_key(inner, SigningKey::from_env(var)?, decompresses)
    }
}

impl<B> Signed<B> {
    /// Refuses a store that decompresses what it loads: see [`new`](Self::new).
    fn with_key(inner: B, key: SigningKey, decompresses: bool) -> Result<Self> {
        if decompresses {
            return Err(Error::SignedAroundCompressed);
        }
        Ok(Signed {
            layered: Layered::new(Mac { keys: vec![key] }, inner),
        })
    }

    /// Also loads entries signed with `old_key`, for a key rotation: every machine first
    /// accepts both keys, then switches to writing with the new one, then drops the old.
    /// Writes always use the key given to [`new`](Self::new).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSigningKey`] when `old_key` is shorter than 32 bytes.
    ///
    /// ```
    /// use bccache::{FileSystemBytecodeCache, Signed};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let store = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?;
    /// let cache = Signed::new(store, &[2u8; 32])?.also_accept(&[1u8; 32])?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn also_accept(mut self, old_key: &[u8]) -> Result<Self> {
        let key = SigningKey::new(old_key).map_err(|reason| Error::InvalidSigningKey {
            reason: format!("the key to also accept {reason}"),
        })?;
        let keys = &mut self.layered.layer_mut().keys;
        if !keys.iter().any(|k| k.id == key.id) {
            keys.push(key);
        }
        Ok(self)
    }

    /// The store the signed entries live in.
    pub fn inner(&self) -> &B {
        self.layered.inner()
    }

    /// Unwraps the inner store.
    pub fn into_inner(self) -> B {
        self.layered.into_inner()
    }

    /// The fingerprint this wrapper's entries carry in the inner store, for buckets of
    /// `environment`: for tools and tests that read or plant entries below the wrapper.
    #[doc(hidden)]
    pub fn inner_fingerprint(&self, environment: &dyn Environment) -> Vec<u8> {
        self.layered.environment(environment).into_bytes()
    }
}

impl<B> fmt::Debug for Signed<B> {
    /// Shows the key ids, never the keys.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<String> = self
            .layered
            .layer()
            .keys
            .iter()
            .map(|k| k.id.iter().map(|b| format!("{b:02x}")).collect())
            .collect();
        f.debug_struct("Signed")
            .field("key_ids", &ids)
            .finish_non_exhaustive()
    }
}

layered_cache!(Signed, Mac);

/// A key as used: the derived MAC key and the key's id.
struct SigningKey {
    mac_key: [u8; 32],
    id: [u8; KEY_ID_LEN],
}

impl SigningKey {
    /// A key given as bytes.
    fn given(key: &[u8]) -> Result<Self> {
        SigningKey::new(key).map_err(|reason| Error::InvalidSigningKey { reason })
    }

    /// The key held by the environment variable `var`, as [`Signed::from_env`] reads it.
    fn from_env(var: &str) -> Result<Self> {
        let refuse = |reason: String| Error::SigningKeyVar {
            var: var.to_owned(),
            reason,
        };
        let text = match std::env::var(var) {
            Ok(text) => text,
            Err(std::env::VarError::NotPresent) => return Err(refuse("it is not set".into())),
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(refuse("it is not valid Unicode".into()));
            }
        };
        let key = decode_key_text(&text).map_err(refuse)?;
        SigningKey::new(&key).map_err(refuse)
    }

    /// Err: why the key cannot be used, as a lowercase phrase.
    fn new(key: &[u8]) -> std::result::Result<Self, String> {
        if key.len() < MIN_KEY_LEN {
            return Err(format!(
                "it is {} bytes long; a signing key needs at least {MIN_KEY_LEN} random bytes \
                 (e.g. `openssl rand -hex 32`)",
                key.len()
            ));
        }
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&blake3::derive_key(KEY_ID_CONTEXT, key)[..KEY_ID_LEN]);
        Ok(SigningKey {
            mac_key: blake3::derive_key(MAC_KEY_CONTEXT, key),
            id,
        })
    }

    fn mac(&self, entry: &EntryId<'_>, code: &[u8]) -> blake3::Hash {
        let mut hasher = blake3::Hasher::new_keyed(&self.mac_key);
        // Length-prefixed fields: no two entries give the same input.
        for field in [
            entry.key.as_bytes(),
            entry.checksum.as_bytes(),
            entry.fingerprint,
            code,
        ] {
            hasher.update(&(field.len() as u64).to_le_bytes());
            hasher.update(field);
        }
        hasher.update(&self.id);
        hasher.finalize()
    }
}

/// The signing payload layer: code, key id, MAC.
pub(crate) struct Mac {
    /// The first signs; all verify.
    keys: Vec<SigningKey>,
}

impl PayloadLayer for Mac {
    fn tag(&self) -> &[u8] {
        TAG
    }

    /// Every hit passed the MAC, whatever the inner store is.
    fn trust(&self, _inner: Trust) -> Trust {
        Trust::Verified
    }

    fn seal(&self, entry: &EntryId<'_>, code: &[u8]) -> Result<Vec<u8>> {
        let key = &self.keys[0];
        let mut payload = Vec::with_capacity(code.len() + SIGNATURE_LEN);
        payload.extend_from_slice(code);
        payload.extend_from_slice(&key.id);
        payload.extend_from_slice(key.mac(entry, code).as_bytes());
        Ok(payload)
    }

    fn open(&self, entry: &EntryId<'_>, mut payload: Vec<u8>) -> Option<Vec<u8>> {
        let code_len = payload.len().checked_sub(SIGNATURE_LEN)?;
        let (code, signature) = payload.split_at(code_len);
        let (id, mac) = signature.split_at(KEY_ID_LEN);
        let Some(key) = self.keys.iter().find(|k| k.id == id) else {
            tracing::debug!(
                key = entry.key,
                "signed entry of a key not accepted: a miss"
            );
            return None;
        };
        let mac: [u8; MAC_LEN] = mac.try_into().ok()?;
        // `blake3::Hash`'s equality is constant-time.
        if key.mac(entry, code) != blake3::Hash::from_bytes(mac) {
            tracing::warn!(key = entry.key, "signed entry failed verification: a miss");
            return None;
        }
        payload.truncate(code_len);
        Some(payload)
    }
}

/// A key written as hex, else base64; Err says why neither.
fn decode_key_text(text: &str) -> std::result::Result<Vec<u8>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("it is empty".into());
    }
    decode_hex(text)
        .or_else(|| decode_base64(text))
        .ok_or_else(|| "it is neither hex nor base64".into())
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    fn digit(c: u8) -> Option<u8> {
        (c as char).to_digit(16).map(|d| d as u8)
    }
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// Standard or URL-safe alphabet, with or without `=` padding; leftover bits must be zero, so
/// each key has one spelling per alphabet.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    }
    let unpadded = text.trim_end_matches('=');
    let padding = text.len() - unpadded.len();
    if padding > 2 || (padding > 0 && !text.len().is_multiple_of(4)) || unpadded.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(unpadded.len() * 3 / 4);
    let (mut bits, mut held) = (0u32, 0u32);
    for &c in unpadded.as_bytes() {
        bits = (bits << 6) | sextet(c)?;
        held += 6;
        if held >= 8 {
            held -= 8;
            out.push((bits >> held) as u8);
            bits &= (1 << held) - 1;
        }
    }
    (bits == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> EntryId<'static> {
        EntryId {
            key: "k",
            checksum: "c",
            fingerprint: b"f",
        }
    }

    fn mac(keys: &[&[u8]]) -> Mac {
        Mac {
            keys: keys
                .iter()
                .map(|k| SigningKey::new(k).expect("long enough"))
                .collect(),
        }
    }

    #[test]
    fn hex_and_base64_keys_decode() {
        let key: Vec<u8> = (0u8..32).collect();
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(decode_key_text(&hex), Ok(key.clone()));
        assert_eq!(
            decode_key_text(&format!(" {}\n", hex.to_uppercase())),
            Ok(key.clone())
        );
        // base64 of 0..32, padded, and URL-safe unpadded.
        let b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        assert_eq!(decode_key_text(b64), Ok(key.clone()));
        assert_eq!(decode_key_text(b64.trim_end_matches('=')), Ok(key.clone()));
        assert_eq!(decode_base64("-_8="), Some(vec![0xfb, 0xff]));
        assert_eq!(decode_base64("+/8"), Some(vec![0xfb, 0xff]));
        assert_eq!(decode_base64("TWFu"), Some(b"Man".to_vec()));
        assert_eq!(decode_base64("TWE="), Some(b"Ma".to_vec()));
    }

    #[test]
    fn malformed_key_text_is_refused() {
        for text in [
            "", "  ", "zz", "abc!", "TWF", "TW=E", "TWE===", "T", "TWF==",
        ] {
            assert!(decode_key_text(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn short_keys_are_refused_with_their_length() {
        let Err(error) = SigningKey::new(&[1; 31]) else {
            panic!("a 31-byte key was accepted");
        };
        assert!(error.contains("31 bytes"), "{error}");
        assert!(SigningKey::new(&[1; 32]).is_ok());
    }

    #[test]
    fn a_signature_covers_code_key_checksum_and_fingerprint() {
        let signer = mac(&[&[1; 32]]);
        let payload = signer.seal(&entry(), b"code").expect("seal");
        assert_eq!(
            signer.open(&entry(), payload.clone()),
            Some(b"code".to_vec())
        );
        for other in [
            EntryId {
                key: "K",
                ..entry()
            },
            EntryId {
                checksum: "C",
                ..entry()
            },
            EntryId {
                fingerprint: b"F",
                ..entry()
            },
        ] {
            assert_eq!(signer.open(&other, payload.clone()), None);
        }
        for bit in 0..payload.len() * 8 {
            let mut flipped = payload.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(signer.open(&entry(), flipped), None, "bit {bit}");
        }
        assert_eq!(signer.open(&entry(), payload[1..].to_vec()), None);
        assert_eq!(signer.open(&entry(), Vec::new()), None);
    }

    #[test]
    fn old_keys_verify_but_only_the_first_signs() {
        let old = mac(&[&[1; 32]]);
        let rotating = mac(&[&[2; 32], &[1; 32]]);
        let new = mac(&[&[2; 32]]);
        let by_old = old.seal(&entry(), b"code").expect("seal");
        assert!(rotating.open(&entry(), by_old.clone()).is_some());
        assert!(new.open(&entry(), by_old).is_none());
        let by_rotating = rotating.seal(&entry(), b"code").expect("seal");
        assert!(new.open(&entry(), by_rotating.clone()).is_some());
        assert!(old.open(&entry(), by_rotating).is_none());
    }
}
