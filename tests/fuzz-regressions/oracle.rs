//! The property the `bucket_decode` fuzz target checks, shared with `tests/fuzz_regressions.rs`
//! (both include this file by path), so a regression input is judged exactly as when found.
//!
//! Input layout: byte 0 picks the bucket that decodes (bits 0-1 engine, 2-3 key, 4-5 checksum)
//! and the mode (bits 6-7); byte 1 picks the bucket whose header a mode may prepend (same bits)
//! and how the trickling reader splits its reads (bits 6-7); the rest is the body.
//!
//! Modes: 0, the body is the whole entry; 1, a valid header is prepended; 2, the body's last 8
//! bytes are replaced by the right seal (xxh3 of what precedes them); 3, both. The seal and the
//! header take the fuzzer past the checks it cannot guess, to the length fields and beyond.
//!
//! The property: the three decoders (`bytecode_from_string`, `load_bytecode` from a slice and
//! from a reader that splits reads and is interrupted) agree, never panic, leave no stale code
//! on a miss, and return code only when the input is byte for byte the encoding of that code
//! for that bucket. Mode 3 with matching buckets and a body of exactly
//! `u64 length + that many bytes` must be a hit.

use std::borrow::Cow;
use std::io::{self, Read};

use bccache::{BC_MAGIC, Bucket, Environment};
use xxhash_rust::xxh3::xxh3_64;

pub struct Engine(pub &'static str);

impl Environment for Engine {
    fn fingerprint(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(self.0.as_bytes())
    }
}

pub static ENGINES: [Engine; 4] = [
    Engine(""),
    Engine("fuzz-engine 1"),
    Engine("fuzz-engine 2 with a longer fingerprint"),
    Engine("\0"),
];

/// The long key is over the decoder's 256-byte stack buffer for headers, so both paths run.
pub fn keys() -> [String; 4] {
    [
        String::new(),
        "k".to_owned(),
        "0123456789abcdef0123456789abcdef01234567".to_owned(),
        "long-key/".repeat(34),
    ]
}

pub fn checksums() -> [String; 4] {
    [
        String::new(),
        "k".to_owned(),
        "da39a3ee5e6b4b0d3255bfef95601890afd80709".to_owned(),
        "c".repeat(64),
    ]
}

/// What the decoders made of an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Hit(Vec<u8>),
    Miss,
}

fn bucket(choice: u8) -> Bucket<'static> {
    let engine = &ENGINES[usize::from(choice & 3)];
    let key = keys()[usize::from((choice >> 2) & 3)].clone();
    let checksum = checksums()[usize::from((choice >> 4) & 3)].clone();
    Bucket::new(engine, key, checksum)
}

/// Everything of `bucket`'s encoding before the code's length: magic, fingerprint hash, key
/// and checksum with their lengths.
pub fn header_of(bucket: &Bucket<'_>) -> Vec<u8> {
    let mut out = BC_MAGIC.to_vec();
    out.extend_from_slice(&xxh3_64(&bucket.environment.fingerprint()).to_le_bytes());
    out.extend_from_slice(&(bucket.key.len() as u32).to_le_bytes());
    out.extend_from_slice(bucket.key.as_bytes());
    out.extend_from_slice(&(bucket.checksum.len() as u32).to_le_bytes());
    out.extend_from_slice(bucket.checksum.as_bytes());
    out
}

/// The bytes the decoders see for `data`, and the code they must find if it is certain.
pub fn entry_of(data: &[u8]) -> (u8, u8, Vec<u8>, Option<Vec<u8>>) {
    let (&choice, rest) = data.split_first().unwrap_or((&0, &[]));
    let (&prefix_choice, body) = rest.split_first().unwrap_or((&0, &[]));
    let mode = choice >> 6;
    let mut bytes = Vec::with_capacity(data.len() + 600);
    if mode & 1 == 1 {
        bytes.extend_from_slice(&header_of(&bucket(prefix_choice)));
    }
    bytes.extend_from_slice(body);
    let mut certain_hit = None;
    if mode & 2 == 2 {
        if mode & 1 == 1 {
            // The body is the code's length and the code; seal all of it.
            let header_len = bytes.len() - body.len();
            let sealed = xxh3_64(&bytes);
            if choice & 0x3f == prefix_choice & 0x3f && body.len() >= 8 {
                let mut len = [0u8; 8];
                len.copy_from_slice(&body[..8]);
                if u64::from_le_bytes(len) == (body.len() - 8) as u64 {
                    certain_hit = Some(bytes[header_len + 8..].to_vec());
                }
            }
            bytes.extend_from_slice(&sealed.to_le_bytes());
        } else if bytes.len() >= 8 {
            let at = bytes.len() - 8;
            let sealed = xxh3_64(&bytes[..at]);
            bytes[at..].copy_from_slice(&sealed.to_le_bytes());
        }
    }
    (choice, prefix_choice, bytes, certain_hit)
}

/// A reader that serves at most `chunk` bytes per read and is interrupted before every other.
struct Trickle<'a> {
    bytes: &'a [u8],
    chunk: usize,
    interrupt: bool,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.interrupt = !self.interrupt;
        if self.interrupt {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let n = buf.len().min(self.chunk).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// Decodes `data` every way and panics if the property does not hold.
pub fn check(data: &[u8]) -> Outcome {
    let (choice, prefix_choice, bytes, certain_hit) = entry_of(data);
    let stale = || {
        let mut b = bucket(choice);
        b.code = Some(b"stale code".to_vec());
        b
    };

    let mut from_string = stale();
    from_string.bytecode_from_string(&bytes);

    let mut from_slice = stale();
    from_slice
        .load_bytecode(&bytes[..])
        .expect("a slice reader never fails");

    let mut from_trickle = stale();
    let chunk = [1, 3, 64, 4096][usize::from(prefix_choice >> 6)];
    from_trickle
        .load_bytecode(Trickle {
            bytes: &bytes,
            chunk,
            interrupt: false,
        })
        .expect("an interrupted reader is retried, not an error");

    assert_eq!(from_string.code, from_slice.code, "slice vs. reader");
    assert_eq!(from_string.code, from_trickle.code, "slice vs. trickle");

    let outcome = match from_string.code.take() {
        Some(code) => {
            let mut again = bucket(choice);
            again.code = Some(code.clone());
            let canonical = again.bytecode_to_string().expect("encode a hit");
            assert!(
                canonical == bytes,
                "a hit on bytes that are not the canonical encoding of its code"
            );
            Outcome::Hit(code)
        }
        None => Outcome::Miss,
    };
    if let Some(code) = certain_hit {
        assert_eq!(outcome, Outcome::Hit(code), "a valid entry was a miss");
    }
    outcome
}

/// Valid inputs of every bucket, in modes 0 and 3: a corpus that starts at the hits.
pub fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    for (i, choice) in [0x00u8, 0x15, 0x2a, 0x3f, 0x09, 0x36]
        .into_iter()
        .enumerate()
    {
        let code: Vec<u8> = (0..(i * 37) as u8).collect();
        let mut b = bucket(choice);
        b.code = Some(code.clone());
        let mut raw = vec![choice, (i as u8) << 6];
        raw.extend_from_slice(&b.bytecode_to_string().expect("encode a seed"));
        seeds.push((format!("valid-raw-{choice:02x}"), raw));

        let mut framed = vec![choice | 0xc0, choice | ((i as u8) << 6)];
        framed.extend_from_slice(&(code.len() as u64).to_le_bytes());
        framed.extend_from_slice(&code);
        seeds.push((format!("valid-framed-{choice:02x}"), framed));
    }
    seeds
}
