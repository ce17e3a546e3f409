//! Every local store, wrapper and tier through `AsyncBytecodeCache`, on a current-thread
//! runtime and on a multi-thread one: round trips (get_bucket, set_bucket, get_buckets, clear,
//! stats), `Box<dyn AsyncBytecodeCache>` and `Box<dyn Store>`, `Send` futures, and the
//! wrappers' and tiers' rules kept async (signatures checked, decode limits, read-only never
//! written, tiers filled and trust respected, leases asked from the lowest tier). Real files in
//! temp dirs.

mod support;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bccache::{
    AsyncBytecodeCache, Blocking, Bucket, CacheStats, Checksum, Compressed, Error,
    FileSystemBytecodeCache, Lease, LeaseGuard, Lookup, MemoryBytecodeCache, ReadOnly, Signed,
    Store, TieredBytecodeCache, Trust,
};
use support::asynchronous::{load, multi_thread_runtime, on_both_runtimes, store};

const PATTERN: &str = "__async_%s.cache";
const KEY: [u8; 32] = [0x42; 32];
const MIB: u64 = 1024 * 1024;

fn code_of(name: &str) -> Vec<u8> {
    format!("compiled {name} ").into_bytes().repeat(40)
}

fn fs_store(dir: &Path) -> FileSystemBytecodeCache {
    FileSystemBytecodeCache::new(dir, PATTERN).expect("filesystem store")
}

/// A miss, a store (its load a miss), a hit, a stale source, a batch of a hit and a miss, the
/// counts of all that, then `clear`. A single store counts the stale load as stale, not a miss;
/// tiers count it as a miss of theirs, and stale in each tier.
async fn round_trip(cache: &dyn AsyncBytecodeCache, (misses, stale): (u64, u64)) {
    assert_eq!(load(cache, "a.lua", "return 1").await, None);
    store(cache, "a.lua", "return 1", &code_of("a")).await;
    assert_eq!(load(cache, "a.lua", "return 1").await, Some(code_of("a")));
    assert_eq!(load(cache, "a.lua", "return 2").await, None, "stale source");

    let lookups = [
        Lookup::new("a.lua", "return 1"),
        Lookup::new("b.lua", "return 3"),
    ];
    let batch = cache.get_buckets(&(), &lookups).await.expect("batch");
    assert_eq!(batch[0].code, Some(code_of("a")));
    assert_eq!(batch[1].code, None);
    assert_eq!(batch[1].key, cache.get_cache_key("b.lua", None));

    let stats: CacheStats = cache.stats().await.expect("every built-in store counts");
    assert_eq!(
        (stats.hits, stats.misses, stats.stale),
        (2, misses, stale),
        "{stats:?}"
    );

    cache.clear().await.expect("clear");
    assert_eq!(load(cache, "a.lua", "return 1").await, None, "cleared");
}

#[test]
fn filesystem_store_round_trips_async() {
    on_both_runtimes(|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = fs_store(dir.path());
        round_trip(&cache, (3, 1)).await;
        // The async impl writes the sync store's files: each side reads the other's entries.
        store(&cache, "c.lua", "return 4", b"async").await;
        let sync = fs_store(dir.path());
        let bucket = bccache::BytecodeCache::get_bucket(&sync, &(), "c.lua", None, "return 4")
            .expect("sync load");
        assert_eq!(bucket.code.as_deref(), Some(&b"async"[..]));
    });
}

#[test]
fn filesystem_batch_finds_every_entry_async() {
    on_both_runtimes(|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = fs_store(dir.path());
        let names: Vec<String> = (0..40).map(|i| format!("t{i}.lua")).collect();
        for name in names.iter().step_by(2) {
            store(&cache, name, "src", &code_of(name)).await;
        }
        let lookups: Vec<Lookup<'_>> = names.iter().map(|n| Lookup::new(n, "src")).collect();
        let buckets = cache.get_buckets(&(), &lookups).await.expect("batch");
        for (i, (name, bucket)) in names.iter().zip(&buckets).enumerate() {
            let expected = (i % 2 == 0).then(|| code_of(name));
            assert_eq!(bucket.code, expected, "{name}");
        }
    });
}

#[test]
fn memory_store_round_trips_async() {
    on_both_runtimes(|| async {
        let cache = MemoryBytecodeCache::new(16 * MIB).checksum(Checksum::Xxh3_128);
        round_trip(&cache, (3, 1)).await;
    });
}

#[test]
fn blocking_store_round_trips_async() {
    on_both_runtimes(|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        round_trip(&Blocking::new(fs_store(dir.path())), (3, 1)).await;
    });
}

