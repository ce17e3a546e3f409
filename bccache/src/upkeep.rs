//! Keeping a filesystem cache in shape: size bounds, pruning, verification, and the reports
//! the `bccache` command prints.
//!
//! Every walk here lists the directory once and looks at each name with `lstat`: a symlink is
//! never followed, a file that vanishes meanwhile (another process evicting) is simply gone,
//! and nothing whose name the pattern does not make is touched. Entries are only ever removed
//! whole (`unlink`), so a reader sees a complete entry or none.
//!
//! [`scan_dir`] looks at a directory without knowing its patterns, for `bccache stats`:
//!
//! ```
//! use bccache::{BytecodeCache, FileSystemBytecodeCache};
//!
//! let dir = tempfile::tempdir()?;
//! let cache = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?;
//! let mut bucket = cache.get_bucket(&(), "a.lua", None, "return 1")?;
//! bucket.code = Some(b"code".to_vec());
//! cache.set_bucket(&bucket)?;
//! drop(cache); // its counts go to the stats file
//!
//! let report = bccache::upkeep::scan_dir(dir.path())?;
//! let pattern = &report.patterns[0];
//! assert_eq!((pattern.pattern.as_str(), pattern.entries), ("__app_%s.cache", 1));
//! assert_eq!((pattern.stats.misses, pattern.stats.stores), (1, 1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use xxhash_rust::xxh3::xxh3_64;

use crate::bucket::BC_MAGIC;
use crate::error::{Error, Result};
use crate::stats::CacheStats;
use crate::store::fs::stats_file::{self, STATS_PREFIX};
use crate::store::fs::{DEFAULT_PATTERN, FileSystemBytecodeCache};

/// Temporary files younger than this may belong to a live writer: upkeep leaves them alone.
pub const TEMP_FILE_GRACE: Duration = Duration::from_secs(60 * 60);

/// A hit refreshes its entry's mtime (its recency) when the mtime is older than this.
pub(crate) const RECENCY_GRANULARITY: Duration = Duration::from_secs(60);

/// How often a progress callback hears from a walk, in directory entries.
const PROGRESS_EVERY: u64 = 256;

/// Bytes of the trailing xxh3 checksum of an entry.
const TRAILER_LEN: usize = 8;

/// What [`FileSystemBytecodeCache::prune`] and
/// [`prune_to_size`](crate::FileSystemBytecodeCache::prune_to_size) did.
///
/// [`FileSystemBytecodeCache::prune`]: crate::FileSystemBytecodeCache::prune
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PruneReport {
    /// Entries left in place.
    pub entries_kept: u64,
    /// Bytes of the entries left in place.
    pub bytes_kept: u64,
    /// Entries removed.
    pub entries_removed: u64,
    /// Bytes of the entries removed.
    pub bytes_freed: u64,
    /// Temporary files older than [`TEMP_FILE_GRACE`] removed (left behind by a crashed writer).
    pub temp_files_removed: u64,
    /// Symlinks with an entry's name, left alone (never followed).
    pub symlinks_skipped: u64,
}

/// What [`FileSystemBytecodeCache::verify`](crate::FileSystemBytecodeCache::verify) found and
/// did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyReport {
    /// Entries read and decoded.
    pub entries_checked: u64,
    /// Entries intact and kept.
    pub entries_kept: u64,
    /// Bytes of the entries kept.
    pub bytes_kept: u64,
    /// Entries that are not bccache's and were kept: Jinja2's own (Python) entries, or
    /// another bccache format version.
    pub foreign_kept: u64,
    /// Entries failing a structural check (magic, lengths, key, trailer).
    pub corrupt_found: u64,
    /// Corrupt entries removed (fewer than found if one was replaced meanwhile).
    pub corrupt_removed: u64,
    /// Bytes of the corrupt entries removed.
    pub bytes_freed: u64,
    /// Temporary files older than [`TEMP_FILE_GRACE`] removed.
    pub temp_files_removed: u64,
    /// Younger temporary files, left to their writers.
    pub temp_files_kept: u64,
    /// Symlinks with an entry's name, removed (the link only, never its target): bccache never
    /// makes them, and a load would follow one.
    pub symlinks_removed: u64,
    /// The corrupt entries found.
    pub corrupt: Vec<PathBuf>,
}

