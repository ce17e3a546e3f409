//! Connections to one memcached server: lanes of one connection each, dropped after a failure
//! that may leave a reply unread, and the server skipped for a while after it stopped answering.

use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, TryLockError};
use std::time::{Duration, Instant};

use memcache::{ConnectionManager, MemcacheError};
use scheduled_thread_pool::{OnPoolDropBehavior, ScheduledThreadPool};

use super::url::ServerUrl;
use crate::error::Result;

/// How long a server that refused a connection or timed out is skipped.
const SKIP_FOR: Duration = Duration::from_secs(1);
/// Connections per server: the most requests one server serves at once from this process.
const LANES_PER_SERVER: usize = 8;
/// The name of each server's connecting thread (Linux keeps 15 bytes of a thread's name).
const CONNECT_THREAD_NAME: &str = "bccache-connect";

/// One memcached server: its tuned URL, and connections opened as concurrent requests need them.
pub(super) struct Server {
    /// Where it listens, its name and timeouts.
    pub(super) url: ServerUrl,
    /// Each lane owns one connection (a client with a pool of one), used by one request at a
    /// time, so a broken connection can be dropped before anyone else can take it.
    lanes: Box<[Mutex<Option<memcache::Client>>]>,
    next_lane: AtomicUsize,
    /// The one thread that opens connections for all lanes, started on first use. Without it
    /// r2d2 starts three threads for every lane's pool, and again for every pool rebuilt.
    connector: OnceLock<Arc<ScheduledThreadPool>>,
    /// Start of this server's clock for `skip_until_ms`.
    epoch: Instant,
    /// While this server's clock is below it, the server is skipped.
    skip_until_ms: AtomicU64,
}

impl Server {
    /// The server at the URL `given`, not contacted yet.
    pub(super) fn new(given: &str) -> Result<Self> {
        Ok(Server {
            url: ServerUrl::parse(given)?,
            lanes: (0..LANES_PER_SERVER).map(|_| Mutex::new(None)).collect(),
            next_lane: AtomicUsize::new(0),
            connector: OnceLock::new(),
            epoch: Instant::now(),
            skip_until_ms: AtomicU64::new(0),
        })
    }

    /// Runs one request on a connection of this server, dropping the connection after any
    /// failure that may have left a reply unread, and skipping the server for a while after it
    /// refused a connection or timed out.
    pub(super) fn run<T>(
        &self,
        request: impl FnOnce(&memcache::Client) -> std::result::Result<T, MemcacheError>,
    ) -> std::result::Result<T, ServerError> {
        let now_ms = self.now_ms();
        let skip_until_ms = self.skip_until_ms.load(Ordering::Relaxed);
        if now_ms < skip_until_ms {
            return Err(self.error(Failure::Skipped {
                for_ms: skip_until_ms - now_ms,
            }));
        }
        let mut lane = self.lane();
        let client = match &mut *lane {
            Some(client) => client,
            empty => match self.new_client() {
                Ok(client) => empty.insert(client),
                Err(error) => return Err(self.failed(empty, error)),
            },
        };
        request(client).map_err(|error| self.failed(&mut lane, error))
    }

    /// Drops the lane's connection and skips the server as the error calls for.
    fn failed(&self, lane: &mut Option<memcache::Client>, error: MemcacheError) -> ServerError {
        match After::of(&error) {
            After::Keep => {}
            After::Drop => *lane = None,
            After::DropAndSkip => {
                *lane = None;
                let until = self.now_ms().saturating_add(SKIP_FOR.as_millis() as u64);
                self.skip_until_ms.fetch_max(until, Ordering::Relaxed);
            }
        }
        self.error(Failure::Memcache(error))
    }

    fn now_ms(&self) -> u64 {
        // Clamped at u64::MAX milliseconds, half a billion years.
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A free lane, or, when all are busy, one to wait for.
    fn lane(&self) -> MutexGuard<'_, Option<memcache::Client>> {
        for lane in self.lanes.iter() {
            match lane.try_lock() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(poisoned)) => {
                    return recover(lane, poisoned.into_inner());
                }
                Err(TryLockError::WouldBlock) => {}
            }
        }
        let lane = &self.lanes[self.next_lane.fetch_add(1, Ordering::Relaxed) % self.lanes.len()];
        match lane.lock() {
            Ok(guard) => guard,
            Err(poisoned) => recover(lane, poisoned.into_inner()),
        }
    }

    /// A client of one connection, opened on first use: no eager connect, no check-out ping.
    fn new_client(&self) -> std::result::Result<memcache::Client, MemcacheError> {
        let connector = self.connector.get_or_init(|| {
            Arc::new(
                ScheduledThreadPool::builder()
                    .num_threads(1)
                    .thread_name_pattern(CONNECT_THREAD_NAME)
                    // A connect still scheduled when the cache is dropped is for nobody.
                    .on_drop_behavior(OnPoolDropBehavior::DiscardPendingScheduled)
                    .build(),
            )
        });
        let pool = r2d2::Pool::builder()
            .max_size(1)
            .min_idle(Some(0))
            .test_on_check_out(false)
            // No reaper: a task repeating on the shared thread for as long as the client lives.
            // A connection the server closed fails once and is replaced.
            .max_lifetime(None)
            .idle_timeout(None)
            .connection_timeout(self.url.connect_timeout)
            .error_handler(Box::new(r2d2::NopErrorHandler))
            .thread_pool(Arc::clone(connector))
            .build_unchecked(ConnectionManager::new(self.url.tuned.clone()));
        let client = memcache::Client::with_pool(pool)?;
        if self.url.is_unix {
            // Opens the lane's one connection (this is its first use) and sets its timeouts.
            client.set_read_timeout(Some(self.url.io_timeout))?;
            client.set_write_timeout(Some(self.url.io_timeout))?;
        }
        Ok(client)
    }

    fn error(&self, failure: Failure) -> ServerError {
        ServerError {
            server: self.url.name.clone(),
            failure,
        }
    }
}

