//! [`MemoryBytecodeCache`]: buckets kept in this process, bounded by the bytes they hold.

use std::fmt;
use std::sync::Arc;

use quick_cache::sync::Cache;
use quick_cache::{OptionsBuilder, Weighter};
use xxhash_rust::xxh3::xxh3_64;

use crate::bucket::{BC_MAGIC, Bucket};
use crate::cache::BytecodeCache;
use crate::checksum::Checksum;
use crate::error::{Error, Result};
use crate::stats::{CacheStats, Counters, Verdict};

/// What an encoded bucket adds to its key, checksum and code: magic, fingerprint hash, three
/// lengths and the trailer (see [`Bucket`]).
const ENCODING_OVERHEAD: u64 = BC_MAGIC.len() as u64 + 8 + 4 + 4 + 8 + 8;

/// Each shard of the map is bounded on its own, so an entry must fit in one shard: the map is
/// split only into shards of at least this many bytes.
const MIN_SHARD_BYTES: u64 = 64 * 1024 * 1024;

/// More shards than this buy nothing on a hit, which takes a shared read lock.
const MAX_SHARDS: u64 = 16;

/// A guess at an entry's size, to size the map's bookkeeping; it bounds nothing.
const TYPICAL_ENTRY_BYTES: u64 = 32 * 1024;

/// One bucket, kept decoded: the header fields a load must check, and the code.
///
/// Entries never leave the process, so they carry no integrity trailer to verify: a hit checks
/// the key (the map's), the environment's fingerprint and the source checksum, then copies the
/// code once into the bucket.
struct Entry {
    fingerprint: u64,
    checksum: Box<str>,
    code: Box<[u8]>,
    /// The size of this bucket encoded (what a hit counts as read and a dump as written).
    encoded_len: u64,
}

/// Weighs an entry as its encoded size plus its key (held a second time as the map's key).
#[derive(Clone, Copy)]
struct EntryWeight;

impl Weighter<String, Arc<Entry>> for EntryWeight {
    fn weight(&self, key: &String, entry: &Arc<Entry>) -> u64 {
        entry.encoded_len + key.len() as u64
    }
}

/// Keeps buckets in this process's memory, holding at most `max_bytes` of them.
///
/// The fastest store: a hit costs one map lookup, the checks of a load and one copy of the
/// code; no entry is encoded or decoded. Use it as the first tier of a
/// [`TieredBytecodeCache`](crate::TieredBytecodeCache) in front of a store that outlives the
/// process.
///
/// Each entry weighs its encoded size plus its key, and the weights never add up to more than
/// `max_bytes`: a dump that would pass the bound first evicts entries chosen by quick_cache's
/// policy (S3-FIFO: entries read since they came in outlive those that were not). An entry that
/// does not fit at all (heavier than nearly a whole shard, see [`new`](Self::new)) is not kept:
/// its dump is `Ok`, counts no store, and the next load is a miss.
///
/// With the `tokio` feature it is an [`AsyncBytecodeCache`](crate::AsyncBytecodeCache) served
/// in place: nothing it does blocks, so an async hit costs what a sync one does.
///
/// A hit still checks everything a load from any other store checks: an entry stored for
/// another key, source checksum or environment fingerprint is a miss (`stale` for another
/// checksum, `rejected` for another environment).
///
/// ```
/// use bccache::{BytecodeCache, Checksum, MemoryBytecodeCache};
///
/// let cache = MemoryBytecodeCache::new(64 * 1024 * 1024).checksum(Checksum::Xxh3_128);
/// let mut bucket = cache.get_bucket(&(), "page.html", None, "<p>{{ x }}</p>")?;
/// assert!(bucket.code.is_none());
/// bucket.code = Some(b"compiled".to_vec());
/// cache.set_bucket(&bucket)?;
///
/// let bucket = cache.get_bucket(&(), "page.html", None, "<p>{{ x }}</p>")?;
/// assert_eq!(bucket.code.as_deref(), Some(&b"compiled"[..]));
/// assert!(cache.held_bytes() <= cache.max_bytes());
/// # Ok::<(), bccache::Error>(())
/// ```
pub struct MemoryBytecodeCache {
    entries: Cache<String, Arc<Entry>, EntryWeight>,
    max_bytes: u64,
    checksum: Checksum,
    counters: Counters,
    leases: Leases,
}

