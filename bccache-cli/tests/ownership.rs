//! The real `bccache` binary removes only what is provably bccache's own, goes on past what it
//! cannot read or parse, and costs bounded memory on a hostile directory.

use std::fs::{self, File};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime};

use bccache::{BytecodeCache, FileSystemBytecodeCache};
use serde_json::Value;

const SHA1: &str = "0123456789abcdef0123456789abcdef01234567";

fn bccache(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bccache"))
        .args(args)
        .output()
        .expect("run the bccache binary")
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn dir_str(dir: &Path) -> &str {
    dir.to_str().expect("UTF-8 temp path")
}

/// Stores `count` entries under `pattern` in `dir` (the cache records the pattern in its stats
/// file when it drops); their paths.
fn populate(dir: &Path, pattern: &str, count: usize) -> Vec<PathBuf> {
    let cache = FileSystemBytecodeCache::new(dir, pattern).expect("cache");
    (0..count)
        .map(|n| {
            let mut bucket = cache
                .get_bucket(&(), &format!("t{n}.html"), None, "source")
                .expect("load");
            bucket.code = Some(vec![n as u8; 1000]);
            cache.set_bucket(&bucket).expect("store");
            cache.path_for_key(&bucket.key)
        })
        .collect()
}

fn set_age(path: &Path, age: Duration) {
    let file = File::options().write(true).open(path).expect("open");
    file.set_modified(SystemTime::now() - age)
        .expect("set mtime");
}

/// Damages the entry at `path` the way a torn write would: its last bytes are gone.
fn corrupt(path: &Path) {
    let bytes = fs::read(path).expect("read the entry");
    fs::write(path, &bytes[..bytes.len() - 3]).expect("write the entry");
}

/// The stats file of the only pattern recorded in `dir`.
fn stats_file(dir: &Path) -> PathBuf {
    fs::read_dir(dir)
        .expect("ls")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            name.starts_with(".bccache-stats-") && name.len() == ".bccache-stats-".len() + 16
        })
        .expect("a stats file")
}

#[test]
fn no_command_removes_foreign_files_beside_a_sha1_named_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir_str(dir.path());
    let foreign = [
        SHA1.to_string(),
        "README.txt".into(),
        "photo.jpg".into(),
        format!("build-{SHA1}.log"),
        "build-release.log".into(),
    ];
    for name in &foreign {
        fs::write(dir.path().join(name), b"not a cache entry").unwrap();
        set_age(&dir.path().join(name), Duration::from_secs(90 * 86400));
    }
    let stats = json(&bccache(&["stats", "--json", d]));
    assert!(stats["patterns"].as_array().is_some(), "{stats}");
    for args in [
        vec!["verify", d],
        vec!["prune", d, "--max-size", "0", "--older-than", "0s"],
        vec!["clear", d],
    ] {
        let output = bccache(&args);
        assert!(output.status.success(), "{args:?}: {output:?}");
        for name in &foreign {
            assert!(dir.path().join(name).exists(), "{args:?} removed {name}");
        }
    }
}

#[test]
fn a_recorded_catch_all_pattern_removes_only_bccache_entries() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir_str(dir.path());
    let ours = populate(dir.path(), "%s", 3);
    let theirs = populate(dir.path(), "__cli_%s.cache", 2);
    for name in ["README.txt", "photo.jpg"] {
        fs::write(dir.path().join(name), b"user data").unwrap();
    }
    // `verify` finds nothing corrupt: foreign files are not this pattern's to judge.
    let output = bccache(&["verify", "--pattern", "%s", d]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let output = bccache(&["clear", "--json", "--pattern", "%s", d]);
    let report = json(&output);
    assert_eq!(report["patterns"][0]["entries_removed"], 3, "{report}");
    assert!(ours.iter().all(|p| !p.exists()));
    assert!(
        theirs.iter().all(|p| p.exists()),
        "another pattern's entries"
    );
    assert!(dir.path().join("README.txt").exists());
    assert!(dir.path().join("photo.jpg").exists());
}

#[test]
fn overlapping_patterns_never_remove_each_others_entries() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir_str(dir.path());
    let short = populate(dir.path(), "%s.cache", 5);
    let jinja = populate(dir.path(), "__jinja2_%s.cache", 5);
    let output = bccache(&["verify", "--json", d]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        jinja.iter().all(|p| p.exists()),
        "verify removed __jinja2_ entries"
    );
    let output = bccache(&["prune", d, "--max-size", "0", "--pattern", "%s.cache"]);
    assert!(output.status.success(), "{output:?}");
    assert!(short.iter().all(|p| !p.exists()), "its own entries go");
    assert!(
        jinja.iter().all(|p| p.exists()),
        "prune removed __jinja2_ entries"
    );
}

