//! `https://` for the object stores (feature `https`): a real nginx serving TLS with a
//! certificate from a CA the test makes, and moto's S3 server behind a real nginx terminating
//! TLS. Trust is checked: another CA's certificate, a certificate for another name and a
//! server that never finishes its handshake are errors (misses while errors are ignored),
//! never a hit.

mod support;

use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use bccache::{BytecodeCache, HttpBytecodeCache, HttpLayout, S3BytecodeCache};
use support::fs::{load, store_key};
use support::memcached::{error_chain, within};
use support::nginx::Nginx;
use support::s3::{BUCKET, MotoS3};
use support::tls::TestCa;

const SOURCE: &str = "return 'over tls'";

fn https_cache(url: &str, ca_file: &Path, ignore_errors: bool) -> HttpBytecodeCache {
    HttpBytecodeCache::builder()
        .url(url)
        .layout(HttpLayout::Subdirs)
        .ca_file(ca_file)
        .timeout(Duration::from_secs(2))
        .ignore_errors(ignore_errors)
        .build()
        .expect("valid settings")
}

/// The error a load gets, as one line with its sources.
fn load_error(cache: &dyn BytecodeCache) -> String {
    let error = cache
        .get_bucket(&(), "a.lua", None, SOURCE)
        .expect_err("the server must not be trusted");
    error_chain(&error)
}

#[test]
fn an_https_server_whose_ca_is_trusted_round_trips_entries() {
    let ca = TestCa::new("bccache test CA");
    let cert = ca.issue("server", &["127.0.0.1", "localhost"]);
    let nginx = Nginx::start_tls(&cert.cert, &cert.key);
    let url = nginx.url("/tls/");
    assert!(url.starts_with("https://"), "{url}");
    let cache = https_cache(&url, &ca.ca_file(), false);

    assert_eq!(load(&cache, "a.lua", SOURCE), None);
    let key = store_key(&cache, "a.lua", SOURCE, b"compiled over tls");
    assert_eq!(
        load(&cache, "a.lua", SOURCE).as_deref(),
        Some(&b"compiled over tls"[..])
    );
    let path = format!("tls/{}/{}", &key[..2], &key[2..]);
    assert_eq!(nginx.files(), vec![path.clone()]);
    let bytes = std::fs::read(nginx.root().join(&path)).expect("the entry's file");
    assert!(bytes.starts_with(bccache::BC_MAGIC));

    // A big entry crosses many TLS records both ways.
    let big: Vec<u8> = (0..3_000_000u32).map(|n| (n % 251) as u8).collect();
    store_key(&cache, "big.lua", SOURCE, &big);
    assert_eq!(load(&cache, "big.lua", SOURCE), Some(big));

    // Many requests on one kept-open session: one handshake, not fifty.
    let before = nginx.requests().len();
    for _ in 0..50 {
        assert!(load(&cache, "a.lua", SOURCE).is_some());
    }
    let served = nginx.requests_since(before, |served| served.len() >= 50);
    let connections: std::collections::BTreeSet<u64> =
        served.iter().map(|served| served.connection).collect();
    assert_eq!(served.len(), 50);
    assert_eq!(connections.len(), 1, "{served:?}");
    let stats = cache.stats().expect("counts");
    assert_eq!((stats.hits, stats.stores, stats.errors), (52, 2, 0));
}

#[test]
fn a_server_offering_only_tls_1_2_round_trips_entries() {
    let ca = TestCa::new("bccache test CA");
    let cert = ca.issue("server", &["127.0.0.1"]);
    let nginx = Nginx::start_tls_only(&cert.cert, &cert.key, "TLSv1.2");
    let cache = https_cache(&nginx.url("/tls12/"), &ca.ca_file(), false);
    store_key(&cache, "a.lua", SOURCE, b"over tls 1.2");
    assert_eq!(
        load(&cache, "a.lua", SOURCE).as_deref(),
        Some(&b"over tls 1.2"[..])
    );
    // A server offering only what rustls refuses (TLS 1.1) is an error, not a hit.
    let old = Nginx::start_tls_only(&cert.cert, &cert.key, "TLSv1.1");
    let error = load_error(&https_cache(&old.url("/"), &ca.ca_file(), false));
    assert!(error.contains("ProtocolVersion"), "{error}");
}

