//! The corruption matrix: every way a stored entry can be wrong reads as a miss.
//!
//! One small valid entry is cut at every length and has every byte flipped, and hand-made
//! entries lie about their version, engine, key, checksum and lengths. Each variant goes through
//! every decoder a user can reach: `Bucket::bytecode_from_string`, `Bucket::load_bytecode` with
//! a plain reader and with a reader that trickles bytes and is interrupted, and a real file read
//! by `FileSystemBytecodeCache::get_bucket`. None may panic, none may yield code.

mod support;

use std::io::{self, Cursor, Read};

use bccache::{BC_MAGIC, BC_VERSION, Bucket, BytecodeCache, FileSystemBytecodeCache};
use support::engine::Engine;
use xxhash_rust::xxh3::xxh3_64;

const ENGINE: Engine = Engine("corruption-test engine 1.0");
const NAME: &str = "page.html";
const SOURCE: &str = "<h1>{{ title }}</h1>";
const CODE_LEN: usize = 300;

/// A cache in a temp dir and the valid entry of `NAME` compiled from `SOURCE`.
struct Fixture {
    _dir: tempfile::TempDir,
    cache: FileSystemBytecodeCache,
    key: String,
    checksum: String,
    code: Vec<u8>,
    valid: Vec<u8>,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = FileSystemBytecodeCache::new(dir.path(), "__corrupt_%s.cache").expect("cache");
        let key = cache.get_cache_key(NAME, None);
        let checksum = cache.get_source_checksum(SOURCE);
        let code: Vec<u8> = (0..CODE_LEN).map(|i| (i * 7 + 3) as u8).collect();
        let mut bucket = Bucket::new(&ENGINE, key.clone(), checksum.clone());
        bucket.code = Some(code.clone());
        let valid = bucket.bytecode_to_string().expect("encode the valid entry");
        let fixture = Fixture {
            _dir: dir,
            cache,
            key,
            checksum,
            code,
            valid,
        };
        // The control: the untouched entry is a hit through every decoder.
        assert_eq!(
            fixture.decode_everywhere(&fixture.valid.clone()),
            [
                Some(fixture.code.clone()),
                Some(fixture.code.clone()),
                Some(fixture.code.clone()),
                Some(fixture.code.clone())
            ],
            "the valid entry must be a hit everywhere"
        );
        fixture
    }

    fn bucket(&self) -> Bucket<'static> {
        Bucket::new(&ENGINE, self.key.clone(), self.checksum.clone())
    }

    /// The code each decoder finds in `bytes`: from a slice, a reader, a trickling reader, and
    /// a real file loaded by the filesystem cache.
    fn decode_everywhere(&self, bytes: &[u8]) -> [Option<Vec<u8>>; 4] {
        // Start each bucket full, so that a decoder forgetting to reset would be caught.
        let stale = || {
            let mut bucket = self.bucket();
            bucket.code = Some(b"stale code that must not survive a miss".to_vec());
            bucket
        };

        let mut from_slice = stale();
        from_slice.bytecode_from_string(bytes);

        let mut from_reader = stale();
        from_reader
            .load_bytecode(Cursor::new(bytes))
            .expect("a slice reader cannot fail");

        let mut from_trickle = stale();
        from_trickle
            .load_bytecode(Trickle::new(bytes))
            .expect("a trickling reader does not fail");

        std::fs::write(self.cache.path_for_key(&self.key), bytes).expect("write the entry");
        let from_file = self
            .cache
            .get_bucket(&ENGINE, NAME, None, SOURCE)
            .expect("loading a bad entry is a miss, not an error");

        [
            from_slice.code,
            from_reader.code,
            from_trickle.code,
            from_file.code,
        ]
    }

    /// Panics unless every decoder reads `bytes` as a miss.
    fn assert_miss(&self, bytes: &[u8], what: &str) {
        let found = self.decode_everywhere(bytes);
        let decoders = [
            "bytecode_from_string",
            "load_bytecode",
            "load_bytecode (trickling)",
            "get_bucket",
        ];
        for (decoder, code) in decoders.iter().zip(&found) {
            assert!(
                code.is_none(),
                "{what}: {decoder} returned {} bytes of code instead of a miss",
                code.as_ref().map_or(0, Vec::len)
            );
        }
    }
}

