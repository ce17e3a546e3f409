//! `MemcachedBytecodeCache` when memcached misbehaves: killed and restarted, hung, refusing,
//! slow to reply. Only 127.0.0.1 traffic; every loop is bounded in count and time.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use bccache::{BytecodeCache, Error, MemcachedBytecodeCache, MemcachedClient};
use support::memcached::{ClientResult, MemcachedServer, error_chain, refusing_url, within};

const SOURCE: &str = "{{ greeting }}, {{ name }}!";

fn code_of(name: &str) -> Vec<u8> {
    format!("compiled {name}").into_bytes()
}

/// A listener on 127.0.0.1 that accepts connections and never answers; returns its URL.
fn hung_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("local addr").port();
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(64) {
            // Keep every connection open, silent.
            held.push(stream);
        }
    });
    format!("memcache://127.0.0.1:{port}")
}

/// A listener on 127.0.0.1 that counts the connections it accepts and closes each at once: a
/// server no request gets an answer from, like one that refuses, but whose connection attempts
/// can be counted.
fn closing_server(accepted: Arc<AtomicUsize>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("local addr").port();
    thread::spawn(move || {
        for stream in listener.incoming().take(1_000) {
            accepted.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    format!("memcache://127.0.0.1:{port}")
}

/// Checks that a request gave up after about one 1 s I/O timeout: a wide band, for a loaded
/// machine, that still tells a timeout from an instant failure or a 30 s hang.
fn assert_about_one_io_timeout(took: Duration, what: &str) {
    assert!(
        took >= Duration::from_millis(500) && took <= Duration::from_millis(2500),
        "{what} gave up after {took:?}, not about the 1 s I/O timeout"
    );
}

#[test]
fn server_killed_and_restarted_mid_run_only_ever_gives_hits_or_misses() {
    let mut server = MemcachedServer::start();
    let cache = MemcachedBytecodeCache::connect(&server.url()).expect("build");
    let names: Vec<String> = (0..12).map(|i| format!("template-{i}.html")).collect();

    let start = Instant::now();
    let deadline = start + Duration::from_secs(20);
    let (mut hits_before, mut hits_while_down, mut hits_after) = (0, 0, 0);
    let mut phase = 0; // 0: up, 1: killed, 2: restarted
    let mut phase_start = start;
    for _round in 0..2_000 {
        let now = Instant::now();
        assert!(now < deadline, "the run did not finish within 20 s");
        if phase == 0 && now - phase_start > Duration::from_millis(300) {
            server.stop();
            phase = 1;
            phase_start = now;
        } else if phase == 1 && now - phase_start > Duration::from_millis(1500) {
            server.restart();
            phase = 2;
            phase_start = now;
        }
        for name in &names {
            let mut bucket = cache
                .get_bucket(&(), name, None, SOURCE)
                .unwrap_or_else(|e| panic!("load of {name} failed in phase {phase}: {e}"));
            match &bucket.code {
                Some(code) => {
                    assert_eq!(code, &code_of(name), "wrong code for {name}");
                    match phase {
                        0 => hits_before += 1,
                        1 => hits_while_down += 1,
                        _ => hits_after += 1,
                    }
                }
                None => {
                    bucket.code = Some(code_of(name));
                    cache
                        .set_bucket(&bucket)
                        .unwrap_or_else(|e| panic!("store of {name} failed: {e}"));
                }
            }
        }
        if phase == 2 && hits_after >= names.len() * 3 {
            break;
        }
        thread::sleep(Duration::from_millis(5));
    }
    assert!(hits_before > 0, "no hits before the kill");
    assert_eq!(hits_while_down, 0, "hits from a killed server");
    assert!(
        hits_after >= names.len() * 3,
        "hits did not resume after the restart ({hits_after})"
    );
}

#[test]
fn hung_server_costs_one_io_timeout_not_thirty_seconds() {
    let url = hung_server();
    let cache = MemcachedBytecodeCache::connect(&url).expect("build");
    let (code, took) = within(Duration::from_secs(4), move || {
        cache
            .get_bucket(&(), "hung.html", None, SOURCE)
            .map(|bucket| bucket.code)
    });
    assert_eq!(code.expect("ignored errors: a miss"), None);
    assert_about_one_io_timeout(took, "a get");

    // A cache of its own, so that the set is not skipped after the get's timeout.
    let cache = MemcachedBytecodeCache::connect(&url).expect("build");
    let (stored, took) = within(Duration::from_secs(4), move || {
        let mut bucket = bccache::Bucket::new(&(), "hung", "checksum");
        bucket.code = Some(code_of("hung.html"));
        cache.set_bucket(&bucket)
    });
    stored.expect("ignored errors: dropped");
    assert_about_one_io_timeout(took, "a set");
}

#[test]
fn hung_server_errors_come_back_within_the_io_timeout_when_not_ignored() {
    let cache = Arc::new(
        MemcachedBytecodeCache::builder()
            .server(hung_server())
            .ignore_memcache_errors(false)
            .build()
            .expect("build"),
    );
    let loader = Arc::clone(&cache);
    let (loaded, took) = within(Duration::from_secs(4), move || {
        loader
            .get_bucket(&(), "hung.html", None, SOURCE)
            .map(|_| ())
    });
    let error = loaded.expect_err("a timeout is an error");
    assert!(matches!(
        error,
        Error::Memcached {
            operation: "get",
            ..
        }
    ));
    assert_about_one_io_timeout(took, "the get");

    // Then the server is skipped for about a second: the next calls fail at once.
    let started = Instant::now();
    for _ in 0..20 {
        assert!(cache.get_bucket(&(), "hung.html", None, SOURCE).is_err());
    }
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "a timed-out server was not skipped: 20 gets took {:?}",
        started.elapsed()
    );
}

#[test]
fn url_timeout_wins_over_the_default() {
    let cache = MemcachedBytecodeCache::builder()
        .server(format!("{}?timeout=0.2", hung_server()))
        .ignore_memcache_errors(false)
        .build()
        .expect("build");
    let (loaded, took) = within(Duration::from_secs(3), move || {
        cache.get_bucket(&(), "hung.html", None, SOURCE).map(|_| ())
    });
    assert!(loaded.is_err());
    assert!(
        took < Duration::from_millis(900),
        "`?timeout=0.2` gave up after {took:?}"
    );
}

#[test]
fn refusing_server_is_skipped_for_about_a_second_not_tried_per_key() {
    let url = refusing_url();
    let lenient = MemcachedBytecodeCache::connect(&url).expect("build offline");
    let bucket = lenient
        .get_bucket(&(), "t.html", None, SOURCE)
        .expect("ignored errors: a miss");
    assert_eq!(bucket.code, None);

    let strict = MemcachedBytecodeCache::builder()
        .server(&url)
        .ignore_memcache_errors(false)
        .build()
        .expect("build offline");
    let first = strict
        .get_bucket(&(), "t.html", None, SOURCE)
        .expect_err("a refused connection is an error");
    let text = error_chain(&first);
    assert!(
        !text.contains("skipped"),
        "the first get was not tried: {text}"
    );
    // A refused connect leaves no trace to count; the errors say whether it was tried.
    let started = Instant::now();
    for i in 0..100 {
        let error = strict
            .get_bucket(&(), &format!("t{i}.html"), None, SOURCE)
            .expect_err("a skipped server is an error");
        let text = error_chain(&error);
        if started.elapsed() < Duration::from_millis(800) {
            assert!(
                text.contains("skipped"),
                "get {i} tried the refusing server again: {text}"
            );
        }
    }
}

#[test]
fn unreachable_server_is_tried_about_once_a_second_not_per_key() {
    let accepted = Arc::new(AtomicUsize::new(0));
    let url = closing_server(Arc::clone(&accepted));
    let cache = Arc::new(MemcachedBytecodeCache::connect(&url).expect("build offline"));
    let loader = Arc::clone(&cache);
    let (code, _) = within(Duration::from_secs(4), move || {
        loader
            .get_bucket(&(), "first.html", None, SOURCE)
            .map(|bucket| bucket.code)
    });
    assert_eq!(code.expect("ignored errors: a miss"), None);
    // Let an attempt still in flight at the connect timeout land.
    thread::sleep(Duration::from_millis(100));
    let tried = accepted.load(Ordering::SeqCst);
    assert!(tried >= 1, "the first get did not try to connect");

    // Most of the one-second skip: a load every 5 ms, none of which may try again, and nothing
    // may retry in the background either.
    let started = Instant::now();
    let mut loads = 0;
    while loads < 200 && started.elapsed() < Duration::from_millis(500) {
        let bucket = cache
            .get_bucket(&(), &format!("t{loads}.html"), None, SOURCE)
            .expect("ignored errors: a miss");
        assert_eq!(bucket.code, None);
        loads += 1;
        thread::sleep(Duration::from_millis(5));
    }
    thread::sleep(Duration::from_millis(100));
    let during_skip = accepted.load(Ordering::SeqCst) - tried;
    assert!(
        during_skip <= 1,
        "{during_skip} connection attempts during the skip ({loads} loads)"
    );

    // After the skip the server is tried again.
    thread::sleep(Duration::from_millis(800));
    let again = within(Duration::from_secs(4), move || {
        cache
            .get_bucket(&(), "again.html", None, SOURCE)
            .map(|bucket| bucket.code)
    });
    assert_eq!(again.0.expect("ignored errors: a miss"), None);
    thread::sleep(Duration::from_millis(100));
    assert!(
        accepted.load(Ordering::SeqCst) > tried + during_skip,
        "the server was not tried again after the skip"
    );
}

/// Forwards 127.0.0.1 connections to memcached; the first connection's first reply is held
/// back for 1.5 s, past the client's 1 s I/O timeout. Counts accepted connections.
fn slow_first_reply_proxy(upstream: u16, accepted: Arc<AtomicUsize>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("local addr").port();
    thread::spawn(move || {
        for (n, client) in listener.incoming().take(16).enumerate() {
            let Ok(client) = client else { continue };
            accepted.fetch_add(1, Ordering::SeqCst);
            let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                continue;
            };
            let (Ok(mut client_in), Ok(mut server_out)) = (client.try_clone(), server.try_clone())
            else {
                continue;
            };
            thread::spawn(move || {
                let _ = std::io::copy(&mut client_in, &mut server_out);
            });
            let (mut server_in, mut client_out) = (server, client);
            thread::spawn(move || {
                let mut buf = [0u8; 64 * 1024];
                let mut first = n == 0;
                loop {
                    let Ok(read) = server_in.read(&mut buf) else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    if first {
                        thread::sleep(Duration::from_millis(1500));
                        first = false;
                    }
                    if client_out.write_all(&buf[..read]).is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("memcache://127.0.0.1:{port}")
}

#[test]
fn timed_out_connection_is_never_reused() {
    let server = MemcachedServer::start();
    let direct = MemcachedBytecodeCache::connect(&server.url()).expect("build");
    for name in ["late.html", "next.html"] {
        let mut bucket = direct
            .get_bucket(&(), name, None, SOURCE)
            .expect("get_bucket");
        bucket.code = Some(code_of(name));
        direct.set_bucket(&bucket).expect("set_bucket");
    }

    let accepted = Arc::new(AtomicUsize::new(0));
    let proxied = MemcachedBytecodeCache::connect(&slow_first_reply_proxy(
        server.port(),
        Arc::clone(&accepted),
    ))
    .expect("build");
    let late = proxied
        .get_bucket(&(), "late.html", None, SOURCE)
        .expect("a timeout is a miss");
    assert_eq!(late.code, None, "the reply came after the I/O timeout");

    // Past the skip after the timeout, and past the late reply's arrival.
    thread::sleep(Duration::from_millis(1200));
    let next = proxied
        .get_bucket(&(), "next.html", None, SOURCE)
        .expect("get_bucket");
    assert_eq!(
        next.code,
        Some(code_of("next.html")),
        "the next get read its own reply, not the late one"
    );
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        2,
        "the timed-out connection was replaced"
    );
}

/// Answers every get with the entry stored under `other_key` on a real server: a misrouted
/// reply, which a real server cannot be made to send on demand.
struct MisroutingClient {
    inner: memcache::Client,
    other_key: String,
}

impl MemcachedClient for MisroutingClient {
    fn get(&self, _key: &str) -> ClientResult<Option<Vec<u8>>> {
        MemcachedClient::get(&self.inner, &self.other_key)
    }

    fn set(&self, key: &str, value: &[u8], timeout: Option<u32>) -> ClientResult<()> {
        MemcachedClient::set(&self.inner, key, value, timeout)
    }
}

#[test]
fn reply_for_another_key_is_a_miss_even_with_the_same_source() {
    let server = MemcachedServer::start();
    let direct = MemcachedBytecodeCache::connect(&server.url()).expect("build");
    let mut other = direct
        .get_bucket(&(), "other.html", None, SOURCE)
        .expect("get_bucket");
    other.code = Some(code_of("other.html"));
    direct.set_bucket(&other).expect("set_bucket");

    let misrouting = MemcachedBytecodeCache::new(MisroutingClient {
        inner: memcache::Client::connect(server.url()).expect("connect"),
        other_key: format!("{}{}", bccache::DEFAULT_PREFIX, other.key),
    });
    let bucket = misrouting
        .get_bucket(&(), "mine.html", None, SOURCE)
        .expect("get_bucket");
    assert_eq!(bucket.code, None);
}

#[test]
fn hung_unix_socket_server_costs_one_io_timeout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("memcached.sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).expect("bind a unix socket");
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(64) {
            held.push(stream);
        }
    });
    let cache = MemcachedBytecodeCache::builder()
        .server(format!("memcache://{}", path.display()))
        .ignore_memcache_errors(false)
        .build()
        .expect("build");
    let (loaded, took) = within(Duration::from_secs(4), move || {
        cache.get_bucket(&(), "unix.html", None, SOURCE).map(|_| ())
    });
    let error = loaded.expect_err("a timeout is an error");
    assert!(
        matches!(
            error,
            Error::Memcached {
                operation: "get",
                ..
            }
        ),
        "unexpected error: {error}"
    );
    assert_about_one_io_timeout(took, "a get on a unix socket");
}
