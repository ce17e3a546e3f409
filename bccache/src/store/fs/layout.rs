//! Where one pattern's entries live, and which files in a directory are provably theirs.
//!
//! A file belongs to a pattern when the pattern makes its name and no more specific pattern
//! known in the directory does (`__jinja2_%s.cache` claims its names before `%s.cache`). A file
//! is removed only when, on top of that, its first bytes are bccache's magic and the key in its
//! header is the key its name spells, or it is one of the pattern's temporary files.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::entry::{self, Owner};
use crate::error::{Error, Result};
use crate::store::fs::stats_file::{self, STATS_PREFIX};
use crate::store::fs::{DEFAULT_PATTERN, lease};

/// Temporary files younger than this may belong to a live writer: upkeep leaves them alone.
pub const TEMP_FILE_GRACE: Duration = Duration::from_secs(60 * 60);

/// How often a progress callback hears from a walk, in directory entries.
pub(crate) const PROGRESS_EVERY: u64 = 256;

/// A valid file-name pattern, split around its `%s`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pattern {
    pub(crate) text: String,
    pub(crate) before: String,
    pub(crate) after: String,
}

impl Pattern {
    /// Checks `pattern`: exactly one `%s`, no path separator or NUL, no leading `.`.
    pub(crate) fn parse(pattern: &str) -> Result<Self> {
        let invalid = |reason| Error::InvalidPattern {
            pattern: pattern.to_owned(),
            reason,
        };
        let Some((before, after)) = pattern.split_once("%s") else {
            return Err(invalid("`%s` is missing; it stands for the cache key"));
        };
        if after.contains("%s") {
            return Err(invalid("`%s` must appear exactly once"));
        }
        if pattern
            .chars()
            .any(|c| std::path::is_separator(c) || c == '\0')
        {
            return Err(invalid("a file-name pattern cannot hold a path separator"));
        }
        if pattern.starts_with('.') {
            return Err(invalid("a leading `.` is reserved for temporary files"));
        }
        Ok(Pattern {
            text: pattern.to_owned(),
            before: before.to_owned(),
            after: after.to_owned(),
        })
    }

    /// Whether `name` is one this pattern makes. Names of bccache's own bookkeeping
    /// (`.bccache-stats-*`) never are, even for the pattern `%s`.
    pub(crate) fn makes(&self, name: &str) -> bool {
        is_entry_name(&self.before, &self.after, name)
    }

    /// The key `name` spells under this pattern (`name` must be one it makes).
    pub(crate) fn key_of<'n>(&self, name: &'n str) -> &'n str {
        &name[self.before.len()..name.len() - self.after.len()]
    }

    /// Literal characters: the more, the more specific.
    fn specificity(&self) -> usize {
        self.before.len() + self.after.len()
    }
}

/// Whether `name` is one the pattern `before%safter` makes.
pub(crate) fn is_entry_name(before: &str, after: &str, name: &str) -> bool {
    name.len() >= before.len() + after.len()
        && name.starts_with(before)
        && name.ends_with(after)
        && !name.starts_with(STATS_PREFIX)
}

/// Whether `name` is a temporary file of the pattern `before%safter`: `.<entry name>.<random>.tmp`.
pub(crate) fn is_temp_name(before: &str, after: &str, name: &str) -> bool {
    temp_target(name).is_some_and(|entry| is_entry_name(before, after, entry))
}

/// The entry name of a temporary file name `.<entry name>.<random>.tmp`.
pub(crate) fn temp_target(name: &str) -> Option<&str> {
    name.strip_prefix('.')
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .and_then(|rest| rest.rsplit_once('.'))
        .map(|(entry, _random)| entry)
}

/// Where one pattern's entries live: what the walks need of a cache.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    pub(crate) directory: PathBuf,
    pub(crate) pattern: Pattern,
}

/// A file found by a walk.
#[derive(Debug)]
pub(crate) struct Found {
    pub(crate) name: String,
    pub(crate) len: u64,
    pub(crate) mtime: SystemTime,
    id: FileId,
}

impl Found {
    /// Whether `meta` describes the file the walk saw.
    pub(crate) fn is(&self, meta: &fs::Metadata) -> bool {
        FileId::of(meta) == self.id
    }
}

