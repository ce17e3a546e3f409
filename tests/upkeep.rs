//! Operating a filesystem cache: the size bound under many processes, prune and verify on
//! planted files, persisted counters summed over processes, and read-only directories.

mod support;

use std::fs::{self, File};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use bccache::{BytecodeCache, FileSystemBytecodeCache};
use support::child;
use support::unprivileged::{is_root, rerun_as_nobody};

const PATTERN: &str = "__up_%s.cache";
const PROCESSES: usize = 4;
const CHILD_DEADLINE: Duration = Duration::from_secs(120);

/// The code stored for template `name`: recognisable, so a wrong or torn hit shows.
fn code_for(name: &str, len: usize) -> Vec<u8> {
    name.bytes().cycle().take(len).collect()
}

fn store(cache: &FileSystemBytecodeCache, name: &str, code: Vec<u8>) -> PathBuf {
    let mut bucket = cache.get_bucket(&(), name, None, "source").expect("load");
    bucket.code = Some(code);
    cache.set_bucket(&bucket).expect("store");
    cache.path_for_key(&bucket.key)
}

fn set_age(path: &Path, age: Duration) {
    let file = File::options().write(true).open(path).expect("open");
    file.set_modified(SystemTime::now() - age)
        .expect("set mtime");
}

fn age_of(path: &Path) -> Duration {
    fs::symlink_metadata(path)
        .expect("lstat")
        .modified()
        .expect("mtime")
        .elapsed()
        .unwrap_or_default()
}

/// The bytes of `PATTERN`'s entries in `dir`.
fn pattern_bytes(dir: &Path) -> u64 {
    fs::read_dir(dir)
        .expect("ls")
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("__up_") && name.ends_with(".cache")
        })
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// `dir=<path>;id=<n>` for a child.
fn instructions(dir: &Path, id: usize) -> String {
    format!("{};{id}", dir.display())
}

fn parse_instructions(text: &str) -> (PathBuf, usize) {
    let (dir, id) = text.rsplit_once(';').expect("dir;id");
    (PathBuf::from(dir), id.parse().expect("child id"))
}

fn run_children(test: &str, dir: &Path) -> Vec<String> {
    let children: Vec<_> = (0..PROCESSES)
        .map(|id| child::spawn(child::child_command(test, &instructions(dir, id))))
        .collect();
    children
        .into_iter()
        .map(|c| child::check_passed(test, &child::wait_with_deadline(c, CHILD_DEADLINE)))
        .collect()
}

const MAX_SIZE: u64 = 64 * 1024;
const CODE_LEN: usize = 2000;
const DUMPS_PER_CHILD: usize = 120;

