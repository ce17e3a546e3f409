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
use support::memcached::MemcachedServer;

const SOURCE: &str = "{{ greeting }}, {{ name }}!";

type ClientResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

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

/// Runs `call` on its own thread and waits at most `limit` for it, so that a call that hangs
/// fails the test instead of hanging the run. Returns the result and how long it took.
fn within<T: Send + 'static>(
    limit: Duration,
    call: impl FnOnce() -> T + Send + 'static,
) -> (T, Duration) {
    let (sender, receiver) = std::sync::mpsc::channel();
    let started = Instant::now();
    thread::spawn(move || {
        let _ = sender.send(call());
    });
    match receiver.recv_timeout(limit) {
        Ok(value) => (value, started.elapsed()),
        Err(_) => panic!("the call did not return within {limit:?}"),
    }
}

/// A port on 127.0.0.1 nobody listens on.
fn refusing_url() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1")
        .port();
    format!("memcache://127.0.0.1:{port}")
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
    let cache = Arc::new(MemcachedBytecodeCache::connect(&hung_server()).expect("build"));
    let loader = Arc::clone(&cache);
    let (code, _) = within(Duration::from_secs(3), move || {
        loader
            .get_bucket(&(), "hung.html", None, SOURCE)
            .map(|bucket| bucket.code)
    });
    assert_eq!(code.expect("ignored errors: a miss"), None);

    let (stored, _) = within(Duration::from_secs(3), move || {
        let mut bucket = bccache::Bucket::new(&(), "hung", "checksum");
        bucket.code = Some(code_of("hung.html"));
        cache.set_bucket(&bucket)
    });
    stored.expect("ignored errors: dropped");
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
    let (loaded, took) = within(Duration::from_secs(3), move || {
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
    assert!(
        took >= Duration::from_millis(500) && took < Duration::from_secs(3),
        "the get gave up after {took:?}, not about 1 s"
    );

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
fn refusing_server_costs_one_connect_timeout_per_second_not_per_key() {
    let cache = MemcachedBytecodeCache::connect(&refusing_url()).expect("build offline");
    let started = Instant::now();
    for i in 0..100 {
        let bucket = cache
            .get_bucket(&(), &format!("t{i}.html"), None, SOURCE)
            .expect("ignored errors: a miss");
        assert_eq!(bucket.code, None);
    }
    let took = started.elapsed();
    // 100 keys at 250 ms each would be 25 s.
    assert!(
        took < Duration::from_secs(2),
        "100 loads from a refusing server took {took:?}"
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
    let (loaded, _) = within(Duration::from_secs(3), move || {
        cache.get_bucket(&(), "unix.html", None, SOURCE).map(|_| ())
    });
    assert!(loaded.is_err(), "a timeout is an error");
}
