//! [`Compressed`]: any store, with zstd-compressed payloads.

use std::cell::RefCell;
use std::fmt;

use crate::bucket::Environment;
use crate::error::{Error, Result};
use crate::wrap::layer::{EntryId, Layered, PayloadLayer, layered_cache};

/// The largest code a compressed entry may decompress to: a payload declaring more is a miss
/// before anything is allocated.
pub(crate) const MAX_DECOMPRESSED: u64 = 1 << 30;

/// Bytes of the declared decompressed length in front of the zstd frame.
const LEN_PREFIX: usize = 8;

/// Wraps any store so that it keeps zstd-compressed code: smaller entries on disk and on the
/// wire, at the price of a decompression on every hit.
///
/// The inner store sees ordinary entries under the same key and checksum; their payload is the
/// code's length (u64, little endian) followed by one zstd frame, and their fingerprint is the
/// caller's extended by `zstd` and the level. So compressed and plain entries, and entries of
/// two levels, never hit each other: changing the level recompiles once. Frames carry zstd's
/// content checksum. A payload that does not decompress, fails that checksum, or decompresses
/// to anything but its declared length, is a miss, and so
/// is one declaring more than 1 GiB; decompression never writes past the declared length, so a
/// decompression bomb costs no memory.
///
/// Statistics are the inner store's, with payloads that did not decompress counted as
/// `rejected` rather than hits. `clear` clears the whole inner store.
///
/// Composes with the other wrappers; to sign compressed entries, put [`Signed`](crate::Signed)
/// inside, so that signatures are checked before anything is decompressed:
/// `Compressed::new(Signed::new(store, key)?, 3)`.
///
/// ```
/// use bccache::{BytecodeCache, Compressed, FileSystemBytecodeCache};
///
/// let dir = tempfile::tempdir()?;
/// let cache = Compressed::new(FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?, 3)?;
///
/// let mut bucket = cache.get_bucket(&(), "page.html", None, "<p>{{ x }}</p>")?;
/// bucket.code = Some(b"compiled code ".repeat(1000));
/// cache.set_bucket(&bucket)?;
///
/// let again = cache.get_bucket(&(), "page.html", None, "<p>{{ x }}</p>")?;
/// assert_eq!(again.code, bucket.code);
/// // The file holds far fewer bytes than the code.
/// let file = cache.inner().path_for_key(&bucket.key);
/// assert!(std::fs::metadata(file)?.len() < 1000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "zstd")))]
pub struct Compressed<B> {
    layered: Layered<Zstd, B>,
}

impl<B> Compressed<B> {
    /// Wraps `inner`, compressing at zstd `level` (1 to 22; 3 is zstd's default and a good
    /// trade, 19 and up are slow to write and barely faster to read).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCompressionLevel`] for a level outside `1..=22`.
    ///
    /// ```
    /// use bccache::{Compressed, FileSystemBytecodeCache};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let store = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?;
    /// let cache = Compressed::new(store, 3)?;
    /// assert_eq!(cache.level(), 3);
    /// # let store = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?;
    /// assert!(Compressed::new(store, 0).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(inner: B, level: i32) -> Result<Self> {
        if !(1..=22).contains(&level) {
            return Err(Error::InvalidCompressionLevel { level });
        }
        let tag = format!("zstd/1 level={level}").into_bytes();
        Ok(Compressed {
            layered: Layered::new(Zstd { level, tag }, inner),
        })
    }

    /// The zstd level entries are written at.
    pub fn level(&self) -> i32 {
        self.layered.layer().level
    }

    /// The store the compressed entries live in.
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

impl<B> fmt::Debug for Compressed<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Compressed")
            .field("level", &self.layered.layer().level)
            .finish_non_exhaustive()
    }
}

layered_cache!(Compressed);

/// The zstd payload layer: declared length, then one zstd frame.
struct Zstd {
    level: i32,
    tag: Vec<u8>,
}

impl PayloadLayer for Zstd {
    fn tag(&self) -> &[u8] {
        &self.tag
    }