/// One pattern's share of a directory, from [`scan_dir`].
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct PatternReport {
    /// The file-name pattern, found in a stats file or guessed from names (`PREFIX%sSUFFIX`
    /// around a 40-hex-digit key).
    pub pattern: String,
    /// Entries (regular files the pattern makes).
    pub entries: u64,
    /// Their bytes.
    pub bytes: u64,
    /// The oldest entry's mtime (recency: a hit refreshes it at most once a minute).
    pub oldest: Option<SystemTime>,
    /// The median entry's mtime.
    pub median: Option<SystemTime>,
    /// The newest entry's mtime.
    pub newest: Option<SystemTime>,
    /// Entries failing a quick structural check (header and length; the whole entry when it
    /// is at most 4 KiB). `bccache verify` checks every byte.
    pub corrupt: u64,
    /// This pattern's temporary files.
    pub temp_files: u64,
    /// Symlinks with an entry's name.
    pub symlinks: u64,
    /// Counts persisted by every process that used this pattern here.
    pub stats: CacheStats,
}

/// What [`scan_dir`] found in a directory.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct DirReport {
    /// The directory scanned.
    pub directory: PathBuf,
    /// One report per pattern found, sorted by pattern.
    pub patterns: Vec<PatternReport>,
    /// Files no pattern accounts for (left alone by every command).
    pub other_files: u64,
}

impl DirReport {
    /// Every pattern's counts added up.
    pub fn total_stats(&self) -> CacheStats {
        self.patterns.iter().fold(CacheStats::default(), |sum, p| {
            stats_file::saturating_sum(sum, p.stats)
        })
    }
}

/// Entries, bytes, ages, corrupt entries, temporary files and persisted counts per pattern found
/// in `dir`, without changing anything.
///
/// Patterns come from the stats files in `dir` (exact), then [`DEFAULT_PATTERN`], then any name
/// of the form `PREFIX<40 hex digits>SUFFIX` (a guess: `PREFIX%sSUFFIX`).
pub fn scan_dir(dir: &Path) -> Result<DirReport> {
    scan_dir_with_progress(dir, &mut |_| {})
}

/// [`scan_dir`] calling `progress` with the number of names looked at so far, every few
/// hundred names.
pub fn scan_dir_with_progress(dir: &Path, progress: &mut dyn FnMut(u64)) -> Result<DirReport> {
    let persisted = stats_file::read_all(dir)?;
    let mut classifier = Classifier::new(persisted.iter().map(|(p, _)| p.as_str()));
    let mut reports: HashMap<String, (PatternReport, Vec<SystemTime>)> = HashMap::new();
    let entries = fs::read_dir(dir).map_err(|e| Error::io("list cache directory", dir, e))?;
    let mut other_files = 0;
    let mut seen = 0u64;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("list cache directory", dir, e))?;
        seen += 1;
        if seen % PROGRESS_EVERY == 0 {
            progress(seen);
        }
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            other_files += 1;
            continue;
        };
        if name.starts_with(STATS_PREFIX) {
            continue;
        }
        let Some((pattern, is_temp)) = classifier.classify(name) else {
            other_files += 1;
            continue;
        };
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        let (report, mtimes) = reports.entry(pattern.clone()).or_insert_with(|| {
            (
                PatternReport {
                    pattern,
                    ..PatternReport::default()
                },
                Vec::new(),
            )
        });
        if file_type.is_symlink() {
            report.symlinks += 1;
        } else if is_temp {
            report.temp_files += 1;
        } else if file_type.is_file() {
            let path = entry.path();
            let Some(meta) = lstat_or_vanished(&path)? else {
                continue;
            };
            report.entries += 1;
            report.bytes += meta.len();
            mtimes.push(meta.modified().unwrap_or(SystemTime::UNIX_EPOCH));
            if quick_check(&path, meta.len()) == Some(false) {
                report.corrupt += 1;
            }
        } else {
            other_files += 1;
        }
    }
    for (pattern, stats) in persisted {
        let (report, _) = reports.entry(pattern.clone()).or_insert_with(|| {
            (
                PatternReport {
                    pattern,
                    ..PatternReport::default()
                },
                Vec::new(),
            )
        });
        report.stats = stats;
    }
    let mut patterns: Vec<PatternReport> = reports
        .into_values()
        .map(|(mut report, mut mtimes)| {
            mtimes.sort_unstable();
            report.oldest = mtimes.first().copied();
            report.newest = mtimes.last().copied();
            report.median = mtimes.get(mtimes.len() / 2).copied();
            report
        })
        .collect();
    patterns.sort_by(|a, b| a.pattern.cmp(&b.pattern));
    Ok(DirReport {
        directory: dir.to_owned(),
        patterns,
        other_files,
    })
}

/// The patterns whose entries or temporary files are in `dir`, found as [`scan_dir`] finds
/// them, sorted; without looking at any file.
pub fn patterns_in(dir: &Path) -> Result<Vec<String>> {
    let persisted = stats_file::read_all(dir)?;
    let mut classifier = Classifier::new(persisted.iter().map(|(p, _)| p.as_str()));
    let entries = fs::read_dir(dir).map_err(|e| Error::io("list cache directory", dir, e))?;
    let mut found = std::collections::BTreeSet::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("list cache directory", dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with(STATS_PREFIX) {
            continue;
        }
        if let Some((pattern, _)) = classifier.classify(name) {
            found.insert(pattern);
        }
    }
    Ok(found.into_iter().collect())
}

