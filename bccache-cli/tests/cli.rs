//! The real `bccache` binary on real directories filled by the runtime crate.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use bccache::{BytecodeCache, FileSystemBytecodeCache};
use serde_json::Value;

const PATTERN: &str = "__cli_%s.cache";

fn bccache(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bccache"))
        .args(args)
        .output()
        .expect("run the bccache binary")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(output)))
}

/// Stores `count` entries of `code_len` bytes under `pattern`, then loads each once (hits) and
/// one unknown template (a miss); the cache's counts go to the stats file when it drops.
fn populate(dir: &Path, pattern: &str, count: usize, code_len: usize) -> Vec<PathBuf> {
    let cache = FileSystemBytecodeCache::new(dir, pattern).expect("cache");
    let mut paths = Vec::new();
    for n in 0..count {
        let name = format!("t{n}.html");
        let mut bucket = cache.get_bucket(&(), &name, None, "source").expect("load");
        bucket.code = Some(vec![n as u8; code_len]);
        cache.set_bucket(&bucket).expect("store");
        let hit = cache.get_bucket(&(), &name, None, "source").expect("load");
        assert!(hit.code.is_some());
        paths.push(cache.path_for_key(&bucket.key));
    }
    paths
}

fn set_age(path: &Path, age: Duration) {
    let file = File::options().write(true).open(path).expect("open");
    file.set_modified(SystemTime::now() - age)
        .expect("set mtime");
}

