//! [`TieredBytecodeCache`]: stores layered like a CPU's caches, fastest first.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crate::bucket::Bucket;
use crate::cache::{BytecodeCache, Trust};
use crate::error::{Error, Result};
use crate::lease::Lease;
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
/// **Leases** (single flight) are taken in the lowest tier that has them: the store shared
/// across the fleet, not a memory tier that only this process sees. A
/// [`ReadOnly`](crate::ReadOnly) tier has none.
///
/// **Async** (feature `tokio`): the tiered cache is an `AsyncBytecodeCache` too, with the same
/// rules. Tiers given to `from_stores` are used through their own async impls (the memory store
/// in place, files on the blocking pool, memcached and Redis on tokio's sockets); tiers given to
/// [`new`](Self::new) implement only the sync trait, so async calls reach each of them through
/// tokio's blocking pool, as `Blocking` does.
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
    tiers: Vec<Arc<dyn BytecodeCache>>,
    /// The same tiers for async callers: each tier's own async impl, or a sync-only tier
    /// through the blocking pool.
    #[cfg(feature = "tokio")]
    pub(super) async_tiers: Vec<Arc<dyn crate::AsyncBytecodeCache>>,
    /// Each tier's trust, read once.
    trust: Vec<Trust>,
    /// Loads that no tier answered.
    misses: AtomicU64,
    /// Whether a fill of a more trusted tier was skipped (and logged) yet.
    skipped_fill: AtomicBool,
}

impl TieredBytecodeCache {
    /// The tiers, fastest first. With no tier every load is a miss and every dump does nothing.
    ///
    /// Async calls (feature `tokio`) reach these tiers through tokio's blocking pool; give
    /// tiers that are async themselves to `from_stores` instead.
    pub fn new(tiers: Vec<Box<dyn BytecodeCache>>) -> Self {
        let tiers: Vec<Arc<dyn BytecodeCache>> = tiers.into_iter().map(Arc::from).collect();
        #[cfg(feature = "tokio")]
        let async_tiers = tiers
            .iter()
            .map(|tier| {
                let pooled = crate::Blocking::from_arc(Arc::clone(tier));
                Arc::new(pooled) as Arc<dyn crate::AsyncBytecodeCache>
            })
            .collect();
        TieredBytecodeCache {
            trust: tiers.iter().map(|tier| tier.trust()).collect(),
            tiers,
            #[cfg(feature = "tokio")]
            async_tiers,
            misses: AtomicU64::new(0),
            skipped_fill: AtomicBool::new(false),
        }
    }

    /// The tiers, fastest first, each used through its own impl of both traits: async callers
    /// reach a memory tier in place, a filesystem tier on the blocking pool, a network tier on
    /// tokio's sockets. A store that is only sync joins as a [`Blocking`](crate::Blocking).
    ///
    /// ```
    /// use bccache::{AsyncBytecodeCache, FileSystemBytecodeCache, MemoryBytecodeCache};
    /// use bccache::TieredBytecodeCache;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let tiers = TieredBytecodeCache::from_stores(vec![
    ///     Box::new(MemoryBytecodeCache::new(64 << 20)),
    ///     Box::new(FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?),
    /// ]);
    /// let mut bucket = tiers.get_bucket(&(), "a.lua", None, "return 1").await?;
    /// bucket.code = Some(b"compiled".to_vec());
    /// tiers.set_bucket(&bucket).await?;
    /// let hit = tiers.get_bucket(&(), "a.lua", None, "return 1").await?;
    /// assert_eq!(hit.code.as_deref(), Some(&b"compiled"[..]));
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub fn from_stores(tiers: Vec<Box<dyn crate::Store>>) -> Self {
        let stores: Vec<Arc<dyn crate::Store>> = tiers.into_iter().map(Arc::from).collect();
        TieredBytecodeCache {
            trust: stores
                .iter()
                .map(|tier| BytecodeCache::trust(&**tier))
                .collect(),
            tiers: stores
                .iter()
                .map(|tier| Arc::clone(tier) as Arc<dyn BytecodeCache>)
                .collect(),
            async_tiers: stores
                .into_iter()
                .map(|tier| tier as Arc<dyn crate::AsyncBytecodeCache>)
                .collect(),
            misses: AtomicU64::new(0),
            skipped_fill: AtomicBool::new(false),
        }
    }

