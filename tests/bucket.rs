//! `Bucket`'s encoding as a user sees it: round trips, misses, and Jinja2-identical keys.

mod support;

use std::io;

use bccache::{BC_MAGIC, BC_VERSION, Bucket, BytecodeCache, Environment, Error};
use support::engine::Engine;
use xxhash_rust::xxh3::xxh3_64;

fn filled<'e>(env: &'e dyn Environment, code: &[u8]) -> Bucket<'e> {
    let mut bucket = Bucket::new(env, "key-1", "checksum-1");
    bucket.code = Some(code.to_vec());
    bucket
}

/// Re-seals an edited encoding with a correct trailer, so a test reaches the check it names
/// instead of failing on the checksum.
fn reseal(mut bytes: Vec<u8>) -> Vec<u8> {
    let body = bytes.len() - 8;
    let trailer = xxh3_64(&bytes[..body]);
    bytes[body..].copy_from_slice(&trailer.to_le_bytes());
    bytes
}

#[test]
fn magic_carries_the_format_version() {
    assert!(BC_MAGIC.ends_with(&BC_VERSION.to_le_bytes()));
    let bytes = filled(&(), b"code").bytecode_to_string().unwrap();
    assert!(bytes.starts_with(BC_MAGIC));
}

#[test]
fn round_trip_through_string_and_stream() {
    let env = Engine("engine 1.0");
    let bucket = filled(&env, b"\x00compiled\xffcode");

    let mut from_string = Bucket::new(&env, "key-1", "checksum-1");
    from_string.bytecode_from_string(&bucket.bytecode_to_string().unwrap());
    assert_eq!(from_string.code, bucket.code);

    let mut written = Vec::new();
    bucket.write_bytecode(&mut written).unwrap();
    let mut from_stream = Bucket::new(&env, "key-1", "checksum-1");
    from_stream.load_bytecode(&written[..]).unwrap();
    assert_eq!(from_stream.code, bucket.code);
}

#[test]
fn empty_code_round_trips_as_a_hit() {
    let bucket = filled(&(), b"");
    let mut again = Bucket::new(&(), "key-1", "checksum-1");
    again.bytecode_from_string(&bucket.bytecode_to_string().unwrap());
    assert_eq!(again.code.as_deref(), Some(&[][..]));
}

#[test]
fn writing_an_empty_bucket_is_an_error_naming_the_key() {
    let bucket = Bucket::new(&(), "the-key", "sum");
    let err = bucket.bytecode_to_string().unwrap_err();
    assert!(matches!(&err, Error::EmptyBucket { key } if key == "the-key"));
    assert!(err.to_string().contains("the-key"), "{err}");
    let err = bucket.write_bytecode(Vec::new()).unwrap_err();
    assert!(matches!(err, Error::EmptyBucket { .. }));
}

#[test]
fn stale_checksum_is_a_miss() {
    let bytes = filled(&(), b"code").bytecode_to_string().unwrap();
    let mut stale = Bucket::new(&(), "key-1", "checksum-2");
    stale.bytecode_from_string(&bytes);
    assert_eq!(stale.code, None);
}

#[test]
fn another_environment_fingerprint_is_a_miss() {
    let bytes = filled(&Engine("lua 5.4"), b"code")
        .bytecode_to_string()
        .unwrap();
    let other = Engine("lua 5.3");
    let mut bucket = Bucket::new(&other, "key-1", "checksum-1");
    bucket.bytecode_from_string(&bytes);
    assert_eq!(bucket.code, None);
}

#[test]
fn entry_of_another_key_is_a_miss_even_with_the_same_checksum() {
    let bytes = filled(&(), b"code").bytecode_to_string().unwrap();
    let mut bucket = Bucket::new(&(), "key-2", "checksum-1");
    bucket.bytecode_from_string(&bytes);
    assert_eq!(bucket.code, None);
}

#[test]
fn another_format_version_is_a_miss() {
    let mut bytes = filled(&(), b"code").bytecode_to_string().unwrap();
    let version_at = BC_MAGIC.len() - 4;
    bytes[version_at..BC_MAGIC.len()].copy_from_slice(&(BC_VERSION + 1).to_le_bytes());
    let mut bucket = Bucket::new(&(), "key-1", "checksum-1");
    bucket.bytecode_from_string(&reseal(bytes));
    assert_eq!(bucket.code, None);
}