#[test]
fn compressed_store_round_trips_async() {
    on_both_runtimes(|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Compressed::new(fs_store(dir.path()), 3).expect("level 3");
        round_trip(&cache, (3, 1)).await;
        store(&cache, "big.lua", "src", &code_of("big").repeat(50)).await;
        let key = AsyncBytecodeCache::get_cache_key(&cache, "big.lua", None);
        let on_disk = std::fs::metadata(cache.inner().path_for_key(&key)).expect("entry file");
        assert!(
            on_disk.len() < code_of("big").len() as u64,
            "compressed on disk"
        );
    });
}

#[test]
fn signed_store_round_trips_async() {
    on_both_runtimes(|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Signed::new(fs_store(dir.path()), &KEY).expect("key");
        round_trip(&cache, (3, 1)).await;
        assert_eq!(AsyncBytecodeCache::trust(&cache), Trust::Verified);
    });
}

#[test]
fn signed_then_compressed_round_trips_async() {
    on_both_runtimes(|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let signed = Signed::new(fs_store(dir.path()), &KEY).expect("key");
        round_trip(&Compressed::new(signed, 3).expect("level 3"), (3, 1)).await;
    });
}

#[test]
fn tiered_stores_round_trip_async() {
    on_both_runtimes(|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let native = TieredBytecodeCache::from_stores(vec![
            Box::new(MemoryBytecodeCache::new(16 * MIB)),
            Box::new(fs_store(&dir.path().join("native"))),
        ]);
        round_trip(&native, (4, 2)).await;
        let pooled = TieredBytecodeCache::new(vec![
            Box::new(MemoryBytecodeCache::new(16 * MIB)),
            Box::new(fs_store(&dir.path().join("pooled"))),
        ]);
        round_trip(&pooled, (4, 2)).await;
    });
}

#[test]
fn boxed_stores_are_async_caches() {
    on_both_runtimes(|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let caches: Vec<Box<dyn AsyncBytecodeCache>> = vec![
            Box::new(fs_store(&dir.path().join("fs"))),
            Box::new(MemoryBytecodeCache::new(MIB)),
            Box::new(Compressed::new(fs_store(&dir.path().join("zstd")), 1).expect("level")),
            Box::new(Arc::new(MemoryBytecodeCache::new(MIB))),
        ];
        for cache in &caches {
            store(&**cache, "a.lua", "src", b"code").await;
            assert_eq!(
                load(&**cache, "a.lua", "src").await.as_deref(),
                Some(&b"code"[..])
            );
        }
    });
}

#[test]
fn a_store_serves_sync_and_async_callers_as_one_object() {
    on_both_runtimes(|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let stores: Vec<Box<dyn Store>> = vec![
            Box::new(fs_store(&dir.path().join("fs"))),
            Box::new(MemoryBytecodeCache::new(MIB)),
            Box::new(Signed::new(fs_store(&dir.path().join("signed")), &KEY).expect("key")),
            Box::new(Blocking::new(fs_store(&dir.path().join("blocking")))),
        ];
        for store in &stores {
            let mut bucket =
                bccache::BytecodeCache::get_bucket(&**store, &(), "a.lua", None, "src")
                    .expect("sync load");
            bucket.code = Some(b"sync".to_vec());
            bccache::BytecodeCache::set_bucket(&**store, &bucket).expect("sync store");
            assert_eq!(
                load(&**store, "a.lua", "src").await.as_deref(),
                Some(&b"sync"[..])
            );
        }
    });
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[test]
fn async_trait_futures_are_send_and_spawn() {
    multi_thread_runtime().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache: Arc<dyn AsyncBytecodeCache> = Arc::new(TieredBytecodeCache::from_stores(vec![
            Box::new(MemoryBytecodeCache::new(MIB)),
            Box::new(Compressed::new(fs_store(dir.path()), 3).expect("level")),
        ]));
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let cache = Arc::clone(&cache);
                tokio::spawn(assert_send(async move {
                    let name = format!("t{}.lua", i % 4);
                    store(&*cache, &name, "src", &code_of(&name)).await;
                    load(&*cache, &name, "src").await
                }))
            })
            .collect();
        for (i, task) in tasks.into_iter().enumerate() {
            let code = task.await.expect("task");
            assert_eq!(code, Some(code_of(&format!("t{}.lua", i % 4))));
        }
    });
}

