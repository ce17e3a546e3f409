//! [`Blocking`]: any sync store as an [`AsyncBytecodeCache`], through tokio's blocking pool.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::AsyncBytecodeCache;
use crate::bucket::Bucket;
use crate::cache::{BytecodeCache, Trust};
use crate::error::{Error, Result};
use crate::lease::{Lease, LeaseGuard};
use crate::stats::CacheStats;

/// A sync [`BytecodeCache`] used from async code: every call that may block (reads, writes,
/// network round trips, leases) runs on tokio's blocking pool, so a slow disk or a hung server
/// never stalls a runtime thread.
///
/// A call sends the bucket's key, checksum and fingerprint to the pool and gets the code back:
/// a store costs one copy of the code, a load none. Keys, checksums, stats and trust are
/// answered in place.
///
/// ```
/// use bccache::{AsyncBytecodeCache, Blocking, FileSystemBytecodeCache};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let cache: Box<dyn AsyncBytecodeCache> =
///     Box::new(Blocking::new(FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?));
/// let bucket = cache.get_bucket(&(), "page.html", None, "<p>{{ x }}</p>").await?;
/// assert!(bucket.code.is_none());
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Blocking<B: ?Sized> {
    inner: Arc<B>,
}

impl<B> Blocking<B> {
    /// Adapts `store`.
    pub fn new(store: B) -> Self {
        Blocking {
            inner: Arc::new(store),
        }
    }
}

impl<B: ?Sized> Blocking<B> {
    /// Adapts a store that is shared with sync code.
    pub fn from_arc(store: Arc<B>) -> Self {
        Blocking { inner: store }
    }

    /// The adapted store, for sync calls.
    pub fn get_ref(&self) -> &Arc<B> {
        &self.inner
    }
}

impl<B: ?Sized> Clone for Blocking<B> {
    fn clone(&self) -> Self {
        Blocking {
            inner: Arc::clone(&self.inner),
        }
    }
}

/// Runs `call` with the store on the blocking pool; a panic in it is resumed here.
async fn on_pool<B, T>(store: &Arc<B>, call: impl FnOnce(&B) -> T + Send + 'static) -> Result<T>
where
    B: ?Sized + Send + Sync + 'static,
    T: Send + 'static,
{
    let store = Arc::clone(store);
    match tokio::task::spawn_blocking(move || call(&store)).await {
        Ok(value) => Ok(value),
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(_) => Err(Error::RuntimeShutdown),
    }
}

/// Runs `call` on the blocking pool; a panic in it is resumed here. For stores whose own
/// async I/O cannot serve a call (a memcached client handed in).
pub(crate) async fn run_blocking<T: Send + 'static>(
    call: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    on_pool(&Arc::new(()), move |()| call()).await
}

/// What a bucket is, owned: its fingerprint, key and checksum.
struct Owned {
    fingerprint: Vec<u8>,
    key: String,
    checksum: String,
}

impl Owned {
    fn of(bucket: &Bucket<'_>) -> Self {
        Owned {
            fingerprint: bucket.environment.fingerprint().into_owned(),
            key: bucket.key.clone(),
            checksum: bucket.checksum.clone(),
        }
    }

    fn bucket(&self, code: Option<Vec<u8>>) -> Bucket<'_> {
        let mut bucket = Bucket::new(&self.fingerprint, &*self.key, &*self.checksum);
        bucket.code = code;
        bucket
    }
}

#[async_trait]
impl<B: BytecodeCache + ?Sized + 'static> AsyncBytecodeCache for Blocking<B> {
    async fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
        let owned = Owned::of(bucket);
        bucket.code = on_pool(&self.inner, move |store| {
            let mut bucket = owned.bucket(None);
            store.load_bytecode(&mut bucket).map(|()| bucket.code)
        })
        .await??;
        Ok(())
    }

    async fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
        let owned = Owned::of(bucket);
        let code = bucket.code.clone();
        on_pool(&self.inner, move |store| {
            store.dump_bytecode(&owned.bucket(code))
        })
        .await?
    }

    async fn set_bucket(&self, bucket: &Bucket<'_>) -> Result<()> {
        let owned = Owned::of(bucket);
        let code = bucket.code.clone();
        on_pool(&self.inner, move |store| {
            store.set_bucket(&owned.bucket(code))
        })
        .await?
    }

    async fn clear(&self) -> Result<()> {
        on_pool(&self.inner, |store| store.clear()).await?
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

    /// One trip to the pool for the whole batch, so the store's own batching (multi-get,
    /// `MGET`, parallel reads) applies.
    async fn load_bytecodes(&self, buckets: &mut [Bucket<'_>]) -> Result<()> {
        let owned: Vec<Owned> = buckets.iter().map(Owned::of).collect();
        let codes = on_pool(&self.inner, move |store| {
            let mut batch: Vec<Bucket<'_>> = owned.iter().map(|one| one.bucket(None)).collect();
            store.load_bytecodes(&mut batch).map(|()| {
                batch
                    .into_iter()
                    .map(|bucket| bucket.code)
                    .collect::<Vec<_>>()
            })
        })
        .await??;
        for (bucket, code) in buckets.iter_mut().zip(codes) {
            bucket.code = code;
        }
        Ok(())
    }

    async fn stats(&self) -> Option<CacheStats> {
        self.inner.stats()
    }

    async fn flush_stats(&self) -> Result<()> {
        on_pool(&self.inner, |store| store.flush_stats()).await?
    }

    fn trust(&self) -> Trust {
        self.inner.trust()
    }

    /// The lease is taken on the pool; releasing it runs there too when a runtime is current.
    async fn lease(&self, key: &str, ttl: Duration) -> Result<Lease> {
        let key = key.to_owned();
        let lease = on_pool(&self.inner, move |store| store.lease(&key, ttl)).await??;
        Ok(match lease {
            Lease::Held(guard) => Lease::Held(release_on_pool(guard)),
            other => other,
        })
    }

    fn decompresses(&self) -> bool {
        self.inner.decompresses()
    }
}

/// A guard whose release (possibly a network round trip) runs on the blocking pool when
/// dropped inside a runtime, and in place otherwise.
pub(crate) fn release_on_pool(guard: LeaseGuard) -> LeaseGuard {
    LeaseGuard::new(move || match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn_blocking(move || drop(guard));
        }
        Err(_) => drop(guard),
    })
}
