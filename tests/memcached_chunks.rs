//! Entries larger than memcached's item size, stored in chunks, against real memcached servers
//! started with a small item size (`-I 64k`).

mod support;

use std::sync::{Arc, Mutex};

use bccache::{BytecodeCache, CacheStats, DEFAULT_PREFIX, Error, Lookup, MemcachedBytecodeCache};
use support::memcached::{MemcachedServer, error_chain};

const SOURCE: &str = "{% for item in items %}<li>{{ item }}</li>{% endfor %}";
/// Below the `-I 64k` servers' item size by more than memcached's item overhead.
const CHUNK: usize = 63 * 1024;
/// The bytes of each chunk before its share of the entry (generation and index).
const CHUNK_HEADER: usize = 12;
const CODE_LEN: usize = 300 * 1000;

/// memcached with a 64 KiB item size (its slab pages must then shrink to fit).
fn small_item_server() -> MemcachedServer {
    MemcachedServer::start_with(&["-I", "64k", "-o", "slab_chunk_max=32768"])
}

/// A cache on `url`: the store's own client, or, for a URL with a query (e.g.
/// `?protocol=binary`), a `memcache::Client` handed to `.client()`.
fn cache_with(url: String, max_item_size: usize, ignore_errors: bool) -> MemcachedBytecodeCache {
    let builder = if url.contains('?') {
        let client = memcache::Client::connect(url).expect("a memcache client");
        MemcachedBytecodeCache::builder().client(client)
    } else {
        MemcachedBytecodeCache::builder().server(url)
    };
    builder
        .max_item_size(max_item_size)
        .ignore_memcache_errors(ignore_errors)
        .build()
        .expect("build")
}

fn code(seed: u8) -> Vec<u8> {
    (0..CODE_LEN)
        .map(|i| (i % 251) as u8 ^ seed.wrapping_mul(31))
        .collect()
}

/// Stores `code` for `name`; returns the entry's full memcached key and its encoded length.
fn store(cache: &impl BytecodeCache, name: &str, code: &[u8]) -> (String, usize) {
    let mut bucket = cache
        .get_bucket(&(), name, None, SOURCE)
        .expect("get_bucket");
    bucket.code = Some(code.to_vec());
    cache.set_bucket(&bucket).expect("set_bucket");
    let len = bucket.bytecode_to_string().expect("encode").len();
    (format!("{DEFAULT_PREFIX}{}", bucket.key), len)
}

fn load(cache: &impl BytecodeCache, name: &str) -> Option<Vec<u8>> {
    cache
        .get_bucket(&(), name, None, SOURCE)
        .expect("get_bucket")
        .code
}

fn stats(cache: &impl BytecodeCache) -> CacheStats {
    cache.stats().expect("the memcached store counts")
}

fn chunk_count(entry_len: usize, max_item_size: usize) -> usize {
    entry_len.div_ceil(max_item_size - CHUNK_HEADER)
}

fn raw_client(server: &MemcachedServer) -> memcache::Client {
    memcache::Client::connect(server.url()).expect("raw client")
}

#[test]
fn multi_chunk_entry_round_trips_on_a_server_with_a_small_item_size() {
    let server = small_item_server();
    let cache = cache_with(server.url(), CHUNK, false);
    let (key, len) = store(&cache, "big.wasm", &code(1));
    assert_eq!(load(&cache, "big.wasm"), Some(code(1)));

    // A small head under the entry's key, and the chunks under `key/n`, none over the limit.
    let head = server.raw_get(&key).expect("head");
    assert!(head.len() < 64, "head of {} bytes", head.len());
    let count = chunk_count(len, CHUNK);
    assert!(count >= 5, "{count} chunks");
    for n in 0..count {
        let chunk = server
            .raw_get(&format!("{key}/{n}"))
            .unwrap_or_else(|| panic!("chunk {n} stored"));
        assert!(chunk.len() <= CHUNK);
    }
    assert_eq!(server.raw_get(&format!("{key}/{count}")), None);

    let stats = stats(&cache);
    assert_eq!((stats.stores, stats.hits), (1, 1));
    assert_eq!(stats.bytes_written, len as u64);
    assert_eq!(stats.bytes_read, len as u64);
}