/// Plants `payload` in `inner` under the fingerprint a wrapper passes down, so that the
/// inner store's checks pass and only the wrapper's can refuse it.
fn plant(inner: &FileSystemBytecodeCache, fingerprint: &[u8], name: &str, payload: Vec<u8>) {
    let fingerprint = fingerprint.to_vec();
    let mut bucket = Bucket::new(
        &fingerprint,
        bccache::BytecodeCache::get_cache_key(inner, name, None),
        bccache::BytecodeCache::get_source_checksum(inner, "src"),
    );
    bucket.code = Some(payload);
    bccache::BytecodeCache::set_bucket(inner, &bucket).expect("plant");
}

#[test]
fn a_tampered_signed_entry_is_a_miss_async() {
    on_both_runtimes(|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Signed::new(fs_store(dir.path()), &KEY).expect("key");
        store(&cache, "a.lua", "src", b"genuine").await;
        // Same key id, a MAC that is not the key's: a forgery that passes the file's checks.
        let fingerprint = cache.inner_fingerprint(&());
        let genuine = {
            let mut bucket = Bucket::new(
                &fingerprint,
                AsyncBytecodeCache::get_cache_key(&cache, "a.lua", None),
                AsyncBytecodeCache::get_source_checksum(&cache, "src"),
            );
            bccache::BytecodeCache::load_bytecode(cache.inner(), &mut bucket).expect("load");
            bucket.code.expect("the signed payload")
        };
        let before = cache.stats().await.expect("counts");
        let mut forged = genuine.clone();
        forged[..7].copy_from_slice(b"planted");
        plant(cache.inner(), &fingerprint, "a.lua", forged);
        assert_eq!(load(&cache, "a.lua", "src").await, None);
        // Another key's signature is a miss too.
        let forger = Signed::new(fs_store(dir.path()), &[9; 32]).expect("key");
        store(&forger, "b.lua", "src", b"evil").await;
        assert_eq!(load(&cache, "b.lua", "src").await, None);
        let after = cache.stats().await.expect("counts");
        assert_eq!(after.rejected - before.rejected, 2, "{after:?}");
        assert_eq!(after.hits, before.hits, "{after:?}");
    });
}

#[test]
fn signed_refuses_to_wrap_a_store_that_decompresses_async() {
    on_both_runtimes(|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let compressed = Compressed::new(Blocking::new(fs_store(dir.path())), 3).expect("level");
        assert!(AsyncBytecodeCache::decompresses(&compressed));
        assert!(matches!(
            Signed::new_async(compressed, &KEY),
            Err(Error::SignedAroundCompressed)
        ));
        // An async-only store inside: signed, and a forgery is still a miss.
        let signed = Signed::new_async(Blocking::new(fs_store(dir.path())), &KEY).expect("key");
        store(&signed, "a.lua", "src", b"genuine").await;
        assert_eq!(
            load(&signed, "a.lua", "src").await.as_deref(),
            Some(&b"genuine"[..])
        );
        let forger = Signed::new_async(Blocking::new(fs_store(dir.path())), &[9; 32]).expect("key");
        store(&forger, "a.lua", "src", b"evil").await;
        assert_eq!(load(&signed, "a.lua", "src").await, None);
    });
}

#[test]
fn compressed_decode_limit_holds_async() {
    on_both_runtimes(|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Compressed::new(fs_store(dir.path()), 3)
            .expect("level")
            .decode_limit(100_000);
        let mut bucket = cache
            .get_bucket(&(), "big.lua", None, "src")
            .await
            .expect("load");
        bucket.code = Some(vec![7; 100_001]);
        assert!(matches!(
            cache.set_bucket(&bucket).await,
            Err(Error::OverDecodeLimit { limit: 100_000, .. })
        ));
        // A payload declaring more than the limit: a miss, counted as rejected.
        let mut payload = 200_000u64.to_le_bytes().to_vec();
        payload.extend_from_slice(&zstd_frame_of(&[0; 64]));
        plant(
            cache.inner(),
            &cache.inner_fingerprint(&()),
            "big.lua",
            payload,
        );
        assert_eq!(load(&cache, "big.lua", "src").await, None);
        let stats = cache.stats().await.expect("counts");
        assert_eq!((stats.hits, stats.rejected), (0, 1), "{stats:?}");
    });
}

