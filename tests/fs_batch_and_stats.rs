//! The filesystem store's batch loads (parallel reads) and its counters.

use std::borrow::Cow;
use std::fs;

use bccache::{BytecodeCache, CacheStats, Environment, FileSystemBytecodeCache, Lookup};

struct Engine(&'static str);

impl Environment for Engine {
    fn fingerprint(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(self.0.as_bytes())
    }
}

const ENTRIES: usize = 96;

/// What entry `n` of the mixed set is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Hit,
    Missing,
    Stale,
    Corrupt,
    OtherEngine,
}

fn kind(n: usize) -> Kind {
    [
        Kind::Hit,
        Kind::Missing,
        Kind::Stale,
        Kind::Corrupt,
        Kind::OtherEngine,
    ][n % 5]
}

fn name(n: usize) -> String {
    format!("templates/t{n}.html")
}

fn source(n: usize) -> String {
    format!("<p>{{{{ value_{n} }}}}</p>")
}

/// A directory holding the mixed set, as seen by `Engine("mine")`.
fn mixed_cache(dir: &std::path::Path) -> FileSystemBytecodeCache {
    let cache = FileSystemBytecodeCache::new(dir, "__mix_%s.cache").expect("cache");
    for n in 0..ENTRIES {
        let (engine, stored_source) = match kind(n) {
            Kind::Missing => continue,
            Kind::Stale => (Engine("mine"), format!("old {}", source(n))),
            Kind::OtherEngine => (Engine("theirs"), source(n)),
            Kind::Hit | Kind::Corrupt => (Engine("mine"), source(n)),
        };
        let mut bucket = cache
            .get_bucket(&engine, &name(n), None, &stored_source)
            .expect("bucket");
        bucket.code = Some(format!("code {n}").into_bytes());
        cache.set_bucket(&bucket).expect("store");
        if kind(n) == Kind::Corrupt {
            let path = cache.path_for_key(&bucket.key);
            let mut bytes = fs::read(&path).expect("read entry");
            let last = bytes.len() - 12;
            bytes[last] ^= 0x40;
            fs::write(&path, bytes).expect("corrupt entry");
        }
    }
    cache
}

#[test]
fn get_buckets_agrees_with_single_loads_on_a_mixed_set() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = mixed_cache(dir.path());
    let names: Vec<String> = (0..ENTRIES).map(name).collect();
    let sources: Vec<String> = (0..ENTRIES).map(source).collect();
    let lookups: Vec<Lookup<'_>> = (0..ENTRIES)
        .map(|n| Lookup::new(&names[n], &sources[n]))
        .collect();

    let batch = cache.get_buckets(&Engine("mine"), &lookups).expect("batch");

    assert_eq!(batch.len(), ENTRIES);
    for (n, bucket) in batch.iter().enumerate() {
        let single = cache
            .get_bucket(&Engine("mine"), &names[n], None, &sources[n])
            .expect("single");
        assert_eq!(bucket.key, single.key, "entry {n} keeps its place");
        assert_eq!(bucket.code, single.code, "entry {n} ({:?})", kind(n));
        let expected = (kind(n) == Kind::Hit).then(|| format!("code {n}").into_bytes());
        assert_eq!(bucket.code, expected, "entry {n} ({:?})", kind(n));
    }
}

#[test]
fn every_load_is_counted_by_its_verdict() {
    let dir = tempfile::tempdir().expect("temp dir");
    let count = |k: Kind| (0..ENTRIES).filter(|&n| kind(n) == k).count() as u64;
    let writer = mixed_cache(dir.path());
    assert_eq!(
        writer.stats().expect("stats").stores,
        ENTRIES as u64 - count(Kind::Missing)
    );

    let reader = FileSystemBytecodeCache::new(dir.path(), "__mix_%s.cache").expect("cache");
    assert_eq!(reader.stats(), Some(CacheStats::default()));
    for n in 0..ENTRIES {
        reader
            .get_bucket(&Engine("mine"), &name(n), None, &source(n))
            .expect("load");
    }
    let stats = reader.stats().expect("stats");
    assert_eq!(stats.hits, count(Kind::Hit));
    assert_eq!(stats.misses, count(Kind::Missing));
    assert_eq!(stats.stale, count(Kind::Stale));
    assert_eq!(
        stats.rejected,
        count(Kind::Corrupt) + count(Kind::OtherEngine)
    );
    assert_eq!(stats.errors, 0);
    assert_eq!(stats.stores, 0);
    assert!(stats.bytes_read > 0);
    assert_eq!(stats.lookups(), ENTRIES as u64);

    // The batch path counts the same way.
    let names: Vec<String> = (0..ENTRIES).map(name).collect();
    let sources: Vec<String> = (0..ENTRIES).map(source).collect();
    let lookups: Vec<Lookup<'_>> = (0..ENTRIES)
        .map(|n| Lookup::new(&names[n], &sources[n]))
        .collect();
    reader
        .get_buckets(&Engine("mine"), &lookups)
        .expect("batch");
    let twice = reader.stats().expect("stats");
    assert_eq!(twice.hits, 2 * stats.hits);
    assert_eq!(twice.rejected, 2 * stats.rejected);
}

#[test]
fn clones_share_their_counters() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = FileSystemBytecodeCache::new(dir.path(), "__mix_%s.cache").expect("cache");
    let clone = cache.clone();
    clone.get_bucket(&(), "absent", None, "x").expect("miss");
    assert_eq!(cache.stats().expect("stats").misses, 1);
}

#[test]
fn a_failed_store_counts_as_an_error_not_a_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache_dir = dir.path().join("gone");
    let cache = FileSystemBytecodeCache::new(&cache_dir, "__mix_%s.cache").expect("cache");
    fs::remove_dir(&cache_dir).expect("remove");
    let mut bucket = cache
        .get_bucket(&(), "t", None, "x")
        .expect("a missing dir is a miss");
    bucket.code = Some(b"code".to_vec());
    cache
        .set_bucket(&bucket)
        .expect_err("no directory to write to");
    let stats = cache.stats().expect("stats");
    assert_eq!((stats.misses, stats.stores, stats.errors), (1, 0, 1));
}

#[test]
fn a_large_entry_is_read_whole_in_one_piece() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = FileSystemBytecodeCache::new(dir.path(), "__big_%s.cache").expect("cache");
    let code: Vec<u8> = (0..24u32 * 1024 * 1024)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut bucket = cache
        .get_bucket(&(), "big.wasm", None, "source")
        .expect("bucket");
    bucket.code = Some(code.clone());
    cache.set_bucket(&bucket).expect("store");
    let hit = cache
        .get_bucket(&(), "big.wasm", None, "source")
        .expect("hit");
    assert!(
        hit.code.as_deref() == Some(&code[..]),
        "24 MiB of code come back intact"
    );
}
