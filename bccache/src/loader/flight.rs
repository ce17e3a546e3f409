//! Single flight: the first loader to miss a key takes its lease and compiles; the others wait
//! for its entry (see [`CachedLoader::single_flight`]).

use std::thread;
use std::time::{Duration, Instant};

use super::{CachedLoader, Compiler, Job, LoadOutcome, Loaded};
use crate::bucket::Bucket;
use crate::cache::BytecodeCache;
use crate::error::Result;
use crate::lease::{Lease, LeaseGuard};

/// The first pause between two looks for an entry another loader is compiling.
const FIRST_PAUSE: Duration = Duration::from_millis(5);
/// Pauses double up to this: a compile that takes seconds costs a waiter ten looks a second.
const LONGEST_PAUSE: Duration = Duration::from_millis(100);

/// The pauses of one wait, all within its `max_wait`.
#[derive(Debug)]
pub(super) struct Backoff {
    max_wait: Duration,
    deadline: Option<Instant>,
    next: Duration,
}

impl Backoff {
    pub(super) fn new(max_wait: Duration) -> Self {
        Backoff {
            max_wait,
            // `None`: a wait too long to count in an `Instant` never ends on its own.
            deadline: Instant::now().checked_add(max_wait),
            next: FIRST_PAUSE,
        }
    }

    /// The next pause while waiting for `name` (5 ms, doubling up to 100 ms, cut to what is
    /// left), or `None` once `max_wait` has passed.
    pub(super) fn pause(&mut self, name: &str) -> Option<Duration> {
        let left = match self.deadline {
            Some(deadline) => deadline.saturating_duration_since(Instant::now()),
            None => Duration::MAX,
        };
        if left.is_zero() {
            let max_wait = self.max_wait;
            tracing::debug!(name, ?max_wait, "waited out the lease holder; compiling");
            return None;
        }
        let pause = self.next.min(left);
        self.next = (self.next * 2).min(LONGEST_PAUSE);
        Some(pause)
    }
}

/// What a loader does about a missing key once the store answered its lease request.
pub(super) enum Step {
    /// It holds the lease: look once more (the last holder may have stored the entry between
    /// the miss and the lease), else compile, store, release.
    Held(LeaseGuard),
    /// No lease to be had (the store has none, or asking failed): compile.
    Compile,
    /// Another loader compiles: wait for its entry.
    Wait,
}

impl Step {
    pub(super) fn of(key: &str, lease: Result<Lease>) -> Self {
        match lease {
            Ok(Lease::Held(guard)) => Step::Held(guard),
            Ok(Lease::Busy) => Step::Wait,
            Ok(Lease::Unsupported) => Step::Compile,
            Err(error) => {
                tracing::debug!(
                    key,
                    error = &error as &(dyn std::error::Error + 'static),
                    "cannot take a single-flight lease; compiling without it"
                );
                Step::Compile
            }
        }
    }
}

/// What another look at the store found.
pub(super) enum Look<T> {
    /// The entry, decoded.
    Hit(Loaded<T>),
    /// Nothing (or a failed load, traced).
    Missing,
    /// An entry that does not decode: compiling is all that is left.
    Undecodable,
}

/// One miss of a batch: where its result goes, its bucket and what was asked.
pub(super) type Miss<'a, 'b, S> = (usize, Bucket<'b>, Job<'a, S>);

impl<C: Compiler, B> CachedLoader<C, B> {
    /// The same loader with single flight: of the loaders that miss a key at once — threads,
    /// tasks, processes or machines sharing the store — one compiles it while the others wait
    /// up to `max_wait` for its entry and load that instead of compiling.
    ///
    /// On a miss the loader asks the store for a lease on the key
    /// ([`BytecodeCache::lease`], with `max_wait` as its time to live):
    ///
    /// - **held**: it looks once more (the last holder may have just stored the entry), else
    ///   compiles, stores, and releases the lease;
    /// - **busy**: it looks for the entry after 5 ms, then after pauses doubling up to 100 ms,
    ///   asking for the lease again each time: a holder that died, failed to compile or
    ///   outlived its lease leaves it to the next asker, which compiles. After `max_wait` in
    ///   all it compiles anyway;
    /// - **unsupported** (the store has no leases), or asking fails: it compiles, as without
    ///   single flight.
    ///
    /// Hits never touch a lease. Leases: the filesystem store locks a file beside the entry
    /// (`flock`, freed by the kernel when its process dies), the memory store holds them in
    /// the process, memcached and Redis in the server, a tiered cache in its lowest tier that
    /// has them; `ReadOnly` has none.
    ///
    /// Async loads wait with `tokio::time::sleep`; sync ones sleep their thread. Loads of a
    /// batch ([`load_many`](Self::load_many)) ask for each missing key's lease in order,
    /// compile the keys they hold, then wait for the others' entries with one `max_wait` for
    /// the whole batch.
    ///
    /// ```
    /// use std::time::Duration;
    /// # #[cfg(feature = "regex")] {
    /// use bccache::engine::regex::DfaCompiler;
    /// use bccache::{CachedLoader, FileSystemBytecodeCache};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let cache = FileSystemBytecodeCache::new(dir.path(), "__rules_%s.cache")?;
    /// let loader = CachedLoader::new(DfaCompiler::new(), cache)
    ///     .single_flight(Duration::from_secs(10));
    /// // Threads (or processes) loading "rules" at once compile it once.
    /// std::thread::scope(|s| {
    ///     for _ in 0..4 {
    ///         s.spawn(|| loader.load("rules", None, "[a-z]+@[a-z]+\\.org").map(drop));
    ///     }
    /// });
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn single_flight(mut self, max_wait: Duration) -> Self {
        self.single_flight = Some(max_wait);
        self
    }

