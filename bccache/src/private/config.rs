//! The configuration a derived cache's attribute and fields give, and how it becomes tiers.

use std::path::Path;

use super::Backend;
use super::stores::{
    bound_fs, build_compressed, build_http, build_memcached, build_memory, build_redis, build_s3,
    build_signed, build_tiers,
};
use crate::checksum::Checksum;
use crate::error::{Error, Result};
use crate::store::fs::FileSystemBytecodeCache;

/// Everything a derived cache's attribute and fields configure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheConfig<'a> {
    /// The checksum of every store; `None` is [`Checksum::Sha1`].
    pub checksum: Option<Checksum>,
    /// The in-process tier's bound in bytes.
    pub memory: Option<u64>,
    /// The filesystem tier.
    pub dir: Option<FsConfig<'a>>,
    /// The network tier, on memcached.
    pub memcached: Option<MemcachedConfig<'a>>,
    /// The network tier, on Redis.
    pub redis: Option<RedisConfig<'a>>,
    /// The network tier, on an HTTP cache server: its URL.
    pub http: Option<&'a str>,
    /// The network tier, on S3: its `s3://bucket/prefix?endpoint=..` location.
    pub s3: Option<&'a str>,
    /// The zstd level of the dir and network tiers.
    pub compress: Option<i32>,
    /// The environment variable holding the key that signs the dir and network tiers' entries.
    pub signing_key_env: Option<&'a str>,
}

/// The filesystem store as a derived cache configures it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FsConfig<'a> {
    /// The directory; `None` is the safe default directory.
    pub dir: Option<&'a Path>,
    /// The file-name pattern; `None` is [`DEFAULT_PATTERN`](crate::DEFAULT_PATTERN).
    pub pattern: Option<&'a str>,
    /// The bound of the directory in bytes; `None` is unbounded.
    pub max_size: Option<u64>,
}

/// The memcached store as a derived cache configures it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemcachedConfig<'a> {
    /// Server URLs separated by commas.
    pub servers: &'a str,
    /// The key prefix; `None` is the store's default.
    pub prefix: Option<&'a str>,
    /// The timeout in seconds; `None` for no expiry.
    pub timeout: Option<u64>,
    /// Whether memcached errors are misses; `None` is the store's default.
    pub ignore_errors: Option<bool>,
}

/// The Redis store as a derived cache configures it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RedisConfig<'a> {
    /// Server URLs separated by commas.
    pub servers: &'a str,
    /// Whether the servers are seed nodes of a Redis Cluster.
    pub cluster: bool,
    /// The key prefix; `None` is the store's default.
    pub prefix: Option<&'a str>,
    /// The timeout in seconds; `None` for no expiry.
    pub timeout: Option<u64>,
    /// Whether Redis errors are misses; `None` is the store's default.
    pub ignore_errors: Option<bool>,
}

impl CacheConfig<'_> {
    /// Builds every tier, fastest first. A failure of any (an unsafe directory, a missing
    /// signing key) fails the whole build: a derived cache never runs with fewer tiers, or
    /// unsigned, than its attribute says.
    pub(super) fn build(&self) -> Result<Backend> {
        let checksum = self.checksum.unwrap_or_default();
        let mut tiers: Vec<Backend> = Vec::new();
        if let Some(max_bytes) = self.memory {
            // Not wrapped: a memory hit should not decompress or verify, and the memory tier only
            // ever holds code that was compiled here or passed verification below.
            tiers.push(build_memory(max_bytes, checksum)?);
        }
        if let Some(fs) = &self.dir {
            tiers.push(self.wrap(fs.build(checksum)?)?);
        }
        if let Some(memcached) = &self.memcached {
            tiers.push(self.wrap(build_memcached(memcached, checksum)?)?);
        }
        if let Some(redis) = &self.redis {
            tiers.push(self.wrap(build_redis(redis, checksum)?)?);
        }
        if let Some(url) = self.http {
            tiers.push(self.wrap(build_http(url, checksum)?)?);
        }
        if let Some(location) = self.s3 {
            tiers.push(self.wrap(build_s3(location, checksum)?)?);
        }
        match tiers.len() {
            // The derive requires at least one store; this configuration was made by hand.
            0 => Err(Error::DerivedConfig {
                reason: "it names no store: `memory`, `dir`, `memcached` or `redis`".to_owned(),
            }),
            // A single store stays that store.
            1 => Ok(tiers.remove(0)),
            _ => build_tiers(tiers),
        }
    }

    /// Signature inside, compression outside: a load checks the MAC over the stored
    /// (compressed) bytes before the decompressor sees a byte of them.
    fn wrap(&self, store: Backend) -> Result<Backend> {
        let store = match self.signing_key_env {
            Some(var) => build_signed(store, var)?,
            None => store,
        };
        match self.compress {
            Some(level) => build_compressed(store, level),
            None => Ok(store),
        }
    }

    /// The same configuration with every borrowed value copied and leaked, for the registry:
    /// its entries are never removed, so owning the values would free nothing earlier.
    pub(super) fn to_static(self) -> CacheConfig<'static> {
        fn leak(s: &str) -> &'static str {
            Box::leak(s.to_owned().into_boxed_str())
        }
        CacheConfig {
            checksum: self.checksum,
            memory: self.memory,
            dir: self.dir.map(|fs| FsConfig {
                dir: fs
                    .dir
                    .map(|dir| &*Box::leak(dir.to_path_buf().into_boxed_path())),
                pattern: fs.pattern.map(leak),
                max_size: fs.max_size,
            }),
            memcached: self.memcached.map(|memcached| MemcachedConfig {
                servers: leak(memcached.servers),
                prefix: memcached.prefix.map(leak),
                timeout: memcached.timeout,
                ignore_errors: memcached.ignore_errors,
            }),
            redis: self.redis.map(|redis| RedisConfig {
                servers: leak(redis.servers),
                cluster: redis.cluster,
                prefix: redis.prefix.map(leak),
                timeout: redis.timeout,
                ignore_errors: redis.ignore_errors,
            }),
            http: self.http.map(leak),
            s3: self.s3.map(leak),
            compress: self.compress,
            signing_key_env: self.signing_key_env.map(leak),
        }
    }
}

impl FsConfig<'_> {
    fn build(&self, checksum: Checksum) -> Result<Backend> {
        let pattern = self.pattern.unwrap_or(crate::DEFAULT_PATTERN);
        let cache = match self.dir {
            // Resolved now, so that a later change of working directory cannot move the cache.
            Some(dir) => {
                let dir = std::path::absolute(dir)
                    .map_err(|e| Error::io("resolve cache directory", dir, e))?;
                FileSystemBytecodeCache::new(dir, pattern)?
            }
            None => FileSystemBytecodeCache::in_default_dir(pattern)?,
        };
        let cache = cache.checksum(checksum);
        match self.max_size {
            Some(bytes) => bound_fs(cache, bytes),
            None => Ok(Box::new(cache)),
        }
    }
}
