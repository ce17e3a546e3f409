//! Tiers of real stores, fastest first: memory → a directory → a real memcached. Fill-through,
//! write-through, one tier failing at a time, a read-only shared tier, batches agreeing with
//! single loads, and many threads. Only 127.0.0.1 traffic; every loop is bounded.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use bccache::{
    BytecodeCache, CacheStats, CachedLoader, Checksum, Environment, FileSystemBytecodeCache,
    Lookup, MemcachedBytecodeCache, MemoryBytecodeCache, Origin, ReadOnly, TieredBytecodeCache,
};
use support::engine::{Engine, Upper};
use support::fs::{load, store};
use support::memcached::{MemcachedServer, error_chain, within};

const PATTERN: &str = "__tiers_%s.cache";
const PREFIX: &str = "tiers/";
const MIB: u64 = 1024 * 1024;
const CALL_LIMIT: Duration = Duration::from_secs(20);

fn code_of(name: &str) -> Vec<u8> {
    format!("compiled {name}").into_bytes().repeat(50)
}

/// Memory → dir → memcached, with a handle on each tier.
struct Stack {
    memory: Arc<MemoryBytecodeCache>,
    disk: FileSystemBytecodeCache,
    remote: Arc<MemcachedBytecodeCache>,
    tiers: Arc<TieredBytecodeCache>,
    _dir: tempfile::TempDir,
}

impl Stack {
    fn new(server: &MemcachedServer) -> Self {
        Self::with_remote(
            MemcachedBytecodeCache::builder()
                .server(server.url())
                .prefix(PREFIX)
                .checksum(Checksum::Xxh3_128)
                .build()
                .unwrap(),
        )
    }

    fn with_remote(remote: MemcachedBytecodeCache) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let memory = Arc::new(MemoryBytecodeCache::new(16 * MIB).checksum(Checksum::Xxh3_128));
        let disk = FileSystemBytecodeCache::new(dir.path().join("cache"), PATTERN)
            .unwrap()
            .checksum(Checksum::Xxh3_128);
        let remote = Arc::new(remote);
        let tiers = Arc::new(TieredBytecodeCache::new(vec![
            Box::new(Arc::clone(&memory)),
            Box::new(disk.clone()),
            Box::new(Arc::clone(&remote)),
        ]));
        Stack {
            memory,
            disk,
            remote,
            tiers,
            _dir: dir,
        }
    }

    fn cache_dir(&self) -> PathBuf {
        self.disk.directory().to_owned()
    }

    fn file_of(&self, name: &str) -> PathBuf {
        self.disk.path_for_key(&self.disk.get_cache_key(name, None))
    }
}

fn remote_key(cache: &dyn BytecodeCache, name: &str) -> String {
    format!("{PREFIX}{}", cache.get_cache_key(name, None))
}

/// How many loads each tier answered with a hit, and how many it was asked, since `before`.
fn hits_since(tiers: &TieredBytecodeCache, before: &[Option<CacheStats>]) -> Vec<u64> {
    tiers
        .tier_stats()
        .iter()
        .zip(before)
        .map(|(now, before)| now.unwrap().hits - before.unwrap().hits)
        .collect()
}

fn lookups_since(tiers: &TieredBytecodeCache, before: &[Option<CacheStats>]) -> Vec<u64> {
    tiers
        .tier_stats()
        .iter()
        .zip(before)
        .map(|(now, before)| now.unwrap().lookups() - before.unwrap().lookups())
        .collect()
}

/// Replaces the cache directory by a file: every read and write in it fails (even as root).
fn break_dir(dir: &Path) {
    fs::remove_dir_all(dir).unwrap();
    fs::write(dir, b"not a directory").unwrap();
}

#[test]
fn tiered_cache_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<TieredBytecodeCache>();
    assert_send_sync::<ReadOnly<FileSystemBytecodeCache>>();
}