impl MemoryBytecodeCache {
    /// An empty cache that holds at most `max_bytes` of entries (encoded size plus key each).
    ///
    /// Below 128 MiB the entries share one bound; from there, the map is split in up to 16 shards of
    /// at least 64 MiB each, each bounded by its share, so that no single lock serves every
    /// thread. An entry heavier than about 97 % of a shard is never kept.
    pub fn new(max_bytes: u64) -> Self {
        let shards = (max_bytes / MIN_SHARD_BYTES).clamp(1, MAX_SHARDS);
        // A power of two no larger than the quotient: quick_cache rounds shard counts up.
        let shards = 1u64 << (63 - shards.leading_zeros());
        let estimated_items = (max_bytes / TYPICAL_ENTRY_BYTES).clamp(16, 1 << 20);
        let mut options = OptionsBuilder::new();
        options
            .weight_capacity(max_bytes)
            .estimated_items_capacity(usize::try_from(estimated_items).unwrap_or(1 << 20))
            .shards(usize::try_from(shards).unwrap_or(1));
        let entries = match options.build() {
            Ok(options) => {
                Cache::with_options(options, EntryWeight, Default::default(), Default::default())
            }
            // Every option above is set, so building cannot fail; keep the same bound anyway.
            Err(_) => Cache::with_weighter(
                usize::try_from(estimated_items).unwrap_or(1 << 20),
                max_bytes,
                EntryWeight,
            ),
        };
        MemoryBytecodeCache {
            entries,
            max_bytes,
            checksum: Checksum::Sha1,
            counters: Counters::default(),
            leases: Leases::default(),
        }
    }

    /// The same cache with sources summed by `checksum` (default [`Checksum::Sha1`], Jinja2's).
    ///
    /// ```
    /// use bccache::{BytecodeCache, Checksum, MemoryBytecodeCache};
    ///
    /// let cache = MemoryBytecodeCache::new(1 << 20).checksum(Checksum::Xxh3_128);
    /// assert_eq!(cache.checksum_algorithm(), Checksum::Xxh3_128);
    /// assert_eq!(cache.get_source_checksum("x"), Checksum::Xxh3_128.of(b"x"));
    /// ```
    #[must_use]
    pub fn checksum(mut self, checksum: Checksum) -> Self {
        self.checksum = checksum;
        self
    }

    /// The algorithm sources are summed with.
    pub fn checksum_algorithm(&self) -> Checksum {
        self.checksum
    }

    /// The bound given to [`new`](Self::new).
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// The bytes held now: the sum of every entry's weight (encoded size plus key).
    pub fn held_bytes(&self) -> u64 {
        self.entries.weight()
    }

    /// The number of entries held now.
    pub fn entry_count(&self) -> usize {
        self.entries.len()
    }

    /// Why the entry under `bucket.key` does or does not fill `bucket`, and its encoded size.
    fn read_entry(&self, bucket: &mut Bucket<'_>) -> (Verdict, u64) {
        let Some(entry) = self.entries.get(bucket.key.as_str()) else {
            return (Verdict::Missing, 0);
        };
        if entry.fingerprint != xxh3_64(&bucket.environment.fingerprint()) {
            return (Verdict::Rejected, 0);
        }
        if *entry.checksum != *bucket.checksum {
            return (Verdict::Stale, 0);
        }
        bucket.code = Some(entry.code.to_vec());
        (Verdict::Hit, entry.encoded_len)
    }
}

impl fmt::Debug for MemoryBytecodeCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryBytecodeCache")
            .field("max_bytes", &self.max_bytes)
            .field("held_bytes", &self.held_bytes())
            .field("entries", &self.entry_count())
            .field("checksum", &self.checksum)
            .finish_non_exhaustive()
    }
}

