//! The in-process store: hits and misses checked as in every other store, a byte bound that is
//! never passed, counts, `clear`, batches and many threads.

mod support;

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use bccache::{Bucket, BytecodeCache, CachedLoader, Checksum, Error, Lookup, MemoryBytecodeCache};
use support::engine::{Engine, Upper};
use support::fs::{load, store};

const MIB: u64 = 1024 * 1024;

fn code(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect()
}

/// What an entry of `code_len` bytes under a Jinja2 key (40 hex digits) with a checksum of
/// `checksum_len` digits weighs: its encoded size plus its key.
fn weight(code_len: usize, checksum_len: usize) -> u64 {
    let mut bucket = Bucket::new(&(), "k".repeat(40), "c".repeat(checksum_len));
    bucket.code = Some(vec![0; code_len]);
    bucket.bytecode_to_string().unwrap().len() as u64 + 40
}

#[test]
fn memory_cache_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<MemoryBytecodeCache>();
}

#[test]
fn stored_code_hits_and_unknown_templates_miss() {
    let cache = MemoryBytecodeCache::new(MIB).checksum(Checksum::Xxh3_128);
    assert_eq!(cache.checksum_algorithm(), Checksum::Xxh3_128);
    assert_eq!(load(&cache, "a.html", "source a"), None);
    store(&cache, "a.html", "source a", b"code of a").unwrap();
    assert_eq!(
        load(&cache, "a.html", "source a"),
        Some(b"code of a".to_vec())
    );
    assert_eq!(load(&cache, "b.html", "source a"), None);
    let stats = cache.stats().unwrap();
    // `store` looks the template up first: one more miss.
    assert_eq!((stats.hits, stats.misses, stats.stores), (1, 3, 1));
    assert_eq!(stats.bytes_read, stats.bytes_written);
}

#[test]
fn entry_under_another_key_is_a_miss() {
    let cache = MemoryBytecodeCache::new(MIB);
    store(&cache, "a.html", "same source", b"code of a").unwrap();
    // Another name, another file name: other keys, whatever the source.
    assert_eq!(load(&cache, "b.html", "same source"), None);
    let other_file = cache
        .get_bucket(&(), "a.html", Some("templates/a.html"), "same source")
        .unwrap();
    assert_eq!(other_file.code, None);
    // A bucket whose key was changed by hand does not find the entry either.
    let mut bucket = Bucket::new(&(), "not-the-key", cache.get_source_checksum("same source"));
    cache.load_bytecode(&mut bucket).unwrap();
    assert_eq!(bucket.code, None);
    assert_eq!(cache.stats().unwrap().hits, 0);
}

#[test]
fn entry_for_another_checksum_is_stale() {
    let cache = MemoryBytecodeCache::new(MIB);
    store(&cache, "a.html", "version 1", b"code v1").unwrap();
    assert_eq!(load(&cache, "a.html", "version 2"), None);
    assert_eq!(cache.stats().unwrap().stale, 1);
    // The same source summed by another algorithm is another checksum too.
    let mut bucket = cache.get_bucket(&(), "a.html", None, "version 1").unwrap();
    assert!(bucket.code.is_some());
    bucket.checksum = Checksum::Xxh3_128.of(b"version 1");
    cache.load_bytecode(&mut bucket).unwrap();
    assert_eq!(bucket.code, None);
    assert_eq!(cache.stats().unwrap().stale, 2);
}

#[test]
fn entry_of_another_engine_is_rejected() {
    let cache = MemoryBytecodeCache::new(MIB);
    let old = Engine("engine 1.0");
    let new = Engine("engine 2.0");
    let mut bucket = cache.get_bucket(&old, "a.lua", None, "return 1").unwrap();
    bucket.code = Some(b"1.0 code".to_vec());
    cache.set_bucket(&bucket).unwrap();

    let bucket = cache.get_bucket(&new, "a.lua", None, "return 1").unwrap();
    assert_eq!(bucket.code, None);
    assert_eq!(cache.stats().unwrap().rejected, 1);
    let bucket = cache.get_bucket(&old, "a.lua", None, "return 1").unwrap();
    assert_eq!(bucket.code.as_deref(), Some(&b"1.0 code"[..]));
}

