//! [`Bucket`]: one template's compiled code, and its on-the-wire encoding.

use std::borrow::Cow;
use std::io::{self, Read, Write};
use std::ops::Range;

// twox-hash picks AVX2 at run time; a portable build of xxhash-rust hashes with SSE2 only,
// which made the trailer check half again as slow on a 64 KB hit.
use twox_hash::XxHash3_64;

#[cfg(unix)]
use crate::entry::readv_exact;
use crate::entry::{TRAILER_LEN, at_eof, read_exact_or_eof, tail8, trailer_of};
use crate::error::{Error, Result};
use crate::stats::Verdict;

/// Version of the encoded-bucket format. Entries of any other version are misses.
pub const BC_VERSION: u32 = 1;

/// The leading bytes of every encoded bucket: `b"bccache\0"` then [`BC_VERSION`] (u32, little
/// endian).
pub const BC_MAGIC: &[u8] = &MAGIC;

const MAGIC: [u8; 12] = {
    let v = BC_VERSION.to_le_bytes();
    [
        b'b', b'c', b'c', b'a', b'c', b'h', b'e', 0, v[0], v[1], v[2], v[3],
    ]
};

/// How much a reader of unknown length may make us reserve before the bytes have arrived.
const UNTRUSTED_RESERVE: usize = 64 * 1024;

/// How much an entry of known size may make us reserve at once; larger entries grow as read.
const TRUSTED_RESERVE: usize = 256 * 1024 * 1024;

/// What makes compiled code incompatible: engine, engine version, code-generation options.
///
/// Code stored under one fingerprint is a miss under any other, the way Jinja2 puts the Python
/// version into its `bc_magic`. `()` has the empty fingerprint.
///
/// An environment is `Sync`, so that a [`Bucket`] is `Send` and can be held across an
/// `.await` of an [`AsyncBytecodeCache`](crate::AsyncBytecodeCache) inside a spawned task.
///
/// ```
/// use std::borrow::Cow;
///
/// struct MyEngine { optimize: bool }
///
/// impl bccache::Environment for MyEngine {
///     fn fingerprint(&self) -> Cow<'_, [u8]> {
///         Cow::Owned(format!("my-engine 2.1 optimize={}", self.optimize).into_bytes())
///     }
/// }
/// ```
pub trait Environment: Sync {
    /// The bytes naming everything that makes compiled code incompatible.
    fn fingerprint(&self) -> Cow<'_, [u8]>;
}

impl Environment for () {
    fn fingerprint(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&[])
    }
}

/// Bytes are their own fingerprint: what an adapter that must own its environment (a bucket
/// sent to another thread) builds from a borrowed one.
impl Environment for [u8] {
    fn fingerprint(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(self)
    }
}

impl Environment for Vec<u8> {
    fn fingerprint(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(self)
    }
}

/// One template's compiled code, stored under `key` and valid only for `checksum`.
///
/// A bucket is made by [`BytecodeCache::get_bucket`](crate::BytecodeCache::get_bucket), which also
/// loads it. `code` is `None` after a miss; fill it and hand the bucket to
/// [`BytecodeCache::set_bucket`](crate::BytecodeCache::set_bucket).
///
/// Encoded, a bucket is `BC_MAGIC` · u64 xxh3 of the environment's fingerprint · u32 length + key
/// · u32 length + checksum · u64 length + code · u64 xxh3 of every byte before it (integers
/// little endian). Loading checks all of it: any difference is a miss.
pub struct Bucket<'e> {
    /// The environment whose fingerprint the code was compiled under.
    pub environment: &'e dyn Environment,
    /// The cache key, see [`BytecodeCache::get_cache_key`](crate::BytecodeCache::get_cache_key).
    pub key: String,
    /// The source checksum, see
    /// [`BytecodeCache::get_source_checksum`](crate::BytecodeCache::get_source_checksum).
    pub checksum: String,
    /// The compiled code; `None` until loaded or set.
    pub code: Option<Vec<u8>>,
}

