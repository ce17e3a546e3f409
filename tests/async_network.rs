//! The network stores through `AsyncBytecodeCache` on tokio, against real memcached, Redis and
//! Redis Cluster servers on 127.0.0.1 (and a hostile one): round trips on both runtimes, a
//! server stopped mid-conversation that stalls no other task, many concurrent tasks on a few
//! connections, hostile replies, and leases (sync and async). Every wait is bounded.

mod support;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bccache::{
    AsyncBytecodeCache, BytecodeCache, Error, Lease, Lookup, MemcachedBytecodeCache,
    RedisBytecodeCache,
};
use support::hostile_server::{HostileServer, Script};
use support::memcached::MemcachedServer;
use support::paused::Paused;
use support::redis::{RedisCluster, RedisServer};

const SOURCE: &str = "{% for x in items %}{{ x }}{% endfor %}";
const IO_TIMEOUT: Duration = Duration::from_millis(500);
const MARGIN: Duration = Duration::from_millis(700);

fn code_of(name: &str) -> Vec<u8> {
    format!("compiled {name}").repeat(100).into_bytes()
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

fn memcached_cache(url: &str, ignore_errors: bool) -> MemcachedBytecodeCache {
    MemcachedBytecodeCache::builder()
        .server(format!("{url}?timeout={}", IO_TIMEOUT.as_secs_f64()))
        .ignore_memcache_errors(ignore_errors)
        .build()
        .expect("a valid URL")
}

fn redis_cache(url: &str, ignore_errors: bool) -> RedisBytecodeCache {
    RedisBytecodeCache::builder()
        .server(format!("{url}?timeout={}", IO_TIMEOUT.as_secs_f64()))
        .ignore_errors(ignore_errors)
        .build()
        .expect("a valid URL")
}

fn cluster_cache(cluster: &RedisCluster) -> RedisBytecodeCache {
    RedisBytecodeCache::builder()
        .server(cluster.url(0))
        .cluster(true)
        .ignore_errors(false)
        .build()
        .expect("a valid cluster")
}

/// Stores then loads `count` templates through the async trait, one by one and as a batch.
async fn round_trip(cache: &dyn AsyncBytecodeCache, count: usize) {
    let names: Vec<String> = (0..count).map(|i| format!("page-{i}.html")).collect();
    for name in &names {
        let mut bucket = cache
            .get_bucket(&(), name, None, SOURCE)
            .await
            .expect("a lookup");
        assert_eq!(bucket.code, None, "{name}: a hit before any store");
        bucket.code = Some(code_of(name));
        cache.set_bucket(&bucket).await.expect("a store");
    }
    for name in &names {
        let bucket = cache
            .get_bucket(&(), name, None, SOURCE)
            .await
            .expect("a lookup");
        assert_eq!(bucket.code, Some(code_of(name)), "{name}");
    }
    let mut lookups: Vec<Lookup<'_>> = names.iter().map(|name| Lookup::new(name, SOURCE)).collect();
    lookups.push(Lookup::new("never-stored.html", SOURCE));
    let buckets = cache.get_buckets(&(), &lookups).await.expect("a batch");
    for (bucket, name) in buckets.iter().zip(&names) {
        assert_eq!(bucket.code, Some(code_of(name)), "{name} in a batch");
    }
    assert_eq!(buckets.last().and_then(|b| b.code.clone()), None);
    let stats = cache.stats().await.expect("counted");
    assert!(stats.hits >= 2 * count as u64, "{stats:?}");
    assert_eq!(stats.errors, 0, "{stats:?}");
}

#[test]
fn memcached_round_trips_on_both_runtimes() {
    let server = MemcachedServer::start();
    current_thread().block_on(round_trip(&memcached_cache(&server.url(), false), 20));
    server.flush_all();
    multi_thread().block_on(round_trip(&memcached_cache(&server.url(), false), 20));
}

#[test]
fn redis_round_trips_on_both_runtimes() {
    let server = RedisServer::start();
    let cache = redis_cache(&server.url(), false);
    current_thread().block_on(round_trip(&cache, 20));
    BytecodeCache::clear(&cache).expect("clear");
    multi_thread().block_on(async {
        round_trip(&cache, 20).await;
        AsyncBytecodeCache::clear(&cache).await.expect("clear");
    });
    assert_eq!(server.dbsize(), 0);
}

#[test]
fn redis_cluster_round_trips_on_both_runtimes() {
    let cluster = RedisCluster::start();
    let cache = cluster_cache(&cluster);
    current_thread().block_on(round_trip(&cache, 40));
    multi_thread().block_on(async {
        AsyncBytecodeCache::clear(&cache).await.expect("clear");
        round_trip(&cache, 40).await;
    });
}

#[test]
fn async_entries_are_the_sync_entries() {
    let server = MemcachedServer::start();
    let cache = memcached_cache(&server.url(), false);
    let mut bucket = BytecodeCache::get_bucket(&cache, &(), "a.html", None, SOURCE).expect("get");
    bucket.code = Some(code_of("a.html"));
    BytecodeCache::set_bucket(&cache, &bucket).expect("set");
    let loaded = current_thread()
        .block_on(AsyncBytecodeCache::get_bucket(
            &cache,
            &(),
            "a.html",
            None,
            SOURCE,
        ))
        .expect("get");
    assert_eq!(loaded.code, Some(code_of("a.html")));
}

/// The server at `addr` answers nothing to `request` within 100 ms: it is the one stopped.
fn assert_silent(addr: std::net::SocketAddr, request: &[u8]) {
    use std::io::{Read, Write};
    let mut probe = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1))
        .expect("the stopped server's kernel still accepts");
    probe
        .set_read_timeout(Some(Duration::from_millis(100)))
        .expect("timeout");
    probe.write_all(request).expect("write");
    let mut byte = [0u8; 1];
    assert!(
        probe.read(&mut byte).is_err(),
        "a server at {addr} answered after SIGSTOP"
    );
}

