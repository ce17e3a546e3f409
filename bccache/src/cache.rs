//! The [`BytecodeCache`] trait: where buckets are loaded from and dumped to.

use std::sync::Arc;
use std::time::Duration;

use sha1::{Digest, Sha1};

use crate::bucket::{Bucket, Environment};
use crate::checksum::{Checksum, lower_hex};
use crate::error::Result;
use crate::lease::Lease;
use crate::stats::CacheStats;

/// The key prefix Jinja2 uses for its network stores: an entry is stored under
/// `prefix + bucket.key`. The default of the memcached and Redis stores.
pub const DEFAULT_PREFIX: &str = "jinja2/bytecode/";

/// One template of a batch: what [`BytecodeCache::get_buckets`] and
/// [`CachedLoader::load_many`](crate::CachedLoader::load_many) look up.
///
/// ```
/// use bccache::Lookup;
///
/// let text = Lookup::new("page.html", "<p>{{ x }}</p>");
/// let wasm = Lookup::new("plugin.wasm", &b"\0asm\x01\0\0\0"[..]).filename("plugins/plugin.wasm");
/// assert_eq!(wasm.filename, Some("plugins/plugin.wasm"));
/// # let _ = text;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lookup<'a> {
    /// The template's name.
    pub name: &'a str,
    /// The file its source was read from, when known.
    pub filename: Option<&'a str>,
    /// The source, as bytes (text sources are their UTF-8).
    pub source: &'a [u8],
}

impl<'a> Lookup<'a> {
    /// A lookup of `name` with `source` (text or bytes) and no file name.
    pub fn new(name: &'a str, source: &'a (impl AsRef<[u8]> + ?Sized)) -> Self {
        Lookup {
            name,
            filename: None,
            source: source.as_ref(),
        }
    }

    /// The same lookup with a file name.
    #[must_use]
    pub fn filename(mut self, filename: &'a str) -> Self {
        self.filename = Some(filename);
        self
    }
}

/// Jinja2's cache key: lowercase hex sha1 of `name`, then of `"|" + filename` when given.
pub(crate) fn jinja2_cache_key(name: &str, filename: Option<&str>) -> String {
    let mut hash = Sha1::new();
    hash.update(name.as_bytes());
    if let Some(filename) = filename {
        hash.update(b"|");
        hash.update(filename.as_bytes());
    }
    lower_hex(&hash.finalize())
}

/// A store of [`Bucket`]s, Jinja2's `BytecodeCache`.
///
/// Implement [`load_bytecode`](Self::load_bytecode) and [`dump_bytecode`](Self::dump_bytecode);
/// the rest is provided. The trait is object safe: `Box<dyn BytecodeCache>` and
/// `Arc<dyn BytecodeCache>` are caches too.
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Mutex;
/// use bccache::{Bucket, BytecodeCache};
///
/// /// Keeps encoded buckets in memory.
/// #[derive(Default)]
/// struct MemoryCache(Mutex<HashMap<String, Vec<u8>>>);
///
/// impl BytecodeCache for MemoryCache {
///     fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> bccache::Result<()> {
///         if let Some(bytes) = self.0.lock().unwrap().get(&bucket.key) {
///             bucket.bytecode_from_string(bytes);
///         }
///         Ok(())
///     }
///
///     fn dump_bytecode(&self, bucket: &Bucket<'_>) -> bccache::Result<()> {
///         let bytes = bucket.bytecode_to_string()?;
///         self.0.lock().unwrap().insert(bucket.key.clone(), bytes);
///         Ok(())
///     }
/// }
///
/// let cache: Box<dyn BytecodeCache> = Box::new(MemoryCache::default());
/// let mut bucket = cache.get_bucket(&(), "page.html", None, "<p>{{ x }}</p>")?;
/// assert!(bucket.code.is_none());
/// bucket.code = Some(b"compiled".to_vec());
/// cache.set_bucket(&bucket)?;
/// let bucket = cache.get_bucket(&(), "page.html", None, "<p>{{ x }}</p>")?;
/// assert_eq!(bucket.code.as_deref(), Some(&b"compiled"[..]));
/// # Ok::<(), bccache::Error>(())
/// ```
pub trait BytecodeCache: Send + Sync {
    /// Fills `bucket.code` from the store. Nothing usable found: leave it `None` and return `Ok`.
    fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()>;

    /// Stores the bucket's code. Must report every failure it does not deliberately ignore.
    fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()>;

