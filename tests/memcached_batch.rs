//! Batch warm-up through memcached: `get_buckets` answers with one multi-get per server and
//! agrees with single loads, against real memcached servers on 127.0.0.1.

mod support;

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use bccache::{Bucket, MemcachedClient};
use bccache::{BytecodeCache, CacheStats, DEFAULT_PREFIX, Error, Lookup, MemcachedBytecodeCache};
use support::engine::Engine;
use support::memcached::{ClientResult, MemcachedServer, error_chain};

const SOURCE: &str = "{% for item in items %}<li>{{ item }}</li>{% endfor %}";

fn cache_on(servers: &[&MemcachedServer], ignore_errors: bool) -> MemcachedBytecodeCache {
    cache_with_query(servers, ignore_errors, "")
}

/// A cache on `servers`, each URL followed by `query` (e.g. `?protocol=binary`).
fn cache_with_query(
    servers: &[&MemcachedServer],
    ignore_errors: bool,
    query: &str,
) -> MemcachedBytecodeCache {
    let mut builder = MemcachedBytecodeCache::builder().ignore_memcache_errors(ignore_errors);
    for server in servers {
        builder = builder.server(format!("{}{query}", server.url()));
    }
    builder.build().expect("valid server URLs")
}

/// Stores `code` for `name` under `environment`; returns the full memcached key.
fn store_with(
    cache: &impl BytecodeCache,
    environment: &dyn bccache::Environment,
    name: &str,
    source: &str,
    code: &[u8],
) -> String {
    let mut bucket = cache
        .get_bucket(environment, name, None, source)
        .expect("get_bucket");
    bucket.code = Some(code.to_vec());
    cache.set_bucket(&bucket).expect("set_bucket");
    format!("{DEFAULT_PREFIX}{}", bucket.key)
}

fn store(cache: &impl BytecodeCache, name: &str, code: &[u8]) -> String {
    store_with(cache, &Engine("engine 1"), name, SOURCE, code)
}

fn code_of(name: &str) -> Vec<u8> {
    format!("compiled {name}").repeat(40).into_bytes()
}

/// The loads' verdict counts (hits, misses, stale, rejected, errors) between two snapshots.
fn verdicts(before: CacheStats, after: CacheStats) -> [u64; 5] {
    [
        after.hits - before.hits,
        after.misses - before.misses,
        after.stale - before.stale,
        after.rejected - before.rejected,
        after.errors - before.errors,
    ]
}

fn stats(cache: &impl BytecodeCache) -> CacheStats {
    cache.stats().expect("the memcached store counts")
}

#[test]
fn get_buckets_agrees_with_single_loads_on_a_mixed_set() {
    agrees_with_single_loads_on_a_mixed_set("");
}

#[test]
fn get_buckets_agrees_with_single_loads_on_a_mixed_set_through_a_given_binary_client() {
    agrees_with_single_loads_on_a_mixed_set("?protocol=binary");
}

