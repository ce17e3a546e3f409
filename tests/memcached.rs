//! `MemcachedBytecodeCache` against real memcached servers on 127.0.0.1.

mod support;

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use bccache::{BytecodeCache, DEFAULT_PREFIX, Error, MemcachedBytecodeCache, MemcachedClient};
use support::fs::{load, store_key as store};
use support::memcached::{ClientResult, MemcachedServer, error_chain};

const SOURCE: &str = "{% for item in items %}<li>{{ item }}</li>{% endfor %}";

fn cache_on(server: &MemcachedServer) -> MemcachedBytecodeCache {
    MemcachedBytecodeCache::connect(&server.url()).expect("a valid server URL")
}

fn strict_cache_on(server: &MemcachedServer) -> MemcachedBytecodeCache {
    MemcachedBytecodeCache::builder()
        .server(server.url())
        .ignore_memcache_errors(false)
        .build()
        .expect("a valid server URL")
}

#[test]
fn round_trip_stores_the_encoded_bucket_under_prefix_and_key() {
    let server = MemcachedServer::start();
    let cache = MemcachedBytecodeCache::builder()
        .server(server.url())
        .prefix("app/bytecode/")
        .build()
        .expect("build");

    assert_eq!(load(&cache, "index.html", SOURCE), None);
    let key = store(&cache, "index.html", SOURCE, b"compiled index");
    assert_eq!(
        load(&cache, "index.html", SOURCE).as_deref(),
        Some(&b"compiled index"[..])
    );

    let mut bucket = cache
        .get_bucket(&(), "index.html", None, SOURCE)
        .expect("get_bucket");
    let stored = server
        .raw_get(&format!("app/bytecode/{key}"))
        .expect("the entry is on the server under prefix + key");
    assert_eq!(
        stored,
        bucket.bytecode_to_string().expect("encode"),
        "the stored value is exactly bytecode_to_string()"
    );
    bucket.reset();
    assert_eq!(server.raw_get(&format!("{DEFAULT_PREFIX}{key}")), None);
}

#[test]
fn new_takes_a_client_as_given_with_jinja2_defaults() {
    let server = MemcachedServer::start();
    let client = memcache::Client::connect(server.url()).expect("connect the memcache client");
    let cache = MemcachedBytecodeCache::new(client);
    assert_eq!(cache.prefix(), "jinja2/bytecode/");
    assert_eq!(cache.timeout(), None);
    assert!(cache.ignore_memcache_errors());

    let key = store(&cache, "page.html", SOURCE, b"page code");
    assert!(server.raw_get(&format!("jinja2/bytecode/{key}")).is_some());
    assert_eq!(
        load(&cache, "page.html", SOURCE).as_deref(),
        Some(&b"page code"[..])
    );
}

/// Forwards to a real client and remembers the timeouts it was given.
struct RecordingClient {
    inner: memcache::Client,
    timeouts: Arc<Mutex<Vec<Option<u32>>>>,
}

impl MemcachedClient for RecordingClient {
    fn get(&self, key: &str) -> ClientResult<Option<Vec<u8>>> {
        MemcachedClient::get(&self.inner, key)
    }

    fn set(&self, key: &str, value: &[u8], timeout: Option<u32>) -> ClientResult<()> {
        self.timeouts.lock().expect("lock").push(timeout);
        MemcachedClient::set(&self.inner, key, value, timeout)
    }
}

#[test]
fn timeout_is_sent_only_when_set() {
    let server = MemcachedServer::start();
    for (timeout, expected) in [(None, None), (Some(600), Some(600))] {
        let timeouts = Arc::new(Mutex::new(Vec::new()));
        let client = RecordingClient {
            inner: memcache::Client::connect(server.url()).expect("connect"),
            timeouts: Arc::clone(&timeouts),
        };
        let mut builder = MemcachedBytecodeCache::builder().client(client);
        if let Some(secs) = timeout {
            builder = builder.timeout(secs);
        }
        let cache = builder.build().expect("build");
        store(&cache, "t.html", SOURCE, b"code");
        assert_eq!(*timeouts.lock().expect("lock"), vec![expected]);
    }
}