/// A zstd frame of `bytes`, as another `Compressed` would write it (minus the length prefix).
fn zstd_frame_of(bytes: &[u8]) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let writer = Compressed::new(fs_store(dir.path()), 3).expect("level");
    let mut bucket = Bucket::new(&(), "k", "c");
    bucket.code = Some(bytes.to_vec());
    bccache::BytecodeCache::set_bucket(&writer, &bucket).expect("store");
    let fingerprint = writer.inner_fingerprint(&());
    let mut inner = Bucket::new(&fingerprint, "k", "c");
    bccache::BytecodeCache::load_bytecode(writer.inner(), &mut inner).expect("load");
    inner.code.expect("payload")[8..].to_vec()
}

#[test]
fn read_only_never_writes_async() {
    on_both_runtimes(|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let seeded = fs_store(dir.path());
        store(&seeded, "seeded.lua", "src", b"from CI").await;
        let shared = ReadOnly::new(fs_store(dir.path()));

        store(&shared, "new.lua", "src", b"compiled here").await;
        assert_eq!(load(&shared, "new.lua", "src").await, None);
        let key = AsyncBytecodeCache::get_cache_key(&shared, "new.lua", None);
        assert!(!seeded.path_for_key(&key).exists(), "no file written");

        shared.clear().await.expect("clear does nothing");
        assert_eq!(
            load(&shared, "seeded.lua", "src").await.as_deref(),
            Some(&b"from CI"[..])
        );
        let lease = shared
            .lease(&key, Duration::from_secs(5))
            .await
            .expect("lease");
        assert!(matches!(lease, Lease::Unsupported), "{lease:?}");
    });
}

/// The directory and the memory store of a two-tier stack, and the stack made both ways.
fn memory_over_disk(dir: &Path, native: bool) -> (Arc<MemoryBytecodeCache>, TieredBytecodeCache) {
    let memory = Arc::new(MemoryBytecodeCache::new(16 * MIB));
    let tiers = if native {
        TieredBytecodeCache::from_stores(vec![
            Box::new(Arc::clone(&memory)),
            Box::new(fs_store(dir)),
        ])
    } else {
        TieredBytecodeCache::new(vec![Box::new(Arc::clone(&memory)), Box::new(fs_store(dir))])
    };
    (memory, tiers)
}

#[test]
fn tiered_fills_upper_tiers_async() {
    on_both_runtimes(|| async {
        for native in [true, false] {
            let dir = tempfile::tempdir().expect("temp dir");
            let (memory, tiers) = memory_over_disk(dir.path(), native);
            store(&fs_store(dir.path()), "a.lua", "src", b"from disk").await;
            store(&fs_store(dir.path()), "b.lua", "src", b"batch").await;
            assert_eq!(load(&*memory, "a.lua", "src").await, None);

            assert_eq!(
                load(&tiers, "a.lua", "src").await.as_deref(),
                Some(&b"from disk"[..])
            );
            assert_eq!(
                load(&*memory, "a.lua", "src").await.as_deref(),
                Some(&b"from disk"[..])
            );

            let lookups = [Lookup::new("b.lua", "src"), Lookup::new("c.lua", "src")];
            let batch = tiers.get_buckets(&(), &lookups).await.expect("batch");
            assert_eq!(batch[0].code.as_deref(), Some(&b"batch"[..]));
            assert_eq!(batch[1].code, None);
            assert_eq!(
                load(&*memory, "b.lua", "src").await.as_deref(),
                Some(&b"batch"[..])
            );

            // Written through: both tiers hold what is stored through the tiers.
            store(&tiers, "d.lua", "src", b"compiled").await;
            assert_eq!(
                load(&*memory, "d.lua", "src").await.as_deref(),
                Some(&b"compiled"[..])
            );
            assert_eq!(
                load(&fs_store(dir.path()), "d.lua", "src").await.as_deref(),
                Some(&b"compiled"[..])
            );
            let stats = tiers.stats().await.expect("counts");
            // The batch's miss and the load before the store.
            assert_eq!(stats.misses, 2, "native {native}: {stats:?}");
        }
    });
}

#[test]
fn tiered_never_fills_a_more_trusted_tier_async() {
    on_both_runtimes(|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let signed =
            Arc::new(Signed::new(fs_store(&dir.path().join("signed")), &KEY).expect("key"));
        let tiers = TieredBytecodeCache::from_stores(vec![
            Box::new(Arc::clone(&signed)),
            Box::new(fs_store(&dir.path().join("open"))),
        ]);
        assert_eq!(AsyncBytecodeCache::trust(&tiers), Trust::Unverified);
        store(
            &fs_store(&dir.path().join("open")),
            "a.lua",
            "src",
            b"planted",
        )
        .await;

        // This process's stack trusts the open tier, so the load returns its hit...
        assert_eq!(
            load(&tiers, "a.lua", "src").await.as_deref(),
            Some(&b"planted"[..])
        );
        // ... but the signed tier was not made to sign it.
        assert_eq!(load(&*signed, "a.lua", "src").await, None);
    });
}