/// A reader that hands out at most 7 bytes at a time and is interrupted before every other
/// read, as a pipe or a signal-heavy process would.
struct Trickle<'a> {
    bytes: &'a [u8],
    interrupt: bool,
}

impl<'a> Trickle<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Trickle {
            bytes,
            interrupt: true,
        }
    }
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.interrupt = !self.interrupt;
        if self.interrupt {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let n = buf.len().min(7).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// An entry laid out by hand, field by field, so each field can lie while the trailing checksum
/// stays right: the lie itself must be caught, not the broken seal.
struct Layout<'a> {
    magic: Vec<u8>,
    fingerprint: &'a [u8],
    key_len: u32,
    key: &'a [u8],
    checksum_len: u32,
    checksum: &'a [u8],
    code_len: u64,
    code: &'a [u8],
}

impl<'a> Layout<'a> {
    fn of(f: &'a Fixture) -> Self {
        Layout {
            magic: BC_MAGIC.to_vec(),
            fingerprint: ENGINE.0.as_bytes(),
            key_len: f.key.len() as u32,
            key: f.key.as_bytes(),
            checksum_len: f.checksum.len() as u32,
            checksum: f.checksum.as_bytes(),
            code_len: f.code.len() as u64,
            code: &f.code,
        }
    }

    /// The fields, without the trailing checksum.
    fn body(&self) -> Vec<u8> {
        let mut out = self.magic.clone();
        out.extend_from_slice(&xxh3_64(self.fingerprint).to_le_bytes());
        out.extend_from_slice(&self.key_len.to_le_bytes());
        out.extend_from_slice(self.key);
        out.extend_from_slice(&self.checksum_len.to_le_bytes());
        out.extend_from_slice(self.checksum);
        out.extend_from_slice(&self.code_len.to_le_bytes());
        out.extend_from_slice(self.code);
        out
    }

    /// The fields sealed with a correct xxh3 of every byte before the seal.
    fn sealed(&self) -> Vec<u8> {
        seal(self.body())
    }
}

fn seal(mut body: Vec<u8>) -> Vec<u8> {
    let trailer = xxh3_64(&body);
    body.extend_from_slice(&trailer.to_le_bytes());
    body
}

fn magic_of_version(version: u32) -> Vec<u8> {
    let mut magic = BC_MAGIC[..BC_MAGIC.len() - 4].to_vec();
    magic.extend_from_slice(&version.to_le_bytes());
    magic
}

#[test]
fn hand_laid_entry_matches_the_encoder() {
    // The matrix below forges entries with this layout; it must be the real format.
    let f = Fixture::new();
    assert_eq!(Layout::of(&f).sealed(), f.valid);
    assert_eq!(magic_of_version(BC_VERSION), BC_MAGIC);
}

#[test]
fn truncated_entry_is_a_miss_at_every_length() {
    let f = Fixture::new();
    for len in 0..f.valid.len() {
        f.assert_miss(&f.valid[..len], &format!("entry cut to {len} bytes"));
    }
    println!(
        "checked {} truncations (every length 0..{}) x 4 decoders",
        f.valid.len(),
        f.valid.len()
    );
}

#[test]
fn flipped_byte_is_a_miss_at_every_offset() {
    let f = Fixture::new();
    let masks = [0xff, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80];
    let mut checked = 0;
    for offset in 0..f.valid.len() {
        for mask in masks {
            let mut bytes = f.valid.clone();
            bytes[offset] ^= mask;
            f.assert_miss(&bytes, &format!("byte {offset} xor {mask:#04x}"));
            checked += 1;
        }
    }
    println!(
        "checked {checked} corruptions ({} offsets x {} masks: every byte inverted and every \
         single bit flipped) x 4 decoders",
        f.valid.len(),
        masks.len()
    );
}

#[test]
fn empty_file_is_a_miss() {
    let f = Fixture::new();
    f.assert_miss(b"", "empty entry");
}