/// `query` empty: the store's own client; else a `memcache::Client` on the URL with `query`,
/// handed to `.client()`.
fn agrees_with_single_loads_on_a_mixed_set(query: &str) {
    let server = MemcachedServer::start();
    let cache = if query.is_empty() {
        cache_on(&[&server], false)
    } else {
        let client = memcache::Client::connect(format!("{}{query}", server.url()))
            .expect("a memcache client");
        MemcachedBytecodeCache::builder()
            .client(client)
            .ignore_memcache_errors(false)
            .build()
            .expect("a cache on a given client")
    };
    let engine = Engine("engine 1");
    let raw = memcache::Client::connect(server.url()).expect("raw client");

    let mut lookups_owned: Vec<(String, String)> = Vec::new();
    let mut expected: Vec<Option<Vec<u8>>> = Vec::new();
    // Hits.
    for i in 0..20 {
        let name = format!("hit-{i}.html");
        store(&cache, &name, &code_of(&name));
        expected.push(Some(code_of(&name)));
        lookups_owned.push((name, SOURCE.to_owned()));
    }
    // Misses: never stored.
    for i in 0..5 {
        lookups_owned.push((format!("miss-{i}.html"), SOURCE.to_owned()));
        expected.push(None);
    }
    // Stale: stored for another version of the source.
    for i in 0..5 {
        let name = format!("stale-{i}.html");
        store(&cache, &name, b"old code");
        lookups_owned.push((name, format!("{SOURCE} changed")));
        expected.push(None);
    }
    // Corrupt: one byte flipped, at the front, the middle and the end.
    for i in 0..5 {
        let name = format!("corrupt-{i}.html");
        let key = store(&cache, &name, &code_of(&name));
        let mut bytes = server.raw_get(&key).expect("stored");
        let at = [
            0,
            bytes.len() / 3,
            bytes.len() / 2,
            bytes.len() - 9,
            bytes.len() - 1,
        ][i];
        bytes[at] ^= 0x40;
        raw.set(&key, &bytes[..], 0).expect("raw set");
        lookups_owned.push((name, SOURCE.to_owned()));
        expected.push(None);
    }
    // Another engine's code under the same key.
    for i in 0..5 {
        let name = format!("engine2-{i}.html");
        store_with(&cache, &Engine("engine 2"), &name, SOURCE, b"engine 2 code");
        lookups_owned.push((name, SOURCE.to_owned()));
        expected.push(None);
    }
    // Another key's entry planted under this key.
    for i in 0..5 {
        let name = format!("planted-{i}.html");
        let other = store(&cache, &format!("donor-{i}.html"), b"donor code");
        let mine = store(&cache, &name, b"own code");
        let donor = server.raw_get(&other).expect("donor stored");
        raw.set(&mine, &donor[..], 0).expect("raw set");
        lookups_owned.push((name, SOURCE.to_owned()));
        expected.push(None);
    }
    let lookups: Vec<Lookup<'_>> = lookups_owned
        .iter()
        .map(|(name, source)| Lookup::new(name, source))
        .collect();

    let before = stats(&cache);
    let batch = cache.get_buckets(&engine, &lookups).expect("get_buckets");
    let after_batch = stats(&cache);
    let singles: Vec<Bucket<'_>> = lookups
        .iter()
        .map(|l| {
            cache
                .get_bucket_bytes(&engine, l.name, l.filename, l.source)
                .expect("get_bucket")
        })
        .collect();
    let after_singles = stats(&cache);

    assert_eq!(batch.len(), lookups.len());
    for ((lookup, batch), (single, expected)) in lookups
        .iter()
        .zip(&batch)
        .zip(singles.iter().zip(&expected))
    {
        assert_eq!(batch.code, single.code, "{}", lookup.name);
        assert_eq!(&batch.code, expected, "{}", lookup.name);
        assert_eq!(batch.key, single.key);
        assert_eq!(batch.checksum, single.checksum);
    }
    // hits, misses, stale, rejected (5 corrupt + 5 other engine + 5 planted), errors.
    assert_eq!(verdicts(before, after_batch), [20, 5, 5, 15, 0]);
    assert_eq!(
        verdicts(after_batch, after_singles),
        verdicts(before, after_batch)
    );
}

#[test]
fn a_key_asked_twice_in_one_batch_hits_twice() {
    let server = MemcachedServer::start();
    let cache = cache_on(&[&server], false);
    store(&cache, "twice.html", b"code");
    let lookups = [
        Lookup::new("twice.html", SOURCE),
        Lookup::new("other.html", SOURCE),
        Lookup::new("twice.html", SOURCE),
    ];
    let before = stats(&cache);
    let buckets = cache
        .get_buckets(&Engine("engine 1"), &lookups)
        .expect("get_buckets");
    assert_eq!(buckets[0].code.as_deref(), Some(&b"code"[..]));
    assert_eq!(buckets[1].code, None);
    assert_eq!(buckets[2].code.as_deref(), Some(&b"code"[..]));
    assert_eq!(verdicts(before, stats(&cache)), [2, 1, 0, 0, 0]);
}

/// Where each of `names` lives in a cluster of `servers`, found with raw gets.
fn homes(servers: &[MemcachedServer], keys: &[String]) -> Vec<usize> {
    keys.iter()
        .map(|key| {
            let holders: Vec<usize> = (0..servers.len())
                .filter(|&i| servers[i].raw_get(key).is_some())
                .collect();
            assert_eq!(holders.len(), 1, "{key} is on exactly one server");
            holders[0]
        })
        .collect()
}

