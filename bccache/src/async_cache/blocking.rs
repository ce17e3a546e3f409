//! [`Blocking`]: any sync store as an [`AsyncBytecodeCache`](crate::AsyncBytecodeCache),
//! through tokio's blocking pool; and the machinery the filesystem store's async impl shares.

use std::sync::Arc;

use crate::bucket::Bucket;
use crate::cache::{BytecodeCache, Wrapper, forward_bytecode_cache};
use crate::error::{Error, Result};
use crate::lease::LeaseGuard;

/// A sync [`BytecodeCache`] used from async code: every call that may block (reads, writes,
/// network round trips, leases) runs on tokio's blocking pool, so a slow disk or a hung server
/// never stalls a runtime thread.
///
/// A call sends the bucket's key, checksum and fingerprint to the pool and gets the code back:
/// a store costs one copy of the code, a load none. Keys, checksums, stats and trust are
/// answered in place. A call costs a hand-off to a pool thread and back: microseconds on an
/// idle machine, tens of them on a busy one, where both threads wait to be scheduled. Nothing
/// next to a network round trip; several memory hits, which is why the memory store answers
/// async callers in place.
///
/// A `Blocking` is a sync [`BytecodeCache`] too, used in place: so it is a
/// [`Store`](crate::Store), e.g. a tier of
/// [`TieredBytecodeCache::from_stores`](crate::TieredBytecodeCache::from_stores) next to
/// natively async ones.
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

/// A sync store whose calls that may block run on tokio's blocking pool, each moving a
/// `'static` handle of the store there: what [`Blocking`] and the filesystem store's async impl
/// share, written once by [`async_on_pool!`].
pub(crate) trait OnPool: Send + Sync {
    /// The store, cheaply shared: an `Arc` of it, or a clone that shares its state.
    type Handle: BytecodeCache + Clone + 'static;

    /// The handle; calls that never block (keys, checksums, counters, trust) use it in place.
    fn handle(&self) -> &Self::Handle;
}

/// Runs `call` with a clone of `store` on the blocking pool; a panic in it is resumed here.
pub(crate) async fn on_pool<S, T>(
    store: &S,
    call: impl FnOnce(&S) -> T + Send + 'static,
) -> Result<T>
where
    S: Clone + Send + Sync + 'static,
    T: Send + 'static,
{
    let store = store.clone();
    match tokio::task::spawn_blocking(move || call(&store)).await {
        Ok(value) => Ok(value),
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(_) => Err(Error::RuntimeShutdown),
    }
}

/// Runs `call` on the blocking pool; a panic in it is resumed here. For stores whose own
/// async I/O cannot serve a call (a memcached client handed in).
#[cfg(any(
    feature = "memcached",
    feature = "redis",
    feature = "http",
    feature = "s3"
))]
pub(crate) async fn run_blocking<T: Send + 'static>(
    call: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    on_pool(&(), move |()| call()).await
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

/// The bodies of [`async_on_pool!`]'s methods: one trip to the pool per call, with the
/// bucket's key, checksum and fingerprint sent there and the code sent back (a store costs one
/// copy of the code, a load none).
pub(crate) mod pool {
    use std::time::Duration;

    use super::{Owned, on_pool, release_on_pool};
    use crate::bucket::Bucket;
    use crate::cache::BytecodeCache;
    use crate::error::Result;
    use crate::lease::Lease;

