//! The real `bccache` binary on remote caches: nginx (WebDAV) and moto's S3 server (signatures
//! checked) on loopback, filled by the runtime crate.

#[path = "../../tests/support/hostile_server.rs"]
#[allow(dead_code)]
mod hostile_server;
#[path = "../../tests/support/nginx.rs"]
#[allow(dead_code)]
mod nginx;
#[path = "../../tests/support/s3.rs"]
#[allow(dead_code)]
mod s3;

use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use bccache::{BytecodeCache, HttpBytecodeCache, HttpLayout, S3BytecodeCache};
use serde_json::Value;

fn bccache(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bccache"))
        .args(args)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .envs(env.iter().copied())
        .output()
        .expect("run the bccache binary")
}

fn json(output: &Output) -> Value {
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn fill(cache: &dyn BytecodeCache, count: usize, code_len: usize) -> Vec<String> {
    (0..count)
        .map(|n| {
            let name = format!("t{n}.html");
            let mut bucket = cache.get_bucket(&(), &name, None, "source").expect("load");
            bucket.code = Some(vec![n as u8; code_len]);
            cache.set_bucket(&bucket).expect("store");
            bucket.key
        })
        .collect()
}

#[test]
fn stats_verify_prune_and_clear_an_http_cache() {
    let nginx = nginx::Nginx::start();
    let url = nginx.url("/cli/");
    let cache = HttpBytecodeCache::builder()
        .url(&url)
        .layout(HttpLayout::Flat)
        .ignore_errors(false)
        .build()
        .expect("valid");
    let keys = fill(&cache, 4, 1000);
    let location = format!("{url}?layout=flat");

    let stats = json(&bccache(&["stats", &location, "--json"], &[]));
    assert_eq!(stats["patterns"][0]["pattern"], "flat");
    assert_eq!(stats["patterns"][0]["entries"], 4);
    assert_eq!(stats["directory"], url.as_str());
    let table = bccache(&["stats", &location], &[]);
    assert!(String::from_utf8_lossy(&table.stdout).contains("flat"));

    // A corrupt entry: verify removes it and exits 1.
    let corrupt = nginx.root().join("cli").join(&keys[0]);
    let mut bytes = std::fs::read(&corrupt).expect("entry");
    let at = bytes.len() - 10;
    bytes[at] ^= 1;
    std::fs::write(&corrupt, bytes).expect("corrupt it");
    let output = bccache(&["verify", &location, "--json"], &[]);
    assert_eq!(output.status.code(), Some(1));
    let verify = json(&output);
    assert_eq!(verify["patterns"][0]["corrupt_removed"], 1);
    assert!(!corrupt.exists());

    // Backdate one entry: prune by age removes it alone.
    let old = nginx.root().join("cli").join(&keys[1]);
    std::fs::File::options()
        .write(true)
        .open(&old)
        .and_then(|f| f.set_modified(SystemTime::now() - Duration::from_secs(40 * 86_400)))
        .expect("backdate");
    let prune = json(&bccache(
        &["prune", &location, "--older-than", "30d", "--json"],
        &[],
    ));
    assert_eq!(prune["patterns"][0]["entries_removed"], 1);
    assert!(!old.exists());

    std::fs::write(nginx.root().join("cli/README"), "stays").expect("write");
    let clear = json(&bccache(&["clear", &location, "--json"], &[]));
    assert_eq!(clear["patterns"][0]["entries_removed"], 2);
    assert_eq!(nginx.files(), vec!["cli/README".to_owned()]);

    let nodav = bccache(&["stats", &nginx.url("/nodav/")], &[]);
    assert_eq!(nodav.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&nodav.stderr).contains("PROPFIND"));
}

