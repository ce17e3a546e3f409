//! What TLS costs the HTTP store, on loopback against one nginx build: a hit on a kept-open
//! connection over `http://` and over `https://` (the same 64 KB entry), the `https://` hit's
//! floor (a raw `GET` of the same object on a kept-open rustls session with the same
//! configuration: the request written, the head read to its blank line, the body by its
//! `Content-Length`), and a first hit from a cache just built (a short-lived process's:
//! connect, for `https://` the handshake, then the `GET`).
//!
//! The bench starts its own two nginx servers and a CA (see `tests/support/{nginx,tls}.rs`).
//! `cargo bench --bench https --features https`; medians are in
//! `target/criterion/https_*/*/new/estimates.json`.

#[path = "../tests/support/nginx.rs"]
#[allow(dead_code)]
mod nginx;
#[path = "support/payload.rs"]
mod payload;
#[path = "../tests/support/tls.rs"]
#[allow(dead_code)]
mod tls;

use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;

use bccache::{BytecodeCache, Checksum, HttpBytecodeCache, HttpLayout};
use criterion::{Criterion, criterion_group, criterion_main};
use payload::{fake_code, template_source};

const SOURCE_LEN: usize = 20 * 1024;
const CODE_LEN: usize = 64 * 1024;

fn cache(url: &str, ca_file: &Path) -> HttpBytecodeCache {
    HttpBytecodeCache::builder()
        .url(url)
        .layout(HttpLayout::Flat)
        .checksum(Checksum::Xxh3_128)
        .ca_file(ca_file)
        .ignore_errors(false)
        .build()
        .expect("valid settings")
}

fn hit(cache: &HttpBytecodeCache, source: &str) -> usize {
    let bucket = cache
        .get_bucket(&(), "bench.html", None, source)
        .expect("a hit");
    bucket.code.expect("a hit").len()
}

/// A kept-open rustls session sending `GET`s, trusting `ca_file` alone.
fn raw_tls_get(port: u16, ca_file: &Path) -> impl FnMut(&str) -> usize + use<> {
    let mut roots = rustls::RootCertStore::empty();
    let pem = std::fs::read(ca_file).expect("the CA file");
    for cert in rustls_pki_types::pem::PemObject::pem_slice_iter(&pem) {
        let cert: rustls_pki_types::CertificateDer<'static> = cert.expect("a certificate");
        roots.add(cert).expect("a root");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocols")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").expect("a name");
    let session = rustls::ClientConnection::new(Arc::new(config), name).expect("a session");
    let socket = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    socket.set_nodelay(true).expect("nodelay");
    let mut stream = BufReader::with_capacity(64 * 1024, rustls::StreamOwned::new(session, socket));
    let host = format!("127.0.0.1:{port}");
    move |path: &str| {
        let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n");
        stream
            .get_mut()
            .write_all(request.as_bytes())
            .expect("send");
        stream.get_mut().flush().expect("flush");
        let mut len = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            assert!(
                stream.read_line(&mut line).expect("head") > 0,
                "closed mid-head"
            );
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                len = value.trim().parse().expect("length");
            }
        }
        let mut body = vec![0; len];
        stream.read_exact(&mut body).expect("body");
        body.len()
    }
}

fn bench_https(c: &mut Criterion) {
    let ca = tls::TestCa::new("bench CA");
    let cert = ca.issue("server", &["127.0.0.1"]);
    let plain = nginx::Nginx::start();
    let secure = nginx::Nginx::start_tls(&cert.cert, &cert.key);
    let source = template_source(0, SOURCE_LEN);
    let code = fake_code(1, CODE_LEN);
    let urls = [("http", plain.url("/b/")), ("https", secure.url("/b/"))];
    for (_, url) in &urls {
        let cache = cache(url, &ca.ca_file());
        let mut bucket = cache
            .get_bucket(&(), "bench.html", None, &source)
            .expect("a miss");
        bucket.code = Some(code.clone());
        cache.set_bucket(&bucket).expect("store");
        assert_eq!(hit(&cache, &source), CODE_LEN);
    }

    let mut group = c.benchmark_group("https_hit");
    for (scheme, url) in &urls {
        let cache = cache(url, &ca.ca_file());
        hit(&cache, &source);
        group.bench_function(format!("{scheme}_64k"), |b| {
            b.iter(|| black_box(hit(&cache, &source)))
        });
    }
    let key = cache(&urls[1].1, &ca.ca_file())
        .get_bucket(&(), "bench.html", None, &source)
        .expect("a hit")
        .key;
    let path = format!("/b/{key}");
    let mut raw = raw_tls_get(secure.port(), &ca.ca_file());
    assert!(raw(&path) > CODE_LEN);
    group.bench_function("raw_tls_get_64k", |b| b.iter(|| black_box(raw(&path))));
    group.finish();

    let mut group = c.benchmark_group("https_first_hit");
    for (scheme, url) in &urls {
        group.bench_function(format!("{scheme}_64k"), |b| {
            b.iter(|| black_box(hit(&cache(url, &ca.ca_file()), &source)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_https);
criterion_main!(benches);
