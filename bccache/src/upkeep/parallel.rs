//! Bounded parallel requests for remote upkeep: a few scoped threads take a listing's objects
//! from one shared counter (a work queue without a queue), and their results come back to the
//! calling thread in the listing's order. So reports, progress and the first error are those a
//! walk of one object at a time gives, while a store's round trips overlap.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// Runs `work` on each of `items`, at most `workers` at once (one: on the calling thread, in
/// order), and hands every result to `done` on the calling thread, in the items' order.
///
/// A result for which `stops` holds stops the rest: no item starts after its worker saw it.
/// Items already under way finish, and their results are handed over too, in order: every item
/// started is handed over exactly once (unless `work` panics, which is resumed here).
pub(crate) fn in_order<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    work: &(dyn Fn(&T) -> R + Sync),
    stops: &(dyn Fn(&R) -> bool + Sync),
    done: &mut dyn FnMut(&T, R),
) {
    let workers = workers.clamp(1, items.len().max(1));
    if workers == 1 {
        for item in items {
            let result = work(item);
            let stop = stops(&result);
            done(item, result);
            if stop {
                return;
            }
        }
        return;
    }
    let next = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel::<(usize, R)>();
        for _ in 0..workers {
            let sender = sender.clone();
            let (next, stopped) = (&next, &stopped);
            scope.spawn(move || {
                while !stopped.load(Ordering::Acquire) {
                    // Items are claimed in order, so those started are always a prefix.
                    let at = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(at) else {
                        break;
                    };
                    let result = work(item);
                    if stops(&result) {
                        stopped.store(true, Ordering::Release);
                    }
                    if sender.send((at, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        // Results that came early wait here for those before them.
        let mut early = BTreeMap::new();
        let mut expected = 0;
        for (at, result) in receiver {
            early.insert(at, result);
            while let Some(result) = early.remove(&expected) {
                done(&items[expected], result);
                expected += 1;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Duration;

    #[test]
    fn results_come_back_in_order_from_every_worker_count() {
        let items: Vec<u64> = (0..500).collect();
        for workers in [0, 1, 2, 8, 600] {
            let mut seen = Vec::new();
            in_order(
                &items,
                workers,
                // Later items finish first now and then.
                &|&n| {
                    if n % 7 == 0 {
                        std::thread::sleep(Duration::from_micros(200));
                    }
                    n * 2
                },
                &|_| false,
                &mut |&n, doubled| {
                    assert_eq!(doubled, n * 2);
                    seen.push(n);
                },
            );
            assert_eq!(seen, items, "{workers} workers");
        }
    }

    #[test]
    fn at_most_the_bound_runs_at_once() {
        let items: Vec<u32> = (0..200).collect();
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        in_order(
            &items,
            4,
            &|_| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_micros(100));
                running.fetch_sub(1, Ordering::SeqCst);
            },
            &|_| false,
            &mut |_, ()| {},
        );
        assert!(most.load(Ordering::SeqCst) <= 4);
    }

    #[test]
    fn a_stopping_result_stops_its_worker_and_every_started_item_is_handed_over_once() {
        let items: Vec<u32> = (0..10_000).collect();
        for workers in [1, 8] {
            let started = Mutex::new(Vec::new());
            let mut handed = Vec::new();
            in_order(
                &items,
                workers,
                &|&n| {
                    started.lock().map(|mut s| s.push(n)).ok();
                    n
                },
                // Every item from 100 on stops, so a worker runs at most one of them.
                &|&n| n >= 100,
                &mut |_, n| handed.push(n),
            );
            let mut started = started.into_inner().unwrap_or_default();
            started.sort_unstable();
            assert_eq!(handed, started, "{workers} workers");
            assert_eq!(handed[..=100], items[..=100]);
            assert!(handed.len() <= 100 + workers, "{}", handed.len());
        }
    }
}