impl std::fmt::Debug for Bucket<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bucket")
            .field("key", &self.key)
            .field("checksum", &self.checksum)
            .field(
                "code",
                &self.code.as_ref().map(|c| format!("{} bytes", c.len())),
            )
            .finish_non_exhaustive()
    }
}

impl<'e> Bucket<'e> {
    /// An empty bucket.
    ///
    /// ```
    /// let bucket = bccache::Bucket::new(&(), "key", "checksum");
    /// assert!(bucket.code.is_none());
    /// ```
    pub fn new(
        environment: &'e dyn Environment,
        key: impl Into<String>,
        checksum: impl Into<String>,
    ) -> Self {
        Bucket {
            environment,
            key: key.into(),
            checksum: checksum.into(),
            code: None,
        }
    }

    /// Forgets the code (`code = None`).
    pub fn reset(&mut self) {
        self.code = None;
    }

    /// Loads code from an encoded bucket.
    ///
    /// An entry of another format version, environment, key or checksum, or a truncated,
    /// over-long or corrupt one, leaves `code` `None` and returns `Ok`: it is a miss. Only a
    /// failing reader is an error.
    pub fn load_bytecode(&mut self, r: impl Read) -> Result<()> {
        self.read_from(r, None)
            .map(drop)
            .map_err(|source| Error::Read {
                key: self.key.clone(),
                source,
            })
    }

    /// Writes the encoded bucket; an empty bucket is [`Error::EmptyBucket`].
    pub fn write_bytecode(&self, mut w: impl Write) -> Result<()> {
        let bytes = self.bytecode_to_string()?;
        w.write_all(&bytes)
            .and_then(|()| w.flush())
            .map_err(|source| Error::Write {
                key: self.key.clone(),
                source,
            })
    }

    /// Loads code from encoded bytes; bad bytes leave `code` `None`. Never fails.
    pub fn bytecode_from_string(&mut self, bytes: &[u8]) {
        self.decode_slice(bytes);
    }

    /// [`bytecode_from_string`](Self::bytecode_from_string) that says why it missed.
    pub(crate) fn decode_slice(&mut self, bytes: &[u8]) -> Verdict {
        match self.code_range(bytes) {
            Ok(code) => {
                self.code = Some(bytes[code].to_vec());
                Verdict::Hit
            }
            Err(verdict) => {
                self.code = None;
                verdict
            }
        }
    }

