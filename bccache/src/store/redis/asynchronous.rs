//! [`AsyncBytecodeCache`] for [`RedisBytecodeCache`]: the sync store's code on the tokio
//! transport, so a hung server stalls no runtime thread.

use std::time::Duration;

use async_trait::async_trait;

use super::store::RedisBytecodeCache;
use crate::async_cache::AsyncBytecodeCache;
use crate::bucket::{Bucket, Environment};
use crate::error::Result;
use crate::lease::Lease;
use crate::net::tokio_stream::Tokio;
use crate::stats::CacheStats;

#[async_trait]
impl AsyncBytecodeCache for RedisBytecodeCache {
    async fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
        self.load(Tokio, bucket).await
    }

    async fn get_bucket_bytes<'e>(
        &self,
        environment: &'e dyn Environment,
        name: &str,
        filename: Option<&str>,
        source: &[u8],
    ) -> Result<Bucket<'e>> {
        let key = AsyncBytecodeCache::get_cache_key(self, name, filename);
        self.load_summing(Tokio, environment, key, source).await
    }

    async fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
        self.dump(Tokio, bucket).await
    }

    /// `MGET`s per server and window, as the sync store's batch.
    async fn load_bytecodes(&self, buckets: &mut [Bucket<'_>]) -> Result<()> {
        self.load_batch(Tokio, buckets).await
    }

    fn get_source_checksum_bytes(&self, source: &[u8]) -> String {
        self.shell.checksum.of(source)
    }

    async fn stats(&self) -> Option<CacheStats> {
        Some(self.shell.counters.snapshot())
    }

    async fn clear(&self) -> Result<()> {
        self.clear_prefix(Tokio).await
    }

    async fn lease(&self, key: &str, ttl: Duration) -> Result<Lease> {
        self.take_lease(Tokio, key, ttl).await
    }
}