#[test]
fn entry_stored_with_a_timeout_expires() {
    let server = MemcachedServer::start();
    let cache = MemcachedBytecodeCache::builder()
        .server(server.url())
        .timeout(2)
        .build()
        .expect("build");
    let forever = cache_on(&server);
    let key = store(&cache, "short.html", SOURCE, b"short-lived");
    store(&forever, "long.html", SOURCE, b"long-lived");
    // memcached's clock ticks once a second, so an item lives between `timeout - 1` and
    // `timeout` seconds: 2 s keeps it for at least the one just after the store.
    assert!(load(&cache, "short.html", SOURCE).is_some());

    let deadline = Instant::now() + Duration::from_secs(8);
    for _ in 0..80 {
        if load(&cache, "short.html", SOURCE).is_none() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "an entry stored with timeout 2 s is still there after 8 s"
        );
        thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        load(&cache, "short.html", SOURCE),
        None,
        "an entry stored with timeout 2 s did not expire"
    );
    assert_eq!(server.raw_get(&format!("{DEFAULT_PREFIX}{key}")), None);
    assert_eq!(
        load(&forever, "long.html", SOURCE).as_deref(),
        Some(&b"long-lived"[..]),
        "an entry stored without a timeout stays"
    );
}

#[test]
fn stale_source_is_a_miss() {
    let server = MemcachedServer::start();
    let cache = cache_on(&server);
    store(&cache, "stale.html", SOURCE, b"old code");
    assert_eq!(load(&cache, "stale.html", "{{ changed }}"), None);
    assert!(load(&cache, "stale.html", SOURCE).is_some());
}

#[test]
fn entry_of_another_environment_is_a_miss() {
    use std::borrow::Cow;
    struct Engine2;
    impl bccache::Environment for Engine2 {
        fn fingerprint(&self) -> Cow<'_, [u8]> {
            Cow::Borrowed(b"engine 2")
        }
    }
    let server = MemcachedServer::start();
    let cache = cache_on(&server);
    store(&cache, "env.html", SOURCE, b"engine 1 code");
    let bucket = cache
        .get_bucket(&Engine2, "env.html", None, SOURCE)
        .expect("get_bucket");
    assert_eq!(bucket.code, None);
}

#[test]
fn absent_entry_is_a_miss() {
    let server = MemcachedServer::start();
    assert_eq!(
        load(&strict_cache_on(&server), "never-stored.html", SOURCE),
        None
    );
}

#[test]
fn errors_on_get_and_set_are_swallowed_when_ignored() {
    let mut server = MemcachedServer::start();
    let cache = cache_on(&server);
    store(&cache, "a.html", SOURCE, b"code");
    server.stop();

    let mut bucket = cache
        .get_bucket(&(), "a.html", None, SOURCE)
        .expect("a get error is a miss");
    assert_eq!(bucket.code, None);
    bucket.code = Some(b"code".to_vec());
    cache.set_bucket(&bucket).expect("a set error is dropped");
}

#[test]
fn errors_on_get_and_set_are_returned_when_not_ignored() {
    let mut server = MemcachedServer::start();
    let cache = strict_cache_on(&server);
    let key = store(&cache, "a.html", SOURCE, b"code");
    server.stop();

    let error = cache
        .get_bucket(&(), "a.html", None, SOURCE)
        .expect_err("a get error comes back");
    match &error {
        Error::Memcached {
            operation, key: k, ..
        } => {
            assert_eq!(*operation, "get");
            assert_eq!(*k, format!("{DEFAULT_PREFIX}{key}"));
        }
        other => panic!("unexpected error: {other}"),
    }
    let text = error_chain(&error);
    assert!(
        text.contains(&format!("127.0.0.1:{}", server.port())),
        "the error names the server: {text}"
    );

    let mut bucket = bccache::Bucket::new(&(), key.clone(), cache.get_source_checksum(SOURCE));
    bucket.code = Some(b"code".to_vec());
    let error = cache
        .set_bucket(&bucket)
        .expect_err("a set error comes back");
    assert!(
        matches!(&error, Error::Memcached { operation: "set", key: k, .. } if k.ends_with(&key)),
        "unexpected error: {error}"
    );
}