#[test]
fn hit_in_memcached_fills_disk_and_memory() {
    let server = MemcachedServer::start();
    let stack = Stack::new(&server);
    store(stack.remote.as_ref(), "a.html", "source a", &code_of("a")).unwrap();
    assert_eq!(load(&stack.disk, "a.html", "source a"), None);

    let before = stack.tiers.tier_stats();
    assert_eq!(
        load(stack.tiers.as_ref(), "a.html", "source a"),
        Some(code_of("a"))
    );
    assert_eq!(hits_since(&stack.tiers, &before), [0, 0, 1]);

    // Each faster tier now holds it on its own: remove the lower entries and still hit.
    server.flush_all();
    assert_eq!(load(stack.remote.as_ref(), "a.html", "source a"), None);
    assert_eq!(load(&stack.disk, "a.html", "source a"), Some(code_of("a")));
    fs::remove_file(stack.file_of("a.html")).unwrap();
    assert_eq!(
        load(stack.memory.as_ref(), "a.html", "source a"),
        Some(code_of("a"))
    );
    let before = stack.tiers.tier_stats();
    assert_eq!(
        load(stack.tiers.as_ref(), "a.html", "source a"),
        Some(code_of("a"))
    );
    assert_eq!(hits_since(&stack.tiers, &before), [1, 0, 0]);
}

#[test]
fn hit_on_disk_fills_memory_and_leaves_memcached_alone() {
    let server = MemcachedServer::start();
    let stack = Stack::new(&server);
    store(&stack.disk, "a.html", "source a", &code_of("a")).unwrap();
    let before = stack.tiers.tier_stats();
    assert_eq!(
        load(stack.tiers.as_ref(), "a.html", "source a"),
        Some(code_of("a"))
    );
    assert_eq!(hits_since(&stack.tiers, &before), [0, 1, 0]);
    assert_eq!(lookups_since(&stack.tiers, &before), [1, 1, 0]);
    assert_eq!(
        load(stack.memory.as_ref(), "a.html", "source a"),
        Some(code_of("a"))
    );
    assert_eq!(
        server.raw_get(&remote_key(stack.tiers.as_ref(), "a.html")),
        None
    );
}

#[test]
fn dump_writes_through_to_every_tier() {
    let server = MemcachedServer::start();
    let stack = Stack::new(&server);
    store(stack.tiers.as_ref(), "a.html", "source a", &code_of("a")).unwrap();
    assert_eq!(
        load(stack.memory.as_ref(), "a.html", "source a"),
        Some(code_of("a"))
    );
    assert_eq!(load(&stack.disk, "a.html", "source a"), Some(code_of("a")));
    assert_eq!(
        load(stack.remote.as_ref(), "a.html", "source a"),
        Some(code_of("a"))
    );
    // The same bytes everywhere: the file is exactly the value memcached holds.
    let file = fs::read(stack.file_of("a.html")).unwrap();
    let value = server
        .raw_get(&remote_key(stack.tiers.as_ref(), "a.html"))
        .unwrap();
    assert_eq!(file, value);
    let stores: Vec<u64> = stack
        .tiers
        .tier_stats()
        .iter()
        .map(|s| s.unwrap().stores)
        .collect();
    assert_eq!(stores, [1, 1, 1]);
    assert_eq!(stack.tiers.stats().unwrap().stores, 3);
}

#[test]
fn clear_clears_every_tier() {
    let server = MemcachedServer::start();
    let stack = Stack::new(&server);
    store(stack.tiers.as_ref(), "a.html", "s", b"code").unwrap();
    stack.tiers.clear().unwrap();
    assert_eq!(stack.memory.entry_count(), 0);
    assert!(!stack.file_of("a.html").exists());
    // memcached's clear is Jinja2's: a no-op, so the shared entry stays for other machines.
    assert_eq!(
        load(stack.tiers.as_ref(), "a.html", "s"),
        Some(b"code".to_vec())
    );
}