#[test]
fn eviction_keeps_four_dumping_processes_under_the_bound_with_no_torn_entry() {
    const TEST: &str = "eviction_keeps_four_dumping_processes_under_the_bound_with_no_torn_entry";
    if let Some(text) = child::child_instructions() {
        let (dir, id) = parse_instructions(&text);
        let cache = FileSystemBytecodeCache::new(&dir, PATTERN)
            .expect("cache")
            .max_size(MAX_SIZE);
        let mut wrong = 0;
        for n in 0..DUMPS_PER_CHILD {
            // Half the names are shared: processes overwrite and evict each other's entries.
            let name = if n % 2 == 0 {
                format!("shared{}.html", n / 2 % 40)
            } else {
                format!("child{id}-{n}.html")
            };
            store(&cache, &name, code_for(&name, CODE_LEN));
            // Load a few entries the others may be evicting right now.
            for back in [1, 3, 7] {
                let other = format!("shared{}.html", (n + back) / 2 % 40);
                let bucket = cache.get_bucket(&(), &other, None, "source").expect("load");
                if let Some(code) = bucket.code {
                    wrong += usize::from(code != code_for(&other, CODE_LEN));
                }
            }
        }
        let stats = cache.stats().expect("counts");
        println!(
            "child {id}: {} hits, {} misses, {} rejected, {} errors",
            stats.hits, stats.misses, stats.rejected, stats.errors
        );
        assert_eq!(wrong, 0, "a hit returned another entry's code");
        assert_eq!(stats.rejected, 0, "a load saw a torn entry");
        assert_eq!(stats.errors, 0, "a vanished file was an error");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    // Files no eviction may touch: another pattern's entry and a stranger's file.
    let bystander = FileSystemBytecodeCache::new(dir.path(), "other_%s.cache").expect("cache");
    let other_entry = store(&bystander, "kept.html", vec![7; 50_000]);
    set_age(&other_entry, Duration::from_secs(86400));
    fs::write(dir.path().join("notes.txt"), vec![1; 50_000]).expect("write");

    let outputs = run_children(TEST, dir.path());
    let total = pattern_bytes(dir.path());
    println!(
        "{PROCESSES} processes x {DUMPS_PER_CHILD} dumps of ~{CODE_LEN} B under a {MAX_SIZE} B \
         bound: {total} B left\n{}",
        outputs.join("")
    );
    assert!(total <= MAX_SIZE, "{total} bytes left, bound {MAX_SIZE}");
    assert!(total > 0, "eviction keeps the recent entries");
    let cache = FileSystemBytecodeCache::new(dir.path(), PATTERN).expect("cache");
    let report = cache.verify().expect("verify");
    assert_eq!(report.corrupt_found, 0, "{report:?}");
    assert!(other_entry.exists(), "another pattern's entry was evicted");
    assert_eq!(
        fs::read(dir.path().join("notes.txt")).expect("read").len(),
        50_000
    );
}

#[test]
fn the_bound_evicts_the_least_recently_used_entries_of_its_pattern_only() {
    let dir = tempfile::tempdir().unwrap();
    let plain = FileSystemBytecodeCache::new(dir.path(), PATTERN).unwrap();
    let paths: Vec<_> = (0..10)
        .map(|n| {
            let name = format!("t{n}.html");
            store(&plain, &name, code_for(&name, 1000))
        })
        .collect();
    let entry_len = fs::metadata(&paths[0]).unwrap().len();
    // t0 is the oldest... t9 the newest; a hit on t0 long ago does not make it recent.
    for (n, path) in paths.iter().enumerate() {
        set_age(path, Duration::from_secs(3600 - 60 * n as u64));
    }
    let other = FileSystemBytecodeCache::new(dir.path(), "zz_%s").unwrap();
    let bystander = store(&other, "old.html", vec![1; 1000]);
    set_age(&bystander, Duration::from_secs(86400));

    let bounded = FileSystemBytecodeCache::new(dir.path(), PATTERN)
        .unwrap()
        .max_size(10 * entry_len);
    assert_eq!(bounded.size_limit(), Some(10 * entry_len));
    let newest = store(&bounded, "t10.html", code_for("t10.html", 1000));
    // 11 entries over a bound of 10: the oldest go until under 90 % (9 entries).
    assert!(newest.exists());
    let left: Vec<bool> = paths.iter().map(|p| p.exists()).collect();
    assert_eq!(
        left,
        [false, false, true, true, true, true, true, true, true, true]
    );
    assert!(bystander.exists());
}

#[test]
fn a_hit_refreshes_recency_at_most_once_a_minute() {
    let dir = tempfile::tempdir().unwrap();
    let cache = FileSystemBytecodeCache::new(dir.path(), PATTERN).unwrap();
    let old = store(&cache, "old.html", b"code".to_vec());
    let recent = store(&cache, "recent.html", b"code".to_vec());
    set_age(&old, Duration::from_secs(7200));
    set_age(&recent, Duration::from_secs(30));
    for name in ["old.html", "recent.html"] {
        let hit = cache.get_bucket(&(), name, None, "source").unwrap();
        assert!(hit.code.is_some());
    }
    assert!(age_of(&old) < Duration::from_secs(60), "{:?}", age_of(&old));
    let recent_age = age_of(&recent);
    assert!(
        recent_age >= Duration::from_secs(30),
        "refreshed too soon: {recent_age:?}"
    );
}

/// A valid entry's bytes for template `name` under `PATTERN`, and its file name.
fn entry_named(cache: &FileSystemBytecodeCache, name: &str) -> (Vec<u8>, PathBuf) {
    let mut bucket = cache.get_bucket(&(), name, None, "source").unwrap();
    bucket.code = Some(code_for(name, 300));
    (
        bucket.bytecode_to_string().unwrap(),
        cache.path_for_key(&bucket.key),
    )
}

#[test]
fn verify_removes_corrupt_entries_stale_temp_files_and_symlinks_only() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let cache = FileSystemBytecodeCache::new(dir.path(), PATTERN).unwrap();
    let good: Vec<_> = (0..3)
        .map(|n| store(&cache, &format!("good{n}.html"), vec![n; 300]))
        .collect();
    let (bytes, truncated) = entry_named(&cache, "truncated.html");
    fs::write(&truncated, &bytes[..bytes.len() - 3]).unwrap();
    // A file without bccache's magic under an entry's name is not provably ours: it stays.
    let (_, garbage) = entry_named(&cache, "garbage.html");
    fs::write(&garbage, b"not an entry at all").unwrap();
    let (mut bytes, flipped) = entry_named(&cache, "flipped.html");
    bytes[150] ^= 0x01;
    fs::write(&flipped, &bytes).unwrap();
    // Jinja2's own (Python) entry under the same pattern: not ours to judge.
    let (_, jinja2) = entry_named(&cache, "jinja2.html");
    fs::write(&jinja2, b"j2\x80\x02K\x05.\x80\x02J\x0b\x00\x03.marshal").unwrap();
    // Foreign files: another pattern's broken entry and a stranger's file.
    let foreign_entry = dir.path().join(format!("other_{}.cache", "a".repeat(40)));
    fs::write(&foreign_entry, b"broken").unwrap();
    let notes = dir.path().join("notes.txt");
    fs::write(&notes, b"notes").unwrap();
    // A symlink with an entry's name, to a file outside: the link goes, the target stays.
    let target = outside.path().join("target.cache");
    fs::write(&target, b"precious, and not an entry").unwrap();
    let (_, link) = entry_named(&cache, "link.html");
    symlink(&target, &link).unwrap();
    // Temp files: a live writer's (young) and a crashed writer's (two hours old).
    let entry_name = good[0].file_name().unwrap().to_string_lossy().into_owned();
    let young = dir.path().join(format!(".{entry_name}.Young1.tmp"));
    let stale = dir.path().join(format!(".{entry_name}.Stale1.tmp"));
    fs::write(&young, b"half").unwrap();
    fs::write(&stale, b"half").unwrap();
    set_age(&stale, Duration::from_secs(7200));

    let report = cache.verify().unwrap();
    assert_eq!(report.entries_checked, 7, "{report:?}");
    assert_eq!(report.entries_kept, 3, "{report:?}");
    assert_eq!(report.foreign_kept, 2, "{report:?}");
    assert_eq!(
        (report.corrupt_found, report.corrupt_removed),
        (2, 2),
        "{report:?}"
    );
    assert_eq!(
        (report.temp_files_removed, report.temp_files_kept),
        (1, 1),
        "{report:?}"
    );
    assert_eq!(report.symlinks_removed, 1, "{report:?}");
    let mut corrupt = report.corrupt.clone();
    corrupt.sort();
    let mut expected = vec![truncated.clone(), flipped.clone()];
    expected.sort();
    assert_eq!(corrupt, expected);

    assert!(good.iter().all(|p| p.exists()));
    assert!(!truncated.exists() && !flipped.exists());
    assert_eq!(fs::read(&garbage).unwrap(), b"not an entry at all");
    assert!(jinja2.exists());
    assert_eq!(fs::read(&foreign_entry).unwrap(), b"broken");
    assert_eq!(fs::read(&notes).unwrap(), b"notes");
    assert!(fs::symlink_metadata(&link).is_err(), "the symlink is gone");
    assert_eq!(fs::read(&target).unwrap(), b"precious, and not an entry");
    assert!(young.exists() && !stale.exists());
    for (n, path) in good.iter().enumerate() {
        let hit = cache
            .get_bucket(&(), &format!("good{n}.html"), None, "source")
            .unwrap();
        assert_eq!(hit.code.as_deref(), Some(&vec![n as u8; 300][..]));
        assert!(path.exists());
    }
}

