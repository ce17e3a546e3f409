//! [`CachedLoader::load_async`]: loads through an [`AsyncBytecodeCache`], compiling on tokio's
//! blocking pool.

use std::borrow::Borrow;
use std::sync::Arc;

use super::flight::{Backoff, Look, Step, look_of};
use super::{
    CachedLoader, Compiler, Job, LoadError, LoadOutcome, Loaded, Origin, batch_failed, decode,
    lookups_of,
};
use crate::async_cache::AsyncBytecodeCache;
use crate::bucket::Bucket;

/// Bytecode from this size up is decoded on the blocking pool, smaller bytecode on the
/// calling task. A trip to the pool costs about what decoding 16 KiB of the slowest bytecode
/// measured costs (a Lua chunk, about 4 µs per KiB; a Wasm module's or a regex DFA's is
/// faster): below it the trip would cost more than it spares the runtime thread, above it a
/// decode would hold the thread longer than the trip takes.
const DECODE_ON_POOL: usize = 16 * 1024;

/// Async loads (feature `tokio`).
///
/// Compiling (and turning the code into bytecode) never runs on a runtime thread: it runs on
/// tokio's blocking pool, as does decoding bytecode of 16 KiB or more. A pool task must own
/// what it uses, hence the bounds: the compiler is `Send + Sync + 'static` (the loader shares
/// it with the pool through an `Arc`), a missing key's source is copied into its owned form
/// (`str` into a `String`, `[u8]` into a `Vec<u8>`; hits copy nothing), and code and errors
/// are `Send + 'static`. The engines of [`crate::engine`] qualify (the Lua engine through
/// mlua's `send` feature).
///
/// With [`single_flight`](CachedLoader::single_flight), waiting for another loader's entry
/// sleeps with `tokio::time::sleep`, never blocking the thread.
impl<C, B> CachedLoader<C, B>
where
    C: Compiler + Send + Sync + 'static,
    C::Source: ToOwned + Sync,
    <C::Source as ToOwned>::Owned: Send + 'static,
    C::Code: Send + 'static,
    C::Error: Send + 'static,
    B: AsyncBytecodeCache,
{
    /// [`load`](Self::load) through an async cache.
    ///
    /// # Errors
    ///
    /// As [`load`](Self::load), and [`LoadError::Shutdown`] when the runtime shuts down while
    /// the load compiles or decodes on its blocking pool.
    ///
    /// ```
    /// # #[cfg(feature = "regex")]
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use bccache::engine::regex::DfaCompiler;
    /// use bccache::{Blocking, CachedLoader, FileSystemBytecodeCache, Origin};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let cache = Blocking::new(FileSystemBytecodeCache::new(dir.path(), "__rules_%s.cache")?);
    /// let loader = CachedLoader::new(DfaCompiler::new(), cache);
    /// let first = loader.load_with_origin_async("dates", None, "[0-9]{4}-[0-9]{2}").await?;
    /// let again = loader.load_with_origin_async("dates", None, "[0-9]{4}-[0-9]{2}").await?;
    /// assert_eq!((first.origin, again.origin), (Origin::Compiled, Origin::Cache));
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "regex"))]
    /// # fn main() {}
    /// ```
    pub async fn load_async(
        &self,
        name: &str,
        filename: Option<&str>,
        source: &C::Source,
    ) -> Result<C::Code, LoadError<C::Error>> {
        self.load_with_origin_async(name, filename, source)
            .await
            .map(|loaded| loaded.code)
    }

    /// [`load_with_origin`](Self::load_with_origin) through an async cache.
    ///
    /// # Errors
    ///
    /// As [`load_async`](Self::load_async).
    pub async fn load_with_origin_async(
        &self,
        name: &str,
        filename: Option<&str>,
        source: &C::Source,
    ) -> LoadOutcome<C> {
        let bucket = self
            .cache
            .get_bucket_bytes(&*self.compiler, name, filename, source.as_ref())
            .await
            .map_err(|source| LoadError::Cache {
                name: name.to_owned(),
                source,
            })?;
        let mut bucket = match self.decode_hit_async(bucket, name).await? {
            Ok(loaded) => return Ok(loaded),
            Err(bucket) => bucket,
        };
        let job = Job {
            name,
            filename,
            source,
        };
        match self.single_flight {
            None => self.compile_and_store_async(&mut bucket, job).await,
            Some(max_wait) => {
                let mut backoff = Backoff::new(max_wait);
                self.settle_async(&mut bucket, job, &mut backoff).await
            }
        }
    }

    /// [`load_many`](Self::load_many) through an async cache: one
    /// [`get_buckets`](AsyncBytecodeCache::get_buckets) call, then each bucket decoded, or
    /// compiled on the blocking pool and stored, in order (with single flight as `load_many`
    /// does it).
    ///
    /// # Errors
    ///
    /// As [`load_many`](Self::load_many), and [`LoadError::Shutdown`] as
    /// [`load_async`](Self::load_async).
    pub async fn load_many_async<S: AsRef<C::Source> + ?Sized + Sync>(
        &self,
        sources: &[(&str, Option<&str>, &S)],
    ) -> Vec<LoadOutcome<C>> {
        let lookups = lookups_of::<C, S>(sources);
        let buckets = match self.cache.get_buckets(&*self.compiler, &lookups).await {
            Ok(buckets) => buckets,
            Err(error) => return batch_failed::<C>(error, sources.iter().map(|&(name, ..)| name)),
        };
        let mut results: Vec<Option<LoadOutcome<C>>> = Vec::with_capacity(sources.len());
        let mut waiting = Vec::new();
        for (at, (bucket, &(name, filename, source))) in
            buckets.into_iter().zip(sources).enumerate()
        {
            let mut bucket = match self.decode_hit_async(bucket, name).await {
                Ok(Ok(loaded)) => {
                    results.push(Some(Ok(loaded)));
                    continue;
                }
                Ok(Err(bucket)) => bucket,
                Err(error) => {
                    results.push(Some(Err(error)));
                    continue;
                }
            };
            let job = Job {
                name,
                filename,
                source: source.as_ref(),
            };
            let outcome = match self.single_flight {
                None => Some(self.compile_and_store_async(&mut bucket, job).await),
                Some(max_wait) => self.attempt_async(&mut bucket, job, max_wait).await,
            };
            if outcome.is_none() {
                waiting.push((at, bucket, job));
            }
            results.push(outcome);
        }
        let mut backoff = Backoff::new(self.single_flight.unwrap_or_default());
        for (at, mut bucket, job) in waiting {
            let outcome = match self.look_again_async(&mut bucket, job.name).await {
                Ok(Look::Hit(loaded)) => Ok(loaded),
                Ok(Look::Undecodable) => self.compile_and_store_async(&mut bucket, job).await,
                Ok(Look::Missing) => self.settle_async(&mut bucket, job, &mut backoff).await,
                Err(error) => Err(error),
            };
            results[at] = Some(outcome);
        }
        results.into_iter().flatten().collect()
    }

    /// The code of a hit, decoded on the calling task or (big bytecode) on the pool; the
    /// bucket back on a miss or when its bytecode does not decode.
    async fn decode_hit_async<'e>(
        &self,
        mut bucket: Bucket<'e>,
        name: &str,
    ) -> Result<Result<Loaded<C::Code>, Bucket<'e>>, LoadError<C::Error>> {
        let Some(bytes) = bucket.code.take_if(|bytes| bytes.len() >= DECODE_ON_POOL) else {
            return Ok(self.decode_hit(&bucket, name).ok_or(bucket));
        };
        let compiler = Arc::clone(&self.compiler);
        let owned_name = name.to_owned();
        let decoded = on_pool(name, move || {
            let code = decode(&*compiler, &bytes, &owned_name);
            (code, bytes)
        })
        .await?;
        match decoded {
            (Some(code), _) => Ok(Ok(Loaded {
                code,
                origin: Origin::Cache,
            })),
            (None, bytes) => {
                bucket.code = Some(bytes);
                Ok(Err(bucket))
            }
        }
    }

    /// Compiles on the blocking pool, then stores.
    async fn compile_and_store_async(
        &self,
        bucket: &mut Bucket<'_>,
        job: Job<'_, C::Source>,
    ) -> LoadOutcome<C> {
        let Job {
            name,
            filename,
            source,
        } = job;
        let compiler = Arc::clone(&self.compiler);
        let owned_name = name.to_owned();
        let owned_filename = filename.map(str::to_owned);
        let owned_source = source.to_owned();
        let compiled = on_pool(name, move || {
            let code = compiler.compile(
                &owned_name,
                owned_filename.as_deref(),
                owned_source.borrow(),
            )?;
            let bytecode = compiler.to_bytecode(&code);
            Ok((code, bytecode))
        })
        .await?;
        let (code, bytecode) = compiled.map_err(|source| LoadError::Compile {
            name: name.to_owned(),
            source,
        })?;
        bucket.code = Some(bytecode);
        self.stored(self.cache.set_bucket(bucket).await, name)?;
        Ok(Loaded {
            code,
            origin: Origin::Compiled,
        })
    }

    /// The async twin of the sync `attempt`: asks for the lease once; `None` when another
    /// loader holds the key.
    async fn attempt_async(
        &self,
        bucket: &mut Bucket<'_>,
        job: Job<'_, C::Source>,
        max_wait: std::time::Duration,
    ) -> Option<LoadOutcome<C>> {
        match Step::of(&bucket.key, self.cache.lease(&bucket.key, max_wait).await) {
            Step::Wait => None,
            Step::Compile => Some(self.compile_and_store_async(bucket, job).await),
            Step::Held(guard) => {
                let outcome = match self.look_again_async(bucket, job.name).await {
                    Ok(Look::Hit(loaded)) => Ok(loaded),
                    Ok(Look::Missing | Look::Undecodable) => {
                        self.compile_and_store_async(bucket, job).await
                    }
                    Err(error) => Err(error),
                };
                drop(guard);
                Some(outcome)
            }
        }
    }

    /// The async twin of the sync `settle`: waits for another loader's entry within
    /// `backoff`, taking over its lease when it goes, and compiles when the wait is over.
    async fn settle_async(
        &self,
        bucket: &mut Bucket<'_>,
        job: Job<'_, C::Source>,
        backoff: &mut Backoff,
    ) -> LoadOutcome<C> {
        let max_wait = self.single_flight.unwrap_or_default();
        loop {
            if let Some(outcome) = self.attempt_async(bucket, job, max_wait).await {
                return outcome;
            }
            let Some(pause) = backoff.pause(job.name) else {
                break;
            };
            tokio::time::sleep(pause).await;
            match self.look_again_async(bucket, job.name).await? {
                Look::Hit(loaded) => return Ok(loaded),
                Look::Undecodable => break,
                Look::Missing => {}
            }
        }
        self.compile_and_store_async(bucket, job).await
    }

    /// Loads `bucket` again and decodes what it finds.
    async fn look_again_async(
        &self,
        bucket: &mut Bucket<'_>,
        name: &str,
    ) -> Result<Look<C::Code>, LoadError<C::Error>> {
        bucket.code = None;
        if let Err(error) = self.cache.load_bytecode(bucket).await {
            tracing::debug!(
                name,
                error = &error as &(dyn std::error::Error + 'static),
                "cannot look for the lease holder's entry"
            );
            return Ok(Look::Missing);
        }
        let owned = std::mem::replace(bucket, Bucket::new(bucket.environment, "", ""));
        match self.decode_hit_async(owned, name).await? {
            Ok(loaded) => Ok(Look::Hit(loaded)),
            Err(back) => {
                *bucket = back;
                Ok(look_of(None, bucket))
            }
        }
    }
}

/// Runs `work` on tokio's blocking pool; a panic in it is resumed here.
async fn on_pool<T: Send + 'static, E>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, LoadError<E>> {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => Ok(value),
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(_) => Err(LoadError::Shutdown {
            name: name.to_owned(),
        }),
    }
}
