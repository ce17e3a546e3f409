//! A full disk, faked with a file-size limit: a dump that cannot be written completely fails
//! with an error and leaves nothing behind, and the entry it was replacing still loads.
//!
//! `RLIMIT_FSIZE` belongs to the whole process, so the test re-runs itself as a child that sets
//! the limit and ignores `SIGXFSZ` (which would otherwise kill it): writes past the limit then
//! fail with `EFBIG`, as a write to a full disk fails with `ENOSPC`, after a short write.

mod support;

use std::path::Path;
use std::time::Duration;

use bccache::{BytecodeCache, Error, FileSystemBytecodeCache};
use support::child;
use support::fs::{load, store, temp_files_in};

const PATTERN: &str = "__disk_%s.cache";
const CHILD_DEADLINE: Duration = Duration::from_secs(30);

fn old_code() -> Vec<u8> {
    b"old code ".repeat(12)
}

fn new_code() -> Vec<u8> {
    (0..64 * 1024).map(|i| (i % 251) as u8).collect()
}

/// Sets this process's soft file-size limit, keeping the hard one.
fn set_file_size_limit(limit: libc::rlim_t) {
    let mut current = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the struct we own.
    let got = unsafe { libc::getrlimit(libc::RLIMIT_FSIZE, &mut current) };
    assert_eq!(got, 0, "getrlimit: {}", std::io::Error::last_os_error());
    let wanted = libc::rlimit {
        rlim_cur: limit.min(current.rlim_max),
        rlim_max: current.rlim_max,
    };
    // SAFETY: setrlimit reads the struct we own; it only changes this process's limit.
    let set = unsafe { libc::setrlimit(libc::RLIMIT_FSIZE, &wanted) };
    assert_eq!(set, 0, "setrlimit: {}", std::io::Error::last_os_error());
}

/// The child's part: dumps under shrinking limits in `dir`, checking each outcome.
fn dumps_under_file_size_limits(dir: &Path) {
    // SAFETY: ignoring SIGXFSZ installs no handler code; writes past the limit then return
    // EFBIG instead of killing the process.
    let previous = unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
    assert_ne!(previous, libc::SIG_ERR, "signal(SIGXFSZ, SIG_IGN) failed");

    let cache = FileSystemBytecodeCache::new(dir, PATTERN).expect("cache");
    store(&cache, "page.html", "v1", &old_code()).expect("store the old entry");
    let entry_len = {
        let mut bucket = bccache::Bucket::new(&(), "k", "c");
        bucket.key = cache.get_cache_key("page.html", None);
        bucket.checksum = cache.get_source_checksum("v2");
        bucket.code = Some(new_code());
        bucket.bytecode_to_string().expect("encode").len() as u64
    };

    let limits = [
        0,
        1,
        11,
        12,
        100,
        4096,
        entry_len / 2,
        entry_len - 8,
        entry_len - 1,
    ];
    for limit in limits {
        set_file_size_limit(limit);
        let rewrite = store(&cache, "page.html", "v2", &new_code());
        let fresh = store(&cache, "other.html", "v1", &new_code());
        set_file_size_limit(libc::RLIM_INFINITY);

        for (what, result) in [("rewrite", rewrite), ("new entry", fresh)] {
            let err = result.expect_err(&format!("{what} past a {limit}-byte limit succeeded"));
            let Error::Io { source, .. } = &err else {
                panic!("{what} under a {limit}-byte limit: not an I/O error: {err:?}");
            };
            assert_eq!(
                source.kind(),
                std::io::ErrorKind::FileTooLarge,
                "{what} under a {limit}-byte limit: {err:?}"
            );
            // The OS error itself reaches the caller, not a wrapper of it.
            assert_eq!(source.raw_os_error(), Some(libc::EFBIG), "{err:?}");
        }
        let leftovers = temp_files_in(dir);
        assert!(leftovers.is_empty(), "limit {limit}: {leftovers:?}");
        assert_eq!(
            load(&cache, "page.html", "v1"),
            Some(old_code()),
            "limit {limit}: the old entry was damaged"
        );
        assert_eq!(load(&cache, "page.html", "v2"), None, "limit {limit}");
        assert_eq!(load(&cache, "other.html", "v1"), None, "limit {limit}");
        assert!(
            !cache
                .path_for_key(&cache.get_cache_key("other.html", None))
                .exists(),
            "limit {limit}: a partial new entry exists"
        );
    }

    // Exactly enough room: the dump succeeds.
    set_file_size_limit(entry_len);
    let fits = store(&cache, "page.html", "v2", &new_code());
    set_file_size_limit(libc::RLIM_INFINITY);
    fits.expect("a dump that exactly fits the limit");
    assert_eq!(load(&cache, "page.html", "v2"), Some(new_code()));
    println!(
        "checked {} file-size limits (0 to {} bytes, entry {entry_len} bytes) x 2 dumps: each \
         failed with EFBIG, left no temp file nor partial entry, the old entry kept loading; \
         the dump that exactly fits succeeded",
        limits.len(),
        entry_len - 1
    );
}

#[test]
fn dump_past_a_full_disk_fails_and_leaves_no_partial_file() {
    const TEST: &str = "dump_past_a_full_disk_fails_and_leaves_no_partial_file";
    if let Some(dir) = child::child_instructions() {
        dumps_under_file_size_limits(Path::new(&dir));
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let instructions = dir.path().to_str().expect("utf-8 temp dir path");
    let stdout = child::run_child(TEST, instructions, CHILD_DEADLINE);
    if let Some(figure) = stdout.lines().find_map(|l| l.split_once("checked ")) {
        println!("child: checked {}", figure.1);
    }

    // Seen from a process without the limit: a clean directory holding the final entry.
    let cache = FileSystemBytecodeCache::new(dir.path(), PATTERN).expect("cache");
    assert!(temp_files_in(dir.path()).is_empty());
    assert_eq!(load(&cache, "page.html", "v2"), Some(new_code()));
    assert_eq!(load(&cache, "other.html", "v1"), None);
}