/// Loads through `load` on a current-thread runtime while the server is stopped, with a task
/// ticking every 10 ms on the same thread: the load ends within the timeout and the ticks go on.
fn a_stopped_server_stalls_no_other_task<W, F, Fut>(
    cache: &dyn AsyncBytecodeCache,
    warm: W,
    pause: impl FnOnce() -> Paused,
    load: F,
) where
    W: Future<Output = ()>,
    F: FnOnce() -> Fut,
    Fut: Future<Output = bccache::Result<Option<Vec<u8>>>>,
{
    let runtime = current_thread();
    // One exchange first, so the stop comes mid-conversation on a kept-open connection.
    runtime.block_on(warm);
    let paused = pause();
    let ticks = Arc::new(AtomicUsize::new(0));
    let (loaded, took, ticked) = runtime.block_on(async {
        let counter = Arc::clone(&ticks);
        let ticker = tokio::spawn(async move {
            for _ in 0..500 {
                tokio::time::sleep(Duration::from_millis(10)).await;
                counter.fetch_add(1, Ordering::Relaxed);
            }
        });
        tokio::task::yield_now().await;
        let started = Instant::now();
        let loaded = tokio::time::timeout(Duration::from_secs(10), load())
            .await
            .expect("the load ends");
        let took = started.elapsed();
        let ticked = ticks.load(Ordering::Relaxed);
        ticker.abort();
        (loaded, took, ticked)
    });
    drop(paused);
    assert!(took < IO_TIMEOUT + MARGIN, "took {took:?}");
    let stats = runtime.block_on(cache.stats());
    assert!(
        took >= IO_TIMEOUT / 2,
        "answered by a stopped server in {took:?}: {loaded:?} {stats:?}"
    );
    assert_eq!(loaded.expect("a miss, errors ignored"), None);
    // A 500 ms hang at 10 ms a tick: a blocked thread would tick at most once.
    assert!(
        ticked >= 20,
        "the ticking task ticked {ticked} times during the hang"
    );
}

#[test]
fn a_stopped_memcached_stalls_no_other_task_on_a_current_thread_runtime() {
    let server = MemcachedServer::start();
    let cache = memcached_cache(&server.url(), true);
    a_stopped_server_stalls_no_other_task(
        &cache,
        round_trip(&cache, 1),
        || {
            let paused = Paused::of(server.pid());
            assert_silent(server.addr(), b"version\r\n");
            paused
        },
        || async {
            let bucket =
                AsyncBytecodeCache::get_bucket(&cache, &(), "page-0.html", None, SOURCE).await?;
            Ok(bucket.code)
        },
    );
}

