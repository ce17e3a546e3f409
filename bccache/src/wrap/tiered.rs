//! [`TieredBytecodeCache`]: stores layered like a CPU's caches, fastest first.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::bucket::Bucket;
use crate::cache::{BytecodeCache, Trust};
use crate::error::{Error, Result};
use crate::stats::CacheStats;

/// Several stores used as one, fastest first: memory, then local disk, then a shared store.
///
/// - **Load** tries the tiers in order and stops at the first hit. A hit in a slower tier
///   fills every faster one (each gets the bucket through its own
///   [`dump_bytecode`](BytecodeCache::dump_bytecode): the payload is copied or encoded once per
///   tier filled, never re-fetched). A tier that fails (memcached down, an unreadable
///   directory) is logged through `tracing` at `warn` and skipped: a load through the tiers
///   never fails because of a tier, it is a hit from the next tier that works, or a miss.
/// - **Dump** writes through to every tier, trying all of them even when one fails, and
///   returns the first failure (the others are logged). A
///   [`CachedLoader`](crate::CachedLoader) logs that failure and keeps the code by default.
/// - **Clear** clears every tier, likewise returning the first failure.
/// - **Batch** ([`get_buckets`](BytecodeCache::get_buckets),
///   [`CachedLoader::load_many`](crate::CachedLoader::load_many)): each tier is asked, in one
///   batch, only for the buckets still missing, and the hits fill the faster tiers.
///
/// A tier wrapped in [`ReadOnly`](crate::ReadOnly) is read and fills the tiers above it, but
/// never written or cleared: a shared store seeded by CI that services only read.
///
/// **Trust.** A hit never fills a tier more trusted than the tier it came from: a tier whose
/// [`trust`](BytecodeCache::trust) is [`Verified`](crate::Trust::Verified) (`Signed`) holds only
/// what it verified itself or what this process compiled, never a hit of an
/// [`Unverified`](crate::Trust::Unverified) tier below it, which would otherwise be signed with
/// the application's key and trusted by every machine that shares the signed store. The first
/// such skipped fill is logged at `warn`. The load itself still returns that hit: putting an
/// unsigned tier in the stack trusts it for this process. The tiered cache's own trust is its
/// least trusted tier's.
///
/// Keys and source checksums are the **first tier's**: a bucket is made once and checked by
/// every tier against that one checksum. Give every tier the same
/// [`Checksum`](crate::Checksum): entries are then shared with each tier used on its own.
///
/// [`stats`](BytecodeCache::stats) counts loads as the application sees them: `hits` and
/// `misses` are loads that some tier answered and loads that no tier answered (a load that
/// misses memory and hits disk is one hit), so the hit rate is the cache's; the other fields
/// (stale and rejected entries, errors, stores, bytes) are summed over the tiers.
/// [`tier_stats`](Self::tier_stats) has each tier's own counts.
///
/// ```
/// use bccache::{BytecodeCache, FileSystemBytecodeCache, TieredBytecodeCache};
///
/// let fast = tempfile::tempdir()?;
/// let slow = tempfile::tempdir()?;
/// let tiers = TieredBytecodeCache::new(vec![
///     Box::new(FileSystemBytecodeCache::new(fast.path(), "__app_%s.cache")?),
///     Box::new(FileSystemBytecodeCache::new(slow.path(), "__app_%s.cache")?),
/// ]);
///
/// // Only the slow tier has the entry (another machine put it there).
/// let mut bucket = tiers.tiers()[1].get_bucket(&(), "a.lua", None, "return 1")?;
/// bucket.code = Some(b"compiled".to_vec());
/// tiers.tiers()[1].set_bucket(&bucket)?;
///
/// let bucket = tiers.get_bucket(&(), "a.lua", None, "return 1")?;
/// assert_eq!(bucket.code.as_deref(), Some(&b"compiled"[..]));
/// // ... and the load filled the fast tier.
/// let filled = tiers.tiers()[0].get_bucket(&(), "a.lua", None, "return 1")?;
/// assert_eq!(filled.code.as_deref(), Some(&b"compiled"[..]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TieredBytecodeCache {
    tiers: Vec<Box<dyn BytecodeCache>>,
    /// Each tier's trust, read once.
    trust: Vec<Trust>,
    /// Loads that no tier answered.
    misses: AtomicU64,
    /// Whether a fill of a more trusted tier was skipped (and logged) yet.
    skipped_fill: AtomicBool,
}

