//! What the network stores' leases share: a random token naming the holder, the expiry in
//! whole seconds, and the error policy applied to a lease that could not be asked for.

use std::time::Duration;

use std::future::Future;

use crate::error::{Error, Result};
use crate::lease::{Lease, LeaseGuard};

use super::exchange::{Blocking, Transport, now};
use super::shell::Shell;

/// The suffix of a lease's key: `{prefix}{key}.lease`.
pub(crate) const SUFFIX: &str = ".lease";

/// 16 random bytes in hex: names the holder, so a release never deletes another's lease.
pub(crate) fn token() -> String {
    let mut bytes = [0u8; 16];
    if !from_urandom(&mut bytes) {
        // Without /dev/urandom: the time, the process and a counter, hashed.
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let seed = format!(
            "{nanos}/{}/{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        bytes = xxhash_rust::xxh3::xxh3_128(seed.as_bytes()).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_urandom(bytes: &mut [u8]) -> bool {
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut file| file.read_exact(bytes))
        .is_ok()
}

/// `ttl` in whole seconds, rounded up, at least 1 and at most `max`.
// memcached expiries are whole seconds.
#[cfg_attr(not(feature = "memcached"), allow(dead_code))]
pub(crate) fn whole_seconds(ttl: Duration, max: u32) -> u32 {
    let secs = ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0);
    u32::try_from(secs).unwrap_or(u32::MAX).clamp(1, max.max(1))
}

impl Shell {
    /// A lease that could not be asked for: counted, then with errors ignored the store
    /// answers as one without leases (the loader compiles), else the error.
    pub(crate) fn lease_failed(&self, error: Error) -> Result<Lease> {
        self.counters.failed();
        super::policy::apply(self.ignore_errors, error, false).map(|()| Lease::Unsupported)
    }
}

/// A lease held on `server` under `key` with `token`.
pub(crate) struct Held<S> {
    pub(crate) server: std::sync::Arc<S>,
    pub(crate) key: String,
    pub(crate) token: String,
}

/// What gives a held lease back, on either transport.
pub(crate) trait Release: Send + Sync + 'static {
    /// Gives the lease back; best effort, as a lease whose release fails expires on its own.
    fn release<T: Transport>(&self, transport: T) -> impl Future<Output = ()> + Send;
}

/// The guard of a held lease: it releases when dropped, spawned on the tokio runtime when the
/// lease was taken there and a runtime is current (an async guard dropped in a task), else
/// here on the blocking transport.
pub(crate) fn guard<R: Release>(on_runtime: bool, release: R) -> LeaseGuard {
    #[cfg(feature = "tokio")]
    if on_runtime {
        let release = std::sync::Arc::new(release);
        return LeaseGuard::new(move || match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move { release.release(super::tokio_stream::Tokio).await });
            }
            Err(_) => now(release.release(Blocking)),
        });
    }
    let _ = on_runtime;
    LeaseGuard::new(move || now(release.release(Blocking)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_differ_and_are_32_hex_digits() {
        let (a, b) = (token(), token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn expiries_round_up_to_whole_seconds() {
        assert_eq!(whole_seconds(Duration::from_millis(1), 100), 1);
        assert_eq!(whole_seconds(Duration::ZERO, 100), 1);
        assert_eq!(whole_seconds(Duration::from_millis(1500), 100), 2);
        assert_eq!(whole_seconds(Duration::from_secs(500), 100), 100);
    }
}