#[test]
fn two_mib_value_round_trips_on_a_server_with_a_larger_item_size() {
    let server = MemcachedServer::start_with(&["-I", "4m"]);
    let cache = strict_cache_on(&server);
    let code: Vec<u8> = (0..2 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    store(&cache, "big.html", SOURCE, &code);
    assert_eq!(load(&cache, "big.html", SOURCE), Some(code));
}

#[test]
fn value_over_the_item_size_is_an_error_when_not_ignored() {
    let server = MemcachedServer::start_with(&["-I", "1m"]);
    let code = vec![7u8; 2 * 1024 * 1024];

    // Told that items of 4 MiB fit, the store sends the entry whole and the server refuses it.
    let strict = MemcachedBytecodeCache::builder()
        .server(server.url())
        .max_item_size(4 * 1024 * 1024)
        .ignore_memcache_errors(false)
        .build()
        .expect("build");
    let mut bucket = strict
        .get_bucket(&(), "huge.html", None, SOURCE)
        .expect("get_bucket");
    bucket.code = Some(code.clone());
    let error = strict
        .set_bucket(&bucket)
        .expect_err("a value over the item size is an error");
    assert!(
        matches!(
            error,
            Error::Memcached {
                operation: "set",
                ..
            }
        ),
        "unexpected error: {error}"
    );
    assert!(
        error_chain(&error).contains("`-I`"),
        "{}",
        error_chain(&error)
    );
    assert_eq!(load(&strict, "huge.html", SOURCE), None);

    // Ignored, it is dropped; either way the connection stays usable.
    let lenient = MemcachedBytecodeCache::builder()
        .server(server.url())
        .max_item_size(4 * 1024 * 1024)
        .build()
        .expect("build");
    lenient.set_bucket(&bucket).expect("dropped when ignored");
    store(&strict, "small.html", SOURCE, b"small");
    assert_eq!(
        load(&strict, "small.html", SOURCE).as_deref(),
        Some(&b"small"[..])
    );
}

#[test]
fn cluster_spreads_keys_and_a_dead_member_only_costs_its_keys() {
    let mut servers: Vec<MemcachedServer> = (0..3).map(|_| MemcachedServer::start()).collect();
    let mut builder = MemcachedBytecodeCache::builder();
    for server in &servers {
        builder = builder.server(server.url());
    }
    let cache = builder.build().expect("build");
    assert_eq!(cache.servers().len(), 3);

    let names: Vec<String> = (0..60).map(|i| format!("page-{i}.html")).collect();
    let mut home = Vec::new();
    for name in &names {
        let key = store(&cache, name, SOURCE, name.as_bytes());
        let full = format!("{DEFAULT_PREFIX}{key}");
        let holders: Vec<usize> = (0..3)
            .filter(|&i| servers[i].raw_get(&full).is_some())
            .collect();
        assert_eq!(holders.len(), 1, "{name} is on exactly one server");
        home.push(holders[0]);
    }
    for i in 0..3 {
        let count = home.iter().filter(|&&h| h == i).count();
        assert!(count >= 5, "server {i} holds only {count} of 60 keys");
    }

    servers[1].stop();
    for (name, &h) in names.iter().zip(&home) {
        let code = load(&cache, name, SOURCE);
        if h == 1 {
            assert_eq!(code, None, "{name} lives on the dead server: a miss");
        } else {
            assert_eq!(code.as_deref(), Some(name.as_bytes()), "{name} still hits");
        }
    }

    servers[1].restart();
    // The dead member is skipped for about a second after its refused connection.
    let deadline = Instant::now() + Duration::from_secs(10);
    let on_restarted: Vec<&String> = names
        .iter()
        .zip(&home)
        .filter(|&(_, &h)| h == 1)
        .map(|(name, _)| name)
        .collect();
    loop {
        for name in &on_restarted {
            if load(&cache, name, SOURCE).is_none() {
                store(&cache, name, SOURCE, name.as_bytes());
            }
        }
        let hits = on_restarted
            .iter()
            .filter(|name| load(&cache, name, SOURCE).as_deref() == Some(name.as_bytes()))
            .count();
        if hits == on_restarted.len() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "hits did not resume on the restarted server within 10 s ({hits} of {})",
            on_restarted.len()
        );
        thread::sleep(Duration::from_millis(100));
    }
    for (name, &h) in names.iter().zip(&home) {
        if h != 1 {
            assert_eq!(load(&cache, name, SOURCE).as_deref(), Some(name.as_bytes()));
        }
    }
}