    /// Removes every entry of this cache. The default does nothing.
    fn clear(&self) -> Result<()> {
        Ok(())
    }

    /// The key of a template: lowercase hex sha1 of `name`, then of `"|" + filename` when given,
    /// byte-identical to Jinja2's.
    ///
    /// ```
    /// # use bccache::BytecodeCache;
    /// # let cache = bccache::FileSystemBytecodeCache::new(std::env::temp_dir(), "__doc_%s.cache")?;
    /// assert_eq!(cache.get_cache_key("index.html", None).len(), 40);
    /// # Ok::<(), bccache::Error>(())
    /// ```
    fn get_cache_key(&self, name: &str, filename: Option<&str>) -> String {
        jinja2_cache_key(name, filename)
    }

    /// The checksum of a text source: [`get_source_checksum_bytes`] of its UTF-8 bytes, by
    /// default the lowercase hex sha1, byte-identical to Jinja2's.
    ///
    /// [`get_source_checksum_bytes`]: Self::get_source_checksum_bytes
    fn get_source_checksum(&self, source: &str) -> String {
        self.get_source_checksum_bytes(source.as_bytes())
    }

    /// The checksum of a source given as bytes (a Wasm binary is not text). The default is
    /// [`Checksum::Sha1`]; the built-in stores use the [`Checksum`] they were configured with.
    fn get_source_checksum_bytes(&self, source: &[u8]) -> String {
        Checksum::Sha1.of(source)
    }

    /// Builds the bucket of a template and loads it (Jinja2's `get_bucket`): the same as
    /// [`get_bucket_bytes`](Self::get_bucket_bytes) with the source's UTF-8 bytes.
    fn get_bucket<'e>(
        &self,
        environment: &'e dyn Environment,
        name: &str,
        filename: Option<&str>,
        source: &str,
    ) -> Result<Bucket<'e>> {
        self.get_bucket_bytes(environment, name, filename, source.as_bytes())
    }

    /// Builds the bucket of a template whose source is bytes, and loads it.
    fn get_bucket_bytes<'e>(
        &self,
        environment: &'e dyn Environment,
        name: &str,
        filename: Option<&str>,
        source: &[u8],
    ) -> Result<Bucket<'e>> {
        let key = self.get_cache_key(name, filename);
        let checksum = self.get_source_checksum_bytes(source);
        let mut bucket = Bucket::new(environment, key, checksum);
        self.load_bytecode(&mut bucket)?;
        Ok(bucket)
    }

    /// Fills many buckets at once, each as [`load_bytecode`](Self::load_bytecode) would.
    ///
    /// The default loads them one by one and stops at the first error. Stores that can answer
    /// many keys in one round trip (memcached's multi-get, Redis's `MGET`) or in parallel (files)
    /// override it. Every bucket that comes back with code passed the same checks as a single
    /// load.
    fn load_bytecodes(&self, buckets: &mut [Bucket<'_>]) -> Result<()> {
        buckets
            .iter_mut()
            .try_for_each(|bucket| self.load_bytecode(bucket))
    }

    /// Builds and loads the buckets of many templates at once (batch warm-up): one bucket per
    /// lookup, in order, through [`load_bytecodes`](Self::load_bytecodes).
    ///
    /// ```
    /// use bccache::{BytecodeCache, FileSystemBytecodeCache, Lookup};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let cache = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?;
    /// let mut first = cache.get_bucket(&(), "a.lua", None, "return 1")?;
    /// first.code = Some(b"code of a".to_vec());
    /// cache.set_bucket(&first)?;
    ///
    /// let lookups = [Lookup::new("a.lua", "return 1"), Lookup::new("b.lua", "return 2")];
    /// let buckets = cache.get_buckets(&(), &lookups)?;
    /// assert_eq!(buckets[0].code.as_deref(), Some(&b"code of a"[..]));
    /// assert!(buckets[1].code.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn get_buckets<'e>(
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
        self.load_bytecodes(&mut buckets)?;
        Ok(buckets)
    }

    /// What the store did since it was made (hits, misses, stale and rejected entries, errors,
    /// bytes), when it counts. The default is `None`; every built-in store counts.
    fn stats(&self) -> Option<CacheStats> {
        None
    }

    /// Writes counts the store keeps for other processes (the filesystem store's stats file,
    /// read by `bccache stats`) now. Stores write them by themselves at most once a second on a
    /// miss or a store, and when dropped; a cache that lives in a `static` (every derived
    /// cache) is never dropped, so a program that ends on a run of hits calls this before it
    /// exits. The default does nothing.
    fn flush_stats(&self) -> Result<()> {
        Ok(())
    }

    /// Stores a bucket (Jinja2's `set_bucket`): calls [`dump_bytecode`](Self::dump_bytecode).
    fn set_bucket(&self, bucket: &Bucket<'_>) -> Result<()> {
        self.dump_bytecode(bucket)
    }

    /// What this store's hits can be trusted to be. The default, and every plain store, is
    /// [`Trust::Unverified`]; `Signed` is [`Trust::Verified`], and wrappers answer for the store
    /// they wrap. A store of your own that verifies its entries with a secret of the
    /// application may say `Verified`.
    fn trust(&self) -> Trust {
        Trust::Unverified
    }

    /// Asks to be the one loader that compiles the missing entry under `key` (a bucket's key;
    /// the store applies its prefix), for at most `ttl`: single flight, see
    /// [`CachedLoader::single_flight`](crate::CachedLoader::single_flight). A store that can
    /// hold leases answers [`Lease::Held`] to one caller across every process that shares it,
    /// and [`Lease::Busy`] to the others until the guard is dropped, its holder dies or `ttl`
    /// passes. Hits never ask. The default, for stores without leases, is
    /// [`Lease::Unsupported`].
    fn lease(&self, key: &str, ttl: Duration) -> Result<Lease> {
        let _ = (key, ttl);
        Ok(Lease::Unsupported)
    }

    /// Whether loading decompresses what the store read (a `Compressed` store, or one that
    /// wraps one): `Signed` refuses to wrap such a store, since its MAC would be checked only
    /// after an attacker's payload had been decompressed.
    #[doc(hidden)]
    fn decompresses(&self) -> bool {
        false
    }
}