/// Tells which pattern a file name belongs to: known patterns first (the most specific first,
/// as `%s` alone would claim every name), then a guess.
struct Classifier {
    known: Vec<(String, String, String)>,
}

impl Classifier {
    fn new<'a>(patterns: impl Iterator<Item = &'a str>) -> Self {
        let mut classifier = Classifier { known: Vec::new() };
        for pattern in patterns {
            classifier.remember(pattern);
        }
        classifier.remember(DEFAULT_PATTERN);
        classifier
    }

    fn remember(&mut self, pattern: &str) {
        if self.known.iter().any(|(p, _, _)| p == pattern) {
            return;
        }
        if let Some((before, after)) = pattern.split_once("%s") {
            self.known
                .push((pattern.to_owned(), before.to_owned(), after.to_owned()));
            self.known
                .sort_by_key(|(_, b, a)| std::cmp::Reverse(b.len() + a.len()));
        }
    }

    /// The pattern of `name` and whether it is a temporary file.
    fn classify(&mut self, name: &str) -> Option<(String, bool)> {
        let (entry_name, is_temp) = match temp_target(name) {
            Some(target) => (target, true),
            None => (name, false),
        };
        let known = self
            .known
            .iter()
            .find(|(_, before, after)| is_entry_name(before, after, entry_name));
        if let Some((pattern, _, _)) = known {
            return Some((pattern.clone(), is_temp));
        }
        let pattern = guess_pattern(entry_name)?;
        self.remember(&pattern);
        Some((pattern, is_temp))
    }
}

/// `PREFIX%sSUFFIX` for a name holding a run of exactly 40 hex digits (a sha1 key) that does
/// not start with `.`.
fn guess_pattern(name: &str) -> Option<String> {
    if name.starts_with('.') {
        return None;
    }
    let bytes = name.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if !bytes[start].is_ascii_hexdigit() {
            start += 1;
            continue;
        }
        let end = bytes[start..]
            .iter()
            .position(|b| !b.is_ascii_hexdigit())
            .map_or(bytes.len(), |n| start + n);
        if end - start == 40 {
            let pattern = format!("{}%s{}", &name[..start], &name[end..]);
            return (!pattern.contains("%s%s") && pattern.matches("%s").count() == 1)
                .then_some(pattern);
        }
        start = end;
    }
    None
}

/// The entry name of a temporary file name `.<entry name>.<random>.tmp`.
fn temp_target(name: &str) -> Option<&str> {
    name.strip_prefix('.')
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .and_then(|rest| rest.rsplit_once('.'))
        .map(|(entry, _random)| entry)
}

/// Whether `name` is one the pattern `before%safter` makes. Names of bccache's own bookkeeping
/// (`.bccache-stats-*`) never are, even for the pattern `%s`.
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

/// Where one pattern's entries live: what the walks need of a cache.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    directory: PathBuf,
    before: String,
    after: String,
}

/// A file found by a walk.
#[derive(Debug)]
struct Found {
    path: PathBuf,
    len: u64,
    mtime: SystemTime,
    id: FileId,
}

/// What a walk found: this pattern's entries, temporary files and symlinks.
#[derive(Debug, Default)]
struct Walk {
    entries: Vec<Found>,
    temps: Vec<Found>,
    symlinks: Vec<PathBuf>,
}

impl Layout {
    pub(crate) fn new(directory: PathBuf, before: String, after: String) -> Self {
        Layout {
            directory,
            before,
            after,
        }
    }

    fn is_entry_name(&self, name: &str) -> bool {
        is_entry_name(&self.before, &self.after, name)
    }

    fn is_temp_name(&self, name: &str) -> bool {
        is_temp_name(&self.before, &self.after, name)
    }