/// What a walk found: this pattern's entries, temporary files, lock files and symlinks.
#[derive(Debug)]
pub(crate) struct Walk {
    pub(crate) dir: Dir,
    pub(crate) entries: Vec<Found>,
    pub(crate) temps: Vec<Found>,
    /// Temporary files of the pattern's stats file, left by a flush killed midway or running.
    pub(crate) parts: Vec<Found>,
    /// Single-flight lock files of the pattern's entries (`.<entry name>.lock`).
    pub(crate) locks: Vec<Found>,
    pub(crate) symlinks: Vec<String>,
}

impl Layout {
    pub(crate) fn new(directory: PathBuf, pattern: Pattern) -> Self {
        Layout { directory, pattern }
    }

    /// The patterns more specific than this one that the directory's stats files record (and
    /// Jinja2's default): their names are theirs, not this pattern's.
    fn more_specific(&self) -> Vec<Pattern> {
        let recorded = stats_file::read_all(&self.directory).unwrap_or_default();
        recorded
            .iter()
            .map(|(p, _)| p.as_str())
            .chain([DEFAULT_PATTERN])
            .filter_map(|p| Pattern::parse(p).ok())
            .filter(|p| p.text != self.pattern.text && p.specificity() > self.pattern.specificity())
            .collect()
    }

    /// Lists this pattern's files with `lstat`, skipping what vanishes meanwhile.
    pub(crate) fn walk(&self, progress: &mut dyn FnMut(u64)) -> Result<Walk> {
        let path = &self.directory;
        let dir = Dir::open(path).map_err(|e| Error::io("open cache directory", path, e))?;
        let others = self.more_specific();
        let entries = fs::read_dir(path).map_err(|e| Error::io("list cache directory", path, e))?;
        let mut walk = Walk {
            dir,
            entries: Vec::new(),
            temps: Vec::new(),
            parts: Vec::new(),
            locks: Vec::new(),
            symlinks: Vec::new(),
        };
        let stats_name = stats_file::stats_file_name(&self.pattern.text);
        let mut seen = 0u64;
        let (before, after) = (&self.pattern.before, &self.pattern.after);
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("list cache directory", path, e))?;
            seen += 1;
            if seen.is_multiple_of(PROGRESS_EVERY) {
                progress(seen);
            }
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let is_part = stats_file::is_part_of(&stats_name, &name);
            let lock_of = lease::lock_target(&name)
                .filter(|entry| !is_part && is_entry_name(before, after, entry));
            let is_lock = lock_of.is_some();
            let is_entry = !is_part && !is_lock && is_entry_name(before, after, &name);
            let entry_name = if is_entry || is_part {
                name.as_str()
            } else if let Some(entry) = lock_of {
                entry
            } else if is_temp_name(before, after, &name) {
                temp_target(&name).unwrap_or_default()
            } else {
                continue;
            };
            if !is_part && others.iter().any(|other| other.makes(entry_name)) {
                continue;
            }
            let Some(meta) = walk
                .dir
                .lstat(&name)
                .map_err(|e| Error::io("inspect cache entry", path.join(&name), e))?
            else {
                continue;
            };
            if meta.file_type().is_symlink() {
                if is_entry {
                    walk.symlinks.push(name);
                }
                continue;
            }
            if !meta.is_file() {
                continue;
            }
            let found = Found {
                name,
                len: meta.len(),
                mtime: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                id: FileId::of(&meta),
            };
            if is_part {
                walk.parts.push(found);
            } else if is_lock {
                walk.locks.push(found);
            } else if is_entry {
                walk.entries.push(found);
            } else {
                walk.temps.push(found);
            }
        }
        Ok(walk)
    }
}

/// What became of a file upkeep meant to remove.
#[derive(Debug)]
pub(crate) enum Removal {
    Removed,
    /// Vanished or replaced meanwhile.
    Gone,
    /// Not provably this pattern's bccache entry: left alone.
    NotOurs,
    /// Could not be read or removed: left alone.
    Failed(io::Error),
}

