//! [`DfaCompiler`]: sets of regular expressions compiled into regex-automata dense DFAs.
//!
//! Building a DFA is expensive (determinization can take tens of milliseconds for a few Unicode
//! patterns); deserializing one is a validated copy. A cached DFA is checked by regex-automata's
//! own validating `DFA::from_bytes` before use, so even bytes that somehow passed bccache's
//! checksum cannot make a search misbehave.

use std::borrow::Cow;
use std::fmt;

use regex_automata::dfa::dense::{self, BuildError, DFA};
use regex_automata::util::syntax;

use crate::bucket::Environment;
use crate::loader::Compiler;

/// The regex-automata this compiler is built on, so that your code uses the very same `DFA` and
/// search types.
pub use regex_automata;

/// Bytes every `DfaCompiler` fingerprint starts with; bump the number when the way this module
/// builds or serializes DFAs changes. regex-automata's serialized DFAs carry their own format
/// version, which `from_bytes` checks.
const FINGERPRINT_TAG: &str = "bccache-regex-automata/1 dense-dfa regex-automata 0.4";

/// The alignment regex-automata needs for a serialized DFA (its transition table is `u32`s).
const DFA_ALIGN: usize = 4;

/// Compiles a set of patterns — each non-empty line of the source is one pattern — into one
/// dense DFA ([`dense::DFA<Vec<u32>>`](DFA)), whose [`PatternID`](regex_automata::PatternID)s
/// are the patterns' positions among the non-empty lines.
///
/// Bytecode is the DFA serialized in the platform's byte order (`to_bytes_little_endian` on
/// every little-endian target), loaded back with the validating `DFA::from_bytes`. Its
/// [fingerprint](Environment::fingerprint) names regex-automata, the byte order, and the
/// complete dense and syntax configurations, so a DFA built with other options is a miss.
///
/// ```
/// use bccache::engine::regex::DfaCompiler;
/// use bccache::Compiler;
/// use bccache::engine::regex::regex_automata::{Input, dfa::Automaton};
///
/// let compiler = DfaCompiler::new();
/// let dfa = compiler.compile("routes", None, "/users/[0-9]+\n/posts/[a-z-]+")?;
/// let bytecode = compiler.to_bytecode(&dfa);
/// // SAFETY: `DfaCompiler` validates any bytes (see its `from_bytecode`).
/// let loaded = unsafe { compiler.from_bytecode(&bytecode) }.expect("valid bytecode");
/// let half = loaded.try_search_fwd(&Input::new("/posts/hello-world"))?.expect("a match");
/// assert_eq!(half.pattern().as_usize(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct DfaCompiler {
    // Configurations rather than a `dense::Builder`, which is not `Sync`.
    dense_config: dense::Config,
    syntax_config: syntax::Config,
    fingerprint: Vec<u8>,
}

impl Default for DfaCompiler {
    fn default() -> Self {
        DfaCompiler::new()
    }
}

impl DfaCompiler {
    /// A compiler with regex-automata's default dense DFA and syntax configurations (Unicode,
    /// leftmost-first, whole DFA minimization off).
    pub fn new() -> Self {
        DfaCompiler::with_config(dense::Config::new(), syntax::Config::new())
    }

    /// A compiler with these dense DFA and syntax configurations.
    ///
    /// ```
    /// use bccache::engine::regex::DfaCompiler;
    /// use bccache::engine::regex::regex_automata::{dfa::dense, util::syntax};
    ///
    /// let compiler = DfaCompiler::with_config(
    ///     dense::Config::new().minimize(true),
    ///     syntax::Config::new().case_insensitive(true),
    /// );
    /// ```
    pub fn with_config(dense_config: dense::Config, syntax_config: syntax::Config) -> Self {
        // The configurations' Debug output lists every option; any difference is a miss.
        let fingerprint = format!(
            "{FINGERPRINT_TAG} {}-endian {dense_config:?} {syntax_config:?}",
            if cfg!(target_endian = "little") {
                "little"
            } else {
                "big"
            },
        )
        .into_bytes();
        DfaCompiler {
            dense_config,
            syntax_config,
            fingerprint,
        }
    }
}

impl fmt::Debug for DfaCompiler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DfaCompiler")
            .field("dense_config", &self.dense_config)
            .field("syntax_config", &self.syntax_config)
            .finish_non_exhaustive()
    }
}

impl Environment for DfaCompiler {
    fn fingerprint(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.fingerprint)
    }
}

impl Compiler for DfaCompiler {
    type Source = str;
    type Code = DFA<Vec<u32>>;
    type Error = BuildError;

    fn compile(
        &self,
        _name: &str,
        _filename: Option<&str>,
        source: &str,
    ) -> Result<DFA<Vec<u32>>, BuildError> {
        let patterns: Vec<&str> = source.lines().filter(|line| !line.is_empty()).collect();
        dense::Builder::new()
            .configure(self.dense_config.clone())
            .syntax(self.syntax_config)
            .build_many(&patterns)
    }

    fn to_bytecode(&self, code: &DFA<Vec<u32>>) -> Vec<u8> {
        let (mut bytes, padding) = code.to_bytes_native_endian();
        bytes.drain(..padding);
        bytes
    }

    /// # Safety
    ///
    /// Any bytes are sound: regex-automata's `DFA::from_bytes` validates every transition and
    /// table before the DFA is used, so bytes that break the trait's contract give a miss or a
    /// DFA that answers wrongly, never undefined behaviour.
    unsafe fn from_bytecode(&self, bytecode: &[u8]) -> Option<DFA<Vec<u32>>> {
        // `from_bytes` needs its input on a 4-byte boundary. A large `Vec<u8>` usually is (the
        // allocator aligns to 16), so use the bytes in place when they are; otherwise copy
        // them to the first aligned offset of a slightly larger buffer.
        if bytecode.as_ptr().align_offset(DFA_ALIGN) == 0 {
            return deserialize(bytecode);
        }
        let mut buffer = vec![0u8; bytecode.len() + DFA_ALIGN - 1];
        let offset = buffer.as_ptr().align_offset(DFA_ALIGN);
        let aligned = buffer.get_mut(offset..offset.checked_add(bytecode.len())?)?;
        aligned.copy_from_slice(bytecode);
        deserialize(aligned)
    }
}

/// Validates and copies a serialized DFA that starts on a 4-byte boundary.
fn deserialize(aligned: &[u8]) -> Option<DFA<Vec<u32>>> {
    let (dfa, read) = DFA::from_bytes(aligned).ok()?;
    // Trailing bytes mean the entry is not what we wrote.
    (read == aligned.len()).then(|| dfa.to_owned())
}
