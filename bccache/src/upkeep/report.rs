//! What the upkeep found and did.

use std::path::PathBuf;
use std::time::SystemTime;

use crate::stats::CacheStats;
use crate::store::fs::Evicted;
#[cfg(doc)]
use crate::upkeep::{TEMP_FILE_GRACE, scan_dir};

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
    /// Single-flight lock files older than [`TEMP_FILE_GRACE`] that no loader held, removed
    /// (left behind by a loader that died).
    pub lock_files_removed: u64,
    /// Entries that could not be read or removed (no permission), left in place.
    pub unreadable: Vec<PathBuf>,
}

impl PruneReport {
    /// Two passes of a prune as one: removals add up, what is kept is what the second kept.
    pub fn then(&self, second: &PruneReport) -> PruneReport {
        let mut out = second.clone();
        out.entries_removed = out.entries_removed.saturating_add(self.entries_removed);
        out.bytes_freed = out.bytes_freed.saturating_add(self.bytes_freed);
        out.temp_files_removed = out
            .temp_files_removed
            .saturating_add(self.temp_files_removed);
        out.lock_files_removed = out
            .lock_files_removed
            .saturating_add(self.lock_files_removed);
        for path in &self.unreadable {
            if !out.unreadable.contains(path) {
                out.unreadable.push(path.clone());
            }
        }
        out
    }
}

impl From<Evicted> for PruneReport {
    fn from(done: Evicted) -> Self {
        PruneReport {
            entries_kept: done.entries_kept,
            bytes_kept: done.bytes_kept,
            entries_removed: done.entries_removed,
            bytes_freed: done.bytes_freed,
            temp_files_removed: done.temp_files_removed,
            symlinks_skipped: done.symlinks_skipped,
            lock_files_removed: 0,
            unreadable: done.unreadable,
        }
    }
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
    /// Entries that are not this pattern's to judge and were kept: Jinja2's own (Python)
    /// entries, files without bccache's magic, another bccache format version, or an entry
    /// whose header holds another key than its name spells (another pattern's).
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
    /// Single-flight lock files older than [`TEMP_FILE_GRACE`] that no loader held, removed.
    pub lock_files_removed: u64,
    /// The corrupt entries found.
    pub corrupt: Vec<PathBuf>,
    /// Entries that could not be read or removed (no permission), left in place.
    pub unreadable: Vec<PathBuf>,
}

/// One pattern's share of a directory, from [`scan_dir`].
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct PatternReport {
    /// The file-name pattern, found in a stats file or guessed from names (`PREFIX%sSUFFIX`
    /// around a 40-hex-digit key; a guess is for this report only, never for removing).
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
    /// Single-flight lock files of the pattern's entries (held now, or left by a loader that
    /// died); never counted as entries.
    pub lock_files: u64,
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
    /// Patterns named by a stats file that are not valid patterns, skipped.
    pub skipped_patterns: Vec<SkippedPattern>,
}

/// A pattern found in a stats file that is not a valid pattern: reported and skipped, while
/// the other patterns proceed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SkippedPattern {
    /// The pattern as recorded.
    pub pattern: String,
    /// Why it is not valid.
    pub reason: String,
}

impl DirReport {
    /// Every pattern's counts added up.
    pub fn total_stats(&self) -> CacheStats {
        self.patterns
            .iter()
            .fold(CacheStats::default(), |sum, p| sum + p.stats)
    }
}