#[test]
fn three_server_cluster_with_one_killed_only_misses_its_keys() {
    let mut servers: Vec<MemcachedServer> = (0..3).map(|_| MemcachedServer::start()).collect();
    let cache = cache_on(&servers.iter().collect::<Vec<_>>(), true);
    let names: Vec<String> = (0..90).map(|i| format!("page-{i}.html")).collect();
    let keys: Vec<String> = names
        .iter()
        .map(|name| store(&cache, name, &code_of(name)))
        .collect();
    let home = homes(&servers, &keys);
    for i in 0..3 {
        assert!(home.iter().filter(|&&h| h == i).count() >= 10, "server {i}");
    }
    let lookups: Vec<Lookup<'_>> = names.iter().map(|n| Lookup::new(n, SOURCE)).collect();
    let engine = Engine("engine 1");

    let all = cache.get_buckets(&engine, &lookups).expect("get_buckets");
    assert!(
        all.iter().all(|b| b.code.is_some()),
        "all hit while all run"
    );

    servers[2].stop();
    let dead = home.iter().filter(|&&h| h == 2).count() as u64;
    let before = stats(&cache);
    let buckets = cache
        .get_buckets(&engine, &lookups)
        .expect("errors are ignored");
    for ((name, bucket), &h) in names.iter().zip(&buckets).zip(&home) {
        if h == 2 {
            assert_eq!(bucket.code, None, "{name} lives on the dead server");
        } else {
            assert_eq!(bucket.code, Some(code_of(name)), "{name} still hits");
        }
    }
    let after = stats(&cache);
    assert_eq!(
        verdicts(before, after),
        [names.len() as u64 - dead, 0, 0, 0, dead]
    );
    // Single loads agree.
    for ((name, bucket), lookup) in names.iter().zip(&buckets).zip(&lookups) {
        let single = cache
            .get_bucket(&engine, lookup.name, None, SOURCE)
            .expect("errors are ignored");
        assert_eq!(single.code, bucket.code, "{name}");
    }

    // With errors returned, the live servers' buckets are still filled, and the error names a
    // key of the dead server.
    let strict = cache_on(&servers.iter().collect::<Vec<_>>(), false);
    let mut buckets: Vec<Bucket<'_>> = lookups
        .iter()
        .map(|l| {
            Bucket::new(
                &engine,
                strict.get_cache_key(l.name, None),
                strict.get_source_checksum(SOURCE),
            )
        })
        .collect();
    let error = strict
        .load_bytecodes(&mut buckets)
        .expect_err("a dead server is an error when errors are not ignored");
    let dead_keys: Vec<&String> = keys
        .iter()
        .zip(&home)
        .filter(|&(_, &h)| h == 2)
        .map(|(k, _)| k)
        .collect();
    assert!(
        matches!(&error, Error::Memcached { operation: "get", key, .. } if dead_keys.contains(&key)),
        "unexpected error: {}",
        error_chain(&error)
    );
    for ((name, bucket), &h) in names.iter().zip(&buckets).zip(&home) {
        assert_eq!(bucket.code.is_some(), h != 2, "{name}");
    }
}

/// A client with only `get` and `set`: the provided `get_multi` asks for each key.
#[derive(Default)]
struct InProcess {
    values: Mutex<HashMap<String, Vec<u8>>>,
    gets: AtomicUsize,
}

impl MemcachedClient for InProcess {
    fn get(&self, key: &str) -> ClientResult<Option<Vec<u8>>> {
        self.gets.fetch_add(1, Ordering::Relaxed);
        Ok(self
            .values
            .lock()
            .map_err(|e| e.to_string())?
            .get(key)
            .cloned())
    }

    fn set(&self, key: &str, value: &[u8], _timeout: Option<u32>) -> ClientResult<()> {
        self.values
            .lock()
            .map_err(|e| e.to_string())?
            .insert(key.to_owned(), value.to_vec());
        Ok(())
    }
}

#[test]
fn client_without_get_multi_still_batches_through_single_gets() {
    let client = std::sync::Arc::new(InProcess::default());
    let cache = MemcachedBytecodeCache::builder()
        .client(std::sync::Arc::clone(&client))
        .build()
        .expect("build");
    store(&cache, "a.html", b"code a");
    store(&cache, "b.html", b"code b");
    let lookups = [
        Lookup::new("a.html", SOURCE),
        Lookup::new("missing.html", SOURCE),
        Lookup::new("b.html", SOURCE),
    ];
    let gets_before = client.gets.load(Ordering::Relaxed);
    let buckets = cache
        .get_buckets(&Engine("engine 1"), &lookups)
        .expect("get_buckets");
    let codes: Vec<Option<&[u8]>> = buckets.iter().map(|b| b.code.as_deref()).collect();
    assert_eq!(codes, [Some(&b"code a"[..]), None, Some(&b"code b"[..])]);
    assert_eq!(client.gets.load(Ordering::Relaxed) - gets_before, 3);
}

