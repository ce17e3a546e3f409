//! `#[derive(BytecodeCache)]` with several stores in one attribute: the tiers memory → dir →
//! network store, in that order whatever the order written, filled from below and written
//! through; and the wrappers (`compress`, `signing_key_env`) around the dir and network tiers.
//! Real stores: files in temp dirs and real memcached servers on loopback.
//!
//! The memory, Redis, compressed and signed cases need their stores' features.

mod support;

#[cfg(any(feature = "memory", feature = "signed"))]
use std::fs;
use std::path::{Path, PathBuf};
#[cfg(feature = "signed")]
use std::time::Duration;

use bccache::{BytecodeCache, Checksum, FileSystemBytecodeCache, MemcachedBytecodeCache};
use support::fs::{load, store};
use support::memcached::MemcachedServer;

const SOURCE: &str = "return { title = 'tiers' }";
const CODE: &[u8] = b"compiled by the derived cache";
const PATTERN: &str = "__tier_%s.cache";

/// Written network store first: the tiers are still dir → memcached.
#[derive(BytecodeCache)]
#[cache(memcached, dir, pattern = "__tier_%s.cache")]
struct DirOverMemcached {
    #[cache(memcached)]
    servers: String,
    #[cache(prefix)]
    prefix: String,
    #[cache(dir)]
    dir: PathBuf,
}

#[derive(BytecodeCache)]
#[cache(memcached, dir, pattern = "__tier_%s.cache", checksum = "xxh3")]
struct Xxh3Tiers {
    #[cache(memcached)]
    servers: String,
    #[cache(prefix)]
    prefix: String,
    #[cache(dir)]
    dir: PathBuf,
}

fn fs_cache(dir: &Path, checksum: Checksum) -> FileSystemBytecodeCache {
    FileSystemBytecodeCache::new(dir, PATTERN)
        .expect("hand-built filesystem cache")
        .checksum(checksum)
}

fn memcached_cache(
    server: &MemcachedServer,
    prefix: &str,
    checksum: Checksum,
) -> MemcachedBytecodeCache {
    MemcachedBytecodeCache::builder()
        .server(server.url())
        .prefix(prefix)
        .checksum(checksum)
        .ignore_memcache_errors(false)
        .build()
        .expect("hand-built memcached cache")
}

fn dir_over_memcached(server: &MemcachedServer, prefix: &str, dir: &Path) -> DirOverMemcached {
    DirOverMemcached {
        servers: server.url(),
        prefix: prefix.to_owned(),
        dir: dir.to_owned(),
    }
}

#[test]
fn dir_is_tried_before_memcached_whatever_the_order_written() {
    let server = MemcachedServer::start();
    let tmp = tempfile::tempdir().expect("temp dir");
    store(
        &fs_cache(tmp.path(), Checksum::Sha1),
        "page.lua",
        SOURCE,
        b"from disk",
    )
    .expect("store on disk");
    store(
        &memcached_cache(&server, "order/", Checksum::Sha1),
        "page.lua",
        SOURCE,
        b"from memcached",
    )
    .expect("store in memcached");

    let derived = dir_over_memcached(&server, "order/", tmp.path());
    assert_eq!(
        load(&derived, "page.lua", SOURCE).as_deref(),
        Some(&b"from disk"[..])
    );
}

#[test]
fn a_memcached_hit_fills_the_dir_tier() {
    let server = MemcachedServer::start();
    let tmp = tempfile::tempdir().expect("temp dir");
    store(
        &memcached_cache(&server, "fill/", Checksum::Sha1),
        "page.lua",
        SOURCE,
        CODE,
    )
    .expect("store in memcached");
    let disk = fs_cache(tmp.path(), Checksum::Sha1);
    assert_eq!(load(&disk, "page.lua", SOURCE), None);

    let derived = dir_over_memcached(&server, "fill/", tmp.path());
    assert_eq!(load(&derived, "page.lua", SOURCE).as_deref(), Some(CODE));
    assert_eq!(
        load(&disk, "page.lua", SOURCE).as_deref(),
        Some(CODE),
        "the hit below was written to the dir tier"
    );
    server.flush_all();
    assert_eq!(load(&derived, "page.lua", SOURCE).as_deref(), Some(CODE));
}

#[test]
fn a_dump_writes_through_to_every_tier() {
    let server = MemcachedServer::start();
    let tmp = tempfile::tempdir().expect("temp dir");
    let derived = dir_over_memcached(&server, "through/", tmp.path());
    store(&derived, "page.lua", SOURCE, CODE).expect("store through the tiers");

    assert_eq!(
        load(&fs_cache(tmp.path(), Checksum::Sha1), "page.lua", SOURCE).as_deref(),
        Some(CODE)
    );
    assert_eq!(
        load(
            &memcached_cache(&server, "through/", Checksum::Sha1),
            "page.lua",
            SOURCE
        )
        .as_deref(),
        Some(CODE)
    );
}

