//! Checking every entry of a pattern, in bounded memory.

use std::io;

use crate::entry::{self, Owner, Problem};
use crate::error::Result;
use crate::store::fs::FileSystemBytecodeCache;
use crate::store::fs::layout::{Found, Layout, PROGRESS_EVERY, Removal, TEMP_FILE_GRACE, Walk};
use crate::upkeep::VerifyReport;

/// What a look at one entry found.
enum Finding {
    Intact(u64),
    Foreign,
    Corrupt(u64),
    Gone,
}

impl FileSystemBytecodeCache {
    /// Reads and decodes every entry of this pattern, removing the corrupt ones (magic,
    /// lengths or trailer wrong), temporary files and free single-flight lock files older than
    /// [`TEMP_FILE_GRACE`](crate::upkeep::TEMP_FILE_GRACE) and symlinks with an entry's name
    /// (the link, never its target).
    ///
    /// Kept and counted as foreign: entries of Jinja2 itself, of another bccache format
    /// version, files without bccache's magic, and entries whose header holds another key
    /// than their name spells (another pattern's). An entry is checked in bounded memory: its
    /// size against its header first, then its bytes streamed through the trailer's hash. An
    /// entry that cannot be read is reported in [`VerifyReport::unreadable`] and the walk goes
    /// on.
    pub fn verify(&self) -> Result<VerifyReport> {
        self.verify_with_progress(&mut |_| {})
    }

    /// [`verify`](Self::verify) calling `progress` with the number of files looked at so far,
    /// every few hundred files.
    pub fn verify_with_progress(&self, progress: &mut dyn FnMut(u64)) -> Result<VerifyReport> {
        let layout = self.layout();
        let walk = layout.walk(progress)?;
        let (temp_files_removed, temp_files_kept) = walk.remove_stale_temps();
        let mut report = VerifyReport {
            temp_files_removed,
            temp_files_kept,
            lock_files_removed: walk.remove_free_locks(Some(TEMP_FILE_GRACE)).0,
            ..VerifyReport::default()
        };
        for link in &walk.symlinks {
            // unlinkat removes the link itself; its target is never opened.
            match walk.dir.unlink(link) {
                Ok(()) => report.symlinks_removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(_) => report.unreadable.push(walk.path(link)),
            }
        }
        for (n, found) in walk.entries.iter().enumerate() {
            if (n as u64 + 1).is_multiple_of(PROGRESS_EVERY) {
                progress(n as u64 + 1);
            }
            let finding = match look_at(&layout, &walk, found) {
                Ok(finding) => finding,
                Err(_) => {
                    report.unreadable.push(walk.path(&found.name));
                    continue;
                }
            };
            match finding {
                Finding::Gone => continue,
                Finding::Intact(len) => {
                    report.entries_kept += 1;
                    report.bytes_kept = report.bytes_kept.saturating_add(len);
                }
                Finding::Foreign => report.foreign_kept += 1,
                Finding::Corrupt(len) => {
                    report.corrupt_found += 1;
                    report.corrupt.push(walk.path(&found.name));
                    match walk.remove_if_same(found) {
                        Removal::Removed => {
                            report.corrupt_removed += 1;
                            report.bytes_freed = report.bytes_freed.saturating_add(len);
                        }
                        Removal::Failed(_) => report.unreadable.push(walk.path(&found.name)),
                        Removal::Gone | Removal::NotOurs => {}
                    }
                }
            }
            report.entries_checked += 1;
        }
        Ok(report)
    }
}

/// Decodes the entry `found` in bounded memory and says whether it is intact, another's, or
/// this pattern's and corrupt.
fn look_at(layout: &Layout, walk: &Walk, found: &Found) -> io::Result<Finding> {
    let file = match walk.dir.open_file(&found.name) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Finding::Gone),
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Ok(Finding::Gone),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() || !found.is(&meta) {
        return Ok(Finding::Gone);
    }
    let len = meta.len();
    let key = layout.pattern.key_of(&found.name).as_bytes();
    match entry::inspect_reader(&file, len)? {
        Ok(info) if info.key == key => Ok(Finding::Intact(len)),
        Ok(_) | Err(Problem::Foreign) => Ok(Finding::Foreign),
        Err(Problem::Corrupt(_)) => {
            let mut head = vec![0u8; entry::OWNER_LOOK];
            let got = read_head(&file, &mut head)?;
            Ok(match entry::owner(&head[..got]) {
                Owner::Key(other) if other != key => Finding::Foreign,
                Owner::NotBccache => Finding::Foreign,
                Owner::Key(_) | Owner::Unknown => Finding::Corrupt(len),
            })
        }
    }
}

/// Reads the first bytes of `file` into `buf` again, from the start.
fn read_head(file: &std::fs::File, buf: &mut [u8]) -> io::Result<usize> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        let mut filled = 0;
        while filled < buf.len() {
            match file.read_at(&mut buf[filled..], filled as u64) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(filled)
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek};
        let mut file = file;
        file.seek(io::SeekFrom::Start(0))?;
        file.take(buf.len() as u64).read(buf)
    }
}