#[test]
fn a_certificate_from_another_ca_is_refused() {
    let server_ca = TestCa::new("the server's CA");
    let other_ca = TestCa::new("a CA the client trusts");
    let cert = server_ca.issue("server", &["127.0.0.1"]);
    let nginx = Nginx::start_tls(&cert.cert, &cert.key);
    let url = nginx.url("/");

    let strict = https_cache(&url, &other_ca.ca_file(), false);
    let error = load_error(&strict);
    assert!(error.contains("certificate"), "{error}");

    // Ignoring errors: a miss, and a dump sends nothing.
    let lenient = https_cache(&url, &other_ca.ca_file(), true);
    let mut bucket = lenient
        .get_bucket(&(), "a.lua", None, SOURCE)
        .expect("a miss while errors are ignored");
    assert_eq!(bucket.code, None);
    bucket.code = Some(b"never sent".to_vec());
    lenient.set_bucket(&bucket).expect("a dropped store");
    assert_eq!(nginx.files(), Vec::<String>::new());
    assert!(lenient.stats().expect("counts").errors >= 2);
}

#[test]
fn a_certificate_for_another_name_is_refused() {
    let ca = TestCa::new("bccache test CA");
    let cert = ca.issue("elsewhere", &["cache.example.invalid"]);
    let nginx = Nginx::start_tls(&cert.cert, &cert.key);
    let cache = https_cache(&nginx.url("/"), &ca.ca_file(), false);
    let error = load_error(&cache);
    assert!(error.contains("certificate"), "{error}");
}

#[test]
fn the_platform_roots_do_not_trust_a_private_ca() {
    let ca = TestCa::new("bccache test CA");
    let cert = ca.issue("server", &["127.0.0.1"]);
    let nginx = Nginx::start_tls(&cert.cert, &cert.key);
    // No `ca_file`: the platform's roots (or SSL_CERT_FILE's), which never hold this CA.
    let built = HttpBytecodeCache::builder()
        .url(nginx.url("/"))
        .ignore_errors(false)
        .build();
    match built {
        // A machine with no CA bundle at all cannot build a TLS client: also no trust.
        Err(error) => assert!(error_chain(&error).contains("root"), "{error}"),
        Ok(cache) => {
            let error = load_error(&cache);
            assert!(error.contains("certificate"), "{error}");
        }
    }
}

