//! [`FileSystemBytecodeCache`]: one file per bucket in a directory.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::bucket::Bucket;
use crate::cache::BytecodeCache;
use crate::checksum::Checksum;
use crate::error::{Error, Result};
use crate::stats::{CacheStats, Counters, Verdict};
use crate::upkeep::{self, Layout, SizeBound};
use stats_file::StatsFile;

pub(crate) mod stats_file;

/// The file-name pattern Jinja2 uses: `%s` is replaced by the bucket's key.
pub const DEFAULT_PATTERN: &str = "__jinja2_%s.cache";

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
/// [`verify`](Self::verify) keep the directory in shape (see [`crate::upkeep`]).
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
    pattern: String,
    /// The pattern's text before and after `%s`.
    before: String,
    after: String,
    checksum: Checksum,
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
        fs::create_dir_all(&cache.directory)
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
        split_pattern(pattern)?;
        Self::with_pattern(default_cache_dir()?, pattern)
    }

    pub(crate) fn with_pattern(directory: PathBuf, pattern: &str) -> Result<Self> {
        let (before, after) = split_pattern(pattern)?;
        let counters = Arc::<Counters>::default();
        let persisted = StatsFile::new(directory.clone(), pattern.to_owned(), counters.clone());
        Ok(FileSystemBytecodeCache {
            directory,
            pattern: pattern.to_owned(),
            before: before.to_owned(),
            after: after.to_owned(),
            checksum: Checksum::Sha1,
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
        &self.pattern
    }

    /// The file of the entry stored under `key`.
    pub fn path_for_key(&self, key: &str) -> PathBuf {
        let mut path = OsString::with_capacity(
            self.directory.as_os_str().len() + 1 + self.before.len() + key.len() + self.after.len(),
        );
        path.push(self.directory.as_os_str());
        path.push(std::path::MAIN_SEPARATOR_STR);
        path.push(&self.before);
        path.push(key);
        path.push(&self.after);
        PathBuf::from(path)
    }

    fn file_name(&self, key: &str) -> String {
        [self.before.as_str(), key, self.after.as_str()].concat()
    }

    /// Whether `name` is a file name this pattern makes (`%s` standing for any text).
    fn is_entry_name(&self, name: &str) -> bool {
        upkeep::is_entry_name(&self.before, &self.after, name)
    }

    /// Whether `name` is one of this cache's temporary files: `.<entry name>.<random>.tmp`.
    fn is_temp_name(&self, name: &str) -> bool {
        upkeep::is_temp_name(&self.before, &self.after, name)
    }

    pub(crate) fn layout(&self) -> Layout {
        Layout::new(
            self.directory.clone(),
            self.before.clone(),
            self.after.clone(),
        )
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

    /// Removes every file the pattern makes, and this cache's temporary files; nothing else
    /// (the stats file stays).
    ///
    /// Files that vanish meanwhile are fine. Other failures do not stop the sweep: the first is
    /// returned once every other file has been tried.
    fn clear(&self) -> Result<()> {
        let entries = fs::read_dir(&self.directory)
            .map_err(|e| Error::io("list cache directory", &self.directory, e))?;
        let mut first_error = None;
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    first_error.get_or_insert(Error::io(
                        "list cache directory",
                        &self.directory,
                        e,
                    ));
                    continue;
                }
            };
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if !(self.is_entry_name(name) || self.is_temp_name(name)) {
                continue;
            }
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            match fs::remove_file(entry.path()) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    first_error.get_or_insert(Error::io("remove cache entry", entry.path(), e));
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Loads a batch with the machine's cores: one thread per core (up to 8) reads its share of
    /// the entries. Small batches stay on the calling thread, where a thread would cost more
    /// than it saves. Every entry is checked as a single load checks it; the first error comes
    /// back after every entry has been tried.
    fn load_bytecodes(&self, buckets: &mut [Bucket<'_>]) -> Result<()> {
        const PER_THREAD: usize = 16;
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(8)
            .min(buckets.len() / PER_THREAD);
        if threads <= 1 {
            return buckets
                .iter_mut()
                .map(|bucket| self.load_bytecode(bucket))
                .fold(Ok(()), Result::and);
        }
        // An environment need not be `Sync` (a Lua state is not), so the workers get each
        // bucket's fingerprint, key and checksum as plain data and hand back the code.
        let jobs: Vec<(Fingerprint, &str, &str)> = buckets
            .iter()
            .map(|b| {
                let fingerprint = Fingerprint(b.environment.fingerprint().into_owned());
                (fingerprint, b.key.as_str(), b.checksum.as_str())
            })
            .collect();
        let share = jobs.len().div_ceil(threads);
        let codes: Vec<Result<Option<Vec<u8>>>> = std::thread::scope(|scope| {
            let workers: Vec<_> = jobs
                .chunks(share)
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|(fingerprint, key, checksum)| {
                                let mut bucket = Bucket::new(fingerprint, *key, *checksum);
                                self.load_bytecode(&mut bucket).map(|()| bucket.code)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|worker| {
                    worker
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        let mut first_error = None;
        for (bucket, code) in buckets.iter_mut().zip(codes) {
            match code {
                Ok(code) => bucket.code = code,
                Err(error) => {
                    bucket.code = None;
                    first_error.get_or_insert(error);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
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
}

impl FileSystemBytecodeCache {
    /// Writes the entry of `bucket` atomically; the encoded size, `None` when a concurrent
    /// `clear()` won.
    fn write_entry(&self, bucket: &Bucket<'_>) -> Result<Option<u64>> {
        check_key(&bucket.key).map_err(|reason| Error::InvalidKey {
            key: bucket.key.clone(),
            reason,
        })?;
        let bytes = bucket.bytecode_to_string()?;
        let file_name = self.file_name(&bucket.key);
        let target = self.directory.join(&file_name);
        let mut temp = tempfile::Builder::new()
            .prefix(&format!(".{file_name}."))
            .suffix(".tmp")
            .tempfile_in(&self.directory)
            .map_err(|e| Error::io("create a temporary file in", &self.directory, e))?;
        // Write to the file itself: tempfile's own `Write` would wrap the error in another
        // copy of the path, hiding the OS error (`raw_os_error`) from the caller.
        temp.as_file_mut()
            .write_all(&bytes)
            .map_err(|e| Error::io("write cache entry", temp.path(), e))?;
        // On failure `persist` hands the file back, and dropping it removes it.
        match temp.persist(&target) {
            Ok(_) => Ok(Some(bytes.len() as u64)),
            // A concurrent `clear()` removed the temporary file: it won, as in Jinja2.
            Err(e) if e.error.kind() == io::ErrorKind::NotFound && self.directory.is_dir() => {
                Ok(None)
            }
            Err(e) => Err(Error::io("rename cache entry into", target, e.error)),
        }
    }

    /// Reads the entry of `bucket` into it: the verdict and the entry's size, or a failure
    /// that is not a miss.
    fn read_entry(&self, bucket: &mut Bucket<'_>) -> Result<(Verdict, u64)> {
        const MISSING: (Verdict, u64) = (Verdict::Missing, 0);
        if check_key(&bucket.key).is_err() {
            return Ok(MISSING);
        }
        let path = self.path_for_key(&bucket.key);
        let file = match open_entry(&path) {
            Ok(file) => file,
            Err(e) if is_miss(&e) => return Ok(MISSING),
            Err(e) => return Err(Error::io("open cache entry", path, e)),
        };
        let meta = match file.metadata() {
            Ok(meta) if meta.is_file() => meta,
            Ok(_) => return Ok(MISSING),
            Err(e) => return Err(Error::io("stat cache entry", path, e)),
        };
        let len = meta.len();
        #[cfg(unix)]
        let read = bucket.read_file(&file, len);
        #[cfg(not(unix))]
        let read = bucket.read_from(&file, Some(len));
        match read {
            Ok(Verdict::Hit) => {
                upkeep::refresh_recency(&file, &meta);
                Ok((Verdict::Hit, len))
            }
            Ok(verdict) => Ok((verdict, len)),
            Err(e) if is_miss(&e) => Ok(MISSING),
            Err(e) => Err(Error::io("read cache entry", path, e)),
        }
    }
}

/// A fingerprint carried to another thread as bytes.
struct Fingerprint(Vec<u8>);

impl crate::bucket::Environment for Fingerprint {
    fn fingerprint(&self) -> std::borrow::Cow<'_, [u8]> {
        std::borrow::Cow::Borrowed(&self.0)
    }
}

/// Opens an entry for reading without waiting: a FIFO where an entry should be would block a
/// plain open until someone writes to it. Only regular files are read afterwards, for which
/// `O_NONBLOCK` changes nothing.
fn open_entry(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    options.open(path)
}

/// Errors that mean "no usable entry here", as Jinja2 treats them, and the ones a vanished or
/// replaced directory or a looping symlink give: a miss must not stop the application.
fn is_miss(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound
            | io::ErrorKind::PermissionDenied
            | io::ErrorKind::IsADirectory
            | io::ErrorKind::NotADirectory
    ) || is_symlink_loop(e)
}

#[cfg(unix)]
fn is_symlink_loop(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_symlink_loop(_: &io::Error) -> bool {
    false
}

/// A key must stay inside the file name: Jinja2's keys are hex, but `Bucket::key` is public and
/// a separator in it would reach outside the cache directory.
fn check_key(key: &str) -> std::result::Result<(), &'static str> {
    if key.chars().any(|c| std::path::is_separator(c) || c == '\0') {
        return Err("a key of the filesystem cache cannot hold a path separator or NUL");
    }
    Ok(())
}

fn split_pattern(pattern: &str) -> Result<(&str, &str)> {
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
    Ok((before, after))
}

/// `<temp dir>/_bccache-<uid>`, created or checked by Jinja2's CVE-2014-1402 rules.
fn default_cache_dir() -> Result<PathBuf> {
    let dir = default_dir_path();
    #[cfg(unix)]
    secure_dir(&dir)?;
    #[cfg(not(unix))]
    fs::create_dir_all(&dir).map_err(|e| Error::io("create cache directory", &dir, e))?;
    Ok(dir)
}

/// `<temp dir>/_bccache-<uid>` (`_bccache` where there are no uids), neither made nor checked.
pub(crate) fn default_dir_path() -> PathBuf {
    let temp = std::env::temp_dir();
    #[cfg(unix)]
    return temp.join(format!("_bccache-{}", current_uid()));
    #[cfg(not(unix))]
    return temp.join("_bccache");
}

#[cfg(unix)]
fn current_uid() -> u32 {
    // SAFETY: getuid takes no arguments, touches no memory and cannot fail.
    unsafe { libc::getuid() }
}

/// Creates `dir` with mode 0700, or checks that the existing one is ours, real and private.
#[cfg(unix)]
pub(crate) fn secure_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};

    match fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(Error::io("create cache directory", dir, e)),
    }
    let refuse = |reason: String| Error::UnsafeDirectory {
        path: dir.to_owned(),
        reason,
    };
    let uid = current_uid();
    // lstat, never stat: a symlink planted by another user must not be followed.
    let check = || -> Result<fs::Metadata> {
        let meta =
            fs::symlink_metadata(dir).map_err(|e| Error::io("inspect cache directory", dir, e))?;
        if meta.file_type().is_symlink() {
            return Err(refuse("it is a symlink".into()));
        }
        if !meta.is_dir() {
            return Err(refuse("it is not a directory".into()));
        }
        if meta.uid() != uid {
            return Err(refuse(format!(
                "it is owned by uid {}, not {uid}",
                meta.uid()
            )));
        }
        Ok(meta)
    };
    let meta = check()?;
    if meta.mode() & 0o7777 != 0o700 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io("set mode 0700 on cache directory", dir, e))?;
        let meta = check()?;
        if meta.mode() & 0o7777 != 0o700 {
            return Err(refuse(format!(
                "its mode is {:o}, not 700, and cannot be repaired",
                meta.mode() & 0o7777
            )));
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::symlink_metadata(path).unwrap().mode() & 0o7777
    }

    #[test]
    fn secure_dir_creates_a_private_directory() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("_bccache-test");
        secure_dir(&dir).unwrap();
        assert!(dir.is_dir());
        assert_eq!(mode(&dir), 0o700);
    }

    #[test]
    fn secure_dir_repairs_a_world_writable_mode() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("_bccache-test");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
        secure_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
    }

    #[test]
    fn secure_dir_refuses_a_symlink_even_to_our_own_directory() {
        let temp = tempfile::tempdir().unwrap();
        let target = temp.path().join("elsewhere");
        fs::create_dir(&target).unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o755)).unwrap();
        let dir = temp.path().join("_bccache-test");
        symlink(&target, &dir).unwrap();
        let err = secure_dir(&dir).unwrap_err();
        assert!(err.to_string().contains("symlink"), "{err}");
        assert_eq!(mode(&target), 0o755, "the symlink's target is left alone");
    }

    #[test]
    fn secure_dir_refuses_a_file() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("_bccache-test");
        fs::write(&dir, b"").unwrap();
        let err = secure_dir(&dir).unwrap_err();
        assert!(err.to_string().contains("not a directory"), "{err}");
    }

    #[test]
    fn secure_dir_refuses_a_directory_of_another_owner() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("_bccache-test");
        if current_uid() == 0 {
            fs::create_dir(&dir).unwrap();
            std::os::unix::fs::chown(&dir, Some(65534), Some(65534)).unwrap();
        } else {
            // Not root: a directory someone else owns is easy to find.
            let dir = Path::new("/");
            assert_ne!(fs::metadata(dir).unwrap().uid(), current_uid());
            let err = secure_dir(dir).unwrap_err();
            assert!(err.to_string().contains("owned by uid"), "{err}");
            return;
        }
        let err = secure_dir(&dir).unwrap_err();
        assert!(matches!(err, Error::UnsafeDirectory { .. }));
        assert!(err.to_string().contains("owned by uid 65534"), "{err}");
    }

    #[test]
    fn key_with_a_path_separator_is_a_miss_and_is_never_written() {
        let temp = tempfile::tempdir().unwrap();
        let cache = FileSystemBytecodeCache::new(temp.path().join("cache"), "%s.cache").unwrap();
        // An entry waiting outside the cache directory, where `../outside` would lead.
        let mut planted = Bucket::new(&(), "../outside", "sum");
        planted.code = Some(b"foreign code".to_vec());
        fs::write(
            temp.path().join("outside.cache"),
            planted.bytecode_to_string().unwrap(),
        )
        .unwrap();

        let mut bucket = Bucket::new(&(), "../outside", "sum");
        cache.load_bytecode(&mut bucket).unwrap();
        assert_eq!(
            bucket.code, None,
            "a key cannot reach outside the directory"
        );

        bucket.code = Some(b"code".to_vec());
        let err = cache.dump_bytecode(&bucket).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidKey { key, .. } if key == "../outside"),
            "{err}"
        );
        let entries: Vec<_> = fs::read_dir(cache.directory()).unwrap().collect();
        assert!(entries.is_empty());
    }

    #[test]
    fn temp_names_are_recognised_only_for_this_pattern() {
        let cache = FileSystemBytecodeCache::with_pattern("/x".into(), "__a_%s.cache").unwrap();
        assert!(cache.is_temp_name(".__a_k.cache.XyZ123.tmp"));
        assert!(!cache.is_temp_name(".__b_k.cache.XyZ123.tmp"));
        assert!(!cache.is_temp_name("__a_k.cache.XyZ123.tmp"));
        assert!(cache.is_entry_name("__a_.cache"));
        assert!(!cache.is_entry_name("__a.cache"));
    }
}