#[test]
fn the_size_bound_of_one_pattern_never_evicts_an_overlapping_ones_entries() {
    let dir = tempfile::tempdir().unwrap();
    let app = populate(dir.path(), "__app_%s.cache", 5);
    // No stats file tells of `__app_%s.cache`: the key inside each entry must.
    for entry in fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()) {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(".bccache-stats-")
        {
            fs::remove_file(entry.path()).unwrap();
        }
    }
    for path in &app {
        set_age(path, Duration::from_secs(86400));
    }
    let bounded = FileSystemBytecodeCache::new(dir.path(), "%s.cache")
        .unwrap()
        .max_size(30_000);
    for n in 0..40 {
        let mut bucket = bounded
            .get_bucket(&(), &format!("b{n}.html"), None, "source")
            .unwrap();
        bucket.code = Some(vec![1; 2000]);
        bounded.set_bucket(&bucket).unwrap();
    }
    let kept = app.iter().filter(|p| p.exists()).count();
    assert_eq!(kept, 5, "the bound of `%s.cache` evicted `__app_` entries");
    let report = bounded.verify().unwrap();
    assert_eq!(report.corrupt_found, 0, "{report:?}");
    assert!(
        app.iter().all(|p| p.exists()),
        "verify removed `__app_` entries"
    );
}

#[test]
fn stats_at_the_top_of_u64_does_not_overflow() {
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path(), "__cli_%s.cache", 1);
    let path = stats_file(dir.path());
    let text = fs::read_to_string(&path).unwrap();
    let text = text
        .lines()
        .map(|line| match line.split_once(' ') {
            Some(("hits", _)) => "hits 18446744073709551615".to_string(),
            Some(("misses", _)) => "misses 1".to_string(),
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(&path, text + "\n").unwrap();
    let output = bccache(&["stats", "--json", dir_str(dir.path())]);
    assert!(output.status.success(), "{output:?}");
    let report = json(&output);
    assert_eq!(
        report["total"]["stats"]["lookups"].as_u64(),
        Some(u64::MAX),
        "{report}"
    );
    let output = bccache(&["stats", dir_str(dir.path())]);
    assert!(output.status.success(), "{output:?}");
}

#[test]
fn a_bad_pattern_in_a_stats_file_is_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir_str(dir.path());
    let good = populate(dir.path(), "__cli_%s.cache", 3);
    let text = fs::read_to_string(stats_file(dir.path())).unwrap();
    for (n, bad) in [".x_%s", "%s%s"].iter().enumerate() {
        let planted = text.replace("pattern __cli_%s.cache", &format!("pattern {bad}"));
        fs::write(
            dir.path()
                .join(format!(".bccache-stats-00000000000000a{n}")),
            planted,
        )
        .unwrap();
    }
    fs::write(dir.path().join(".x_one"), b"x").unwrap();
    corrupt(&good[0]);

    let output = bccache(&["verify", "--json", d]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(".x_%s") && stderr.contains("%s%s"),
        "{stderr}"
    );
    let report = json(&output);
    assert_eq!(report["corrupt_found"], 1, "{report}");
    assert_eq!(report["skipped_patterns"].as_array().map(Vec::len), Some(2));
    assert!(!good[0].exists(), "the good pattern's corrupt entry went");
    for args in [vec!["prune", d, "--older-than", "30d"], vec!["clear", d]] {
        let output = bccache(&args);
        assert!(output.status.success(), "{args:?}: {output:?}");
    }
    assert!(
        good.iter().all(|p| !p.exists()),
        "clear went on for the good pattern"
    );
    assert!(dir.path().join(".x_one").exists());
}

/// A copy of the `bccache` binary that `nobody` can run.
fn binary_for_nobody(dir: &Path) -> PathBuf {
    let copy = dir.join("bccache");
    fs::copy(env!("CARGO_BIN_EXE_bccache"), &copy).unwrap();
    fs::set_permissions(&copy, fs::Permissions::from_mode(0o755)).unwrap();
    copy
}

fn as_nobody(binary: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(binary);
    command.args(args);
    // SAFETY: geteuid takes no arguments and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        command.uid(65534).gid(65534);
    }
    command.output().expect("run bccache")
}

fn chown_all(dir: &Path) {
    // SAFETY: geteuid takes no arguments and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return;
    }
    std::os::unix::fs::chown(dir, Some(65534), Some(65534)).unwrap();
    for entry in fs::read_dir(dir).unwrap().filter_map(|e| e.ok()) {
        std::os::unix::fs::chown(entry.path(), Some(65534), Some(65534)).unwrap();
    }
}

