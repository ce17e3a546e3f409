//! The real `bccache` binary on an `https://` cache: a real nginx serving WebDAV over TLS with
//! a certificate from a CA the test makes, trusted through `SSL_CERT_FILE` as curl and OpenSSL
//! users set it, and refused without it.

#[path = "../../tests/support/nginx.rs"]
#[allow(dead_code)]
mod nginx;
#[path = "../../tests/support/tls.rs"]
#[allow(dead_code)]
mod tls;

use std::process::{Command, Output};

use bccache::{BytecodeCache, HttpBytecodeCache, HttpLayout};

fn bccache(args: &[&str], ca: Option<&std::path::Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bccache"));
    command
        .args(args)
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR");
    if let Some(ca) = ca {
        command.env("SSL_CERT_FILE", ca);
    }
    command.output().expect("run the bccache binary")
}

#[test]
fn stats_and_clear_an_https_cache_trusted_through_ssl_cert_file() {
    let ca = tls::TestCa::new("bccache test CA");
    let cert = ca.issue("server", &["127.0.0.1"]);
    let nginx = nginx::Nginx::start_tls(&cert.cert, &cert.key);
    let url = nginx.url("/cli/");
    let cache = HttpBytecodeCache::builder()
        .url(&url)
        .layout(HttpLayout::Flat)
        .ca_file(ca.ca_file())
        .ignore_errors(false)
        .build()
        .expect("valid");
    for n in 0..3 {
        let mut bucket = cache
            .get_bucket(&(), &format!("t{n}.html"), None, "source")
            .expect("load");
        bucket.code = Some(vec![n; 500]);
        cache.set_bucket(&bucket).expect("store");
    }
    let location = format!("{url}?layout=flat");

    // Without the CA the server is not trusted: a clear error, exit 2, nothing removed.
    let refused = bccache(&["clear", &location], None);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("certificate"), "{stderr}");
    assert_eq!(nginx.files().len(), 3);

    let ca_file = ca.ca_file();
    let stats = bccache(&["stats", &location, "--json"], Some(&ca_file));
    assert_eq!(
        stats.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&stats.stderr)
    );
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).expect("JSON");
    assert_eq!(stats["patterns"][0]["entries"], 3);

    let cleared = bccache(&["clear", &location], Some(&ca_file));
    assert_eq!(
        cleared.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&cleared.stderr)
    );
    assert_eq!(nginx.files(), Vec::<String>::new());
}
