//! Async hits through `AsyncBytecodeCache` against their floors, side by side on one
//! current-thread tokio runtime, on loopback:
//!
//! - Redis: `get_bucket` of a stored entry vs a raw async `GET` of the same bytes with the
//!   `redis` crate (a multiplexed async connection);
//! - memcached: `get_bucket` vs a raw get on a kept-open tokio `TcpStream` (write `get k\r\n`,
//!   read until the reply's `END`).
//!
//! Values of 4 KB and 64 KB, a 1 KB source summed with xxh3-128. The bench starts its own
//! servers (see `tests/support/`). `cargo bench --bench async_net --features tokio,redis`.
//! After criterion, the contenders alternate in short rounds and the medians and the per-round
//! ratio are printed, which holds up better on a busy machine.

#[path = "../tests/support/memcached.rs"]
#[allow(dead_code)]
mod memcached_support;
#[path = "support/payload.rs"]
mod payload;
#[path = "../tests/support/redis.rs"]
#[allow(dead_code)]
mod redis_support;

use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};

use bccache::{
    AsyncBytecodeCache, BytecodeCache, Checksum, DEFAULT_PREFIX, MemcachedBytecodeCache,
    RedisBytecodeCache,
};
use criterion::{Criterion, criterion_group};
use memcached_support::MemcachedServer;
use payload::{fake_code, template_source};
use redis_support::RedisServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::runtime::Runtime;

const SOURCE_LEN: usize = 1024;
const VALUE_SIZES: [usize; 2] = [4 * 1024, 64 * 1024];

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Stores `name` with `code_len` bytes of code through the sync trait; returns the full key
/// and the stored entry's length.
fn store(cache: &dyn BytecodeCache, name: &str, source: &str, code_len: usize) -> (String, usize) {
    let mut bucket = cache.get_bucket(&(), name, None, source).expect("bucket");
    bucket.code = Some(fake_code(code_len as u64, code_len));
    cache.set_bucket(&bucket).expect("store");
    let len = bucket.bytecode_to_string().expect("encode").len();
    (format!("{DEFAULT_PREFIX}{}", bucket.key), len)
}

async fn hit(cache: &dyn AsyncBytecodeCache, name: &str, source: &str) {
    let bucket = cache
        .get_bucket(&(), black_box(name), None, black_box(source))
        .await
        .expect("hit");
    assert!(black_box(bucket).code.is_some());
}