impl TieredBytecodeCache {
    /// The tiers, fastest first. With no tier every load is a miss and every dump does nothing.
    pub fn new(tiers: Vec<Box<dyn BytecodeCache>>) -> Self {
        TieredBytecodeCache {
            trust: tiers.iter().map(|tier| tier.trust()).collect(),
            tiers,
            misses: AtomicU64::new(0),
            skipped_fill: AtomicBool::new(false),
        }
    }

    /// The tiers, fastest first.
    pub fn tiers(&self) -> &[Box<dyn BytecodeCache>] {
        &self.tiers
    }

    /// Each tier's [`stats`](BytecodeCache::stats), fastest first (`None` for a tier that does
    /// not count). The differences between two calls say where loads came from.
    ///
    /// ```
    /// use bccache::{BytecodeCache, MemoryBytecodeCache, TieredBytecodeCache};
    ///
    /// let tiers = TieredBytecodeCache::new(vec![
    ///     Box::new(MemoryBytecodeCache::new(1 << 20)),
    ///     Box::new(MemoryBytecodeCache::new(1 << 20)),
    /// ]);
    /// tiers.get_bucket(&(), "a.lua", None, "return 1")?;
    /// let misses: Vec<u64> = tiers.tier_stats().iter().map(|s| s.unwrap().misses).collect();
    /// assert_eq!(misses, [1, 1]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tier_stats(&self) -> Vec<Option<CacheStats>> {
        self.tiers.iter().map(|tier| tier.stats()).collect()
    }

    /// Puts a bucket found in tier `found_in` into every faster tier that is not more trusted
    /// than `found_in`. A fill that fails is logged: the load itself succeeded.
    fn fill_faster_tiers(&self, found_in: usize, bucket: &Bucket<'_>) {
        let found_trust = self.trust[found_in];
        for (tier, cache) in self.tiers[..found_in].iter().enumerate() {
            if self.trust[tier] > found_trust {
                if !self.skipped_fill.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        tier,
                        from_tier = found_in,
                        key = bucket.key,
                        "not filling a verified (signed) cache tier with a hit of an unverified \
                         tier below it; sign the tiers below a signed tier"
                    );
                }
                continue;
            }
            if let Err(error) = cache.dump_bytecode(bucket) {
                warn_tier(tier, "fill", &bucket.key, &error);
            }
        }
    }

    /// Runs `op` on every tier and returns its first failure; the later ones are logged.
    fn on_every_tier(
        &self,
        what: &'static str,
        key: &str,
        op: impl Fn(&dyn BytecodeCache) -> Result<()>,
    ) -> Result<()> {
        let mut first = None;
        for (tier, cache) in self.tiers.iter().enumerate() {
            if let Err(error) = op(cache.as_ref()) {
                if first.is_some() {
                    warn_tier(tier, what, key, &error);
                } else {
                    first = Some(error);
                }
            }
        }
        first.map_or(Ok(()), Err)
    }
}

fn warn_tier(tier: usize, what: &'static str, key: &str, error: &Error) {
    tracing::warn!(
        tier,
        key,
        error = error as &(dyn std::error::Error + 'static),
        "cache tier {what} failed; going on with the other tiers"
    );
}

impl fmt::Debug for TieredBytecodeCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TieredBytecodeCache")
            .field("tiers", &self.tiers.len())
            .finish_non_exhaustive()
    }
}

impl BytecodeCache for TieredBytecodeCache {
    fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
        bucket.reset();
        for (tier, cache) in self.tiers.iter().enumerate() {
            match cache.load_bytecode(bucket) {
                Ok(()) if bucket.code.is_some() => {
                    self.fill_faster_tiers(tier, bucket);
                    return Ok(());
                }
                Ok(()) => {}
                Err(error) => {
                    warn_tier(tier, "load", &bucket.key, &error);
                    bucket.reset();
                }
            }
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
        self.on_every_tier("dump", &bucket.key, |cache| cache.dump_bytecode(bucket))
    }

