//! What another process or a planted entry can cost an application using a shared
//! filesystem cache: never a wait on another process's lock, never more than the entry holds.

mod support;

use std::fs::{self, File};
use std::os::unix::fs::MetadataExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use bccache::{BytecodeCache, FileSystemBytecodeCache};
use support::child;

const PATTERN: &str = "__hostile_%s.cache";

/// The stats lock file of `PATTERN` in `dir`, made by one flush.
fn stats_lock_file(dir: &Path) -> PathBuf {
    let cache = FileSystemBytecodeCache::new(dir, PATTERN).expect("cache");
    let _ = support::fs::load(&cache, "seed.html", "source");
    cache.flush_stats().expect("flush");
    fs::read_dir(dir)
        .expect("ls")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "lock"))
        .expect("the stats lock file")
}

/// Whether another process holds the `flock` on `path` now.
fn held_elsewhere(path: &Path) -> bool {
    let file = File::open(path).expect("open the lock file");
    // SAFETY: flock only reads the descriptor, which `file` keeps open for the call.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    rc != 0
}

#[test]
fn a_miss_and_a_dump_never_wait_on_another_processs_stats_lock() {
    const TEST: &str = "a_miss_and_a_dump_never_wait_on_another_processs_stats_lock";
    const HOLD: Duration = Duration::from_secs(5);
    if let Some(lock) = child::child_instructions() {
        let file = File::options()
            .write(true)
            .open(lock)
            .expect("open the lock file");
        // SAFETY: flock only reads the descriptor, which `file` keeps open for the call.
        assert_eq!(unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) }, 0);
        std::thread::sleep(HOLD);
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let lock = stats_lock_file(dir.path());
    let cache = FileSystemBytecodeCache::new(dir.path(), PATTERN).expect("cache");
    // A flush is due once a second has passed since the cache was made.
    std::thread::sleep(Duration::from_millis(1100));
    let holder = child::spawn(child::child_command(TEST, lock.to_str().expect("UTF-8")));
    let started = Instant::now();
    while !held_elsewhere(&lock) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the child never locked"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let began = Instant::now();
    assert_eq!(support::fs::load(&cache, "a.html", "source"), None);
    support::fs::store(&cache, "a.html", "source", b"code").expect("store");
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(support::fs::load(&cache, "b.html", "source"), None);
    let took = began.elapsed() - Duration::from_millis(1100);
    assert!(
        held_elsewhere(&lock),
        "the holder let go early: the timing proves nothing"
    );
    assert!(
        took < Duration::from_secs(2),
        "a miss and a dump took {took:?}"
    );
    child::check_passed(
        TEST,
        &child::wait_with_deadline(holder, Duration::from_secs(60)),
    );
    // The counts waited for a later chance, and an explicit flush saves them.
    cache.flush_stats().expect("flush");
    assert!(cache.persisted_stats().expect("stats").misses >= 3);
}

/// Plants an entry for template `name` whose header announces `code_len` bytes of code, in a
/// sparse file of `file_len` bytes.
fn plant_sparse(cache: &FileSystemBytecodeCache, name: &str, code_len: u64, file_len: u64) {
    let mut bucket = cache.get_bucket(&(), name, None, "source").expect("load");
    bucket.code = Some(b"x".to_vec());
    let mut bytes = bucket.bytecode_to_string().expect("encode");
    let at = bytes.len() - 8 - 1 - 8;
    bytes[at..at + 8].copy_from_slice(&code_len.to_le_bytes());
    let path = cache.path_for_key(&bucket.key);
    fs::write(&path, &bytes).expect("write");
    File::options()
        .write(true)
        .open(&path)
        .expect("open")
        .set_len(file_len)
        .expect("grow sparse");
    assert!(
        fs::metadata(&path).expect("stat").blocks() * 512 < 1 << 20,
        "sparse"
    );
}

/// Runs the child, returning its peak resident memory in KiB (`wait4`'s own count).
// `wait4` reaps the child, which std cannot see.
#[allow(clippy::zombie_processes)]
fn child_peak_rss(test: &str, instructions: &str) -> i64 {
    let mut command = child::child_command(test, instructions);
    command.stdout(Stdio::null()).stderr(Stdio::null());
    let child = command.spawn().expect("spawn");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `child.id()` is our own unwaited child; `status` and `usage` are writable.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the child failed: {status}"
    );
    usage.ru_maxrss
}

#[test]
fn a_sparse_1_gib_entry_is_a_miss_costing_no_gib() {
    const TEST: &str = "a_sparse_1_gib_entry_is_a_miss_costing_no_gib";
    const GIB: u64 = 1 << 30;
    if let Some(dir) = child::child_instructions() {
        let cache = FileSystemBytecodeCache::new(dir, PATTERN).expect("cache");
        let began = Instant::now();
        for name in ["fits.html", "lies.html"] {
            assert_eq!(support::fs::load(&cache, name, "source"), None, "{name}");
        }
        assert!(
            began.elapsed() < Duration::from_secs(1),
            "{:?}",
            began.elapsed()
        );
        assert_eq!(cache.stats().expect("counts").rejected, 2);
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = FileSystemBytecodeCache::new(dir.path(), PATTERN).expect("cache");
    let header = 12 + 8 + 4 + 40 + 4 + 40 + 8;
    // A header that agrees with its 1 GiB file, and one announcing 1 GiB in 4 KiB.
    plant_sparse(&cache, "fits.html", GIB - header - 8, GIB);
    plant_sparse(&cache, "lies.html", GIB, 4096);
    let peak_kib = child_peak_rss(TEST, dir.path().to_str().expect("UTF-8"));
    assert!(peak_kib < 64 * 1024, "a load peaked at {peak_kib} KiB");
}

#[test]
fn max_entry_size_and_max_size_bound_what_a_load_reads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = FileSystemBytecodeCache::new(dir.path(), PATTERN).expect("cache");
    assert_eq!(cache.entry_size_limit(), bccache::DEFAULT_MAX_ENTRY_SIZE);
    support::fs::store(&cache, "big.html", "source", &[7; 10_000]).expect("store");
    let small = cache.clone().max_entry_size(5_000);
    assert_eq!(support::fs::load(&small, "big.html", "source"), None);
    let bounded = cache.clone().max_size(5_000);
    assert_eq!(bounded.entry_size_limit(), 5_000);
    assert_eq!(support::fs::load(&bounded, "big.html", "source"), None);
    assert_eq!(
        support::fs::load(&cache, "big.html", "source").map(|c| c.len()),
        Some(10_000)
    );
}