#[test]
fn killed_memcached_leaves_memory_and_disk_working() {
    let mut server = MemcachedServer::start();
    let stack = Stack::with_remote(
        MemcachedBytecodeCache::builder()
            .server(server.url())
            .prefix(PREFIX)
            .checksum(Checksum::Xxh3_128)
            .ignore_memcache_errors(false)
            .build()
            .unwrap(),
    );
    store(stack.tiers.as_ref(), "before.html", "s", &code_of("before")).unwrap();
    server.stop();
    let tiers = Arc::clone(&stack.tiers);
    let ((dump, after, before_hit, miss, batch), _) = within(CALL_LIMIT, move || {
        let dump = store(tiers.as_ref(), "after.html", "s", &code_of("after"));
        let after = load(tiers.as_ref(), "after.html", "s");
        let before_hit = load(tiers.as_ref(), "before.html", "s");
        let miss = tiers
            .get_bucket(&(), "nowhere.html", None, "s")
            .map(|b| b.code);
        let lookups = [
            Lookup::new("before.html", "s"),
            Lookup::new("nowhere.html", "s"),
            Lookup::new("after.html", "s"),
        ];
        let batch = tiers
            .get_buckets(&(), &lookups)
            .map(|buckets| buckets.into_iter().map(|b| b.code).collect::<Vec<_>>());
        (dump, after, before_hit, miss, batch)
    });
    // The dump reports memcached's failure, after writing the tiers that work.
    let err = dump.unwrap_err();
    assert!(error_chain(&err).contains("memcached"), "{err:?}");
    assert_eq!(load(&stack.disk, "after.html", "s"), Some(code_of("after")));
    assert_eq!(after, Some(code_of("after")));
    assert_eq!(before_hit, Some(code_of("before")));
    // A load that reaches the dead tier is a miss, not an error.
    assert_eq!(miss.unwrap(), None);
    // So is a batch: what the other tiers hold, and misses.
    assert_eq!(
        batch.unwrap(),
        [Some(code_of("before")), None, Some(code_of("after"))]
    );
    assert!(stack.remote.stats().unwrap().errors >= 3);
}

#[test]
fn unusable_dir_leaves_memory_and_memcached_working() {
    let server = MemcachedServer::start();
    let stack = Stack::new(&server);
    store(
        stack.remote.as_ref(),
        "shared.html",
        "s",
        &code_of("shared"),
    )
    .unwrap();
    break_dir(&stack.cache_dir());

    // The dump reports the directory's failure and still reaches memory and memcached.
    let err = store(stack.tiers.as_ref(), "new.html", "s", &code_of("new")).unwrap_err();
    assert!(
        error_chain(&err).contains(&stack.cache_dir().display().to_string()),
        "{err:?}"
    );
    assert_eq!(
        load(stack.memory.as_ref(), "new.html", "s"),
        Some(code_of("new"))
    );
    assert_eq!(
        load(stack.remote.as_ref(), "new.html", "s"),
        Some(code_of("new"))
    );
    // A load through the broken disk goes on to memcached and fills memory.
    assert_eq!(
        load(stack.tiers.as_ref(), "shared.html", "s"),
        Some(code_of("shared"))
    );
    assert_eq!(
        load(stack.memory.as_ref(), "shared.html", "s"),
        Some(code_of("shared"))
    );
}

#[test]
fn failing_first_tier_leaves_the_next_working() {
    // A directory first (a setup with no memory tier), broken after construction.
    let server = MemcachedServer::start();
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join("cache");
    let disk = FileSystemBytecodeCache::new(&cache_dir, PATTERN).unwrap();
    let remote = Arc::new(MemcachedBytecodeCache::connect(&server.url()).unwrap());
    let tiers = TieredBytecodeCache::new(vec![Box::new(disk), Box::new(Arc::clone(&remote))]);
    store(remote.as_ref(), "a.html", "s", &code_of("a")).unwrap();
    break_dir(&cache_dir);

    assert_eq!(load(&tiers, "a.html", "s"), Some(code_of("a")));
    assert!(store(&tiers, "b.html", "s", &code_of("b")).is_err());
    assert_eq!(load(remote.as_ref(), "b.html", "s"), Some(code_of("b")));
    assert_eq!(load(&tiers, "b.html", "s"), Some(code_of("b")));
}