/// A sync store of one's own with leases: it counts the leases asked for and answers
/// `answer`. Async callers reach it as a `Blocking`.
struct Leasing {
    answer: fn() -> Lease,
    asked: AtomicUsize,
    memory: MemoryBytecodeCache,
}

impl Leasing {
    fn new(answer: fn() -> Lease) -> Arc<Self> {
        Arc::new(Leasing {
            answer,
            asked: AtomicUsize::new(0),
            memory: MemoryBytecodeCache::new(MIB),
        })
    }

    fn asked(&self) -> usize {
        self.asked.load(Ordering::Relaxed)
    }
}

impl bccache::BytecodeCache for Leasing {
    fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> bccache::Result<()> {
        bccache::BytecodeCache::load_bytecode(&self.memory, bucket)
    }

    fn dump_bytecode(&self, bucket: &Bucket<'_>) -> bccache::Result<()> {
        bccache::BytecodeCache::dump_bytecode(&self.memory, bucket)
    }

    fn lease(&self, _key: &str, _ttl: Duration) -> bccache::Result<Lease> {
        self.asked.fetch_add(1, Ordering::Relaxed);
        Ok((self.answer)())
    }
}

fn held() -> Lease {
    Lease::Held(LeaseGuard::none())
}

fn busy() -> Lease {
    Lease::Busy
}

fn unsupported() -> Lease {
    Lease::Unsupported
}

/// Tiers of `Leasing` stores, each through `Blocking` (both traits).
fn leasing_tiers(tiers: &[&Arc<Leasing>], read_only_last: bool) -> TieredBytecodeCache {
    let mut stores: Vec<Box<dyn Store>> = tiers
        .iter()
        .map(|tier| Box::new(Blocking::from_arc(Arc::clone(tier))) as Box<dyn Store>)
        .collect();
    if read_only_last {
        let last = stores.pop().expect("a last tier");
        stores.push(Box::new(ReadOnly::new(last)));
    }
    TieredBytecodeCache::from_stores(stores)
}

#[test]
fn tiered_lease_is_the_lowest_tier_with_leases_async() {
    on_both_runtimes(|| async {
        let ttl = Duration::from_secs(5);
        let (top, middle, bottom) = (
            Leasing::new(held),
            Leasing::new(unsupported),
            Leasing::new(busy),
        );
        let tiers = leasing_tiers(&[&top, &middle, &bottom], false);
        assert!(matches!(tiers.lease("k", ttl).await, Ok(Lease::Busy)));
        assert_eq!((top.asked(), middle.asked(), bottom.asked()), (0, 0, 1));

        // A read-only bottom tier has no leases: the next one up answers.
        let tiers = leasing_tiers(&[&top, &middle, &bottom], true);
        assert!(matches!(tiers.lease("k", ttl).await, Ok(Lease::Held(_))));
        assert_eq!((top.asked(), middle.asked(), bottom.asked()), (1, 1, 1));

        let none = leasing_tiers(&[&middle, &middle], false);
        assert!(matches!(none.lease("k", ttl).await, Ok(Lease::Unsupported)));
        let empty = TieredBytecodeCache::from_stores(Vec::new());
        assert!(matches!(
            empty.lease("k", ttl).await,
            Ok(Lease::Unsupported)
        ));
    });
}

#[test]
fn tiered_lease_is_the_lowest_tier_with_leases_sync() {
    let ttl = Duration::from_secs(5);
    let (top, bottom) = (Leasing::new(held), Leasing::new(busy));
    let tiers = TieredBytecodeCache::new(vec![
        Box::new(Arc::clone(&top)),
        Box::new(Arc::clone(&bottom)),
    ]);
    let lease = bccache::BytecodeCache::lease(&tiers, "k", ttl).expect("lease");
    assert!(matches!(lease, Lease::Busy), "{lease:?}");
    assert_eq!((top.asked(), bottom.asked()), (0, 1));
    let tiers = TieredBytecodeCache::new(vec![
        Box::new(Arc::clone(&top)),
        Box::new(ReadOnly::new(Arc::clone(&bottom))),
    ]);
    let lease = bccache::BytecodeCache::lease(&tiers, "k", ttl).expect("lease");
    assert!(matches!(lease, Lease::Held(_)), "{lease:?}");
    assert_eq!((top.asked(), bottom.asked()), (1, 1));
}
