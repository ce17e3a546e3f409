//! [`CachedLoader`]: Jinja2's `Loader.load` for any [`Compiler`] — compile once, then load the
//! compiled code from a [`BytecodeCache`].

#[cfg(feature = "tokio")]
mod asynch;
mod compiler;
mod flight;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use compiler::Compiler;

use crate::bucket::Bucket;
use crate::cache::{BytecodeCache, Lookup};
use crate::error::Error;

/// What one load is asked for: the name, the file name and the source.
struct Job<'a, S: ?Sized> {
    name: &'a str,
    filename: Option<&'a str>,
    source: &'a S,
}

impl<S: ?Sized> Clone for Job<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: ?Sized> Copy for Job<'_, S> {}

/// One result of [`CachedLoader::load_many`].
type LoadOutcome<C> = Result<Loaded<<C as Compiler>::Code>, LoadError<<C as Compiler>::Error>>;

/// Where a loaded piece of code came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Origin {
    /// Decoded from the cache's bytecode: compilation was skipped.
    Cache,
    /// Compiled from source (a miss, or bytecode the compiler could not decode).
    Compiled,
}

/// Code returned by [`CachedLoader::load_with_origin`], with where it came from.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Loaded<T> {
    /// The code.
    pub code: T,
    /// Whether it came from the cache or was compiled.
    pub origin: Origin,
}

/// Why [`CachedLoader::load`] returned no code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError<E> {
    /// The compiler rejected the source. Nothing was stored.
    #[error("cannot compile `{name}`")]
    Compile {
        /// The name passed to `load`.
        name: String,
        /// The compiler's error.
        #[source]
        source: E,
    },

    /// The cache failed while loading the bucket (a failed lookup that the cache's own policy,
    /// e.g. `ignore_memcache_errors`, did not turn into a miss).
    #[error("cannot load the cached bytecode of `{name}`")]
    Cache {
        /// The name passed to `load`.
        name: String,
        /// The cache's error.
        #[source]
        source: Error,
    },

    /// Freshly compiled code could not be stored. Only returned by a
    /// [`strict`](CachedLoader::strict) loader; by default the code is returned and the error
    /// logged.
    #[error("cannot store the compiled bytecode of `{name}`")]
    Store {
        /// The name passed to `load`.
        name: String,
        /// The cache's error.
        #[source]
        source: Error,
    },

    /// The tokio runtime shut down while an async load compiled or decoded on its blocking
    /// pool.
    #[error("the runtime shut down while loading `{name}`")]
    Shutdown {
        /// The name passed to `load_async`.
        name: String,
    },
}

