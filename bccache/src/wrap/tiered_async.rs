//! [`TieredBytecodeCache`] as an [`AsyncBytecodeCache`]: the sync impl's rules (fill the faster
//! tiers on a hit below, never a more trusted one; write through; lease in the lowest tier that
//! has leases) with each tier awaited through its own async impl.

use std::time::Duration;

use crate::async_cache::forward_async_bytecode_cache;
use crate::bucket::Bucket;
use crate::error::Result;
use crate::lease::Lease;
use crate::wrap::tiered::{EveryTier, TieredBytecodeCache, put_back, take_missing, warn_tier};
use crate::{AsyncBytecodeCache, CacheStats};

impl TieredBytecodeCache {
    /// Fills the tiers [`fill_targets`](Self::fill_targets) names with a hit of tier
    /// `found_in`; a fill that fails is logged.
    async fn fill_faster_tiers_async(&self, found_in: usize, bucket: &Bucket<'_>) {
        for tier in self.fill_targets(found_in, &bucket.key) {
            if let Err(error) = self.async_tiers[tier].dump_bytecode(bucket).await {
                warn_tier(tier, "fill", &bucket.key, &error);
            }
        }
    }
}

forward_async_bytecode_cache! {
    impl[] for TieredBytecodeCache;
    // The sync impl's: they answer from what the tiered cache holds.
    in_place via std::convert::identity:
        get_cache_key, get_source_checksum, get_source_checksum_bytes, trust, decompresses;
    {
        async fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
            bucket.reset();
            for (tier, cache) in self.async_tiers.iter().enumerate() {
                let loaded = cache.load_bytecode(bucket).await;
                if Self::hit(tier, bucket, loaded) {
                    self.fill_faster_tiers_async(tier, bucket).await;
                    return Ok(());
                }
            }
            self.missed(1);
            Ok(())
        }

        async fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
            let mut outcome = EveryTier::new("dump", &bucket.key);
            for (tier, cache) in self.async_tiers.iter().enumerate() {
                outcome.add(tier, cache.dump_bytecode(bucket).await);
            }
            outcome.finish()
        }

        async fn clear(&self) -> Result<()> {
            let mut outcome = EveryTier::new("clear", "");
            for (tier, cache) in self.async_tiers.iter().enumerate() {
                outcome.add(tier, cache.clear().await);
            }
            outcome.finish()
        }

        async fn flush_stats(&self) -> Result<()> {
            let mut outcome = EveryTier::new("stats flush", "");
            for (tier, cache) in self.async_tiers.iter().enumerate() {
                outcome.add(tier, cache.flush_stats().await);
            }
            outcome.finish()
        }

        async fn load_bytecodes(&self, buckets: &mut [Bucket<'_>]) -> Result<()> {
            buckets.iter_mut().for_each(Bucket::reset);
            let mut missing: Vec<usize> = (0..buckets.len()).collect();
            for (tier, cache) in self.async_tiers.iter().enumerate() {
                if missing.is_empty() {
                    break;
                }
                let mut batch = take_missing(buckets, &missing);
                if let Err(error) = cache.load_bytecodes(&mut batch).await {
                    // What the tier found before failing passed every check: keep it.
                    warn_tier(tier, "batch load", "", &error);
                }
                let hits;
                (hits, missing) = put_back(buckets, missing, batch);
                for at in hits {
                    self.fill_faster_tiers_async(tier, &buckets[at]).await;
                }
            }
            self.missed(missing.len());
            Ok(())
        }

        async fn stats(&self) -> Option<CacheStats> {
            let mut tiers = Vec::with_capacity(self.async_tiers.len());
            for cache in &self.async_tiers {
                tiers.push(cache.stats().await);
            }
            self.summed(tiers.into_iter())
        }

        /// The lease of the lowest tier that has leases, asking from the last tier up.
        async fn lease(&self, key: &str, ttl: Duration) -> Result<Lease> {
            for cache in self.async_tiers.iter().rev() {
                match cache.lease(key, ttl).await? {
                    Lease::Unsupported => {}
                    answer => return Ok(answer),
                }
            }
            Ok(Lease::Unsupported)
        }
    }
}
