//! A Redis cache hit through `get_bucket` against its floor: one raw `GET` of the same bytes on a
//! kept-open `redis::Connection` (TCP_NODELAY, as the cache's), side by side on loopback; and a
//! batch warm-up, `get_buckets` of 1,000 entries (`MGET`s of many keys each) against 1,000
//! single hits.
//!
//! The bench starts its own redis-server (see `tests/support/redis.rs`).
//! `cargo bench --bench redis --features redis`; medians are in
//! `target/criterion/redis_*/*/new/estimates.json`. After criterion, the bench alternates the
//! contenders in short rounds and prints medians and the per-round ratio, which holds up better
//! on a busy machine than two measurements taken one after the other.

#[path = "support/payload.rs"]
mod payload;
#[path = "../tests/support/redis.rs"]
#[allow(dead_code)]
mod redis_support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use bccache::{BytecodeCache, Checksum, DEFAULT_PREFIX, Lookup, RedisBytecodeCache};
use criterion::{Criterion, criterion_group};
use payload::{fake_code, template_source};
use redis_support::RedisServer;

const SOURCE_LEN: usize = 20 * 1024;
const CODE_LEN: usize = 64 * 1024;
const BATCH: usize = 1_000;

fn cache_on(server: &RedisServer, checksum: Checksum) -> RedisBytecodeCache {
    RedisBytecodeCache::builder()
        .server(server.url())
        .checksum(checksum)
        .ignore_errors(false)
        .build()
        .expect("cache")
}

/// Stores `name` with `code_len` bytes of code; returns its Redis key.
fn store(cache: &RedisBytecodeCache, name: &str, source: &str, code_len: usize) -> String {
    let mut bucket = cache.get_bucket(&(), name, None, source).expect("bucket");
    bucket.code = Some(fake_code(code_len as u64, code_len));
    cache.set_bucket(&bucket).expect("store");
    format!("{DEFAULT_PREFIX}{}", bucket.key)
}

fn raw_get(raw: &mut redis::Connection, key: &str) -> Vec<u8> {
    redis::cmd("GET").arg(key).query(raw).expect("raw get")
}

fn bench_redis_hit(c: &mut Criterion) {
    let server = RedisServer::start();
    let mut raw = server.raw();
    let source = template_source(0, SOURCE_LEN);
    let mut group = c.benchmark_group("redis_hit_20KB_source_64KB_code");
    for checksum in [Checksum::Sha1, Checksum::Xxh3_128] {
        let cache = cache_on(&server, checksum);
        let name = format!("templates/page-{checksum:?}.html");
        let key = store(&cache, &name, &source, CODE_LEN);
        assert!(!raw_get(&mut raw, &key).is_empty());
        group.bench_function(format!("bccache get_bucket hit ({checksum:?})"), |b| {
            b.iter(|| {
                let bucket = cache
                    .get_bucket(&(), black_box(&name), None, black_box(&source))
                    .expect("hit");
                assert!(bucket.code.is_some());
                bucket
            })
        });
        if checksum == Checksum::Sha1 {
            group.bench_function("floor: raw GET, kept-open connection", |b| {
                b.iter(|| raw_get(&mut raw, black_box(&key)))
            });
        }
    }
    group.finish();
}

/// 1,000 templates with 1 KB sources and `code_len` bytes of code each, stored.
fn batch_fixture(cache: &RedisBytecodeCache, code_len: usize) -> (Vec<String>, Vec<String>) {
    let names: Vec<String> = (0..BATCH)
        .map(|i| format!("templates/{code_len}/page-{i}.html"))
        .collect();
    let sources: Vec<String> = (0..BATCH).map(|i| template_source(i, 1024)).collect();
    for (name, source) in names.iter().zip(&sources) {
        store(cache, name, source, code_len);
    }
    (names, sources)
}

/// The batch as single hits, kept as a warm-up keeps them (as `get_buckets` does).
fn singles<'e>(
    cache: &RedisBytecodeCache,
    names: &[String],
    sources: &[String],
) -> Vec<bccache::Bucket<'e>> {
    names
        .iter()
        .zip(sources)
        .map(|(name, source)| {
            let bucket = cache.get_bucket(&(), name, None, source).expect("hit");
            assert!(bucket.code.is_some());
            bucket
        })
        .collect()
}