/// A lane whose last user panicked mid-request may hold a connection with a reply unread.
fn recover<'a>(
    lane: &'a Mutex<Option<memcache::Client>>,
    mut guard: MutexGuard<'a, Option<memcache::Client>>,
) -> MutexGuard<'a, Option<memcache::Client>> {
    *guard = None;
    lane.clear_poison();
    guard
}

/// What to do with a lane's client after a failed request.
enum After {
    /// The reply was read in full: the connection is in step.
    Keep,
    /// A reply may be unread, partly read or garbled: never use the connection again.
    Drop,
    /// The server refused a connection or did not answer in time: drop the client, and skip the
    /// server for a while. Dropping also stops the client's pool from retrying the connect in
    /// the background (every `connect_timeout / 2`) while the server is skipped; the next
    /// client, built when the skip ends, costs no new thread.
    DropAndSkip,
}

impl After {
    fn of(error: &MemcacheError) -> Self {
        match error {
            // Command errors (e.g. value too large) are complete replies; a key too long never
            // left.
            MemcacheError::CommandError(_) => After::Keep,
            MemcacheError::ClientError(memcache::ClientError::KeyTooLong) => After::Keep,
            // The pool could not open a connection within the connect timeout.
            MemcacheError::PoolError(_) => After::DropAndSkip,
            MemcacheError::IOError(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                After::DropAndSkip
            }
            _ => After::Drop,
        }
    }
}

/// Why a request to one server failed.
#[derive(Debug)]
enum Failure {
    Skipped { for_ms: u64 },
    Memcache(MemcacheError),
}

/// A failed request, naming the server.
#[derive(Debug)]
pub(super) struct ServerError {
    server: String,
    failure: Failure,
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.failure {
            Failure::Skipped { for_ms } => write!(
                f,
                "server `{}` skipped for another {for_ms} ms after it refused a connection or timed out",
                self.server
            ),
            Failure::Memcache(_) => write!(f, "server `{}`", self.server),
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.failure {
            Failure::Skipped { .. } => None,
            Failure::Memcache(error) => Some(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// a moment after it is told to end.
    #[cfg(target_os = "linux")]
    fn threads_named(name: &str, expected: usize) -> usize {
        let count = || {
            std::fs::read_dir("/proc/self/task")
                .into_iter()
                .flatten()
                .flatten()
                .filter(|task| {
                    std::fs::read_to_string(task.path().join("comm"))
                        .is_ok_and(|comm| comm.starts_with(name))
                })
                .count()
        };
        for _ in 0..100 {
            if count() == expected {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        count()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn every_lane_of_a_server_connects_on_one_thread_started_on_first_use()
    -> std::result::Result<(), Box<dyn std::error::Error>> {
        // The only test here that starts threads to connect, so the counts are this test's.
        let connect_threads = |expected| threads_named(CONNECT_THREAD_NAME, expected);
        // r2d2's own, which it starts for a pool given no thread pool.
        let r2d2_threads = || threads_named("r2d2-worker-", 0);
        let server = Server::new("memcache://127.0.0.1:1")?;
        assert_eq!(connect_threads(0), 0, "built with a thread");
        let clients = (0..2 * LANES_PER_SERVER)
            .map(|_| server.new_client())
            .collect::<std::result::Result<Vec<_>, _>>()?;
        assert_eq!(connect_threads(1), 1);
        assert_eq!(r2d2_threads(), 0);
        // Clients rebuilt after errors share it too.
        drop(clients);
        let again = server.new_client()?;
        assert_eq!(connect_threads(1), 1);
        assert_eq!(r2d2_threads(), 0);
        drop(again);
        drop(server);
        assert_eq!(connect_threads(0), 0, "the thread outlived its server");
        Ok(())
    }
}
