//! `Checksum`: Jinja2's sha1 by default, xxh3-128 when chosen, and the two never share an entry.

mod support;

use std::borrow::Cow;

use bccache::{
    BytecodeCache, Checksum, Environment, FileSystemBytecodeCache, MemcachedBytecodeCache,
};
use support::fs::{load, store};
use support::memcached::MemcachedServer;

const SOURCE: &str = "{% for item in items %}<li>{{ item }}</li>{% endfor %}";

fn fs_cache(dir: &std::path::Path, checksum: Checksum) -> FileSystemBytecodeCache {
    FileSystemBytecodeCache::new(dir, "__sum_%s.cache")
        .expect("cache")
        .checksum(checksum)
}

#[test]
fn sha1_is_the_default_and_stays_jinja2s() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = FileSystemBytecodeCache::new(dir.path(), "__sum_%s.cache").expect("cache");
    assert_eq!(cache.checksum_algorithm(), Checksum::Sha1);
    // sha1("abc"), as hashlib.sha1(b"abc").hexdigest() prints it.
    assert_eq!(
        cache.get_source_checksum("abc"),
        "a9993e364706816aba3e25717850c26c9cd0d89d"
    );
}

#[test]
fn xxh3_checksum_is_what_the_cache_uses_when_chosen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = fs_cache(dir.path(), Checksum::Xxh3_128);
    assert_eq!(
        cache.get_source_checksum(SOURCE),
        Checksum::Xxh3_128.of(SOURCE.as_bytes())
    );
    let bucket = cache
        .get_bucket(&(), "page.html", None, SOURCE)
        .expect("bucket");
    assert_eq!(bucket.checksum.len(), 32);
}

#[test]
fn an_entry_stored_under_sha1_misses_under_xxh3_and_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sha1 = fs_cache(dir.path(), Checksum::Sha1);
    let xxh3 = fs_cache(dir.path(), Checksum::Xxh3_128);

    store(&sha1, "page.html", SOURCE, b"sha1 code").expect("store");
    assert_eq!(
        load(&xxh3, "page.html", SOURCE),
        None,
        "sha1 entry under xxh3"
    );
    assert_eq!(
        xxh3.stats().expect("stats").stale,
        1,
        "same key, other checksum"
    );

    store(&xxh3, "page.html", SOURCE, b"xxh3 code").expect("store");
    assert_eq!(
        load(&sha1, "page.html", SOURCE),
        None,
        "xxh3 entry under sha1"
    );
    assert_eq!(
        load(&xxh3, "page.html", SOURCE).as_deref(),
        Some(&b"xxh3 code"[..])
    );
}

#[test]
fn memcached_entries_never_cross_checksums_either() {
    let server = MemcachedServer::start();
    let build = |checksum| {
        MemcachedBytecodeCache::builder()
            .server(server.url())
            .checksum(checksum)
            .build()
            .expect("build")
    };
    let (sha1, xxh3) = (build(Checksum::Sha1), build(Checksum::Xxh3_128));
    assert_eq!(xxh3.checksum_algorithm(), Checksum::Xxh3_128);

    store(&xxh3, "page.html", SOURCE, b"xxh3 code").expect("store");
    assert_eq!(load(&sha1, "page.html", SOURCE), None);
    assert_eq!(
        load(&xxh3, "page.html", SOURCE).as_deref(),
        Some(&b"xxh3 code"[..])
    );
    store(&sha1, "page.html", SOURCE, b"sha1 code").expect("store");
    assert_eq!(load(&xxh3, "page.html", SOURCE), None);
    assert_eq!(
        load(&sha1, "page.html", SOURCE).as_deref(),
        Some(&b"sha1 code"[..])
    );
}

#[test]
fn a_changed_source_is_stale_under_xxh3_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = fs_cache(dir.path(), Checksum::Xxh3_128);
    store(&cache, "page.html", SOURCE, b"code").expect("store");
    assert_eq!(load(&cache, "page.html", "{{ changed }}"), None);
    assert_eq!(cache.stats().expect("stats").stale, 1);
}

#[test]
fn forwarding_impls_keep_the_chosen_checksum() {
    let dir = tempfile::tempdir().expect("temp dir");
    let boxed: Box<dyn BytecodeCache> = Box::new(fs_cache(dir.path(), Checksum::Xxh3_128));
    let arc = std::sync::Arc::new(fs_cache(dir.path(), Checksum::Xxh3_128));
    let expected = Checksum::Xxh3_128.of(b"x");
    assert_eq!(boxed.get_source_checksum("x"), expected);
    assert_eq!(boxed.get_source_checksum_bytes(b"x"), expected);
    assert_eq!(BytecodeCache::get_source_checksum(&arc, "x"), expected);
}

struct Engine(&'static str);

impl Environment for Engine {
    fn fingerprint(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(self.0.as_bytes())
    }
}

#[test]
fn unknown_checksum_names_are_an_error_naming_both_choices() {
    let err = "md5".parse::<Checksum>().expect_err("md5 is not offered");
    let message = err.to_string();
    assert!(message.contains("`md5`") && message.contains("sha1") && message.contains("xxh3"));
    assert_eq!(
        "XXH3".parse::<Checksum>().expect("any case"),
        Checksum::Xxh3_128
    );
    // Nothing else about a bucket changes with the checksum: the environment still decides.
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = fs_cache(dir.path(), Checksum::Xxh3_128);
    let mut bucket = cache
        .get_bucket(&Engine("a"), "t", None, SOURCE)
        .expect("bucket");
    bucket.code = Some(b"a code".to_vec());
    cache.set_bucket(&bucket).expect("store");
    let other = cache
        .get_bucket(&Engine("b"), "t", None, SOURCE)
        .expect("bucket");
    assert_eq!(
        other.code, None,
        "another engine is a miss under xxh3 as under sha1"
    );
}