#[test]
fn build_contacts_no_server_until_first_use() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("local addr").port();
    listener.set_nonblocking(true).expect("nonblocking");
    let cache =
        MemcachedBytecodeCache::connect(&format!("memcache://127.0.0.1:{port}?timeout=0.1"))
            .expect("build");
    thread::sleep(Duration::from_millis(200));
    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "build() connected to the server"
    );
    // First use connects (and, with nobody answering, times out into a miss).
    assert_eq!(load(&cache, "first.html", SOURCE), None);
    assert!(listener.accept().is_ok(), "first use did not connect");
}

#[test]
fn one_connection_serves_many_requests() {
    let server = MemcachedServer::start();
    let cache = cache_on(&server);
    // Let the harness's readiness probes be counted first.
    thread::sleep(Duration::from_millis(100));
    let before = server.stat("total_connections").expect("stats");
    store(&cache, "reuse.html", SOURCE, b"code");
    for _ in 0..50 {
        assert!(load(&cache, "reuse.html", SOURCE).is_some());
    }
    // One connection for the cache, one for this `stats`.
    assert_eq!(server.stat("total_connections"), Some(before + 2));
}

#[test]
fn build_refuses_bad_prefixes_naming_them() {
    let long = "p".repeat(211);
    for prefix in [
        long.as_str(),
        "has space/",
        "tab\there/",
        "nul\0/",
        "new\nline/",
    ] {
        let error = MemcachedBytecodeCache::builder()
            .server("memcache://127.0.0.1:11211")
            .prefix(prefix)
            .build()
            .expect_err("a bad prefix is refused");
        match &error {
            Error::InvalidPrefix { prefix: p, .. } => assert_eq!(p, prefix),
            other => panic!("unexpected error: {other}"),
        }
        assert!(error.to_string().contains(prefix), "{error}");
    }
    let longest = "p".repeat(210);
    MemcachedBytecodeCache::builder()
        .server("memcache://127.0.0.1:11211")
        .prefix(longest)
        .build()
        .expect("210 bytes is allowed");
}

#[test]
fn build_refuses_a_timeout_of_zero_or_over_thirty_days() {
    for timeout in [0, 2_592_001, u32::MAX] {
        let error = MemcachedBytecodeCache::builder()
            .server("memcache://127.0.0.1:11211")
            .timeout(timeout)
            .build()
            .expect_err("a bad timeout is refused");
        assert!(
            matches!(error, Error::InvalidTimeout { timeout: t, .. } if t == u64::from(timeout)),
            "unexpected error: {error}"
        );
        assert!(error.to_string().contains(&timeout.to_string()), "{error}");
    }
    MemcachedBytecodeCache::builder()
        .server("memcache://127.0.0.1:11211")
        .timeout(2_592_000)
        .build()
        .expect("30 days is allowed");
}

