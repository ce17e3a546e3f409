//! [`HttpLayout`]: where an entry lives under the cache's URL, as ccache's HTTP storage lays
//! its entries out.

use std::fmt::Write as _;

use sha1::{Digest, Sha1};

use crate::net::http1::encode_query;

/// How entries are laid out under the cache's URL: ccache's three layouts, so that one
/// server (nginx or any WebDAV server, a Bazel remote cache) serves both.
///
/// With `url("http://cache:8080/bytecode/")` and the key `0a1b…` (40 hex digits, Jinja2's sha1):
///
/// | layout | entry |
/// |---|---|
/// | `Flat` | `/bytecode/0a1b…` |
/// | `Subdirs` (default, as ccache's) | `/bytecode/0a/1b…` (the first two digits are a directory) |
/// | `Bazel` | `/bytecode/ac/0a1b…` + the key's first 24 digits again (64 hex digits) |
///
/// Bazel's action cache takes 64-hex-digit (sha256-sized) names: a 40-digit key is padded with
/// its own first 24 digits, as ccache does with its 40-digit keys. A key that is not 40
/// lowercase hex digits (a custom `get_cache_key`) is named by the sha1 of the key, padded the
/// same way. Every entry's header holds its key, so two keys never share an entry.
///
/// A key's characters other than `A-Z a-z 0-9 - _ . ~` are percent-encoded (a `/` too), so a
/// key never makes a directory of its own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HttpLayout {
    /// Every entry directly under the URL.
    Flat,
    /// Entries in directories named by their key's first two characters (ccache's default).
    #[default]
    Subdirs,
    /// A Bazel remote cache's action cache: `ac/` and 64 hex digits.
    Bazel,
}

impl HttpLayout {
    /// The layout's name in URLs and derive keys: `flat`, `subdirs` or `bazel`.
    pub fn name(self) -> &'static str {
        match self {
            HttpLayout::Flat => "flat",
            HttpLayout::Subdirs => "subdirs",
            HttpLayout::Bazel => "bazel",
        }
    }

    /// The layout named `name` (see [`name`](Self::name)).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "flat" => Some(HttpLayout::Flat),
            "subdirs" => Some(HttpLayout::Subdirs),
            "bazel" => Some(HttpLayout::Bazel),
            _ => None,
        }
    }

    /// The entry's path relative to the cache's URL, percent-encoded.
    pub(crate) fn relative_path(self, key: &str) -> String {
        match self {
            HttpLayout::Flat => encode_query(key),
            HttpLayout::Subdirs => match key.char_indices().nth(2) {
                Some((split, _)) => format!(
                    "{}/{}",
                    encode_query(&key[..split]),
                    encode_query(&key[split..])
                ),
                None => encode_query(key),
            },
            HttpLayout::Bazel => format!("ac/{}", bazel_digits(key)),
        }
    }

    /// How many directories deep entries lie under the URL.
    pub(crate) fn depth(self) -> usize {
        match self {
            HttpLayout::Flat => 0,
            HttpLayout::Subdirs | HttpLayout::Bazel => 1,
        }
    }
}

fn is_sha1_hex(key: &str) -> bool {
    key.len() == 40 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// 64 hex digits naming `key` in Bazel's action cache.
fn bazel_digits(key: &str) -> String {
    let mut digits = if is_sha1_hex(key) {
        key.to_owned()
    } else {
        let mut hex = String::with_capacity(64);
        for byte in Sha1::digest(key.as_bytes()) {
            let _ = write!(hex, "{byte:02x}");
        }
        hex
    };
    let pad = digits[..24].to_owned();
    digits.push_str(&pad);
    digits
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";

    #[test]
    fn each_layout_names_entries_as_ccache_does() {
        assert_eq!(HttpLayout::Flat.relative_path(KEY), KEY);
        assert_eq!(
            HttpLayout::Subdirs.relative_path(KEY),
            format!("0a/{}", &KEY[2..])
        );
        let bazel = HttpLayout::Bazel.relative_path(KEY);
        assert_eq!(bazel, format!("ac/{KEY}{}", &KEY[..24]));
        assert_eq!(bazel.len(), 3 + 64);
        let custom = HttpLayout::Bazel.relative_path("my/key");
        assert_eq!(custom.len(), 3 + 64);
        assert!(custom[3..].bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn keys_never_make_directories_of_their_own() {
        assert_eq!(HttpLayout::Flat.relative_path("a/b c"), "a%2Fb%20c");
        assert_eq!(HttpLayout::Subdirs.relative_path("%xy"), "%25x/y");
        assert_eq!(HttpLayout::Subdirs.relative_path("ab"), "ab");
        for name in ["flat", "subdirs", "bazel"] {
            assert_eq!(
                HttpLayout::from_name(name).map(HttpLayout::name),
                Some(name)
            );
        }
    }
}
