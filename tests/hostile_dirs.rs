//! Hostile and failing cache directories: planted defaults, directories that turn read-only,
//! vanish or become files while the application runs, and entries that are not files.
//!
//! Whatever happens to the directory, loads are misses or hits of the right code, dumps report
//! their failure, and nothing panics or hangs.
//!
//! `with_default_dir()` reads `TMPDIR`, and changing the environment races the other tests of
//! this binary, so the default-directory tests run in a child copy of this binary with `TMPDIR`
//! set; the parent plants the directory and the child checks what `with_default_dir()` makes
//! of it.

mod support;

use std::fs;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use bccache::{BytecodeCache, Error, FileSystemBytecodeCache};
use support::child;
use support::fs::{load, store, temp_files_in};
use support::unprivileged::{is_root, rerun_as_nobody};

const PATTERN: &str = "__hostile_%s.cache";
const CHILD_DEADLINE: Duration = Duration::from_secs(30);
/// A load still running after this has blocked, and the test fails.
const LOAD_DEADLINE: Duration = Duration::from_secs(5);

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).expect("lstat").mode() & 0o7777
}

fn uid() -> u32 {
    // SAFETY: getuid takes no arguments, touches no memory and cannot fail.
    unsafe { libc::getuid() }
}

/// Where `with_default_dir()` puts the cache when `TMPDIR` is `tmp`.
fn default_dir_under(tmp: &Path) -> PathBuf {
    tmp.join(format!("_bccache-{}", uid()))
}

/// Loads `name` on a thread and gives it [`LOAD_DEADLINE`]: `None` if it is still loading then.
///
/// A stuck loader is left behind, not joined, so a load that hangs fails the test instead of
/// hanging it.
fn load_within_deadline(
    cache: &FileSystemBytecodeCache,
    name: &str,
    source: &str,
) -> Option<Option<Vec<u8>>> {
    let (tx, rx) = mpsc::channel();
    let loader = {
        let (cache, name, source) = (cache.clone(), name.to_owned(), source.to_owned());
        thread::spawn(move || {
            let _ = tx.send(load(&cache, &name, &source));
        })
    };
    match rx.recv_timeout(LOAD_DEADLINE) {
        Ok(code) => Some(code),
        Err(mpsc::RecvTimeoutError::Timeout) => None,
        // The loader dropped its sender without sending: it panicked, and has finished.
        Err(mpsc::RecvTimeoutError::Disconnected) => match loader.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the loader returned without sending its outcome"),
        },
    }
}

/// Runs `test` in a child whose `TMPDIR` is `tmp`, and returns what it printed.
fn run_with_tmpdir(test: &str, tmp: &Path) -> String {
    let mut command = child::child_command(test, "default-dir");
    command.env("TMPDIR", tmp);
    let output = child::wait_with_deadline(child::spawn(command), CHILD_DEADLINE);
    child::check_passed(test, &output)
}

