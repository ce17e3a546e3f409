//! `RedisBytecodeCache` against real standalone Redis servers on 127.0.0.1.

mod support;

use std::thread;
use std::time::{Duration, Instant};

use bccache::{Bucket, BytecodeCache, DEFAULT_PREFIX, Lookup, RedisBytecodeCache};
use support::fs::{load, store_key as store};
use support::redis::RedisServer;

const SOURCE: &str = "{% for item in items %}<li>{{ item }}</li>{% endfor %}";

fn cache_on(server: &RedisServer) -> RedisBytecodeCache {
    RedisBytecodeCache::builder()
        .server(server.url())
        .ignore_errors(false)
        .build()
        .expect("a valid server URL")
}

fn code_of(name: &str) -> Vec<u8> {
    format!("compiled {name}").into_bytes()
}

#[test]
fn round_trip_hits_and_a_changed_source_is_stale() {
    let server = RedisServer::start();
    let cache = cache_on(&server);
    assert_eq!(load(&cache, "page.html", SOURCE), None);
    let key = store(&cache, "page.html", SOURCE, b"compiled page");
    assert_eq!(
        load(&cache, "page.html", SOURCE).as_deref(),
        Some(&b"compiled page"[..])
    );
    assert_eq!(load(&cache, "page.html", "another source"), None);
    // The trait's own path: a bucket made by hand, loaded.
    let mut by_hand = Bucket::new(&(), key.clone(), cache.get_source_checksum(SOURCE));
    cache.load_bytecode(&mut by_hand).expect("load_bytecode");
    assert_eq!(by_hand.code.as_deref(), Some(&b"compiled page"[..]));

    // Stored under prefix + key, exactly the encoded bucket, with no expiry.
    let full_key = format!("{DEFAULT_PREFIX}{key}");
    let mut expected = Bucket::new(&(), key, cache.get_source_checksum(SOURCE));
    expected.code = Some(b"compiled page".to_vec());
    assert_eq!(
        server.raw_get(&full_key),
        Some(expected.bytecode_to_string().expect("encode"))
    );
    let ttl: i64 = server.query(redis::cmd("TTL").arg(&full_key));
    assert_eq!(ttl, -1);

    let stats = cache.stats().expect("counted");
    assert_eq!(
        (
            stats.misses,
            stats.stores,
            stats.hits,
            stats.stale,
            stats.errors
        ),
        // The first miss, and `store`'s own lookup; two hits, one by hand.
        (2, 1, 2, 1, 0)
    );
}

#[test]
fn a_second_cache_on_the_same_server_hits() {
    let server = RedisServer::start();
    store(&cache_on(&server), "shared.html", SOURCE, b"shared code");
    let other = RedisBytecodeCache::connect(&server.url()).expect("cache");
    assert_eq!(
        load(&other, "shared.html", SOURCE).as_deref(),
        Some(&b"shared code"[..])
    );
}

#[test]
fn a_large_entry_round_trips() {
    let server = RedisServer::start();
    let cache = cache_on(&server);
    let code: Vec<u8> = (0..3 * 1024 * 1024u32)
        .map(|i| (i * 7 + i / 251) as u8)
        .collect();
    store(&cache, "large.wasm", SOURCE, &code);
    assert_eq!(load(&cache, "large.wasm", SOURCE), Some(code));
}

#[test]
fn clear_removes_only_its_own_prefix() {
    let server = RedisServer::start();
    let first = RedisBytecodeCache::builder()
        .server(server.url())
        .prefix("app-a/")
        .ignore_errors(false)
        .build()
        .expect("cache");
    let second = RedisBytecodeCache::builder()
        .server(server.url())
        .prefix("app-b/")
        .ignore_errors(false)
        .build()
        .expect("cache");
    // More keys than one SCAN step and one UNLINK batch hold.
    for i in 0..1_200 {
        store(&first, &format!("a{i}.html"), SOURCE, b"a");
    }
    store(&second, "b.html", SOURCE, b"b");
    server.raw_set("app-a", b"not an entry: the prefix alone");
    server.raw_set("unrelated/key", b"someone else's data");

    first.clear().expect("clear");

    assert_eq!(load(&first, "a0.html", SOURCE), None);
    assert_eq!(load(&first, "a1199.html", SOURCE), None);
    assert_eq!(load(&second, "b.html", SOURCE).as_deref(), Some(&b"b"[..]));
    let mut left = server.keys();
    left.retain(|key| !key.starts_with("app-b/"));
    assert_eq!(left, ["app-a", "unrelated/key"]);
    assert_eq!(server.dbsize(), 3);
}

