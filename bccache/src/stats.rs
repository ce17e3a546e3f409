//! [`CacheStats`]: what a store did, counted where the decoder gives its verdict.

use std::ops::{Add, AddAssign};
use std::sync::atomic::{AtomicU64, Ordering};

/// Counts of what a store did since it was made, from [`BytecodeCache::stats`].
///
/// A load ends in exactly one of `hits`, `misses` (no entry), `stale` (an entry for another
/// version of the source) and `rejected` (an entry that failed a check: corrupt, truncated,
/// another format version, another engine or key), or `errors` when the store itself failed
/// (a read error, a server that did not answer). `stores` counts entries written, and the byte
/// counts are encoded entry sizes.
///
/// [`BytecodeCache::stats`]: crate::BytecodeCache::stats
///
/// ```
/// use bccache::{BytecodeCache, FileSystemBytecodeCache};
///
/// let dir = tempfile::tempdir()?;
/// let cache = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?;
/// let mut bucket = cache.get_bucket(&(), "a.lua", None, "return 1")?;
/// bucket.code = Some(b"code".to_vec());
/// cache.set_bucket(&bucket)?;
/// cache.get_bucket(&(), "a.lua", None, "return 1")?;
///
/// let stats = cache.stats().expect("the filesystem cache counts");
/// assert_eq!((stats.misses, stats.stores, stats.hits), (1, 1, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CacheStats {
    /// Loads that found usable code.
    pub hits: u64,
    /// Loads that found no entry.
    pub misses: u64,
    /// Loads that found an entry for another version of the source.
    pub stale: u64,
    /// Loads that found an entry failing a check (corrupt, other format, engine or key).
    pub rejected: u64,
    /// Operations the store failed (whether or not the error was ignored).
    pub errors: u64,
    /// Entries written.
    pub stores: u64,
    /// Encoded bytes of the entries that hit.
    pub bytes_read: u64,
    /// Encoded bytes of the entries written.
    pub bytes_written: u64,
}

impl CacheStats {
    /// Loads of every outcome: hits, misses, stale, rejected and failed ones (saturating at
    /// `u64::MAX`: persisted counts are input and may hold any number).
    pub fn lookups(&self) -> u64 {
        [self.misses, self.stale, self.rejected, self.errors]
            .into_iter()
            .fold(self.hits, u64::saturating_add)
    }

    /// Hits as a share of all lookups, `0.0` before the first one.
    pub fn hit_rate(&self) -> f64 {
        match self.lookups() {
            0 => 0.0,
            n => self.hits as f64 / n as f64,
        }
    }

    /// The fields in a fixed order, with their names: for printing and persisting.
    pub fn fields(&self) -> [(&'static str, u64); 8] {
        [
            ("hits", self.hits),
            ("misses", self.misses),
            ("stale", self.stale),
            ("rejected", self.rejected),
            ("errors", self.errors),
            ("stores", self.stores),
            ("bytes_read", self.bytes_read),
            ("bytes_written", self.bytes_written),
        ]
    }

    fn field(&self, name: &str) -> u64 {
        self.fields()
            .into_iter()
            .find_map(|(n, value)| (n == name).then_some(value))
            .unwrap_or(0)
    }

    /// Sets the field called `name` (one of [`fields`](Self::fields)); `false` for an unknown name.
    pub fn set_field(&mut self, name: &str, value: u64) -> bool {
        let field = match name {
            "hits" => &mut self.hits,
            "misses" => &mut self.misses,
            "stale" => &mut self.stale,
            "rejected" => &mut self.rejected,
            "errors" => &mut self.errors,
            "stores" => &mut self.stores,
            "bytes_read" => &mut self.bytes_read,
            "bytes_written" => &mut self.bytes_written,
            _ => return false,
        };
        *field = value;
        true
    }
}

impl Add for CacheStats {
    type Output = CacheStats;

    fn add(mut self, other: CacheStats) -> CacheStats {
        self += other;
        self
    }
}

/// Field by field, saturating at `u64::MAX`: the one way counts are summed.
impl AddAssign for CacheStats {
    fn add_assign(&mut self, other: CacheStats) {
        for (name, value) in other.fields() {
            let sum = self.field(name).saturating_add(value);
            self.set_field(name, sum);
        }
    }
}

/// Why a load ended as it did: the decoder's verdict on an entry, or the store's on a lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The entry is this bucket's, intact: `code` is set.
    Hit,
    /// There was no entry.
    Missing,
    /// The entry is this bucket's but for another source checksum.
    Stale,
    /// The entry failed a check: magic, version, fingerprint, key, lengths or trailer.
    Rejected,
}

