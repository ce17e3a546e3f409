//! Single flight in one process: many threads or tasks missing one key compile it once, a
//! failing holder lets the others compile, and a store without leases behaves as before.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bccache::{
    Blocking, Bucket, BytecodeCache, CachedLoader, FileSystemBytecodeCache, Lease, LoadError,
    MemoryBytecodeCache, Origin,
};
use support::slow::Slow;

const LOADERS: usize = 20;
const MAX_WAIT: Duration = Duration::from_secs(20);
const SOURCE: &str = "print('hello')";

/// A store that counts the leases asked of it, with or without leases of its own.
struct Counting<B> {
    inner: B,
    leases: AtomicUsize,
    has_leases: bool,
}

impl<B> Counting<B> {
    fn new(inner: B, has_leases: bool) -> Self {
        Counting {
            inner,
            leases: AtomicUsize::new(0),
            has_leases,
        }
    }

    fn leases(&self) -> usize {
        self.leases.load(Ordering::SeqCst)
    }
}

impl<B: BytecodeCache> BytecodeCache for Counting<B> {
    fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> bccache::Result<()> {
        self.inner.load_bytecode(bucket)
    }

    fn dump_bytecode(&self, bucket: &Bucket<'_>) -> bccache::Result<()> {
        self.inner.dump_bytecode(bucket)
    }

    fn lease(&self, key: &str, ttl: Duration) -> bccache::Result<Lease> {
        self.leases.fetch_add(1, Ordering::SeqCst);
        if self.has_leases {
            self.inner.lease(key, ttl)
        } else {
            Ok(Lease::Unsupported)
        }
    }
}

fn dir_cache() -> (tempfile::TempDir, FileSystemBytecodeCache) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = FileSystemBytecodeCache::new(dir.path(), "__sf_%s.cache").expect("cache");
    (dir, cache)
}

/// Loads `SOURCE` from `LOADERS` threads started together; the results in any order.
fn load_from_threads<B: BytecodeCache + Sync>(
    loader: &CachedLoader<Slow, B>,
) -> Vec<Result<bccache::Loaded<String>, LoadError<support::slow::Failed>>> {
    let start = std::sync::Barrier::new(LOADERS);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..LOADERS)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    loader.load_with_origin("main.lua", None, SOURCE)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("loader thread"))
            .collect()
    })
}

fn assert_one_compile_and_code_for_all(
    compiles: usize,
    results: &[Result<bccache::Loaded<String>, LoadError<support::slow::Failed>>],
) {
    assert_eq!(
        compiles, 1,
        "one loader compiles, the others wait for its entry"
    );
    let compiled = results
        .iter()
        .map(|r| r.as_ref().expect("code"))
        .inspect(|loaded| assert_eq!(loaded.code, SOURCE.to_uppercase()))
        .filter(|loaded| loaded.origin == Origin::Compiled)
        .count();
    assert_eq!(compiled, 1);
}

#[test]
fn twenty_threads_missing_one_key_on_a_directory_compile_it_once() {
    let (_dir, cache) = dir_cache();
    let loader =
        CachedLoader::new(Slow::new(Duration::from_millis(300)), cache).single_flight(MAX_WAIT);
    let results = load_from_threads(&loader);
    assert_one_compile_and_code_for_all(loader.compiler().compiles(), &results);
    let lock_files: Vec<_> = std::fs::read_dir(loader.cache().directory())
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".lock"))
        .collect();
    assert!(lock_files.is_empty(), "lock files left: {lock_files:?}");
}

#[test]
fn twenty_threads_missing_one_key_in_memory_compile_it_once() {
    let loader = CachedLoader::new(
        Slow::new(Duration::from_millis(300)),
        MemoryBytecodeCache::new(1 << 20),
    )
    .single_flight(MAX_WAIT);
    let results = load_from_threads(&loader);
    assert_one_compile_and_code_for_all(loader.compiler().compiles(), &results);
}