    /// The tiers, fastest first.
    pub fn tiers(&self) -> &[Arc<dyn BytecodeCache>] {
        &self.tiers
    }

    /// Each tier's [`stats`](BytecodeCache::stats), fastest first (`None` for a tier that does
    /// not count). The differences between two calls say where loads came from.
    ///
    /// ```
    /// # #[cfg(feature = "memory")] {
    /// use bccache::{BytecodeCache, MemoryBytecodeCache, TieredBytecodeCache};
    ///
    /// let tiers = TieredBytecodeCache::new(vec![
    ///     Box::new(MemoryBytecodeCache::new(1 << 20)),
    ///     Box::new(MemoryBytecodeCache::new(1 << 20)),
    /// ]);
    /// tiers.get_bucket(&(), "a.lua", None, "return 1")?;
    /// let misses: Vec<u64> = tiers.tier_stats().iter().map(|s| s.unwrap().misses).collect();
    /// assert_eq!(misses, [1, 1]);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tier_stats(&self) -> Vec<Option<CacheStats>> {
        self.tiers.iter().map(|tier| tier.stats()).collect()
    }

    /// Puts a bucket found in tier `found_in` into every faster tier that is not more trusted
    /// than `found_in`. A fill that fails is logged: the load itself succeeded.
    fn fill_faster_tiers(&self, found_in: usize, bucket: &Bucket<'_>) {
        for tier in self.fill_targets(found_in, &bucket.key) {
            if let Err(error) = self.tiers[tier].dump_bytecode(bucket) {
                warn_tier(tier, "fill", &bucket.key, &error);
            }
        }
    }

    /// The faster tiers a hit in tier `found_in` fills: those not more trusted than it. The
    /// first skipped fill is logged.
    pub(super) fn fill_targets(&self, found_in: usize, key: &str) -> Vec<usize> {
        let found_trust = self.trust[found_in];
        (0..found_in)
            .filter(|&tier| {
                let more_trusted = self.trust[tier] > found_trust;
                if more_trusted && !self.skipped_fill.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        tier,
                        from_tier = found_in,
                        key,
                        "not filling a verified (signed) cache tier with a hit of an unverified \
                         tier below it; sign the tiers below a signed tier"
                    );
                }
                !more_trusted
            })
            .collect()
    }

    /// Runs `op` on every tier and returns its first failure; the later ones are logged.
    fn on_every_tier(
        &self,
        what: &'static str,
        key: &str,
        op: impl Fn(&dyn BytecodeCache) -> Result<()>,
    ) -> Result<()> {
        let mut outcome = EveryTier::new(what, key);
        for (tier, cache) in self.tiers.iter().enumerate() {
            outcome.add(tier, op(cache.as_ref()));
        }
        outcome.finish()
    }

    /// Whether tier `tier`'s answer to a load is a hit; a failure is logged and leaves the
    /// bucket empty for the next tier.
    pub(super) fn hit(tier: usize, bucket: &mut Bucket<'_>, loaded: Result<()>) -> bool {
        match loaded {
            Ok(()) => bucket.code.is_some(),
            Err(error) => {
                warn_tier(tier, "load", &bucket.key, &error);
                bucket.reset();
                false
            }
        }
    }

    /// The least trusted tier's trust: a hit may come from any of them.
    pub(super) fn least_trust(&self) -> Trust {
        self.trust
            .iter()
            .copied()
            .min()
            .unwrap_or(Trust::Unverified)
    }

    /// Counts loads that no tier answered.
    pub(super) fn missed(&self, loads: usize) {
        self.misses.fetch_add(loads as u64, Ordering::Relaxed);
    }

    /// The sum of the tiers' counts, with the tiered cache's own misses.
    pub(super) fn summed(
        &self,
        tiers: impl Iterator<Item = Option<CacheStats>>,
    ) -> Option<CacheStats> {
        let mut sum = tiers.flatten().reduce(|sum, tier| sum + tier)?;
        sum.misses = self.misses.load(Ordering::Relaxed);
        Some(sum)
    }
}

