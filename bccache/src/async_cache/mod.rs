//! [`AsyncBytecodeCache`]: the [`BytecodeCache`](crate::BytecodeCache) trait for async code.

pub(crate) mod blocking;
mod forward;
mod store;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

pub use blocking::Blocking;
#[cfg(any(
    feature = "memcached",
    feature = "redis",
    feature = "http",
    feature = "s3"
))]
pub(crate) use blocking::run_blocking;
pub(crate) use forward::forward_async_bytecode_cache;
pub use store::Store;

use crate::bucket::{Bucket, Environment};
use crate::cache::{Lookup, Trust, jinja2_cache_key};
use crate::checksum::Checksum;
use crate::error::Result;
use crate::lease::Lease;
use crate::stats::CacheStats;

/// A store of [`Bucket`]s for async code: [`BytecodeCache`](crate::BytecodeCache)'s methods, by
/// the same names, as `async fn`s whose futures are `Send`.
///
/// Implement [`load_bytecode`](Self::load_bytecode) and [`dump_bytecode`](Self::dump_bytecode);
/// the rest is provided. The trait is dyn-compatible: `Box<dyn AsyncBytecodeCache>` and
/// `Arc<dyn AsyncBytecodeCache>` are caches too. Every built-in store, wrapper and tier
/// implements it; [`Blocking`] adapts any other sync store.
///
/// What runs where: the memory store answers in place (a map lookup never blocks); the
/// filesystem store reads and writes files on tokio's blocking pool, one trip per call (a
/// batch included), as `tokio::fs` does; the wrappers (`Compressed`, `Signed`, `ReadOnly`) do
/// their work in the task and await the store they wrap; a
/// [`TieredBytecodeCache`](crate::TieredBytecodeCache) awaits each tier. Keys, checksums,
/// stats and trust are answered in place everywhere. A type that implements both traits is a
/// [`Store`]; since the traits share their method names, code that imports both calls them by
/// path (`AsyncBytecodeCache::get_bucket(&cache, ..)`).
///
/// memcached and Redis use tokio's non-blocking sockets and its timer for their timeouts: run
/// them on a runtime with its I/O and time drivers on (`#[tokio::main]` turns both on; a
/// `tokio::runtime::Builder` needs `enable_all()`). Without them tokio panics at the first call.
///
/// ```
/// use bccache::{AsyncBytecodeCache, Blocking, FileSystemBytecodeCache};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let cache = Blocking::new(FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?);
/// let mut bucket = cache.get_bucket(&(), "page.html", None, "<p>{{ x }}</p>").await?;
/// assert!(bucket.code.is_none());
/// bucket.code = Some(b"compiled".to_vec());
/// cache.set_bucket(&bucket).await?;
/// let bucket = cache.get_bucket(&(), "page.html", None, "<p>{{ x }}</p>").await?;
/// assert_eq!(bucket.code.as_deref(), Some(&b"compiled"[..]));
/// # Ok(())
/// # }
/// ```
#[async_trait]
pub trait AsyncBytecodeCache: Send + Sync {
    /// Fills `bucket.code` from the store. Nothing usable found: leave it `None` and return `Ok`.
    async fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()>;

    /// Stores the bucket's code. Must report every failure it does not deliberately ignore.
    async fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()>;

    /// Removes every entry of this cache. The default does nothing.
    async fn clear(&self) -> Result<()> {
        Ok(())
    }

    /// The key of a template, as [`BytecodeCache::get_cache_key`](crate::BytecodeCache::get_cache_key).
    fn get_cache_key(&self, name: &str, filename: Option<&str>) -> String {
        jinja2_cache_key(name, filename)
    }

    /// The checksum of a text source: [`get_source_checksum_bytes`] of its UTF-8 bytes.
    ///
    /// [`get_source_checksum_bytes`]: Self::get_source_checksum_bytes
    fn get_source_checksum(&self, source: &str) -> String {
        self.get_source_checksum_bytes(source.as_bytes())
    }

