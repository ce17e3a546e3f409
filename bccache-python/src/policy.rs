//! Jinja2's `ignore_memcache_errors` as a switch that can change after construction.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bccache::{Bucket, BytecodeCache, CacheStats, Result};

/// A network store built to return every error, and this policy in front of it: while the
/// switch is on, a failed load is a miss and a failed dump is dropped (the store has counted
/// the error). Jinja2 users flip `cache.ignore_memcache_errors` on a live cache; the stores'
/// own setting is fixed when they are built, so the switch lives here.
pub(crate) struct IgnoreErrors {
    inner: Box<dyn BytecodeCache>,
    ignore: Arc<AtomicBool>,
}

impl IgnoreErrors {
    pub(crate) fn new(inner: Box<dyn BytecodeCache>, ignore: Arc<AtomicBool>) -> Self {
        IgnoreErrors { inner, ignore }
    }

    fn ignoring(&self) -> bool {
        self.ignore.load(Ordering::Relaxed)
    }
}

impl BytecodeCache for IgnoreErrors {
    fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
        match self.inner.load_bytecode(bucket) {
            Err(_) if self.ignoring() => {
                bucket.reset();
                Ok(())
            }
            result => result,
        }
    }

    fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
        match self.inner.dump_bytecode(bucket) {
            Err(_) if self.ignoring() => Ok(()),
            result => result,
        }
    }

    fn clear(&self) -> Result<()> {
        self.inner.clear()
    }

    fn stats(&self) -> Option<CacheStats> {
        self.inner.stats()
    }

    fn flush_stats(&self) -> Result<()> {
        self.inner.flush_stats()
    }
}