/// The outcome of an operation run on every tier: its first failure, the later ones logged.
pub(super) struct EveryTier<'k> {
    what: &'static str,
    key: &'k str,
    first: Option<Error>,
}

impl<'k> EveryTier<'k> {
    pub(super) fn new(what: &'static str, key: &'k str) -> Self {
        EveryTier {
            what,
            key,
            first: None,
        }
    }

    pub(super) fn add(&mut self, tier: usize, outcome: Result<()>) {
        if let Err(error) = outcome {
            if self.first.is_some() {
                warn_tier(tier, self.what, self.key, &error);
            } else {
                self.first = Some(error);
            }
        }
    }

    pub(super) fn finish(self) -> Result<()> {
        self.first.map_or(Ok(()), Err)
    }
}

/// The buckets of a batch still missing, moved out of `buckets` (no copy) so that a tier sees
/// one slice.
pub(super) fn take_missing<'e>(buckets: &mut [Bucket<'e>], missing: &[usize]) -> Vec<Bucket<'e>> {
    missing
        .iter()
        .map(|&at| {
            let environment = buckets[at].environment;
            std::mem::replace(&mut buckets[at], Bucket::new(environment, "", ""))
        })
        .collect()
}

/// Moves a tier's batch back into `buckets`; returns the places it filled and those still
/// missing.
pub(super) fn put_back<'e>(
    buckets: &mut [Bucket<'e>],
    missing: Vec<usize>,
    batch: Vec<Bucket<'e>>,
) -> (Vec<usize>, Vec<usize>) {
    let (mut hits, mut still_missing) = (Vec::new(), Vec::with_capacity(missing.len()));
    for (at, bucket) in missing.into_iter().zip(batch) {
        if bucket.code.is_some() {
            hits.push(at);
        } else {
            still_missing.push(at);
        }
        buckets[at] = bucket;
    }
    (hits, still_missing)
}

pub(super) fn warn_tier(tier: usize, what: &'static str, key: &str, error: &Error) {
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
            let loaded = cache.load_bytecode(bucket);
            if Self::hit(tier, bucket, loaded) {
                self.fill_faster_tiers(tier, bucket);
                return Ok(());
            }
        }
        self.missed(1);
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
            let mut batch = take_missing(buckets, &missing);
            if let Err(error) = cache.load_bytecodes(&mut batch) {
                // What the tier found before failing passed every check: keep it.
                warn_tier(tier, "batch load", "", &error);
            }
            let hits;
            (hits, missing) = put_back(buckets, missing, batch);
            for at in hits {
                self.fill_faster_tiers(tier, &buckets[at]);
            }
        }
        self.missed(missing.len());
        Ok(())
    }

    fn flush_stats(&self) -> Result<()> {
        self.on_every_tier("stats flush", "", |cache| cache.flush_stats())
    }

    /// The least trusted tier's: a hit may come from any of them.
    fn trust(&self) -> Trust {
        self.least_trust()
    }

    fn decompresses(&self) -> bool {
        self.tiers.iter().any(|tier| tier.decompresses())
    }

    fn stats(&self) -> Option<CacheStats> {
        self.summed(self.tiers.iter().map(|tier| tier.stats()))
    }

    /// The lease of the lowest tier that has leases (the store the fleet shares), asking from
    /// the last tier up; [`Lease::Unsupported`] when none has.
    fn lease(&self, key: &str, ttl: Duration) -> Result<Lease> {
        for tier in self.tiers.iter().rev() {
            match tier.lease(key, ttl)? {
                Lease::Unsupported => {}
                answer => return Ok(answer),
            }
        }
        Ok(Lease::Unsupported)
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
