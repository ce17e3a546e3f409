//! The size bound of [`max_size`](crate::FileSystemBytecodeCache::max_size), and eviction of
//! the least recently used entries.

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::store::fs::layout::{Layout, Removal, Walk};

/// What an eviction did.
#[derive(Debug, Default)]
pub(crate) struct Evicted {
    pub(crate) entries_kept: u64,
    pub(crate) bytes_kept: u64,
    pub(crate) entries_removed: u64,
    pub(crate) bytes_freed: u64,
    pub(crate) temp_files_removed: u64,
    pub(crate) symlinks_skipped: u64,
    /// Entries that could not be read or removed, left in place.
    pub(crate) unreadable: Vec<PathBuf>,
}

/// Removes the least recently used entries of `walk` until they take at most `max_bytes`, and
/// temporary files older than an hour. Files not provably this pattern's entries are neither
/// removed nor counted.
pub(crate) fn evict(layout: &Layout, walk: Walk, max_bytes: u64) -> Evicted {
    let mut entries = walk.entries.iter().collect::<Vec<_>>();
    entries.sort_by_key(|f| f.mtime);
    let mut total: u64 = entries.iter().map(|f| f.len).fold(0, u64::saturating_add);
    let mut done = Evicted {
        symlinks_skipped: walk.symlinks.len() as u64,
        temp_files_removed: walk.remove_stale_temps().0,
        ..Evicted::default()
    };
    for found in entries {
        if total <= max_bytes {
            done.entries_kept += 1;
            done.bytes_kept += found.len;
            continue;
        }
        match walk.remove_entry(layout, found) {
            Removal::Removed => {
                total -= found.len;
                done.entries_removed += 1;
                done.bytes_freed += found.len;
            }
            Removal::Gone | Removal::NotOurs => total -= found.len,
            Removal::Failed(error) => {
                tracing::debug!(%error, name = found.name, "bccache entry not evicted");
                done.unreadable.push(walk.path(&found.name));
                done.entries_kept += 1;
                done.bytes_kept += found.len;
            }
        }
    }
    done
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
        if (due || state.approx > self.max)
            && let Err(error) = self.check(&mut state)
        {
            tracing::debug!(%error, "bccache size bound not enforced");
        }
    }

    fn check(&self, state: &mut BoundState) -> Result<()> {
        let walk = self.layout.walk(&mut |_| {})?;
        let total = walk
            .entries
            .iter()
            .map(|f| f.len)
            .fold(0, u64::saturating_add);
        state.scanned = Some(Instant::now());
        state.written_since_scan = 0;
        state.approx = total;
        if total > self.max {
            let target = self.max / 10 * 9 + self.max % 10 * 9 / 10;
            state.approx = evict(&self.layout, walk, target).bytes_kept;
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
