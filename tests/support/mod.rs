//! Shared support for the integration tests: child processes, unprivileged reruns, real
//! memcached and Redis servers on loopback, and small fixtures.
#![allow(dead_code)]

#[cfg(feature = "tokio")]
pub mod asynchronous;
pub mod below;
pub mod child;
pub mod engine;
pub mod fs;
pub mod hostile_server;
pub mod memcached;
pub mod nginx;
pub mod paused;
pub mod redis;
pub mod s3;
pub mod slow;
#[cfg(feature = "https")]
pub mod tls;
pub mod unprivileged;
