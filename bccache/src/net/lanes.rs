//! A server's connections: lanes of one connection each, used by one request at a time, and
//! the skip clock that keeps a server that stopped answering from costing a timeout per key.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

/// How long a server that refused a connection or timed out is skipped.
pub(crate) const SKIP_FOR: Duration = Duration::from_secs(1);
/// Connections per server: the most requests one server serves at once from this process.
pub(crate) const LANES_PER_SERVER: usize = 8;

/// The connections of one server, each in a lane of its own, and the server's skip clock.
///
/// A lane is held for a whole request, so a connection that failed in a way that may leave a
/// reply unread is dropped before anyone else can take it (a late reply would otherwise answer
/// the next request, for another key).
pub(crate) struct Lanes<C> {
    lanes: Box<[Mutex<Option<C>>]>,
    next_lane: AtomicUsize,
    /// The server's skip clock, shared with every transport's connections to it.
    pub(crate) clock: SkipClock,
}

/// When a server that refused a connection or timed out is tried again.
pub(crate) struct SkipClock {
    /// Start of this server's clock for `skip_until_ms`.
    epoch: Instant,
    /// While this server's clock is below it, the server is skipped.
    skip_until_ms: AtomicU64,
}

impl Default for SkipClock {
    fn default() -> Self {
        SkipClock {
            epoch: Instant::now(),
            skip_until_ms: AtomicU64::new(0),
        }
    }
}

impl<C> Default for Lanes<C> {
    fn default() -> Self {
        Lanes {
            lanes: (0..LANES_PER_SERVER).map(|_| Mutex::new(None)).collect(),
            next_lane: AtomicUsize::new(0),
            clock: SkipClock::default(),
        }
    }
}

impl SkipClock {
    /// How many more milliseconds the server is skipped for, or `None` when it is not.
    pub(crate) fn skipped_for_ms(&self) -> Option<u64> {
        let now_ms = self.now_ms();
        let until = self.skip_until_ms.load(Ordering::Relaxed);
        (now_ms < until).then(|| until - now_ms)
    }

    /// Skips the server for [`SKIP_FOR`] from now.
    pub(crate) fn skip(&self) {
        let until = self.now_ms().saturating_add(SKIP_FOR.as_millis() as u64);
        self.skip_until_ms.fetch_max(until, Ordering::Relaxed);
    }

    fn now_ms(&self) -> u64 {
        // Clamped at u64::MAX milliseconds, half a billion years.
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// What a request that ran on `connection` (`fresh`: opened for it) leaves: the
    /// connection to keep, or none, skipping the server when the failure says so.
    pub(crate) fn settle<C, T, E: Failure>(
        &self,
        connection: C,
        fresh: bool,
        result: &Result<T, E>,
    ) -> Option<C> {
        match result {
            Ok(_) => Some(connection),
            // A new connection closed before its first answer: the server serves no one.
            Err(error) if fresh && error.is_stale() => {
                self.skip();
                None
            }
            Err(error) => match error.after() {
                After::Keep => Some(connection),
                After::Drop => None,
                After::DropAndSkip => {
                    self.skip();
                    None
                }
            },
        }
    }
}

impl<C> Lanes<C> {
    /// Connections kept open in the lanes now (a lane in use counts as open).
    pub(crate) fn open(&self) -> usize {
        self.lanes
            .iter()
            .filter(|lane| match lane.try_lock() {
                Ok(guard) => guard.is_some(),
                Err(_) => true,
            })
            .count()
    }

    /// A free lane, or, when all are busy, one to wait for.
    pub(crate) fn lane(&self) -> MutexGuard<'_, Option<C>> {
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
}

/// What a failed request leaves of its connection and server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum After {
    /// The reply was read in full: the connection is in step and kept.
    Keep,
    /// A reply may be unread, partly read or garbled: the connection is never used again.
    Drop,
    /// The server refused a connection or did not answer in time: the connection is dropped
    /// and the server skipped for [`SKIP_FOR`].
    DropAndSkip,
}

/// A request's error, as the lanes need to see it.
pub(crate) trait Failure {
    /// What the failure leaves of the connection.
    fn after(&self) -> After;

    /// Whether the connection was found closed by the server before any byte of the reply: a
    /// kept-open one (a restart, an idle timeout) is replaced and the request sent once more; a
    /// new one means the server serves no one, and it is skipped.
    fn is_stale(&self) -> bool {
        false
    }
}

/// Why [`Lanes::run`] gave no answer.
#[derive(Debug)]
pub(crate) enum Refused<E> {
    /// The server is skipped, for this many more milliseconds.
    Skipped(u64),
    /// Connecting or the request failed.
    Failed(E),
}