#[test]
fn stats_shows_entries_and_the_counts_of_every_process() {
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path(), PATTERN, 3, 100);
    populate(dir.path(), "other-%s", 1, 10);
    fs::write(dir.path().join("notes.txt"), b"not an entry").unwrap();

    let output = bccache(&["stats", dir.path().to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("Pattern                     __cli_%s.cache"),
        "{text}"
    );
    assert!(text.contains("  Entries                   3"), "{text}");
    assert!(text.contains("Other files (left alone)    1"), "{text}");

    let output = bccache(&["stats", "--json", dir.path().to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["schema"], "bccache-stats/1");
    assert_eq!(report["other_files"], 1);
    let patterns = report["patterns"].as_array().unwrap();
    assert_eq!(patterns.len(), 2);
    let cli = &patterns[0];
    assert_eq!(cli["pattern"], PATTERN);
    assert_eq!(cli["entries"], 3);
    assert_eq!(cli["corrupt"], 0);
    assert!(cli["bytes"].as_u64().unwrap() > 300);
    assert!(cli["oldest_mtime"].as_u64().unwrap() > 1_600_000_000);
    assert_eq!(cli["stats"]["misses"], 3);
    assert_eq!(cli["stats"]["hits"], 3);
    assert_eq!(cli["stats"]["stores"], 3);
    assert_eq!(cli["stats"]["lookups"], 6);
    assert_eq!(report["total"]["entries"], 4);
    assert_eq!(report["total"]["stats"]["stores"], 4);
}

#[test]
fn verify_removes_planted_corrupt_entries_and_leaves_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let paths = populate(dir.path(), PATTERN, 4, 200);
    let truncated = fs::read(&paths[0]).unwrap();
    fs::write(&paths[0], &truncated[..truncated.len() / 2]).unwrap();
    let mut flipped = fs::read(&paths[1]).unwrap();
    flipped[100] ^= 0xff;
    fs::write(&paths[1], &flipped).unwrap();
    let foreign = dir.path().join("keep-me.txt");
    fs::write(&foreign, b"garbage").unwrap();

    let output = bccache(&["verify", "--json", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["schema"], "bccache-verify/1");
    assert_eq!(report["corrupt_found"], 2);
    let pattern = &report["patterns"][0];
    assert_eq!(pattern["entries_checked"], 4);
    assert_eq!(pattern["entries_kept"], 2);
    assert_eq!(pattern["corrupt_removed"], 2);
    assert_eq!(pattern["corrupt"].as_array().unwrap().len(), 2);
    assert!(!paths[0].exists() && !paths[1].exists());
    assert!(paths[2].exists() && paths[3].exists());
    assert_eq!(fs::read(&foreign).unwrap(), b"garbage");

    let again = bccache(&["verify", dir.path().to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(stdout(&again).contains("  Corrupt found             0"));
}

#[test]
fn prune_older_than_removes_only_old_entries() {
    let dir = tempfile::tempdir().unwrap();
    let paths = populate(dir.path(), PATTERN, 3, 100);
    set_age(&paths[0], Duration::from_secs(40 * 86400));
    set_age(&paths[1], Duration::from_secs(29 * 86400));

    let output = bccache(&[
        "prune",
        dir.path().to_str().unwrap(),
        "--older-than",
        "30d",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["schema"], "bccache-prune/1");
    assert_eq!(report["older_than_secs"], 30 * 86400);
    assert_eq!(report["max_size"], Value::Null);
    assert_eq!(report["patterns"][0]["entries_removed"], 1);
    assert_eq!(report["patterns"][0]["entries_kept"], 2);
    assert!(!paths[0].exists() && paths[1].exists() && paths[2].exists());
}

#[test]
fn prune_max_size_keeps_the_most_recently_used() {
    let dir = tempfile::tempdir().unwrap();
    let paths = populate(dir.path(), PATTERN, 4, 1000);
    for (n, path) in paths.iter().enumerate() {
        set_age(path, Duration::from_secs(1000 - n as u64 * 100));
    }
    let entry_len = fs::metadata(&paths[0]).unwrap().len();
    let limit = (2 * entry_len + 10).to_string();

    let output = bccache(&["prune", dir.path().to_str().unwrap(), "--max-size", &limit]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("  Entries removed           2"));
    assert!(!paths[0].exists() && !paths[1].exists());
    assert!(paths[2].exists() && paths[3].exists());
}

#[test]
fn clear_with_a_pattern_leaves_other_patterns() {
    let dir = tempfile::tempdir().unwrap();
    let mine = populate(dir.path(), PATTERN, 2, 10);
    let theirs = populate(dir.path(), "other-%s", 2, 10);

    let output = bccache(&[
        "clear",
        dir.path().to_str().unwrap(),
        "--pattern",
        PATTERN,
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["schema"], "bccache-clear/1");
    assert_eq!(report["patterns"][0]["pattern"], PATTERN);
    assert_eq!(report["patterns"][0]["entries_removed"], 2);
    assert!(mine.iter().all(|p| !p.exists()));
    assert!(theirs.iter().all(|p| p.exists()));
    // The counters stay for `bccache stats`.
    let stats = json(&bccache(&["stats", "--json", dir.path().to_str().unwrap()]));
    assert_eq!(stats["total"]["stats"]["stores"], 4);
}

#[test]
fn a_missing_directory_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-cache");
    for command in ["stats", "verify", "clear"] {
        let output = bccache(&[command, missing.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{command}");
        let message = stderr(&output);
        assert!(message.contains("no-such-cache"), "{command}: {message}");
        assert!(message.contains("check the directory path"), "{message}");
        assert!(stdout(&output).is_empty());
    }
    assert!(!missing.exists(), "no command creates the directory");
}

#[test]
fn bad_arguments_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let output = bccache(&["prune", path, "--max-size", "12 parsecs"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown size unit"));
    let output = bccache(&["prune", path]);
    assert_eq!(output.status.code(), Some(2));
    let output = bccache(&["clear", path, "--pattern", "no-placeholder"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`%s` is missing"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn stats_without_a_directory_reads_the_default_one() {
    use std::os::unix::fs::MetadataExt;
    let tmp = tempfile::tempdir().unwrap();
    let uid = fs::metadata(tmp.path()).unwrap().uid();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_bccache"))
            .args(["stats", "--json"])
            .env("TMPDIR", tmp.path())
            .output()
            .expect("run the bccache binary")
    };
    // Nothing cached yet: an empty report, not an error.
    let output = run();
    assert!(output.status.success(), "{}", stderr(&output));
    let report = json(&output);
    let default_dir = tmp.path().join(format!("_bccache-{uid}"));
    assert_eq!(report["directory"], default_dir.to_str().unwrap());
    assert_eq!(report["patterns"].as_array().unwrap().len(), 0);
    assert!(!default_dir.exists(), "stats does not create the directory");

    populate(&default_dir, bccache::DEFAULT_PATTERN, 2, 10);
    let report = json(&run());
    assert_eq!(report["patterns"][0]["pattern"], bccache::DEFAULT_PATTERN);
    assert_eq!(report["patterns"][0]["entries"], 2);
}

/// The single-flight lock file of `entry` (`.<entry file name>.lock`), planted empty.
fn plant_lock_file(entry: &Path) -> PathBuf {
    let name = entry.file_name().expect("entry name").to_string_lossy();
    let lock = entry.with_file_name(format!(".{name}.lock"));
    File::create(&lock).expect("lock file");
    lock
}

#[test]
fn stats_verify_and_prune_count_lock_files_apart_and_remove_only_old_free_ones() {
    let dir = tempfile::tempdir().unwrap();
    let paths = populate(dir.path(), PATTERN, 2, 200);
    let old = plant_lock_file(&paths[0]);
    set_age(&old, Duration::from_secs(2 * 3600));
    let young = plant_lock_file(&paths[1]);
    let location = dir.path().to_str().unwrap();

    let stats = json(&bccache(&["stats", "--json", location]));
    assert_eq!(stats["other_files"], 0, "{stats}");
    assert_eq!(stats["patterns"][0]["entries"], 2, "{stats}");
    assert_eq!(stats["patterns"][0]["lock_files"], 2, "{stats}");

    let verify = bccache(&["verify", "--json", location]);
    assert_eq!(verify.status.code(), Some(0), "{}", stderr(&verify));
    let pattern = &json(&verify)["patterns"][0];
    assert_eq!(pattern["entries_checked"], 2, "{pattern}");
    assert_eq!(pattern["foreign_kept"], 0, "{pattern}");
    assert_eq!(pattern["lock_files_removed"], 1, "{pattern}");
    assert!(!old.exists() && young.exists());

    let old = plant_lock_file(&paths[0]);
    set_age(&old, Duration::from_secs(2 * 3600));
    let prune = bccache(&["prune", "--older-than", "30d", "--json", location]);
    assert_eq!(prune.status.code(), Some(0), "{}", stderr(&prune));
    assert_eq!(json(&prune)["patterns"][0]["lock_files_removed"], 1);
    assert!(!old.exists() && young.exists() && paths[0].exists());
}