#[test]
fn clear_reads_glob_characters_of_the_prefix_literally() {
    let server = RedisServer::start();
    let starred = RedisBytecodeCache::builder()
        .server(server.url())
        .prefix("t*[x]?/")
        .ignore_errors(false)
        .build()
        .expect("cache");
    store(&starred, "page.html", SOURCE, b"starred");
    // Keys the unescaped pattern `t*[x]?/*` would match.
    server.raw_set("tea-x1/page", b"keep");
    server.raw_set("tx!/page", b"keep");
    starred.clear().expect("clear");
    assert_eq!(load(&starred, "page.html", SOURCE), None);
    assert_eq!(server.keys(), ["tea-x1/page", "tx!/page"]);
}

#[test]
fn an_empty_prefix_works() {
    let server = RedisServer::start();
    let cache = RedisBytecodeCache::builder()
        .server(server.url())
        .prefix("")
        .build()
        .expect("cache");
    let key = store(&cache, "page.html", SOURCE, b"code");
    assert!(server.raw_get(&key).is_some());
    assert_eq!(
        load(&cache, "page.html", SOURCE).as_deref(),
        Some(&b"code"[..])
    );
}

#[test]
fn entries_expire_after_the_timeout() {
    let server = RedisServer::start();
    let cache = RedisBytecodeCache::builder()
        .server(server.url())
        .timeout(1)
        .ignore_errors(false)
        .build()
        .expect("cache");
    let key = store(&cache, "page.html", SOURCE, b"short-lived");
    let ttl: i64 = server.query(redis::cmd("TTL").arg(format!("{DEFAULT_PREFIX}{key}")));
    assert!((0..=1).contains(&ttl), "ttl {ttl}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while load(&cache, "page.html", SOURCE).is_some() {
        assert!(
            Instant::now() < deadline,
            "the entry outlived its 1 s timeout by 9 s"
        );
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn every_corrupted_entry_is_a_miss() {
    let server = RedisServer::start();
    let cache = cache_on(&server);
    let key = store(&cache, "page.html", SOURCE, b"compiled page");
    let full_key = format!("{DEFAULT_PREFIX}{key}");
    let good = server.raw_get(&full_key).expect("stored");
    let mut rejected = 0;
    let mut bad_entries: Vec<Vec<u8>> = Vec::new();
    for at in 0..good.len() {
        let mut flipped = good.clone();
        flipped[at] ^= 0x20;
        bad_entries.push(flipped);
    }
    for len in [0, 1, good.len() / 2, good.len() - 1] {
        bad_entries.push(good[..len].to_vec());
    }
    let mut longer = good.clone();
    longer.push(0);
    bad_entries.push(longer);
    for bad in &bad_entries {
        server.raw_set(&full_key, bad);
        assert_eq!(load(&cache, "page.html", SOURCE), None, "{bad:?}");
        rejected += 1;
    }
    let stats = cache.stats().expect("counted");
    assert_eq!(stats.rejected + stats.stale, rejected);
    assert_eq!(stats.hits, 0);
    assert_eq!(stats.errors, 0);

    // Restored, it hits again.
    server.raw_set(&full_key, &good);
    assert!(load(&cache, "page.html", SOURCE).is_some());
}

#[test]
fn an_entry_stored_under_another_key_is_a_miss() {
    let server = RedisServer::start();
    let cache = cache_on(&server);
    let a = store(&cache, "a.html", SOURCE, b"code of a");
    let b = cache.get_cache_key("b.html", None);
    // Same source, so only the key in the header tells them apart.
    let entry_of_a = server
        .raw_get(&format!("{DEFAULT_PREFIX}{a}"))
        .expect("stored");
    server.raw_set(&format!("{DEFAULT_PREFIX}{b}"), &entry_of_a);
    assert_eq!(load(&cache, "b.html", SOURCE), None);
    assert_eq!(cache.stats().expect("counted").rejected, 1);
}

#[test]
fn a_key_of_another_type_is_a_miss_or_an_error_never_code() {
    let server = RedisServer::start();
    let strict = cache_on(&server);
    let key = strict.get_cache_key("list.html", None);
    server.query::<()>(
        redis::cmd("RPUSH")
            .arg(format!("{DEFAULT_PREFIX}{key}"))
            .arg("x"),
    );
    assert!(
        strict.get_bucket(&(), "list.html", None, SOURCE).is_err(),
        "WRONGTYPE is an error when errors are not ignored"
    );
    let lenient = RedisBytecodeCache::connect(&server.url()).expect("cache");
    assert_eq!(load(&lenient, "list.html", SOURCE), None);
    // The connection stayed usable: the error was a whole reply.
    store(&strict, "after.html", SOURCE, b"after");
    assert!(load(&strict, "after.html", SOURCE).is_some());
}

#[test]
fn get_buckets_agrees_with_single_loads() {
    let servers = [RedisServer::start(), RedisServer::start()];
    let cache = RedisBytecodeCache::builder()
        .server(servers[0].url())
        .server(servers[1].url())
        .ignore_errors(false)
        .build()
        .expect("cache");
    let names: Vec<String> = (0..700).map(|i| format!("page-{i}.html")).collect();
    let sources: Vec<String> = (0..700).map(|i| format!("{SOURCE} #{i}")).collect();
    for (i, name) in names.iter().enumerate() {
        match i % 4 {
            // Hit.
            0 | 1 => {
                store(&cache, name, &sources[i], &code_of(name));
            }
            // Stale: stored for another source.
            2 if i % 8 == 2 => {
                store(&cache, name, "an older source", &code_of(name));
            }
            // Corrupt: garbage in place of an entry, on the server that holds the key.
            2 => {
                store(&cache, name, &sources[i], &code_of(name));
                let key = format!("{DEFAULT_PREFIX}{}", cache.get_cache_key(name, None));
                let home = servers
                    .iter()
                    .find(|s| s.raw_get(&key).is_some())
                    .expect("the entry is on one of the servers");
                home.raw_set(&key, b"garbage");
            }
            // Miss.
            _ => {}
        }
    }
    assert!(
        servers.iter().all(|s| s.dbsize() > 100),
        "keys spread over both servers"
    );
    let lookups: Vec<Lookup<'_>> = names
        .iter()
        .zip(&sources)
        .map(|(name, source)| Lookup::new(name, source))
        .collect();
    let before = cache.stats().expect("counted");
    let batch = cache.get_buckets(&(), &lookups).expect("get_buckets");
    let after_batch = cache.stats().expect("counted");
    for (i, bucket) in batch.iter().enumerate() {
        let single = load(&cache, &names[i], &sources[i]);
        assert_eq!(bucket.code, single, "{}", names[i]);
        assert_eq!(bucket.code.is_some(), i % 4 < 2, "{}", names[i]);
    }
    let after_singles = cache.stats().expect("counted");
    let counts = |from: bccache::CacheStats, to: bccache::CacheStats| {
        (
            to.hits - from.hits,
            to.misses - from.misses,
            to.stale - from.stale,
            to.rejected - from.rejected,
            to.errors - from.errors,
        )
    };
    assert_eq!(counts(before, after_batch), (350, 175, 88, 87, 0));
    assert_eq!(
        counts(after_batch, after_singles),
        counts(before, after_batch)
    );
}

#[test]
fn keys_spread_over_servers_and_a_dead_one_misses_while_the_others_hit() {
    let mut servers = [
        RedisServer::start(),
        RedisServer::start(),
        RedisServer::start(),
    ];
    let cache = RedisBytecodeCache::builder()
        .server(servers[0].url())
        .server(servers[1].url())
        .server(servers[2].url())
        .build()
        .expect("cache");
    let names: Vec<String> = (0..90).map(|i| format!("t{i}.html")).collect();
    for name in &names {
        store(&cache, name, SOURCE, &code_of(name));
    }
    let counts: Vec<u64> = servers.iter().map(RedisServer::dbsize).collect();
    assert_eq!(counts.iter().sum::<u64>(), 90);
    assert!(counts.iter().all(|&n| n >= 10), "spread {counts:?}");

    let on_dead: Vec<bool> = names
        .iter()
        .map(|name| {
            let key = format!("{DEFAULT_PREFIX}{}", cache.get_cache_key(name, None));
            servers[1].raw_get(&key).is_some()
        })
        .collect();
    servers[1].stop();
    for (name, dead) in names.iter().zip(&on_dead) {
        let code = load(&cache, name, SOURCE);
        if *dead {
            assert_eq!(code, None, "{name} lived on the dead server");
        } else {
            assert_eq!(code, Some(code_of(name)), "{name}");
        }
    }
    let lookups: Vec<Lookup<'_>> = names.iter().map(|name| Lookup::new(name, SOURCE)).collect();
    let batch = cache
        .get_buckets(&(), &lookups)
        .expect("errors are ignored");
    for ((bucket, dead), name) in batch.iter().zip(&on_dead).zip(&names) {
        assert_eq!(bucket.code.is_none(), *dead, "{name}");
    }
}

#[test]
fn another_database_is_another_cache() {
    let server = RedisServer::start();
    let db0 = cache_on(&server);
    let db3 = RedisBytecodeCache::connect(&format!("{}/3", server.url())).expect("cache");
    store(&db3, "page.html", SOURCE, b"in db 3");
    assert_eq!(load(&db0, "page.html", SOURCE), None);
    assert_eq!(
        load(&db3, "page.html", SOURCE).as_deref(),
        Some(&b"in db 3"[..])
    );
    db3.clear().expect("clear");
    assert_eq!(load(&db3, "page.html", SOURCE), None);
}

#[test]
fn a_password_in_the_url_authenticates() {
    let server = RedisServer::start_with(&["--requirepass", "s3cret"]);
    let without = RedisBytecodeCache::builder()
        .server(server.url())
        .ignore_errors(false)
        .build()
        .expect("cache");
    let error = without
        .get_bucket(&(), "page.html", None, SOURCE)
        .expect_err("no password");
    assert!(support::memcached::error_chain(&error).contains("127.0.0.1"));
    let with = RedisBytecodeCache::builder()
        .server(format!("redis://:s3cret@127.0.0.1:{}", server.port()))
        .ignore_errors(false)
        .build()
        .expect("cache");
    store(&with, "page.html", SOURCE, b"authenticated");
    assert!(load(&with, "page.html", SOURCE).is_some());
    assert!(!with.servers()[0].contains("s3cret"));
}

#[test]
fn concurrent_loads_and_stores_from_many_threads_all_agree() {
    let server = RedisServer::start();
    let cache = cache_on(&server);
    // More threads than a server has kept-open connections (8): some wait for a lane.
    thread::scope(|scope| {
        for t in 0..12 {
            let cache = &cache;
            scope.spawn(move || {
                for i in 0..40 {
                    let name = format!("t{}-{i}.html", t % 4);
                    match load(cache, &name, SOURCE) {
                        Some(code) => assert_eq!(code, code_of(&name), "{name}"),
                        None => {
                            store(cache, &name, SOURCE, &code_of(&name));
                        }
                    }
                }
            });
        }
    });
    for t in 0..4 {
        for i in 0..40 {
            let name = format!("t{t}-{i}.html");
            assert_eq!(load(&cache, &name, SOURCE), Some(code_of(&name)));
        }
    }
    let clients: String = server.query(redis::cmd("CLIENT").arg("LIST"));
    // Our kept-open connections, plus the one asking.
    assert!(clients.lines().count() <= 9, "{clients}");
    assert_eq!(cache.stats().expect("counted").errors, 0);
}

#[test]
fn a_unix_socket_url_reaches_the_server() {
    let dir = tempfile::tempdir().expect("temp dir");
    let socket = dir.path().join("redis.sock");
    let server = RedisServer::start_with(&["--unixsocket", &socket.display().to_string()]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !socket.exists() {
        assert!(Instant::now() < deadline, "redis-server made no socket");
        thread::sleep(Duration::from_millis(20));
    }
    let cache = RedisBytecodeCache::builder()
        .server(format!("redis+unix://{}?timeout=0.5", socket.display()))
        .ignore_errors(false)
        .build()
        .expect("cache");
    let key = store(&cache, "page.html", SOURCE, b"over a socket");
    assert!(server.raw_get(&format!("{DEFAULT_PREFIX}{key}")).is_some());
    assert_eq!(
        load(&cache, "page.html", SOURCE).as_deref(),
        Some(&b"over a socket"[..])
    );
}
