//! Sources as bytes: `get_bucket_bytes`, `get_source_checksum_bytes`, `Compiler::Source = [u8]`.

use std::borrow::Cow;

use bccache::{
    BytecodeCache, CachedLoader, Checksum, Compiler, Environment, FileSystemBytecodeCache, Origin,
};

fn cache(dir: &std::path::Path) -> FileSystemBytecodeCache {
    FileSystemBytecodeCache::new(dir, "__bytes_%s.cache").expect("cache")
}

#[test]
fn text_methods_equal_the_byte_methods_on_utf8() {
    let dir = tempfile::tempdir().expect("temp dir");
    for checksum in [Checksum::Sha1, Checksum::Xxh3_128] {
        let cache = cache(dir.path()).checksum(checksum);
        let source = "héllo {{ wörld }}";
        assert_eq!(
            cache.get_source_checksum(source),
            cache.get_source_checksum_bytes(source.as_bytes())
        );
        let mut text = cache.get_bucket(&(), "t", None, source).expect("bucket");
        text.code = Some(b"code".to_vec());
        cache.set_bucket(&text).expect("store");
        let bytes = cache
            .get_bucket_bytes(&(), "t", None, source.as_bytes())
            .expect("bucket");
        assert_eq!(bytes.key, text.key);
        assert_eq!(bytes.code.as_deref(), Some(&b"code"[..]), "{checksum}");
    }
}

#[test]
fn non_utf8_sources_are_cached_and_invalidated() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = cache(dir.path());
    let source = [0x00, 0x61, 0x73, 0x6d, 0xff, 0xfe, 0x80];
    let mut bucket = cache
        .get_bucket_bytes(&(), "m.wasm", None, &source)
        .expect("bucket");
    assert!(bucket.code.is_none());
    bucket.code = Some(b"native".to_vec());
    cache.set_bucket(&bucket).expect("store");
    let hit = cache
        .get_bucket_bytes(&(), "m.wasm", None, &source)
        .expect("bucket");
    assert_eq!(hit.code.as_deref(), Some(&b"native"[..]));
    let mut changed = source;
    changed[6] ^= 1;
    let miss = cache
        .get_bucket_bytes(&(), "m.wasm", None, &changed)
        .expect("bucket");
    assert_eq!(miss.code, None);
}

/// "Compiles" a binary source by reversing it.
struct Reverse;

impl Environment for Reverse {
    fn fingerprint(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(b"reverse 1")
    }
}

impl Compiler for Reverse {
    type Source = [u8];
    type Code = Vec<u8>;
    type Error = std::convert::Infallible;

    fn compile(&self, _: &str, _: Option<&str>, source: &[u8]) -> Result<Vec<u8>, Self::Error> {
        Ok(source.iter().rev().copied().collect())
    }

    fn to_bytecode(&self, code: &Vec<u8>) -> Vec<u8> {
        code.clone()
    }

    unsafe fn from_bytecode(&self, bytecode: &[u8]) -> Option<Vec<u8>> {
        Some(bytecode.to_vec())
    }
}

#[test]
fn a_loader_takes_byte_sources_for_a_byte_compiler() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = CachedLoader::new(Reverse, cache(dir.path()));
    let bytes = [1u8, 2, 3, 0xff];
    let first = loader
        .load_with_origin("m.bin", None, &bytes[..])
        .expect("load");
    assert_eq!(
        (first.code.as_slice(), first.origin),
        (&[0xff, 3, 2, 1][..], Origin::Compiled)
    );
    let again = loader
        .load_with_origin("m.bin", None, &bytes[..])
        .expect("load");
    assert_eq!(
        (again.code, again.origin),
        (vec![0xff, 3, 2, 1], Origin::Cache)
    );
}

#[test]
fn load_many_takes_byte_sources_and_keeps_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = CachedLoader::new(Reverse, cache(dir.path()));
    let (a, b) = (vec![1u8, 2], vec![3u8, 4, 5]);
    loader.load("a", None, &a[..]).expect("store a");
    let batch: [(&str, Option<&str>, &[u8]); 2] = [("a", None, &a), ("b", Some("b.bin"), &b)];
    let loaded = loader.load_many(&batch);
    let loaded: Vec<_> = loaded.into_iter().map(|r| r.expect("load")).collect();
    assert_eq!(
        (loaded[0].code.clone(), loaded[0].origin),
        (vec![2, 1], Origin::Cache)
    );
    assert_eq!(
        (loaded[1].code.clone(), loaded[1].origin),
        (vec![5, 4, 3], Origin::Compiled)
    );
}