#[test]
fn build_refuses_bad_server_urls_naming_them() {
    for url in [
        "127.0.0.1:11211",
        "redis://127.0.0.1:6379",
        "memcache://h:1?timeout=x",
        // `memcache+tcp` is TCP even without a host: it would fail on every request.
        "memcache+tcp:///run/memcached/memcached.sock",
    ] {
        let error = MemcachedBytecodeCache::connect(url).expect_err("a bad URL is refused");
        assert!(
            matches!(error, Error::InvalidServer { .. }),
            "unexpected error: {error}"
        );
        let host = url.split("://").last().unwrap_or(url);
        assert!(
            error
                .to_string()
                .contains(host.split('?').next().unwrap_or(host)),
            "{error}"
        );
    }
}

#[test]
fn build_needs_exactly_one_of_servers_or_client() {
    assert!(matches!(
        MemcachedBytecodeCache::builder().build(),
        Err(Error::NoServer)
    ));
    let client =
        memcache::Client::with_pool(memcache::Pool::builder().min_idle(Some(0)).build_unchecked(
            memcache::ConnectionManager::new(
                memcache::Url::parse("memcache://127.0.0.1:1").expect("url"),
            ),
        ))
        .expect("client");
    let error = MemcachedBytecodeCache::builder()
        .server("memcache://127.0.0.1:11211")
        .client(client)
        .build()
        .expect_err("both is refused");
    assert!(
        matches!(error, Error::InvalidServer { .. }),
        "unexpected error: {error}"
    );
}

#[test]
fn clear_is_a_no_op() {
    let server = MemcachedServer::start();
    let cache = cache_on(&server);
    store(&cache, "kept.html", SOURCE, b"code");
    cache.clear().expect("clear");
    assert!(load(&cache, "kept.html", SOURCE).is_some());
}

#[test]
fn bucket_key_memcached_cannot_store_is_an_error_not_a_request() {
    let server = MemcachedServer::start();
    let cache = strict_cache_on(&server);
    let mut bucket = bccache::Bucket::new(&(), "two words", "checksum");
    let error = cache
        .load_bytecode(&mut bucket)
        .expect_err("a key with a space is refused");
    assert!(
        matches!(&error, Error::Memcached { operation: "get", key, .. } if key.ends_with("two words")),
        "unexpected error: {error}"
    );
    bucket.code = Some(b"code".to_vec());
    assert!(cache.dump_bytecode(&bucket).is_err());
    let lenient = cache_on(&server);
    lenient
        .load_bytecode(&mut bucket)
        .expect("ignored, it is a miss");
    assert_eq!(bucket.code, None);
}

#[test]
fn ascii_protocol_url_round_trips() {
    let server = MemcachedServer::start();
    let cache = MemcachedBytecodeCache::builder()
        .server(format!("{}?protocol=ascii", server.url()))
        .ignore_memcache_errors(false)
        .build()
        .expect("build");
    let key = store(&cache, "ascii.html", SOURCE, b"ascii code");
    assert!(server.raw_get(&format!("{DEFAULT_PREFIX}{key}")).is_some());
    assert_eq!(
        load(&cache, "ascii.html", SOURCE).as_deref(),
        Some(&b"ascii code"[..])
    );
}

#[test]
fn concurrent_loads_all_hit_over_a_bounded_number_of_connections() {
    let server = MemcachedServer::start();
    let cache = Arc::new(cache_on(&server));
    let names: Vec<String> = (0..20).map(|i| format!("shared-{i}.html")).collect();
    for name in &names {
        store(&*cache, name, SOURCE, name.as_bytes());
    }
    thread::sleep(Duration::from_millis(100));
    let before = server.stat("total_connections").expect("stats");
    let threads: Vec<_> = (0..16)
        .map(|t| {
            let cache = Arc::clone(&cache);
            let names = names.clone();
            thread::spawn(move || {
                for round in 0..50 {
                    let name = &names[(t + round) % names.len()];
                    assert_eq!(
                        load(&*cache, name, SOURCE).as_deref(),
                        Some(name.as_bytes()),
                        "thread {t} round {round}"
                    );
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a loading thread panicked");
    }
    let opened = server.stat("total_connections").expect("stats") - before;
    // At most 8 connections per server, plus this `stats` one.
    assert!(opened <= 9, "16 threads opened {opened} connections");
}
