//! `#[derive(BytecodeCache)]` on the memcached backend, against real memcached servers on
//! loopback: a derived cache stores exactly what the hand-built one does, and keeps its
//! connection across calls.

mod support;

use bccache::{BytecodeCache, Checksum, Error, MemcachedBytecodeCache};
use support::memcached::MemcachedServer;

const SOURCE: &str = "{% for item in items %}{{ item }}{% endfor %}";
const CODE: &[u8] = b"compiled loop template";

#[derive(BytecodeCache, serde::Deserialize)]
#[cache(memcached, ignore_errors = false)]
struct SharedConfig {
    #[cache(memcached)]
    servers: String,
    #[cache(prefix)]
    prefix: String,
    #[cache(timeout)]
    timeout: Option<u32>,
}

impl SharedConfig {
    fn new(servers: String, prefix: &str) -> Self {
        SharedConfig {
            servers,
            prefix: prefix.to_owned(),
            timeout: None,
        }
    }
}

fn hand_built(server: &MemcachedServer, prefix: &str) -> MemcachedBytecodeCache {
    MemcachedBytecodeCache::builder()
        .server(server.url())
        .prefix(prefix)
        .ignore_memcache_errors(false)
        .build()
        .expect("hand-built cache")
}

/// Stores `CODE` for `name` through `cache`, and returns the stored bucket's encoding and key.
fn store(cache: &dyn BytecodeCache, name: &str) -> (Vec<u8>, String) {
    let mut bucket = cache
        .get_bucket(&(), name, None, SOURCE)
        .expect("load a bucket");
    assert!(bucket.code.is_none(), "a fresh server misses");
    bucket.code = Some(CODE.to_vec());
    cache.set_bucket(&bucket).expect("store a bucket");
    (bucket.bytecode_to_string().expect("encode"), bucket.key)
}

fn load(cache: &dyn BytecodeCache, name: &str) -> Option<Vec<u8>> {
    cache
        .get_bucket(&(), name, None, SOURCE)
        .expect("load a bucket")
        .code
}

#[test]
fn derived_cache_stores_exactly_what_the_hand_built_cache_reads() {
    let server = MemcachedServer::start();
    let derived = SharedConfig::new(server.url(), "derive/");

    let (encoded, key) = store(&derived, "index.html");
    assert_eq!(
        server.raw_get(&format!("derive/{key}")),
        Some(encoded),
        "the value is the bucket's encoding under prefix + key"
    );
    assert_eq!(
        load(&hand_built(&server, "derive/"), "index.html").as_deref(),
        Some(CODE)
    );
}

#[test]
fn derived_cache_reads_what_the_hand_built_cache_stores() {
    let server = MemcachedServer::start();
    store(&hand_built(&server, "hand/"), "page.html");

    let derived = SharedConfig::new(server.url(), "hand/");
    assert_eq!(load(&derived, "page.html").as_deref(), Some(CODE));
    let other_prefix = SharedConfig::new(server.url(), "elsewhere/");
    assert_eq!(load(&other_prefix, "page.html"), None);
}

#[test]
fn derived_config_deserialized_from_toml_is_a_cache() {
    let server = MemcachedServer::start();
    let toml = format!(
        "servers = {:?}\nprefix = \"toml/\"\ntimeout = 600\n",
        server.url()
    );
    let config: SharedConfig = toml::from_str(&toml).expect("parse the config");
    assert_eq!(config.timeout, Some(600));

    let (encoded, key) = store(&config, "index.html");
    assert_eq!(server.raw_get(&format!("toml/{key}")), Some(encoded));
    assert_eq!(load(&config, "index.html").as_deref(), Some(CODE));
}

#[test]
fn derived_cache_keeps_its_connection_across_calls() {
    let server = MemcachedServer::start();
    let url = server.url();
    // Warm up: the first use opens the connection.
    store(&SharedConfig::new(url.clone(), "reuse/"), "warm-up.html");

    let before = server.stat("total_connections").expect("stats");
    for i in 0..50 {
        // A new value of the same configuration each time: the backend is looked up, not rebuilt.
        let config = SharedConfig::new(url.clone(), "reuse/");
        store(&config, &format!("page-{i}.html"));
        assert_eq!(
            load(&config, &format!("page-{i}.html")).as_deref(),
            Some(CODE)
        );
    }
    let after = server.stat("total_connections").expect("stats");
    // `stat` itself opens one connection; 100 requests on connections of their own would be 100.
    assert!(
        after - before <= 2,
        "{} connections were opened for 100 requests",
        after - before
    );
}