/// A client whose multi-get answers every key with the value of the key asked before it, as a
/// connection out of step would.
struct Shifted(InProcess);

impl MemcachedClient for Shifted {
    fn get(&self, key: &str) -> ClientResult<Option<Vec<u8>>> {
        self.0.get(key)
    }

    fn set(&self, key: &str, value: &[u8], timeout: Option<u32>) -> ClientResult<()> {
        self.0.set(key, value, timeout)
    }

    fn get_multi(&self, keys: &[&str]) -> ClientResult<HashMap<String, Vec<u8>>> {
        let mut found = HashMap::new();
        for pair in keys.windows(2) {
            if let Some(value) = self.0.get(pair[0])? {
                found.insert(pair[1].to_owned(), value);
            }
        }
        Ok(found)
    }
}

#[test]
fn values_returned_under_another_key_are_misses() {
    let cache = MemcachedBytecodeCache::new(Shifted(InProcess::default()));
    let names: Vec<String> = (0..10).map(|i| format!("same-{i}.html")).collect();
    for name in &names {
        // The same source and code everywhere: only the key in the header tells them apart.
        store(&cache, name, b"same code");
    }
    let lookups: Vec<Lookup<'_>> = names.iter().map(|n| Lookup::new(n, SOURCE)).collect();
    let before = stats(&cache);
    let buckets = cache
        .get_buckets(&Engine("engine 1"), &lookups)
        .expect("get_buckets");
    assert!(buckets.iter().all(|b| b.code.is_none()));
    assert_eq!(verdicts(before, stats(&cache)), [0, 1, 0, 9, 0]);
}

#[test]
fn key_memcached_cannot_store_fails_only_its_bucket() {
    let server = MemcachedServer::start();
    let strict = cache_on(&[&server], false);
    let engine = Engine("engine 1");
    store(&strict, "a.html", b"code a");
    store(&strict, "b.html", b"code b");
    let bucket = |key: String| Bucket::new(&engine, key, strict.get_source_checksum(SOURCE));
    let mut buckets = vec![
        bucket(strict.get_cache_key("a.html", None)),
        bucket("holds a space".to_owned()),
        bucket(strict.get_cache_key("b.html", None)),
    ];
    let error = strict
        .load_bytecodes(&mut buckets)
        .expect_err("an invalid key is an error when errors are not ignored");
    assert!(
        matches!(&error, Error::Memcached { operation: "get", key, .. } if key.ends_with("holds a space")),
        "unexpected error: {}",
        error_chain(&error)
    );
    let codes: Vec<Option<&[u8]>> = buckets.iter().map(|b| b.code.as_deref()).collect();
    assert_eq!(codes, [Some(&b"code a"[..]), None, Some(&b"code b"[..])]);

    let lenient = cache_on(&[&server], true);
    lenient
        .load_bytecodes(&mut buckets)
        .expect("ignored: a miss");
    assert_eq!(stats(&lenient).errors, 1);
    assert_eq!(stats(&lenient).hits, 2);
}

#[test]
fn long_keys_in_large_batches_all_hit() {
    // 128 keys of 250 bytes make a request line of 32 KB in the text protocol.
    let server = MemcachedServer::start();
    let cache = MemcachedBytecodeCache::builder()
        .server(server.url())
        .prefix("p".repeat(MemcachedBytecodeCache::MAX_PREFIX_LEN))
        .ignore_memcache_errors(false)
        .build()
        .expect("build");
    let names: Vec<String> = (0..300).map(|i| format!("long-{i}.html")).collect();
    for name in &names {
        store(&cache, name, name.as_bytes());
    }
    let lookups: Vec<Lookup<'_>> = names.iter().map(|n| Lookup::new(n, SOURCE)).collect();
    let buckets = cache
        .get_buckets(&Engine("engine 1"), &lookups)
        .expect("get_buckets");
    for (name, bucket) in names.iter().zip(&buckets) {
        assert_eq!(bucket.code.as_deref(), Some(name.as_bytes()), "{name}");
    }
}