#[test]
fn a_stopped_redis_stalls_no_other_task_on_a_current_thread_runtime() {
    let server = RedisServer::start();
    let cache = redis_cache(&server.url(), true);
    a_stopped_server_stalls_no_other_task(
        &cache,
        round_trip(&cache, 1),
        || {
            let paused = Paused::of(server.pid());
            assert_silent(server.addr(), b"PING\r\n");
            paused
        },
        || async {
            let bucket =
                AsyncBytecodeCache::get_bucket(&cache, &(), "page-0.html", None, SOURCE).await?;
            Ok(bucket.code)
        },
    );
}

/// 1,000 tasks at once, each loading one of 50 stored templates and checking its code; then
/// no more connections kept open than the lanes allow (8 per server).
fn thousand_tasks<C>(cache: Arc<C>, pooled: impl Fn(&C) -> usize)
where
    C: AsyncBytecodeCache + 'static,
{
    multi_thread().block_on(async {
        for i in 0..50 {
            let name = format!("t{i}.html");
            let mut bucket = cache
                .get_bucket(&(), &name, None, SOURCE)
                .await
                .expect("get");
            bucket.code = Some(code_of(&name));
            cache.set_bucket(&bucket).await.expect("set");
        }
        let tasks: Vec<_> = (0..1000)
            .map(|i| {
                let cache = Arc::clone(&cache);
                tokio::spawn(async move {
                    let name = format!("t{}.html", i % 50);
                    let bucket = cache.get_bucket(&(), &name, None, SOURCE).await?;
                    Ok::<_, Error>(bucket.code == Some(code_of(&name)))
                })
            })
            .collect();
        let mut right = 0;
        for task in tasks {
            if tokio::time::timeout(Duration::from_secs(30), task)
                .await
                .expect("a task ends")
                .expect("a task does not panic")
                .expect("a load")
            {
                right += 1;
            }
        }
        assert_eq!(right, 1000);
    });
    let open = pooled(&*cache);
    assert!((1..=8).contains(&open), "{open} connections kept open");
}

#[test]
fn a_thousand_concurrent_memcached_tasks_share_eight_connections() {
    let server = MemcachedServer::start();
    thousand_tasks(Arc::new(memcached_cache(&server.url(), false)), |cache| {
        cache.pooled_connections()
    });
}

#[test]
fn a_thousand_concurrent_redis_tasks_share_eight_connections() {
    let server = RedisServer::start();
    thousand_tasks(Arc::new(redis_cache(&server.url(), false)), |cache| {
        cache.pooled_connections()
    });
}

/// A load through the async trait from a hostile server is a miss within the timeout.
fn assert_async_miss(case: &str, port: u16, memcached: bool) {
    let runtime = current_thread();
    let started = Instant::now();
    let code = runtime.block_on(async {
        let cache: Box<dyn AsyncBytecodeCache> = if memcached {
            Box::new(memcached_cache(
                &format!("memcache://127.0.0.1:{port}"),
                true,
            ))
        } else {
            Box::new(redis_cache(&format!("redis://127.0.0.1:{port}"), true))
        };
        let bucket = tokio::time::timeout(
            Duration::from_secs(10),
            cache.get_bucket(&(), "page.html", None, SOURCE),
        )
        .await
        .expect("the load ends");
        let stats = cache.stats().await.expect("counted");
        assert_eq!(stats.errors + stats.rejected, 1, "{case}: {stats:?}");
        bucket.expect("errors ignored").code
    });
    let took = started.elapsed();
    assert_eq!(code, None, "{case}: a hit");
    assert!(took < IO_TIMEOUT + MARGIN, "{case}: took {took:?}");
}