impl Walk {
    /// Removes the temporary files (of entries and of the stats file) older than
    /// [`TEMP_FILE_GRACE`]: (removed, kept young).
    pub(crate) fn remove_stale_temps(&self) -> (u64, u64) {
        let mut removed = 0;
        let mut kept = 0;
        for temp in self.temps.iter().chain(&self.parts) {
            let young = temp
                .mtime
                .elapsed()
                .map_or(true, |age| age < TEMP_FILE_GRACE);
            if young {
                kept += 1;
            } else if matches!(self.remove_if_same(temp), Removal::Removed) {
                removed += 1;
            }
        }
        (removed, kept)
    }

    /// The path of `name` in the walked directory, for reports and errors.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path.join(name)
    }

    /// Removes the entry `found` of `layout`'s pattern if it is provably bccache's (magic, and
    /// the key in its header is the one its name spells) and still the file the walk saw.
    pub(crate) fn remove_entry(&self, layout: &Layout, found: &Found) -> Removal {
        let key = layout.pattern.key_of(&found.name);
        match self.dir.owner_is(&found.name, found.id, key) {
            Ok(Some(true)) => self.remove_if_same(found),
            Ok(Some(false)) => Removal::NotOurs,
            Ok(None) => Removal::Gone,
            Err(e) => Removal::Failed(e),
        }
    }

    /// Removes `found` if it is still the file the walk saw: a writer may have renamed a fresh
    /// entry there meanwhile.
    pub(crate) fn remove_if_same(&self, found: &Found) -> Removal {
        self.dir.unlink_if(&found.name, found.id)
    }
}

/// An open cache directory: every look and removal after the listing is relative to it, so a
/// parent swapped meanwhile cannot redirect one elsewhere.
#[derive(Debug)]
pub(crate) struct Dir {
    #[cfg_attr(not(unix), allow(dead_code))]
    file: File,
    path: PathBuf,
}