    /// Lists this pattern's files with `lstat`, skipping what vanishes meanwhile.
    fn walk(&self, progress: &mut dyn FnMut(u64)) -> Result<Walk> {
        let dir = &self.directory;
        let entries = fs::read_dir(dir).map_err(|e| Error::io("list cache directory", dir, e))?;
        let mut walk = Walk::default();
        let mut seen = 0u64;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("list cache directory", dir, e))?;
            seen += 1;
            if seen % PROGRESS_EVERY == 0 {
                progress(seen);
            }
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let is_entry = self.is_entry_name(name);
            if !is_entry && !self.is_temp_name(name) {
                continue;
            }
            let path = entry.path();
            let Some(meta) = lstat_or_vanished(&path)? else {
                continue;
            };
            if meta.file_type().is_symlink() {
                if is_entry {
                    walk.symlinks.push(path);
                }
                continue;
            }
            if !meta.is_file() {
                continue;
            }
            let found = Found {
                path,
                len: meta.len(),
                mtime: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                id: FileId::of(&meta),
            };
            if is_entry {
                walk.entries.push(found);
            } else {
                walk.temps.push(found);
            }
        }
        Ok(walk)
    }

    /// Removes entries not used for `older_than`, and stale temporary files.
    pub(crate) fn prune(&self, older_than: Duration) -> Result<PruneReport> {
        let walk = self.walk(&mut |_| {})?;
        let cutoff = SystemTime::now().checked_sub(older_than);
        let mut report = PruneReport {
            symlinks_skipped: walk.symlinks.len() as u64,
            temp_files_removed: remove_stale_temps(&walk.temps).0,
            ..PruneReport::default()
        };
        for found in walk.entries {
            if cutoff.is_some_and(|cutoff| found.mtime < cutoff) && remove_if_same(&found)? {
                report.entries_removed += 1;
                report.bytes_freed += found.len;
            } else {
                report.entries_kept += 1;
                report.bytes_kept += found.len;
            }
        }
        Ok(report)
    }

    /// Removes the least recently used entries until this pattern's entries take at most
    /// `max_bytes`, and stale temporary files.
    pub(crate) fn prune_to_size(&self, max_bytes: u64) -> Result<PruneReport> {
        let walk = self.walk(&mut |_| {})?;
        evict(walk, max_bytes)
    }

    /// Decodes every entry; removes corrupt ones, stale temporary files and symlinks.
    pub(crate) fn verify(&self, progress: &mut dyn FnMut(u64)) -> Result<VerifyReport> {
        let walk = self.walk(progress)?;
        let (temp_files_removed, temp_files_kept) = remove_stale_temps(&walk.temps);
        let mut report = VerifyReport {
            temp_files_removed,
            temp_files_kept,
            ..VerifyReport::default()
        };
        for link in &walk.symlinks {
            // unlink removes the link itself; its target is never opened.
            match fs::remove_file(link) {
                Ok(()) => report.symlinks_removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io("remove symlink", link, e)),
            }
        }
        for (n, found) in walk.entries.iter().enumerate() {
            if (n as u64 + 1) % PROGRESS_EVERY == 0 {
                progress(n as u64 + 1);
            }
            let Some((bytes, id)) = read_entry_nofollow(&found.path)? else {
                continue;
            };
            report.entries_checked += 1;
            let name = found
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let key = &name[self.before.len()..name.len() - self.after.len()];
            let verdict = match inspect(&bytes) {
                Ok(info) if info.key == key.as_bytes() => Ok(()),
                Ok(_) => Err(Problem::Corrupt("the key is not the file name's")),
                Err(problem) => Err(problem),
            };
            match verdict {
                Ok(()) => {
                    report.entries_kept += 1;
                    report.bytes_kept += bytes.len() as u64;
                }
                Err(Problem::Foreign) => report.foreign_kept += 1,
                Err(Problem::Corrupt(_)) => {
                    report.corrupt_found += 1;
                    report.corrupt.push(found.path.clone());
                    let same = Found {
                        path: found.path.clone(),
                        len: bytes.len() as u64,
                        mtime: found.mtime,
                        id,
                    };
                    if remove_if_same(&same)? {
                        report.corrupt_removed += 1;
                        report.bytes_freed += same.len;
                    }
                }
            }
        }
        Ok(report)
    }

    /// The bytes of this pattern's entries.
    fn size(&self) -> Result<(Walk, u64)> {
        let walk = self.walk(&mut |_| {})?;
        let total = walk.entries.iter().map(|f| f.len).sum();
        Ok((walk, total))
    }
}

/// Removes the least recently used entries of `walk` until they take at most `max_bytes`.
fn evict(walk: Walk, max_bytes: u64) -> Result<PruneReport> {
    let mut entries = walk.entries;
    entries.sort_by_key(|f| f.mtime);
    let mut total: u64 = entries.iter().map(|f| f.len).sum();
    let mut report = PruneReport {
        symlinks_skipped: walk.symlinks.len() as u64,
        temp_files_removed: remove_stale_temps(&walk.temps).0,
        ..PruneReport::default()
    };
    for found in entries {
        if total > max_bytes {
            total -= found.len;
            if remove_if_same(&found)? {
                report.entries_removed += 1;
                report.bytes_freed += found.len;
            }
            continue;
        }
        report.entries_kept += 1;
        report.bytes_kept += found.len;
    }
    Ok(report)
}