#[test]
fn newer_dump_replaces_the_entry() {
    let cache = MemoryBytecodeCache::new(MIB);
    store(&cache, "a.html", "v1", b"old").unwrap();
    store(&cache, "a.html", "v2", b"new").unwrap();
    assert_eq!(load(&cache, "a.html", "v1"), None);
    assert_eq!(load(&cache, "a.html", "v2"), Some(b"new".to_vec()));
    assert_eq!(cache.entry_count(), 1);
}

#[test]
fn empty_bucket_is_an_error() {
    let cache = MemoryBytecodeCache::new(MIB);
    let bucket = Bucket::new(&(), "key", "checksum");
    let err = cache.set_bucket(&bucket).unwrap_err();
    assert!(
        matches!(err, Error::EmptyBucket { ref key } if key == "key"),
        "{err:?}"
    );
}

#[test]
fn held_bytes_never_pass_the_bound_by_more_than_one_entry() {
    const CODE: usize = 64 * 1024;
    let max = MIB;
    let cache = MemoryBytecodeCache::new(max);
    let one_entry = weight(CODE, 40);
    let names: Vec<String> = (0..200).map(|n| format!("page{n}.html")).collect();
    for (n, name) in names.iter().enumerate() {
        store(&cache, name, "source", &code(n as u8, CODE)).unwrap();
        let held = cache.held_bytes();
        assert!(
            held <= max + one_entry,
            "after {} dumps: {held} bytes held, bound {max}, one entry {one_entry}",
            n + 1
        );
        // The count agrees with the weight: every entry weighs the same.
        assert_eq!(held, cache.entry_count() as u64 * one_entry);
        // What was just stored is there.
        assert_eq!(load(&cache, name, "source"), Some(code(n as u8, CODE)));
    }
    // Entries were evicted, and what is left is what loads: no more than the bound holds.
    let hits = names
        .iter()
        .filter(|name| load(&cache, name, "source").is_some())
        .count() as u64;
    assert!(hits * one_entry <= max + one_entry, "{hits} entries hit");
    assert!(
        hits >= 8,
        "only {hits} entries of {one_entry} bytes kept in {max}"
    );
    assert_eq!(hits, cache.entry_count() as u64);
    assert_eq!(cache.stats().unwrap().stores, 200);
}

#[test]
fn large_bound_is_kept_across_shards() {
    // 128 MiB: two shards of 64 MiB, each bounded by its share.
    const CODE: usize = 1024 * 1024;
    let max = 128 * MIB;
    let cache = MemoryBytecodeCache::new(max);
    let one_entry = weight(CODE, 40);
    let payload = code(7, CODE);
    for n in 0..200 {
        store(&cache, &format!("big{n}.html"), "source", &payload).unwrap();
        assert!(cache.held_bytes() <= max + one_entry);
    }
    assert!(cache.entry_count() > 64, "{} entries", cache.entry_count());
}

#[test]
fn entry_larger_than_the_bound_is_not_kept() {
    let cache = MemoryBytecodeCache::new(16 * 1024);
    store(&cache, "small.html", "s", &code(1, 1024)).unwrap();
    store(&cache, "huge.html", "s", &code(2, 64 * 1024)).unwrap();
    assert_eq!(load(&cache, "huge.html", "s"), None);
    assert_eq!(load(&cache, "small.html", "s"), Some(code(1, 1024)));
    assert!(cache.held_bytes() <= 16 * 1024);
    assert_eq!(cache.stats().unwrap().stores, 1);
}

#[test]
fn clear_empties_the_cache() {
    let cache = MemoryBytecodeCache::new(MIB);
    for n in 0..10 {
        store(&cache, &format!("t{n}"), "s", b"code").unwrap();
    }
    assert_eq!(cache.entry_count(), 10);
    cache.clear().unwrap();
    assert_eq!((cache.entry_count(), cache.held_bytes()), (0, 0));
    assert!((0..10).all(|n| load(&cache, &format!("t{n}"), "s").is_none()));
    store(&cache, "t0", "s", b"again").unwrap();
    assert_eq!(load(&cache, "t0", "s"), Some(b"again".to_vec()));
}