/// What a store's hits can be trusted to be, for stores that combine stores: a
/// [`TieredBytecodeCache`](crate::TieredBytecodeCache) never fills a tier with a hit from a tier
/// less trusted than it.
///
/// ```
/// use bccache::{BytecodeCache, FileSystemBytecodeCache, Trust};
///
/// let dir = tempfile::tempdir()?;
/// let cache = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?;
/// assert_eq!(cache.trust(), Trust::Unverified);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Trust {
    /// A hit is whatever the store holds: it is as trustworthy as everyone who can write to
    /// the store (a private directory: the application; an open memcached: anyone).
    Unverified,
    /// Every hit passed a check that only holders of the application's secret key can pass
    /// (`Signed`).
    Verified,
}

/// The store a wrapper forwards to: what [`forward_bytecode_cache!`] (and its async twin)
/// calls. Unbounded, so that one wrapper forwards to an inner store of either trait.
pub(crate) trait Wrapper {
    type Inner: ?Sized;

    fn wrapped(&self) -> &Self::Inner;
}

/// Defines the named [`BytecodeCache`] methods, inside an `impl BytecodeCache` block of a
/// [`Wrapper`], as calls of the wrapped store: `every` names them all (provided ones included,
/// so that a wrapped cache keeps its overrides). The one place where the trait's methods are
/// listed for forwarding.
macro_rules! forward_bytecode_cache {
    (every) => {
        $crate::cache::forward_bytecode_cache!(
            load_bytecode, dump_bytecode, clear, get_cache_key, get_source_checksum,
            get_source_checksum_bytes, get_bucket, get_bucket_bytes, load_bytecodes, get_buckets,
            stats, flush_stats, set_bucket, trust, lease, decompresses
        );
    };
    ($($method:ident),+ $(,)?) => {
        $($crate::cache::forward_bytecode_cache!(@ $method);)+
    };
    (@ load_bytecode) => {
        fn load_bytecode(&self, bucket: &mut $crate::Bucket<'_>) -> $crate::Result<()> {
            $crate::BytecodeCache::load_bytecode($crate::cache::Wrapper::wrapped(self), bucket)
        }
    };
    (@ dump_bytecode) => {
        fn dump_bytecode(&self, bucket: &$crate::Bucket<'_>) -> $crate::Result<()> {
            $crate::BytecodeCache::dump_bytecode($crate::cache::Wrapper::wrapped(self), bucket)
        }
    };
    (@ clear) => {
        fn clear(&self) -> $crate::Result<()> {
            $crate::BytecodeCache::clear($crate::cache::Wrapper::wrapped(self))
        }
    };
    (@ get_cache_key) => {
        fn get_cache_key(&self, name: &str, filename: Option<&str>) -> String {
            $crate::BytecodeCache::get_cache_key(
                $crate::cache::Wrapper::wrapped(self),
                name,
                filename,
            )
        }
    };
    (@ get_source_checksum) => {
        fn get_source_checksum(&self, source: &str) -> String {
            $crate::BytecodeCache::get_source_checksum(
                $crate::cache::Wrapper::wrapped(self),
                source,
            )
        }
    };
    (@ get_source_checksum_bytes) => {
        fn get_source_checksum_bytes(&self, source: &[u8]) -> String {
            $crate::BytecodeCache::get_source_checksum_bytes(
                $crate::cache::Wrapper::wrapped(self),
                source,
            )
        }
    };
    (@ get_bucket) => {
        fn get_bucket<'e>(
            &self,
            environment: &'e dyn $crate::Environment,
            name: &str,
            filename: Option<&str>,
            source: &str,
        ) -> $crate::Result<$crate::Bucket<'e>> {
            $crate::BytecodeCache::get_bucket(
                $crate::cache::Wrapper::wrapped(self),
                environment,
                name,
                filename,
                source,
            )
        }
    };
    (@ get_bucket_bytes) => {
        fn get_bucket_bytes<'e>(
            &self,
            environment: &'e dyn $crate::Environment,
            name: &str,
            filename: Option<&str>,
            source: &[u8],
        ) -> $crate::Result<$crate::Bucket<'e>> {
            $crate::BytecodeCache::get_bucket_bytes(
                $crate::cache::Wrapper::wrapped(self),
                environment,
                name,
                filename,
                source,
            )
        }
    };
    (@ load_bytecodes) => {
        fn load_bytecodes(&self, buckets: &mut [$crate::Bucket<'_>]) -> $crate::Result<()> {
            $crate::BytecodeCache::load_bytecodes($crate::cache::Wrapper::wrapped(self), buckets)
        }
    };
    (@ get_buckets) => {
        fn get_buckets<'e>(
            &self,
            environment: &'e dyn $crate::Environment,
            lookups: &[$crate::Lookup<'_>],
        ) -> $crate::Result<Vec<$crate::Bucket<'e>>> {
            $crate::BytecodeCache::get_buckets(
                $crate::cache::Wrapper::wrapped(self),
                environment,
                lookups,
            )
        }
    };
    (@ stats) => {
        fn stats(&self) -> Option<$crate::CacheStats> {
            $crate::BytecodeCache::stats($crate::cache::Wrapper::wrapped(self))
        }
    };
    (@ flush_stats) => {
        fn flush_stats(&self) -> $crate::Result<()> {
            $crate::BytecodeCache::flush_stats($crate::cache::Wrapper::wrapped(self))
        }
    };
    (@ set_bucket) => {
        fn set_bucket(&self, bucket: &$crate::Bucket<'_>) -> $crate::Result<()> {
            $crate::BytecodeCache::set_bucket($crate::cache::Wrapper::wrapped(self), bucket)
        }
    };
    (@ trust) => {
        fn trust(&self) -> $crate::Trust {
            $crate::BytecodeCache::trust($crate::cache::Wrapper::wrapped(self))
        }
    };
    (@ lease) => {
        fn lease(&self, key: &str, ttl: std::time::Duration) -> $crate::Result<$crate::Lease> {
            $crate::BytecodeCache::lease($crate::cache::Wrapper::wrapped(self), key, ttl)
        }
    };
    (@ decompresses) => {
        fn decompresses(&self) -> bool {
            $crate::BytecodeCache::decompresses($crate::cache::Wrapper::wrapped(self))
        }
    };
}

pub(crate) use forward_bytecode_cache;

/// Implements [`Wrapper`] and forwards every method for smart pointers to caches.
macro_rules! forward_pointers {
    ($($pointer:ty),*) => {$(
        impl<T: ?Sized> Wrapper for $pointer {
            type Inner = T;

            fn wrapped(&self) -> &T {
                self
            }
        }

        impl<T: BytecodeCache + ?Sized> BytecodeCache for $pointer {
            forward_bytecode_cache!(every);
        }
    )*};
}

forward_pointers!(&T, Box<T>, Arc<T>);