/// Loads code through a [`BytecodeCache`], compiling only on a miss: Jinja2's `Loader.load`.
///
/// [`load`](Self::load) gets the bucket of `name`, `filename` and `source`. On a hit the
/// bytecode is turned back into code with [`Compiler::from_bytecode`]; if that fails, or on a
/// miss, the source is compiled, the code stored, and returned.
///
/// A failure to store freshly compiled code does not cost the caller its code: by default the
/// code is returned and the error logged through `tracing` (at `warn`). A
/// [`strict`](Self::strict) loader returns the error instead, as Jinja2 does.
///
/// The loader holds no state of its own between calls: it is `Send` and `Sync` whenever its
/// compiler and cache are, so one loader can serve many threads. Two threads loading the same
/// missing name at once both compile it and the cache keeps one of the equal results, unless
/// the loader has [`single_flight`](Self::single_flight): then one compiles while the others
/// wait for its entry.
///
/// With the feature `tokio`, [`load_async`](Self::load_async) and
/// [`load_many_async`](Self::load_many_async) load through an
/// [`AsyncBytecodeCache`](crate::AsyncBytecodeCache), compiling on tokio's blocking pool.
///
/// # Trust
///
/// The loader's private `decode` function is the one place where bccache calls the `unsafe`
/// [`Compiler::from_bytecode`] (sync and async loads, on the calling thread or on tokio's
/// blocking pool, all go through it, always with the bytes of a hit of the loader's own
/// cache), and the argument that the call keeps its contract is this:
///
/// - **Same fingerprint.** The bytes are the code of a bucket built with the loader's own
///   compiler as its [`Environment`](crate::Environment). Every built-in store hands back
///   code only from an entry whose header holds that fingerprint, the template's key and its
///   source checksum, and whose trailer matches every byte; wrappers extend the fingerprint
///   with their own tag. So an entry of another engine, engine version, option set or wrapper
///   stack is a miss.
/// - **From `to_bytecode`.** The loader stores nothing but [`Compiler::to_bytecode`]'s output,
///   and the checks above catch every accidental change on the way (torn writes, flipped bits,
///   misrouted replies).
/// - **A store the application trusts, or `Signed`.** Which store that is, is the
///   application's decision: passing a store to [`new`](Self::new) says it holds only what a
///   loader of this application wrote. That holds for a directory only the application's user
///   can write (the default directory of
///   [`with_default_dir`](crate::FileSystemBytecodeCache::with_default_dir)), and for any
///   store wrapped in `Signed`, whose MAC stops every writer without the key. It does not hold
///   for an unauthenticated memcached or Redis, or a directory others can write, unwrapped:
///   there, sign the entries (the threat model is in the docs of `bccache::signed`).
///
/// This is the trust wasmtime's own compilation cache places in its directory.
///
/// ```
/// # #[cfg(feature = "regex")] {
/// use bccache::engine::regex::DfaCompiler;
/// use bccache::{CachedLoader, Compiler, FileSystemBytecodeCache};
///
/// let dir = tempfile::tempdir()?;
/// let cache = FileSystemBytecodeCache::new(dir.path(), "__rules_%s.cache")?;
/// let loader = CachedLoader::new(DfaCompiler::new(), cache);
///
/// // The first load compiles and stores; the next one decodes the stored DFA.
/// let source = "[0-9]{4}-[0-9]{2}-[0-9]{2}\n[a-z]+@[a-z]+\\.org";
/// let compiled = loader.load("rules", None, source)?;
/// let cached = loader.load_with_origin("rules", None, source)?;
/// assert_eq!(cached.origin, bccache::Origin::Cache);
/// assert_eq!(loader.compiler().to_bytecode(&cached.code),
///            loader.compiler().to_bytecode(&compiled));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct CachedLoader<C, B> {
    /// Shared with compiles running on tokio's blocking pool, which outlive no call but need
    /// an owned handle.
    compiler: Arc<C>,
    cache: B,
    strict: bool,
    /// `max_wait` of [`single_flight`](Self::single_flight).
    single_flight: Option<Duration>,
}

impl<C, B> fmt::Debug for CachedLoader<C, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedLoader")
            .field("strict", &self.strict)
            .field("single_flight", &self.single_flight)
            .finish_non_exhaustive()
    }
}

/// Builders and accessors, for sync and async loaders alike.
impl<C: Compiler, B> CachedLoader<C, B> {
    /// A loader that compiles with `compiler` and keeps bytecode in `cache`. Not strict, no
    /// single flight.
    pub fn new(compiler: C, cache: B) -> Self {
        Self::with_shared_compiler(Arc::new(compiler), cache)
    }

    /// [`new`](Self::new) with a compiler shared with other code.
    pub fn with_shared_compiler(compiler: Arc<C>, cache: B) -> Self {
        CachedLoader {
            compiler,
            cache,
            strict: false,
            single_flight: None,
        }
    }

    /// Whether a failure to store freshly compiled code is returned as [`LoadError::Store`]
    /// (`true`, as Jinja2 does) or logged while the code is returned (`false`, the default).
    ///
    /// ```
    /// # #[cfg(feature = "regex")] {
    /// # use bccache::{CachedLoader, FileSystemBytecodeCache, engine::regex::DfaCompiler};
    /// # let dir = tempfile::tempdir()?;
    /// # let cache = FileSystemBytecodeCache::new(dir.path(), "__rules_%s.cache")?;
    /// let loader = CachedLoader::new(DfaCompiler::new(), cache).strict(true);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// The compiler.
    pub fn compiler(&self) -> &C {
        &self.compiler
    }

    /// The cache.
    pub fn cache(&self) -> &B {
        &self.cache
    }