#[test]
fn a_ca_file_with_no_certificate_is_an_invalid_setting() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").expect("write");
    for path in [empty, dir.path().join("missing.pem")] {
        let error = HttpBytecodeCache::builder()
            .url("https://127.0.0.1:1/")
            .ca_file(&path)
            .build()
            .expect_err("no root to trust");
        assert!(
            matches!(
                error,
                bccache::Error::InvalidSetting {
                    setting: "ca_file",
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(error.to_string().contains("ca_file"), "{error}");
    }
}

#[test]
fn a_plain_http_server_behind_an_https_url_is_an_error_not_a_hang() {
    let ca = TestCa::new("bccache test CA");
    let nginx = Nginx::start();
    let url = nginx.url("/").replacen("http://", "https://", 1);
    let (error, took) = within(Duration::from_secs(10), move || {
        load_error(&https_cache(&url, &ca.ca_file(), false))
    });
    assert!(took < Duration::from_secs(3), "{took:?}: {error}");
}

#[test]
fn a_server_that_never_finishes_its_handshake_times_out() {
    let ca = TestCa::new("bccache test CA");
    // The kernel accepts the connection; nothing ever answers the ClientHello.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let ca_file = ca.ca_file();
    let (error, took) = within(Duration::from_secs(10), move || {
        let cache = HttpBytecodeCache::builder()
            .url(format!("https://127.0.0.1:{port}/"))
            .ca_file(&ca_file)
            .timeout(Duration::from_millis(300))
            .ignore_errors(false)
            .build()
            .expect("valid settings");
        load_error(&cache)
    });
    drop(listener);
    assert!(took < Duration::from_millis(1_300), "{took:?}: {error}");
    assert!(
        error.contains("timed out") || error.contains("handshake"),
        "{error}"
    );
}

#[test]
fn an_async_load_over_https_is_a_hit() {
    let ca = TestCa::new("bccache test CA");
    let cert = ca.issue("server", &["127.0.0.1"]);
    let nginx = Nginx::start_tls(&cert.cert, &cert.key);
    let cache = https_cache(&nginx.url("/async/"), &ca.ca_file(), false);
    store_key(&cache, "a.lua", SOURCE, b"async over tls");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let code = runtime.block_on(async {
        let bucket = bccache::AsyncBytecodeCache::get_bucket(&cache, &(), "a.lua", None, SOURCE)
            .await
            .expect("a hit");
        bucket.code
    });
    assert_eq!(code.as_deref(), Some(&b"async over tls"[..]));
}

/// moto's S3 server on plain HTTP, and a real nginx terminating TLS in front of it.
fn s3_over_tls() -> (MotoS3, Nginx, TestCa) {
    let moto = MotoS3::start();
    let upstream: u16 = moto
        .endpoint()
        .rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .expect("moto's port");
    let ca = TestCa::new("bccache test CA");
    let cert = ca.issue("proxy", &["127.0.0.1"]);
    let proxy = Nginx::start_tls_proxy(&cert.cert, &cert.key, upstream);
    (moto, proxy, ca)
}

fn s3_cache(endpoint: &str, access: &str, secret: &str, ca: &TestCa) -> S3BytecodeCache {
    S3BytecodeCache::builder()
        .bucket(BUCKET)
        .prefix("tls-")
        .endpoint(endpoint)
        .region("us-east-1")
        .credentials(access, secret)
        .ca_file(ca.ca_file())
        .ignore_errors(false)
        .build()
        .expect("valid settings")
}

#[test]
fn s3_over_https_signs_and_round_trips() {
    let (moto, proxy, ca) = s3_over_tls();
    let endpoint = proxy.url("");
    assert!(endpoint.starts_with("https://"), "{endpoint}");
    let cache = s3_cache(&endpoint, &moto.access_key, &moto.secret_key, &ca);
    assert_eq!(load(&cache, "a.lua", SOURCE), None);
    let key = store_key(&cache, "a.lua", SOURCE, b"signed over tls");
    assert_eq!(
        load(&cache, "a.lua", SOURCE).as_deref(),
        Some(&b"signed over tls"[..])
    );
    let objects = moto.objects(BUCKET);
    assert!(
        objects
            .iter()
            .any(|(name, _)| *name == format!("tls-{key}")),
        "{objects:?}"
    );

    // The signature covers the Host the client sent through the proxy: a wrong secret is
    // still refused.
    let forged = s3_cache(&endpoint, &moto.access_key, "not-the-secret", &ca);
    let error = load_error(&forged);
    assert!(
        error.contains("403") || error.contains("Signature"),
        "{error}"
    );
}

/// A derived cache with an `https://` tier (its roots the platform's): a server that is not
/// there is a miss behind the memory tier, never an error.
#[derive(bccache::BytecodeCache)]
#[cache(memory = "1 MiB", http = "https://127.0.0.1:9/derived/")]
struct DerivedWithHttps;

#[test]
fn a_derived_cache_takes_an_https_tier() {
    let cache = DerivedWithHttps;
    assert_eq!(load(&cache, "a.lua", SOURCE), None);
    support::fs::store(&cache, "a.lua", SOURCE, b"derived").expect("a failed store is dropped");
    assert_eq!(
        load(&cache, "a.lua", SOURCE).as_deref(),
        Some(&b"derived"[..])
    );
}