/// Removes the temporary files older than [`TEMP_FILE_GRACE`]: (removed, kept young).
fn remove_stale_temps(temps: &[Found]) -> (u64, u64) {
    let mut removed = 0;
    let mut kept = 0;
    for temp in temps {
        let young = temp
            .mtime
            .elapsed()
            .map_or(true, |age| age < TEMP_FILE_GRACE);
        if young {
            kept += 1;
        } else if remove_if_same(temp).unwrap_or(false) {
            removed += 1;
        }
    }
    (removed, kept)
}

/// Removes the file at `found.path` if it is still the file that was looked at: a writer may
/// have renamed a fresh entry there meanwhile. `false` if it vanished or was replaced.
fn remove_if_same(found: &Found) -> Result<bool> {
    match lstat_or_vanished(&found.path)? {
        Some(meta) if FileId::of(&meta) == found.id => {}
        _ => return Ok(false),
    }
    match fs::remove_file(&found.path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io("remove cache entry", &found.path, e)),
    }
}

fn lstat_or_vanished(path: &Path) -> Result<Option<fs::Metadata>> {
    match fs::symlink_metadata(path) {
        Ok(meta) => Ok(Some(meta)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("inspect cache entry", path, e)),
    }
}

/// Which file a path named: device and inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileId(u64, u64);

impl FileId {
    #[cfg(unix)]
    fn of(meta: &fs::Metadata) -> Self {
        use std::os::unix::fs::MetadataExt;
        FileId(meta.dev(), meta.ino())
    }

    #[cfg(not(unix))]
    fn of(meta: &fs::Metadata) -> Self {
        FileId(meta.len(), 0)
    }
}

/// Opens a file for reading without following a symlink or waiting on a FIFO.
fn open_nofollow(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NOFOLLOW | libc::O_NONBLOCK,
    );
    options.open(path)
}

/// The whole entry at `path` and which file it was, or `None` if it vanished or is no longer
/// a regular file.
fn read_entry_nofollow(path: &Path) -> Result<Option<(Vec<u8>, FileId)>> {
    let mut file = match open_nofollow(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Ok(None),
        Err(e) => return Err(Error::io("open cache entry", path, e)),
    };
    let meta = file
        .metadata()
        .map_err(|e| Error::io("stat cache entry", path, e))?;
    if !meta.is_file() {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).min(1 << 28));
    file.read_to_end(&mut bytes)
        .map_err(|e| Error::io("read cache entry", path, e))?;
    Ok(Some((bytes, FileId::of(&meta))))
}

/// The quick structural check of [`scan_dir`]: `Some(true)` intact as far as looked,
/// `Some(false)` corrupt, `None` unreadable or vanished.
fn quick_check(path: &Path, len: u64) -> Option<bool> {
    const LOOK: usize = 4096;
    let mut file = open_nofollow(path).ok()?;
    let mut buf = vec![0u8; usize::try_from(len).map_or(LOOK, |l| l.min(LOOK))];
    file.read_exact(&mut buf).ok()?;
    if buf.len() as u64 == len {
        return Some(!matches!(inspect(&buf), Err(Problem::Corrupt(_))));
    }
    Some(match parse_header(&buf) {
        Ok((info, header_len)) => {
            info.code_len.checked_add((header_len + TRAILER_LEN) as u64) == Some(len)
        }
        Err(Problem::Corrupt("truncated")) => true,
        Err(Problem::Foreign) => true,
        Err(Problem::Corrupt(_)) => false,
    })
}

/// What an entry's bytes say about themselves, read without knowing the environment or the
/// source: enough to tell an intact entry from a corrupt one.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct EntryInfo {
    /// xxh3 of the environment's fingerprint.
    pub(crate) fingerprint: u64,
    pub(crate) key: Vec<u8>,
    pub(crate) checksum: Vec<u8>,
    pub(crate) code_len: u64,
}

/// Why an entry is not an intact bccache entry of this format version.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Problem {
    /// Not ours to judge: Jinja2's own (`j2` magic) or another bccache format version.
    Foreign,
    /// Damaged: the reason.
    Corrupt(&'static str),
}

/// Decodes a whole entry structurally (the format in [`Bucket`](crate::Bucket)'s docs): magic,
/// lengths that add up to the size, and the trailer.
pub(crate) fn inspect(bytes: &[u8]) -> std::result::Result<EntryInfo, Problem> {
    let (info, header_len) = parse_header(bytes)?;
    let body_len = bytes.len().checked_sub(TRAILER_LEN);
    if body_len.and_then(|body| body.checked_sub(header_len)) != usize::try_from(info.code_len).ok()
    {
        return Err(Problem::Corrupt("the code length does not match the size"));
    }
    let body_len = bytes.len() - TRAILER_LEN;
    let trailer = u64::from_le_bytes(bytes[body_len..].try_into().unwrap_or_default());
    if xxh3_64(&bytes[..body_len]) != trailer {
        return Err(Problem::Corrupt("the trailer does not match"));
    }
    Ok(info)
}

