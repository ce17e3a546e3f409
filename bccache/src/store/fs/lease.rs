//! Single-flight leases of the filesystem store: an exclusive `flock` on a lock file beside
//! the entry.
//!
//! The lock file of the entry `E` is `.E.lock`, created empty with mode 0600 and never through
//! a symlink. The kernel releases the lock when its holder's process dies, so a lease needs no
//! expiry. The holder removes the file before unlocking it, so lock files do not pile up: one
//! outlives its lease only when its holder died, and the next loader of the key (or upkeep)
//! takes it over and removes it. A loader that locks a file someone removed meanwhile (its path
//! now names another file, or none) lets go and tries again, so two loaders never hold
//! different files of one key.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::lease::{Lease, LeaseGuard};
use crate::store::fs::FileSystemBytecodeCache;
use crate::store::fs::entry_file::check_key;
use crate::store::fs::layout::{Removal, Walk};
use crate::store::fs::stats_file::STATS_PREFIX;

/// How often a loader tries again after locking a file that was removed meanwhile; each time
/// another loader took and released the lease in between, so giving up reports it busy.
const ATTEMPTS: usize = 8;

/// The lock file name of the entry file name `entry_name`.
pub(crate) fn lock_name(entry_name: &str) -> String {
    format!(".{entry_name}.lock")
}

/// The entry file name a lock file name `.E.lock` is for; `None` for other names, and for the
/// stats file's own lock.
pub(crate) fn lock_target(name: &str) -> Option<&str> {
    if name.starts_with(STATS_PREFIX) {
        return None;
    }
    name.strip_prefix('.')?
        .strip_suffix(".lock")
        .filter(|entry| !entry.is_empty())
}

impl FileSystemBytecodeCache {
    /// The lease on `key`: locks `.E.lock` beside its entry `E` without waiting. The lease has
    /// no expiry (the kernel frees it when its holder dies), so `ttl` is not used: a holder
    /// that overruns is waited for at most the waiter's own `max_wait`.
    pub(crate) fn take_lease(&self, key: &str) -> Result<Lease> {
        check_key(key).map_err(|reason| Error::InvalidKey {
            key: key.to_owned(),
            reason,
        })?;
        let path = self.directory().join(lock_name(&self.file_name(key)));
        for _ in 0..ATTEMPTS {
            let file = open_lock(&path).map_err(|e| Error::io("open lock file", &path, e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => return Ok(Lease::Busy),
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(Error::io("lock", &path, e));
                }
            }
            if still_named(&file, &path).map_err(|e| Error::io("inspect lock file", &path, e))? {
                return Ok(Lease::Held(LeaseGuard::new(move || release(&path, file))));
            }
        }
        Ok(Lease::Busy)
    }
}

/// Opens (creating) a lock file: read-write, mode 0600, never through a symlink or onto a
/// FIFO.
fn open_lock(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    Ok(file)
}

/// Whether `path` still names the open `file`: a holder removes its lock file before unlocking
/// it, so a file locked after that is no longer anyone's lock.
pub(crate) fn still_named(file: &File, path: &Path) -> io::Result<bool> {
    let held = file.metadata()?;
    match std::fs::symlink_metadata(path) {
        Ok(now) => Ok(same_file(&held, &now)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    true
}

/// Releases a lease: the file goes first, then the lock (when `file` closes), so the next
/// loader creates a fresh file instead of locking one on its way out.
fn release(path: &PathBuf, file: File) {
    if let Err(error) = std::fs::remove_file(path)
        && error.kind() != io::ErrorKind::NotFound
    {
        tracing::debug!(%error, path = %path.display(), "cannot remove lock file");
    }
    drop(file);
}

impl Walk {
    /// Removes the lock files no loader holds: those older than `grace`, or all with `None`.
    /// Returns (removed, kept). A lock file is removed as its holder would: locked first, and
    /// only while its path still names the empty file the walk saw.
    pub(crate) fn remove_free_locks(&self, grace: Option<Duration>) -> (u64, u64) {
        let mut removed = 0;
        let mut kept = 0;
        for lock in &self.locks {
            let young =
                grace.is_some_and(|grace| lock.mtime.elapsed().map_or(true, |age| age < grace));
            // Empty: a lock file holds nothing; a file of that name with bytes is not ours.
            if young || lock.len != 0 {
                kept += 1;
                continue;
            }
            let Ok(file) = self.dir.open_file(&lock.name) else {
                continue;
            };
            if file.try_lock().is_err() {
                kept += 1;
                continue;
            }
            if file.metadata().is_ok_and(|meta| lock.is(&meta))
                && matches!(self.remove_if_same(lock), Removal::Removed)
            {
                removed += 1;
            }
            drop(file);
        }
        (removed, kept)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::cache::BytecodeCache;
    use std::os::unix::fs::PermissionsExt;

    const TTL: Duration = Duration::from_secs(5);

    fn cache() -> (tempfile::TempDir, FileSystemBytecodeCache) {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = FileSystemBytecodeCache::new(dir.path(), "__t_%s.cache").expect("cache");
        (dir, cache)
    }

    #[test]
    fn second_asker_is_busy_until_the_guard_drops_and_the_lock_file_goes() {
        let (dir, cache) = cache();
        let lock = dir.path().join(".__t_k.cache.lock");
        let Lease::Held(guard) = cache.lease("k", TTL).expect("lease") else {
            panic!("first asker holds the lease");
        };
        let mode = std::fs::metadata(&lock)
            .expect("lock file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(matches!(cache.lease("k", TTL), Ok(Lease::Busy)));
        assert!(matches!(cache.lease("other", TTL), Ok(Lease::Held(_))));
        drop(guard);
        assert!(!lock.exists(), "the holder removes its lock file");
        assert!(matches!(cache.lease("k", TTL), Ok(Lease::Held(_))));
    }

    #[test]
    fn lock_file_left_by_a_dead_holder_is_taken_over_and_removed() {
        let (dir, cache) = cache();
        let lock = dir.path().join(".__t_k.cache.lock");
        std::fs::write(&lock, b"").expect("stale lock file");
        let Lease::Held(guard) = cache.lease("k", TTL).expect("lease") else {
            panic!("an unlocked lock file is free");
        };
        drop(guard);
        assert!(!lock.exists());
    }

    #[test]
    fn symlink_at_the_lock_path_is_an_error_and_its_target_untouched() {
        let (dir, cache) = cache();
        let target = dir.path().join("target");
        std::fs::write(&target, b"keep").expect("target");
        std::os::unix::fs::symlink(&target, dir.path().join(".__t_k.cache.lock")).expect("symlink");
        let error = cache.lease("k", TTL).expect_err("a symlink is refused");
        assert!(error.to_string().contains(".__t_k.cache.lock"), "{error}");
        assert_eq!(std::fs::read(&target).expect("target"), b"keep");
    }

    #[test]
    fn lock_names_map_back_to_their_entries_but_not_the_stats_lock() {
        assert_eq!(lock_target(&lock_name("__t_k.cache")), Some("__t_k.cache"));
        assert_eq!(lock_target(".bccache-stats-0123456789abcdef.lock"), None);
        assert_eq!(lock_target("__t_k.cache"), None);
        assert_eq!(lock_target("..lock"), None);
    }
}