/// Loads `SOURCE` from `LOADERS` tasks of the current runtime.
async fn load_from_tasks<B>(
    loader: Arc<CachedLoader<Slow, B>>,
) -> Vec<Result<bccache::Loaded<String>, LoadError<support::slow::Failed>>>
where
    B: bccache::AsyncBytecodeCache + 'static,
{
    let tasks: Vec<_> = (0..LOADERS)
        .map(|_| {
            let loader = Arc::clone(&loader);
            tokio::spawn(async move {
                loader
                    .load_with_origin_async("main.lua", None, SOURCE)
                    .await
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("loader task"));
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_tasks_missing_one_key_on_a_directory_compile_it_once() {
    let (_dir, cache) = dir_cache();
    let loader = Arc::new(
        CachedLoader::new(Slow::new(Duration::from_millis(300)), Blocking::new(cache))
            .single_flight(MAX_WAIT),
    );
    let results = load_from_tasks(Arc::clone(&loader)).await;
    assert_one_compile_and_code_for_all(loader.compiler().compiles(), &results);
}

/// On one runtime thread, waiters that blocked it would starve the holder's task, time out
/// and compile: one compile shows they sleep the async way.
#[tokio::test(flavor = "current_thread")]
async fn twenty_tasks_on_one_runtime_thread_compile_once() {
    let loader = Arc::new(
        CachedLoader::new(
            Slow::new(Duration::from_millis(300)),
            Blocking::new(MemoryBytecodeCache::new(1 << 20)),
        )
        .single_flight(Duration::from_secs(5)),
    );
    let results = load_from_tasks(Arc::clone(&loader)).await;
    assert_one_compile_and_code_for_all(loader.compiler().compiles(), &results);
}

fn assert_failed_holder_then_one_compile(
    compiles: usize,
    elapsed: Duration,
    results: &[Result<bccache::Loaded<String>, LoadError<support::slow::Failed>>],
) {
    let failed = results
        .iter()
        .filter(|r| matches!(r, Err(LoadError::Compile { .. })))
        .count();
    assert_eq!(failed, 1, "the holder's compile fails");
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .all(|l| l.code == "PRINT('HELLO')"),
        "everyone else gets code"
    );
    assert_eq!(
        compiles, 2,
        "the next asker takes the lease over and compiles once"
    );
    assert!(
        elapsed < MAX_WAIT,
        "nobody waited out max_wait: {elapsed:?}"
    );
}

#[test]
fn holder_that_fails_to_compile_lets_the_next_loader_compile_within_max_wait() {
    let (_dir, cache) = dir_cache();
    let compiler = Slow {
        fail_first: 1,
        ..Slow::new(Duration::from_millis(300))
    };
    let loader = CachedLoader::new(compiler, cache).single_flight(MAX_WAIT);
    let started = Instant::now();
    let results = load_from_threads(&loader);
    assert_failed_holder_then_one_compile(
        loader.compiler().compiles(),
        started.elapsed(),
        &results,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_async_holder_lets_the_next_task_compile_within_max_wait() {
    let compiler = Slow {
        fail_first: 1,
        ..Slow::new(Duration::from_millis(300))
    };
    let loader = Arc::new(
        CachedLoader::new(compiler, Blocking::new(MemoryBytecodeCache::new(1 << 20)))
            .single_flight(MAX_WAIT),
    );
    let started = Instant::now();
    let results = load_from_tasks(Arc::clone(&loader)).await;
    assert_failed_holder_then_one_compile(
        loader.compiler().compiles(),
        started.elapsed(),
        &results,
    );
}

#[test]
fn store_without_leases_lets_every_loader_compile() {
    let compiler = Slow {
        rendezvous: LOADERS,
        ..Slow::new(Duration::from_millis(10))
    };
    let cache = Counting::new(MemoryBytecodeCache::new(1 << 20), false);
    let loader = CachedLoader::new(compiler, cache).single_flight(MAX_WAIT);
    let results = load_from_threads(&loader);
    assert!(results.iter().all(|r| r.is_ok()));
    assert_eq!(loader.compiler().compiles(), LOADERS);
    assert_eq!(loader.cache().leases(), LOADERS, "each miss asked once");
}

#[tokio::test(flavor = "current_thread")]
async fn hits_never_ask_for_a_lease() {
    let cache = Arc::new(Counting::new(MemoryBytecodeCache::new(1 << 20), true));
    let sync_loader =
        CachedLoader::new(Slow::new(Duration::ZERO), Arc::clone(&cache)).single_flight(MAX_WAIT);
    let async_loader = CachedLoader::new(
        Slow::new(Duration::ZERO),
        Blocking::from_arc(Arc::clone(&cache)),
    )
    .single_flight(MAX_WAIT);
    sync_loader.load("a.lua", None, "a").expect("miss");
    assert_eq!(cache.leases(), 1, "a miss asks for the lease");

    for _ in 0..5 {
        sync_loader.load("a.lua", None, "a").expect("hit");
        async_loader
            .load_async("a.lua", None, "a")
            .await
            .expect("hit");
        for loaded in sync_loader.load_many(&[("a.lua", None, "a")]) {
            assert_eq!(loaded.expect("hit").origin, Origin::Cache);
        }
        for loaded in async_loader.load_many_async(&[("a.lua", None, "a")]).await {
            assert_eq!(loaded.expect("hit").origin, Origin::Cache);
        }
    }
    assert_eq!(cache.leases(), 1, "hits never touch a lease");
    assert_eq!(sync_loader.compiler().compiles(), 1);
    assert_eq!(async_loader.compiler().compiles(), 0);
}

#[test]
fn threads_loading_the_same_batch_compile_each_key_once() {
    let (_dir, cache) = dir_cache();
    let loader =
        CachedLoader::new(Slow::new(Duration::from_millis(100)), cache).single_flight(MAX_WAIT);
    let names = ["a", "b", "c", "d", "e"];
    let batch: Vec<(&str, Option<&str>, &str)> =
        names.iter().map(|&name| (name, None, name)).collect();
    let start = std::sync::Barrier::new(8);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                start.wait();
                let results = loader.load_many(&batch);
                for (result, name) in results.into_iter().zip(names) {
                    assert_eq!(result.expect("code").code, name.to_uppercase());
                }
            });
        }
    });
    assert_eq!(loader.compiler().compiles(), names.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_loading_the_same_batch_compile_each_key_once() {
    let loader = Arc::new(
        CachedLoader::new(
            Slow::new(Duration::from_millis(100)),
            Blocking::new(MemoryBytecodeCache::new(1 << 20)),
        )
        .single_flight(MAX_WAIT),
    );
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let loader = Arc::clone(&loader);
            tokio::spawn(async move {
                let batch = [("a", None, "a"), ("b", None, "b"), ("c", None, "c")];
                let results = loader.load_many_async(&batch).await;
                results
                    .into_iter()
                    .map(|r| r.expect("code").code)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task"), ["A", "B", "C"]);
    }
    assert_eq!(loader.compiler().compiles(), 3);
}

/// Plants an empty lock file for `key`'s entry, last touched `age` ago (a dead loader's).
fn plant_lock(cache: &FileSystemBytecodeCache, key: &str, age: Duration) -> std::path::PathBuf {
    let lock = lock_path(cache, key);
    let file = std::fs::File::create(&lock).expect("lock file");
    file.set_modified(std::time::SystemTime::now() - age)
        .expect("age the lock file");
    lock
}

#[test]
fn upkeep_counts_lock_files_apart_and_removes_only_free_old_ones() {
    let (_dir, cache) = dir_cache();
    let loader =
        CachedLoader::new(Slow::new(Duration::ZERO), cache.clone()).single_flight(MAX_WAIT);
    loader.load("main.lua", None, SOURCE).expect("stored");
    cache.flush_stats().expect("the pattern recorded");
    let hour_and_more = Duration::from_secs(2 * 3600);
    let Lease::Held(held) = cache.lease("held", MAX_WAIT).expect("lease") else {
        panic!("a free key is leased");
    };
    let held_path = lock_path(&cache, "held");
    let _ = std::fs::File::options()
        .write(true)
        .open(&held_path)
        .and_then(|f| f.set_modified(std::time::SystemTime::now() - hour_and_more));
    let stale = plant_lock(&cache, "stale", hour_and_more);
    let young = plant_lock(&cache, "young", Duration::ZERO);

    let report = bccache::upkeep::scan_dir(cache.directory()).expect("scan");
    let pattern = &report.patterns[0];
    assert_eq!((pattern.entries, pattern.lock_files), (1, 3), "{report:?}");
    assert_eq!(report.other_files, 0, "{report:?}");

    let verified = cache.verify().expect("verify");
    assert_eq!(
        (
            verified.entries_checked,
            verified.foreign_kept,
            verified.lock_files_removed
        ),
        (1, 0, 1),
        "{verified:?}"
    );
    assert!(!stale.exists() && young.exists() && held_path.exists());

    let stale = plant_lock(&cache, "stale", hour_and_more);
    let pruned = cache.prune(Duration::from_secs(3600)).expect("prune");
    assert_eq!(
        (pruned.entries_kept, pruned.lock_files_removed),
        (1, 1),
        "{pruned:?}"
    );
    assert!(!stale.exists() && young.exists() && held_path.exists());

    cache.clear().expect("clear");
    assert!(!young.exists(), "clear removes every free lock file");
    assert!(held_path.exists(), "a held lock file stays");
    drop(held);
    assert!(!held_path.exists(), "its holder removes it");
}

/// The lock file path of `key`'s entry.
fn lock_path(cache: &FileSystemBytecodeCache, key: &str) -> std::path::PathBuf {
    let entry = cache.path_for_key(key);
    let name = entry.file_name().expect("entry name").to_string_lossy();
    cache.directory().join(format!(".{name}.lock"))
}

#[test]
fn memory_lease_expires_after_its_ttl_and_an_overrunning_holder_frees_nothing() {
    let cache = MemoryBytecodeCache::new(1 << 20);
    let ttl = Duration::from_millis(50);
    let Ok(Lease::Held(overran)) = cache.lease("k", ttl) else {
        panic!("a free key is leased");
    };
    assert!(matches!(cache.lease("k", ttl), Ok(Lease::Busy)));
    std::thread::sleep(ttl * 2);
    let Ok(Lease::Held(next)) = cache.lease("k", MAX_WAIT) else {
        panic!("an expired lease goes to the next asker");
    };
    drop(overran);
    assert!(
        matches!(cache.lease("k", MAX_WAIT), Ok(Lease::Busy)),
        "the overrunning holder's release leaves the new lease alone"
    );
    drop(next);
    assert!(matches!(cache.lease("k", MAX_WAIT), Ok(Lease::Held(_))));
}

#[test]
fn tiered_cache_takes_the_lease_in_its_lowest_tier_that_has_leases() {
    let top = Arc::new(Counting::new(MemoryBytecodeCache::new(1 << 20), true));
    let bottom = Arc::new(Counting::new(MemoryBytecodeCache::new(1 << 20), true));
    let tiers = bccache::TieredBytecodeCache::new(vec![
        Box::new(Arc::clone(&top)),
        Box::new(Arc::clone(&bottom)),
    ]);
    let Ok(Lease::Held(_guard)) = tiers.lease("k", MAX_WAIT) else {
        panic!("leased");
    };
    assert!(matches!(bottom.inner.lease("k", MAX_WAIT), Ok(Lease::Busy)));
    assert_eq!((top.leases(), bottom.leases()), (0, 1));

    let without = Arc::new(Counting::new(MemoryBytecodeCache::new(1 << 20), false));
    let tiers = bccache::TieredBytecodeCache::new(vec![
        Box::new(Arc::clone(&top)),
        Box::new(Arc::clone(&without)),
    ]);
    assert!(matches!(tiers.lease("k", MAX_WAIT), Ok(Lease::Held(_))));
    assert_eq!((top.leases(), without.leases()), (1, 1), "asked bottom up");
}

#[tokio::test(flavor = "current_thread")]
async fn async_hits_of_small_and_big_bytecode_decode_to_the_same_code() {
    let (_dir, cache) = dir_cache();
    let loader = CachedLoader::new(Slow::new(Duration::ZERO), Blocking::new(cache));
    // 64 KiB of bytecode is decoded on the blocking pool, 1 KiB on the task.
    for len in [1024, 64 * 1024] {
        let source = "x".repeat(len);
        let first = loader
            .load_with_origin_async("big.lua", None, &source)
            .await
            .expect("compiled");
        let again = loader
            .load_with_origin_async("big.lua", None, &source)
            .await
            .expect("loaded");
        assert_eq!(
            (first.origin, again.origin),
            (Origin::Compiled, Origin::Cache)
        );
        assert_eq!(again.code, source.to_uppercase());
    }
    assert_eq!(loader.compiler().compiles(), 2);
}
