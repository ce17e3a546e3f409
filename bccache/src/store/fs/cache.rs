//! [`FileSystemBytecodeCache`]: the store, its settings and the trait.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::bucket::Bucket;
use crate::cache::BytecodeCache;
use crate::checksum::Checksum;
use crate::error::{Error, Result};
use crate::stats::{CacheStats, Counters, Verdict};
use crate::store::fs::bound::SizeBound;
use crate::store::fs::layout::{Layout, Pattern, Removal};
use crate::store::fs::stats_file::{self, StatsFile};
use crate::store::fs::{DEFAULT_MAX_ENTRY_SIZE, DEFAULT_PATTERN, batch, default_dir};

/// Stores each bucket in its own file, Jinja2's `FileSystemBytecodeCache`.
///
/// The file name is the pattern with its `%s` replaced by the key. Writes are atomic: the entry
/// goes to a temporary file `.<file name>.<random>.tmp` in the same directory and is renamed
/// over the target, so a reader sees the old entry or the new one, never part of one. Entries
/// are not `fsync`ed: after a crash a torn entry fails its checksum and is a miss.
///
/// The cache's counts ([`stats`](BytecodeCache::stats)) are also added to a stats file in the
/// directory (`.bccache-stats-<hash of the pattern>`), at most about once a second on a miss
/// or a dump and when the last clone drops, never on a hit; `bccache stats` and
/// [`persisted_stats`](Self::persisted_stats) read them. [`max_size`](Self::max_size) bounds
/// the entries; [`prune`](Self::prune), [`prune_to_size`](Self::prune_to_size) and
/// [`verify`](Self::verify) keep the directory in shape (see [`crate::upkeep`]). A load never
/// reads an entry larger than [`max_entry_size`](Self::max_entry_size).
///
/// With the `tokio` feature it is an `AsyncBytecodeCache` whose
/// file I/O runs on tokio's blocking pool (no file read is non-blocking), one trip per load,
/// dump or batch; its stats are answered in place.
///
/// ```
/// use bccache::{BytecodeCache, FileSystemBytecodeCache};
///
/// let dir = tempfile::tempdir()?;
/// let cache = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?;
///
/// let mut bucket = cache.get_bucket(&(), "index.html", None, "<h1>{{ title }}</h1>")?;
/// assert!(bucket.code.is_none()); // a miss: compile, then store
/// bucket.code = Some(b"compiled code".to_vec());
/// cache.set_bucket(&bucket)?;
///
/// let bucket = cache.get_bucket(&(), "index.html", None, "<h1>{{ title }}</h1>")?;
/// assert_eq!(bucket.code.as_deref(), Some(&b"compiled code"[..]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct FileSystemBytecodeCache {
    directory: PathBuf,
    pattern: Pattern,
    checksum: Checksum,
    /// The largest entry a load reads, see [`max_entry_size`](Self::max_entry_size).
    max_entry_size: u64,
    /// Shared by clones: they are the same cache.
    counters: Arc<Counters>,
    /// The counters' persisted half: the stats file in the directory.
    pub(crate) persisted: Arc<StatsFile>,
    /// The bound set by [`max_size`](Self::max_size).
    pub(crate) bound: Option<Arc<SizeBound>>,
}

impl FileSystemBytecodeCache {
    /// A cache in `dir`, creating it (and its parents) if missing, with file names from
    /// `pattern`.
    ///
    /// The pattern needs exactly one `%s`, and may hold no path separator nor start with `.`
    /// (the prefix of this cache's temporary files). Its other characters are literal.
    pub fn new(dir: impl Into<PathBuf>, pattern: &str) -> Result<Self> {
        let directory = dir.into();
        let cache = Self::with_pattern(directory, pattern)?;
        std::fs::create_dir_all(&cache.directory)
            .map_err(|e| Error::io("create cache directory", &cache.directory, e))?;
        Ok(cache)
    }

    /// A cache in `<temp dir>/_bccache-<uid>` with [`DEFAULT_PATTERN`], Jinja2's default.
    ///
    /// The temp dir honours `TMPDIR`. The directory is created with mode 0700. If it exists, it
    /// must be a real directory (not a symlink) owned by the current user; a wrong mode is
    /// repaired to 0700. Anything else is refused with [`Error::UnsafeDirectory`], since
    /// another user could otherwise plant code for us to run.
    pub fn with_default_dir() -> Result<Self> {
        Self::in_default_dir(DEFAULT_PATTERN)
    }

    /// [`with_default_dir`](Self::with_default_dir) with another pattern.
    pub(crate) fn in_default_dir(pattern: &str) -> Result<Self> {
        // The pattern first: a bad one should not leave a directory behind.
        Pattern::parse(pattern)?;
        Self::with_pattern(default_dir::default_cache_dir()?, pattern)
    }

