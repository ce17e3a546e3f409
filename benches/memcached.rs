//! A memcached cache hit through `get_bucket` against its floor: one raw `memcache` get of the
//! same bytes from the same server, on a client tuned the same way (no check-out ping), measured
//! side by side in one run on loopback. 4 KB source and 4 KB code, and 4 KB source and 64 KB code.
//!
//! Batch warm-up: `get_buckets` of 1,000 entries (20 KB sources, 4 KB and 64 KB code, xxh3
//! checksums) against 1,000 single `get_bucket` calls, from one server and from a cluster of
//! three; the summary also shows memcached's binary protocol (`?protocol=binary`).
//!
//! Large entries: store and load of a 2 MB entry, in chunks on a server with the default item
//! size (`-I 1m`) and whole on a server started with `-I 4m`.
//!
//! The bench starts its own memcached (see `tests/support/memcached.rs`).
//! `cargo bench --bench memcached`; medians are in
//! `target/criterion/memcached_hit_*/*/new/estimates.json`. After criterion, the bench alternates
//! the two in short rounds and prints medians and the per-round ratio, which holds up better on a
//! busy machine than two measurements taken one after the other.

#[path = "../tests/support/memcached.rs"]
#[allow(dead_code)]
mod memcached_support;
#[path = "support/payload.rs"]
mod payload;

use std::hint::black_box;
use std::time::{Duration, Instant};

use bccache::{BytecodeCache, Checksum, DEFAULT_PREFIX, Lookup, MemcachedBytecodeCache};
use criterion::{Criterion, criterion_group};
use memcached_support::MemcachedServer;
use payload::{fake_code, template_source};

const SOURCE_LEN: usize = 4 * 1024;

/// A raw `memcache` client as the cache builds one: a pool opened lazily, no check-out ping,
/// 1 s I/O timeout, the text protocol.
fn raw_client(url: &str) -> memcache::Client {
    let url = memcache::Url::parse(&format!("{url}?timeout=1&protocol=ascii")).expect("url");
    let pool = memcache::Pool::builder()
        .max_size(1)
        .min_idle(Some(0))
        .test_on_check_out(false)
        .connection_timeout(Duration::from_millis(250))
        .build_unchecked(memcache::ConnectionManager::new(url));
    memcache::Client::with_pool(pool).expect("client")
}

fn bench_memcached_hit(c: &mut Criterion) {
    let server = MemcachedServer::start();
    let cache = MemcachedBytecodeCache::builder()
        .server(server.url())
        .ignore_memcache_errors(false)
        .build()
        .expect("cache");
    let raw = raw_client(&server.url());
    let source = template_source(0, SOURCE_LEN);

    for code_len in [4 * 1024, 64 * 1024] {
        let name = format!("templates/page-{code_len}.html");
        let mut bucket = cache.get_bucket(&(), &name, None, &source).expect("bucket");
        bucket.code = Some(fake_code(code_len as u64, code_len));
        cache.set_bucket(&bucket).expect("store");
        let key = format!("{DEFAULT_PREFIX}{}", bucket.key);
        let stored: Vec<u8> = raw.get(&key).expect("raw get").expect("stored");
        assert_eq!(stored, bucket.bytecode_to_string().expect("encode"));

        let mut group = c.benchmark_group(format!(
            "memcached_hit_4KB_source_{}KB_code",
            code_len / 1024
        ));
        group.bench_function("floor: raw memcache get", |b| {
            b.iter(|| {
                let value: Option<Vec<u8>> = raw.get(black_box(&key)).expect("raw get");
                assert!(value.is_some());
                value
            })
        });
        group.bench_function("bccache get_bucket hit", |b| {
            b.iter(|| {
                let bucket = cache
                    .get_bucket(&(), black_box(&name), None, black_box(&source))
                    .expect("hit");
                assert!(bucket.code.is_some());
                bucket
            })
        });
        // What a hit adds to the round trip: the key, the source checksum and the decode.
        group.bench_function("cpu part of a hit: key + sha1(source) + decode", |b| {
            b.iter(|| {
                let key = cache.get_cache_key(black_box(&name), None);
                let checksum = cache.get_source_checksum(black_box(&source));
                let mut bucket = bccache::Bucket::new(&(), key, checksum);
                bucket.bytecode_from_string(black_box(&stored));
                assert!(bucket.code.is_some());
                bucket
            })
        });
        group.finish();
    }
}