#[test]
fn default_dir_is_created_private_under_tmpdir() {
    const TEST: &str = "default_dir_is_created_private_under_tmpdir";
    if child::child_instructions().is_some() {
        let tmp = std::env::temp_dir();
        let cache = FileSystemBytecodeCache::with_default_dir().expect("default dir");
        assert_eq!(cache.directory(), default_dir_under(&tmp));
        assert_eq!(mode(cache.directory()), 0o700);
        store(&cache, "t.html", "src", b"code").expect("store");
        assert_eq!(load(&cache, "t.html", "src").as_deref(), Some(&b"code"[..]));
        // A second start finds its own directory and uses it.
        let again = FileSystemBytecodeCache::with_default_dir().expect("default dir again");
        assert_eq!(load(&again, "t.html", "src").as_deref(), Some(&b"code"[..]));
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    run_with_tmpdir(TEST, tmp.path());
    let dir = default_dir_under(tmp.path());
    assert!(dir.is_dir(), "the child created {}", dir.display());
    assert_eq!(mode(&dir), 0o700);
    println!(
        "default dir {} created with mode 0700 under TMPDIR",
        dir.display()
    );
}

#[test]
fn default_dir_planted_as_symlink_is_refused() {
    const TEST: &str = "default_dir_planted_as_symlink_is_refused";
    if child::child_instructions().is_some() {
        let err = FileSystemBytecodeCache::with_default_dir()
            .expect_err("a symlinked default dir must be refused");
        assert!(matches!(err, Error::UnsafeDirectory { .. }), "{err:?}");
        assert!(err.to_string().contains("symlink"), "{err}");
        return;
    }
    // Planted by "another user": a world-writable directory, and a dangling link.
    for dangling in [false, true] {
        let tmp = tempfile::tempdir().expect("temp dir");
        let target = tmp.path().join("attacker");
        if !dangling {
            fs::create_dir(&target).expect("mkdir");
            fs::set_permissions(&target, fs::Permissions::from_mode(0o777)).expect("chmod");
        }
        symlink(&target, default_dir_under(tmp.path())).expect("plant the symlink");
        run_with_tmpdir(TEST, tmp.path());
        if dangling {
            assert!(!target.exists(), "the dangling link's target was created");
        } else {
            assert_eq!(mode(&target), 0o777, "the link's target was chmodded");
            assert_eq!(fs::read_dir(&target).expect("ls").count(), 0);
        }
    }
    println!("symlinked default dir refused (to a directory and dangling); targets untouched");
}

#[test]
fn default_dir_with_mode_0777_is_repaired_to_0700() {
    const TEST: &str = "default_dir_with_mode_0777_is_repaired_to_0700";
    if child::child_instructions().is_some() {
        let cache = FileSystemBytecodeCache::with_default_dir().expect("repaired default dir");
        assert_eq!(mode(cache.directory()), 0o700);
        store(&cache, "t.html", "src", b"code").expect("store");
        assert_eq!(load(&cache, "t.html", "src").as_deref(), Some(&b"code"[..]));
        return;
    }
    for planted in [0o777, 0o1777, 0o755, 0o000] {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = default_dir_under(tmp.path());
        fs::create_dir(&dir).expect("mkdir");
        fs::set_permissions(&dir, fs::Permissions::from_mode(planted)).expect("chmod");
        run_with_tmpdir(TEST, tmp.path());
        assert_eq!(mode(&dir), 0o700, "mode {planted:o} was not repaired");
    }
    println!("default dir with modes 777, 1777, 755 and 000 repaired to 700");
}

#[test]
fn default_dir_that_is_a_file_is_refused() {
    const TEST: &str = "default_dir_that_is_a_file_is_refused";
    if child::child_instructions().is_some() {
        let err = FileSystemBytecodeCache::with_default_dir()
            .expect_err("a file at the default dir must be refused");
        assert!(matches!(err, Error::UnsafeDirectory { .. }), "{err:?}");
        assert!(err.to_string().contains("not a directory"), "{err}");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = default_dir_under(tmp.path());
    fs::write(&dir, b"planted").expect("plant a file");
    run_with_tmpdir(TEST, tmp.path());
    assert_eq!(
        fs::read(&dir).expect("read"),
        b"planted",
        "the file was changed"
    );
}

#[test]
fn read_only_cache_dir_mid_run_fails_dumps_and_still_serves_loads() {
    if is_root() {
        // Root writes into read-only directories; only an ordinary user proves anything.
        rerun_as_nobody("read_only_cache_dir_mid_run_fails_dumps_and_still_serves_loads");
        println!("read-only dir: passed as uid 65534 (root ignores directory modes)");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = FileSystemBytecodeCache::new(dir.path(), PATTERN).expect("cache");
    for name in ["a.html", "b.html", "c.html"] {
        store(&cache, name, "v1", name.as_bytes()).expect("store before the fault");
    }

    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o500)).expect("chmod 500");
    let rewrite = store(&cache, "a.html", "v2", b"new code");
    let fresh = store(&cache, "d.html", "v1", b"d");
    let clear = cache.clear();
    let after: Vec<_> = ["a.html", "b.html", "c.html"]
        .iter()
        .map(|name| load(&cache, name, "v1"))
        .collect();
    let stale = load(&cache, "a.html", "v2");
    let missing = load(&cache, "d.html", "v1");
    let leftovers = temp_files_in(dir.path());
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).expect("chmod 700");

    for (what, result) in [
        ("rewrite", &rewrite),
        ("new entry", &fresh),
        ("clear", &clear),
    ] {
        let err = result
            .as_ref()
            .expect_err(&format!("{what} into a read-only directory must fail"));
        assert!(matches!(err, Error::Io { .. }), "{what}: {err:?}");
        assert!(
            err.to_string().contains(&dir.path().display().to_string()),
            "{what}: the error names the directory: {err}"
        );
    }
    for (name, code) in ["a.html", "b.html", "c.html"].iter().zip(&after) {
        assert_eq!(code.as_deref(), Some(name.as_bytes()), "{name} still loads");
    }
    assert_eq!(stale, None, "the failed rewrite is not half there");
    assert_eq!(missing, None);
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Writable again: the cache recovers without a restart.
    store(&cache, "a.html", "v2", b"new code").expect("store after the fault");
    assert_eq!(
        load(&cache, "a.html", "v2").as_deref(),
        Some(&b"new code"[..])
    );
    println!("read-only dir: 2 dumps and 1 clear failed naming the dir, 3 entries still loaded");
}

#[test]
fn removed_cache_dir_mid_run_fails_dumps_and_misses_loads() {
    let parent = tempfile::tempdir().expect("temp dir");
    let dir = parent.path().join("cache");
    let cache = FileSystemBytecodeCache::new(&dir, PATTERN).expect("cache");
    store(&cache, "a.html", "v1", b"a").expect("store");

    fs::remove_dir_all(&dir).expect("rm -r the cache dir");
    assert_eq!(load(&cache, "a.html", "v1"), None);
    let err = store(&cache, "a.html", "v1", b"a").expect_err("dump into a missing dir");
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&dir.display().to_string()),
        "{err}"
    );
    assert!(cache.clear().is_err(), "clear of a missing directory");
    assert!(!dir.exists(), "a dump or clear recreated the directory");

    // Someone recreates it: the same cache works again.
    fs::create_dir(&dir).expect("mkdir");
    store(&cache, "a.html", "v1", b"a").expect("store after the fault");
    assert_eq!(load(&cache, "a.html", "v1").as_deref(), Some(&b"a"[..]));
    println!("removed dir: load missed, dump and clear failed naming it, nothing recreated it");
}