fn bench_redis_batch(c: &mut Criterion) {
    let server = RedisServer::start();
    let cache = cache_on(&server, Checksum::Sha1);
    for code_len in [1024, 4 * 1024, 64 * 1024] {
        let (names, sources) = batch_fixture(&cache, code_len);
        let lookups: Vec<Lookup<'_>> = names
            .iter()
            .zip(&sources)
            .map(|(name, source)| Lookup::new(name, source))
            .collect();
        let mut group = c.benchmark_group(format!(
            "redis_batch_1000_entries_{}KB_code",
            code_len / 1024
        ));
        group.sample_size(10);
        group.bench_function("get_buckets (MGET)", |b| {
            b.iter(|| {
                let buckets = cache.get_buckets(&(), black_box(&lookups)).expect("batch");
                assert!(buckets.iter().all(|b| b.code.is_some()));
                buckets
            })
        });
        group.bench_function("1,000 single get_bucket hits", |b| {
            b.iter(|| singles(&cache, &names, &sources))
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(50)
        .measurement_time(Duration::from_secs(4));
    targets = bench_redis_hit, bench_redis_batch
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Raw GET and cache hit alternated in short rounds, then the batch against single hits, so
/// that load from other processes falls on both alike.
fn interleaved_summary() {
    const ROUNDS: usize = 31;
    const GETS_PER_ROUND: u32 = 200;
    let server = RedisServer::start();
    let mut raw = server.raw();
    let source = template_source(0, SOURCE_LEN);
    println!(
        "\ninterleaved: {ROUNDS} rounds of {GETS_PER_ROUND} raw GETs then {GETS_PER_ROUND} hits \
         (20 KB source, 64 KB code)"
    );
    for checksum in [Checksum::Sha1, Checksum::Xxh3_128] {
        let cache = cache_on(&server, checksum);
        let name = format!("templates/interleaved-{checksum:?}.html");
        let key = store(&cache, &name, &source, CODE_LEN);
        let (mut raw_us, mut hit_us, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let started = Instant::now();
            for _ in 0..GETS_PER_ROUND {
                black_box(raw_get(&mut raw, black_box(&key)));
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
        println!(
            "hit ({checksum:?}): raw GET median {:.1} us, get_bucket hit median {:.1} us, \
             ratio median {:.2}x",
            median(&mut raw_us),
            median(&mut hit_us),
            median(&mut ratios),
        );
    }

    const BATCH_ROUNDS: usize = 15;
    let cache = cache_on(&server, Checksum::Sha1);
    for code_len in [1024, 4 * 1024, 64 * 1024] {
        let (names, sources) = batch_fixture(&cache, code_len);
        let lookups: Vec<Lookup<'_>> = names
            .iter()
            .zip(&sources)
            .map(|(name, source)| Lookup::new(name, source))
            .collect();
        let (mut batch_ms, mut singles_ms, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..BATCH_ROUNDS {
            let started = Instant::now();
            let buckets = cache.get_buckets(&(), black_box(&lookups)).expect("batch");
            assert!(buckets.iter().all(|b| b.code.is_some()));
            drop(black_box(buckets));
            let batch = started.elapsed().as_secs_f64() * 1e3;
            let started = Instant::now();
            drop(black_box(singles(&cache, &names, &sources)));
            let singles = started.elapsed().as_secs_f64() * 1e3;
            batch_ms.push(batch);
            singles_ms.push(singles);
            ratios.push(singles / batch);
        }
        println!(
            "batch of {BATCH} ({} KB code, 1 KB sources): get_buckets median {:.1} ms, \
             {BATCH} single hits median {:.1} ms, speed-up median {:.1}x",
            code_len / 1024,
            median(&mut batch_ms),
            median(&mut singles_ms),
            median(&mut ratios),
        );
    }
}

fn main() {
    benches();
    // Under `cargo test --benches` criterion runs each bench once; skip the long summary.
    if std::env::args().any(|arg| arg == "--bench") {
        interleaved_summary();
    }
    Criterion::default().configure_from_args().final_summary();
}