#[test]
fn two_mib_entry_is_chunked_on_a_default_server_with_the_default_item_size() {
    let server = MemcachedServer::start_with(&["-I", "1m"]);
    let cache = cache_with(
        server.url(),
        MemcachedBytecodeCache::DEFAULT_MAX_ITEM_SIZE,
        false,
    );
    let big: Vec<u8> = (0..2 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let (key, _) = store(&cache, "sqlite.wasm", &big);
    assert_eq!(load(&cache, "sqlite.wasm"), Some(big));
    assert!(server.raw_get(&format!("{key}/2")).is_some(), "3 chunks");
}

#[test]
fn missing_chunk_is_a_miss_and_a_redump_hits_again() {
    let server = small_item_server();
    let cache = cache_with(server.url(), CHUNK, false);
    let (key, len) = store(&cache, "big.wasm", &code(2));
    let raw = raw_client(&server);
    for n in [0, chunk_count(len, CHUNK) - 1] {
        assert!(raw.delete(&format!("{key}/{n}")).expect("delete"));
        let before = stats(&cache);
        assert_eq!(load(&cache, "big.wasm"), None, "chunk {n} deleted");
        assert_eq!(stats(&cache).misses, before.misses + 1);
        store(&cache, "big.wasm", &code(2));
        assert_eq!(load(&cache, "big.wasm"), Some(code(2)), "re-dumped");
    }
}

#[test]
fn chunk_from_another_write_is_a_miss() {
    let server = small_item_server();
    let cache = cache_with(server.url(), CHUNK, false);
    let raw = raw_client(&server);
    // Write B, keep its chunk 1, then write A over it and plant B's chunk among A's.
    let (key, _) = store(&cache, "big.wasm", &code(3));
    let chunk_of_b = server.raw_get(&format!("{key}/1")).expect("B's chunk");
    store(&cache, "big.wasm", &code(4));
    assert_eq!(load(&cache, "big.wasm"), Some(code(4)));
    raw.set(&format!("{key}/1"), &chunk_of_b[..], 0)
        .expect("raw set");
    let before = stats(&cache);
    assert_eq!(load(&cache, "big.wasm"), None);
    assert_eq!(stats(&cache).rejected, before.rejected + 1);

    // Another entry's chunk of the same index is foreign too.
    let (other, _) = store(&cache, "other.wasm", &code(4));
    let chunk_of_other = server.raw_get(&format!("{other}/1")).expect("chunk");
    store(&cache, "big.wasm", &code(4));
    raw.set(&format!("{key}/1"), &chunk_of_other[..], 0)
        .expect("raw set");
    assert_eq!(load(&cache, "big.wasm"), None);
}

#[test]
fn corruption_in_any_chunk_is_a_miss() {
    let server = small_item_server();
    let cache = cache_with(server.url(), CHUNK, false);
    let lenient = cache_with(server.url(), CHUNK, true);
    let raw = raw_client(&server);
    let (key, len) = store(&cache, "big.wasm", &code(5));
    for n in 0..chunk_count(len, CHUNK) {
        let chunk_key = format!("{key}/{n}");
        let good = server.raw_get(&chunk_key).expect("chunk");
        // The chunk's header, the first and the last byte of its share, and its length.
        let mut flips: Vec<Vec<u8>> = [0, 9, CHUNK_HEADER, good.len() / 2, good.len() - 1]
            .into_iter()
            .map(|at| {
                let mut bad = good.clone();
                bad[at] ^= 0x01;
                bad
            })
            .collect();
        flips.push(good[..good.len() - 1].to_vec());
        for bad in flips {
            raw.set(&chunk_key, &bad[..], 0).expect("raw set");
            assert_eq!(load(&cache, "big.wasm"), None, "chunk {n} corrupted");
        }
        // A chunk one byte longer: a miss; when that takes it over the item size, the store
        // refuses the reply from its length alone, an error unless errors are ignored.
        let mut longer = good.clone();
        longer.push(0);
        raw.set(&chunk_key, &longer[..], 0).expect("raw set");
        assert_eq!(load(&lenient, "big.wasm"), None, "chunk {n} longer");
        let strict = cache.get_bucket(&(), "big.wasm", None, SOURCE);
        assert_eq!(strict.is_err(), longer.len() > CHUNK, "chunk {n} longer");
        raw.set(&chunk_key, &good[..], 0).expect("raw set");
        assert_eq!(
            load(&cache, "big.wasm"),
            Some(code(5)),
            "chunk {n} restored"
        );
    }
    // A corrupt head is a miss as well.
    let head = server.raw_get(&key).expect("head");
    for at in 0..head.len() {
        let mut bad = head.clone();
        bad[at] ^= 0x01;
        raw.set(&key, &bad[..], 0).expect("raw set");
        assert_eq!(load(&cache, "big.wasm"), None, "head byte {at} flipped");
    }
}

#[test]
fn batch_loads_chunked_and_whole_entries_alike() {
    let server = small_item_server();
    let cache = cache_with(server.url(), CHUNK, false);
    let raw = raw_client(&server);
    store(&cache, "big-1.wasm", &code(6));
    let (broken, _) = store(&cache, "big-2.wasm", &code(7));
    store(&cache, "small.lua", b"small code");
    store(&cache, "big-3.wasm", &code(8));
    assert!(raw.delete(&format!("{broken}/2")).expect("delete"));

    let names = [
        "big-1.wasm",
        "big-2.wasm",
        "small.lua",
        "absent.lua",
        "big-3.wasm",
    ];
    let lookups: Vec<Lookup<'_>> = names.iter().map(|n| Lookup::new(n, SOURCE)).collect();
    let before = stats(&cache);
    let buckets = cache.get_buckets(&(), &lookups).expect("get_buckets");
    let codes: Vec<Option<Vec<u8>>> = buckets.into_iter().map(|b| b.code).collect();
    assert_eq!(
        codes,
        [
            Some(code(6)),
            None,
            Some(b"small code".to_vec()),
            None,
            Some(code(8))
        ]
    );
    let after = stats(&cache);
    assert_eq!(
        (after.hits - before.hits, after.misses - before.misses),
        (3, 2)
    );
    for (name, code) in names.iter().zip(&codes) {
        assert_eq!(&load(&cache, name), code, "{name}: single load agrees");
    }
}

#[test]
fn chunks_live_with_their_entry_so_a_dead_server_costs_only_its_entries() {
    let mut servers: Vec<MemcachedServer> = (0..3).map(|_| small_item_server()).collect();
    let mut builder = MemcachedBytecodeCache::builder().max_item_size(CHUNK);
    for server in &servers {
        builder = builder.server(server.url());
    }
    let cache = builder.build().expect("build");
    let names: Vec<String> = (0..12).map(|i| format!("module-{i}.wasm")).collect();
    let mut home = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let (key, len) = store(&cache, name, &code(i as u8));
        let holders: Vec<usize> = (0..3)
            .filter(|&s| servers[s].raw_get(&key).is_some())
            .collect();
        assert_eq!(holders.len(), 1, "{name}: one head");
        for n in 0..chunk_count(len, CHUNK) {
            assert!(
                servers[holders[0]].raw_get(&format!("{key}/{n}")).is_some(),
                "{name}: chunk {n} beside its head"
            );
        }
        home.push(holders[0]);
    }
    let dead = (0..3)
        .max_by_key(|s| home.iter().filter(|&h| h == s).count())
        .expect("three servers");
    assert!(
        home.iter().any(|&h| h != dead),
        "entries on the other servers"
    );
    servers[dead].stop();

    let lookups: Vec<Lookup<'_>> = names.iter().map(|n| Lookup::new(n, SOURCE)).collect();
    let buckets = cache.get_buckets(&(), &lookups).expect("errors ignored");
    for (i, ((name, bucket), &h)) in names.iter().zip(&buckets).zip(&home).enumerate() {
        let expected = (h != dead).then(|| code(i as u8));
        assert_eq!(bucket.code, expected, "{name} (batch)");
        assert_eq!(load(&cache, name), expected, "{name} (single)");
    }
}