/// A raw memcached get on a kept-open connection: the whole reply read into `reply`.
async fn raw_memcached_get(stream: &mut TcpStream, key: &str, len: usize, reply: &mut Vec<u8>) {
    let request = format!("get {key}\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    reply.clear();
    // VALUE line, the value, \r\n, END\r\n.
    let want = len + key.len() + 32;
    let mut chunk = vec![0u8; 64 * 1024 + 512];
    while !(reply.len() >= len && reply.ends_with(b"END\r\n")) {
        let read = stream.read(&mut chunk).await.expect("read");
        assert!(read > 0 && reply.len() < want + 64, "a short or long reply");
        reply.extend_from_slice(&chunk[..read]);
    }
}

async fn raw_redis_get(connection: &mut redis::aio::MultiplexedConnection, key: &str) -> Vec<u8> {
    redis::cmd("GET")
        .arg(key)
        .query_async(connection)
        .await
        .expect("raw get")
}

/// Runs `iters` of `op` on the runtime and returns their time.
fn timed<F: Future<Output = ()>>(
    runtime: &Runtime,
    iters: u64,
    mut op: impl FnMut() -> F,
) -> Duration {
    runtime.block_on(async {
        let started = Instant::now();
        for _ in 0..iters {
            op().await;
        }
        started.elapsed()
    })
}

/// The fixtures of one run: servers, caches, raw connections and stored entries.
struct Fixture {
    runtime: Runtime,
    _redis_server: RedisServer,
    _memcached_server: MemcachedServer,
    redis: RedisBytecodeCache,
    memcached: MemcachedBytecodeCache,
    raw_redis: redis::aio::MultiplexedConnection,
    raw_memcached: TcpStream,
    source: String,
    /// Per value size: the template's name, its Redis key, its memcached key, entry length.
    entries: Vec<(usize, String, String, String, usize)>,
}

fn fixture() -> Fixture {
    let runtime = runtime();
    let redis_server = RedisServer::start();
    let memcached_server = MemcachedServer::start();
    let redis = RedisBytecodeCache::builder()
        .server(redis_server.url())
        .checksum(Checksum::Xxh3_128)
        .ignore_errors(false)
        .build()
        .expect("redis cache");
    let memcached = MemcachedBytecodeCache::builder()
        .server(memcached_server.url())
        .checksum(Checksum::Xxh3_128)
        .ignore_memcache_errors(false)
        .build()
        .expect("memcached cache");
    let source = template_source(0, SOURCE_LEN);
    let entries = VALUE_SIZES
        .iter()
        .map(|&size| {
            let name = format!("templates/page-{size}.html");
            let (redis_key, len) = store(&redis, &name, &source, size);
            let (memcached_key, _) = store(&memcached, &name, &source, size);
            (size, name, redis_key, memcached_key, len)
        })
        .collect();
    let (raw_redis, raw_memcached) = runtime.block_on(async {
        let client = redis::Client::open(redis_server.url()).expect("client");
        let raw_redis = client
            .get_multiplexed_async_connection()
            .await
            .expect("async connection");
        let raw_memcached = TcpStream::connect(memcached_server.addr())
            .await
            .expect("connect");
        raw_memcached.set_nodelay(true).expect("nodelay");
        (raw_redis, raw_memcached)
    });
    Fixture {
        runtime,
        _redis_server: redis_server,
        _memcached_server: memcached_server,
        redis,
        memcached,
        raw_redis,
        raw_memcached,
        source,
        entries,
    }
}

fn bench_async_hits(c: &mut Criterion) {
    let mut f = fixture();
    let mut reply = Vec::new();
    for (size, name, redis_key, memcached_key, len) in f.entries.clone() {
        let mut group = c.benchmark_group(format!("async_hit_{}KB", size / 1024));
        group.bench_function("redis: bccache get_bucket", |b| {
            b.iter_custom(|iters| timed(&f.runtime, iters, || hit(&f.redis, &name, &f.source)))
        });
        group.bench_function("redis: raw async GET (redis crate)", |b| {
            let raw = &mut f.raw_redis;
            b.iter_custom(|iters| {
                f.runtime.block_on(async {
                    let started = Instant::now();
                    for _ in 0..iters {
                        black_box(raw_redis_get(raw, black_box(&redis_key)).await);
                    }
                    started.elapsed()
                })
            })
        });
        group.bench_function("memcached: bccache get_bucket", |b| {
            b.iter_custom(|iters| timed(&f.runtime, iters, || hit(&f.memcached, &name, &f.source)))
        });
        group.bench_function("memcached: raw async get (tokio TcpStream)", |b| {
            let raw = &mut f.raw_memcached;
            let reply = &mut reply;
            b.iter_custom(|iters| {
                f.runtime.block_on(async {
                    let started = Instant::now();
                    for _ in 0..iters {
                        raw_memcached_get(raw, black_box(&memcached_key), len, reply).await;
                    }
                    started.elapsed()
                })
            })
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(50)
        .measurement_time(Duration::from_secs(3));
    targets = bench_async_hits
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Medians of `ROUNDS` rounds of a floor then a hit, each round `PER_ROUND` of each, in µs:
/// the floor, the hit and the per-round ratio.
fn alternate(mut floor: impl FnMut() -> Duration, mut ours: impl FnMut() -> Duration) -> [f64; 3] {
    let (mut floors, mut hits, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (floor, ours) = (floor(), ours());
        floors.push(floor.as_secs_f64() * 1e6 / PER_ROUND as f64);
        hits.push(ours.as_secs_f64() * 1e6 / PER_ROUND as f64);
        ratios.push(ours.as_secs_f64() / floor.as_secs_f64());
    }
    [median(&mut floors), median(&mut hits), median(&mut ratios)]
}

const ROUNDS: usize = 31;
const PER_ROUND: u64 = 200;

/// Each hit and its floor alternated in short rounds, so load from other processes falls on
/// both alike.
fn interleaved_summary() {
    let mut f = fixture();
    let mut reply = Vec::new();
    println!("\ninterleaved: {ROUNDS} rounds of {PER_ROUND} raw gets then {PER_ROUND} hits");
    for (size, name, redis_key, memcached_key, len) in f.entries.clone() {
        let (runtime, raw) = (&f.runtime, &mut f.raw_redis);
        let [floor, ours, ratio] = alternate(
            || {
                runtime.block_on(async {
                    let started = Instant::now();
                    for _ in 0..PER_ROUND {
                        black_box(raw_redis_get(raw, &redis_key).await);
                    }
                    started.elapsed()
                })
            },
            || timed(runtime, PER_ROUND, || hit(&f.redis, &name, &f.source)),
        );
        println!(
            "redis {} KB: raw async GET median {floor:.1} us, async hit median {ours:.1} us, \
             ratio median {ratio:.2}x",
            size / 1024
        );
        let (raw, reply) = (&mut f.raw_memcached, &mut reply);
        let [floor, ours, ratio] = alternate(
            || {
                runtime.block_on(async {
                    let started = Instant::now();
                    for _ in 0..PER_ROUND {
                        raw_memcached_get(raw, &memcached_key, len, reply).await;
                    }
                    started.elapsed()
                })
            },
            || timed(runtime, PER_ROUND, || hit(&f.memcached, &name, &f.source)),
        );
        println!(
            "memcached {} KB: raw async get median {floor:.1} us, async hit median {ours:.1} us, \
             ratio median {ratio:.2}x",
            size / 1024
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
