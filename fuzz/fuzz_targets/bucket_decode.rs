//! Fuzzes `Bucket::bytecode_from_string` and `Bucket::load_bytecode` (the header decoder and
//! everything after it); the property lives in `tests/fuzz-regressions/oracle.rs`, shared with
//! the regression test that replays what this target found.
//!
//! It also feeds every input to the filesystem store as an entry file, with a decode limit
//! on: an entry larger than the limit is a miss, and a hit never holds more code than the file
//! held.
#![no_main]

#[path = "../../tests/fuzz-regressions/oracle.rs"]
#[allow(dead_code)]
mod oracle;

use std::path::PathBuf;
use std::sync::OnceLock;

use bccache::{Bucket, BytecodeCache, FileSystemBytecodeCache};

/// The decode limit of the filesystem store under test.
const LIMIT: u64 = 4096;
const KEY: &str = "fuzzkey";

fn store() -> &'static (FileSystemBytecodeCache, PathBuf) {
    static STORE: OnceLock<(FileSystemBytecodeCache, PathBuf)> = OnceLock::new();
    STORE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("bccache-fuzz-{}", std::process::id()));
        let cache = FileSystemBytecodeCache::new(dir, "%s.entry")
            .expect("cache directory")
            .max_entry_size(LIMIT);
        let path = cache.path_for_key(KEY);
        (cache, path)
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oracle::check(data);

    let (cache, path) = store();
    std::fs::write(path, data).expect("write the entry file");
    // The checksum the oracle's well-formed inputs carry is not known here: any is fine, a
    // stale entry is a miss like any other.
    let mut bucket = Bucket::new(&(), KEY, "sum");
    cache.load_bytecode(&mut bucket).expect("a load is a hit or a miss");
    if let Some(code) = &bucket.code {
        assert!(data.len() as u64 <= LIMIT, "an entry over the limit hit");
        assert!(code.len() < data.len(), "a hit holds more than its file");
    }
});