    pub(crate) fn with_pattern(directory: PathBuf, pattern: &str) -> Result<Self> {
        let pattern = Pattern::parse(pattern)?;
        let counters = Arc::<Counters>::default();
        let persisted = StatsFile::new(directory.clone(), pattern.text.clone(), counters.clone());
        Ok(FileSystemBytecodeCache {
            directory,
            pattern,
            checksum: Checksum::Sha1,
            max_entry_size: DEFAULT_MAX_ENTRY_SIZE,
            counters,
            persisted: Arc::new(persisted),
            bound: None,
        })
    }

    /// The same cache with sources summed by `checksum` (default [`Checksum::Sha1`], Jinja2's).
    ///
    /// ```
    /// use bccache::{BytecodeCache, Checksum, FileSystemBytecodeCache};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let cache = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?
    ///     .checksum(Checksum::Xxh3_128);
    /// assert_eq!(cache.get_source_checksum("x"), Checksum::Xxh3_128.of(b"x"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn checksum(mut self, checksum: Checksum) -> Self {
        self.checksum = checksum;
        self
    }

    /// The algorithm sources are summed with.
    pub fn checksum_algorithm(&self) -> Checksum {
        self.checksum
    }

    /// The directory holding the entries.
    pub fn directory(&self) -> &Path {
        &self.directory
    }

    /// The file-name pattern.
    pub fn pattern(&self) -> &str {
        &self.pattern.text
    }

    /// The file of the entry stored under `key`.
    pub fn path_for_key(&self, key: &str) -> PathBuf {
        let mut path = OsString::with_capacity(
            self.directory.as_os_str().len()
                + 1
                + self.pattern.before.len()
                + key.len()
                + self.pattern.after.len(),
        );
        path.push(self.directory.as_os_str());
        path.push(std::path::MAIN_SEPARATOR_STR);
        path.push(&self.pattern.before);
        path.push(key);
        path.push(&self.pattern.after);
        PathBuf::from(path)
    }

    pub(crate) fn file_name(&self, key: &str) -> String {
        [
            self.pattern.before.as_str(),
            key,
            self.pattern.after.as_str(),
        ]
        .concat()
    }

    /// Where this cache's entries live, for the walks of the size bound and the upkeep.
    pub(crate) fn layout(&self) -> Layout {
        Layout::new(self.directory.clone(), self.pattern.clone())
    }

    /// The same cache, reading no entry larger than `bytes` (default
    /// [`DEFAULT_MAX_ENTRY_SIZE`], 256 MiB): a larger one is a miss (counted as rejected) from
    /// its size alone, before a byte of it is read or a buffer reserved for it. A
    /// [`max_size`](Self::max_size) bound lowers the limit to itself.
    ///
    /// In a directory others can write to, this is what a planted entry can cost a load:
    /// a sparse file announcing a gigabyte takes no gigabyte to turn away.
    ///
    /// ```
    /// use bccache::FileSystemBytecodeCache;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let cache = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?
    ///     .max_entry_size(16 * 1024 * 1024);
    /// assert_eq!(cache.entry_size_limit(), 16 * 1024 * 1024);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn max_entry_size(mut self, bytes: u64) -> Self {
        self.max_entry_size = bytes;
        self
    }

    /// The largest entry a load reads: [`max_entry_size`](Self::max_entry_size), or the
    /// [`max_size`](Self::max_size) bound when that is smaller.
    pub fn entry_size_limit(&self) -> u64 {
        self.size_limit()
            .map_or(self.max_entry_size, |max| max.min(self.max_entry_size))
    }

    /// After an entry of `len` bytes was stored: the size bound and the stats file.
    fn after_store(&self, len: u64) {
        if let Some(bound) = &self.bound {
            bound.stored(len);
        }
        self.persisted.maybe_flush();
    }
}