#[test]
fn checksum_applies_to_every_tier() {
    let server = MemcachedServer::start();
    let tmp = tempfile::tempdir().expect("temp dir");
    let derived = Xxh3Tiers {
        servers: server.url(),
        prefix: "xxh3/".to_owned(),
        dir: tmp.path().to_owned(),
    };
    store(&derived, "page.lua", SOURCE, CODE).expect("store through the tiers");

    let disk: [&dyn BytecodeCache; 2] = [
        &fs_cache(tmp.path(), Checksum::Xxh3_128),
        &memcached_cache(&server, "xxh3/", Checksum::Xxh3_128),
    ];
    for tier in disk {
        assert_eq!(load(tier, "page.lua", SOURCE).as_deref(), Some(CODE));
    }
    let sha1: [&dyn BytecodeCache; 2] = [
        &fs_cache(tmp.path(), Checksum::Sha1),
        &memcached_cache(&server, "xxh3/", Checksum::Sha1),
    ];
    for tier in sha1 {
        assert_eq!(load(tier, "page.lua", SOURCE), None);
    }
}

#[test]
fn a_dead_memcached_tier_leaves_the_dir_tier_working() {
    let mut server = MemcachedServer::start();
    let tmp = tempfile::tempdir().expect("temp dir");
    let derived = dir_over_memcached(&server, "dead/", tmp.path());
    store(&derived, "before.lua", SOURCE, CODE).expect("store while memcached is up");
    server.stop();

    assert_eq!(load(&derived, "before.lua", SOURCE).as_deref(), Some(CODE));
    // memcached errors are misses by default: the dump succeeds on disk.
    store(&derived, "after.lua", SOURCE, CODE).expect("store while memcached is down");
    assert_eq!(load(&derived, "after.lua", SOURCE).as_deref(), Some(CODE));
    assert!(
        fs_cache(tmp.path(), Checksum::Sha1)
            .path_for_key(&derived.get_cache_key("after.lua", None))
            .is_file()
    );
}

#[cfg(feature = "memory")]
mod memory {
    use super::*;

    /// Written last: the memory tier is still the first.
    #[derive(BytecodeCache)]
    #[cache(dir, pattern = "__tier_%s.cache", memory = "1 MiB")]
    struct MemoryOverDir {
        #[cache(dir)]
        dir: PathBuf,
    }

    fn entry(dir: &Path, name: &str) -> PathBuf {
        let cache = fs_cache(dir, Checksum::Sha1);
        cache.path_for_key(&cache.get_cache_key(name, None))
    }

    #[test]
    fn memory_holds_what_was_stored_when_the_file_is_gone() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let derived = MemoryOverDir {
            dir: tmp.path().to_owned(),
        };
        store(&derived, "page.lua", SOURCE, CODE).expect("store through the tiers");
        fs::remove_file(entry(tmp.path(), "page.lua")).expect("the dump wrote the file");
        assert_eq!(load(&derived, "page.lua", SOURCE).as_deref(), Some(CODE));
    }

    #[test]
    fn a_dir_hit_fills_the_memory_tier() {
        let tmp = tempfile::tempdir().expect("temp dir");
        store(
            &fs_cache(tmp.path(), Checksum::Sha1),
            "page.lua",
            SOURCE,
            CODE,
        )
        .expect("store on disk");
        let derived = MemoryOverDir {
            dir: tmp.path().to_owned(),
        };
        assert_eq!(load(&derived, "page.lua", SOURCE).as_deref(), Some(CODE));
        fs::remove_file(entry(tmp.path(), "page.lua")).expect("remove the file");
        assert_eq!(
            load(&derived, "page.lua", SOURCE).as_deref(),
            Some(CODE),
            "the dir hit was kept in memory"
        );
    }
}

#[cfg(feature = "zstd")]
mod compressed {
    use super::*;

    #[derive(BytecodeCache)]
    #[cache(dir, pattern = "__tier_%s.cache", compress = 3)]
    struct CompressedDir {
        #[cache(dir)]
        dir: PathBuf,
    }

    #[test]
    fn compress_wraps_the_dir_store_in_compressed() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let derived = CompressedDir {
            dir: tmp.path().to_owned(),
        };
        store(&derived, "page.lua", SOURCE, CODE).expect("store compressed");
        assert_eq!(load(&derived, "page.lua", SOURCE).as_deref(), Some(CODE));

        let plain = fs_cache(tmp.path(), Checksum::Sha1);
        assert_eq!(
            load(&plain, "page.lua", SOURCE),
            None,
            "compressed and plain entries never mix"
        );
        let compressed = bccache::Compressed::new(plain, 3).expect("level 3");
        assert_eq!(load(&compressed, "page.lua", SOURCE).as_deref(), Some(CODE));
    }
}

#[cfg(feature = "signed")]
mod signed {
    use super::*;
    use support::child;

