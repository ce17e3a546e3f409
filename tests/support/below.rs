//! Reading and planting entries below a store wrapper (`Compressed`, `Signed`), as an attacker
//! or a bad disk would: straight in the inner store, well-formed, with a valid trailer.

use std::borrow::Cow;

use bccache::{
    Bucket, BytecodeCache, Environment, FileSystemBytecodeCache, MemcachedBytecodeCache,
};

use super::memcached::MemcachedServer;

/// An environment with a given fingerprint: the one a wrapper passes down.
pub struct Fingerprint(pub Vec<u8>);

impl Environment for Fingerprint {
    fn fingerprint(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.0)
    }
}

/// The payload the inner store holds for `name` and `source` under `fingerprint` (what the
/// wrapper wrote), or `None`.
pub fn payload_below(
    inner: &dyn BytecodeCache,
    fingerprint: &[u8],
    name: &str,
    source: &str,
) -> Option<Vec<u8>> {
    inner
        .get_bucket(&Fingerprint(fingerprint.to_vec()), name, None, source)
        .expect("a load is a hit or a miss")
        .code
}

/// Writes `payload` into the inner store as the entry of `name` and `source` under
/// `fingerprint`: a well-formed entry whose trailer is valid.
pub fn plant(
    inner: &dyn BytecodeCache,
    fingerprint: &[u8],
    name: &str,
    source: &str,
    payload: Vec<u8>,
) {
    let environment = Fingerprint(fingerprint.to_vec());
    // Built, not loaded: planting counts as a store only.
    let mut bucket = Bucket::new(
        &environment,
        inner.get_cache_key(name, None),
        inner.get_source_checksum(source),
    );
    bucket.code = Some(payload);
    inner.set_bucket(&bucket).expect("plant an entry");
}

/// Runs `test` against each real store: files in a temp dir, then a memcached of its own.
pub fn on_each_store(test: impl Fn(&str, &dyn BytecodeCache)) {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = FileSystemBytecodeCache::new(dir.path(), "__wrapped_%s.cache").expect("fs store");
    test("filesystem", &files);
    let server = MemcachedServer::start();
    let memcached = MemcachedBytecodeCache::builder()
        .server(server.url())
        .ignore_memcache_errors(false)
        .build()
        .expect("memcached store");
    test("memcached", &memcached);
}