#[test]
fn hostile_memcached_replies_are_misses_through_the_async_path() {
    let cases: [(&str, Script); 6] = [
        (
            "huge length",
            Script::Reply(b"VALUE {key} 0 1099511627776\r\n".to_vec()),
        ),
        (
            "negative length",
            Script::Reply(b"VALUE {key} 0 -1\r\n".to_vec()),
        ),
        (
            "short value",
            Script::Reply(b"VALUE {key} 0 10\r\nabc\r\nEND\r\n".to_vec()),
        ),
        (
            "long value",
            Script::Reply(b"VALUE {key} 0 2\r\nabcdef\r\nEND\r\n".to_vec()),
        ),
        ("endless line", Script::Endless(b"VALUE ".to_vec(), b'9')),
        ("silence", Script::Silence),
    ];
    for (case, script) in cases {
        let server = HostileServer::start(script);
        assert_async_miss(case, server.port(), true);
    }
}

#[test]
fn hostile_redis_replies_are_misses_through_the_async_path() {
    let cases: [(&str, Script); 7] = [
        ("huge length", Script::Reply(b"$1099511627776\r\n".to_vec())),
        ("negative length", Script::Reply(b"$-5\r\nabc\r\n".to_vec())),
        ("short value", Script::Reply(b"$10\r\nabc\r\n".to_vec())),
        ("long value", Script::Reply(b"$2\r\nabcdef\r\n".to_vec())),
        ("endless line", Script::Endless(b"+".to_vec(), b'9')),
        ("endless length", Script::Endless(b"$".to_vec(), b'9')),
        ("silence", Script::Silence),
    ];
    for (case, script) in cases {
        let server = HostileServer::start(script);
        assert_async_miss(case, server.port(), false);
    }
}

fn held(lease: bccache::Result<Lease>) -> bccache::LeaseGuard {
    match lease {
        Ok(Lease::Held(guard)) => guard,
        other => panic!("not held: {other:?}"),
    }
}

fn is_busy(lease: bccache::Result<Lease>) -> bool {
    matches!(lease, Ok(Lease::Busy))
}

/// One holder at a time across two stores, a release lets the next hold, a lease expires after
/// its ttl, and a late release does not delete another holder's lease. `ttl` is the lease time
/// the store keeps (memcached: whole seconds).
fn leases_hold_one_at_a_time(a: &dyn BytecodeCache, b: &dyn BytecodeCache, ttl: Duration) {
    let first = held(a.lease("k1", Duration::from_secs(30)));
    assert!(is_busy(b.lease("k1", Duration::from_secs(30))));
    assert!(is_busy(a.lease("k1", Duration::from_secs(30))));
    drop(first);
    let second = held(b.lease("k1", Duration::from_secs(30)));
    assert!(is_busy(a.lease("k1", Duration::from_secs(30))));
    drop(second);

    let expiring = held(a.lease("k2", ttl));
    let started = Instant::now();
    assert!(is_busy(b.lease("k2", ttl)));
    let next = loop {
        match b.lease("k2", Duration::from_secs(30)) {
            Ok(Lease::Held(guard)) => break guard,
            Ok(Lease::Busy) if started.elapsed() < ttl + Duration::from_secs(3) => {
                std::thread::sleep(Duration::from_millis(50));
            }
            other => panic!("the lease did not expire: {other:?}"),
        }
    };
    // The first holder's late release must not free the second holder's lease.
    drop(expiring);
    assert!(is_busy(a.lease("k2", Duration::from_secs(30))));
    drop(next);
    drop(held(a.lease("k2", Duration::from_secs(30))));
}

#[test]
fn memcached_leases_hold_one_at_a_time_and_expire() {
    let server = MemcachedServer::start();
    let (a, b) = (
        memcached_cache(&server.url(), false),
        memcached_cache(&server.url(), false),
    );
    leases_hold_one_at_a_time(&a, &b, Duration::from_secs(1));
    assert!(server.raw_get("jinja2/bytecode/k1.lease").is_none());
}

#[test]
fn redis_leases_hold_one_at_a_time_and_expire() {
    let server = RedisServer::start();
    let (a, b) = (
        redis_cache(&server.url(), false),
        redis_cache(&server.url(), false),
    );
    leases_hold_one_at_a_time(&a, &b, Duration::from_millis(300));
    assert_eq!(server.dbsize(), 0);
}

