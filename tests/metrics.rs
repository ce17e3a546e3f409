//! Feature `metrics`: every store counts through the `metrics` facade under the names of
//! `bccache stats --format prometheus`, seen here by a real recorder (metrics-util's
//! `DebuggingRecorder`) installed for this thread.

use std::collections::HashMap;
use std::path::Path;

use bccache::{Bucket, BytecodeCache, FileSystemBytecodeCache};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};

/// Every counter the recorder saw, by name, summed over labels.
fn counters(recorder: &DebuggingRecorder) -> HashMap<String, u64> {
    let mut out = HashMap::new();
    for (key, _, _, value) in recorder.snapshotter().snapshot().into_vec() {
        if let DebugValue::Counter(n) = value {
            *out.entry(key.key().name().to_owned()).or_insert(0) += n;
        }
    }
    out
}

/// A filesystem cache in `dir` after a miss and a store of `code_len` bytes of code for
/// `a.lua`: the bucket stored.
fn cache_with_one_entry(dir: &Path, code_len: usize) -> (FileSystemBytecodeCache, Bucket<'static>) {
    let cache = FileSystemBytecodeCache::new(dir, "__metrics_%s.cache").expect("cache");
    let mut bucket = cache
        .get_bucket(&(), "a.lua", None, "return 1")
        .expect("miss");
    assert!(bucket.code.is_none());
    bucket.code = Some(vec![7; code_len]);
    cache.set_bucket(&bucket).expect("store");
    (cache, bucket)
}

#[test]
fn a_filesystem_cache_counts_hits_misses_stale_stores_and_bytes_through_the_facade() {
    let dir = tempfile::tempdir().expect("tempdir");
    let recorder = DebuggingRecorder::new();
    metrics::with_local_recorder(&recorder, || {
        let (cache, _) = cache_with_one_entry(dir.path(), 1000);
        for _ in 0..3 {
            let hit = cache
                .get_bucket(&(), "a.lua", None, "return 1")
                .expect("hit");
            assert!(hit.code.is_some());
        }
        let stale = cache
            .get_bucket(&(), "a.lua", None, "return 2")
            .expect("stale");
        assert!(stale.code.is_none());

        let seen = counters(&recorder);
        let stats = cache.stats().expect("the filesystem cache counts");
        assert_eq!(seen.get("bccache_hits_total"), Some(&3), "{seen:?}");
        assert_eq!(seen.get("bccache_misses_total"), Some(&1), "{seen:?}");
        assert_eq!(seen.get("bccache_stale_total"), Some(&1), "{seen:?}");
        assert_eq!(seen.get("bccache_stores_total"), Some(&1), "{seen:?}");
        // The facade and the store's own counters agree byte for byte.
        assert_eq!(
            seen.get("bccache_read_bytes_total"),
            Some(&stats.bytes_read)
        );
        assert_eq!(
            seen.get("bccache_written_bytes_total"),
            Some(&stats.bytes_written)
        );
        assert!(stats.bytes_written > 1000);
        assert_eq!(
            seen.get("bccache_rejected_total"),
            None,
            "nothing was rejected"
        );
    });
}

#[test]
fn a_corrupt_entry_counts_as_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let recorder = DebuggingRecorder::new();
    metrics::with_local_recorder(&recorder, || {
        let (cache, bucket) = cache_with_one_entry(dir.path(), 100);
        let path = cache.path_for_key(&bucket.key);
        let mut bytes = std::fs::read(&path).expect("entry");
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&path, bytes).expect("corrupt");
        assert!(
            cache
                .get_bucket(&(), "a.lua", None, "return 1")
                .expect("load")
                .code
                .is_none()
        );
        assert_eq!(counters(&recorder).get("bccache_rejected_total"), Some(&1));
    });
}
