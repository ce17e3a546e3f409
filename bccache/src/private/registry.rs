//! Backends shared by configuration: a `OnceLock` that may fail, and the registry of
//! configurations read from fields.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use crate::error::Result;

/// `OnceLock::get_or_try_init`, which is not stable: a failed build is not cached, so the next
/// call tries again; two threads racing may both build, and one result is kept.
pub(super) fn get_or_try_init<T>(
    cell: &'static OnceLock<T>,
    build: impl FnOnce() -> Result<T>,
) -> Result<&'static T> {
    if let Some(backend) = cell.get() {
        return Ok(backend);
    }
    let backend = build()?;
    Ok(cell.get_or_init(|| backend))
}

/// Backends by configuration. Buckets of a hash of the borrowed configuration, so that a hit
/// allocates nothing; each bucket holds the owned keys that hashed there. A failed build is not
/// inserted, so the next call tries again.
pub(super) struct Registry<K, V> {
    entries: RwLock<Entries<K, V>>,
}

/// Owned keys and their backends, by the hash of the key.
type Entries<K, V> = BTreeMap<u64, Vec<(K, Arc<V>)>>;

impl<K, V> Registry<K, V> {
    pub(super) const fn new() -> Self {
        Registry {
            entries: RwLock::new(BTreeMap::new()),
        }
    }

    pub(super) fn get_or_try_insert(
        &self,
        config: &impl Hash,
        matches: impl Fn(&K) -> bool,
        build: impl FnOnce() -> Result<(K, V)>,
    ) -> Result<Arc<V>> {
        let mut hasher = DefaultHasher::new();
        config.hash(&mut hasher);
        let hash = hasher.finish();
        let find = |entries: &Entries<K, V>| {
            entries
                .get(&hash)?
                .iter()
                .find(|(key, _)| matches(key))
                .map(|(_, backend)| Arc::clone(backend))
        };
        // A panic while the lock was held cannot leave a half-made entry: inserts are one push.
        if let Some(backend) = find(&self.entries.read().unwrap_or_else(PoisonError::into_inner)) {
            return Ok(backend);
        }
        // Built outside the lock: building may touch the filesystem.
        let (key, backend) = build()?;
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(backend) = find(&entries) {
            return Ok(backend);
        }
        let backend = Arc::new(backend);
        entries
            .entry(hash)
            .or_default()
            .push((key, Arc::clone(&backend)));
        Ok(backend)
    }
}
