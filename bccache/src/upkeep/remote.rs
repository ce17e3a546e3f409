//! Keeping a remote cache in shape: an HTTP (WebDAV) or S3 cache's entries listed, verified,
//! pruned by age and size, and cleared, by its location.
//!
//! ```text
//! http://cache.internal:8080/bytecode/?layout=subdirs     (WebDAV PROPFIND lists it)
//! s3://bucket/prefix/?endpoint=http://127.0.0.1:9000&region=eu-west-1   (ListObjectsV2)
//! ```
//!
//! S3 credentials come from the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_SESSION_TOKEN`, `AWS_REGION`), as [`S3BytecodeCacheBuilder::from_env`] reads them.
//!
//! The ownership rule of the filesystem's upkeep holds here too: an object is removed only
//! when its name is one the store's layout makes AND its first bytes are a bccache entry whose
//! header holds the very key that layout puts at that name. Others are counted and left alone.
//!
//! Recency is an object's `Last-Modified`: a hit on an entry older than a day writes it again
//! (HTTP: the same bytes `PUT` back; S3: a copy onto itself), so `prune --older-than` removes
//! what nobody loaded, and `--max-size` removes the least recently used first.
//!
//! [`S3BytecodeCacheBuilder::from_env`]: crate::S3BytecodeCacheBuilder::from_env

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::entry::{self, OWNER_LOOK, Owner, Problem};
use crate::error::{Error, Result};
use crate::upkeep::{ClearReport, DirReport, PatternReport, PruneReport, VerifyReport};

/// Objects between two calls of a progress callback.
const PROGRESS_EVERY: u64 = 100;

/// One object a listing found.
#[derive(Clone, Debug)]
pub(crate) struct Listed {
    /// The name `fetch` and `delete` take: a path under the URL, or the object's key.
    pub(crate) name: String,
    pub(crate) size: u64,
    pub(crate) modified: Option<SystemTime>,
}

/// What upkeep needs of a remote store.
pub(crate) trait ObjectStore: Sync {
    /// The store's location, for reports.
    fn location(&self) -> String;
    /// What the names of entries look like, for reports (`subdirs`, `prefix/%s`).
    fn naming(&self) -> String;
    /// Every object under the store's URL or prefix.
    fn list(&self, progress: &mut dyn FnMut(u64)) -> Result<Vec<Listed>>;
    /// Whether `name` has the form of an entry's name (before reading it).
    fn looks_like_entry(&self, name: &str) -> bool;
    /// Whether the store puts the entry under `key` at `name`.
    fn owns(&self, name: &str, key: &str) -> bool;
    /// The object's bytes (its first `first` bytes when given); `None` when it is gone.
    fn fetch(&self, name: &str, first: Option<usize>) -> Result<Option<Vec<u8>>>;
    /// Removes the object.
    fn delete(&self, name: &str) -> Result<()>;
}

/// What a look at an object's first bytes says about it.
fn is_ours(store: &dyn ObjectStore, name: &str, head: &[u8]) -> bool {
    match entry::owner(head) {
        Owner::Key(key) => std::str::from_utf8(key).is_ok_and(|key| store.owns(name, key)),
        Owner::NotBccache | Owner::Unknown => false,
    }
}

/// The listed objects whose names have an entry's form, calling `progress` every
/// [`PROGRESS_EVERY`] of them.
fn entries<'a>(
    store: &'a dyn ObjectStore,
    listed: &'a [Listed],
    progress: &'a mut dyn FnMut(u64),
) -> impl Iterator<Item = &'a Listed> + 'a {
    listed
        .iter()
        .filter(|object| store.looks_like_entry(&object.name))
        .enumerate()
        .map(move |(n, object)| {
            if (n as u64 + 1).is_multiple_of(PROGRESS_EVERY) {
                progress(n as u64 + 1);
            }
            object
        })
}

/// Whether the object is provably this store's entry, reading its first bytes.
fn check_owned(store: &dyn ObjectStore, name: &str) -> Result<Option<bool>> {
    Ok(store
        .fetch(name, Some(OWNER_LOOK))?
        .map(|head| is_ours(store, name, &head)))
}