/// Lock-free counters behind [`CacheStats`]; every built-in store holds one and records each
/// verdict here, so the counting rules live in one place.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
    stale: AtomicU64,
    rejected: AtomicU64,
    errors: AtomicU64,
    stores: AtomicU64,
    bytes_read: AtomicU64,
    bytes_written: AtomicU64,
}

impl Counters {
    /// Counts a load's verdict; `entry_len` is the encoded entry's size (counted on a hit).
    pub(crate) fn loaded(&self, verdict: Verdict, entry_len: u64) {
        let (counter, name) = match verdict {
            Verdict::Hit => {
                bump(&self.bytes_read, entry_len);
                facade::count("bccache_read_bytes_total", entry_len);
                (&self.hits, "bccache_hits_total")
            }
            Verdict::Missing => (&self.misses, "bccache_misses_total"),
            Verdict::Stale => (&self.stale, "bccache_stale_total"),
            Verdict::Rejected => (&self.rejected, "bccache_rejected_total"),
        };
        bump(counter, 1);
        facade::count(name, 1);
    }

    /// Counts an entry of `entry_len` encoded bytes written.
    pub(crate) fn stored(&self, entry_len: u64) {
        bump(&self.stores, 1);
        bump(&self.bytes_written, entry_len);
        facade::count("bccache_stores_total", 1);
        facade::count("bccache_written_bytes_total", entry_len);
    }

    /// Counts a failed operation.
    pub(crate) fn failed(&self) {
        bump(&self.errors, 1);
        facade::count("bccache_errors_total", 1);
    }

    /// The counts now. Each counter is read on its own, so a snapshot taken while other threads
    /// count may be a moment apart between fields.
    pub(crate) fn snapshot(&self) -> CacheStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        CacheStats {
            hits: get(&self.hits),
            misses: get(&self.misses),
            stale: get(&self.stale),
            rejected: get(&self.rejected),
            errors: get(&self.errors),
            stores: get(&self.stores),
            bytes_read: get(&self.bytes_read),
            bytes_written: get(&self.bytes_written),
        }
    }
}

fn bump(counter: &AtomicU64, by: u64) {
    counter.fetch_add(by, Ordering::Relaxed);
}

/// The same counts through the `metrics` crate's facade, under the names of
/// `bccache stats --format prometheus`, so an application's own exporter shows them.
#[cfg(feature = "metrics")]
mod facade {
    pub(super) fn count(name: &'static str, by: u64) {
        metrics::counter!(name).increment(by);
    }
}

/// Without the `metrics` feature there is no facade to count through.
#[cfg(not(feature = "metrics"))]
mod facade {
    #[inline(always)]
    pub(super) fn count(_name: &'static str, _by: u64) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_verdict_lands_in_its_own_counter() {
        let counters = Counters::default();
        counters.loaded(Verdict::Hit, 100);
        counters.loaded(Verdict::Missing, 0);
        counters.loaded(Verdict::Stale, 0);
        counters.loaded(Verdict::Rejected, 0);
        counters.loaded(Verdict::Rejected, 0);
        counters.failed();
        counters.stored(40);
        let stats = counters.snapshot();
        assert_eq!(
            stats,
            CacheStats {
                hits: 1,
                misses: 1,
                stale: 1,
                rejected: 2,
                errors: 1,
                stores: 1,
                bytes_read: 100,
                bytes_written: 40,
            }
        );
        assert_eq!(stats.lookups(), 6);
        assert!((stats.hit_rate() - 1.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn stats_add_field_by_field() {
        let mut a = CacheStats::default();
        assert!(a.set_field("hits", 2));
        assert!(a.set_field("bytes_written", 7));
        assert!(!a.set_field("nonsense", 1));
        let sum = a + a;
        assert_eq!((sum.hits, sum.bytes_written, sum.misses), (4, 14, 0));
    }

    #[test]
    fn sums_and_lookups_saturate_instead_of_overflowing() {
        let mut a = CacheStats::default();
        a.set_field("hits", u64::MAX);
        a.set_field("misses", 1);
        assert_eq!(a.lookups(), u64::MAX);
        assert_eq!((a + a).hits, u64::MAX);
        assert_eq!((a + a).misses, 2);
    }
}