    /// Takes the loader apart. The compiler comes back shared: an async load whose future was
    /// dropped may still be compiling with it on tokio's blocking pool.
    pub fn into_parts(self) -> (Arc<C>, B) {
        (self.compiler, self.cache)
    }
}

impl<C: Compiler, B: BytecodeCache> CachedLoader<C, B> {
    /// The code of `source`: from the cache when it holds bytecode for this name, file name and
    /// source, else compiled (and stored).
    ///
    /// # Errors
    ///
    /// [`LoadError::Compile`] when the source does not compile (nothing is stored),
    /// [`LoadError::Cache`] when the cache fails to load the bucket, and, for a
    /// [`strict`](Self::strict) loader only, [`LoadError::Store`] when the compiled code
    /// cannot be stored.
    pub fn load(
        &self,
        name: &str,
        filename: Option<&str>,
        source: &C::Source,
    ) -> Result<C::Code, LoadError<C::Error>> {
        self.load_with_origin(name, filename, source)
            .map(|loaded| loaded.code)
    }

    /// [`load`](Self::load), also telling whether the code came from the cache or was
    /// compiled (for statistics and logs).
    ///
    /// # Errors
    ///
    /// As [`load`](Self::load).
    pub fn load_with_origin(
        &self,
        name: &str,
        filename: Option<&str>,
        source: &C::Source,
    ) -> Result<Loaded<C::Code>, LoadError<C::Error>> {
        let bucket = self
            .cache
            .get_bucket_bytes(&*self.compiler, name, filename, source.as_ref())
            .map_err(|source| LoadError::Cache {
                name: name.to_owned(),
                source,
            })?;
        self.finish(
            bucket,
            Job {
                name,
                filename,
                source,
            },
        )
    }

    /// Loads many pieces of code at once (batch warm-up): the buckets come from one
    /// [`get_buckets`](BytecodeCache::get_buckets) call — one round trip per server for the
    /// network stores, parallel reads for files — and each is then decoded, or compiled and
    /// stored, as [`load_with_origin`](Self::load_with_origin) does (with
    /// [`single_flight`](Self::single_flight): the misses are leased in order, the held ones
    /// compiled, then the others waited for).
    ///
    /// `sources` pairs each name (and file name) with its source; results come back in the
    /// same order, one per source, so that one script that does not compile does not cost the
    /// others their code.
    ///
    /// # Errors
    ///
    /// A failed batch lookup is [`LoadError::Cache`] for every entry; otherwise each result is
    /// as [`load_with_origin`](Self::load_with_origin)'s.
    ///
    /// ```
    /// # #[cfg(feature = "regex")] {
    /// use bccache::engine::regex::DfaCompiler;
    /// use bccache::{CachedLoader, FileSystemBytecodeCache, Origin};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let cache = FileSystemBytecodeCache::new(dir.path(), "__rules_%s.cache")?;
    /// let loader = CachedLoader::new(DfaCompiler::new(), cache);
    /// let rules = [("digits", None, "[0-9]+"), ("words", None, "[a-z]+")];
    ///
    /// let first = loader.load_many(&rules);
    /// let again = loader.load_many(&rules);
    /// assert!(first.iter().all(|r| r.as_ref().unwrap().origin == Origin::Compiled));
    /// assert!(again.iter().all(|r| r.as_ref().unwrap().origin == Origin::Cache));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load_many<S: AsRef<C::Source> + ?Sized>(
        &self,
        sources: &[(&str, Option<&str>, &S)],
    ) -> Vec<LoadOutcome<C>> {
        match self
            .cache
            .get_buckets(&*self.compiler, &lookups_of::<C, S>(sources))
        {
            Ok(buckets) => {
                let mut results: Vec<Option<LoadOutcome<C>>> = Vec::with_capacity(sources.len());
                let mut misses = Vec::new();
                for (at, (bucket, &(name, filename, source))) in
                    buckets.into_iter().zip(sources).enumerate()
                {
                    let hit = self.decode_hit(&bucket, name);
                    if hit.is_none() {
                        let source = source.as_ref();
                        misses.push((
                            at,
                            bucket,
                            Job {
                                name,
                                filename,
                                source,
                            },
                        ));
                    }
                    results.push(hit.map(Ok));
                }
                self.fill_misses(misses, &mut results);
                results.into_iter().flatten().collect()
            }
            Err(error) => batch_failed::<C>(error, sources.iter().map(|&(name, ..)| name)),
        }
    }

    /// Turns a loaded bucket into code: decodes a hit, or compiles and stores (through single
    /// flight when the loader has it).
    fn finish(
        &self,
        mut bucket: Bucket<'_>,
        job: Job<'_, C::Source>,
    ) -> Result<Loaded<C::Code>, LoadError<C::Error>> {
        if let Some(loaded) = self.decode_hit(&bucket, job.name) {
            return Ok(loaded);
        }
        self.fill_miss(&mut bucket, job)
    }

    /// Compiles `source` into `bucket` and stores it.
    fn compile_and_store(
        &self,
        bucket: &mut Bucket<'_>,
        job: Job<'_, C::Source>,
    ) -> Result<Loaded<C::Code>, LoadError<C::Error>> {
        let Job {
            name,
            filename,
            source,
        } = job;
        let code = self
            .compiler
            .compile(name, filename, source)
            .map_err(|source| LoadError::Compile {
                name: name.to_owned(),
                source,
            })?;
        bucket.code = Some(self.compiler.to_bytecode(&code));
        self.stored(self.cache.set_bucket(bucket), name)?;
        Ok(Loaded {
            code,
            origin: Origin::Compiled,
        })
    }
}