#[test]
fn prune_removes_old_entries_and_never_follows_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let cache = FileSystemBytecodeCache::new(dir.path(), PATTERN).unwrap();
    let old = store(&cache, "old.html", vec![1; 500]);
    let fresh = store(&cache, "fresh.html", vec![2; 500]);
    set_age(&old, Duration::from_secs(40 * 86400));
    let target = outside.path().join("target");
    fs::write(&target, b"old, outside").unwrap();
    set_age(&target, Duration::from_secs(400 * 86400));
    let (_, link) = entry_named(&cache, "link.html");
    symlink(&target, &link).unwrap();
    let foreign = dir.path().join("ancient.txt");
    fs::write(&foreign, b"x").unwrap();
    set_age(&foreign, Duration::from_secs(400 * 86400));
    let young_temp = dir.path().join(format!(
        ".{}.Abc123.tmp",
        fresh.file_name().unwrap().to_string_lossy()
    ));
    fs::write(&young_temp, b"being written").unwrap();

    let report = cache.prune(Duration::from_secs(30 * 86400)).unwrap();
    assert_eq!(
        (report.entries_removed, report.entries_kept),
        (1, 1),
        "{report:?}"
    );
    assert_eq!(report.bytes_freed, fs::metadata(&fresh).unwrap().len());
    assert_eq!(report.symlinks_skipped, 1);
    assert_eq!(report.temp_files_removed, 0);
    assert!(!old.exists() && fresh.exists());
    assert!(fs::symlink_metadata(&link).is_ok() && target.exists());
    assert!(foreign.exists() && young_temp.exists());

    let report = cache.prune_to_size(0).unwrap();
    assert_eq!((report.entries_removed, report.entries_kept), (1, 0));
    assert!(!fresh.exists() && target.exists() && foreign.exists());
}