/// Entries (by the form of their name), bytes and ages of a remote store, without changing
/// anything: one report whose pattern says how entries are named.
pub(crate) fn scan(store: &dyn ObjectStore, progress: &mut dyn FnMut(u64)) -> Result<DirReport> {
    let listed = store.list(progress)?;
    let mut report = PatternReport {
        pattern: store.naming(),
        ..PatternReport::default()
    };
    let mut other_files = 0;
    let mut times = Vec::new();
    for object in &listed {
        if !store.looks_like_entry(&object.name) {
            other_files += 1;
            continue;
        }
        report.entries += 1;
        report.bytes = report.bytes.saturating_add(object.size);
        times.extend(object.modified);
    }
    times.sort_unstable();
    report.oldest = times.first().copied();
    report.median = times.get(times.len() / 2).copied();
    report.newest = times.last().copied();
    let mut dir = DirReport {
        directory: PathBuf::from(store.location()),
        other_files,
        ..DirReport::default()
    };
    if report.entries > 0 {
        dir.patterns.push(report);
    }
    Ok(dir)
}

/// Reads every entry whole and removes the corrupt ones (see [`FileSystemBytecodeCache::verify`]
/// for what counts as corrupt and as foreign).
///
/// [`FileSystemBytecodeCache::verify`]: crate::FileSystemBytecodeCache::verify
pub(crate) fn verify(
    store: &dyn ObjectStore,
    progress: &mut dyn FnMut(u64),
) -> Result<VerifyReport> {
    let listed = store.list(&mut |_| {})?;
    let mut report = VerifyReport::default();
    for object in entries(store, &listed, progress) {
        let bytes = match store.fetch(&object.name, None) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => continue,
            Err(_) => {
                report.unreadable.push(PathBuf::from(&object.name));
                continue;
            }
        };
        report.entries_checked += 1;
        if !is_ours(store, &object.name, &bytes) {
            report.foreign_kept += 1;
            continue;
        }
        match entry::inspect(&bytes) {
            Ok(_) => {
                report.entries_kept += 1;
                report.bytes_kept = report.bytes_kept.saturating_add(bytes.len() as u64);
            }
            Err(Problem::Foreign) => report.foreign_kept += 1,
            Err(Problem::Corrupt(_)) => {
                report.corrupt_found += 1;
                report.corrupt.push(PathBuf::from(&object.name));
                match store.delete(&object.name) {
                    Ok(()) => {
                        report.corrupt_removed += 1;
                        report.bytes_freed = report.bytes_freed.saturating_add(bytes.len() as u64);
                    }
                    Err(_) => report.unreadable.push(PathBuf::from(&object.name)),
                }
            }
        }
    }
    Ok(report)
}

/// Removes entries not modified for `older_than`, then the least recently modified until the
/// entries take at most `max_size` bytes; only provable entries go.
pub(crate) fn prune(
    store: &dyn ObjectStore,
    older_than: Option<Duration>,
    max_size: Option<u64>,
    progress: &mut dyn FnMut(u64),
) -> Result<PruneReport> {
    let mut entries: Vec<Listed> = store
        .list(&mut |_| {})?
        .into_iter()
        .filter(|object| store.looks_like_entry(&object.name))
        .collect();
    // Least recently used first; an object without a date counts as the oldest.
    entries.sort_by_key(|object| object.modified);
    let cutoff = older_than.and_then(|age| SystemTime::now().checked_sub(age));
    let mut total: u64 = entries.iter().map(|object| object.size).sum();
    let mut report = PruneReport::default();
    for (n, object) in entries.iter().enumerate() {
        if (n as u64 + 1).is_multiple_of(PROGRESS_EVERY) {
            progress(n as u64 + 1);
        }
        let too_old = cutoff.is_some_and(|cutoff| object.modified.is_none_or(|m| m < cutoff));
        let too_big = max_size.is_some_and(|max| total > max);
        let removed = (too_old || too_big) && remove_if_owned(store, object, &mut report);
        if removed {
            report.entries_removed += 1;
            report.bytes_freed = report.bytes_freed.saturating_add(object.size);
            total = total.saturating_sub(object.size);
        } else {
            report.entries_kept += 1;
            report.bytes_kept = report.bytes_kept.saturating_add(object.size);
        }
    }
    Ok(report)
}

/// Deletes `object` when it is provably the store's entry; a failure is reported as unreadable.
fn remove_if_owned(store: &dyn ObjectStore, object: &Listed, report: &mut PruneReport) -> bool {
    let result = check_owned(store, &object.name).and_then(|owned| match owned {
        Some(true) => store.delete(&object.name).map(|()| true),
        Some(false) | None => Ok(false),
    });
    result.unwrap_or_else(|_| {
        report.unreadable.push(PathBuf::from(&object.name));
        false
    })
}

