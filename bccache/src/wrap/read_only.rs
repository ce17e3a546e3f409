//! [`ReadOnly`]: any store, read but never written.

use crate::bucket::{Bucket, Environment};
use crate::cache::{BytecodeCache, Lookup};
use crate::error::Result;
use crate::stats::CacheStats;

/// A store that is read but never written: dumps and `clear` do nothing and return `Ok`, every
/// other call goes to the store inside.
///
/// Made for a shared store that CI seeds and services only read, as the last tier of a
/// [`TieredBytecodeCache`](crate::TieredBytecodeCache): loads that hit it fill the tiers above,
/// dumps land in the tiers above only, and the tiers above keep working whatever the shared
/// store allows (sccache's multi-level cache stopped writing its local disk when its remote was
/// read-only, mozilla/sccache#2773; here read-only is a property of one tier, never of the
/// whole chain).
///
/// ```
/// use bccache::{BytecodeCache, FileSystemBytecodeCache, ReadOnly};
///
/// let dir = tempfile::tempdir()?;
/// let seeded = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?;
/// let mut bucket = seeded.get_bucket(&(), "a.lua", None, "return 1")?;
/// bucket.code = Some(b"seeded by CI".to_vec());
/// seeded.set_bucket(&bucket)?;
///
/// let shared = ReadOnly::new(FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?);
/// let mut other = shared.get_bucket(&(), "b.lua", None, "return 2")?;
/// other.code = Some(b"compiled here".to_vec());
/// shared.set_bucket(&other)?; // does nothing
/// assert!(shared.get_bucket(&(), "b.lua", None, "return 2")?.code.is_none());
/// assert!(shared.get_bucket(&(), "a.lua", None, "return 1")?.code.is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct ReadOnly<B> {
    inner: B,
}

impl<B> ReadOnly<B> {
    /// `inner`, made read-only.
    pub fn new(inner: B) -> Self {
        ReadOnly { inner }
    }

    /// The store inside.
    pub fn inner(&self) -> &B {
        &self.inner
    }

    /// Takes the store back out.
    pub fn into_inner(self) -> B {
        self.inner
    }
}

impl<B: BytecodeCache> BytecodeCache for ReadOnly<B> {
    fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
        self.inner.load_bytecode(bucket)
    }

    /// Does nothing: the store is read-only.
    fn dump_bytecode(&self, _bucket: &Bucket<'_>) -> Result<()> {
        Ok(())
    }

    /// Does nothing: the store is read-only.
    fn clear(&self) -> Result<()> {
        Ok(())
    }

    fn get_cache_key(&self, name: &str, filename: Option<&str>) -> String {
        self.inner.get_cache_key(name, filename)
    }

    fn get_source_checksum(&self, source: &str) -> String {
        self.inner.get_source_checksum(source)
    }

    fn get_source_checksum_bytes(&self, source: &[u8]) -> String {
        self.inner.get_source_checksum_bytes(source)
    }

    fn get_bucket<'e>(
        &self,
        environment: &'e dyn Environment,
        name: &str,
        filename: Option<&str>,
        source: &str,
    ) -> Result<Bucket<'e>> {
        self.inner.get_bucket(environment, name, filename, source)
    }

    fn get_bucket_bytes<'e>(
        &self,
        environment: &'e dyn Environment,
        name: &str,
        filename: Option<&str>,
        source: &[u8],
    ) -> Result<Bucket<'e>> {
        self.inner
            .get_bucket_bytes(environment, name, filename, source)
    }

    fn load_bytecodes(&self, buckets: &mut [Bucket<'_>]) -> Result<()> {
        self.inner.load_bytecodes(buckets)
    }

    fn get_buckets<'e>(
        &self,
        environment: &'e dyn Environment,
        lookups: &[Lookup<'_>],
    ) -> Result<Vec<Bucket<'e>>> {
        self.inner.get_buckets(environment, lookups)
    }

    fn stats(&self) -> Option<CacheStats> {
        self.inner.stats()
    }

    fn flush_stats(&self) -> Result<()> {
        self.inner.flush_stats()
    }

    /// Does nothing: the store is read-only.
    fn set_bucket(&self, _bucket: &Bucket<'_>) -> Result<()> {
        Ok(())
    }
}
