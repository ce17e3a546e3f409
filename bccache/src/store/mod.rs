//! The stores: each holds entries somewhere (files, process memory, memcached, Redis) and
//! implements the [`BytecodeCache`](crate::BytecodeCache) trait on its own.

pub(crate) mod fs;
#[cfg(feature = "http")]
pub(crate) mod http;
#[cfg(feature = "memcached")]
pub(crate) mod memcached;
#[cfg(feature = "memory")]
pub(crate) mod memory;
#[cfg(feature = "redis")]
pub(crate) mod redis;
#[cfg(feature = "s3")]
pub(crate) mod s3;