    /// The checksum of a source given as bytes; the default is [`Checksum::Sha1`].
    fn get_source_checksum_bytes(&self, source: &[u8]) -> String {
        Checksum::Sha1.of(source)
    }

    /// Builds the bucket of a template and loads it: [`get_bucket_bytes`] of the source's UTF-8.
    ///
    /// [`get_bucket_bytes`]: Self::get_bucket_bytes
    async fn get_bucket<'e>(
        &self,
        environment: &'e dyn Environment,
        name: &str,
        filename: Option<&str>,
        source: &str,
    ) -> Result<Bucket<'e>> {
        self.get_bucket_bytes(environment, name, filename, source.as_bytes())
            .await
    }

    /// Builds the bucket of a template whose source is bytes, and loads it.
    async fn get_bucket_bytes<'e>(
        &self,
        environment: &'e dyn Environment,
        name: &str,
        filename: Option<&str>,
        source: &[u8],
    ) -> Result<Bucket<'e>> {
        let key = self.get_cache_key(name, filename);
        let checksum = self.get_source_checksum_bytes(source);
        let mut bucket = Bucket::new(environment, key, checksum);
        self.load_bytecode(&mut bucket).await?;
        Ok(bucket)
    }

    /// Fills many buckets at once, each as [`load_bytecode`](Self::load_bytecode) would. The
    /// default loads them one by one; network stores answer a batch in one round trip.
    async fn load_bytecodes(&self, buckets: &mut [Bucket<'_>]) -> Result<()> {
        for bucket in buckets.iter_mut() {
            self.load_bytecode(bucket).await?;
        }
        Ok(())
    }

    /// Builds and loads the buckets of many templates at once: one per lookup, in order.
    async fn get_buckets<'e>(
        &self,
        environment: &'e dyn Environment,
        lookups: &[Lookup<'_>],
    ) -> Result<Vec<Bucket<'e>>> {
        let mut buckets: Vec<Bucket<'e>> = lookups
            .iter()
            .map(|lookup| {
                Bucket::new(
                    environment,
                    self.get_cache_key(lookup.name, lookup.filename),
                    self.get_source_checksum_bytes(lookup.source),
                )
            })
            .collect();
        self.load_bytecodes(&mut buckets).await?;
        Ok(buckets)
    }

    /// What the store did since it was made, when it counts. The default is `None`.
    async fn stats(&self) -> Option<CacheStats> {
        None
    }

    /// Writes counts the store keeps for other processes now. The default does nothing.
    async fn flush_stats(&self) -> Result<()> {
        Ok(())
    }

    /// Stores a bucket: calls [`dump_bytecode`](Self::dump_bytecode).
    async fn set_bucket(&self, bucket: &Bucket<'_>) -> Result<()> {
        self.dump_bytecode(bucket).await
    }

    /// What this store's hits can be trusted to be, as
    /// [`BytecodeCache::trust`](crate::BytecodeCache::trust).
    fn trust(&self) -> Trust {
        Trust::Unverified
    }

    /// A lease on `key` for single flight, as
    /// [`BytecodeCache::lease`](crate::BytecodeCache::lease). The default is
    /// [`Lease::Unsupported`].
    async fn lease(&self, key: &str, ttl: Duration) -> Result<Lease> {
        let _ = (key, ttl);
        Ok(Lease::Unsupported)
    }

    /// Whether loading decompresses what the store read.
    #[doc(hidden)]
    fn decompresses(&self) -> bool {
        false
    }
}

// Smart pointers to async caches are async caches, every method forwarded.
forward_async_bytecode_cache! {
    impl[T: AsyncBytecodeCache + ?Sized] for &T;
    async: every;
    {}
}

forward_async_bytecode_cache! {
    impl[T: AsyncBytecodeCache + ?Sized] for Box<T>;
    async: every;
    {}
}

forward_async_bytecode_cache! {
    impl[T: AsyncBytecodeCache + ?Sized] for Arc<T>;
    async: every;
    {}
}