    fn seal(&self, entry: &EntryId<'_>, code: &[u8]) -> Result<Vec<u8>> {
        let compress = || {
            let mut compressor = zstd::bulk::Compressor::new(self.level)?;
            // zstd's own checksum of the content: a frame damaged below the entry's trailer
            // (a bug in a store, a rewritten entry) fails to decompress instead of giving
            // other code of the right length.
            compressor.include_checksum(true)?;
            compressor.compress(code)
        };
        let frame = compress().map_err(|source| Error::Compress {
            key: entry.key.to_owned(),
            source,
        })?;
        let mut payload = Vec::with_capacity(LEN_PREFIX + frame.len());
        payload.extend_from_slice(&(code.len() as u64).to_le_bytes());
        payload.extend_from_slice(&frame);
        Ok(payload)
    }

    fn open(&self, _entry: &EntryId<'_>, payload: Vec<u8>) -> Option<Vec<u8>> {
        let (declared, frame) = payload.split_first_chunk::<LEN_PREFIX>()?;
        let declared = u64::from_le_bytes(*declared);
        if declared > MAX_DECOMPRESSED {
            return None;
        }
        let declared = usize::try_from(declared).ok()?;
        let code = decompress(frame, declared)?;
        (code.len() == declared).then_some(code)
    }
}

thread_local! {
    /// Each thread's zstd decompression context, made at its first hit: a context is a few
    /// hundred KiB of tables, which would cost more to set up than to decompress an entry.
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { RefCell::new(None) };
}

/// One frame, into at most `capacity` bytes: zstd stops with an error rather than write past
/// them. `None` when the frame is corrupt, fails its checksum or is larger.
fn decompress(frame: &[u8], capacity: usize) -> Option<Vec<u8>> {
    let with_context = |cell: &RefCell<Option<zstd::bulk::Decompressor<'static>>>| {
        let mut slot = cell.try_borrow_mut().ok()?;
        if slot.is_none() {
            *slot = zstd::bulk::Decompressor::new().ok();
        }
        Some(slot.as_mut()?.decompress(frame, capacity).ok())
    };
    // No context to be had (the thread is exiting): a one-off one.
    DECOMPRESSOR
        .try_with(with_context)
        .ok()
        .flatten()
        .unwrap_or_else(|| zstd::bulk::decompress(frame, capacity).ok())
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

    fn zstd(level: i32) -> Zstd {
        Zstd {
            level,
            tag: Vec::new(),
        }
    }

    #[test]
    fn sealed_code_opens_to_itself() {
        let code = b"local x = 1 ".repeat(500);
        let payload = zstd(3).seal(&entry(), &code).expect("compress");
        assert!(payload.len() < code.len() / 10);
        assert_eq!(zstd(3).open(&entry(), payload), Some(code));
        let empty = zstd(3).seal(&entry(), b"").expect("compress");
        assert_eq!(zstd(3).open(&entry(), empty), Some(Vec::new()));
    }

    #[test]
    fn a_payload_whose_length_lies_is_a_miss() {
        let code = vec![7u8; 100_000];
        let payload = zstd(3).seal(&entry(), &code).expect("compress");
        for declared in [0u64, 99_999, 100_001, MAX_DECOMPRESSED + 1, u64::MAX] {
            let mut lying = payload.clone();
            lying[..8].copy_from_slice(&declared.to_le_bytes());
            assert_eq!(zstd(3).open(&entry(), lying), None, "declared {declared}");
        }
        assert_eq!(zstd(3).open(&entry(), payload[..7].to_vec()), None);
        assert_eq!(
            zstd(3).open(&entry(), payload[..payload.len() - 1].to_vec()),
            None
        );
    }

    #[test]
    fn levels_outside_zstds_range_are_errors_naming_the_level() {
        for level in [0, -1, 23] {
            let error = Compressed::new((), level).expect_err("refused");
            assert!(error.to_string().contains(&level.to_string()), "{error}");
        }
    }
}
