//! Counters that outlive the process, as `ccache -s` keeps them: every filesystem cache adds
//! what it counted to one small stats file per pattern in its directory.
//!
//! The file is `.bccache-stats-<16 hex digits of the pattern's xxh3>`: a dot file, which no
//! pattern can make (patterns cannot start with `.`, and entry names never start with the
//! reserved prefix), so `clear()` and the upkeep never touch it. Adding to it is a
//! read-modify-write under `flock` on a sibling `.lock` file, and the new content goes to a
//! temporary file renamed over the old one: many processes at once lose no update, and a reader
//! never sees a torn file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use xxhash_rust::xxh3::xxh3_64;

use crate::error::{Error, Result};
use crate::stats::{CacheStats, Counters};

/// Names starting with this are bccache's own bookkeeping, never entries.
pub(crate) const STATS_PREFIX: &str = ".bccache-stats-";

/// The shortest time between two flushes of one cache.
const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// First line of a stats file: its format.
const HEADER: &str = "bccache-stats 1";

/// The stats file of `pattern`, relative to the cache directory.
pub(crate) fn stats_file_name(pattern: &str) -> String {
    format!("{STATS_PREFIX}{:016x}", xxh3_64(pattern.as_bytes()))
}

/// The persisted half of a cache's counters, shared by its clones: the counts already added to
/// the stats file, so each flush adds only what is new. The last clone flushes at drop.
#[derive(Debug)]
pub(crate) struct StatsFile {
    directory: PathBuf,
    pattern: String,
    counters: Arc<Counters>,
    state: Mutex<FlushState>,
}

#[derive(Debug)]
struct FlushState {
    flushed: CacheStats,
    last: Instant,
}

impl StatsFile {
    pub(crate) fn new(directory: PathBuf, pattern: String, counters: Arc<Counters>) -> Self {
        StatsFile {
            directory,
            pattern,
            counters,
            state: Mutex::new(FlushState {
                flushed: CacheStats::default(),
                last: Instant::now(),
            }),
        }
    }

    /// Flushes if a second has passed since the last flush. Never waits for another thread's
    /// flush, never fails: a read-only directory must not break loads, so an error is logged
    /// at debug level and the counts wait for the next try.
    pub(crate) fn maybe_flush(&self) {
        let Ok(mut state) = self.state.try_lock() else {
            return;
        };
        if state.last.elapsed() < FLUSH_EVERY {
            return;
        }
        // Another process holding the file's lock makes this flush wait for the next chance.
        if let Err(error) = self.flush_locked(&mut state, Wait::Never) {
            tracing::debug!(%error, "bccache stats not saved");
        }
    }

    /// Adds the counts not yet flushed to the stats file now, waiting for the file's lock.
    pub(crate) fn flush(&self) -> Result<()> {
        let mut state = self.lock();
        self.flush_locked(&mut state, Wait::Always)
    }

    fn lock(&self) -> MutexGuard<'_, FlushState> {
        // The state is two plain values: a panic elsewhere cannot leave it half-written.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn flush_locked(&self, state: &mut FlushState, wait: Wait) -> Result<()> {
        state.last = Instant::now();
        let now = self.counters.snapshot();
        let delta = difference(now, state.flushed);
        if delta == CacheStats::default() {
            return Ok(());
        }
        add_to_stats_file(&self.directory, &self.pattern, delta, wait)?;
        state.flushed = now;
        Ok(())
    }
}

impl Drop for StatsFile {
    fn drop(&mut self) {
        let mut state = self.lock();
        if let Err(error) = self.flush_locked(&mut state, Wait::Briefly) {
            tracing::debug!(%error, "bccache stats not saved at drop");
        }
    }
}

/// `a - b` field by field (counters only grow, so never below zero).
fn difference(a: CacheStats, b: CacheStats) -> CacheStats {
    let mut out = CacheStats::default();
    for ((name, x), (_, y)) in a.fields().into_iter().zip(b.fields()) {
        out.set_field(name, x.saturating_sub(y));
    }
    out
}

/// How long a flush may wait for another process's lock on the stats file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Not at all: a load or a dump never waits on another process.
    Never,
    /// A few tries over about 100 ms: the last flush, at drop.
    Briefly,
    /// Until the lock is free: an explicit flush.
    Always,
}

