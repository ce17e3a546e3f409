//! [`Compressed`]: any store, with zstd-compressed payloads.

use std::cell::RefCell;
use std::fmt;

use zstd::zstd_safe::{DCtx, DParameter, InBuffer, OutBuffer, ResetDirective};

use crate::bucket::Environment;
use crate::error::{Error, Result};
use crate::wrap::layer::{EntryId, Layered, PayloadLayer, layered_cache};

/// The default [decode limit](Compressed::decode_limit): the most a payload may decompress to.
pub(crate) const DEFAULT_DECODE_LIMIT: u64 = 64 << 20;

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
/// to anything but its declared length, is a miss.
///
/// **What a hostile payload costs.** Whoever can write to the inner store chooses the declared
/// length and the frame. Neither is trusted for memory: a payload declaring more than the
/// [decode limit](Self::decode_limit) (64 MiB by default) is a miss before anything is
/// allocated, and decompression streams into a buffer that grows only as output is really
/// produced, stops at the declared length, and limits zstd's window to the decode limit. So a
/// decompression bomb costs at most about twice the decode limit of memory and the time to
/// decompress that much, and is a miss. Code larger than the limit is refused when stored
/// ([`Error::OverDecodeLimit`]), never a miss at every load.
///
/// Statistics are the inner store's, with payloads that did not decompress counted as
/// `rejected` rather than hits. `clear` clears the whole inner store.
///
/// With the `tokio` feature, a `Compressed` of an async store is async: the same payloads,
/// checks and limits, with (de)compression in the task and the inner store awaited.
///
/// To sign compressed entries, put [`Signed`](crate::Signed) inside, so that signatures are
/// checked before anything is decompressed: `Compressed::new(Signed::new(store, key)?, 3)`
/// (`Signed` refuses the other order).
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
            layered: Layered::new(
                Zstd {
                    level,
                    tag,
                    decode_limit: DEFAULT_DECODE_LIMIT,
                },
                inner,
            ),
        })
    }

    /// The most a payload may decompress to, in bytes (64 MiB by default): a payload declaring more is a miss at once, code longer than this is refused
    /// when stored, and a hostile payload costs at most about twice this much memory. Raise it
    /// for larger code (big Wasm modules); the limit is not part of the fingerprint.
    ///
    /// ```
    /// use bccache::{Compressed, FileSystemBytecodeCache};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let store = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?;
    /// let cache = Compressed::new(store, 3)?.decode_limit(256 << 20);
    /// assert_eq!(cache.max_decoded(), 256 << 20);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn decode_limit(mut self, bytes: u64) -> Self {
        self.layered.layer_mut().decode_limit = bytes;
        self
    }

    /// The [decode limit](Self::decode_limit) in bytes.
    pub fn max_decoded(&self) -> u64 {
        self.layered.layer().decode_limit
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

layered_cache!(Compressed, Zstd);

/// The zstd payload layer: declared length, then one zstd frame.
pub(crate) struct Zstd {
    level: i32,
    tag: Vec<u8>,
    decode_limit: u64,
}

impl PayloadLayer for Zstd {
    fn tag(&self) -> &[u8] {
        &self.tag
    }

    fn decompresses(&self) -> bool {
        true
    }

    fn seal(&self, entry: &EntryId<'_>, code: &[u8]) -> Result<Vec<u8>> {
        let len = code.len() as u64;
        if len > self.decode_limit {
            return Err(Error::OverDecodeLimit {
                key: entry.key.to_owned(),
                len,
                limit: self.decode_limit,
            });
        }
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
        payload.extend_from_slice(&len.to_le_bytes());
        payload.extend_from_slice(&frame);
        Ok(payload)
    }

    fn open(&self, _entry: &EntryId<'_>, payload: Vec<u8>) -> Option<Vec<u8>> {
        let (declared, frame) = payload.split_first_chunk::<LEN_PREFIX>()?;
        let declared = u64::from_le_bytes(*declared);
        if declared > self.decode_limit {
            return None;
        }
        let declared = usize::try_from(declared).ok()?;
        with_context(self.decode_limit, |context| {
            decompress(context, frame, declared)
        })
    }
}

/// zstd's smallest window (`ZSTD_WINDOWLOG_ABSOLUTEMIN`).
const MIN_WINDOW_LOG: u32 = 10;
/// The first output buffer holds up to this many times the frame's size: enough for a whole
/// entry of ordinary bytecode, so that zstd decodes it in one pass, straight into the buffer.
const FIRST_GUESS_RATIO: usize = 16;
/// The output buffer never starts smaller than this, nor grows by less.
const MIN_STEP: usize = 64 << 10;

thread_local! {
    /// Each thread's zstd decompression context, made at its first hit: a context is a few
    /// hundred KiB of tables, which would cost more to set up than to decompress an entry.
    static DECOMPRESSOR: RefCell<Option<DCtx<'static>>> = const { RefCell::new(None) };
}

/// Runs `decode` with this thread's context (or a one-off one, when the thread is exiting or
/// the context is in use), reset and limited to windows within `decode_limit`.
fn with_context<T>(
    decode_limit: u64,
    decode: impl FnOnce(&mut DCtx<'static>) -> Option<T>,
) -> Option<T> {
    let window_log =
        (u64::BITS - decode_limit.saturating_sub(1).leading_zeros()).max(MIN_WINDOW_LOG);
    let prepare = |context: &mut DCtx<'static>| {
        context.reset(ResetDirective::SessionAndParameters).ok()?;
        context
            .set_parameter(DParameter::WindowLogMax(window_log))
            .ok()?;
        Some(())
    };
    let mut decode = Some(decode);
    let shared = DECOMPRESSOR.try_with(|cell| {
        let mut slot = cell.try_borrow_mut().ok()?;
        if slot.is_none() {
            *slot = Some(DCtx::try_create()?);
        }
        let context = slot.as_mut()?;
        prepare(context)?;
        Some(decode.take()?(context))
    });
    match shared {
        Ok(Some(decoded)) => decoded,
        _ => {
            let mut context = DCtx::try_create()?;
            prepare(&mut context)?;
            decode.take()?(&mut context)
        }
    }
}

/// One frame that must decompress to exactly `declared` bytes. The buffer starts at a guess
/// from the frame's size and grows as output is produced, never past `declared`: what the
/// payload says is never reserved before zstd has written it. `None` when the frame is
/// corrupt, fails its checksum, is cut short, or decompresses to another length.
fn decompress(context: &mut DCtx<'_>, frame: &[u8], declared: usize) -> Option<Vec<u8>> {
    let first = frame
        .len()
        .saturating_mul(FIRST_GUESS_RATIO)
        .max(MIN_STEP)
        .min(declared);
    let mut out = Vec::with_capacity(first);
    let mut input = InBuffer::around(frame);
    loop {
        if out.len() == out.capacity() && out.capacity() < declared {
            let step = out.capacity().max(MIN_STEP).min(declared - out.capacity());
            out.reserve_exact(step);
        }
        let before = (input.pos(), out.len());
        let mut output = OutBuffer::around_pos(&mut out, before.1);
        let remaining = context.decompress_stream(&mut output, &mut input).ok()?;
        if remaining == 0 {
            // The frame is complete: nothing may follow it, and it must be what was declared.
            return (input.pos() == frame.len() && out.len() == declared).then_some(out);
        }
        if out.len() > declared || (input.pos(), out.len()) == before {
            // More output than declared, or no progress: the input ended inside the frame.
            return None;
        }
    }
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
            decode_limit: DEFAULT_DECODE_LIMIT,
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
        for declared in [0u64, 99_999, 100_001, DEFAULT_DECODE_LIMIT + 1, u64::MAX] {
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

    /// A frame of `blocks` RLE blocks of 128 KiB zeros each, declaring its content size.
    fn zero_bomb(blocks: u32) -> Vec<u8> {
        const BLOCK: u32 = 128 << 10;
        let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd, 0xe0];
        frame.extend_from_slice(&(u64::from(blocks) * u64::from(BLOCK)).to_le_bytes());
        for at in 0..blocks {
            let last = u32::from(at + 1 == blocks);
            let header = last | (1 << 1) | (BLOCK << 3);
            frame.extend_from_slice(&header.to_le_bytes()[..3]);
            frame.push(0);
        }
        frame
    }

    fn payload(declared: u64, frame: &[u8]) -> Vec<u8> {
        [&declared.to_le_bytes()[..], frame].concat()
    }

    #[test]
    fn a_frame_larger_than_its_declared_length_is_a_miss() {
        // 8 MiB of zeros in a 32 KiB-ish frame, declared as 1 MiB, and as the frame's own size
        // with a limit below it.
        let bomb = zero_bomb(64);
        assert_eq!(zstd(3).open(&entry(), payload(1 << 20, &bomb)), None);
        let small_limit = Zstd {
            decode_limit: 4 << 20,
            ..zstd(3)
        };
        assert_eq!(small_limit.open(&entry(), payload(8 << 20, &bomb)), None);
        assert_eq!(
            zstd(3)
                .open(&entry(), payload(8 << 20, &bomb))
                .map(|c| c.len()),
            Some(8 << 20)
        );
    }

    #[test]
    fn a_frame_whose_window_is_over_the_limit_is_a_miss() {
        let small_limit = Zstd {
            decode_limit: 1 << 20,
            ..zstd(3)
        };
        assert_eq!(
            small_limit.open(&entry(), payload(1 << 20, &zero_bomb(16))),
            None
        );
    }

    #[test]
    fn code_over_the_decode_limit_is_refused_when_stored() {
        let small_limit = Zstd {
            decode_limit: 1000,
            ..zstd(3)
        };
        let error = small_limit
            .seal(&entry(), &[1; 1001])
            .expect_err("over the limit");
        assert!(error.to_string().contains("1000"), "{error}");
        let payload = small_limit
            .seal(&entry(), &[1; 1000])
            .expect("at the limit");
        assert_eq!(small_limit.open(&entry(), payload), Some(vec![1; 1000]));
    }

    #[test]
    fn levels_outside_zstds_range_are_errors_naming_the_level() {
        for level in [0, -1, 23] {
            let error = Compressed::new((), level).expect_err("refused");
            assert!(error.to_string().contains(&level.to_string()), "{error}");
        }
    }
}
