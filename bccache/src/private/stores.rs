//! One builder per kind of store, behind the feature that provides it. Without the feature
//! the derive has already failed with a `compile_error!` from a `require_*` macro, so the
//! feature-off builders only keep this module compiling.

use super::Backend;
use super::config::{MemcachedConfig, RedisConfig};
use crate::checksum::Checksum;
use crate::error::{Error, Result};
use crate::store::fs::FileSystemBytecodeCache;

pub(super) fn bound_fs(cache: FileSystemBytecodeCache, bytes: u64) -> Result<Backend> {
    Ok(Box::new(cache.max_size(bytes)))
}

#[cfg(feature = "memory")]
pub(super) fn build_memory(max_bytes: u64, checksum: Checksum) -> Result<Backend> {
    Ok(Box::new(
        crate::MemoryBytecodeCache::new(max_bytes).checksum(checksum),
    ))
}

#[cfg(not(feature = "memory"))]
pub(super) fn build_memory(_max_bytes: u64, _checksum: Checksum) -> Result<Backend> {
    Err(feature_off("memory"))
}

#[cfg(feature = "memcached")]
pub(super) fn build_memcached(config: &MemcachedConfig<'_>, checksum: Checksum) -> Result<Backend> {
    let mut builder = crate::MemcachedBytecodeCache::builder().checksum(checksum);
    for url in config.servers.split(',').map(str::trim) {
        builder = builder.server(url);
    }
    if let Some(prefix) = config.prefix {
        builder = builder.prefix(prefix);
    }
    if let Some(timeout) = config.timeout {
        let timeout = u32::try_from(timeout).map_err(|_| Error::InvalidTimeout {
            timeout,
            reason: "over 30 days (2592000 s), which memcached would read as a date",
        })?;
        builder = builder.timeout(timeout);
    }
    if let Some(ignore) = config.ignore_errors {
        builder = builder.ignore_memcache_errors(ignore);
    }
    Ok(Box::new(builder.build()?))
}

#[cfg(not(feature = "memcached"))]
pub(super) fn build_memcached(
    _config: &MemcachedConfig<'_>,
    _checksum: Checksum,
) -> Result<Backend> {
    Err(feature_off("memcached"))
}

#[cfg(feature = "redis")]
pub(super) fn build_redis(config: &RedisConfig<'_>, checksum: Checksum) -> Result<Backend> {
    let mut builder = crate::RedisBytecodeCache::builder()
        .cluster(config.cluster)
        .checksum(checksum);
    for url in config.servers.split(',').map(str::trim) {
        builder = builder.server(url);
    }
    if let Some(prefix) = config.prefix {
        builder = builder.prefix(prefix);
    }
    if let Some(timeout) = config.timeout {
        let timeout = u32::try_from(timeout).map_err(|_| Error::InvalidTimeout {
            timeout,
            reason: "over 4294967295 s",
        })?;
        builder = builder.timeout(timeout);
    }
    if let Some(ignore) = config.ignore_errors {
        builder = builder.ignore_errors(ignore);
    }
    Ok(Box::new(builder.build()?))
}

#[cfg(not(feature = "redis"))]
pub(super) fn build_redis(_config: &RedisConfig<'_>, _checksum: Checksum) -> Result<Backend> {
    Err(feature_off("redis"))
}

#[cfg(feature = "http")]
pub(super) fn build_http(url: &str, checksum: Checksum) -> Result<Backend> {
    Ok(Box::new(
        crate::HttpBytecodeCache::builder()
            .url(url)
            .checksum(checksum)
            .build()?,
    ))
}

#[cfg(not(feature = "http"))]
pub(super) fn build_http(_url: &str, _checksum: Checksum) -> Result<Backend> {
    Err(feature_off("http"))
}

/// Credentials from the environment, as the location cannot hold a secret.
#[cfg(feature = "s3")]
pub(super) fn build_s3(location: &str, checksum: Checksum) -> Result<Backend> {
    Ok(Box::new(
        crate::store::s3::from_location(location)?
            .checksum(checksum)
            .build()?,
    ))
}

#[cfg(not(feature = "s3"))]
pub(super) fn build_s3(_location: &str, _checksum: Checksum) -> Result<Backend> {
    Err(feature_off("s3"))
}

#[cfg(feature = "zstd")]
pub(super) fn build_compressed(inner: Backend, level: i32) -> Result<Backend> {
    Ok(Box::new(crate::Compressed::new(inner, level)?))
}

#[cfg(not(feature = "zstd"))]
pub(super) fn build_compressed(_inner: Backend, _level: i32) -> Result<Backend> {
    Err(feature_off("zstd"))
}

/// Reads the key at each build: a missing or short key is an error, and since a failed build
/// is not kept, every call fails until the variable is fixed.
#[cfg(feature = "signed")]
pub(super) fn build_signed(inner: Backend, var: &str) -> Result<Backend> {
    Ok(Box::new(crate::Signed::from_env(inner, var)?))
}

#[cfg(not(feature = "signed"))]
pub(super) fn build_signed(_inner: Backend, _var: &str) -> Result<Backend> {
    Err(feature_off("signed"))
}

/// With the `tokio` feature, every tier keeps its own async impl.
#[cfg(feature = "tokio")]
pub(super) fn build_tiers(tiers: Vec<Backend>) -> Result<Backend> {
    Ok(Box::new(crate::TieredBytecodeCache::from_stores(tiers)))
}

#[cfg(not(feature = "tokio"))]
pub(super) fn build_tiers(tiers: Vec<Backend>) -> Result<Backend> {
    Ok(Box::new(crate::TieredBytecodeCache::new(tiers)))
}

#[allow(dead_code, reason = "unused when every store's feature is on")]
fn feature_off(feature: &'static str) -> Error {
    Error::DerivedConfig {
        reason: format!("this build of bccache lacks its `{feature}` feature"),
    }
}
