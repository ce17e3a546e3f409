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
//! Verify, prune and clear keep up to 8 requests in flight ([`RemoteCache::parallel_requests`]),
//! as many as the store keeps connections to a server: on an object store each request is a
//! round trip, which they overlap. Their reports are those of one request at a time: results
//! are taken in the listing's order, and prune chooses what goes in the order a walk one
//! object at a time does, then removes the chosen at once.
//!
//! [`S3BytecodeCacheBuilder::from_env`]: crate::S3BytecodeCacheBuilder::from_env

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::entry::{self, OWNER_LOOK, Owner, Problem};
use crate::error::{Error, Result};
use crate::net::lanes::LANES_PER_SERVER;
use crate::net::object::PARALLEL_REQUESTS;
use crate::upkeep::parallel::in_order;
use crate::upkeep::{ClearReport, DirReport, PatternReport, PruneReport, VerifyReport};

/// Objects between two calls of a progress callback.
const PROGRESS_EVERY: u64 = 100;

// Each request in flight needs a connection of its own, or the workers queue on one.
const _: () = assert!(PARALLEL_REQUESTS <= LANES_PER_SERVER);

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
    /// Every object under the store's URL or prefix, with up to `workers` requests at once
    /// where the listing allows it.
    fn list(&self, workers: usize, progress: &mut dyn FnMut(u64)) -> Result<Vec<Listed>>;
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

/// Whether the object is provably this store's entry, reading its first bytes.
fn check_owned(store: &dyn ObjectStore, name: &str) -> Result<Option<bool>> {
    Ok(store
        .fetch(name, Some(OWNER_LOOK))?
        .map(|head| is_ours(store, name, &head)))
}

/// Counts objects settled, calling `progress` every [`PROGRESS_EVERY`] of them.
struct Settled<'a> {
    count: u64,
    progress: &'a mut dyn FnMut(u64),
}

impl<'a> Settled<'a> {
    fn new(progress: &'a mut dyn FnMut(u64)) -> Self {
        Settled { count: 0, progress }
    }

    fn one(&mut self) {
        self.count += 1;
        if self.count.is_multiple_of(PROGRESS_EVERY) {
            (self.progress)(self.count);
        }
    }
}

/// Entries (by the form of their name), bytes and ages of a remote store, without changing
/// anything: one report whose pattern says how entries are named.
pub(crate) fn scan(
    store: &dyn ObjectStore,
    workers: usize,
    progress: &mut dyn FnMut(u64),
) -> Result<DirReport> {
    let listed = store.list(workers, progress)?;
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

/// The listed objects whose names have an entry's form.
fn entries(store: &dyn ObjectStore, workers: usize) -> Result<Vec<Listed>> {
    let mut listed = store.list(workers, &mut |_| {})?;
    listed.retain(|object| store.looks_like_entry(&object.name));
    Ok(listed)
}

/// What verify found of one object.
enum Verified {
    Gone,
    Unreadable,
    Foreign,
    Kept(u64),
    /// Corrupt, with its length and whether it is removed.
    Corrupt(u64, bool),
}

/// Reads an entry whole and removes it when corrupt.
fn verify_one(store: &dyn ObjectStore, name: &str) -> Verified {
    let bytes = match store.fetch(name, None) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Verified::Gone,
        Err(_) => return Verified::Unreadable,
    };
    if !is_ours(store, name, &bytes) {
        return Verified::Foreign;
    }
    match entry::inspect(&bytes) {
        Ok(_) => Verified::Kept(bytes.len() as u64),
        Err(Problem::Foreign) => Verified::Foreign,
        Err(Problem::Corrupt(_)) => {
            Verified::Corrupt(bytes.len() as u64, store.delete(name).is_ok())
        }
    }
}