#[test]
fn comma_separated_servers_are_one_cluster() {
    let first = MemcachedServer::start();
    let second = MemcachedServer::start();
    let cluster = SharedConfig::new(format!("{}, {}", first.url(), second.url()), "cluster/");

    let mut on_first = 0;
    let mut on_second = 0;
    for i in 0..32 {
        let (encoded, key) = store(&cluster, &format!("page-{i}.html"));
        let key = format!("cluster/{key}");
        match (first.raw_get(&key), second.raw_get(&key)) {
            (Some(value), None) => {
                assert_eq!(value, encoded);
                on_first += 1;
            }
            (None, Some(value)) => {
                assert_eq!(value, encoded);
                on_second += 1;
            }
            other => panic!("`{key}` should be on exactly one server, found {other:?}"),
        }
    }
    assert!(
        on_first > 0 && on_second > 0,
        "keys spread over both servers ({on_first} and {on_second})"
    );
}

#[test]
fn timeout_from_a_field_is_checked_when_the_cache_is_used() {
    let server = MemcachedServer::start();
    let mut config = SharedConfig::new(server.url(), "timeout/");
    config.timeout = Some(0);
    let error = config
        .get_bucket(&(), "index.html", None, SOURCE)
        .expect_err("a zero timeout cannot build a backend");
    assert!(
        matches!(error, Error::InvalidTimeout { timeout: 0, .. }),
        "{error}"
    );

    config.timeout = Some(60);
    store(&config, "index.html");
    assert_eq!(load(&config, "index.html").as_deref(), Some(CODE));
}

/// Nothing listens on port 1 of loopback: every connection is refused.
#[derive(BytecodeCache)]
#[cache(memcached = "memcache://127.0.0.1:1", prefix = "down/", timeout = 60)]
struct UnreachableIgnored;

#[derive(BytecodeCache)]
#[cache(memcached = "memcache://127.0.0.1:1", ignore_errors = false)]
struct UnreachableStrict;

#[test]
fn literal_config_with_errors_ignored_turns_a_down_server_into_misses() {
    assert_eq!(load(&UnreachableIgnored, "index.html"), None);
    let mut bucket = UnreachableIgnored
        .get_bucket(&(), "index.html", None, SOURCE)
        .expect("a miss");
    bucket.code = Some(CODE.to_vec());
    UnreachableIgnored
        .set_bucket(&bucket)
        .expect("a failed store is dropped");
}

#[test]
fn literal_config_with_errors_not_ignored_reports_a_down_server() {
    let error = UnreachableStrict
        .get_bucket(&(), "index.html", None, SOURCE)
        .expect_err("a refused connection is an error");
    assert!(matches!(error, Error::Memcached { .. }), "{error}");
}

#[derive(BytecodeCache)]
#[cache(memcached, checksum = "xxh3", ignore_errors = false)]
struct Xxh3Config {
    #[cache(memcached)]
    servers: String,
    #[cache(prefix)]
    prefix: String,
}

#[test]
fn checksum_xxh3_stores_xxh3_entries_in_memcached() {
    let server = MemcachedServer::start();
    let derived = Xxh3Config {
        servers: server.url(),
        prefix: "xxh3/".to_owned(),
    };
    let (encoded, key) = store(&derived, "index.html");
    assert_eq!(server.raw_get(&format!("xxh3/{key}")), Some(encoded));

    let xxh3 = MemcachedBytecodeCache::builder()
        .server(server.url())
        .prefix("xxh3/")
        .checksum(Checksum::Xxh3_128)
        .build()
        .expect("hand-built cache");
    assert_eq!(load(&xxh3, "index.html").as_deref(), Some(CODE));
    assert_eq!(
        load(&hand_built(&server, "xxh3/"), "index.html"),
        None,
        "an xxh3 entry never hits under sha1"
    );
}

#[test]
fn entry_stored_under_sha1_misses_under_the_derived_xxh3_cache() {
    let server = MemcachedServer::start();
    store(&hand_built(&server, "sha1/"), "page.html");
    let derived = Xxh3Config {
        servers: server.url(),
        prefix: "sha1/".to_owned(),
    };
    assert_eq!(load(&derived, "page.html"), None);
    assert_eq!(
        load(&SharedConfig::new(server.url(), "sha1/"), "page.html").as_deref(),
        Some(CODE)
    );
}