#[test]
fn read_only_memcached_does_not_break_the_local_disk() {
    // mozilla/sccache#2773: a read-only remote tier stopped the local disk tier being written.
    let server = MemcachedServer::start();
    let dir = tempfile::tempdir().unwrap();
    let disk = FileSystemBytecodeCache::new(dir.path(), PATTERN).unwrap();
    let remote = MemcachedBytecodeCache::builder()
        .server(server.url())
        .prefix(PREFIX)
        .build()
        .unwrap();
    // CI seeds the shared store.
    store(&remote, "seeded.html", "s", &code_of("seeded")).unwrap();
    let tiers = TieredBytecodeCache::new(vec![
        Box::new(disk.clone()),
        Box::new(ReadOnly::new(remote)),
    ]);

    // A seeded entry loads, and lands on the local disk.
    assert_eq!(load(&tiers, "seeded.html", "s"), Some(code_of("seeded")));
    assert_eq!(load(&disk, "seeded.html", "s"), Some(code_of("seeded")));
    // Fresh code is written to the local disk, and only there.
    store(&tiers, "local.html", "s", &code_of("local")).unwrap();
    assert_eq!(load(&disk, "local.html", "s"), Some(code_of("local")));
    assert_eq!(server.raw_get(&remote_key(&tiers, "local.html")), None);
    assert_eq!(load(&tiers, "local.html", "s"), Some(code_of("local")));
    // Through a loader too: compiled code is stored locally, and then loads from there.
    let loader = CachedLoader::new(Upper, &tiers).strict(true);
    let first = loader.load_with_origin("page", None, "hello").unwrap();
    let again = loader.load_with_origin("page", None, "hello").unwrap();
    assert_eq!(
        (first.origin, again.origin),
        (Origin::Compiled, Origin::Cache)
    );
    assert_eq!(server.raw_get(&remote_key(&tiers, "page")), None);
    // Clearing the tiers leaves the shared store as CI seeded it.
    tiers.clear().unwrap();
    assert_eq!(load(&disk, "seeded.html", "s"), None);
    assert!(server.raw_get(&remote_key(&tiers, "seeded.html")).is_some());
}

#[test]
fn read_only_tier_that_is_down_does_not_break_the_local_disk() {
    let mut server = MemcachedServer::start();
    let dir = tempfile::tempdir().unwrap();
    let disk = FileSystemBytecodeCache::new(dir.path(), PATTERN).unwrap();
    let remote = MemcachedBytecodeCache::builder()
        .server(server.url())
        .ignore_memcache_errors(false)
        .build()
        .unwrap();
    server.stop();
    let tiers = Arc::new(TieredBytecodeCache::new(vec![
        Box::new(disk.clone()),
        Box::new(ReadOnly::new(remote)),
    ]));
    let (result, _) = within(CALL_LIMIT, move || {
        let miss = load(tiers.as_ref(), "a.html", "s");
        store(tiers.as_ref(), "a.html", "s", &code_of("a")).map(|()| miss)
    });
    assert_eq!(result.unwrap(), None);
    assert_eq!(load(&disk, "a.html", "s"), Some(code_of("a")));
}

/// A mixed set, seeded tier by tier: which tier holds what, and how.
fn seed_mixed(stack: &Stack, engine: &Engine, other_engine: &Engine) {
    let put = |cache: &dyn BytecodeCache, env: &dyn Environment, name: &str, source: &str| {
        let mut bucket = cache.get_bucket(env, name, None, source).unwrap();
        bucket.code = Some(code_of(name));
        cache.set_bucket(&bucket).unwrap();
    };
    put(stack.memory.as_ref(), engine, "in-memory", "s");
    put(&stack.disk, engine, "on-disk", "s");
    put(stack.remote.as_ref(), engine, "in-memcached", "s");
    put(stack.remote.as_ref(), engine, "stale", "old source");
    put(&stack.disk, other_engine, "foreign", "s");
    // Corrupt on disk, intact in memcached: the disk's is a miss, memcached's a hit.
    put(&stack.disk, engine, "corrupt", "s");
    put(stack.remote.as_ref(), engine, "corrupt", "s");
    let file = stack.file_of("corrupt");
    let mut bytes = fs::read(&file).unwrap();
    let last = bytes.len() - 20;
    bytes[last] ^= 0xff;
    fs::write(&file, bytes).unwrap();
    // Corrupt everywhere it is.
    put(&stack.disk, engine, "corrupt-only", "s");
    fs::write(stack.file_of("corrupt-only"), b"bccache\0garbage").unwrap();
}

const MIXED: [(&str, &str); 8] = [
    ("in-memory", "s"),
    ("on-disk", "s"),
    ("in-memcached", "s"),
    ("missing", "s"),
    ("stale", "new source"),
    ("foreign", "s"),
    ("corrupt", "s"),
    ("corrupt-only", "s"),
];