const ROUNDS: usize = 20;

#[test]
fn stats_files_of_four_processes_sum_exactly() {
    const TEST: &str = "stats_files_of_four_processes_sum_exactly";
    if let Some(text) = child::child_instructions() {
        let (dir, id) = parse_instructions(&text);
        let cache = FileSystemBytecodeCache::new(&dir, PATTERN).expect("cache");
        for n in 0..ROUNDS {
            if n == ROUNDS / 2 {
                // The next miss is more than a second after the first: it flushes on its own.
                std::thread::sleep(Duration::from_millis(1100));
            }
            let name = format!("child{id}-{n}.html");
            store(&cache, &name, code_for(&name, 100));
            let hit = cache.get_bucket(&(), &name, None, "source").expect("hit");
            assert!(hit.code.is_some());
        }
        assert!(
            cache.persisted_stats().expect("stats file").stores > 0,
            "no periodic flush happened"
        );
        return; // the drop flushes the rest
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    run_children(TEST, dir.path());
    let probe = FileSystemBytecodeCache::new(dir.path(), PATTERN).expect("cache");
    let entry_len = fs::metadata(store(
        &probe,
        "child0-0.html",
        code_for("child0-0.html", 100),
    ))
    .expect("entry")
    .len();
    let stats = probe.persisted_stats().expect("stats");
    let n = (PROCESSES * ROUNDS) as u64;
    println!(
        "{n} rounds in {PROCESSES} processes summed in {:?}",
        started.elapsed()
    );
    assert_eq!((stats.misses, stats.stores, stats.hits), (n, n, n));
    assert_eq!((stats.stale, stats.rejected, stats.errors), (0, 0, 0));
    assert_eq!(stats.bytes_written, n * entry_len);
    assert_eq!(stats.bytes_read, n * entry_len);
    let report = bccache::upkeep::scan_dir(dir.path()).expect("scan");
    assert_eq!(report.total_stats(), stats);
}

#[test]
fn a_read_only_directory_still_serves_loads() {
    if is_root() {
        return rerun_as_nobody("a_read_only_directory_still_serves_loads");
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = {
        let cache = FileSystemBytecodeCache::new(dir.path(), PATTERN).unwrap();
        store(&cache, "t.html", code_for("t.html", 100))
    };
    set_age(&path, Duration::from_secs(7200));
    let entry_len = fs::metadata(&path).unwrap().len();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o555)).unwrap();
    assert!(
        fs::write(dir.path().join("probe"), b"").is_err(),
        "the directory must really be read-only"
    );
    let before = fs::read_dir(dir.path()).unwrap().count();
    {
        let cache = FileSystemBytecodeCache::new(dir.path(), PATTERN)
            .unwrap()
            .max_size(entry_len);
        std::thread::sleep(Duration::from_millis(1100));
        let miss = cache
            .get_bucket(&(), "missing.html", None, "source")
            .unwrap();
        assert!(miss.code.is_none());
        let hit = cache.get_bucket(&(), "t.html", None, "source").unwrap();
        assert_eq!(hit.code, Some(code_for("t.html", 100)));
        assert!(
            cache.flush_stats().is_err(),
            "the stats cannot be saved here"
        );
        // Nothing can be removed: the prune says so and goes on.
        let report = cache.prune(Duration::ZERO).unwrap();
        assert_eq!(report.entries_removed, 0, "{report:?}");
        assert_eq!(report.unreadable, std::slice::from_ref(&path), "{report:?}");
    }
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), before);
    assert!(path.exists());
}