impl<C: Compiler, B> CachedLoader<C, B> {
    /// The code of a hit: `None` on a miss, or when the bytecode does not decode (the engine
    /// changed in a way its fingerprint does not name: worth a trace, and the new code
    /// replaces it).
    fn decode_hit(&self, bucket: &Bucket<'_>, name: &str) -> Option<Loaded<C::Code>> {
        let bytes = bucket.code.as_deref()?;
        let decoded = decode(&*self.compiler, bytes, name);
        decoded.map(|code| Loaded {
            code,
            origin: Origin::Cache,
        })
    }

    /// What a store's outcome means for the caller: an error for a strict loader, a warning
    /// otherwise.
    fn stored(&self, outcome: crate::Result<()>, name: &str) -> Result<(), LoadError<C::Error>> {
        let Err(error) = outcome else {
            return Ok(());
        };
        if self.strict {
            return Err(LoadError::Store {
                name: name.to_owned(),
                source: error,
            });
        }
        tracing::warn!(
            name,
            error = &error as &(dyn std::error::Error + 'static),
            "cannot store compiled bytecode; returning the code uncached"
        );
        Ok(())
    }
}

/// The lookups of a batch of sources.
fn lookups_of<'a, C, S>(sources: &[(&'a str, Option<&'a str>, &'a S)]) -> Vec<Lookup<'a>>
where
    C: Compiler<Source: 'a>,
    S: AsRef<C::Source> + ?Sized,
{
    sources
        .iter()
        .map(|&(name, filename, source)| Lookup {
            name,
            filename,
            source: source.as_ref().as_ref(),
        })
        .collect()
}

/// The results of a batch whose lookup failed: [`LoadError::Cache`] for every name.
fn batch_failed<'a, C: Compiler>(
    error: Error,
    names: impl Iterator<Item = &'a str>,
) -> Vec<LoadOutcome<C>> {
    // One error for the whole batch: each entry gets its own copy of the message.
    let message = error.to_string();
    tracing::debug!(error = %message, "batch lookup failed");
    let mut first = Some(error);
    names
        .map(|name| {
            let source = first.take().unwrap_or_else(|| Error::Batch {
                message: message.clone(),
            });
            Err(LoadError::Cache {
                name: name.to_owned(),
                source,
            })
        })
        .collect()
}

