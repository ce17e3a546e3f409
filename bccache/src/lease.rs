//! Leases for single flight: one loader compiles a missing key while the others wait for its
//! entry (see `CachedLoader::single_flight`).

use std::fmt;

/// What a store answers when a loader asks to be the one that compiles a key.
///
/// Stores without leases answer [`Lease::Unsupported`] (the default of
/// [`BytecodeCache::lease`](crate::BytecodeCache::lease)): their loaders compile as without
/// single flight.
#[derive(Debug)]
#[non_exhaustive]
pub enum Lease {
    /// The store has no leases: compile.
    Unsupported,
    /// Another loader (thread, task, process or machine) holds the key: wait for its entry.
    Busy,
    /// This loader holds the key until the guard is dropped: compile, store, then drop it.
    Held(LeaseGuard),
}

/// A held lease, released when dropped.
///
/// Releasing is best effort: a release that fails (a server gone) leaves the lease to expire
/// on its own, as a holder that died would.
pub struct LeaseGuard {
    release: Option<Box<dyn FnOnce() + Send>>,
}

impl LeaseGuard {
    /// A guard that runs `release` once, when dropped.
    pub fn new(release: impl FnOnce() + Send + 'static) -> Self {
        LeaseGuard {
            release: Some(Box::new(release)),
        }
    }

    /// A guard with nothing to release (a lease the kernel or an expiry frees).
    pub fn none() -> Self {
        LeaseGuard { release: None }
    }
}

impl Drop for LeaseGuard {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            release();
        }
    }
}

impl fmt::Debug for LeaseGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LeaseGuard")
            .field("held", &self.release.is_some())
            .finish()
    }
}
