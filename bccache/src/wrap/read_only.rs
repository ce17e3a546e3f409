//! [`ReadOnly`]: any store, read but never written.

use crate::bucket::Bucket;
use crate::cache::{BytecodeCache, Wrapper, forward_bytecode_cache};
use crate::error::Result;

/// A store that is read but never written: dumps and `clear` do nothing and return `Ok`, every
/// other call goes to the store inside.
///
/// Made for a shared store that CI seeds and services only read, as the last tier of a
/// [`TieredBytecodeCache`](crate::TieredBytecodeCache): loads that hit it fill the tiers above,
/// dumps land in the tiers above only, and the tiers above keep working whatever the shared
/// store allows: read-only is a property of one tier, never of the whole chain.
///
/// It has no [`lease`](BytecodeCache::lease) ([`Lease::Unsupported`](crate::Lease)): a
/// read-only loader never stores what it compiles, so nobody may wait for it. With the `tokio`
/// feature, a `ReadOnly` of an async store is async, with the same rules.
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

impl<B> Wrapper for ReadOnly<B> {
    type Inner = B;

    fn wrapped(&self) -> &B {
        &self.inner
    }
}

/// Implements both traits for [`ReadOnly`] with one list of what reads forward.
///
/// No `lease`: a read-only loader never stores what it compiles, so nobody may wait for it.
macro_rules! read_only {
    ($($read:ident),+ $(,)?) => {
        impl<B: BytecodeCache> BytecodeCache for ReadOnly<B> {
            forward_bytecode_cache!($($read),+);

            /// Does nothing: the store is read-only.
            fn dump_bytecode(&self, _bucket: &Bucket<'_>) -> Result<()> {
                Ok(())
            }

            /// Does nothing: the store is read-only.
            fn clear(&self) -> Result<()> {
                Ok(())
            }

            /// Does nothing: the store is read-only.
            fn set_bucket(&self, _bucket: &Bucket<'_>) -> Result<()> {
                Ok(())
            }
        }

        #[cfg(feature = "tokio")]
        crate::async_cache::forward_async_bytecode_cache! {
            impl[B: crate::AsyncBytecodeCache] for ReadOnly<B>;
            async: $($read),+;
            {
                /// Does nothing: the store is read-only.
                async fn dump_bytecode(&self, _bucket: &Bucket<'_>) -> Result<()> {
                    Ok(())
                }

                /// Does nothing: the store is read-only.
                async fn clear(&self) -> Result<()> {
                    Ok(())
                }

                /// Does nothing: the store is read-only.
                async fn set_bucket(&self, _bucket: &Bucket<'_>) -> Result<()> {
                    Ok(())
                }
            }
        }
    };
}

read_only!(
    load_bytecode,
    get_cache_key,
    get_source_checksum,
    get_source_checksum_bytes,
    get_bucket,
    get_bucket_bytes,
    load_bytecodes,
    get_buckets,
    stats,
    flush_stats,
    trust,
    decompresses,
);