/// The header of an entry and its length; `Corrupt("truncated")` if `bytes` ends inside it.
fn parse_header(bytes: &[u8]) -> std::result::Result<(EntryInfo, usize), Problem> {
    const TRUNCATED: Problem = Problem::Corrupt("truncated");
    if !bytes.starts_with(BC_MAGIC) {
        let other_version = bytes.len() >= BC_MAGIC.len() && bytes.starts_with(&BC_MAGIC[..8]);
        if other_version || bytes.starts_with(b"j2") {
            return Err(Problem::Foreign);
        }
        if bytes.len() < BC_MAGIC.len() && BC_MAGIC.starts_with(bytes) {
            return Err(TRUNCATED);
        }
        return Err(Problem::Corrupt("not a bccache entry"));
    }
    let mut at = BC_MAGIC.len();
    let mut take = |n: usize| -> std::result::Result<&[u8], Problem> {
        let part = bytes
            .get(at..at.checked_add(n).ok_or(TRUNCATED)?)
            .ok_or(TRUNCATED)?;
        at += n;
        Ok(part)
    };
    let u64_of = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or_default());
    let u32_of = |b: &[u8]| u32::from_le_bytes(b.try_into().unwrap_or_default()) as usize;
    let fingerprint = u64_of(take(8)?);
    let key_len = u32_of(take(4)?);
    let key = take(key_len)?.to_vec();
    let checksum_len = u32_of(take(4)?);
    let checksum = take(checksum_len)?.to_vec();
    let code_len = u64_of(take(8)?);
    Ok((
        EntryInfo {
            fingerprint,
            key,
            checksum,
            code_len,
        },
        at,
    ))
}

/// The size bound of a cache made with
/// [`max_size`](crate::FileSystemBytecodeCache::max_size), shared by its clones.
///
/// The size is tracked, not measured: one scan, then each dump adds its bytes. A rescan comes
/// every minute or after a tenth of the bound was written since the last one, which keeps
/// other processes' writes in view; past the bound, the least recently used entries go until
/// the pattern is under 90 % of it. The last clone checks once more at drop if it wrote since
/// its last scan, so a directory many processes filled ends under the bound.
#[derive(Debug)]
pub(crate) struct SizeBound {
    max: u64,
    layout: Layout,
    state: Mutex<BoundState>,
}

#[derive(Debug, Default)]
struct BoundState {
    approx: u64,
    written_since_scan: u64,
    scanned: Option<Instant>,
}

/// How often the tracked size is measured again, at the least.
const RESCAN_EVERY: Duration = Duration::from_secs(60);

impl SizeBound {
    pub(crate) fn new(max: u64, layout: Layout) -> Self {
        SizeBound {
            max,
            layout,
            state: Mutex::new(BoundState::default()),
        }
    }

    /// The bound, in bytes.
    pub(crate) fn max(&self) -> u64 {
        self.max
    }

    /// Counts an entry of `len` bytes written; evicts if that took the pattern past the bound.
    /// Never fails the dump that called it: an error is logged at debug level.
    pub(crate) fn stored(&self, len: u64) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.approx = state.approx.saturating_add(len);
        state.written_since_scan = state.written_since_scan.saturating_add(len);
        let due = state.scanned.is_none_or(|at| at.elapsed() >= RESCAN_EVERY)
            || state.written_since_scan >= (self.max / 10).max(1);
        if due || state.approx > self.max {
            if let Err(error) = self.check(&mut state) {
                tracing::debug!(%error, "bccache size bound not enforced");
            }
        }
    }

    fn check(&self, state: &mut BoundState) -> Result<()> {
        let (walk, total) = self.layout.size()?;
        state.scanned = Some(Instant::now());
        state.written_since_scan = 0;
        state.approx = total;
        if total > self.max {
            let report = evict(walk, self.max / 10 * 9 + self.max % 10 * 9 / 10)?;
            state.approx = report.bytes_kept;
        }
        Ok(())
    }
}

impl Drop for SizeBound {
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        if state.written_since_scan > 0 {
            let mut state = std::mem::take(state);
            if let Err(error) = self.check(&mut state) {
                tracing::debug!(%error, "bccache size bound not enforced at drop");
            }
        }
    }
}

/// Refreshes an entry's recency after a hit, at most once a minute: `meta` is the fstat the
/// load already made, so a fresh entry costs no system call.
pub(crate) fn refresh_recency(file: &File, meta: &fs::Metadata) {
    let old = meta
        .modified()
        .ok()
        .and_then(|mtime| mtime.elapsed().ok())
        .is_some_and(|age| age >= RECENCY_GRANULARITY);
    if old {
        // A read-only entry or file system keeps its old recency; the hit stands.
        let _ = file.set_modified(SystemTime::now());
    }
}

