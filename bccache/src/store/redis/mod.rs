//! [`RedisBytecodeCache`]: buckets in Redis or Redis Cluster.
//!
//! The store and its docs are in `store.rs`, what it does (for either transport) in `ops.rs`;
//! its builder, each server's connections and URL, Redis Cluster's slots, where a batch's keys
//! go (`route.rs`), a `GET` decoded into its bucket (`entry.rs`) and the protocol (`resp.rs`,
//! sans-IO) have a file each. Connections,
//! timeouts, placement, batch windows and the error policy come from [`crate::net`].

#[cfg(feature = "tokio")]
mod asynchronous;
mod builder;
mod cluster;
mod connection;
mod entry;
mod ops;
pub(crate) mod resp;
mod route;
mod store;

pub use builder::RedisBytecodeCacheBuilder;
pub use store::RedisBytecodeCache;