const WARMUP_ENTRIES: usize = 1000;
const WARMUP_SOURCE_LEN: usize = 20 * 1024;

/// `servers` memcached processes with room for the warm-up entries, a cache on all of them, and
/// the warm-up's names and sources, stored.
fn warm_cluster(
    servers: usize,
    code_len: usize,
    query: &str,
) -> (
    Vec<MemcachedServer>,
    MemcachedBytecodeCache,
    Vec<(String, String)>,
) {
    let servers: Vec<MemcachedServer> = (0..servers)
        .map(|_| MemcachedServer::start_with(&["-m", "256"]))
        .collect();
    let mut builder = MemcachedBytecodeCache::builder()
        .ignore_memcache_errors(false)
        .checksum(Checksum::Xxh3_128);
    for server in &servers {
        builder = builder.server(format!("{}{query}", server.url()));
    }
    let cache = builder.build().expect("cache");
    let templates: Vec<(String, String)> = (0..WARMUP_ENTRIES)
        .map(|i| {
            (
                format!("templates/warm-{i}.html"),
                template_source(i, WARMUP_SOURCE_LEN),
            )
        })
        .collect();
    for (i, (name, source)) in templates.iter().enumerate() {
        let mut bucket = cache.get_bucket(&(), name, None, source).expect("bucket");
        bucket.code = Some(fake_code(i as u64, code_len));
        cache.set_bucket(&bucket).expect("store");
    }
    (servers, cache, templates)
}