#[test]
fn a_given_binary_protocol_client_round_trips_chunks() {
    let server = small_item_server();
    let cache = cache_with(format!("{}?protocol=binary", server.url()), CHUNK, false);
    store(&cache, "big.wasm", &code(9));
    assert_eq!(load(&cache, "big.wasm"), Some(code(9)));
}

#[test]
fn value_the_server_refuses_is_an_error_naming_the_limit_and_dash_i() {
    let server = small_item_server();
    // The store's own client and a given binary-protocol client refuse alike.
    for url in [server.url(), format!("{}?protocol=binary", server.url())] {
        // Chunks of a full 64 KiB leave no room for memcached's item header.
        let strict = cache_with(url.clone(), 64 * 1024, false);
        let mut bucket = strict
            .get_bucket(&(), "big.wasm", None, SOURCE)
            .expect("get_bucket");
        bucket.code = Some(code(10));
        let error = strict
            .set_bucket(&bucket)
            .expect_err("a refused value is an error");
        let message = error_chain(&error);
        assert!(
            matches!(
                error,
                Error::Memcached {
                    operation: "set",
                    ..
                }
            ),
            "{message}"
        );
        for needle in ["`-I`", "item size", "max_item_size", "65536"] {
            assert!(
                message.contains(needle),
                "{url}: {needle} not in: {message}"
            );
        }
        assert_eq!(load(&strict, "big.wasm"), None);

        // Ignored, it is counted and dropped; the connection stays usable.
        let lenient = cache_with(url, 64 * 1024, true);
        lenient.set_bucket(&bucket).expect("dropped when ignored");
        lenient.set_bucket(&bucket).expect("dropped when ignored");
        assert_eq!(stats(&lenient).errors, 2);
        store(&lenient, "small.lua", b"small");
        assert_eq!(load(&lenient, "small.lua").as_deref(), Some(&b"small"[..]));
    }
}