#[test]
fn magic_only_is_a_miss() {
    let f = Fixture::new();
    f.assert_miss(BC_MAGIC, "magic only");
    let mut magic_and_fingerprint = BC_MAGIC.to_vec();
    magic_and_fingerprint.extend_from_slice(&xxh3_64(ENGINE.0.as_bytes()).to_le_bytes());
    f.assert_miss(&magic_and_fingerprint, "magic and fingerprint only");
    f.assert_miss(&seal(BC_MAGIC.to_vec()), "sealed magic only");
}

#[test]
fn other_format_version_is_a_miss() {
    let f = Fixture::new();
    let mut checked = 0;
    for version in [
        0,
        BC_VERSION + 1,
        BC_VERSION.wrapping_sub(1),
        u32::MAX,
        BC_VERSION << 8,
    ] {
        if version == BC_VERSION {
            continue;
        }
        let mut layout = Layout::of(&f);
        layout.magic = magic_of_version(version);
        f.assert_miss(
            &layout.sealed(),
            &format!("sealed entry of format version {version}"),
        );
        checked += 1;
    }
    let mut layout = Layout::of(&f);
    layout.magic = b"jinja2\0\0\0\0\0\0".to_vec();
    f.assert_miss(&layout.sealed(), "sealed entry with another magic");
    println!("checked {} foreign magics", checked + 1);
}

#[test]
fn other_fingerprint_is_a_miss() {
    let f = Fixture::new();
    // Encoded by the real encoder, for another engine version and for `()`.
    let other = Engine("corruption-test engine 1.1");
    let mut bucket = Bucket::new(&other, f.key.clone(), f.checksum.clone());
    bucket.code = Some(f.code.clone());
    f.assert_miss(
        &bucket.bytecode_to_string().expect("encode"),
        "entry of engine 1.1",
    );
    let mut bucket = Bucket::new(&(), f.key.clone(), f.checksum.clone());
    bucket.code = Some(f.code.clone());
    f.assert_miss(
        &bucket.bytecode_to_string().expect("encode"),
        "entry of `()`",
    );
}

#[test]
fn other_key_is_a_miss_even_for_the_same_source() {
    let f = Fixture::new();
    // A misrouted entry: another template's code, same source, stored under this key.
    let other_key = f.cache.get_cache_key("other.html", None);
    let mut bucket = Bucket::new(&ENGINE, other_key, f.checksum.clone());
    bucket.code = Some(f.code.clone());
    f.assert_miss(
        &bucket.bytecode_to_string().expect("encode"),
        "entry of another key",
    );
}

#[test]
fn other_checksum_is_a_miss() {
    let f = Fixture::new();
    let stale = f.cache.get_source_checksum("<h1>{{ old_title }}</h1>");
    let mut bucket = Bucket::new(&ENGINE, f.key.clone(), stale);
    bucket.code = Some(f.code.clone());
    f.assert_miss(
        &bucket.bytecode_to_string().expect("encode"),
        "entry of a stale source",
    );
}

#[test]
fn lying_payload_length_is_a_miss() {
    let f = Fixture::new();
    let real = f.code.len() as u64;
    let lies = [
        0,
        1,
        real - 1,
        real + 1,
        real + 8,
        real - 8,
        real + (1 << 32),
        1 << 40,
        u64::from(u32::MAX),
        u64::MAX / 2,
        u64::MAX - 7,
        u64::MAX,
    ];
    for lie in lies {
        let mut layout = Layout::of(&f);
        layout.code_len = lie;
        f.assert_miss(
            &layout.sealed(),
            &format!("sealed entry claiming {lie} bytes of code"),
        );
        // A length that claims fewer bytes, sealed where it says the code ends.
        if let Ok(short) = usize::try_from(lie)
            && short < f.code.len()
        {
            layout.code = &f.code[..short];
            let mut bytes = layout.sealed();
            bytes.extend_from_slice(&f.code[short..]);
            f.assert_miss(
                &bytes,
                &format!("entry sealed after {short} bytes, then the rest"),
            );
        }
    }
    println!("checked {} lying payload lengths", lies.len());
}