#[test]
fn redis_cluster_leases_hold_one_at_a_time_and_expire() {
    let cluster = RedisCluster::start();
    let (a, b) = (cluster_cache(&cluster), cluster_cache(&cluster));
    leases_hold_one_at_a_time(&a, &b, Duration::from_millis(300));
}

/// Waits until `cache` holds `key`: a guard dropped in a task releases on the runtime, soon.
async fn held_soon(cache: &dyn AsyncBytecodeCache, key: &str) -> bccache::LeaseGuard {
    let started = Instant::now();
    loop {
        match cache.lease(key, Duration::from_secs(30)).await {
            Ok(Lease::Held(guard)) => return guard,
            Ok(Lease::Busy) if started.elapsed() < Duration::from_secs(2) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            other => panic!("the release did not land: {other:?}"),
        }
    }
}

/// The same through the async trait.
async fn async_leases_hold_one_at_a_time(
    a: &dyn AsyncBytecodeCache,
    b: &dyn AsyncBytecodeCache,
    key: &str,
) {
    let long = Duration::from_secs(30);
    let first = held(a.lease(key, long).await);
    assert!(is_busy(b.lease(key, long).await));
    drop(first);
    let second = held_soon(b, key).await;
    assert!(is_busy(a.lease(key, long).await));
    drop(second);
    drop(held_soon(a, key).await);
    // Give the last release its turn before the runtime goes.
    tokio::time::sleep(Duration::from_millis(50)).await;
}

#[test]
fn async_leases_hold_one_at_a_time_on_every_network_store() {
    let memcached = MemcachedServer::start();
    let redis = RedisServer::start();
    let cluster = RedisCluster::start();
    for (key, runtime) in [("ak1", current_thread()), ("ak2", multi_thread())] {
        runtime.block_on(async {
            let (a, b) = (
                memcached_cache(&memcached.url(), false),
                memcached_cache(&memcached.url(), false),
            );
            async_leases_hold_one_at_a_time(&a, &b, key).await;
            let (a, b) = (
                redis_cache(&redis.url(), false),
                redis_cache(&redis.url(), false),
            );
            async_leases_hold_one_at_a_time(&a, &b, key).await;
            let (a, b) = (cluster_cache(&cluster), cluster_cache(&cluster));
            async_leases_hold_one_at_a_time(&a, &b, key).await;
        });
    }
}

#[test]
fn a_lease_error_is_unsupported_with_errors_ignored_and_an_error_without() {
    let refusing = support::memcached::refusing_url();
    let ignoring = memcached_cache(&refusing, true);
    let lease = BytecodeCache::lease(&ignoring, "k", Duration::from_secs(1));
    assert!(matches!(lease, Ok(Lease::Unsupported)), "{lease:?}");
    assert_eq!(BytecodeCache::stats(&ignoring).expect("counted").errors, 1);
    assert!(matches!(
        BytecodeCache::lease(
            &memcached_cache(&refusing, false),
            "k",
            Duration::from_secs(1)
        ),
        Err(Error::Memcached { .. })
    ));
    let refusing = support::redis::refusing_url();
    let ignoring = redis_cache(&refusing, true);
    let lease = current_thread().block_on(AsyncBytecodeCache::lease(
        &ignoring,
        "k",
        Duration::from_secs(1),
    ));
    assert!(matches!(lease, Ok(Lease::Unsupported)));
    assert_eq!(BytecodeCache::stats(&ignoring).expect("counted").errors, 1);
    assert!(matches!(
        BytecodeCache::lease(&redis_cache(&refusing, false), "k", Duration::from_secs(1)),
        Err(Error::Redis { .. })
    ));
}

#[test]
fn a_store_on_a_client_handed_in_has_no_leases_and_loads_on_the_blocking_pool() {
    let server = MemcachedServer::start();
    let client = memcache::Client::connect(server.url()).expect("memcache client");
    let cache = MemcachedBytecodeCache::new(client);
    let lease = BytecodeCache::lease(&cache, "k", Duration::from_secs(1));
    assert!(matches!(lease, Ok(Lease::Unsupported)), "{lease:?}");
    current_thread().block_on(round_trip(&cache, 5));
}