fn warm_batch(cache: &MemcachedBytecodeCache, lookups: &[Lookup<'_>]) {
    let buckets = cache.get_buckets(&(), lookups).expect("get_buckets");
    assert!(buckets.iter().all(|b| b.code.is_some()), "every entry hits");
    black_box(buckets);
}

/// The same warm-up one `get_bucket` at a time; like the batch, it keeps every bucket it loads
/// until the end (a warm-up holds what it loaded), so both pay for 1,000 live buffers.
fn warm_singles(cache: &MemcachedBytecodeCache, templates: &[(String, String)]) {
    let buckets: Vec<_> = templates
        .iter()
        .map(|(name, source)| {
            let bucket = cache
                .get_bucket(&(), black_box(name), None, black_box(source))
                .expect("hit");
            assert!(bucket.code.is_some(), "every entry hits");
            bucket
        })
        .collect();
    black_box(buckets);
}

fn bench_memcached_warmup(c: &mut Criterion) {
    for (code_len, servers) in [(4096, 1), (4096, 3), (65536, 1), (65536, 3)] {
        let (_servers, cache, templates) = warm_cluster(servers, code_len, "");
        let lookups: Vec<Lookup<'_>> = templates
            .iter()
            .map(|(name, source)| Lookup::new(name, source))
            .collect();
        let mut group = c.benchmark_group(format!(
            "memcached_warmup_1000x{}KB_{servers}_server{}",
            code_len / 1024,
            if servers == 1 { "" } else { "s" }
        ));
        group.sample_size(10);
        group.bench_function("1000 single get_bucket", |b| {
            b.iter(|| warm_singles(&cache, &templates))
        });
        group.bench_function("get_buckets (multi-get)", |b| {
            b.iter(|| warm_batch(&cache, &lookups))
        });
        group.finish();
    }
}

const LARGE_CODE_LEN: usize = 2 * 1024 * 1024;

/// A server and a cache on it for 2 MB entries: `chunked` on memcached's default item size,
/// else whole on a server with `-I 4m`.
fn large_entry_cache(chunked: bool) -> (MemcachedServer, MemcachedBytecodeCache) {
    let (item_size, max_item_size) = if chunked {
        ("1m", MemcachedBytecodeCache::DEFAULT_MAX_ITEM_SIZE)
    } else {
        ("4m", 4 * 1024 * 1024 - 1024)
    };
    let server = MemcachedServer::start_with(&["-I", item_size, "-m", "256"]);
    let cache = MemcachedBytecodeCache::builder()
        .server(server.url())
        .ignore_memcache_errors(false)
        .checksum(Checksum::Xxh3_128)
        .max_item_size(max_item_size)
        .build()
        .expect("cache");
    (server, cache)
}

fn bench_memcached_large_entry(c: &mut Criterion) {
    let source = template_source(0, 20 * 1024);
    let code = fake_code(2, LARGE_CODE_LEN);
    for (label, chunked) in [("3 chunks, -I 1m", true), ("whole, -I 4m", false)] {
        let (_server, cache) = large_entry_cache(chunked);
        let mut bucket = cache
            .get_bucket(&(), "big.wasm", None, &source)
            .expect("bucket");
        bucket.code = Some(code.clone());
        let mut group = c.benchmark_group(format!("memcached_2MB_entry_{label}"));
        group.bench_function("store (set_bucket)", |b| {
            b.iter(|| cache.set_bucket(black_box(&bucket)).expect("store"))
        });
        group.bench_function("load (get_bucket hit)", |b| {
            b.iter(|| {
                let hit = cache
                    .get_bucket(&(), "big.wasm", None, black_box(&source))
                    .expect("hit");
                assert_eq!(hit.code.as_ref().map(Vec::len), Some(LARGE_CODE_LEN));
                hit
            })
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(100)
        .measurement_time(Duration::from_secs(5));
    targets = bench_memcached_hit, bench_memcached_warmup, bench_memcached_large_entry
}

/// Store and load of a 2 MB entry, chunked and whole, in alternating rounds; prints medians.
fn large_entry_summary() {
    const ROUNDS: usize = 31;
    println!("\n2 MB entry (2,097,152 bytes of code, 20 KB source, xxh3); {ROUNDS} rounds");
    let source = template_source(0, 20 * 1024);
    let code = fake_code(2, LARGE_CODE_LEN);
    let setups: Vec<(&str, MemcachedServer, MemcachedBytecodeCache)> =
        [("3 chunks on -I 1m", true), ("whole on -I 4m  ", false)]
            .into_iter()
            .map(|(label, chunked)| {
                let (server, cache) = large_entry_cache(chunked);
                (label, server, cache)
            })
            .collect();
    let mut times = vec![(Vec::new(), Vec::new()); setups.len()];
    for _ in 0..ROUNDS {
        for ((_, _, cache), (stores, loads)) in setups.iter().zip(&mut times) {
            let mut bucket = cache
                .get_bucket(&(), "big.wasm", None, &source)
                .expect("bucket");
            bucket.code = Some(code.clone());
            let started = Instant::now();
            cache.set_bucket(&bucket).expect("store");
            stores.push(started.elapsed().as_secs_f64() * 1e3);
            let started = Instant::now();
            let hit = cache
                .get_bucket(&(), "big.wasm", None, black_box(&source))
                .expect("hit");
            loads.push(started.elapsed().as_secs_f64() * 1e3);
            assert_eq!(hit.code.as_deref(), Some(&code[..]));
        }
    }
    for ((label, _, _), (stores, loads)) in setups.iter().zip(&mut times) {
        println!(
            "{label}: store median {:.2} ms, load median {:.2} ms",
            median(stores),
            median(loads)
        );
    }
}

/// Warm-up of 1,000 entries, batch and singles alternated in rounds; prints the medians.
fn warmup_summary() {
    const ROUNDS: usize = 11;
    println!(
        "\nwarm-up: {WARMUP_ENTRIES} entries, {} KB sources, xxh3; {ROUNDS} rounds",
        WARMUP_SOURCE_LEN / 1024,
    );
    let configs = [4096, 65536]
        .into_iter()
        .flat_map(|code_len| [1, 3].map(|servers| (code_len, servers)))
        .flat_map(|(code_len, servers)| {
            [("text", ""), ("binary", "?protocol=binary")]
                .map(|(protocol, query)| (code_len, servers, protocol, query))
        });
    for (code_len, servers, protocol, query) in configs {
        let (_servers, cache, templates) = warm_cluster(servers, code_len, query);
        let lookups: Vec<Lookup<'_>> = templates
            .iter()
            .map(|(name, source)| Lookup::new(name, source))
            .collect();
        let (mut singles_ms, mut batch_ms, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let started = Instant::now();
            warm_singles(&cache, &templates);
            let singles = started.elapsed().as_secs_f64() * 1e3;
            let started = Instant::now();
            warm_batch(&cache, &lookups);
            let batch = started.elapsed().as_secs_f64() * 1e3;
            singles_ms.push(singles);
            batch_ms.push(batch);
            ratios.push(singles / batch);
        }
        println!(
            "{:>2} KB code, {servers} server(s), {protocol:>6}: 1000 single get_bucket median \
             {:.1} ms, get_buckets median {:.1} ms, ratio median {:.1}x",
            code_len / 1024,
            median(&mut singles_ms),
            median(&mut batch_ms),
            median(&mut ratios),
        );
    }
}

/// Raw get and cache hit alternated in short rounds, so that load from other processes falls
/// on both alike; prints the median of each and of the per-round ratio.
fn interleaved_summary() {
    const ROUNDS: usize = 41;
    const GETS_PER_ROUND: u32 = 400;
    let server = MemcachedServer::start();
    let cache = MemcachedBytecodeCache::connect(&server.url()).expect("cache");
    let raw = raw_client(&server.url());
    let source = template_source(0, SOURCE_LEN);
    println!(
        "\ninterleaved: {ROUNDS} rounds of {GETS_PER_ROUND} raw gets then {GETS_PER_ROUND} hits"
    );
    for code_len in [4 * 1024, 64 * 1024] {
        let name = format!("templates/interleaved-{code_len}.html");
        let mut bucket = cache.get_bucket(&(), &name, None, &source).expect("bucket");
        bucket.code = Some(fake_code(code_len as u64, code_len));
        cache.set_bucket(&bucket).expect("store");
        let key = format!("{DEFAULT_PREFIX}{}", bucket.key);
        let (mut raw_us, mut hit_us, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let started = Instant::now();
            for _ in 0..GETS_PER_ROUND {
                let value: Option<Vec<u8>> = raw.get(black_box(&key)).expect("raw get");
                assert!(black_box(value).is_some());
            }
            let raw_round = started.elapsed().as_secs_f64() * 1e6 / f64::from(GETS_PER_ROUND);
            let started = Instant::now();
            for _ in 0..GETS_PER_ROUND {
                let bucket = cache
                    .get_bucket(&(), black_box(&name), None, black_box(&source))
                    .expect("hit");
                assert!(black_box(bucket).code.is_some());
            }
            let hit_round = started.elapsed().as_secs_f64() * 1e6 / f64::from(GETS_PER_ROUND);
            raw_us.push(raw_round);
            hit_us.push(hit_round);
            ratios.push(hit_round / raw_round);
        }
        let (raw_median, hit_median) = (median(&mut raw_us), median(&mut hit_us));
        println!(
            "{:>2} KB code: raw get median {raw_median:.1} us ({:.0} gets/s), \
             get_bucket hit median {hit_median:.1} us ({:.0} gets/s), ratio median {:.2}x",
            code_len / 1024,
            1e6 / raw_median,
            1e6 / hit_median,
            median(&mut ratios),
        );
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    benches();
    // Under `cargo test --benches` criterion runs each bench once; skip the long summary.
    if std::env::args().any(|arg| arg == "--bench") {
        interleaved_summary();
        warmup_summary();
        large_entry_summary();
    }
    Criterion::default().configure_from_args().final_summary();
}
