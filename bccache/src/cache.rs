//! The [`BytecodeCache`] trait: where buckets are loaded from and dumped to.

use std::sync::Arc;

use sha1::{Digest, Sha1};

use crate::bucket::{Bucket, Environment};
use crate::checksum::{Checksum, lower_hex};
use crate::error::Result;
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
        let mut hash = Sha1::new();
        hash.update(name.as_bytes());
        if let Some(filename) = filename {
            hash.update(b"|");
            hash.update(filename.as_bytes());
        }
        lower_hex(&hash.finalize())
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
}

/// Forwards every method, provided ones included, so a wrapped cache keeps its overrides.
macro_rules! forward_bytecode_cache {
    ($($wrapper:ty),*) => {$(
        impl<T: BytecodeCache + ?Sized> BytecodeCache for $wrapper {
            fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
                (**self).load_bytecode(bucket)
            }
            fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
                (**self).dump_bytecode(bucket)
            }
            fn clear(&self) -> Result<()> {
                (**self).clear()
            }
            fn get_cache_key(&self, name: &str, filename: Option<&str>) -> String {
                (**self).get_cache_key(name, filename)
            }
            fn get_source_checksum(&self, source: &str) -> String {
                (**self).get_source_checksum(source)
            }
            fn get_source_checksum_bytes(&self, source: &[u8]) -> String {
                (**self).get_source_checksum_bytes(source)
            }
            fn get_bucket<'e>(
                &self,
                environment: &'e dyn Environment,
                name: &str,
                filename: Option<&str>,
                source: &str,
            ) -> Result<Bucket<'e>> {
                (**self).get_bucket(environment, name, filename, source)
            }
            fn get_bucket_bytes<'e>(
                &self,
                environment: &'e dyn Environment,
                name: &str,
                filename: Option<&str>,
                source: &[u8],
            ) -> Result<Bucket<'e>> {
                (**self).get_bucket_bytes(environment, name, filename, source)
            }
            fn load_bytecodes(&self, buckets: &mut [Bucket<'_>]) -> Result<()> {
                (**self).load_bytecodes(buckets)
            }
            fn get_buckets<'e>(
                &self,
                environment: &'e dyn Environment,
                lookups: &[Lookup<'_>],
            ) -> Result<Vec<Bucket<'e>>> {
                (**self).get_buckets(environment, lookups)
            }
            fn stats(&self) -> Option<CacheStats> {
                (**self).stats()
            }
            fn flush_stats(&self) -> Result<()> {
                (**self).flush_stats()
            }
            fn set_bucket(&self, bucket: &Bucket<'_>) -> Result<()> {
                (**self).set_bucket(bucket)
            }
        }
    )*};
}

forward_bytecode_cache!(&T, Box<T>, Arc<T>);
