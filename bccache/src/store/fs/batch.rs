//! Loading a batch of entries on several threads.

use crate::bucket::{Bucket, Environment};
use crate::cache::BytecodeCache;
use crate::error::Result;
use crate::store::fs::FileSystemBytecodeCache;

/// Loads a batch with the machine's cores: one thread per core (up to 8) reads its share of
/// the entries. Small batches stay on the calling thread, where a thread would cost more than
/// it saves. Every entry is checked as a single load checks it; the first error comes back
/// after every entry has been tried.
pub(crate) fn load_in_parallel(
    cache: &FileSystemBytecodeCache,
    buckets: &mut [Bucket<'_>],
) -> Result<()> {
    const PER_THREAD: usize = 16;
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(8)
        .min(buckets.len() / PER_THREAD);
    if threads <= 1 {
        return buckets
            .iter_mut()
            .map(|bucket| cache.load_bytecode(bucket))
            .fold(Ok(()), Result::and);
    }
    // An environment need not be `Sync` (a Lua state is not), so the workers get each
    // bucket's fingerprint, key and checksum as plain data and hand back the code.
    let jobs: Vec<(Fingerprint, &str, &str)> = buckets
        .iter()
        .map(|b| {
            let fingerprint = Fingerprint(b.environment.fingerprint().into_owned());
            (fingerprint, b.key.as_str(), b.checksum.as_str())
        })
        .collect();
    let share = jobs.len().div_ceil(threads);
    let codes: Vec<Result<Option<Vec<u8>>>> = std::thread::scope(|scope| {
        let workers: Vec<_> = jobs
            .chunks(share)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|(fingerprint, key, checksum)| {
                            let mut bucket = Bucket::new(fingerprint, *key, *checksum);
                            cache.load_bytecode(&mut bucket).map(|()| bucket.code)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut first_error = None;
    for (bucket, code) in buckets.iter_mut().zip(codes) {
        match code {
            Ok(code) => bucket.code = code,
            Err(error) => {
                bucket.code = None;
                first_error.get_or_insert(error);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// A fingerprint carried to another thread as bytes.
struct Fingerprint(Vec<u8>);

impl Environment for Fingerprint {
    fn fingerprint(&self) -> std::borrow::Cow<'_, [u8]> {
        std::borrow::Cow::Borrowed(&self.0)
    }
}
