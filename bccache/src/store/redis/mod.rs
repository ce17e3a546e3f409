//! [`RedisBytecodeCache`]: buckets in Redis or Redis Cluster.
//!
//! The store and its docs are in `store.rs`; its builder, each server's connections, Redis
//! Cluster's slots, where a batch's keys go (`route.rs`) and what an `MGET` reply holds
//! (`reply.rs`) have a file each. The `redis` crate speaks the protocol; connections,
//! timeouts, placement, batch windows and the error policy come from [`crate::net`].

mod builder;
mod cluster;
mod connection;
pub(crate) mod reply;
mod route;
mod store;

pub use builder::RedisBytecodeCacheBuilder;
pub use store::RedisBytecodeCache;
