//! Object-store hits through `get_bucket` against their floors, on loopback: an HTTP hit
//! (nginx) against a raw keep-alive `GET` of the same bytes, and an S3 hit (moto's server,
//! signatures checked) against a raw `GET` signed with the same signer crate (aws-sigv4).
//!
//! The raw requests are the least a client can do: one request written to a kept-open
//! `TcpStream` (TCP_NODELAY), the head read up to its blank line, the body read by its
//! `Content-Length`. The bench starts its own servers (see `tests/support/{nginx,s3}.rs`).
//! `cargo bench --bench remote --features http,s3`; medians are in
//! `target/criterion/remote_*/*/new/estimates.json`.

#[path = "../tests/support/nginx.rs"]
#[allow(dead_code)]
mod nginx;
#[path = "support/payload.rs"]
mod payload;
#[path = "../tests/support/s3.rs"]
#[allow(dead_code)]
mod s3;

use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use bccache::{BytecodeCache, Checksum, HttpBytecodeCache, HttpLayout, S3BytecodeCache};
use criterion::{Criterion, criterion_group, criterion_main};
use payload::{fake_code, template_source};

const SOURCE_LEN: usize = 20 * 1024;
const CODE_LEN: usize = 64 * 1024;

/// A kept-open connection that sends a GET and reads its body by `Content-Length`, and
/// connects again after a `Connection: close` (moto's server closes after each response).
struct RawGet {
    port: u16,
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl RawGet {
    fn connect(port: u16) -> Self {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        RawGet {
            port,
            writer: stream.try_clone().expect("clone"),
            reader: BufReader::with_capacity(64 * 1024, stream),
        }
    }

    fn get(&mut self, path: &str, host: &str, headers: &[(String, String)]) -> Vec<u8> {
        let mut request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n");
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        self.writer.write_all(request.as_bytes()).expect("send");
        let mut len = 0usize;
        let mut close = false;
        let mut line = String::new();
        loop {
            line.clear();
            let read = self.reader.read_line(&mut line).expect("head");
            assert!(read > 0, "the server closed the connection mid-head");
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    len = value.trim().parse().expect("length");
                } else if name.eq_ignore_ascii_case("connection") {
                    close = value.trim().eq_ignore_ascii_case("close");
                }
            }
            close |= line.starts_with("HTTP/1.0");
        }
        let mut body = vec![0; len];
        self.reader.read_exact(&mut body).expect("body");
        if close {
            *self = RawGet::connect(self.port);
        }
        body
    }
}

fn store(cache: &dyn BytecodeCache, name: &str, source: &str) -> String {
    let mut bucket = cache.get_bucket(&(), name, None, source).expect("bucket");
    bucket.code = Some(fake_code(CODE_LEN as u64, CODE_LEN));
    cache.set_bucket(&bucket).expect("store");
    bucket.key
}

fn bench_http_hit(c: &mut Criterion) {
    let nginx = nginx::Nginx::start();
    let source = template_source(0, SOURCE_LEN);
    let mut group = c.benchmark_group("remote_http_hit_20KB_source_64KB_code");
    for checksum in [Checksum::Sha1, Checksum::Xxh3_128] {
        let cache = HttpBytecodeCache::builder()
            .url(nginx.url("/bench/"))
            .layout(HttpLayout::Flat)
            .checksum(checksum)
            .ignore_errors(false)
            .build()
            .expect("cache");
        let name = format!("page-{checksum:?}.html");
        let key = store(&cache, &name, &source);
        group.bench_function(format!("hit_{checksum:?}"), |b| {
            b.iter(|| {
                let bucket = cache.get_bucket(&(), &name, None, &source).expect("hit");
                black_box(bucket.code.expect("code").len())
            })
        });
        let mut raw = RawGet::connect(nginx.port());
        let host = format!("127.0.0.1:{}", nginx.port());
        let path = format!("/bench/{key}");
        assert!(raw.get(&path, &host, &[]).len() > CODE_LEN);
        group.bench_function(format!("raw_get_{checksum:?}"), |b| {
            b.iter(|| black_box(raw.get(&path, &host, &[]).len()))
        });
    }
    group.finish();
}

fn signed_headers(moto: &s3::MotoS3, host: &str, path: &str) -> Vec<(String, String)> {
    let identity = Credentials::new(&moto.access_key, &moto.secret_key, None, None, "bench").into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("s3")
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .expect("params")
        .into();
    let uri = format!("http://{host}{path}");
    let request = SignableRequest::new(
        "GET",
        &uri,
        std::iter::empty(),
        SignableBody::UnsignedPayload,
    )
    .expect("signable");
    let (instructions, _) = sign(request, &params).expect("sign").into_parts();
    instructions
        .headers()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

fn bench_s3_hit(c: &mut Criterion) {
    let moto = s3::MotoS3::start();
    let source = template_source(1, SOURCE_LEN);
    let cache = S3BytecodeCache::builder()
        .bucket(s3::BUCKET)
        .prefix("bench-")
        .endpoint(moto.endpoint())
        .region("us-east-1")
        .credentials(&moto.access_key, &moto.secret_key)
        .checksum(Checksum::Xxh3_128)
        .ignore_errors(false)
        .build()
        .expect("cache");
    let key = store(&cache, "page.html", &source);
    let mut group = c.benchmark_group("remote_s3_hit_20KB_source_64KB_code");
    group.sample_size(30);
    group.bench_function("hit_Xxh3_128", |b| {
        b.iter(|| {
            let bucket = cache
                .get_bucket(&(), "page.html", None, &source)
                .expect("hit");
            black_box(bucket.code.expect("code").len())
        })
    });
    let port: u16 = moto
        .endpoint()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let host = format!("127.0.0.1:{port}");
    let path = format!("/{}/bench-{key}", s3::BUCKET);
    let mut raw = RawGet::connect(port);
    assert!(
        raw.get(&path, &host, &signed_headers(&moto, &host, &path))
            .len()
            > CODE_LEN
    );
    group.bench_function("raw_signed_get", |b| {
        b.iter(|| {
            let headers = signed_headers(&moto, &host, &path);
            black_box(raw.get(&path, &host, &headers).len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench_http_hit, bench_s3_hit);
criterion_main!(benches);
