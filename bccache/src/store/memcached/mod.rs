//! [`MemcachedBytecodeCache`]: buckets in memcached, Jinja2's `MemcachedBytecodeCache`.
//!
//! The store and its docs are in `store.rs`, its loads in `load.rs`; its builder, the client
//! interface, chunked entries, server URLs, placement on a cluster, each server's requests and
//! the text protocol (sans-IO) have a file each. Connections, timeouts, placement, batch
//! windows and the error policy come from [`crate::net`].

#[cfg(feature = "tokio")]
mod asynchronous;
mod backend;
mod builder;
mod chunk;
mod client;
mod cluster;
mod lease;
mod load;
pub(crate) mod protocol;
mod server;
mod store;
mod url;

pub use builder::MemcachedBytecodeCacheBuilder;
pub use client::MemcachedClient;
pub use store::MemcachedBytecodeCache;

/// memcached's limit on key length.
const MAX_KEY_LEN: usize = 250;