/// Collects the `warn` events logged on this thread while it is the default subscriber.
struct Warnings(Arc<Mutex<Vec<String>>>);

impl tracing::Subscriber for Warnings {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if *event.metadata().level() == tracing::Level::WARN {
            let mut text = String::new();
            event.record(
                &mut |field: &tracing::field::Field, value: &dyn std::fmt::Debug| {
                    text.push_str(&format!("{}={value:?} ", field.name()));
                },
            );
            self.0.lock().expect("warnings").push(text);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn refused_value_is_logged_at_warn_once_per_key_when_ignored() {
    let server = small_item_server();
    let cache = cache_with(server.url(), 64 * 1024, true);
    let warnings = Arc::new(Mutex::new(Vec::new()));
    tracing::subscriber::with_default(Warnings(Arc::clone(&warnings)), || {
        for name in ["a.wasm", "a.wasm", "b.wasm", "a.wasm", "b.wasm"] {
            let mut bucket = cache
                .get_bucket(&(), name, None, SOURCE)
                .expect("get_bucket");
            assert_eq!(bucket.code, None);
            bucket.code = Some(code(11));
            cache.set_bucket(&bucket).expect("dropped when ignored");
        }
    });
    let warnings = warnings.lock().expect("warnings");
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings.iter().all(|w| w.contains("`-I`")), "{warnings:?}");
    assert_eq!(stats(&cache).errors, 5);
}

#[test]
fn build_refuses_an_item_size_memcached_cannot_have() {
    for size in [0, 1023, 2 * 1024 * 1024 * 1024] {
        match MemcachedBytecodeCache::builder()
            .server("memcache://127.0.0.1:11211")
            .max_item_size(size)
            .build()
        {
            Err(Error::InvalidItemSize { size: named, .. }) => assert_eq!(named, size),
            Err(other) => panic!("{size}: unexpected error {other}"),
            Ok(_) => panic!("item size {size} was accepted"),
        }
    }
}

/// A head naming `count` chunks of an entry of `entry_len` bytes, as an attacker would plant it.
fn hostile_head(count: u32, entry_len: u64) -> Vec<u8> {
    let mut head = b"bcchunk\x01".to_vec();
    head.extend_from_slice(&count.to_le_bytes());
    head.extend_from_slice(&entry_len.to_le_bytes());
    head.extend_from_slice(&7u64.to_le_bytes());
    head
}

/// The keys the server was asked for since `before` (memcached's `cmd_get` counts every key of
/// a multi-get).
fn keys_asked(server: &MemcachedServer, before: u64) -> u64 {
    server.stat("cmd_get").expect("cmd_get") - before
}

/// The full memcached key of `name`.
fn key_of(cache: &MemcachedBytecodeCache, name: &str) -> String {
    let bucket = cache
        .get_bucket(&(), name, None, SOURCE)
        .expect("get_bucket");
    format!("{DEFAULT_PREFIX}{}", bucket.key)
}

#[test]
fn a_planted_head_naming_65536_chunks_of_a_small_entry_costs_one_key_and_is_a_miss() {
    let server = MemcachedServer::start();
    let cache = cache_with(server.url(), CHUNK, false);
    let raw = raw_client(&server);
    raw.set(
        &key_of(&cache, "page.html"),
        &hostile_head(65_536, 2000)[..],
        0,
    )
    .expect("plant the head");
    let before = server.stat("cmd_get").expect("cmd_get");
    assert_eq!(load(&cache, "page.html"), None);
    assert_eq!(keys_asked(&server, before), 1, "chunk keys were asked for");
}

#[test]
fn a_planted_head_whose_chunks_are_missing_costs_one_window_and_is_a_miss() {
    let server = MemcachedServer::start();
    let cache = cache_with(server.url(), CHUNK, false);
    let raw = raw_client(&server);
    // A head consistent with its length: 65,536 chunks of a 4 GiB entry, none stored.
    let entry_len = 65_536 * (CHUNK - CHUNK_HEADER) as u64;
    raw.set(
        &key_of(&cache, "page.html"),
        &hostile_head(65_536, entry_len)[..],
        0,
    )
    .expect("plant the head");
    let before = server.stat("cmd_get").expect("cmd_get");
    let misses = stats(&cache).misses;
    assert_eq!(load(&cache, "page.html"), None);
    let asked = keys_asked(&server, before);
    assert!(asked <= 1 + 8, "{asked} keys asked for one planted head");
    assert_eq!(stats(&cache).misses, misses + 1);
}

#[test]
fn a_batch_of_32_planted_heads_asks_for_32_keys_and_finds_nothing() {
    let server = MemcachedServer::start();
    let cache = cache_with(server.url(), CHUNK, false);
    let raw = raw_client(&server);
    let names: Vec<String> = (0..32).map(|i| format!("t{i}.html")).collect();
    for name in &names {
        raw.set(&key_of(&cache, name), &hostile_head(65_536, 2000)[..], 0)
            .expect("plant a head");
    }
    let before = server.stat("cmd_get").expect("cmd_get");
    let lookups: Vec<Lookup<'_>> = names.iter().map(|name| Lookup::new(name, SOURCE)).collect();
    let buckets = cache.get_buckets(&(), &lookups).expect("a batch of misses");
    assert!(buckets.iter().all(|bucket| bucket.code.is_none()));
    assert_eq!(keys_asked(&server, before), 32);
}