/// Reads every entry whole and removes the corrupt ones (see [`FileSystemBytecodeCache::verify`]
/// for what counts as corrupt and as foreign), `workers` requests at once. An object that
/// cannot be read or removed is reported unreadable and the others go on.
///
/// [`FileSystemBytecodeCache::verify`]: crate::FileSystemBytecodeCache::verify
pub(crate) fn verify(
    store: &dyn ObjectStore,
    workers: usize,
    progress: &mut dyn FnMut(u64),
) -> Result<VerifyReport> {
    let listed = entries(store, workers)?;
    let mut report = VerifyReport::default();
    let mut settled = Settled::new(progress);
    let work = |object: &Listed| verify_one(store, &object.name);
    in_order(
        &listed,
        workers,
        &work,
        &|_| false,
        &mut |object, verified| {
            settled.one();
            if !matches!(verified, Verified::Gone | Verified::Unreadable) {
                report.entries_checked += 1;
            }
            match verified {
                Verified::Gone => {}
                Verified::Unreadable => report.unreadable.push(PathBuf::from(&object.name)),
                Verified::Foreign => report.foreign_kept += 1,
                Verified::Kept(len) => {
                    report.entries_kept += 1;
                    report.bytes_kept = report.bytes_kept.saturating_add(len);
                }
                Verified::Corrupt(len, removed) => {
                    report.corrupt_found += 1;
                    report.corrupt.push(PathBuf::from(&object.name));
                    if removed {
                        report.corrupt_removed += 1;
                        report.bytes_freed = report.bytes_freed.saturating_add(len);
                    } else {
                        report.unreadable.push(PathBuf::from(&object.name));
                    }
                }
            }
        },
    );
    Ok(report)
}

/// Deletes every provable entry of the store, and nothing else, `workers` requests at once.
/// An object that cannot be read or removed does not stop the others (an operator clearing a
/// cache wants all else gone); the first error, in the listing's order, is returned at the
/// end. A dead server fails the rest at once: its skip clock answers without a request.
pub(crate) fn clear(
    store: &dyn ObjectStore,
    workers: usize,
    progress: &mut dyn FnMut(u64),
) -> Result<ClearReport> {
    let listed = entries(store, workers)?;
    let mut report = ClearReport::default();
    let mut first_error = None;
    let mut settled = Settled::new(progress);
    let work = |object: &Listed| {
        check_owned(store, &object.name).and_then(|owned| match owned {
            Some(true) => store.delete(&object.name).map(|()| true),
            _ => Ok(false),
        })
    };
    in_order(
        &listed,
        workers,
        &work,
        &|_| false,
        &mut |object, result| {
            settled.one();
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
        },
    );
    match first_error {
        None => Ok(report),
        Some(error) => Err(error),
    }
}

/// What prune learnt of one object of a window.
#[derive(Clone, Copy, PartialEq)]
enum Fate {
    /// Not looked at: never a candidate.
    Unchecked,
    /// Its first bytes could not be read, or it could not be removed.
    Unreadable,
    /// Not provably this store's entry (or gone).
    NotOurs,
    /// This store's entry, still there.
    Ours,
    Removed,
}

/// Objects whose fate prune settles together: the ownership of each is checked at once (more
/// than a walk one at a time would check when the size bound is close, never fewer), then the
/// chosen ones are removed at once.
const PRUNE_WINDOW: usize = 16 * PARALLEL_REQUESTS;

