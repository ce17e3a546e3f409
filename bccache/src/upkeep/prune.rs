//! Removing entries unused for a while, or the least recently used beyond a size.

use std::time::{Duration, SystemTime};

use crate::error::Result;
use crate::store::fs::layout::{Removal, TEMP_FILE_GRACE};
use crate::store::fs::{FileSystemBytecodeCache, evict};
use crate::upkeep::PruneReport;

impl FileSystemBytecodeCache {
    /// Removes this pattern's entries not used (loaded or written) for `older_than`, and
    /// temporary files and free single-flight lock files older than
    /// [`TEMP_FILE_GRACE`](crate::upkeep::TEMP_FILE_GRACE).
    /// Symlinks are left alone, and so is every file that is not provably this pattern's
    /// entry (see [`crate::upkeep`]). An entry that cannot be read is reported and the walk
    /// goes on.
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
        let layout = self.layout();
        let walk = layout.walk(&mut |_| {})?;
        let cutoff = SystemTime::now().checked_sub(older_than);
        let mut report = PruneReport {
            symlinks_skipped: walk.symlinks.len() as u64,
            temp_files_removed: walk.remove_stale_temps().0,
            lock_files_removed: walk.remove_free_locks(Some(TEMP_FILE_GRACE)).0,
            ..PruneReport::default()
        };
        for found in &walk.entries {
            let removal = if cutoff.is_some_and(|cutoff| found.mtime < cutoff) {
                walk.remove_entry(&layout, found)
            } else {
                Removal::NotOurs
            };
            match removal {
                Removal::Removed => {
                    report.entries_removed += 1;
                    report.bytes_freed = report.bytes_freed.saturating_add(found.len);
                }
                Removal::Gone => {}
                Removal::Failed(error) => {
                    tracing::debug!(%error, name = found.name, "bccache entry not pruned");
                    report.unreadable.push(walk.path(&found.name));
                    report.entries_kept += 1;
                    report.bytes_kept = report.bytes_kept.saturating_add(found.len);
                }
                Removal::NotOurs => {
                    report.entries_kept += 1;
                    report.bytes_kept = report.bytes_kept.saturating_add(found.len);
                }
            }
        }
        Ok(report)
    }

    /// Removes this pattern's least recently used entries until they take at most `max_bytes`,
    /// and temporary files and free lock files older than
    /// [`TEMP_FILE_GRACE`](crate::upkeep::TEMP_FILE_GRACE); as
    /// [`prune`](Self::prune), only what is provably this pattern's.
    pub fn prune_to_size(&self, max_bytes: u64) -> Result<PruneReport> {
        let layout = self.layout();
        let walk = layout.walk(&mut |_| {})?;
        let lock_files_removed = walk.remove_free_locks(Some(TEMP_FILE_GRACE)).0;
        Ok(PruneReport {
            lock_files_removed,
            ..evict(&layout, walk, max_bytes).into()
        })
    }
}

/// What [`FileSystemBytecodeCache::clear_with_report`] removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClearReport {
    /// Entries removed.
    pub entries_removed: u64,
    /// Bytes of the entries removed.
    pub bytes_freed: u64,
}

impl FileSystemBytecodeCache {
    /// [`clear`](crate::BytecodeCache::clear), saying what it removed (only provable entries
    /// go, see [`crate::upkeep`]).
    pub fn clear_with_report(&self) -> Result<ClearReport> {
        let (entries_removed, bytes_freed) = self.clear_counted()?;
        Ok(ClearReport {
            entries_removed,
            bytes_freed,
        })
    }
}
