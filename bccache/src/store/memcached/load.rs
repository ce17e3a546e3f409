//! Loads that take more than one get: chunked entries and batches.

use std::collections::{HashMap, HashSet};

use super::chunk::{Head, chunk_key};
use super::store::MemcachedBytecodeCache;
use crate::bucket::Bucket;
use crate::error::{Error, Result};
use crate::net::exchange::Transport;
use crate::net::policy::keep_first;
use crate::stats::Verdict;

/// Chunk keys asked for at a time: each window's chunks are checked before the next window is
/// asked for, so a missing or foreign chunk costs one round trip, not the whole entry's.
const CHUNK_WINDOW: usize = 8;

/// What a batch of gets found: values by key, and the keys whose request failed.
struct Fetched<'k> {
    found: HashMap<String, Vec<u8>>,
    failed: HashSet<&'k str>,
}

impl MemcachedBytecodeCache {
    /// Fetches `keys`, each `(key, home)`, with one multi-get per server. The keys of a failed
    /// request are noted (and its error logged, or kept in `first_error` when errors are not
    /// ignored), so each costs only its own keys.
    async fn fetch<'k, T: Transport>(
        &self,
        transport: T,
        keys: &[(&'k str, &str)],
        first_error: &mut Option<Error>,
    ) -> Fetched<'k> {
        let mut fetched = Fetched {
            found: HashMap::with_capacity(keys.len()),
            failed: HashSet::new(),
        };
        if keys.is_empty() {
            return fetched;
        }
        for (keys, outcome) in self.backend.get_multi(transport, keys).await {
            match outcome {
                // A value under a key not asked for is never looked up.
                Ok(values) => fetched.found.extend(values),
                Err(source) => {
                    if let Some(&key) = keys.first() {
                        keep_first(first_error, self.policy("get", key.to_owned(), source));
                    }
                    fetched.failed.extend(keys);
                }
            }
        }
        fetched
    }

    /// Loads a chunked entry whose head was found under `key`: its chunks a window at a time,
    /// each checked as it arrives, then the entry decoded and its verdict counted. A chunk
    /// whose request failed counts as an error, a missing one as a miss.
    pub(super) async fn load_chunks<T: Transport>(
        &self,
        transport: T,
        bucket: &mut Bucket<'_>,
        key: &str,
        head: &Head,
    ) -> Result<()> {
        let mut first_error = None;
        let mut assembler = head.assembler();
        while let Some(first) = assembler.next_index() {
            let window: Vec<String> = (first..)
                .take(CHUNK_WINDOW)
                .take_while(|&n| n < head.count)
                .map(|n| chunk_key(key, n))
                .collect();
            let placed: Vec<(&str, &str)> = window.iter().map(|chunk| (&chunk[..], key)).collect();
            let mut chunks = self.fetch(transport, &placed, &mut first_error).await;
            if !chunks.failed.is_empty() {
                self.shell.counters.failed();
                return first_error.map_or(Ok(()), Err);
            }
            for chunk in &window {
                if let Err(verdict) = assembler.push(chunks.found.remove(chunk)) {
                    self.shell.counters.loaded(verdict, 0);
                    return Ok(());
                }
            }
        }
        match assembler.finish() {
            Ok(entry) => self.shell.loaded(bucket, Some(entry)),
            Err(verdict) => self.shell.counters.loaded(verdict, 0),
        }
        Ok(())
    }

    /// The batch load of [`load_bytecodes`](crate::BytecodeCache::load_bytecodes).
    pub(super) async fn load_batch<T: Transport>(
        &self,
        transport: T,
        buckets: &mut [Bucket<'_>],
    ) -> Result<()> {
        let mut first_error = None;
        let keys: Vec<Option<String>> = buckets
            .iter_mut()
            .map(|bucket| {
                bucket.reset();
                match self.memcached_key(&bucket.key) {
                    Ok(key) => Some(key),
                    Err((key, invalid)) => {
                        keep_first(&mut first_error, self.failed("get", key, Box::new(invalid)));
                        None
                    }
                }
            })
            .collect();
        // A key asked twice is fetched once; its later buckets load on their own afterwards.
        let mut asked = HashSet::with_capacity(keys.len());
        let mut repeated = vec![false; keys.len()];
        let mut unique = Vec::with_capacity(keys.len());
        for (index, key) in keys.iter().enumerate() {
            if let Some(key) = key.as_deref() {
                if asked.insert(key) {
                    unique.push(key);
                } else {
                    repeated[index] = true;
                }
            }
        }
        let placed: Vec<(&str, &str)> = unique.iter().map(|&key| (key, key)).collect();
        let mut values = self.fetch(transport, &placed, &mut first_error).await;
        let mut chunked = Vec::new();
        for (index, (bucket, key)) in buckets.iter_mut().zip(&keys).enumerate() {
            let Some(key) = key.as_deref() else { continue };
            if repeated[index] {
                continue;
            }
            if values.failed.contains(key) {
                self.shell.counters.failed();
                continue;
            }
            match values.found.remove(key) {
                None => self.shell.counters.loaded(Verdict::Missing, 0),
                Some(value) => match Head::parse(&value, self.max_item_size) {
                    Some(head) => chunked.push((index, key, head)),
                    None => self.shell.loaded(bucket, Some(value)),
                },
            }
        }
        for (index, key, head) in chunked {
            let loaded = self
                .load_chunks(transport, &mut buckets[index], key, &head)
                .await;
            keep_first(&mut first_error, loaded);
        }
        for index in (0..buckets.len()).filter(|&index| repeated[index]) {
            let loaded = self.load(transport, &mut buckets[index]).await;
            keep_first(&mut first_error, loaded);
        }
        first_error.map_or(Ok(()), Err)
    }
}