#[test]
fn get_buckets_agrees_with_single_loads_on_a_mixed_set() {
    let engine = Engine("engine 1");
    let other_engine = Engine("engine 2");
    let server = MemcachedServer::start();
    let single = Stack::new(&server);
    seed_mixed(&single, &engine, &other_engine);
    let singles: Vec<Option<Vec<u8>>> = MIXED
        .iter()
        .map(|(name, source)| {
            single
                .tiers
                .get_bucket(&engine, name, None, source)
                .unwrap()
                .code
        })
        .collect();
    let expected: Vec<bool> = vec![true, true, true, false, false, false, true, false];
    assert_eq!(
        singles.iter().map(Option::is_some).collect::<Vec<_>>(),
        expected
    );

    // The same set in fresh tiers, as one batch.
    server.flush_all();
    let batch_stack = Stack::new(&server);
    seed_mixed(&batch_stack, &engine, &other_engine);
    let lookups: Vec<Lookup<'_>> = MIXED
        .iter()
        .map(|(name, source)| Lookup::new(name, *source))
        .collect();
    let before = batch_stack.tiers.tier_stats();
    let buckets = batch_stack.tiers.get_buckets(&engine, &lookups).unwrap();
    let batch: Vec<Option<Vec<u8>>> = buckets.into_iter().map(|b| b.code).collect();
    assert_eq!(batch, singles);
    for ((name, _), code) in MIXED.iter().zip(&batch) {
        if let Some(code) = code {
            assert_eq!(*code, code_of(name), "wrong code for {name}");
        }
    }
    // Each tier was asked only for what the faster ones missed.
    assert_eq!(lookups_since(&batch_stack.tiers, &before), [8, 7, 6]);
    assert_eq!(hits_since(&batch_stack.tiers, &before), [1, 1, 2]);
    // And the hits below filled the faster tiers.
    for name in ["on-disk", "in-memcached", "corrupt"] {
        let bucket = batch_stack
            .memory
            .get_bucket(&engine, name, None, "s")
            .unwrap();
        assert_eq!(bucket.code, Some(code_of(name)), "{name} not in memory");
    }
    let bucket = batch_stack
        .disk
        .get_bucket(&engine, "in-memcached", None, "s")
        .unwrap();
    assert_eq!(bucket.code, Some(code_of("in-memcached")));
}

#[test]
fn load_many_through_the_tiers_compiles_only_what_no_tier_has() {
    let server = MemcachedServer::start();
    let stack = Stack::new(&server);
    let warm = CachedLoader::new(Upper, Arc::clone(&stack.remote));
    warm.load("b", None, "two").unwrap();
    let loader = CachedLoader::new(Upper, Arc::clone(&stack.tiers));
    let sources = [("a", None, "one"), ("b", None, "two"), ("c", None, "three")];
    let origins: Vec<Origin> = loader
        .load_many(&sources)
        .into_iter()
        .map(|r| r.unwrap().origin)
        .collect();
    assert_eq!(origins, [Origin::Compiled, Origin::Cache, Origin::Compiled]);
    let codes: Vec<String> = loader
        .load_many(&sources)
        .into_iter()
        .map(|r| r.unwrap().code)
        .collect();
    assert_eq!(codes, ["ONE", "TWO", "THREE"]);
    assert_eq!(stack.memory.entry_count(), 3);
}