    /// [`bytecode_from_string`](Self::bytecode_from_string) for bytes the caller owns: a hit
    /// keeps the code in their buffer instead of copying it out.
    #[cfg(any(
        feature = "memcached",
        feature = "redis",
        feature = "http",
        feature = "s3"
    ))]
    pub(crate) fn decode_vec(&mut self, mut bytes: Vec<u8>) -> Verdict {
        match self.code_range(&bytes) {
            Ok(code) => {
                bytes.truncate(code.end);
                bytes.drain(..code.start);
                self.code = Some(bytes);
                Verdict::Hit
            }
            Err(verdict) => {
                self.code = None;
                verdict
            }
        }
    }

    /// The encoded bucket; an empty bucket is [`Error::EmptyBucket`].
    ///
    /// ```
    /// let mut bucket = bccache::Bucket::new(&(), "key", "checksum");
    /// bucket.code = Some(b"compiled".to_vec());
    /// let bytes = bucket.bytecode_to_string()?;
    /// assert!(bytes.starts_with(bccache::BC_MAGIC));
    ///
    /// let mut again = bccache::Bucket::new(&(), "key", "checksum");
    /// again.bytecode_from_string(&bytes);
    /// assert_eq!(again.code.as_deref(), Some(&b"compiled"[..]));
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn bytecode_to_string(&self) -> Result<Vec<u8>> {
        let code = self.code.as_deref().ok_or_else(|| Error::EmptyBucket {
            key: self.key.clone(),
        })?;
        let key_len = self.u32_len(self.key.len(), "key longer than 4 GiB")?;
        let checksum_len = self.u32_len(self.checksum.len(), "checksum longer than 4 GiB")?;
        let mut out = Vec::with_capacity(self.header_len() + code.len() + TRAILER_LEN);
        out.extend_from_slice(BC_MAGIC);
        out.extend_from_slice(&self.fingerprint_hash().to_le_bytes());
        out.extend_from_slice(&key_len.to_le_bytes());
        out.extend_from_slice(self.key.as_bytes());
        out.extend_from_slice(&checksum_len.to_le_bytes());
        out.extend_from_slice(self.checksum.as_bytes());
        out.extend_from_slice(&(code.len() as u64).to_le_bytes());
        out.extend_from_slice(code);
        let trailer = XxHash3_64::oneshot(&out);
        out.extend_from_slice(&trailer.to_le_bytes());
        Ok(out)
    }

    fn u32_len(&self, len: usize, reason: &'static str) -> Result<u32> {
        u32::try_from(len).map_err(|_| Error::InvalidBucket {
            key: self.key.chars().take(64).collect(),
            reason,
        })
    }

    fn fingerprint_hash(&self) -> u64 {
        XxHash3_64::oneshot(&self.environment.fingerprint())
    }

    /// Length of the header this bucket expects: everything before the code.
    fn header_len(&self) -> usize {
        BC_MAGIC.len() + 8 + 4 + self.key.len() + 4 + self.checksum.len() + 8
    }

    /// Decodes an entry into `code`: a hit sets it, a miss leaves it `None` and says why, and
    /// only a failing reader is an `Err`. `total_len`, when known (a file's size, a slice's
    /// length), lets the code be read into a buffer of exactly its size.
    pub(crate) fn read_from(
        &mut self,
        mut r: impl Read,
        total_len: Option<u64>,
    ) -> io::Result<Verdict> {
        self.reset();
        let (verdict, code) = match self.decode(&mut r, total_len)? {
            Ok(code) => (Verdict::Hit, Some(code)),
            Err(verdict) => (verdict, None),
        };
        self.code = code;
        Ok(verdict)
    }

    /// Decodes the entry in `file`, whose size is `len`, with one `readv`: the header into a
    /// buffer of its own and the code and trailer straight into the code's final `Vec`. A hit
    /// costs that one read and one copy of the payload; `fs::read` makes the same read plus one
    /// more to see the end of the file.
    #[cfg(unix)]
    pub(crate) fn read_file(&mut self, file: &std::fs::File, len: u64) -> io::Result<Verdict> {
        self.reset();
        let header_len = self.header_len();
        let fixed_len = (header_len + TRAILER_LEN) as u64;
        if len < fixed_len {
            return Ok(Verdict::Rejected);
        }
        let Ok(rest) = usize::try_from(len - header_len as u64) else {
            return self.read_from(file, Some(len));
        };
        if rest > TRUSTED_RESERVE {
            // A huge (or sparse, hostile) file: grow the buffer as bytes arrive instead.
            return self.read_from(file, Some(len));
        }
        let mut header_buf = [0u8; 256];
        let mut header_vec = Vec::new();
        let header = if header_len <= header_buf.len() {
            &mut header_buf[..header_len]
        } else {
            header_vec.resize(header_len, 0);
            &mut header_vec[..]
        };
        let mut code = Vec::with_capacity(rest);
        if !readv_exact(file, header, &mut code, rest)? {
            return Ok(Verdict::Rejected);
        }
        if let Err(verdict) = self.check_header(header) {
            return Ok(verdict);
        }
        if u64::from_le_bytes(tail8(header)) != len - fixed_len {
            return Ok(Verdict::Rejected);
        }
        let trailer = u64::from_le_bytes(tail8(&code));
        code.truncate(rest - TRAILER_LEN);
        if trailer_of(header, &code) != trailer {
            return Ok(Verdict::Rejected);
        }
        self.code = Some(code);
        Ok(Verdict::Hit)
    }

    fn decode(
        &self,
        r: &mut impl Read,
        total_len: Option<u64>,
    ) -> io::Result<std::result::Result<Vec<u8>, Verdict>> {
        let header_len = self.header_len();
        let fixed_len = (header_len + TRAILER_LEN) as u64;
        if total_len.is_some_and(|total| total < fixed_len) {
            return Ok(Err(Verdict::Rejected));
        }
        // Our own key and checksum fix the header's length, so one read fetches all of it.
        let mut header_buf = [0u8; 256];
        let mut header_vec = Vec::new();
        let header = if header_len <= header_buf.len() {
            &mut header_buf[..header_len]
        } else {
            header_vec.resize(header_len, 0);
            &mut header_vec[..]
        };
        if !read_exact_or_eof(r, header)? {
            return Ok(Err(Verdict::Rejected));
        }
        if let Err(verdict) = self.check_header(header) {
            return Ok(Err(verdict));
        }
        let code_len = u64::from_le_bytes(tail8(header));
        // With the size known, a length that does not fill it exactly is a lie.
        if total_len.is_some_and(|total| code_len != total - fixed_len) {
            return Ok(Err(Verdict::Rejected));
        }
        // Code and trailer in one read, straight into the code's final buffer. The up-front
        // reservation is bounded: a reader of unknown length grows the buffer as bytes arrive,
        // and even a file's size may be a sparse file's terabytes.
        let limit = if total_len.is_some() {
            TRUSTED_RESERVE
        } else {
            UNTRUSTED_RESERVE
        };
        let want = code_len.saturating_add(TRAILER_LEN as u64);
        let mut code = Vec::with_capacity(usize::try_from(want).map_or(limit, |w| w.min(limit)));
        if (&mut *r).take(want).read_to_end(&mut code)? as u64 != want
            || (total_len.is_none() && !at_eof(r)?)
        {
            return Ok(Err(Verdict::Rejected));
        }
        let len = code.len() - TRAILER_LEN;
        let trailer = u64::from_le_bytes(tail8(&code));
        code.truncate(len);
        if trailer_of(header, &code) != trailer {
            return Ok(Err(Verdict::Rejected));
        }
        Ok(Ok(code))
    }

    /// Where the code lies in a whole encoded entry if the entry is this bucket's and intact,
    /// else why not.
    fn code_range(&self, bytes: &[u8]) -> std::result::Result<Range<usize>, Verdict> {
        let header_len = self.header_len();
        let body_len = bytes
            .len()
            .checked_sub(TRAILER_LEN)
            .ok_or(Verdict::Rejected)?;
        let header = bytes.get(..header_len).ok_or(Verdict::Rejected)?;
        if body_len < header_len {
            return Err(Verdict::Rejected);
        }
        self.check_header(header)?;
        if u64::from_le_bytes(tail8(header)) != (body_len - header_len) as u64
            || XxHash3_64::oneshot(&bytes[..body_len]) != u64::from_le_bytes(tail8(bytes))
        {
            return Err(Verdict::Rejected);
        }
        Ok(header_len..body_len)
    }

    /// Whether a header read at this bucket's expected length is this bucket's: magic (and so
    /// format version), environment and key, else [`Verdict::Rejected`]; then the checksum,
    /// else [`Verdict::Stale`]. Stale is judged from the header alone.
    fn check_header(&self, header: &[u8]) -> std::result::Result<(), Verdict> {
        let mut at = 0;
        let mut take = |n: usize| {
            let part = &header[at..at + n];
            at += n;
            part
        };
        let ours = take(BC_MAGIC.len()) == BC_MAGIC
            && take(8) == self.fingerprint_hash().to_le_bytes()
            && take(4) == (self.key.len() as u32).to_le_bytes()
            && take(self.key.len()) == self.key.as_bytes();
        if !ours {
            return Err(Verdict::Rejected);
        }
        if take(4) != (self.checksum.len() as u32).to_le_bytes()
            || take(self.checksum.len()) != self.checksum.as_bytes()
        {
            return Err(Verdict::Stale);
        }
        Ok(())
    }
}