#[test]
fn a_miss_clears_code_loaded_before() {
    let mut bucket = filled(&(), b"old code");
    bucket.bytecode_from_string(b"garbage");
    assert_eq!(bucket.code, None);

    let mut bucket = filled(&(), b"old code");
    bucket.load_bytecode(&b""[..]).unwrap();
    assert_eq!(bucket.code, None);
}

#[test]
fn trailing_bytes_are_a_miss_from_a_stream() {
    let mut bytes = filled(&(), b"code").bytecode_to_string().unwrap();
    bytes.push(0);
    let mut bucket = Bucket::new(&(), "key-1", "checksum-1");
    bucket.load_bytecode(&bytes[..]).unwrap();
    assert_eq!(bucket.code, None);
}

#[test]
fn huge_payload_length_from_a_stream_is_a_miss_without_allocating_it() {
    let bytes = filled(&(), b"code").bytecode_to_string().unwrap();
    let len_at = bytes.len() - 8 - 4 - 8;
    let mut lying = bytes[..len_at].to_vec();
    lying.extend_from_slice(&u64::MAX.to_le_bytes());
    lying.extend_from_slice(&bytes[len_at + 8..]);
    let mut bucket = Bucket::new(&(), "key-1", "checksum-1");
    // Trusting the length would try to reserve 16 EiB and abort the process.
    bucket.load_bytecode(&lying[..]).unwrap();
    assert_eq!(bucket.code, None);
    bucket.bytecode_from_string(&lying);
    assert_eq!(bucket.code, None);
}

struct FailingReader;

impl io::Read for FailingReader {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::other("disk on fire"))
    }
}

#[test]
fn only_a_failing_reader_is_an_error() {
    let mut bucket = Bucket::new(&(), "the-key", "sum");
    let err = bucket.load_bytecode(FailingReader).unwrap_err();
    assert!(
        matches!(&err, Error::Read { key, .. } if key == "the-key"),
        "{err}"
    );
    assert_eq!(bucket.code, None);
}

/// A cache that stores nothing, to reach the trait's provided methods.
struct NoStore;

impl BytecodeCache for NoStore {
    fn load_bytecode(&self, _: &mut Bucket<'_>) -> bccache::Result<()> {
        Ok(())
    }
    fn dump_bytecode(&self, _: &Bucket<'_>) -> bccache::Result<()> {
        Ok(())
    }
}

/// Computed once with Jinja2 3.1.6's own `BytecodeCache.get_cache_key` (hashlib sha1).
#[test]
fn cache_keys_are_byte_identical_to_jinja2() {
    let cache: Box<dyn BytecodeCache> = Box::new(NoStore);
    let vectors = [
        (
            "index.html",
            None,
            "f6013a00b362253c64368d6eebc50ea2131754e2",
        ),
        (
            "index.html",
            Some("templates/index.html"),
            "a3d6bf631e270ded392589d3b639f0e9eb46c656",
        ),
        (
            "päge/ünïcode.html",
            Some("/srv/t/päge.html"),
            "28b1b2e38a04f733f807ec78126ad7cb09587196",
        ),
        ("", None, "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("", Some(""), "3eb416223e9e69e6bb8ee19793911ad1ad2027d8"),
    ];
    for (name, filename, key) in vectors {
        assert_eq!(
            cache.get_cache_key(name, filename),
            key,
            "{name:?} {filename:?}"
        );
    }
}

/// Computed once with Jinja2 3.1.6's own `BytecodeCache.get_source_checksum`.
#[test]
fn source_checksums_are_byte_identical_to_jinja2() {
    let vectors = [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        (
            "Hello {{ name }}!",
            "a0eec493d935aa02a42ef6216a528786350add79",
        ),
        (
            "ünïcode ✓ {% for x in y %}{{ x }}{% endfor %}",
            "66ba6949f0cc008b2e8ed8079dba82a3fb108b48",
        ),
    ];
    for (source, checksum) in vectors {
        assert_eq!(NoStore.get_source_checksum(source), checksum, "{source:?}");
    }
}

#[test]
fn get_bucket_builds_key_and_checksum_and_loads() {
    let bucket = NoStore
        .get_bucket(&(), "index.html", None, "Hello {{ name }}!")
        .unwrap();
    assert_eq!(bucket.key, "f6013a00b362253c64368d6eebc50ea2131754e2");
    assert_eq!(bucket.checksum, "a0eec493d935aa02a42ef6216a528786350add79");
    assert_eq!(bucket.code, None);
}