/// Adds `delta` to the stats file of `pattern` in `directory`, under the file's lock.
pub(crate) fn add_to_stats_file(
    directory: &Path,
    pattern: &str,
    delta: CacheStats,
    wait: Wait,
) -> Result<()> {
    let name = stats_file_name(pattern);
    let lock_path = directory.join(format!("{name}.lock"));
    let lock =
        open_lock_file(&lock_path).map_err(|e| Error::io("open stats lock file", &lock_path, e))?;
    lock_exclusive(&lock, wait).map_err(|e| Error::io("lock stats file", &lock_path, e))?;
    let path = directory.join(&name);
    let total = match read_stats_file(&path) {
        Ok(Some((_, stats))) => stats + delta,
        Ok(None) => delta,
        // A damaged file (only a hand edit can make one) starts again from this delta.
        Err(error) => {
            tracing::debug!(%error, "bccache stats file unreadable; starting it again");
            delta
        }
    };
    let mut temp = tempfile::Builder::new()
        .prefix(&format!("{name}."))
        .suffix(".part")
        .tempfile_in(directory)
        .map_err(|e| Error::io("create a temporary file in", directory, e))?;
    temp.as_file_mut()
        .write_all(render(pattern, &total).as_bytes())
        .map_err(|e| Error::io("write stats file", temp.path(), e))?;
    temp.persist(&path)
        .map_err(|e| Error::io("rename stats file into", &path, e.error))?;
    // The lock goes with `lock`, after the rename.
    drop(lock);
    Ok(())
}

fn open_lock_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// Takes the lock on `file` as `wait` allows; `WouldBlock` when another process keeps it.
#[cfg(unix)]
fn lock_exclusive(file: &File, wait: Wait) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;
    const BRIEF_TRIES: u32 = 20;
    let operation = match wait {
        Wait::Always => libc::LOCK_EX,
        Wait::Never | Wait::Briefly => libc::LOCK_EX | libc::LOCK_NB,
    };
    let mut tries = 0;
    loop {
        // SAFETY: flock only reads the descriptor, which `file` keeps open for the call.
        let rc = unsafe { libc::flock(file.as_raw_fd(), operation) };
        if rc == 0 {
            return Ok(());
        }
        let error = io::Error::last_os_error();
        match error.kind() {
            io::ErrorKind::Interrupted => {}
            io::ErrorKind::WouldBlock if wait == Wait::Briefly && tries < BRIEF_TRIES => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(5));
            }
            _ => return Err(error),
        }
    }
}

#[cfg(not(unix))]
fn lock_exclusive(_file: &File, _wait: Wait) -> io::Result<()> {
    Ok(())
}

/// Whether `name` is a temporary file of `pattern`'s stats file, `<stats file>.<random>.part`.
pub(crate) fn is_part_of(pattern_stats_file: &str, name: &str) -> bool {
    name.strip_prefix(pattern_stats_file)
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|rest| rest.ends_with(".part"))
}

fn render(pattern: &str, stats: &CacheStats) -> String {
    let mut out = format!("{HEADER}\npattern {}\n", escape(pattern));
    for (name, value) in stats.fields() {
        out.push_str(&format!("{name} {value}\n"));
    }
    out
}

/// The pattern and counts of the stats file at `path`; `None` if there is none.
pub(crate) fn read_stats_file(path: &Path) -> Result<Option<(String, CacheStats)>> {
    let text = match read_small_file(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("read stats file", path, e)),
    };
    let damaged = |reason: &str| Error::io("parse stats file", path, io::Error::other(reason));
    let text = String::from_utf8(text).map_err(|_| damaged("not UTF-8"))?;
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return Err(damaged(
            "unknown format; remove the file to start counting again",
        ));
    }
    let pattern = lines
        .next()
        .and_then(|line| line.strip_prefix("pattern "))
        .map(unescape)
        .ok_or_else(|| damaged("no pattern line"))?;
    let mut stats = CacheStats::default();
    for line in lines {
        let Some((name, value)) = line.split_once(' ') else {
            return Err(damaged("a line is not `name value`"));
        };
        let value = match value.parse::<u64>() {
            Ok(value) => value,
            // Counts saturate: a sum past `u64::MAX` reads as `u64::MAX`.
            Err(_) if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => u64::MAX,
            Err(_) => return Err(damaged("a count is not a number")),
        };
        // Unknown names come from a newer bccache: keep the counts we know.
        stats.set_field(name, value);
    }
    Ok(Some((pattern, stats)))
}