impl BytecodeCache for FileSystemBytecodeCache {
    fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
        bucket.reset();
        let outcome = self.read_entry(bucket);
        match &outcome {
            Ok((verdict, len)) => self.counters.loaded(*verdict, *len),
            Err(_) => self.counters.failed(),
        }
        // Never on a hit: a hit makes no system call beyond reading its entry.
        if !matches!(outcome, Ok((Verdict::Hit, _))) {
            self.persisted.maybe_flush();
        }
        outcome.map(drop)
    }

    fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
        match self.write_entry(bucket) {
            Ok(written) => {
                if let Some(len) = written {
                    self.counters.stored(len);
                    self.after_store(len);
                }
                Ok(())
            }
            Err(error) => {
                self.counters.failed();
                Err(error)
            }
        }
    }

    /// Removes this pattern's entries, its temporary files, the lock files no loader holds and
    /// symlinks with an entry's name (the link, never its target); nothing else (the stats file stays). An entry goes only if
    /// it is provably bccache's: its first bytes are the magic and its header holds the key its
    /// name spells, and no more specific pattern known in the directory makes its name.
    ///
    /// Files that vanish meanwhile are fine. Other failures do not stop the sweep: the first is
    /// returned once every other file has been tried.
    fn clear(&self) -> Result<()> {
        self.clear_counted().map(drop)
    }

    /// Loads a batch with the machine's cores: one thread per core (up to 8) reads its share of
    /// the entries. Small batches stay on the calling thread, where a thread would cost more
    /// than it saves. Every entry is checked as a single load checks it; the first error comes
    /// back after every entry has been tried.
    fn load_bytecodes(&self, buckets: &mut [Bucket<'_>]) -> Result<()> {
        batch::load_in_parallel(self, buckets)
    }

    fn get_source_checksum_bytes(&self, source: &[u8]) -> String {
        self.checksum.of(source)
    }

    fn stats(&self) -> Option<CacheStats> {
        Some(self.counters.snapshot())
    }

    fn flush_stats(&self) -> Result<()> {
        FileSystemBytecodeCache::flush_stats(self)
    }

    /// An exclusive `flock` on `.<entry file name>.lock` beside the entry, freed by the kernel
    /// when its holder dies; `ttl` is not needed (see `CachedLoader::single_flight`).
    fn lease(&self, key: &str, _ttl: std::time::Duration) -> Result<crate::lease::Lease> {
        self.take_lease(key)
    }
}

/// Bounds, opening an existing directory, and persisted counters.
impl FileSystemBytecodeCache {
    /// The same cache, bounded: when a dump takes this pattern's entries past `bytes`, the least
    /// recently used ones are removed until they take under about 90 % of it.
    ///
    /// Recency is the entry's mtime, which a hit refreshes at most once a minute (as ccache
    /// does). The size is tracked, not measured on every dump: one directory scan, then each
    /// dump adds its bytes, with a rescan every minute or after a tenth of the bound was
    /// written (other processes write too). Only this pattern's entries count and are removed
    /// (see [`crate::upkeep`] for what makes a file one); removal is whole files, so a
    /// concurrent load sees a complete entry or a miss. An eviction failure never fails the
    /// dump (it is logged at debug level).
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
        match std::fs::metadata(cache.directory()) {
            Ok(meta) if meta.is_dir() => Ok(cache),
            Ok(_) => Err(Error::io(
                "open cache directory",
                cache.directory(),
                std::io::Error::other("not a directory"),
            )),
            Err(e) => Err(Error::io("open cache directory", cache.directory(), e)),
        }
    }

    /// `<temp dir>/_bccache-<uid>`, where [`with_default_dir`](Self::with_default_dir) keeps its
    /// entries; neither created nor checked.
    pub fn default_dir() -> PathBuf {
        default_dir::default_dir_path()
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

    /// Adds the counts not yet in the stats file to it now, waiting for another process's
    /// flush if need be (a load or a dump never waits: it tries again later).
    pub fn flush_stats(&self) -> Result<()> {
        self.persisted.flush()
    }

    /// [`clear`](BytecodeCache::clear), returning the entries and bytes it removed.
    pub(crate) fn clear_counted(&self) -> Result<(u64, u64)> {
        let layout = self.layout();
        let walk = layout.walk(&mut |_| {})?;
        let mut first_error = None;
        let mut removed = (0u64, 0u64);
        for found in &walk.entries {
            match walk.remove_entry(&layout, found) {
                Removal::Removed => {
                    removed.0 += 1;
                    removed.1 += found.len;
                }
                Removal::Gone | Removal::NotOurs => {}
                Removal::Failed(e) => {
                    let path = walk.path(&found.name);
                    first_error.get_or_insert(Error::io("remove cache entry", path, e));
                }
            }
        }
        // A clear is the owner's explicit wish: temporary files of any age go, and a dump
        // that loses its file to it is `Ok`.
        for temp in &walk.temps {
            if let Removal::Failed(e) = walk.remove_if_same(temp) {
                let path = walk.path(&temp.name);
                first_error.get_or_insert(Error::io("remove temporary file", path, e));
            }
        }
        // Lock files held now belong to loaders compiling; the free ones go.
        walk.remove_free_locks(None);
        for link in &walk.symlinks {
            if let Err(e) = walk.dir.unlink(link)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                let path = walk.path(link);
                first_error.get_or_insert(Error::io("remove symlink", path, e));
            }
        }
        first_error.map_or(Ok(removed), Err)
    }
}
