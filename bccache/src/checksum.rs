//! [`Checksum`]: how a source is summed to tell whether its stored code is still valid.

use std::fmt;
use std::str::FromStr;

use sha1::{Digest, Sha1};
use twox_hash::XxHash3_128;

/// The algorithm that turns a source into the checksum stored with its code.
///
/// [`Sha1`](Checksum::Sha1), the default, is Jinja2's: its lowercase hex digest is byte-identical
/// to `jinja2.bccache`'s. [`Xxh3_128`](Checksum::Xxh3_128) is about 12 times cheaper on large
/// sources and is what a cache that does not share entries with Jinja2 should pick: the checksum
/// is half of a filesystem hit's cost under sha1.
///
/// The two never confuse each other's entries: a sha1 checksum is 40 hex digits and an xxh3-128
/// one 32, and the checksum is compared as a whole, so an entry stored under one algorithm is
/// always a miss under the other.
///
/// Neither is meant to resist an attacker who writes the cache: that is what a private cache
/// directory, or signed entries on a shared store, are for.
///
/// ```
/// use bccache::Checksum;
///
/// assert_eq!(Checksum::Sha1.of(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
/// assert_eq!(Checksum::Xxh3_128.of(b"abc").len(), 32);
/// assert_eq!("xxh3".parse::<Checksum>()?, Checksum::Xxh3_128);
/// # Ok::<(), bccache::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Checksum {
    /// Lowercase hex sha1, Jinja2's checksum (the default).
    #[default]
    Sha1,
    /// Lowercase hex XXH3-128 (seed 0): not Jinja2's, much cheaper.
    Xxh3_128,
}

impl Checksum {
    /// The checksum of `source`, in lowercase hex.
    pub fn of(self, source: &[u8]) -> String {
        match self {
            Checksum::Sha1 => lower_hex(&Sha1::digest(source)),
            Checksum::Xxh3_128 => lower_hex(&XxHash3_128::oneshot(source).to_be_bytes()),
        }
    }

    /// The name used in configuration: `"sha1"` or `"xxh3"`.
    pub fn name(self) -> &'static str {
        match self {
            Checksum::Sha1 => "sha1",
            Checksum::Xxh3_128 => "xxh3",
        }
    }
}

impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Checksum {
    type Err = crate::Error;

    /// `"sha1"`, or `"xxh3"` (also `"xxh3-128"`, `"xxh3_128"`), in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "sha1" => Ok(Checksum::Sha1),
            "xxh3" | "xxh3-128" | "xxh3_128" => Ok(Checksum::Xxh3_128),
            _ => Err(crate::Error::InvalidChecksum { name: s.to_owned() }),
        }
    }
}

/// Lowercase hex of `bytes`, two digits a byte.
pub(crate) fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_hex_pads_every_byte() {
        assert_eq!(lower_hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }

    #[test]
    fn xxh3_128_is_the_canonical_big_endian_digest() {
        // XXH3-128 of the empty input with seed 0, as the reference `xxhsum -H2` prints it.
        assert_eq!(
            Checksum::Xxh3_128.of(b""),
            "99aa06d3014798d86001c324468d497f"
        );
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for checksum in [Checksum::Sha1, Checksum::Xxh3_128] {
            assert_eq!(checksum.name().parse::<Checksum>().unwrap(), checksum);
        }
        let err = "md5".parse::<Checksum>().unwrap_err();
        assert!(err.to_string().contains("`md5`"), "{err}");
    }
}