#[test]
fn cache_dir_replaced_by_a_file_mid_run_misses_loads_and_fails_dumps() {
    let parent = tempfile::tempdir().expect("temp dir");
    let dir = parent.path().join("cache");
    let cache = FileSystemBytecodeCache::new(&dir, PATTERN).expect("cache");
    store(&cache, "a.html", "v1", b"a").expect("store");

    fs::remove_dir_all(&dir).expect("rm -r the cache dir");
    fs::write(&dir, b"not a directory").expect("a file where the directory was");
    assert_eq!(load(&cache, "a.html", "v1"), None);
    let err = store(&cache, "a.html", "v1", b"a").expect_err("dump into a file");
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(cache.clear().is_err(), "clear of a file");
    assert_eq!(fs::read(&dir).expect("read"), b"not a directory");
    println!("dir replaced by a file: load missed, dump and clear failed, the file untouched");
}

#[test]
fn fifo_in_place_of_an_entry_is_a_miss_without_blocking() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = FileSystemBytecodeCache::new(dir.path(), PATTERN).expect("cache");
    let path = cache.path_for_key(&cache.get_cache_key("t.html", None));
    let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("c path");
    // SAFETY: mkfifo reads the NUL-terminated path we own and nothing else.
    let made = unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) };
    assert_eq!(made, 0, "mkfifo: {}", std::io::Error::last_os_error());

    // Opening a FIFO for reading waits for a writer: load on a thread, with a deadline.
    let outcome = load_within_deadline(&cache, "t.html", "src");
    if outcome.is_none() {
        // Release a loader stuck opening the FIFO by opening the other end; O_NONBLOCK, so that
        // this open fails rather than waits if the loader is stuck anywhere else.
        let _ = fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&path);
    }
    let code = outcome.unwrap_or_else(|| panic!("loading a FIFO entry blocked {LOAD_DEADLINE:?}"));
    assert_eq!(code, None);

    // A dump replaces the FIFO with a real entry.
    store(&cache, "t.html", "src", b"code").expect("store over the FIFO");
    assert_eq!(load(&cache, "t.html", "src").as_deref(), Some(&b"code"[..]));
    println!("FIFO entry: a miss at once, then replaced by a real entry");
}

#[test]
fn symlinked_entries_that_lead_nowhere_are_misses() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = FileSystemBytecodeCache::new(dir.path(), PATTERN).expect("cache");
    let path = |name: &str| cache.path_for_key(&cache.get_cache_key(name, None));

    symlink(dir.path().join("nowhere"), path("dangling.html")).expect("dangling link");
    symlink(path("loop.html"), path("loop.html")).expect("self loop");
    symlink("/dev/zero", path("device.html")).expect("link to a device");
    symlink(dir.path(), path("dir.html")).expect("link to a directory");

    for name in ["dangling.html", "loop.html", "device.html", "dir.html"] {
        // Read to EOF, the link to /dev/zero would never end: load with a deadline.
        let code = load_within_deadline(&cache, name, "src")
            .unwrap_or_else(|| panic!("loading {name} blocked {LOAD_DEADLINE:?}"));
        assert_eq!(code, None, "{name}");
        // A dump replaces the link itself, never what it points to.
        store(&cache, name, "src", b"code").expect("store over the link");
        assert_eq!(
            load(&cache, name, "src").as_deref(),
            Some(&b"code"[..]),
            "{name}"
        );
        assert!(
            !fs::symlink_metadata(path(name))
                .expect("lstat")
                .is_symlink()
        );
    }
    assert!(!dir.path().join("nowhere").exists());
    println!("4 symlinked entries (dangling, loop, device, directory): misses, then replaced");
}

#[test]
fn directory_in_place_of_an_entry_fails_the_dump_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = FileSystemBytecodeCache::new(dir.path(), PATTERN).expect("cache");
    let path = cache.path_for_key(&cache.get_cache_key("t.html", None));
    fs::create_dir(&path).expect("a directory where the entry goes");
    fs::write(path.join("inside"), b"keep me").expect("a file inside it");

    assert_eq!(load(&cache, "t.html", "src"), None);
    let err = store(&cache, "t.html", "src", b"code").expect_err("rename over a directory");
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(temp_files_in(dir.path()).is_empty());
    assert_eq!(fs::read(path.join("inside")).expect("read"), b"keep me");
    cache.clear().expect("clear skips the directory");
    assert!(
        path.join("inside").exists(),
        "clear never removes a directory"
    );
}