#[test]
fn stats_prune_and_clear_an_s3_cache_with_signed_requests() {
    let moto = s3::MotoS3::start();
    let cache = S3BytecodeCache::builder()
        .bucket(s3::BUCKET)
        .prefix("cli-")
        .endpoint(moto.endpoint())
        .credentials(&moto.access_key, &moto.secret_key)
        .ignore_errors(false)
        .build()
        .expect("valid");
    fill(&cache, 3, 2000);
    let location = moto.location(s3::BUCKET, "cli-");
    let creds = [
        ("AWS_ACCESS_KEY_ID", moto.access_key.as_str()),
        ("AWS_SECRET_ACCESS_KEY", moto.secret_key.as_str()),
    ];

    let stats = json(&bccache(&["stats", &location, "--json"], &creds));
    assert_eq!(stats["patterns"][0]["pattern"], "cli-%s");
    assert_eq!(stats["patterns"][0]["entries"], 3);
    let prometheus = bccache(&["stats", &location, "--format", "prometheus"], &creds);
    assert!(String::from_utf8_lossy(&prometheus.stdout).contains("bccache_entries"));

    let wrong = [
        ("AWS_ACCESS_KEY_ID", moto.access_key.as_str()),
        ("AWS_SECRET_ACCESS_KEY", "wrong"),
    ];
    let refused = bccache(&["stats", &location], &wrong);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("403"));

    let verify = json(&bccache(&["verify", &location, "--json"], &creds));
    assert_eq!(verify["patterns"][0]["entries_kept"], 3);

    let prune = json(&bccache(
        &["prune", &location, "--max-size", "4500", "--json"],
        &creds,
    ));
    assert_eq!(prune["patterns"][0]["entries_removed"], 1);
    let clear = json(&bccache(&["clear", &location, "--json"], &creds));
    assert_eq!(clear["patterns"][0]["entries_removed"], 2);
    assert!(moto.objects(s3::BUCKET).is_empty());
}

#[test]
fn the_command_keeps_hundreds_of_http_entries_in_parallel_and_reports_refused_deletes() {
    let nginx = nginx::Nginx::start();
    let subdirs = |path: &str| {
        HttpBytecodeCache::builder()
            .url(nginx.url(path))
            .layout(HttpLayout::Subdirs)
            .ignore_errors(false)
            .build()
            .expect("valid")
    };
    let keys = fill(&subdirs("/many/"), 300, 500);
    fill(&subdirs("/nodelete/"), 300, 500);
    let root = nginx.root().join("many");
    let corrupt = root.join(&keys[3][..2]).join(&keys[3][2..]);
    let mut bytes = std::fs::read(&corrupt).expect("entry");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&corrupt, bytes).expect("corrupt it");
    let foreign = root.join("ff").join("f".repeat(38));
    std::fs::create_dir_all(root.join("ff")).expect("mkdir");
    std::fs::write(&foreign, "an entry's name, not an entry").expect("plant");
    let location = nginx.url("/many/");

    let output = bccache(&["verify", &location, "--json"], &[]);
    assert_eq!(output.status.code(), Some(1));
    let verify = json(&output);
    let pattern = &verify["patterns"][0];
    assert_eq!(pattern["entries_checked"], 301);
    assert_eq!(pattern["entries_kept"], 299);
    assert_eq!(pattern["foreign_kept"], 1);
    assert_eq!(pattern["corrupt_removed"], 1);
    assert!(!corrupt.exists());

    // `--jobs 1`: the same report, every request on one connection.
    let before = nginx.requests().len();
    let one = json(&bccache(
        &["verify", &location, "--json", "--jobs", "1"],
        &[],
    ));
    assert_eq!(one["patterns"][0]["entries_checked"], 300);
    assert_eq!(one["patterns"][0]["entries_kept"], 299);
    let served = nginx.requests_since(before, |s| s.len() >= 300);
    let connections: std::collections::BTreeSet<u64> =
        served.iter().map(|s| s.connection).collect();
    assert_eq!(connections.len(), 1, "{} requests", served.len());
    let refused = bccache(&["verify", &location, "--jobs", "9"], &[]);
    assert_eq!(refused.status.code(), Some(2));

    let clear = json(&bccache(&["clear", &location, "--json"], &[]));
    assert_eq!(clear["patterns"][0]["entries_removed"], 299);
    let left: Vec<String> = nginx
        .files()
        .into_iter()
        .filter(|f| f.starts_with("many/"))
        .collect();
    assert_eq!(left, vec![format!("many/ff/{}", "f".repeat(38))]);

    let before = nginx.requests().len();
    let refused = bccache(&["clear", &nginx.url("/nodelete/")], &[]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("403") && stderr.contains("/nodelete/"),
        "{stderr}"
    );
    // A refusal stops nothing: every entry's DELETE is tried, and each is refused.
    let is_delete = |s: &&nginx::Served| s.method == "DELETE";
    let served = nginx.requests_since(before, |s| s.iter().filter(|s| is_delete(s)).count() >= 300);
    let deletes: Vec<_> = served.iter().filter(is_delete).collect();
    assert_eq!(deletes.len(), 300);
    assert!(deletes.iter().all(|s| s.status == 403));
    let kept = nginx
        .files()
        .iter()
        .filter(|f| f.starts_with("nodelete/"))
        .count();
    assert_eq!(kept, 300);
}