    /// `max_wait` of [`single_flight`](Self::single_flight), `None` without it.
    pub fn single_flight_wait(&self) -> Option<Duration> {
        self.single_flight
    }
}

impl<C: Compiler, B: BytecodeCache> CachedLoader<C, B> {
    /// The code of a missing key: compiled, or with single flight possibly another loader's.
    pub(super) fn fill_miss(
        &self,
        bucket: &mut Bucket<'_>,
        job: Job<'_, C::Source>,
    ) -> LoadOutcome<C> {
        let Some(max_wait) = self.single_flight else {
            return self.compile_and_store(bucket, job);
        };
        self.settle(bucket, job, &mut Backoff::new(max_wait))
    }

    /// Asks for the lease once: the code when the loader compiles (or finds the entry), `None`
    /// when another loader holds the key.
    fn attempt(
        &self,
        bucket: &mut Bucket<'_>,
        job: Job<'_, C::Source>,
        max_wait: Duration,
    ) -> Option<LoadOutcome<C>> {
        match Step::of(&bucket.key, self.cache.lease(&bucket.key, max_wait)) {
            Step::Wait => None,
            Step::Compile => Some(self.compile_and_store(bucket, job)),
            Step::Held(guard) => {
                if let Look::Hit(loaded) = self.look_again(bucket, job.name) {
                    return Some(Ok(loaded));
                }
                let outcome = self.compile_and_store(bucket, job);
                drop(guard);
                Some(outcome)
            }
        }
    }

    /// Waits for another loader's entry within `backoff`, taking over its lease when it goes,
    /// and compiles when the wait is over.
    fn settle(
        &self,
        bucket: &mut Bucket<'_>,
        job: Job<'_, C::Source>,
        backoff: &mut Backoff,
    ) -> LoadOutcome<C> {
        let max_wait = self.single_flight.unwrap_or_default();
        loop {
            if let Some(outcome) = self.attempt(bucket, job, max_wait) {
                return outcome;
            }
            let Some(pause) = backoff.pause(job.name) else {
                break;
            };
            thread::sleep(pause);
            match self.look_again(bucket, job.name) {
                Look::Hit(loaded) => return Ok(loaded),
                Look::Undecodable => break,
                Look::Missing => {}
            }
        }
        self.compile_and_store(bucket, job)
    }

    /// Loads `bucket` again and decodes what it finds.
    fn look_again(&self, bucket: &mut Bucket<'_>, name: &str) -> Look<C::Code> {
        bucket.code = None;
        if let Err(error) = self.cache.load_bytecode(bucket) {
            tracing::debug!(
                name,
                error = &error as &(dyn std::error::Error + 'static),
                "cannot look for the lease holder's entry"
            );
            return Look::Missing;
        }
        look_of(self.decode_hit(bucket, name), bucket)
    }

    /// [`load_many`](Self::load_many)'s misses with single flight: each key's lease is asked
    /// for in order and the held ones compiled; then the others' entries are waited for, all
    /// within one `max_wait`.
    pub(super) fn fill_misses(
        &self,
        misses: Vec<Miss<'_, '_, C::Source>>,
        results: &mut [Option<LoadOutcome<C>>],
    ) {
        let Some(max_wait) = self.single_flight else {
            for (at, mut bucket, job) in misses {
                results[at] = Some(self.compile_and_store(&mut bucket, job));
            }
            return;
        };
        let mut waiting = Vec::new();
        for (at, mut bucket, job) in misses {
            match self.attempt(&mut bucket, job, max_wait) {
                Some(outcome) => results[at] = Some(outcome),
                None => waiting.push((at, bucket, job)),
            }
        }
        let mut backoff = Backoff::new(max_wait);
        for (at, mut bucket, job) in waiting {
            let outcome = match self.look_again(&mut bucket, job.name) {
                Look::Hit(loaded) => Ok(loaded),
                Look::Undecodable => self.compile_and_store(&mut bucket, job),
                Look::Missing => self.settle(&mut bucket, job, &mut backoff),
            };
            results[at] = Some(outcome);
        }
    }
}

/// A look's verdict from the decoded hit (if any) and what the load left in the bucket.
pub(super) fn look_of<T>(decoded: Option<Loaded<T>>, bucket: &Bucket<'_>) -> Look<T> {
    match decoded {
        Some(loaded) => Look::Hit(loaded),
        None if bucket.code.is_some() => Look::Undecodable,
        None => Look::Missing,
    }
}
