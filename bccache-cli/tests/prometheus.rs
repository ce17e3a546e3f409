//! `bccache stats --format prometheus`: the real binary's output, checked by the real
//! `promtool` (Debian package `prometheus`; `scripts/test` installs it).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use bccache::{BytecodeCache, FileSystemBytecodeCache};

fn bccache(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bccache"))
        .args(args)
        .output()
        .expect("run the bccache binary")
}

/// Stores `count` entries under `pattern`, loads each once and one unknown template; the
/// counts reach the stats file when the cache drops.
fn populate(dir: &Path, pattern: &str, count: usize) {
    let cache = FileSystemBytecodeCache::new(dir, pattern).expect("cache");
    for n in 0..count {
        let name = format!("t{n}.html");
        let mut bucket = cache.get_bucket(&(), &name, None, "source").expect("load");
        bucket.code = Some(vec![n as u8; 100]);
        cache.set_bucket(&bucket).expect("store");
        assert!(
            cache
                .get_bucket(&(), &name, None, "source")
                .expect("load")
                .code
                .is_some()
        );
    }
    assert!(
        cache
            .get_bucket(&(), "missing.html", None, "x")
            .expect("load")
            .code
            .is_none()
    );
}

/// `promtool check metrics` on `text`: its exit status and what it said.
fn promtool_check(text: &str) -> (bool, String) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `promtool` ({e}): install it with `apt-get install prometheus` \
                 (scripts/test does)"
            )
        });
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("feed promtool");
    let output = child.wait_with_output().expect("promtool");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), said)
}

fn sample(text: &str, name: &str, labels: &str) -> Option<u64> {
    let prefix = format!("{name}{{{labels}}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .and_then(|value| value.parse().ok())
}

#[test]
fn stats_in_prometheus_format_passes_promtool_with_counts_per_pattern() {
    let dir = tempfile::tempdir().expect("tempdir");
    populate(dir.path(), "__app_%s.cache", 3);
    populate(dir.path(), "__jinja2_%s.cache", 2);
    let shown = dir.path().display().to_string();

    let output = bccache(&["stats", "--format", "prometheus", &shown]);
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).expect("UTF-8");

    let (ok, said) = promtool_check(&text);
    assert!(ok, "promtool refused the output: {said}\n{text}");
    assert!(
        said.trim().is_empty(),
        "promtool has lint findings: {said}\n{text}"
    );

    let app = format!("dir=\"{shown}\",pattern=\"__app_%s.cache\"");
    let jinja = format!("dir=\"{shown}\",pattern=\"__jinja2_%s.cache\"");
    assert_eq!(sample(&text, "bccache_hits_total", &app), Some(3), "{text}");
    assert_eq!(
        sample(&text, "bccache_misses_total", &app),
        Some(4),
        "{text}"
    );
    assert_eq!(
        sample(&text, "bccache_stores_total", &app),
        Some(3),
        "{text}"
    );
    assert_eq!(sample(&text, "bccache_entries", &app), Some(3), "{text}");
    assert_eq!(
        sample(&text, "bccache_hits_total", &jinja),
        Some(2),
        "{text}"
    );
    assert_eq!(sample(&text, "bccache_entries", &jinja), Some(2), "{text}");
    let size = sample(&text, "bccache_size_bytes", &app).expect("size sample");
    assert!(
        size >= 300,
        "three entries of 100 code bytes take {size} bytes"
    );
    for name in [
        "bccache_stale_total",
        "bccache_rejected_total",
        "bccache_errors_total",
        "bccache_read_bytes_total",
        "bccache_written_bytes_total",
    ] {
        assert!(
            sample(&text, name, &app).is_some(),
            "{name} missing:\n{text}"
        );
    }
}

#[test]
fn promtool_rejects_what_is_not_the_exposition_format() {
    // The check above means something only if promtool refuses broken input.
    let (ok, _) = promtool_check("bccache_hits_total{dir=\"unterminated} 1\n");
    assert!(!ok);
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = bccache(&[
        "stats",
        "--format",
        "yaml",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}
