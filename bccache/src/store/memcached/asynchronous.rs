//! [`AsyncBytecodeCache`] for [`MemcachedBytecodeCache`]: the sync store's code on the tokio
//! transport, so a hung server stalls no runtime thread. A client handed in with
//! [`.client(c)`](super::MemcachedBytecodeCacheBuilder::client) blocks, so its calls run on
//! tokio's blocking pool.

use std::time::Duration;

use async_trait::async_trait;

use super::store::MemcachedBytecodeCache;
use crate::async_cache::AsyncBytecodeCache;
use crate::bucket::Bucket;
use crate::error::Result;
use crate::lease::Lease;
use crate::net::tokio_stream::Tokio;
use crate::stats::CacheStats;

#[async_trait]
impl AsyncBytecodeCache for MemcachedBytecodeCache {
    async fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
        self.load(Tokio, bucket).await
    }

    async fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
        self.dump(Tokio, bucket).await
    }

    /// One multi-get per server and window, as the sync store's batch.
    async fn load_bytecodes(&self, buckets: &mut [Bucket<'_>]) -> Result<()> {
        self.load_batch(Tokio, buckets).await
    }

    fn get_source_checksum_bytes(&self, source: &[u8]) -> String {
        self.shell.checksum.of(source)
    }

    async fn stats(&self) -> Option<CacheStats> {
        Some(self.shell.counters.snapshot())
    }

    async fn lease(&self, key: &str, ttl: Duration) -> Result<Lease> {
        self.take_lease(Tokio, key, ttl).await
    }
}