#[test]
fn verify_and_prune_go_on_past_an_unreadable_entry() {
    let outer = tempfile::tempdir().unwrap();
    fs::set_permissions(outer.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let binary = binary_for_nobody(outer.path());
    let dir = outer.path().join("cache");
    let paths = populate(&dir, "__cli_%s.cache", 22);
    for path in &paths[..20] {
        corrupt(path);
    }
    let locked = &paths[20];
    chown_all(&dir);
    fs::set_permissions(locked, fs::Permissions::from_mode(0o000)).unwrap();
    let d = dir_str(&dir);

    let output = as_nobody(&binary, &["verify", "--json", d]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report = json(&output);
    let pattern = &report["patterns"][0];
    assert_eq!(pattern["corrupt_removed"], 20, "{report}");
    let unreadable = pattern["unreadable"].as_array().expect("unreadable");
    assert_eq!(unreadable.len(), 1, "{report}");
    assert_eq!(unreadable[0], locked.to_str().unwrap());
    assert!(locked.exists());

    let output = as_nobody(&binary, &["prune", "--json", d, "--max-size", "0"]);
    assert!(output.status.success(), "{output:?}");
    let report = json(&output);
    assert_eq!(report["patterns"][0]["entries_removed"], 1, "{report}");
    assert_eq!(
        report["patterns"][0]["unreadable"][0],
        locked.to_str().unwrap()
    );
    assert!(!paths[21].exists() && locked.exists());
}

/// Peak resident memory of a finished child, in KiB.
// `wait4` reaps the child, which std cannot see.
#[allow(clippy::zombie_processes)]
fn run_measuring_rss(mut command: Command) -> (i32, i64) {
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `child.id()` is our own unwaited child; `status` and `usage` are writable.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4");
    (libc::WEXITSTATUS(status), usage.ru_maxrss)
}

/// Plants an entry of `pattern` for template `name` whose header announces `code_len` bytes,
/// in a sparse file of `file_len` bytes (a few KiB on disk).
fn plant_sparse(dir: &Path, pattern: &str, name: &str, code_len: u64, file_len: u64) -> PathBuf {
    let cache = FileSystemBytecodeCache::new(dir, pattern).expect("cache");
    let mut bucket = cache.get_bucket(&(), name, None, "source").expect("load");
    bucket.code = Some(b"x".to_vec());
    let mut bytes = bucket.bytecode_to_string().expect("encode");
    let at = bytes.len() - 8 - 1 - 8;
    bytes[at..at + 8].copy_from_slice(&code_len.to_le_bytes());
    let path = cache.path_for_key(&bucket.key);
    fs::write(&path, &bytes).unwrap();
    File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(file_len)
        .unwrap();
    path
}

#[test]
fn verify_checks_a_2_gb_sparse_entry_in_bounded_memory() {
    const GB2: u64 = 2_000_000_000;
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path(), "__cli_%s.cache", 1);
    let header = 12 + 8 + 4 + 40 + 4 + 40 + 8;
    let sparse = plant_sparse(
        dir.path(),
        "__cli_%s.cache",
        "big.html",
        GB2 - header - 8,
        GB2,
    );
    assert!(
        fs::metadata(&sparse).unwrap().blocks() * 512 < 1 << 20,
        "sparse"
    );
    let mut command = Command::new(env!("CARGO_BIN_EXE_bccache"));
    command.args(["verify", dir_str(dir.path())]);
    let (code, peak_kib) = run_measuring_rss(command);
    assert_eq!(code, 1, "the sparse entry's trailer is wrong: corrupt");
    assert!(!sparse.exists(), "the corrupt sparse entry was removed");
    assert!(peak_kib < 64 * 1024, "verify peaked at {peak_kib} KiB");
}

#[test]
fn clear_reports_what_it_removed() {
    let dir = tempfile::tempdir().unwrap();
    let paths = populate(dir.path(), "__cli_%s.cache", 2);
    let bytes: u64 = paths.iter().map(|p| fs::metadata(p).unwrap().len()).sum();
    let notes = dir.path().join("__cli_notes.cache");
    fs::write(&notes, b"the user's notes").unwrap();
    let report = json(&bccache(&["clear", "--json", dir_str(dir.path())]));
    assert_eq!(report["patterns"][0]["entries_removed"], 2, "{report}");
    assert_eq!(report["patterns"][0]["bytes_freed"], bytes, "{report}");
    assert!(paths.iter().all(|p| !p.exists()));
    assert!(notes.exists(), "a file without bccache's magic stays");
}

#[test]
fn stats_without_a_directory_refuses_a_planted_symlink() {
    let tmp = tempfile::tempdir().unwrap();
    let uid = fs::metadata(tmp.path()).unwrap().uid();
    let elsewhere = tmp.path().join("elsewhere");
    populate(&elsewhere, "__cli_%s.cache", 1);
    std::os::unix::fs::symlink(&elsewhere, tmp.path().join(format!("_bccache-{uid}"))).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_bccache"))
        .arg("stats")
        .env("TMPDIR", tmp.path())
        .output()
        .expect("run bccache");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("symlink"));
}

#[test]
fn old_stats_part_files_of_a_killed_flush_are_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path(), "__cli_%s.cache", 1);
    let stats = stats_file(dir.path());
    let old = PathBuf::from(format!("{}.Ab12Cd.part", stats.display()));
    let young = PathBuf::from(format!("{}.Ef34Gh.part", stats.display()));
    fs::write(&old, b"bccache-stats 1\n").unwrap();
    fs::write(&young, b"bccache-stats 1\n").unwrap();
    set_age(&old, Duration::from_secs(2 * 3600));
    let output = bccache(&["prune", dir_str(dir.path()), "--older-than", "30d"]);
    assert!(output.status.success(), "{output:?}");
    assert!(!old.exists(), "an old .part file stays");
    assert!(young.exists(), "a young .part file may be a live flush's");
}