impl<C> Lanes<C> {
    /// Runs one request on a kept-open connection (opened with `connect` when the lane has
    /// none): a failure drops the connection or skips the server as [`Failure::after`] says,
    /// and a request that found its kept-open connection stale is sent once more on a new one.
    /// Every request run here is idempotent.
    /// `request` is told whether the connection is new.
    pub(crate) fn run<T, E: Failure>(
        &self,
        connect: impl Fn() -> Result<C, E>,
        mut request: impl FnMut(&mut C, bool) -> Result<T, E>,
    ) -> Result<T, Refused<E>> {
        if let Some(for_ms) = self.clock.skipped_for_ms() {
            return Err(Refused::Skipped(for_ms));
        }
        let mut lane = self.lane();
        let reused = lane.is_some();
        match self.request_on(&mut lane, &connect, &mut request) {
            Err(error) if reused && error.is_stale() => self
                .request_on(&mut lane, &connect, &mut request)
                .map_err(Refused::Failed),
            result => result.map_err(Refused::Failed),
        }
    }

    fn request_on<T, E: Failure>(
        &self,
        lane: &mut Option<C>,
        connect: &impl Fn() -> Result<C, E>,
        request: &mut impl FnMut(&mut C, bool) -> Result<T, E>,
    ) -> Result<T, E> {
        let fresh = lane.is_none();
        let mut connection = match lane.take() {
            Some(connection) => connection,
            None => connect().inspect_err(|_| self.clock.skip())?,
        };
        let result = request(&mut connection, fresh);
        *lane = self.clock.settle(connection, fresh, &result);
        result
    }
}

/// A lane whose last user panicked mid-request may hold a connection with a reply unread.
fn recover<'a, C>(
    lane: &'a Mutex<Option<C>>,
    mut guard: MutexGuard<'a, Option<C>>,
) -> MutexGuard<'a, Option<C>> {
    *guard = None;
    lane.clear_poison();
    guard
}

/// The message of a request refused because its server is skipped.
#[derive(Debug)]
pub(crate) struct Skipped {
    pub(crate) for_ms: u64,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "skipped for another {} ms after it refused a connection or timed out",
            self.for_ms
        )
    }
}

impl std::error::Error for Skipped {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skipped_server_is_skipped_for_about_a_second() {
        let clock = SkipClock::default();
        assert_eq!(clock.skipped_for_ms(), None);
        clock.skip();
        let left = clock.skipped_for_ms().expect("skipped");
        assert!(left > 500 && left <= 1000, "{left}");
    }

    #[test]
    fn busy_lanes_are_passed_over_for_free_ones() {
        let lanes = Lanes::<u32>::default();
        let mut held: Vec<_> = (0..LANES_PER_SERVER).map(|_| lanes.lane()).collect();
        for (n, lane) in held.iter_mut().enumerate() {
            assert!(lane.is_none());
            **lane = Some(n as u32);
        }
        drop(held);
        assert_eq!(*lanes.lane(), Some(0));
    }

    #[derive(Debug, PartialEq)]
    struct Fails(After, bool);

    impl Failure for Fails {
        fn after(&self) -> After {
            self.0
        }
        fn is_stale(&self) -> bool {
            self.1
        }
    }

    #[test]
    fn failures_drop_the_connection_or_skip_the_server_as_they_say() {
        let lanes = Lanes::<u32>::default();
        let connects = std::cell::Cell::new(0);
        let connect = || {
            connects.set(connects.get() + 1);
            Ok::<_, Fails>(connects.get())
        };
        assert_eq!(lanes.run(connect, |c, _| Ok::<_, Fails>(*c)).ok(), Some(1));
        assert_eq!(lanes.run(connect, |c, _| Ok::<_, Fails>(*c)).ok(), Some(1));
        let kept = lanes.run(connect, |_, _| Err::<u32, _>(Fails(After::Keep, false)));
        assert!(matches!(kept, Err(Refused::Failed(_))));
        let dropped = lanes.run(connect, |_, _| Err::<u32, _>(Fails(After::Drop, false)));
        assert!(matches!(dropped, Err(Refused::Failed(_))));
        assert_eq!(lanes.run(connect, |c, _| Ok::<_, Fails>(*c)).ok(), Some(2));
        // A stale kept-open connection: sent again once, on a new connection.
        let mut tries = 0;
        let retried = lanes.run(connect, |c, _| {
            tries += 1;
            if tries == 1 {
                Err(Fails(After::Drop, true))
            } else {
                Ok(*c)
            }
        });
        assert_eq!(retried.ok(), Some(3));
        let skipped = lanes.run(connect, |_, _| {
            Err::<u32, _>(Fails(After::DropAndSkip, false))
        });
        assert!(matches!(skipped, Err(Refused::Failed(_))));
        assert!(matches!(
            lanes.run(connect, |c, _| Ok::<_, Fails>(*c)),
            Err(Refused::Skipped(_))
        ));
        assert_eq!(connects.get(), 3);
    }
}