    /// Never set by anyone: the key is missing.
    const MISSING: &str = "BCCACHE_DERIVE_TEST_KEY_NEVER_SET";
    const PRESENT: &str = "BCCACHE_DERIVE_TEST_KEY";
    /// 32 bytes in hex.
    const KEY_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[derive(BytecodeCache)]
    #[cache(
        dir,
        pattern = "__tier_%s.cache",
        signing_key_env = "BCCACHE_DERIVE_TEST_KEY_NEVER_SET"
    )]
    struct MissingKey {
        #[cache(dir)]
        dir: PathBuf,
    }

    #[derive(BytecodeCache)]
    #[cache(
        dir,
        pattern = "__tier_%s.cache",
        signing_key_env = "BCCACHE_DERIVE_TEST_KEY"
    )]
    struct SignedDir {
        #[cache(dir)]
        dir: PathBuf,
    }

    #[test]
    fn a_missing_key_is_an_error_from_every_call_naming_the_variable() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let derived = MissingKey {
            dir: tmp.path().to_owned(),
        };
        for _ in 0..3 {
            let error = derived
                .get_bucket(&(), "page.lua", None, SOURCE)
                .expect_err("no key, no cache: never unsigned");
            assert!(error.to_string().contains(MISSING), "{error}");
        }
        assert!(
            fs::read_dir(tmp.path()).expect("list").next().is_none(),
            "nothing was written unsigned"
        );
    }

    #[test]
    fn entries_of_a_signed_dir_do_not_load_unsigned() {
        const TEST: &str = "signed::entries_of_a_signed_dir_do_not_load_unsigned";
        if let Some(dir) = child::child_instructions() {
            let derived = SignedDir {
                dir: PathBuf::from(dir),
            };
            store(&derived, "page.lua", SOURCE, CODE).expect("store signed");
            assert_eq!(load(&derived, "page.lua", SOURCE).as_deref(), Some(CODE));
            return;
        }
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().display().to_string();
        let mut command = child::child_command(TEST, &dir);
        command.env(PRESENT, KEY_HEX);
        let output = child::wait_with_deadline(child::spawn(command), Duration::from_secs(60));
        child::check_passed(TEST, &output);
        assert_eq!(
            load(&fs_cache(tmp.path(), Checksum::Sha1), "page.lua", SOURCE),
            None,
            "a signed entry is not an unsigned one"
        );
    }
}

#[cfg(feature = "redis")]
mod redis_tier {
    use super::*;
    use bccache::RedisBytecodeCache;
    use support::redis::RedisServer;

    /// Written network store first: the tiers are still dir → Redis.
    #[derive(BytecodeCache)]
    #[cache(
        redis,
        dir,
        pattern = "__tier_%s.cache",
        prefix = "tiers/",
        checksum = "xxh3"
    )]
    struct DirOverRedis {
        #[cache(redis)]
        url: String,
        #[cache(dir)]
        dir: PathBuf,
    }

    #[derive(BytecodeCache)]
    #[cache(redis, ignore_errors = false)]
    struct RedisAlone {
        #[cache(redis)]
        url: String,
        #[cache(prefix)]
        prefix: String,
    }

    fn redis_cache(server: &RedisServer, prefix: &str, checksum: Checksum) -> RedisBytecodeCache {
        RedisBytecodeCache::builder()
            .server(server.url())
            .prefix(prefix)
            .checksum(checksum)
            .ignore_errors(false)
            .build()
            .expect("hand-built redis cache")
    }

    #[test]
    fn redis_alone_stores_what_the_hand_built_redis_cache_reads() {
        let server = RedisServer::start();
        let derived = RedisAlone {
            url: server.url(),
            prefix: "alone/".to_owned(),
        };
        store(&derived, "page.lua", SOURCE, CODE).expect("store in redis");
        assert_eq!(
            load(
                &redis_cache(&server, "alone/", Checksum::Sha1),
                "page.lua",
                SOURCE
            )
            .as_deref(),
            Some(CODE)
        );
        assert_eq!(
            load(
                &redis_cache(&server, "other/", Checksum::Sha1),
                "page.lua",
                SOURCE
            ),
            None
        );
    }

    #[test]
    fn a_redis_hit_fills_the_dir_tier_and_a_dump_writes_through() {
        let server = RedisServer::start();
        let tmp = tempfile::tempdir().expect("temp dir");
        let below = redis_cache(&server, "tiers/", Checksum::Xxh3_128);
        store(&below, "shared.lua", SOURCE, CODE).expect("store in redis");

        let derived = DirOverRedis {
            url: server.url(),
            dir: tmp.path().to_owned(),
        };
        let disk = fs_cache(tmp.path(), Checksum::Xxh3_128);
        assert_eq!(load(&derived, "shared.lua", SOURCE).as_deref(), Some(CODE));
        assert_eq!(
            load(&disk, "shared.lua", SOURCE).as_deref(),
            Some(CODE),
            "the redis hit was written to the dir tier"
        );

        store(&derived, "local.lua", SOURCE, CODE).expect("store through the tiers");
        assert_eq!(load(&disk, "local.lua", SOURCE).as_deref(), Some(CODE));
        assert_eq!(load(&below, "local.lua", SOURCE).as_deref(), Some(CODE));
    }
}
