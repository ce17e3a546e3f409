//! Reading and writing one entry's file.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::bucket::Bucket;
use crate::error::{Error, Result};
use crate::stats::Verdict;
use crate::store::fs::FileSystemBytecodeCache;

/// A hit refreshes its entry's mtime (its recency) when the mtime is older than this.
pub(crate) const RECENCY_GRANULARITY: Duration = Duration::from_secs(60);

impl FileSystemBytecodeCache {
    /// Writes the entry of `bucket` atomically; the encoded size, `None` when a concurrent
    /// `clear()` won.
    pub(crate) fn write_entry(&self, bucket: &Bucket<'_>) -> Result<Option<u64>> {
        check_key(&bucket.key).map_err(|reason| Error::InvalidKey {
            key: bucket.key.clone(),
            reason,
        })?;
        let bytes = bucket.bytecode_to_string()?;
        let file_name = self.file_name(&bucket.key);
        let target = self.directory().join(&file_name);
        let mut temp = tempfile::Builder::new()
            .prefix(&format!(".{file_name}."))
            .suffix(".tmp")
            .tempfile_in(self.directory())
            .map_err(|e| Error::io("create a temporary file in", self.directory(), e))?;
        // Write to the file itself: tempfile's own `Write` would wrap the error in another
        // copy of the path, hiding the OS error (`raw_os_error`) from the caller.
        temp.as_file_mut()
            .write_all(&bytes)
            .map_err(|e| Error::io("write cache entry", temp.path(), e))?;
        // On failure `persist` hands the file back, and dropping it removes it.
        match temp.persist(&target) {
            Ok(_) => Ok(Some(bytes.len() as u64)),
            // A concurrent `clear()` removed the temporary file: it won, as in Jinja2.
            Err(e) if e.error.kind() == io::ErrorKind::NotFound && self.directory().is_dir() => {
                Ok(None)
            }
            Err(e) => Err(Error::io("rename cache entry into", target, e.error)),
        }
    }

    /// Reads the entry of `bucket` into it: the verdict and the entry's size, or a failure
    /// that is not a miss.
    pub(crate) fn read_entry(&self, bucket: &mut Bucket<'_>) -> Result<(Verdict, u64)> {
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
        // Turned away from its size alone: nothing read, nothing reserved.
        if len > self.entry_size_limit() {
            return Ok((Verdict::Rejected, len));
        }
        #[cfg(unix)]
        let read = bucket.read_file(&file, len);
        #[cfg(not(unix))]
        let read = bucket.read_from(&file, Some(len));
        match read {
            Ok(Verdict::Hit) => {
                refresh_recency(&file, &meta);
                Ok((Verdict::Hit, len))
            }
            Ok(verdict) => Ok((verdict, len)),
            Err(e) if is_miss(&e) => Ok(MISSING),
            Err(e) => Err(Error::io("read cache entry", path, e)),
        }
    }
}

/// Refreshes an entry's recency after a hit, at most once a minute: `meta` is the fstat the
/// load already made, so a fresh entry costs no system call.
fn refresh_recency(file: &File, meta: &fs::Metadata) {
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
pub(crate) fn check_key(key: &str) -> std::result::Result<(), &'static str> {
    if key.chars().any(|c| std::path::is_separator(c) || c == '\0') {
        return Err("a key of the filesystem cache cannot hold a path separator or NUL");
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use crate::bucket::Bucket;
    use crate::cache::BytecodeCache;
    use crate::error::Error;
    use crate::store::fs::FileSystemBytecodeCache;
    use std::fs;

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
}