#[test]
fn get_buckets_agrees_with_single_loads() {
    let cache = MemoryBytecodeCache::new(MIB).checksum(Checksum::Xxh3_128);
    let engine = Engine("engine 1");
    let other_engine = Engine("engine 2");
    for (name, source) in [("hit", "s"), ("stale", "old"), ("foreign", "s")] {
        let env: &dyn bccache::Environment = if name == "foreign" {
            &other_engine
        } else {
            &engine
        };
        let mut bucket = cache.get_bucket(env, name, None, source).unwrap();
        bucket.code = Some(format!("code of {name}").into_bytes());
        cache.set_bucket(&bucket).unwrap();
    }
    let lookups = [
        Lookup::new("hit", "s"),
        Lookup::new("missing", "s"),
        Lookup::new("stale", "new"),
        Lookup::new("foreign", "s"),
        Lookup::new("hit", "s").filename("elsewhere/hit"),
    ];
    let batch = cache.get_buckets(&engine, &lookups).unwrap();
    assert_eq!(batch.len(), lookups.len());
    for (lookup, bucket) in lookups.iter().zip(&batch) {
        let single = cache
            .get_bucket_bytes(&engine, lookup.name, lookup.filename, lookup.source)
            .unwrap();
        assert_eq!(bucket.key, single.key);
        assert_eq!(bucket.code, single.code, "{lookup:?}");
    }
    let found: Vec<bool> = batch.iter().map(|b| b.code.is_some()).collect();
    assert_eq!(found, [true, false, false, false, false]);
}

#[test]
fn loader_compiles_once_then_loads_from_memory() {
    let loader = CachedLoader::new(Upper, MemoryBytecodeCache::new(MIB));
    let sources = [("a", None, "one"), ("b", None, "two")];
    let first = loader.load_many(&sources);
    let again = loader.load_many(&sources);
    for (first, again) in first.into_iter().zip(again) {
        let (first, again) = (first.unwrap(), again.unwrap());
        assert_eq!(first.origin, bccache::Origin::Compiled);
        assert_eq!(again.origin, bccache::Origin::Cache);
        assert_eq!(first.code, again.code);
    }
    assert_eq!(loader.load("a", None, "one").unwrap(), "ONE");
}

#[test]
fn threads_sharing_a_memory_cache_never_load_wrong_code() {
    // A bound that holds about half the entries, so eviction runs under the loads.
    const TEMPLATES: usize = 64;
    const CODE: usize = 16 * 1024;
    let cache = Arc::new(MemoryBytecodeCache::new(
        TEMPLATES as u64 / 2 * weight(CODE, 40),
    ));
    // The code of template `n` at version `v` is `codes[n][v]`.
    let codes: Arc<Vec<Vec<Vec<u8>>>> = Arc::new(
        (0..TEMPLATES)
            .map(|n| {
                (0..4u8)
                    .map(|v| code(n as u8 ^ v.wrapping_mul(97), CODE))
                    .collect()
            })
            .collect(),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let workers: Vec<_> = (0..8)
        .map(|worker| {
            let cache = Arc::clone(&cache);
            let codes = Arc::clone(&codes);
            thread::spawn(move || {
                let mut hits = 0;
                for round in 0..2000 {
                    if Instant::now() > deadline {
                        break;
                    }
                    let n = (round * 7 + worker * 13) % TEMPLATES;
                    let version = (round / 500) as u8;
                    let name = format!("t{n}");
                    let source = format!("source {n} v{version}");
                    let expected = &codes[n][usize::from(version)];
                    match load(cache.as_ref(), &name, &source) {
                        Some(found) => {
                            assert!(found == *expected, "wrong code for {name} v{version}");
                            hits += 1;
                        }
                        None => store(cache.as_ref(), &name, &source, expected).unwrap(),
                    }
                }
                hits
            })
        })
        .collect();
    let hits: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert!(hits > 0);
    assert!(cache.held_bytes() <= cache.max_bytes() + weight(CODE, 40));
}
