//! Keeping a filesystem cache in shape: size bounds, pruning, verification, and the reports
//! the `bccache` command prints.
//!
//! Every walk here lists the directory once and looks at each name with `lstat`: a symlink is
//! never followed, a file that vanishes meanwhile (another process evicting) is simply gone,
//! and entries are only ever removed whole (`unlinkat` in the directory opened for the walk),
//! so a reader sees a complete entry or none.
//!
//! # What upkeep may remove
//!
//! Only what is provably bccache's own. A file goes only when its name is one a pattern makes
//! (a pattern the directory's stats files record, or one named by the caller) and
//!
//! - its first bytes are bccache's magic and its header holds the key its name spells (then a
//!   corrupt, stale or unused entry may go), or
//! - it is one of the pattern's temporary files (`.<entry name>.<random>.tmp`) older than
//!   [`TEMP_FILE_GRACE`].
//!
//! A name that a more specific known pattern also makes is that pattern's
//! (`__jinja2_%s.cache` before `%s.cache`), and an entry whose header holds another key is left
//! alone. Patterns guessed from names are for [`scan_dir`]'s report only. A file that cannot be
//! read is reported and left, and the walk goes on.
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

#[cfg(any(feature = "http", feature = "s3"))]
pub(crate) mod parallel;
mod prune;
#[cfg(any(feature = "http", feature = "s3"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "http", feature = "s3"))))]
pub mod remote;
mod report;
mod scan;
mod verify;

pub use crate::store::fs::layout::TEMP_FILE_GRACE;
pub use prune::ClearReport;
pub use report::{DirReport, PatternReport, PruneReport, SkippedPattern, VerifyReport};
pub use scan::{
    checked_default_dir, patterns_in, recorded_patterns, scan_dir, scan_dir_with_progress,
};