impl BytecodeCache for MemoryBytecodeCache {
    fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
        bucket.reset();
        let (verdict, len) = self.read_entry(bucket);
        self.counters.loaded(verdict, len);
        Ok(())
    }

    fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
        let code = bucket.code.as_deref().ok_or_else(|| Error::EmptyBucket {
            key: bucket.key.clone(),
        })?;
        let encoded_len =
            ENCODING_OVERHEAD + (bucket.key.len() + bucket.checksum.len() + code.len()) as u64;
        let entry = Arc::new(Entry {
            fingerprint: xxh3_64(&bucket.environment.fingerprint()),
            checksum: bucket.checksum.as_str().into(),
            code: code.into(),
            encoded_len,
        });
        self.entries.insert(bucket.key.clone(), entry);
        // quick_cache drops an entry too heavy for its shard without a word: say so.
        if self.entries.contains_key(bucket.key.as_str()) {
            self.counters.stored(encoded_len);
        } else {
            tracing::debug!(
                key = %bucket.key,
                bytes = encoded_len,
                max_bytes = self.max_bytes,
                "entry too large for the memory cache; not kept"
            );
        }
        Ok(())
    }

    /// Removes every entry.
    fn clear(&self) -> Result<()> {
        self.entries.clear();
        Ok(())
    }

    fn get_source_checksum_bytes(&self, source: &[u8]) -> String {
        self.checksum.of(source)
    }

    fn stats(&self) -> Option<CacheStats> {
        Some(self.counters.snapshot())
    }

    /// In-process: held until the guard drops or `ttl` passes.
    fn lease(&self, key: &str, ttl: std::time::Duration) -> Result<crate::lease::Lease> {
        Ok(self.leases.take(key, ttl))
    }
}

// Async callers are served in place: a load or a dump is a map operation and never blocks.
#[cfg(feature = "tokio")]
crate::async_cache::forward_async_bytecode_cache! {
    impl[] for MemoryBytecodeCache;
    in_place via std::convert::identity: every;
    {}
}

/// Single-flight leases of one memory cache, shared by the threads and tasks of the process.
#[derive(Default)]
struct Leases {
    /// Held keys: when each lease expires, and its holder's token.
    held: Arc<std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, u64)>>>,
    /// The last token handed out.
    tokens: std::sync::atomic::AtomicU64,
}

impl Leases {
    fn take(&self, key: &str, ttl: std::time::Duration) -> crate::lease::Lease {
        use crate::lease::{Lease, LeaseGuard};
        let now = std::time::Instant::now();
        let token = self
            .tokens
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // A poisoned map only means a holder panicked while inserting: its contents are whole.
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        if held.get(key).is_some_and(|&(expiry, _)| expiry > now) {
            return Lease::Busy;
        }
        // A `ttl` beyond what an `Instant` counts: the lease lasts until released.
        let expiry = now.checked_add(ttl).unwrap_or(now + LONGEST_LEASE);
        held.insert(key.to_owned(), (expiry, token));
        let map = Arc::clone(&self.held);
        let key = key.to_owned();
        Lease::Held(LeaseGuard::new(move || {
            let mut held = map.lock().unwrap_or_else(|e| e.into_inner());
            // A holder that overran may find its key leased again: that lease is not its own.
            if held.get(&key).is_some_and(|&(_, owner)| owner == token) {
                held.remove(&key);
            }
        }))
    }
}

/// The lease time of a `ttl` too long to count.
const LONGEST_LEASE: std::time::Duration = std::time::Duration::from_secs(365 * 24 * 3600);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_overhead_matches_the_encoder() {
        let mut bucket = Bucket::new(&(), "some key", "some checksum");
        bucket.code = Some(vec![7; 100]);
        let encoded = bucket.bytecode_to_string().unwrap();
        assert_eq!(
            encoded.len() as u64,
            ENCODING_OVERHEAD + (bucket.key.len() + bucket.checksum.len() + 100) as u64
        );
    }

    #[test]
    fn shards_stay_at_least_64_mib() {
        for (max, shards) in [
            (0, 1),
            (1 << 20, 1),
            (127 << 20, 1),
            (128 << 20, 2),
            (1 << 30, 16),
            (u64::MAX, 16),
        ] {
            assert_eq!(
                MemoryBytecodeCache::new(max).entries.num_shards(),
                shards,
                "{max}"
            );
        }
    }
}
