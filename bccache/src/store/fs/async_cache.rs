//! The filesystem store as an [`AsyncBytecodeCache`](crate::AsyncBytecodeCache): its file I/O
//! runs on tokio's blocking pool, as `tokio::fs` does, since no file read is non-blocking.
//!
//! The machinery is [`Blocking`](crate::Blocking)'s: a call moves a clone of the store (which
//! shares its counters, stats file and bound) and the bucket's key, checksum and fingerprint
//! to the pool, and gets the code back. A hit is one trip to the pool, a batch too; keys,
//! checksums and stats are answered in place.

use crate::async_cache::blocking::{OnPool, async_on_pool};
use crate::store::fs::FileSystemBytecodeCache;

impl OnPool for FileSystemBytecodeCache {
    type Handle = Self;

    fn handle(&self) -> &Self {
        self
    }
}

async_on_pool!(impl[] for FileSystemBytecodeCache);