/// Removes entries not modified for `older_than`, then the least recently modified until the
/// entries take at most `max_size` bytes; only provable entries go, `workers` requests at once.
///
/// The outcome is a walk's one object at a time, oldest first: an object is a candidate when
/// it is too old or the entries still take more than `max_size`; a candidate goes when it is
/// provably ours and its removal succeeds (else it is kept, and unreadable when a request
/// failed), and only what goes lowers the total. Parallel, that walk is played on a window's
/// known fates: ownership checked for every object that may become a candidate, then the
/// chosen removed; when a removal fails, the walk is played again, which may choose more.
pub(crate) fn prune(
    store: &dyn ObjectStore,
    older_than: Option<Duration>,
    max_size: Option<u64>,
    workers: usize,
    progress: &mut dyn FnMut(u64),
) -> Result<PruneReport> {
    let mut entries = entries(store, workers)?;
    // Least recently used first; an object without a date counts as the oldest.
    entries.sort_by_key(|object| object.modified);
    let cutoff = older_than.and_then(|age| SystemTime::now().checked_sub(age));
    let too_old = |object: &Listed| cutoff.is_some_and(|c| object.modified.is_none_or(|m| m < c));
    let over = |total: u64| max_size.is_some_and(|max| total > max);
    let mut total: u64 = entries.iter().map(|object| object.size).sum();
    let mut report = PruneReport::default();
    let mut settled = Settled::new(progress);
    for window in entries.chunks(PRUNE_WINDOW) {
        let mut fates = vec![Fate::Unchecked; window.len()];
        // The total only falls: below the bound at the window's start, only age chooses.
        let checked: Vec<usize> = (0..window.len())
            .filter(|&at| over(total) || too_old(&window[at]))
            .collect();
        let check = |&at: &usize| check_owned(store, &window[at].name);
        in_order(&checked, workers, &check, &|_| false, &mut |&at, owned| {
            fates[at] = match owned {
                Ok(Some(true)) => Fate::Ours,
                Ok(_) => Fate::NotOurs,
                Err(_) => Fate::Unreadable,
            };
        });
        loop {
            // The walk, every removal not yet tried taken to succeed.
            let mut left = total;
            let mut chosen = Vec::new();
            for (at, object) in window.iter().enumerate() {
                let candidate = too_old(object) || over(left);
                if fates[at] == Fate::Removed || (candidate && fates[at] == Fate::Ours) {
                    left = left.saturating_sub(object.size);
                    if fates[at] == Fate::Ours {
                        chosen.push(at);
                    }
                }
            }
            if chosen.is_empty() {
                break;
            }
            let delete = |&at: &usize| store.delete(&window[at].name);
            in_order(
                &chosen,
                workers,
                &delete,
                &|_| false,
                &mut |&at, deleted| {
                    fates[at] = match deleted {
                        Ok(()) => Fate::Removed,
                        Err(_) => Fate::Unreadable,
                    };
                },
            );
        }
        for (at, object) in window.iter().enumerate() {
            let candidate = too_old(object) || over(total);
            if fates[at] == Fate::Removed {
                report.entries_removed += 1;
                report.bytes_freed = report.bytes_freed.saturating_add(object.size);
                total = total.saturating_sub(object.size);
            } else {
                if candidate && fates[at] == Fate::Unreadable {
                    report.unreadable.push(PathBuf::from(&object.name));
                }
                report.entries_kept += 1;
                report.bytes_kept = report.bytes_kept.saturating_add(object.size);
            }
            settled.one();
        }
    }
    Ok(report)
}

/// [`clear`] of a store, for its `BytecodeCache::clear`.
pub(crate) fn clear_store(store: &dyn ObjectStore) -> Result<ClearReport> {
    clear(store, PARALLEL_REQUESTS, &mut |_| {})
}