impl Dir {
    pub(crate) fn open(path: &Path) -> io::Result<Self> {
        let mut options = fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_DIRECTORY);
        Ok(Dir {
            file: options.open(path)?,
            path: path.to_owned(),
        })
    }

    /// `lstat` of `name`; `None` if it vanished.
    pub(crate) fn lstat(&self, name: &str) -> io::Result<Option<fs::Metadata>> {
        // std has no `fstatat`; the listing and the stat name the same directory, and what
        // is removed is checked again through the descriptor.
        match fs::symlink_metadata(self.path.join(name)) {
            Ok(meta) => Ok(Some(meta)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Opens `name` for reading without following a symlink or waiting on a FIFO.
    pub(crate) fn open_file(&self, name: &str) -> io::Result<File> {
        #[cfg(unix)]
        {
            use std::os::fd::{AsRawFd, FromRawFd};
            let c_name = c_name(name)?;
            let flags = libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC;
            // SAFETY: the descriptor is open for the call and `c_name` is NUL-terminated.
            let fd = unsafe { libc::openat(self.file.as_raw_fd(), c_name.as_ptr(), flags) };
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: `fd` was just opened and nothing else owns it.
            Ok(unsafe { File::from_raw_fd(fd) })
        }
        #[cfg(not(unix))]
        fs::File::open(self.path.join(name))
    }

    /// Whether the regular file `name` is provably bccache's and stored under `key`; `None`
    /// if it is no longer the file `id`.
    fn owner_is(&self, name: &str, id: FileId, key: &str) -> io::Result<Option<bool>> {
        let mut file = match self.open_file(name) {
            Ok(file) => file,
            Err(e) if gone(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        let meta = file.metadata()?;
        if !meta.is_file() || FileId::of(&meta) != id {
            return Ok(None);
        }
        let mut head = Vec::with_capacity(entry::OWNER_LOOK);
        (&mut file)
            .take(entry::OWNER_LOOK as u64)
            .read_to_end(&mut head)?;
        Ok(Some(match entry::owner(&head) {
            Owner::NotBccache => false,
            Owner::Key(found) => found == key.as_bytes(),
            Owner::Unknown => true,
        }))
    }

    /// Which file `name` is now, without following a symlink; `None` if it vanished.
    fn id_of(&self, name: &str) -> io::Result<Option<FileId>> {
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            let c_name = c_name(name)?;
            let mut stat = std::mem::MaybeUninit::<libc::stat>::uninit();
            // SAFETY: the descriptor is open for the call, `c_name` is NUL-terminated and
            // `stat` is writable memory of the size fstatat fills.
            let rc = unsafe {
                libc::fstatat(
                    self.file.as_raw_fd(),
                    c_name.as_ptr(),
                    stat.as_mut_ptr(),
                    libc::AT_SYMLINK_NOFOLLOW,
                )
            };
            if rc != 0 {
                let e = io::Error::last_os_error();
                return if e.kind() == io::ErrorKind::NotFound {
                    Ok(None)
                } else {
                    Err(e)
                };
            }
            // SAFETY: fstatat succeeded, so it filled `stat`.
            let stat = unsafe { stat.assume_init() };
            #[allow(clippy::unnecessary_cast)]
            Ok(Some(FileId(stat.st_dev as u64, stat.st_ino as u64)))
        }
        #[cfg(not(unix))]
        Ok(self.lstat(name)?.map(|meta| FileId::of(&meta)))
    }

    /// Removes `name` if it is still the file `id`.
    fn unlink_if(&self, name: &str, id: FileId) -> Removal {
        match self.id_of(name) {
            Ok(Some(now)) if now == id => {}
            Ok(_) => return Removal::Gone,
            Err(e) => return Removal::Failed(e),
        }
        match self.unlink(name) {
            Ok(()) => Removal::Removed,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Removal::Gone,
            Err(e) => Removal::Failed(e),
        }
    }

    /// Removes `name` from this directory (never a directory).
    pub(crate) fn unlink(&self, name: &str) -> io::Result<()> {
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            let c_name = c_name(name)?;
            // SAFETY: the descriptor is open for the call and `c_name` is NUL-terminated.
            let rc = unsafe { libc::unlinkat(self.file.as_raw_fd(), c_name.as_ptr(), 0) };
            if rc != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        }
        #[cfg(not(unix))]
        fs::remove_file(self.path.join(name))
    }
}

#[cfg(unix)]
fn c_name(name: &str) -> io::Result<std::ffi::CString> {
    std::ffi::CString::new(name).map_err(|_| io::Error::other("a file name holding NUL"))
}

/// Errors that mean the file is no longer there to judge.
fn gone(e: &io::Error) -> bool {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return true;
    }
    e.kind() == io::ErrorKind::NotFound
}

/// Which file a path named: device and inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FileId(u64, u64);

impl FileId {
    #[cfg(unix)]
    pub(crate) fn of(meta: &fs::Metadata) -> Self {
        use std::os::unix::fs::MetadataExt;
        FileId(meta.dev(), meta.ino())
    }

    #[cfg(not(unix))]
    pub(crate) fn of(meta: &fs::Metadata) -> Self {
        FileId(meta.len(), 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_file_names_are_never_entries() {
        assert!(!is_entry_name("", "", ".bccache-stats-0123456789abcdef"));
        assert!(!is_entry_name(
            "",
            "",
            ".bccache-stats-0123456789abcdef.lock"
        ));
        assert!(!is_entry_name("", "", ".bccache-stats-0123.AbC.part"));
        assert!(!is_temp_name("", "", ".bccache-stats-0123.AbC.part"));
        assert!(is_entry_name("", "", "anything"));
    }

    #[test]
    fn temp_names_are_recognised_only_for_their_pattern() {
        assert!(is_temp_name("__a_", ".cache", ".__a_k.cache.XyZ123.tmp"));
        assert!(!is_temp_name("__a_", ".cache", ".__b_k.cache.XyZ123.tmp"));
        assert!(!is_temp_name("__a_", ".cache", "__a_k.cache.XyZ123.tmp"));
        assert!(is_entry_name("__a_", ".cache", "__a_.cache"));
        assert!(!is_entry_name("__a_", ".cache", "__a.cache"));
    }

    #[test]
    fn bad_patterns_are_refused_with_a_reason() {
        for bad in ["", "x", "%s%s", "a/%s", ".x_%s", "a\0%s"] {
            assert!(Pattern::parse(bad).is_err(), "{bad:?}");
        }
        let p = Pattern::parse("__a_%s.cache").unwrap();
        assert_eq!(p.key_of("__a_k1.cache"), "k1");
    }
}