#[test]
fn eight_threads_through_one_tiered_cache_never_load_wrong_code() {
    const TEMPLATES: usize = 48;
    const ROUNDS: usize = 300;
    let server = MemcachedServer::start();
    let dir = tempfile::tempdir().unwrap();
    // A small memory tier, so that loads also come from disk and memcached.
    let memory = MemoryBytecodeCache::new(16 * 1024).checksum(Checksum::Xxh3_128);
    let disk = FileSystemBytecodeCache::new(dir.path(), PATTERN)
        .unwrap()
        .checksum(Checksum::Xxh3_128);
    let remote = MemcachedBytecodeCache::builder()
        .server(server.url())
        .checksum(Checksum::Xxh3_128)
        .build()
        .unwrap();
    let tiers = Arc::new(TieredBytecodeCache::new(vec![
        Box::new(memory),
        Box::new(disk),
        Box::new(remote),
    ]));
    let deadline = Instant::now() + Duration::from_secs(60);
    let workers: Vec<_> = (0..8)
        .map(|worker| {
            let tiers = Arc::clone(&tiers);
            thread::spawn(move || {
                let mut hits = 0;
                for round in 0..ROUNDS {
                    if Instant::now() > deadline {
                        break;
                    }
                    let n = (round * 5 + worker * 11) % TEMPLATES;
                    let version = round / 100;
                    let name = format!("t{n}.html");
                    let source = format!("source of {name} v{version}");
                    let expected = format!("code of {name} v{version}").repeat(40);
                    match load(tiers.as_ref(), &name, &source) {
                        Some(found) => {
                            assert!(found == expected.as_bytes(), "wrong code for {source}");
                            hits += 1;
                        }
                        None => store(tiers.as_ref(), &name, &source, expected.as_bytes()).unwrap(),
                    }
                }
                hits
            })
        })
        .collect();
    let hits: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert!(hits > 0);
    let per_tier: Vec<u64> = tiers.tier_stats().iter().map(|s| s.unwrap().hits).collect();
    // Every hit a thread saw was a tier's (a `store` looks up first, and may hit too).
    assert!(per_tier.iter().sum::<u64>() >= hits as u64, "{per_tier:?}");
    assert_eq!(
        tiers
            .tier_stats()
            .iter()
            .map(|s| s.unwrap().errors)
            .sum::<u64>(),
        0
    );
}

#[test]
fn stats_count_loads_as_the_application_sees_them() {
    let server = MemcachedServer::start();
    let stack = Stack::new(&server);
    load(stack.tiers.as_ref(), "a.html", "s");
    store(stack.tiers.as_ref(), "a.html", "s", b"code").unwrap();
    load(stack.tiers.as_ref(), "a.html", "s");
    let sum = stack
        .tiers
        .tier_stats()
        .into_iter()
        .map(Option::unwrap)
        .fold(CacheStats::default(), |a, b| a + b);
    // A load, `store`'s own lookup, then a hit in memory: two misses in each of the three
    // tiers, but two misses and one hit for the application.
    assert_eq!((sum.misses, sum.stores, sum.hits), (6, 3, 1));
    let stats = stack.tiers.stats().expect("stats");
    assert_eq!((stats.misses, stats.hits, stats.stores), (2, 1, 3));
    assert!((stats.hit_rate() - 1.0 / 3.0).abs() < 1e-9);
}

#[test]
fn keys_and_checksums_are_the_first_tiers() {
    let memory = MemoryBytecodeCache::new(MIB).checksum(Checksum::Xxh3_128);
    let tiers = TieredBytecodeCache::new(vec![Box::new(memory)]);
    assert_eq!(tiers.get_source_checksum("x"), Checksum::Xxh3_128.of(b"x"));
    let none = TieredBytecodeCache::new(Vec::new());
    assert_eq!(none.get_source_checksum("x"), Checksum::Sha1.of(b"x"));
    assert_eq!(load(&none, "a", "s"), None);
    store(&none, "a", "s", b"code").unwrap();
    assert_eq!(none.stats(), None);
}

#[test]
fn read_only_forwards_everything_but_writes() {
    let inner = Arc::new(MemoryBytecodeCache::new(MIB).checksum(Checksum::Xxh3_128));
    store(inner.as_ref(), "a.html", "s", b"code").unwrap();
    let read_only = ReadOnly::new(Arc::clone(&inner));
    assert_eq!(
        read_only.get_source_checksum("s"),
        Checksum::Xxh3_128.of(b"s")
    );
    assert_eq!(load(&read_only, "a.html", "s"), Some(b"code".to_vec()));
    let batch = read_only
        .get_buckets(
            &(),
            &[Lookup::new("a.html", "s"), Lookup::new("b.html", "s")],
        )
        .unwrap();
    assert_eq!(batch[0].code.as_deref(), Some(&b"code"[..]));
    assert_eq!(batch[1].code, None);
    // Writes and clears do nothing, and say so with `Ok`.
    store(&read_only, "b.html", "s", b"other").unwrap();
    read_only.clear().unwrap();
    assert_eq!(inner.entry_count(), 1);
    assert_eq!(read_only.stats(), inner.stats());
    assert_eq!(read_only.stats().unwrap().stores, 1);
}