    pub(crate) async fn load<S: BytecodeCache + Clone + 'static>(
        store: &S,
        bucket: &mut Bucket<'_>,
    ) -> Result<()> {
        let owned = Owned::of(bucket);
        bucket.code = on_pool(store, move |store| {
            let mut bucket = owned.bucket(None);
            BytecodeCache::load_bytecode(store, &mut bucket).map(|()| bucket.code)
        })
        .await??;
        Ok(())
    }

    /// One trip for the whole batch, so the store's own batching (multi-get, `MGET`, parallel
    /// reads) applies.
    pub(crate) async fn load_many<S: BytecodeCache + Clone + 'static>(
        store: &S,
        buckets: &mut [Bucket<'_>],
    ) -> Result<()> {
        let owned: Vec<Owned> = buckets.iter().map(Owned::of).collect();
        let codes = on_pool(store, move |store| {
            let mut batch: Vec<Bucket<'_>> = owned.iter().map(|one| one.bucket(None)).collect();
            BytecodeCache::load_bytecodes(store, &mut batch).map(|()| {
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

    /// Stores `bucket` with `write` (the store's `dump_bytecode` or `set_bucket`).
    pub(crate) async fn store<S: BytecodeCache + Clone + 'static>(
        store: &S,
        bucket: &Bucket<'_>,
        write: fn(&S, &Bucket<'_>) -> Result<()>,
    ) -> Result<()> {
        let owned = Owned::of(bucket);
        let code = bucket.code.clone();
        on_pool(store, move |store| write(store, &owned.bucket(code))).await?
    }

    /// The lease is taken on the pool; releasing it runs there too when a runtime is current.
    pub(crate) async fn lease<S: BytecodeCache + Clone + 'static>(
        store: &S,
        key: &str,
        ttl: Duration,
    ) -> Result<Lease> {
        let key = key.to_owned();
        let lease = on_pool(store, move |store| BytecodeCache::lease(store, &key, ttl)).await??;
        Ok(match lease {
            Lease::Held(guard) => Lease::Held(release_on_pool(guard)),
            other => other,
        })
    }
}

/// Implements [`AsyncBytecodeCache`](crate::AsyncBytecodeCache) for an [`OnPool`] store: loads,
/// stores, `clear`, `flush_stats` and leases on the blocking pool (one trip each, a batch
/// included); keys, checksums, stats and trust answered in place.
macro_rules! async_on_pool {
    (impl[$($generics:tt)*] for $ty:ty $(where [$($bounds:tt)*])?) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            impl[$($generics)*] for $ty $(where [$($bounds)*])?;
            in_place via $crate::async_cache::blocking::OnPool::handle:
                get_cache_key, get_source_checksum, get_source_checksum_bytes, stats, trust,
                decompresses;
            {
                async fn load_bytecode(
                    &self,
                    bucket: &mut $crate::Bucket<'_>,
                ) -> $crate::Result<()> {
                    let store = $crate::async_cache::blocking::OnPool::handle(self);
                    $crate::async_cache::blocking::pool::load(store, bucket).await
                }

                async fn dump_bytecode(&self, bucket: &$crate::Bucket<'_>) -> $crate::Result<()> {
                    let store = $crate::async_cache::blocking::OnPool::handle(self);
                    let write = $crate::BytecodeCache::dump_bytecode;
                    $crate::async_cache::blocking::pool::store(store, bucket, write).await
                }

                async fn set_bucket(&self, bucket: &$crate::Bucket<'_>) -> $crate::Result<()> {
                    let store = $crate::async_cache::blocking::OnPool::handle(self);
                    let write = $crate::BytecodeCache::set_bucket;
                    $crate::async_cache::blocking::pool::store(store, bucket, write).await
                }

                async fn load_bytecodes(
                    &self,
                    buckets: &mut [$crate::Bucket<'_>],
                ) -> $crate::Result<()> {
                    let store = $crate::async_cache::blocking::OnPool::handle(self);
                    $crate::async_cache::blocking::pool::load_many(store, buckets).await
                }

                async fn clear(&self) -> $crate::Result<()> {
                    let store = $crate::async_cache::blocking::OnPool::handle(self);
                    $crate::async_cache::blocking::on_pool(store, |store| {
                        $crate::BytecodeCache::clear(store)
                    })
                    .await?
                }

                async fn flush_stats(&self) -> $crate::Result<()> {
                    let store = $crate::async_cache::blocking::OnPool::handle(self);
                    $crate::async_cache::blocking::on_pool(store, |store| {
                        $crate::BytecodeCache::flush_stats(store)
                    })
                    .await?
                }

                async fn lease(
                    &self,
                    key: &str,
                    ttl: ::std::time::Duration,
                ) -> $crate::Result<$crate::Lease> {
                    let store = $crate::async_cache::blocking::OnPool::handle(self);
                    $crate::async_cache::blocking::pool::lease(store, key, ttl).await
                }
            }
        }
    };
}

pub(crate) use async_on_pool;

impl<B: ?Sized> Wrapper for Blocking<B> {
    type Inner = B;

    fn wrapped(&self) -> &B {
        &self.inner
    }
}

impl<B: BytecodeCache + ?Sized> BytecodeCache for Blocking<B> {
    forward_bytecode_cache!(every);
}

impl<B: BytecodeCache + ?Sized + 'static> OnPool for Blocking<B> {
    type Handle = Arc<B>;

    fn handle(&self) -> &Arc<B> {
        &self.inner
    }
}

async_on_pool!(impl[B: BytecodeCache + ?Sized + 'static] for Blocking<B>);

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