/// Bounds, upkeep and persisted counters.
impl FileSystemBytecodeCache {
    /// The same cache, bounded: when a dump takes this pattern's entries past `bytes`, the least
    /// recently used ones are removed until they take under about 90 % of it.
    ///
    /// Recency is the entry's mtime, which a hit refreshes at most once a minute (as ccache
    /// does). The size is tracked, not measured on every dump: one directory scan, then each
    /// dump adds its bytes, with a rescan every minute or after a tenth of the bound was
    /// written (other processes write too). Only this pattern's entries count and are removed;
    /// removal is whole files, so a concurrent load sees a complete entry or a miss. An
    /// eviction failure never fails the dump (it is logged at debug level).
    ///
    /// ```
    /// use bccache::FileSystemBytecodeCache;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let cache = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?
    ///     .max_size(512 * 1024 * 1024);
    /// assert_eq!(cache.size_limit(), Some(512 * 1024 * 1024));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn max_size(mut self, bytes: u64) -> Self {
        self.bound = Some(Arc::new(SizeBound::new(bytes, self.layout())));
        self
    }

    /// The bound set by [`max_size`](Self::max_size), if any.
    pub fn size_limit(&self) -> Option<u64> {
        self.bound.as_ref().map(|bound| bound.max())
    }

    /// A cache on an existing directory, which is never created: for tools looking at a cache
    /// ([`new`](Self::new) creates the directory).
    pub fn open(dir: impl Into<PathBuf>, pattern: &str) -> Result<Self> {
        let directory = dir.into();
        let cache = Self::with_pattern(directory, pattern)?;
        match fs::metadata(cache.directory()) {
            Ok(meta) if meta.is_dir() => Ok(cache),
            Ok(_) => Err(Error::io(
                "open cache directory",
                cache.directory(),
                io::Error::other("not a directory"),
            )),
            Err(e) => Err(Error::io("open cache directory", cache.directory(), e)),
        }
    }

    /// `<temp dir>/_bccache-<uid>`, where [`with_default_dir`](Self::with_default_dir) keeps its
    /// entries; neither created nor checked.
    pub fn default_dir() -> PathBuf {
        crate::store::fs::default_dir_path()
    }

    /// Removes this pattern's entries not used (loaded or written) for `older_than`, and
    /// temporary files older than [`TEMP_FILE_GRACE`]. Symlinks are left alone.
    ///
    /// ```
    /// use std::time::Duration;
    /// use bccache::FileSystemBytecodeCache;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let cache = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?;
    /// let report = cache.prune(Duration::from_secs(30 * 24 * 3600))?;
    /// assert_eq!(report.entries_removed, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prune(&self, older_than: Duration) -> Result<PruneReport> {
        self.layout().prune(older_than)
    }

    /// Removes this pattern's least recently used entries until they take at most `max_bytes`,
    /// and temporary files older than [`TEMP_FILE_GRACE`].
    pub fn prune_to_size(&self, max_bytes: u64) -> Result<PruneReport> {
        self.layout().prune_to_size(max_bytes)
    }

    /// Reads and decodes every entry of this pattern, removing the corrupt ones (magic,
    /// lengths, key or trailer wrong), temporary files older than [`TEMP_FILE_GRACE`] and
    /// symlinks with an entry's name (the link, never its target). Entries of Jinja2 itself or
    /// of another bccache format version are kept and counted.
    pub fn verify(&self) -> Result<VerifyReport> {
        self.verify_with_progress(&mut |_| {})
    }

    /// [`verify`](Self::verify) calling `progress` with the number of files looked at so far,
    /// every few hundred files.
    pub fn verify_with_progress(&self, progress: &mut dyn FnMut(u64)) -> Result<VerifyReport> {
        self.layout().verify(progress)
    }

    /// The counts every process has added to this pattern's stats file in this directory.
    ///
    /// Each cache adds what it counted at most about once a second (on a miss or a dump, never
    /// on a hit) and when its last clone is dropped; [`flush_stats`](Self::flush_stats) adds
    /// them now.
    ///
    /// ```
    /// use bccache::{BytecodeCache, FileSystemBytecodeCache};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let cache = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?;
    /// cache.get_bucket(&(), "a.lua", None, "return 1")?; // a miss
    /// cache.flush_stats()?;
    /// assert_eq!(cache.persisted_stats()?.misses, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn persisted_stats(&self) -> Result<CacheStats> {
        let path = self
            .directory()
            .join(stats_file::stats_file_name(self.pattern()));
        Ok(stats_file::read_stats_file(&path)?.map_or_else(CacheStats::default, |(_, s)| s))
    }

    /// Adds the counts not yet in the stats file to it now.
    pub fn flush_stats(&self) -> Result<()> {
        self.persisted.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bucket::Bucket;

    fn entry(key: &str, code: &[u8]) -> Vec<u8> {
        let mut bucket = Bucket::new(&(), key, "sum");
        bucket.code = Some(code.to_vec());
        bucket.bytecode_to_string().unwrap()
    }

    #[test]
    fn inspect_reads_what_the_encoder_wrote() {
        let info = inspect(&entry("k1", b"code")).unwrap();
        assert_eq!(info.key, b"k1");
        assert_eq!(info.checksum, b"sum");
        assert_eq!(info.code_len, 4);
    }

    #[test]
    fn inspect_finds_every_kind_of_damage() {
        let good = entry("k1", b"some code here");
        for cut in 0..good.len() {
            assert!(
                matches!(inspect(&good[..cut]), Err(Problem::Corrupt(_))),
                "cut at {cut}"
            );
        }
        let mut flipped = good.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 1;
        assert!(matches!(inspect(&flipped), Err(Problem::Corrupt(_))));
        let mut longer = good.clone();
        longer.push(0);
        assert!(matches!(inspect(&longer), Err(Problem::Corrupt(_))));
        assert_eq!(
            inspect(b"garbage"),
            Err(Problem::Corrupt("not a bccache entry"))
        );
    }

    #[test]
    fn jinja2_entries_and_other_versions_are_foreign() {
        assert_eq!(inspect(b"j2\x80\x02K\x05.rest"), Err(Problem::Foreign));
        let mut other = entry("k", b"c");
        other[8] = 99;
        assert_eq!(inspect(&other), Err(Problem::Foreign));
    }

    #[test]
    fn patterns_are_guessed_around_a_sha1_key() {
        let key = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            guess_pattern(&format!("__jinja2_{key}.cache")).as_deref(),
            Some("__jinja2_%s.cache")
        );
        assert_eq!(guess_pattern(key).as_deref(), Some("%s"));
        assert_eq!(
            guess_pattern(&format!("app-{key}")).as_deref(),
            Some("app-%s")
        );
        assert_eq!(guess_pattern("notes.txt"), None);
        assert_eq!(guess_pattern(&format!(".{key}")), None);
        assert_eq!(guess_pattern(&format!("{key}0")), None, "41 digits");
    }

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
    fn scan_dir_groups_names_by_pattern_and_counts_corrupt_entries() {
        let dir = tempfile::tempdir().unwrap();
        let key_a = "a".repeat(40);
        let key_b = "b".repeat(40);
        fs::write(
            dir.path().join(format!("__jinja2_{key_a}.cache")),
            entry(&key_a, b"x"),
        )
        .unwrap();
        fs::write(
            dir.path().join(format!("__jinja2_{key_b}.cache")),
            &entry(&key_b, b"x")[..30],
        )
        .unwrap();
        fs::write(
            dir.path().join(format!("app-{key_a}.bc")),
            entry(&key_a, b"yy"),
        )
        .unwrap();
        fs::write(dir.path().join(format!(".app-{key_a}.bc.Ab12.tmp")), b"").unwrap();
        fs::write(dir.path().join("README"), b"hello").unwrap();
        let report = scan_dir(dir.path()).unwrap();
        assert_eq!(report.other_files, 1);
        let names: Vec<_> = report.patterns.iter().map(|p| p.pattern.as_str()).collect();
        assert_eq!(names, ["__jinja2_%s.cache", "app-%s.bc"]);
        let jinja = &report.patterns[0];
        assert_eq!((jinja.entries, jinja.corrupt, jinja.temp_files), (2, 1, 0));
        let app = &report.patterns[1];
        assert_eq!((app.entries, app.corrupt, app.temp_files), (1, 0, 1));
        assert!(app.oldest.is_some() && app.oldest == app.newest && app.median == app.oldest);
    }

    #[test]
    fn scan_dir_of_a_missing_directory_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let err = scan_dir(&missing).unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[test]
    fn prune_to_size_removes_the_least_recently_used_first() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path().into(), "e_".into(), "".into());
        let now = SystemTime::now();
        for n in 0..5u64 {
            let path = dir.path().join(format!("e_{n}"));
            fs::write(&path, vec![0u8; 100]).unwrap();
            let file = File::options().write(true).open(&path).unwrap();
            file.set_modified(now - Duration::from_secs(1000 - n * 10))
                .unwrap();
        }
        let report = layout.prune_to_size(250).unwrap();
        assert_eq!((report.entries_removed, report.entries_kept), (3, 2));
        assert_eq!((report.bytes_freed, report.bytes_kept), (300, 200));
        assert!(dir.path().join("e_3").exists() && dir.path().join("e_4").exists());
        assert!(!dir.path().join("e_0").exists());
    }
}