/// Decodes the bytes of a hit of a loader's cache: the one call of
/// [`Compiler::from_bytecode`] in bccache. `None` (traced) when they do not decode.
fn decode<C: Compiler + ?Sized>(compiler: &C, bytes: &[u8], name: &str) -> Option<C::Code> {
    // SAFETY: every caller passes the bytes of a hit of its loader's cache for the loader's
    // compiler's fingerprint; why that keeps `from_bytecode`'s contract is argued once, in
    // "Trust" on `CachedLoader`.
    let code = unsafe { compiler.from_bytecode(bytes) };
    if code.is_none() {
        tracing::debug!(
            name,
            "cached bytecode could not be decoded; compiling again"
        );
    }
    code
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Level, Metadata};

    use super::*;
    use crate::FileSystemBytecodeCache;
    use crate::bucket::Environment;

    struct Echo;

    impl Environment for Echo {
        fn fingerprint(&self) -> Cow<'_, [u8]> {
            Cow::Borrowed(b"echo")
        }
    }

    impl Compiler for Echo {
        type Source = str;
        type Code = String;
        type Error = std::convert::Infallible;

        fn compile(&self, _: &str, _: Option<&str>, source: &str) -> Result<String, Self::Error> {
            Ok(source.to_owned())
        }

        fn to_bytecode(&self, code: &String) -> Vec<u8> {
            code.clone().into_bytes()
        }

        unsafe fn from_bytecode(&self, bytecode: &[u8]) -> Option<String> {
            String::from_utf8(bytecode.to_vec()).ok()
        }
    }

    /// Records every event as "LEVEL field=value ...".
    #[derive(Clone, Default)]
    struct Recorder(Arc<Mutex<Vec<String>>>);

    struct Line<'a>(&'a mut String);

    impl Visit for Line<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
            self.0.push_str(&format!(" {}={value:?}", field.name()));
        }
    }

    impl tracing::Subscriber for Recorder {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut line = event.metadata().level().to_string();
            event.record(&mut Line(&mut line));
            self.0.lock().expect("recorder lock").push(line);
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    #[test]
    fn failed_store_is_logged_as_a_warning_naming_the_template() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache_dir = dir.path().join("gone");
        let cache = FileSystemBytecodeCache::new(&cache_dir, "__t_%s.cache").expect("cache");
        std::fs::remove_dir(&cache_dir).expect("removed");
        let loader = CachedLoader::new(Echo, cache);
        let recorder = Recorder::default();

        let code = tracing::subscriber::with_default(recorder.clone(), || {
            loader.load("page.html", None, "body")
        });

        assert_eq!(code.expect("code despite the failed store"), "body");
        let lines = recorder.0.lock().expect("recorder lock").clone();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].starts_with(Level::WARN.as_str()), "{lines:?}");
        assert!(lines[0].contains("name=\"page.html\""), "{lines:?}");
        assert!(lines[0].contains("gone"), "{lines:?}");
    }

    #[test]
    fn undecodable_bytecode_is_logged_at_debug_level() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = FileSystemBytecodeCache::new(dir.path(), "__t_%s.cache").expect("cache");
        let mut bucket = cache
            .get_bucket(&Echo, "page.html", None, "body")
            .expect("bucket");
        bucket.code = Some(vec![0xff, 0xfe]);
        cache.set_bucket(&bucket).expect("stored");
        let loader = CachedLoader::new(Echo, cache);
        let recorder = Recorder::default();

        let loaded = tracing::subscriber::with_default(recorder.clone(), || {
            loader.load_with_origin("page.html", None, "body")
        });

        let loaded = loaded.expect("compiled again");
        assert_eq!(
            (loaded.code.as_str(), loaded.origin),
            ("body", Origin::Compiled)
        );
        let lines = recorder.0.lock().expect("recorder lock").clone();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].starts_with(Level::DEBUG.as_str()), "{lines:?}");
        assert!(lines[0].contains("name=\"page.html\""), "{lines:?}");
    }

    #[test]
    fn hit_and_miss_log_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = FileSystemBytecodeCache::new(dir.path(), "__t_%s.cache").expect("cache");
        let loader = CachedLoader::new(Echo, cache);
        let recorder = Recorder::default();

        tracing::subscriber::with_default(recorder.clone(), || {
            loader.load("page.html", None, "body").expect("miss");
            loader.load("page.html", None, "body").expect("hit");
        });

        assert!(recorder.0.lock().expect("recorder lock").is_empty());
    }
}
