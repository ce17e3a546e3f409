//! `#[derive(BytecodeCache)]` with bccache's `tokio` feature: a derived cache implements both
//! traits, over one backend. A directory, tiers (memory → dir) and a real memcached on loopback,
//! on a current-thread runtime and on a multi-thread one.

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bccache::{AsyncBytecodeCache, BytecodeCache, FileSystemBytecodeCache, MemcachedBytecodeCache};
use support::asynchronous::{load, multi_thread_runtime, on_both_runtimes, store};
use support::memcached::MemcachedServer;

const SOURCE: &str = "return { derived = true }";
const PATTERN: &str = "__derived_async_%s.cache";

#[derive(BytecodeCache)]
#[cache(dir, pattern = "__derived_async_%s.cache")]
struct DirCache {
    #[cache(dir)]
    dir: PathBuf,
}

#[derive(BytecodeCache)]
#[cache(memory = "4 MiB", dir, pattern = "__derived_async_%s.cache")]
struct Tiers {
    #[cache(dir)]
    dir: PathBuf,
}

/// A configuration of literals only: its backend lives in a `static`.
#[derive(BytecodeCache)]
#[cache(memory = "1 MiB")]
struct InMemory;

#[derive(BytecodeCache)]
#[cache(memcached)]
struct Shared {
    #[cache(memcached)]
    servers: String,
    #[cache(prefix)]
    prefix: String,
}

fn store_sync(cache: &dyn BytecodeCache, name: &str, code: &[u8]) {
    let mut bucket = cache
        .get_bucket(&(), name, None, SOURCE)
        .expect("sync load");
    bucket.code = Some(code.to_vec());
    cache.set_bucket(&bucket).expect("sync store");
}

fn load_sync(cache: &dyn BytecodeCache, name: &str) -> Option<Vec<u8>> {
    cache
        .get_bucket(&(), name, None, SOURCE)
        .expect("sync load")
        .code
}

async fn store_async(cache: &dyn AsyncBytecodeCache, name: &str, code: &[u8]) {
    store(cache, name, SOURCE, code).await;
}

async fn load_async(cache: &dyn AsyncBytecodeCache, name: &str) -> Option<Vec<u8>> {
    load(cache, name, SOURCE).await
}

/// Each trait reads what the other wrote, and both count in the one backend.
async fn both_traits_share_one_backend<C: BytecodeCache + AsyncBytecodeCache>(cache: &C) {
    store_async(cache, "async.lua", b"stored async").await;
    assert_eq!(
        load_sync(cache, "async.lua").as_deref(),
        Some(&b"stored async"[..])
    );
    store_sync(cache, "sync.lua", b"stored sync");
    assert_eq!(
        load_async(cache, "sync.lua").await.as_deref(),
        Some(&b"stored sync"[..])
    );
    assert_eq!(load_async(cache, "missing.lua").await, None);

    let sync_stats = BytecodeCache::stats(cache).expect("counts");
    let async_stats = AsyncBytecodeCache::stats(cache).await.expect("counts");
    assert_eq!(sync_stats, async_stats);
    assert_eq!(async_stats.hits, 2, "{async_stats:?}");
    assert_eq!(
        AsyncBytecodeCache::get_source_checksum(cache, SOURCE),
        BytecodeCache::get_source_checksum(cache, SOURCE)
    );
}

fn fs_store(dir: &Path) -> FileSystemBytecodeCache {
    FileSystemBytecodeCache::new(dir, PATTERN).expect("hand-built store")
}

#[test]
fn derived_dir_cache_implements_both_traits() {
    on_both_runtimes(|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = DirCache {
            dir: dir.path().to_owned(),
        };
        both_traits_share_one_backend(&cache).await;
        // The files are the hand-built store's.
        assert_eq!(
            load_sync(&fs_store(dir.path()), "async.lua").as_deref(),
            Some(&b"stored async"[..])
        );
        AsyncBytecodeCache::clear(&cache).await.expect("clear");
        assert_eq!(load_sync(&fs_store(dir.path()), "async.lua"), None);
    });
}

#[test]
fn derived_tiers_fill_the_memory_tier_async() {
    on_both_runtimes(|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Tiers {
            dir: dir.path().to_owned(),
        };
        both_traits_share_one_backend(&cache).await;

        store_sync(&fs_store(dir.path()), "below.lua", b"from disk");
        assert_eq!(
            load_async(&cache, "below.lua").await.as_deref(),
            Some(&b"from disk"[..])
        );
        // The hit filled the memory tier: with the file gone, both traits still hit.
        let key = BytecodeCache::get_cache_key(&cache, "below.lua", None);
        std::fs::remove_file(fs_store(dir.path()).path_for_key(&key)).expect("remove entry");
        assert_eq!(
            load_sync(&cache, "below.lua").as_deref(),
            Some(&b"from disk"[..])
        );
        assert_eq!(
            load_async(&cache, "below.lua").await.as_deref(),
            Some(&b"from disk"[..])
        );
    });
}

#[test]
fn derived_cache_of_literals_implements_both_traits() {
    on_both_runtimes(|| async {
        // One static backend for every value of the type, across both runtimes.
        let name = format!("{:?}.lua", std::time::Instant::now());
        store_async(&InMemory, &name, b"in memory").await;
        assert_eq!(
            load_sync(&InMemory, &name).as_deref(),
            Some(&b"in memory"[..])
        );
        assert_eq!(
            load_async(&InMemory, &name).await.as_deref(),
            Some(&b"in memory"[..])
        );
    });
}

#[test]
fn derived_memcached_cache_implements_both_traits() {
    let server = MemcachedServer::start();
    let prefixes = ["derive-async-1/", "derive-async-2/"];
    let round = std::sync::atomic::AtomicUsize::new(0);
    on_both_runtimes(|| async {
        let prefix = prefixes[round.fetch_add(1, std::sync::atomic::Ordering::Relaxed)];
        let cache = Shared {
            servers: server.url(),
            prefix: prefix.to_owned(),
        };
        both_traits_share_one_backend(&cache).await;
        let hand_built = MemcachedBytecodeCache::builder()
            .server(server.url())
            .prefix(prefix)
            .build()
            .expect("hand-built store");
        assert_eq!(
            load_sync(&hand_built, "async.lua").as_deref(),
            Some(&b"stored async"[..])
        );
    });
}

#[test]
fn derived_cache_futures_are_send_and_spawn() {
    multi_thread_runtime().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Arc::new(Tiers {
            dir: dir.path().to_owned(),
        });
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let cache = Arc::clone(&cache);
                tokio::spawn(async move {
                    let name = format!("t{i}.lua");
                    store_async(&*cache, &name, name.as_bytes()).await;
                    load_async(&*cache, &name).await
                })
            })
            .collect();
        for (i, task) in tasks.into_iter().enumerate() {
            let name = format!("t{i}.lua");
            assert_eq!(task.await.expect("task"), Some(name.into_bytes()));
        }
    });
}
