//! The filesystem store: one file per bucket in a directory.
//!
//! [`cache`] holds the store and its trait; [`entry_file`] reads and writes one entry's file;
//! [`layout`] says which files are a pattern's and removes them safely; [`bound`] is the size
//! bound; [`stats_file`] the counters that outlive the process; [`default_dir`] the safe
//! default directory; [`lease`] the single-flight lock files. The upkeep ([`crate::upkeep`])
//! builds on these; nothing here uses it.

#[cfg(feature = "tokio")]
mod async_cache;
mod batch;
mod bound;
mod cache;
pub(crate) mod default_dir;
mod entry_file;
pub(crate) mod layout;
pub(crate) mod lease;
pub(crate) mod stats_file;

pub(crate) use bound::{Evicted, evict};
pub use cache::FileSystemBytecodeCache;

/// The file-name pattern Jinja2 uses: `%s` is replaced by the bucket's key.
pub const DEFAULT_PATTERN: &str = "__jinja2_%s.cache";

/// The largest entry a filesystem cache reads unless told otherwise
/// ([`FileSystemBytecodeCache::max_entry_size`]): 256 MiB.
pub const DEFAULT_MAX_ENTRY_SIZE: u64 = 256 * 1024 * 1024;
