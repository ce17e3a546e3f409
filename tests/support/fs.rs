//! Storing and loading through a cache, and what a cache leaves in its directory.

use std::fs;
use std::path::Path;

use bccache::BytecodeCache;

/// The names of the dump temp files (`.<entry>.<random>.tmp`) in `dir`.
pub fn temp_files_in(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .expect("list the cache directory")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with('.') && name.ends_with(".tmp"))
        .collect()
}

/// Stores `code` for a template (no environment), as a miss followed by a compile would.
pub fn store(
    cache: &dyn BytecodeCache,
    name: &str,
    source: &str,
    code: &[u8],
) -> bccache::Result<()> {
    let mut bucket = cache.get_bucket(&(), name, None, source)?;
    bucket.code = Some(code.to_vec());
    cache.set_bucket(&bucket)
}

/// The code a load finds, or `None` on a miss; an error fails the test.
pub fn load(cache: &dyn BytecodeCache, name: &str, source: &str) -> Option<Vec<u8>> {
    cache
        .get_bucket(&(), name, None, source)
        .expect("a load is a hit or a miss, never an error")
        .code
}

/// Stores `code` for a template as [`store`] does, failing the test on an error; returns the
/// bucket's key, for tests that look the entry up in the store itself.
pub fn store_key(cache: &dyn BytecodeCache, name: &str, source: &str, code: &[u8]) -> String {
    let mut bucket = cache
        .get_bucket(&(), name, None, source)
        .expect("get_bucket");
    bucket.code = Some(code.to_vec());
    cache.set_bucket(&bucket).expect("set_bucket");
    bucket.key
}
