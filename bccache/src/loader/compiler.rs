//! [`Compiler`]: what [`CachedLoader`](super::CachedLoader) compiles with.

use crate::bucket::Environment;

/// An engine that turns source into code, and code into bytes and back.
///
/// A compiler is an [`Environment`] too: its fingerprint must name everything that makes its
/// bytecode incompatible (engine, engine version, code-generation options), so that code
/// compiled by another engine version is a miss rather than wrong code.
///
/// ```
/// use std::borrow::Cow;
/// use bccache::{Compiler, Environment};
///
/// /// "Compiles" a source into its words.
/// struct Words;
///
/// impl Environment for Words {
///     fn fingerprint(&self) -> Cow<'_, [u8]> {
///         Cow::Borrowed(b"words 1.0")
///     }
/// }
///
/// impl Compiler for Words {
///     type Source = str;
///     type Code = Vec<String>;
///     type Error = std::convert::Infallible;
///
///     fn compile(&self, _name: &str, _filename: Option<&str>, source: &str)
///         -> Result<Vec<String>, Self::Error> {
///         Ok(source.split_whitespace().map(str::to_owned).collect())
///     }
///
///     fn to_bytecode(&self, code: &Vec<String>) -> Vec<u8> {
///         code.join("\n").into_bytes()
///     }
///
///     /// Any bytes are sound here: they are only split into words.
///     unsafe fn from_bytecode(&self, bytecode: &[u8]) -> Option<Vec<String>> {
///         let text = std::str::from_utf8(bytecode).ok()?;
///         Some(text.split('\n').filter(|w| !w.is_empty()).map(str::to_owned).collect())
///     }
/// }
///
/// let code = Words.compile("a", None, "x y")?;
/// let bytecode = Words.to_bytecode(&code);
/// // SAFETY: `Words`' own `to_bytecode` output, straight back, never stored.
/// assert_eq!(unsafe { Words.from_bytecode(&bytecode) }, Some(code));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Compiler: Environment {
    /// What the compiler reads: `str` for text (Lua, regexes, templates), `[u8]` for binary
    /// sources (Wasm). Its bytes are what the cache's checksum is taken of.
    type Source: ?Sized + AsRef<[u8]>;
    /// The compiled code, ready to run.
    type Code;
    /// What a failed compilation reports.
    type Error;

    /// Compiles `source`. `name` is the template's or script's name; `filename`, when known, is
    /// where its source was read from (engines use them in error messages).
    fn compile(
        &self,
        name: &str,
        filename: Option<&str>,
        source: &Self::Source,
    ) -> Result<Self::Code, Self::Error>;

    /// The bytes that [`from_bytecode`](Self::from_bytecode) turns back into `code`.
    fn to_bytecode(&self, code: &Self::Code) -> Vec<u8>;

    /// Turns bytes made by [`to_bytecode`](Self::to_bytecode) back into code; `None` when they
    /// cannot be decoded (the loader then compiles again).
    ///
    /// [`CachedLoader`](crate::CachedLoader) is the safe way to call this; read its "Trust" section.
    ///
    /// # Safety
    ///
    /// These bytes came from [`to_bytecode`](Self::to_bytecode) of a compiler with the same
    /// fingerprint, through a store the application trusts or that is `Signed`.
    ///
    /// Engines may run their bytecode without verifying it: Lua does not check binary chunks,
    /// and wasmtime maps serialized modules as native code. Bytes of anyone else's choosing can
    /// then do whatever the process can. An implementation may accept more (the regex engine
    /// validates any bytes) and says so in its docs; a caller relying on that names the
    /// implementation it relies on.
    // Takes `self`: decoding needs the engine (a Lua state, options), like `compile`.
    #[allow(clippy::wrong_self_convention)]
    unsafe fn from_bytecode(&self, bytecode: &[u8]) -> Option<Self::Code>;
}
