//! `RedisBytecodeCache` when Redis misbehaves: killed and restarted, hung, refusing. Only
//! 127.0.0.1 traffic; every loop is bounded in count and time.

mod support;

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use bccache::{BytecodeCache, Error, Lookup, RedisBytecodeCache};
use support::memcached::{error_chain, within};
use support::redis::{RedisServer, refusing_url};

const SOURCE: &str = "{{ greeting }}, {{ name }}!";

fn cache(url: &str, ignore_errors: bool) -> RedisBytecodeCache {
    RedisBytecodeCache::builder()
        .server(url)
        .ignore_errors(ignore_errors)
        .build()
        .expect("a valid URL")
}

fn store(cache: &RedisBytecodeCache, name: &str) -> bccache::Result<()> {
    let mut bucket = cache.get_bucket(&(), name, None, SOURCE)?;
    bucket.code = Some(format!("compiled {name}").into_bytes());
    cache.set_bucket(&bucket)
}

fn load(cache: &RedisBytecodeCache, name: &str) -> bccache::Result<Option<Vec<u8>>> {
    Ok(cache.get_bucket(&(), name, None, SOURCE)?.code)
}

/// A listener on 127.0.0.1 that counts the connections it accepts, keeps them open and never
/// answers; returns its URL.
fn hung_server(accepted: Arc<AtomicUsize>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("local addr").port();
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(64) {
            accepted.fetch_add(1, Ordering::SeqCst);
            held.push(stream);
        }
    });
    format!("redis://127.0.0.1:{port}")
}

#[test]
fn errors_are_misses_when_ignored_and_errors_when_not() {
    let mut server = RedisServer::start();
    let lenient = cache(&server.url(), true);
    let strict = cache(&server.url(), false);
    store(&strict, "page.html").expect("store");
    server.stop();

    assert_eq!(load(&lenient, "page.html").expect("ignored"), None);
    store(&lenient, "page.html").expect("a failed store is dropped");
    let stats = lenient.stats().expect("counted");
    assert!(stats.errors >= 2, "{stats:?}");

    let error = load(&strict, "page.html").expect_err("not ignored");
    assert!(
        matches!(
            error,
            Error::Redis {
                operation: "get",
                ..
            }
        ),
        "{error}"
    );
    let chain = error_chain(&error);
    assert!(chain.contains("jinja2/bytecode/"), "{chain}");
    assert!(
        chain.contains(&format!("127.0.0.1:{}", server.port())),
        "{chain}"
    );
    let mut bucket = bccache::Bucket::new(&(), "k", "c");
    bucket.code = Some(b"code".to_vec());
    assert!(matches!(
        strict.dump_bytecode(&bucket),
        Err(Error::Redis {
            operation: "set",
            ..
        })
    ));
    let lookups = [Lookup::new("page.html", SOURCE)];
    assert!(matches!(
        strict.get_buckets(&(), &lookups),
        Err(Error::Redis {
            operation: "mget",
            ..
        })
    ));
    assert!(
        lenient.get_buckets(&(), &lookups).expect("ignored")[0]
            .code
            .is_none()
    );
    assert!(matches!(
        strict.clear(),
        Err(Error::Redis {
            operation: "clear",
            ..
        })
    ));
}

#[test]
fn a_server_that_never_answers_costs_one_io_timeout() {
    let accepted = Arc::new(AtomicUsize::new(0));
    let url = format!("{}?timeout=0.3", hung_server(Arc::clone(&accepted)));
    let strict = cache(&url, false);
    let (result, took) = within(Duration::from_secs(10), move || load(&strict, "page.html"));
    let error = result.expect_err("a hung server is an error");
    assert!(
        error_chain(&error).to_lowercase().contains("timed out")
            || error_chain(&error).contains("would block")
            || error_chain(&error).contains("Resource temporarily unavailable"),
        "{}",
        error_chain(&error)
    );
    assert!(
        took >= Duration::from_millis(250) && took < Duration::from_secs(3),
        "gave up after {took:?}, not about the 0.3 s I/O timeout"
    );

    // The default I/O timeout is 1 s.
    let lenient = cache(&hung_server(Arc::new(AtomicUsize::new(0))), true);
    let (result, took) = within(Duration::from_secs(10), move || load(&lenient, "page.html"));
    assert_eq!(result.expect("ignored"), None);
    assert!(
        took >= Duration::from_millis(800) && took < Duration::from_secs(4),
        "gave up after {took:?}, not about the 1 s I/O timeout"
    );
}

#[test]
fn a_dead_server_is_tried_about_once_a_second_not_once_per_key() {
    let accepted = Arc::new(AtomicUsize::new(0));
    let url = format!("{}?timeout=0.2", hung_server(Arc::clone(&accepted)));
    let lenient = Arc::new(cache(&url, true));
    let (misses, _) = within(Duration::from_secs(20), {
        let lenient = Arc::clone(&lenient);
        move || {
            (0..50)
                .filter(|i| load(&lenient, &format!("page-{i}.html")).ok() == Some(None))
                .count()
        }
    });
    assert_eq!(misses, 50);
    // The first load connected and timed out; the rest fell in the second it is skipped.
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    let stats = lenient.stats().expect("counted");
    assert_eq!(stats.errors, 50);

    // After the skip it is tried again.
    thread::sleep(Duration::from_millis(1100));
    assert_eq!(load(&lenient, "again.html").expect("ignored"), None);
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[test]
fn a_refusing_server_is_skipped_and_fails_fast() {
    let strict = cache(&refusing_url(), false);
    let (results, took) = within(Duration::from_secs(10), move || {
        (0..100)
            .map(|i| load(&strict, &format!("p{i}")).is_err())
            .collect::<Vec<_>>()
    });
    assert!(results.iter().all(|&failed| failed));
    assert!(took < Duration::from_secs(2), "100 loads took {took:?}");
}

#[test]
fn the_cache_reconnects_after_the_server_restarts() {
    let mut server = RedisServer::start();
    let strict = cache(&server.url(), false);
    // Several kept-open connections, as concurrent requests leave them.
    thread::scope(|scope| {
        for t in 0..4 {
            let strict = &strict;
            scope.spawn(move || {
                for i in 0..20 {
                    store(strict, &format!("t{t}-{i}.html")).expect("store");
                }
            });
        }
    });
    assert!(load(&strict, "t0-0.html").expect("hit").is_some());

    server.restart();
    // The kept-open connections died with the old process: each is replaced and the request
    // sent again, so no error reaches the caller, only a miss (the new server is empty).
    for i in 0..20 {
        assert_eq!(
            load(&strict, &format!("t0-{i}.html")).expect("reconnected"),
            None
        );
    }
    store(&strict, "fresh.html").expect("store after restart");
    assert!(load(&strict, "fresh.html").expect("hit").is_some());
}

#[test]
fn a_killed_server_that_comes_back_is_used_again_after_the_skip() {
    let mut server = RedisServer::start();
    let lenient = cache(&server.url(), true);
    store(&lenient, "page.html").expect("store");
    server.stop();
    assert_eq!(load(&lenient, "page.html").expect("ignored"), None);
    server.restart();
    store(&lenient, "page.html").expect("store");
    // Within the skip second the store may be dropped; the cache tries again after it.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        store(&lenient, "page.html").expect("ignored");
        if load(&lenient, "page.html").expect("ignored").is_some() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server was never used again"
        );
        thread::sleep(Duration::from_millis(100));
    }
}