/// A stats file's bytes, read without following a symlink or waiting on a FIFO, and at most
/// 64 KiB of them: a planted file must not hang or flood a reader.
fn read_small_file(path: &Path) -> io::Result<Vec<u8>> {
    const LIMIT: u64 = 64 * 1024;
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NOFOLLOW | libc::O_NONBLOCK,
    );
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut io::Read::take(file, LIMIT), &mut bytes)?;
    Ok(bytes)
}

/// Every stats file in `directory`: pattern and counts, sorted by pattern.
pub(crate) fn read_all(directory: &Path) -> Result<Vec<(String, CacheStats)>> {
    let entries =
        fs::read_dir(directory).map_err(|e| Error::io("list cache directory", directory, e))?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("list cache directory", directory, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if is_stats_file_name(name) {
            match read_stats_file(&entry.path()) {
                Ok(Some(pair)) => found.push(pair),
                Ok(None) => {}
                Err(error) => tracing::debug!(%error, "bccache stats file skipped"),
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found)
}

/// Whether `name` is a stats file (not its lock or a temporary file).
pub(crate) fn is_stats_file_name(name: &str) -> bool {
    name.strip_prefix(STATS_PREFIX)
        .is_some_and(|hash| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some_stats(hits: u64) -> CacheStats {
        let mut stats = CacheStats::default();
        stats.set_field("hits", hits);
        stats.set_field("misses", 2);
        stats.set_field("bytes_written", 300);
        stats
    }

    #[test]
    fn adds_accumulate_in_one_file() {
        let dir = tempfile::tempdir().unwrap();
        add_to_stats_file(dir.path(), "__a_%s.cache", some_stats(1), Wait::Always).unwrap();
        add_to_stats_file(dir.path(), "__a_%s.cache", some_stats(5), Wait::Always).unwrap();
        let all = read_all(dir.path()).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].0, "__a_%s.cache");
        assert_eq!(
            (all[0].1.hits, all[0].1.misses, all[0].1.bytes_written),
            (6, 4, 600)
        );
    }

    #[test]
    fn a_pattern_with_a_newline_survives_the_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let pattern = "a\\b\nc_%s";
        add_to_stats_file(dir.path(), pattern, some_stats(1), Wait::Always).unwrap();
        assert_eq!(read_all(dir.path()).unwrap()[0].0, pattern);
    }

    #[test]
    fn the_stats_file_name_is_a_reserved_dot_name() {
        let name = stats_file_name(crate::store::fs::DEFAULT_PATTERN);
        assert!(name.starts_with('.'));
        assert!(is_stats_file_name(&name));
        assert!(!is_stats_file_name(&format!("{name}.lock")));
    }

    #[test]
    fn a_damaged_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(stats_file_name("%s"));
        fs::write(&path, "garbage").unwrap();
        let err = read_stats_file(&path).unwrap_err();
        assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");
        // Adding starts it again instead of failing forever.
        add_to_stats_file(dir.path(), "%s", some_stats(3), Wait::Always).unwrap();
        assert_eq!(read_stats_file(&path).unwrap().unwrap().1.hits, 3);
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_or_fifo_is_never_followed_or_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        fs::write(&target, render("%s", &some_stats(9))).unwrap();
        let link = dir.path().join(stats_file_name("%s"));
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(read_stats_file(&link).is_err());
        fs::remove_file(&link).unwrap();
        let fifo = std::ffi::CString::new(link.to_str().unwrap()).unwrap();
        // SAFETY: `fifo` is a valid NUL-terminated path for the call's duration.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        assert!(read_stats_file(&link).is_err());
        assert!(read_all(dir.path()).unwrap().is_empty());
    }

    #[test]
    fn flush_adds_only_the_new_counts() {
        let dir = tempfile::tempdir().unwrap();
        let counters = Arc::new(Counters::default());
        let file = StatsFile::new(dir.path().into(), "p_%s".into(), counters.clone());
        counters.stored(10);
        file.flush().unwrap();
        counters.stored(5);
        file.flush().unwrap();
        drop(file);
        let path = dir.path().join(stats_file_name("p_%s"));
        let (_, stats) = read_stats_file(&path).unwrap().unwrap();
        assert_eq!((stats.stores, stats.bytes_written), (2, 15));
    }
}