    fn clear(&self) -> Result<()> {
        self.on_every_tier("clear", "", |cache| cache.clear())
    }

    /// The first tier's key (every built-in store uses Jinja2's).
    fn get_cache_key(&self, name: &str, filename: Option<&str>) -> String {
        match self.tiers.first() {
            Some(first) => first.get_cache_key(name, filename),
            None => default_store().get_cache_key(name, filename),
        }
    }

    /// The first tier's checksum: give every tier the same [`Checksum`](crate::Checksum).
    fn get_source_checksum_bytes(&self, source: &[u8]) -> String {
        match self.tiers.first() {
            Some(first) => first.get_source_checksum_bytes(source),
            None => default_store().get_source_checksum_bytes(source),
        }
    }

    fn load_bytecodes(&self, buckets: &mut [Bucket<'_>]) -> Result<()> {
        buckets.iter_mut().for_each(Bucket::reset);
        let mut missing: Vec<usize> = (0..buckets.len()).collect();
        for (tier, cache) in self.tiers.iter().enumerate() {
            if missing.is_empty() {
                break;
            }
            // The buckets still missing, moved out (no copy) so the tier sees one slice.
            let mut batch: Vec<Bucket<'_>> = missing
                .iter()
                .map(|&at| {
                    let environment = buckets[at].environment;
                    std::mem::replace(&mut buckets[at], Bucket::new(environment, "", ""))
                })
                .collect();
            if let Err(error) = cache.load_bytecodes(&mut batch) {
                // What the tier found before failing passed every check: keep it.
                warn_tier(tier, "batch load", "", &error);
            }
            let mut still_missing = Vec::with_capacity(missing.len());
            for (at, bucket) in missing.into_iter().zip(batch) {
                if bucket.code.is_some() {
                    self.fill_faster_tiers(tier, &bucket);
                } else {
                    still_missing.push(at);
                }
                buckets[at] = bucket;
            }
            missing = still_missing;
        }
        self.misses
            .fetch_add(missing.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    fn flush_stats(&self) -> Result<()> {
        self.on_every_tier("stats flush", "", |cache| cache.flush_stats())
    }

    /// The least trusted tier's: a hit may come from any of them.
    fn trust(&self) -> Trust {
        self.trust
            .iter()
            .copied()
            .min()
            .unwrap_or(Trust::Unverified)
    }

    fn decompresses(&self) -> bool {
        self.tiers.iter().any(|tier| tier.decompresses())
    }

    /// The lease of the lowest tier that has leases (the most shared one): tiers are asked
    /// from the last to the first, and a tier that fails is skipped (logged).
    fn lease(&self, key: &str, ttl: std::time::Duration) -> Result<crate::lease::Lease> {
        for (tier, cache) in self.tiers.iter().enumerate().rev() {
            match cache.lease(key, ttl) {
                Ok(crate::lease::Lease::Unsupported) => {}
                Ok(lease) => return Ok(lease),
                Err(error) => warn_tier(tier, "lease", key, &error),
            }
        }
        Ok(crate::lease::Lease::Unsupported)
    }

    fn stats(&self) -> Option<CacheStats> {
        let mut sum = self
            .tiers
            .iter()
            .filter_map(|tier| tier.stats())
            .reduce(|sum, tier| sum + tier)?;
        sum.misses = self.misses.load(Ordering::Relaxed);
        Some(sum)
    }
}

/// The trait's provided key and checksum, for a cache with no tier.
fn default_store() -> &'static dyn BytecodeCache {
    struct NoStore;
    impl BytecodeCache for NoStore {
        fn load_bytecode(&self, _bucket: &mut Bucket<'_>) -> Result<()> {
            Ok(())
        }
        fn dump_bytecode(&self, _bucket: &Bucket<'_>) -> Result<()> {
            Ok(())
        }
    }
    &NoStore
}