#[test]
fn lying_key_and_checksum_lengths_are_a_miss() {
    let f = Fixture::new();
    let lies = [0, 1, 39, 41, 80, 4096, u32::MAX];
    for lie in lies {
        let mut layout = Layout::of(&f);
        layout.key_len = lie;
        f.assert_miss(
            &layout.sealed(),
            &format!("sealed entry claiming a {lie}-byte key"),
        );
        let mut layout = Layout::of(&f);
        layout.checksum_len = lie;
        f.assert_miss(
            &layout.sealed(),
            &format!("sealed entry claiming a {lie}-byte checksum"),
        );
    }
    println!("checked {} lying key and checksum lengths", lies.len() * 2);
}

#[test]
fn trailing_garbage_is_a_miss() {
    let f = Fixture::new();
    let tails: [&[u8]; 5] = [b"\0", b"x", &[0u8; 8], &[0xff; 4096], &f.valid];
    for tail in tails {
        let mut bytes = f.valid.clone();
        bytes.extend_from_slice(tail);
        f.assert_miss(&bytes, &format!("entry followed by {} bytes", tail.len()));
        // Garbage between the code and the seal, sealed again.
        let mut body = Layout::of(&f).body();
        body.extend_from_slice(tail);
        f.assert_miss(
            &seal(body),
            &format!("{} bytes sealed in after the code", tail.len()),
        );
    }
    println!("checked {} trailing garbages", tails.len() * 2);
}

#[test]
fn foreign_file_is_a_miss() {
    let f = Fixture::new();
    f.assert_miss(&[0u8; 512], "512 zero bytes");
    f.assert_miss(&[0xff; 512], "512 0xff bytes");
    f.assert_miss(b"\xe3\x0d\x0d\x0a\0\0\0\0 a pyc header", "a pyc file");
    let mut pyc_like = seal(vec![0; 96]);
    pyc_like.extend_from_slice(&f.code);
    f.assert_miss(&pyc_like, "sealed zeros then code");
}

#[test]
fn empty_code_is_a_hit_and_its_truncations_are_misses() {
    // The boundary: an entry of zero bytes of code is valid, and still refuses every cut.
    let f = Fixture::new();
    let mut bucket = f.bucket();
    bucket.code = Some(Vec::new());
    let valid = bucket.bytecode_to_string().expect("encode");
    let found = f.decode_everywhere(&valid);
    assert!(
        found.iter().all(|code| code.as_deref() == Some(&[][..])),
        "{found:?}"
    );
    for len in 0..valid.len() {
        f.assert_miss(
            &valid[..len],
            &format!("empty-code entry cut to {len} bytes"),
        );
    }
}

/// A reader that serves `ok` bytes of an entry and then fails.
struct FailsAfter<'a> {
    bytes: &'a [u8],
    ok: usize,
}

impl Read for FailsAfter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.ok == 0 {
            return Err(io::Error::other("the disk went away"));
        }
        let n = buf.len().min(self.ok).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        self.ok -= n;
        Ok(n)
    }
}

#[test]
fn failing_reader_is_an_error_and_never_code_at_every_offset() {
    let f = Fixture::new();
    // Up to and including the full entry: the decoder still has to see the end of it.
    for ok in 0..=f.valid.len() {
        let mut bucket = f.bucket();
        bucket.code = Some(b"stale".to_vec());
        let result = bucket.load_bytecode(FailsAfter {
            bytes: &f.valid,
            ok,
        });
        assert!(
            bucket.code.is_none(),
            "a reader failing after {ok} bytes left code in the bucket"
        );
        // The entry is valid, so the decoder must read on to the failure and report it.
        let err = match result {
            Ok(()) => panic!(
                "a reader failing after {ok} of {} bytes was not an error",
                f.valid.len()
            ),
            Err(err) => err,
        };
        assert!(matches!(err, bccache::Error::Read { .. }), "{err:?}");
    }
    println!("checked {} reader failures", f.valid.len() + 1);
}
