// MERGE: delete when memcached and Redis implement AsyncBytecodeCache natively
//! The memcached and Redis stores as derived backends while they implement only the sync
//! trait: with the `tokio` feature their async calls go through the blocking pool.

use super::Backend;
use crate::cache::BytecodeCache;

#[cfg(feature = "tokio")]
pub(super) fn backend<B: BytecodeCache + 'static>(store: B) -> Backend {
    Box::new(crate::Blocking::new(store))
}

#[cfg(not(feature = "tokio"))]
pub(super) fn backend<B: BytecodeCache + 'static>(store: B) -> Backend {
    Box::new(store)
}