/// A remote cache named by its location, for upkeep: `http://..` (WebDAV) or `s3://..`.
pub struct RemoteCache {
    store: Box<dyn ObjectStore + Send>,
    workers: usize,
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
                workers: PARALLEL_REQUESTS,
            }),
            #[cfg(feature = "s3")]
            "s3" => Ok(RemoteCache {
                store: Box::new(crate::store::s3::S3Store::open(location)?),
                workers: PARALLEL_REQUESTS,
            }),
            _ => Err(Error::InvalidServer {
                url: location.to_owned(),
                reason: "not a remote cache this build knows: `http://` needs bccache's \
                         feature `http`, `s3://` its feature `s3`"
                    .to_owned(),
            }),
        }
    }

    /// How many requests listing, verify, prune and clear keep in flight at once (default 8,
    /// as many connections as the store keeps to a server; 1 sends one at a time). Their
    /// reports are the same whatever the number.
    ///
    /// ```
    /// use bccache::upkeep::remote::RemoteCache;
    ///
    /// let cache = RemoteCache::open("http://127.0.0.1:1/c/")?.parallel_requests(1);
    /// assert_eq!(cache.requests_in_flight(), 1);
    /// # Ok::<(), bccache::Error>(())
    /// ```
    #[must_use]
    pub fn parallel_requests(mut self, requests: usize) -> Self {
        self.workers = requests.max(1);
        self
    }

    /// How many requests listing, verify, prune and clear keep in flight at once.
    pub fn requests_in_flight(&self) -> usize {
        self.workers
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
        scan(&*self.store, self.workers, progress)
    }

    /// Reads every entry and removes the corrupt ones (`bccache verify`); an entry that cannot
    /// be read or removed is reported unreadable, and the others go on.
    pub fn verify(&self, progress: &mut dyn FnMut(u64)) -> Result<VerifyReport> {
        verify(&*self.store, self.workers, progress)
    }

    /// Removes entries unused for `older_than`, then the least recently used beyond
    /// `max_size` bytes (`bccache prune`); an entry that cannot be read or removed is kept and
    /// reported unreadable, and the others go on.
    pub fn prune(
        &self,
        older_than: Option<Duration>,
        max_size: Option<u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<PruneReport> {
        prune(&*self.store, older_than, max_size, self.workers, progress)
    }

    /// Removes every entry of the store, and nothing else (`bccache clear`). A request that
    /// fails does not stop the others; the first error, in the listing's order, is returned
    /// once every other entry is gone.
    pub fn clear(&self, progress: &mut dyn FnMut(u64)) -> Result<ClearReport> {
        clear(&*self.store, self.workers, progress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::Mutex;

    /// A store in memory whose requests fail for chosen objects: what no real server does on
    /// cue, to pin prune's walk with failures in the middle of it.
    struct Failing {
        objects: Mutex<BTreeMap<String, Listed>>,
        foreign: BTreeSet<String>,
        unreadable: BTreeSet<String>,
        undeletable: BTreeSet<String>,
    }

    impl ObjectStore for Failing {
        fn location(&self) -> String {
            "memory://".to_owned()
        }
        fn naming(&self) -> String {
            "%s".to_owned()
        }
        fn list(&self, _: usize, _: &mut dyn FnMut(u64)) -> Result<Vec<Listed>> {
            Ok(self.objects.lock().map_or_else(
                |_| Vec::new(),
                |objects| objects.values().cloned().collect(),
            ))
        }
        fn looks_like_entry(&self, _: &str) -> bool {
            true
        }
        fn owns(&self, name: &str, key: &str) -> bool {
            name == key
        }
        fn fetch(&self, name: &str, _: Option<usize>) -> Result<Option<Vec<u8>>> {
            if self.unreadable.contains(name) {
                return Err(Error::InvalidServer {
                    url: name.to_owned(),
                    reason: "unreadable".to_owned(),
                });
            }
            if self.foreign.contains(name) {
                return Ok(Some(b"theirs".to_vec()));
            }
            let mut head = crate::BC_MAGIC.to_vec();
            head.extend_from_slice(&[0; 8]);
            head.extend_from_slice(&(name.len() as u32).to_le_bytes());
            head.extend_from_slice(name.as_bytes());
            Ok(Some(head))
        }
        fn delete(&self, name: &str) -> Result<()> {
            if self.undeletable.contains(name) {
                return Err(Error::InvalidServer {
                    url: name.to_owned(),
                    reason: "refused".to_owned(),
                });
            }
            if let Ok(mut objects) = self.objects.lock() {
                objects.remove(name);
            }
            Ok(())
        }
    }

    #[test]
    fn clear_removes_every_other_entry_and_returns_the_first_failure() {
        for workers in [1, 3, 8] {
            let store = failing();
            let error = clear(&store, workers, &mut |_| {}).expect_err("refusals");
            // The first object that fails, in the listing's order: 0003 is foreign, unreadable
            // and undeletable all at once; unreadable is found first.
            assert!(error.to_string().contains("0003"), "{error}");
            let left: BTreeSet<String> = store
                .list(1, &mut |_| {})
                .unwrap_or_default()
                .into_iter()
                .map(|object| object.name)
                .collect();
            let kept: BTreeSet<String> = store
                .foreign
                .iter()
                .chain(&store.unreadable)
                .chain(&store.undeletable)
                .cloned()
                .collect();
            assert_eq!(left, kept, "{workers} workers");
        }
    }

    /// 1,000 objects of 1..=5 units, modified in a shuffled order, some with no date; every
    /// 7th foreign, every 11th unreadable, every 13th undeletable.
    fn failing() -> Failing {
        let base = SystemTime::now() - Duration::from_secs(10_000);
        let mut objects = BTreeMap::new();
        let (mut foreign, mut unreadable, mut undeletable) = Default::default();
        for n in 0..1000u64 {
            let name = format!("{n:04}");
            let age = (n * 617) % 1000;
            let modified = (n % 97 != 0).then(|| base + Duration::from_secs(age * 9));
            for (every, set) in [
                (7, &mut foreign),
                (11, &mut unreadable),
                (13, &mut undeletable),
            ] {
                if n % every == 3 {
                    BTreeSet::insert(set, name.clone());
                }
            }
            let size = 1 + n % 5;
            let listed = Listed {
                name: name.clone(),
                size,
                modified,
            };
            objects.insert(name, listed);
        }
        Failing {
            objects: Mutex::new(objects),
            foreign,
            unreadable,
            undeletable,
        }
    }

    /// Prune's rule, one object at a time.
    fn walked(store: &Failing, older_than: Option<Duration>, max_size: Option<u64>) -> PruneReport {
        let mut entries = store.list(1, &mut |_| {}).unwrap_or_default();
        entries.sort_by_key(|object| object.modified);
        let cutoff = older_than.and_then(|age| SystemTime::now().checked_sub(age));
        let mut total: u64 = entries.iter().map(|object| object.size).sum();
        let mut report = PruneReport::default();
        for object in &entries {
            let too_old = cutoff.is_some_and(|c| object.modified.is_none_or(|m| m < c));
            let too_big = max_size.is_some_and(|max| total > max);
            let removed = (too_old || too_big)
                && match check_owned(store, &object.name) {
                    Ok(Some(true)) => match store.delete(&object.name) {
                        Ok(()) => true,
                        Err(_) => {
                            report.unreadable.push(PathBuf::from(&object.name));
                            false
                        }
                    },
                    Ok(_) => false,
                    Err(_) => {
                        report.unreadable.push(PathBuf::from(&object.name));
                        false
                    }
                };
            if removed {
                report.entries_removed += 1;
                report.bytes_freed += object.size;
                total -= object.size;
            } else {
                report.entries_kept += 1;
                report.bytes_kept += object.size;
            }
        }
        report
    }

    #[test]
    fn parallel_prune_with_failures_mid_walk_removes_what_a_walk_one_at_a_time_removes() {
        let bounds = [
            (None, Some(1_500)),
            (Some(Duration::from_secs(7_000)), None),
            (Some(Duration::from_secs(5_000)), Some(2_200)),
            (None, Some(0)),
            (None, Some(10_000)),
        ];
        for (older_than, max_size) in bounds {
            let expected_store = failing();
            let expected = walked(&expected_store, older_than, max_size);
            assert!(expected.entries_removed > 0 || max_size == Some(10_000));
            for workers in [1, 3, 8] {
                let store = failing();
                let mut calls = Vec::new();
                let report = prune(&store, older_than, max_size, workers, &mut |n| {
                    calls.push(n)
                })
                .unwrap_or_default();
                let what = format!("{older_than:?} {max_size:?}, {workers} workers");
                assert_eq!(report.entries_removed, expected.entries_removed, "{what}");
                assert_eq!(report.entries_kept, expected.entries_kept, "{what}");
                assert_eq!(report.bytes_freed, expected.bytes_freed, "{what}");
                assert_eq!(report.bytes_kept, expected.bytes_kept, "{what}");
                assert_eq!(report.unreadable, expected.unreadable, "{what}");
                let names = |store: &Failing| -> Vec<String> {
                    let listed = store.list(1, &mut |_| {}).unwrap_or_default();
                    listed.into_iter().map(|object| object.name).collect()
                };
                assert_eq!(names(&store), names(&expected_store), "{what}");
                assert_eq!(
                    calls,
                    (1..=10).map(|n| n * 100).collect::<Vec<_>>(),
                    "{what}"
                );
            }
        }
    }
}