/// Deletes every provable entry of the store, and nothing else.
pub(crate) fn clear(store: &dyn ObjectStore, progress: &mut dyn FnMut(u64)) -> Result<ClearReport> {
    let listed = store.list(&mut |_| {})?;
    let mut report = ClearReport::default();
    let mut first_error = None;
    for object in entries(store, &listed, progress) {
        let result = check_owned(store, &object.name).and_then(|owned| match owned {
            Some(true) => store.delete(&object.name).map(|()| true),
            _ => Ok(false),
        });
        match result {
            Ok(true) => {
                report.entries_removed += 1;
                report.bytes_freed = report.bytes_freed.saturating_add(object.size);
            }
            Ok(false) => {}
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    match first_error {
        None => Ok(report),
        Some(error) => Err(error),
    }
}

/// [`clear`] of a store, for its `BytecodeCache::clear`.
pub(crate) fn clear_store(store: &dyn ObjectStore) -> Result<ClearReport> {
    clear(store, &mut |_| {})
}

/// A remote cache named by its location, for upkeep: `http://..` (WebDAV) or `s3://..`.
pub struct RemoteCache {
    store: Box<dyn ObjectStore + Send>,
}

impl std::fmt::Debug for RemoteCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteCache")
            .field("location", &self.store.location())
            .finish()
    }
}

/// Whether `location` names a remote cache (`http://`, `https://` or `s3://`) rather than a
/// directory.
pub fn is_remote(location: &str) -> bool {
    ["http://", "https://", "s3://"]
        .iter()
        .any(|scheme| location.starts_with(scheme))
}

impl RemoteCache {
    /// Opens the remote cache at `location`, contacting nothing yet.
    ///
    /// - `http://host[:port]/path/[?layout=flat|subdirs|bazel]` (default `subdirs`);
    /// - `s3://bucket[/prefix][?endpoint=http://host:port&region=..]`, credentials from the
    ///   environment (none: anonymous, which can list a public bucket but not delete).
    ///
    /// ```
    /// let cache = bccache::upkeep::remote::RemoteCache::open("http://127.0.0.1:1/c/?layout=flat")?;
    /// assert_eq!(cache.location(), "http://127.0.0.1:1/c/");
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn open(location: &str) -> Result<Self> {
        let scheme = location.split("://").next().unwrap_or_default();
        match scheme {
            #[cfg(feature = "http")]
            "http" | "https" => Ok(RemoteCache {
                store: Box::new(crate::store::http::HttpStore::open(location)?),
            }),
            #[cfg(feature = "s3")]
            "s3" => Ok(RemoteCache {
                store: Box::new(crate::store::s3::S3Store::open(location)?),
            }),
            _ => Err(Error::InvalidServer {
                url: location.to_owned(),
                reason: "not a remote cache this build knows: `http://` needs bccache's \
                         feature `http`, `s3://` its feature `s3`"
                    .to_owned(),
            }),
        }
    }

    /// The location, credentials masked.
    pub fn location(&self) -> String {
        self.store.location()
    }

    /// How the store names its entries: the HTTP layout (`subdirs`), or `prefix%s` for S3.
    pub fn naming(&self) -> String {
        self.store.naming()
    }

    /// Entries, bytes and ages, without changing anything (`bccache stats`); `progress` is
    /// called with the number of objects listed so far.
    pub fn scan(&self, progress: &mut dyn FnMut(u64)) -> Result<DirReport> {
        scan(&*self.store, progress)
    }

    /// Reads every entry and removes the corrupt ones (`bccache verify`).
    pub fn verify(&self, progress: &mut dyn FnMut(u64)) -> Result<VerifyReport> {
        verify(&*self.store, progress)
    }

    /// Removes entries unused for `older_than`, then the least recently used beyond
    /// `max_size` bytes (`bccache prune`).
    pub fn prune(
        &self,
        older_than: Option<Duration>,
        max_size: Option<u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<PruneReport> {
        prune(&*self.store, older_than, max_size, progress)
    }

    /// Removes every entry of the store, and nothing else (`bccache clear`).
    pub fn clear(&self, progress: &mut dyn FnMut(u64)) -> Result<ClearReport> {
        clear(&*self.store, progress)
    }
}
