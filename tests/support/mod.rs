//! Shared support for the integration tests: real memcached servers on loopback.
#![allow(dead_code)]

pub mod child;
pub mod memcached;
pub mod unprivileged;
