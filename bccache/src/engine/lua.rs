//! [`LuaCompiler`]: Lua 5.4 chunks compiled by mlua, cached as Lua binary chunks.
//!
//! # Only trusted cache locations
//!
//! Lua does not verify binary chunks: running a maliciously crafted one can crash the
//! interpreter or worse. bccache's encoding carries a checksum, so a corrupt, truncated or
//! foreign entry is a miss and never reaches Lua — but the checksum proves integrity, not
//! origin: anyone who can write to the cache can make Lua run any bytecode. Keep a Lua cache in
//! a directory only your application's user can write (the default directory of
//! [`FileSystemBytecodeCache::with_default_dir`](crate::FileSystemBytecodeCache::with_default_dir)
//! is such a directory), or in a memcached that only trusted clients reach.

use std::borrow::Cow;
use std::fmt;

use mlua::chunk::ChunkMode;
use mlua::{Function, Lua};

/// The mlua this compiler is built on, so that your code uses the very same `Lua` and
/// `Function` types.
pub use mlua;

use crate::bucket::Environment;
use crate::loader::Compiler;

/// The fingerprint's last bytes: unstripped, stripped. Equal lengths, so one replaces the other.
const STRIP_FLAGS: [&[u8]; 2] = [b" debug", b" strip"];

/// Bytes every `LuaCompiler` fingerprint starts with; bump the number when the way this module
/// compiles or dumps changes.
const FINGERPRINT_TAG: &[u8] = b"bccache-lua/1";

/// Compiles Lua source into [`mlua::Function`]s of one [`Lua`] state, and caches them as binary
/// chunks ([`Function::dump`]).
///
/// Its [fingerprint](Environment::fingerprint) names the Lua version and every property of the
/// binary-chunk format the running Lua checks (the header of a dumped probe function: version,
/// format, instruction and number sizes, byte order), plus whether debug information is
/// stripped; code of any other Lua is a miss.
///
/// Chunks are named after the file name when one is given (`@scripts/init.lua`), else after
/// the name (`=init`), so Lua's error messages and tracebacks point at them. Stripped code
/// ([`strip(true)`](Self::strip)) is smaller and loads faster but has no line numbers.
///
/// A `LuaCompiler` is `Send` and `Sync` when mlua's own `Lua` is, i.e. with mlua's `send`
/// feature; without it, give each thread its own Lua state and compiler, and share the cache.
///
/// Read [the module docs](self): Lua does not verify binary chunks, so only use trusted cache
/// locations.
///
/// ```
/// use bccache::engine::lua::{LuaCompiler, mlua::Lua};
/// use bccache::{CachedLoader, FileSystemBytecodeCache};
///
/// let dir = tempfile::tempdir()?;
/// let cache = FileSystemBytecodeCache::new(dir.path(), "__scripts_%s.cache")?;
/// let loader = CachedLoader::new(LuaCompiler::new(Lua::new())?, cache);
///
/// let source = "local n = ... return n * (n + 1) / 2";
/// let compiled = loader.load("triangle", Some("scripts/triangle.lua"), source)?;
/// let cached = loader.load("triangle", Some("scripts/triangle.lua"), source)?;
/// assert_eq!(compiled.call::<i64>(100)?, 5050);
/// assert_eq!(cached.call::<i64>(100)?, 5050);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct LuaCompiler {
    lua: Lua,
    strip: bool,
    /// "Lua 5.4", read from the probe's binary-chunk header.
    version: String,
    /// The whole fingerprint; its last bytes are the strip flag (see `STRIP_FLAGS`).
    fingerprint: Vec<u8>,
}

impl LuaCompiler {
    /// A compiler whose code runs in `lua`. Debug information is kept.
    ///
    /// # Errors
    ///
    /// Fails only if `lua` cannot compile the one-line probe chunk that reveals its binary
    /// format, e.g. under a memory limit that is already exhausted.
    ///
    /// # Panics
    ///
    /// When Lua cannot grow its stack to dump the probe (mlua's `Function::dump` panics then).
    pub fn new(lua: Lua) -> mlua::Result<Self> {
        let probe = lua
            .load("return")
            .set_name("=bccache-probe")
            .set_mode(ChunkMode::Text)
            .into_function()?
            .dump(true);
        // A Lua 5.4 dump starts with "\x1bLua" and a version byte 0x54; the rest of the probe
        // holds the format, the sizes and test values of its numbers, and its opcodes.
        let version = match probe.get(4) {
            Some(&byte) => format!("Lua {}.{}", byte >> 4, byte & 0x0f),
            None => "Lua ?".to_owned(),
        };
        let mut fingerprint = FINGERPRINT_TAG.to_vec();
        fingerprint.push(b' ');
        fingerprint.extend_from_slice(version.as_bytes());
        fingerprint.push(b' ');
        fingerprint.extend_from_slice(&probe);
        fingerprint.extend_from_slice(STRIP_FLAGS[0]);
        Ok(LuaCompiler {
            lua,
            strip: false,
            version,
            fingerprint,
        })
    }

    /// Whether dumped code leaves out debug information (line numbers, local names): smaller
    /// and faster to load, but tracebacks lose their lines. Default `false`. Part of the
    /// fingerprint, so stripped and unstripped code never mix.
    ///
    /// ```
    /// use bccache::engine::lua::{LuaCompiler, mlua::Lua};
    ///
    /// let compiler = LuaCompiler::new(Lua::new())?.strip(true);
    /// # Ok::<(), bccache::engine::lua::mlua::Error>(())
    /// ```
    #[must_use]
    pub fn strip(mut self, strip: bool) -> Self {
        self.strip = strip;
        let base = self.fingerprint.len() - STRIP_FLAGS[0].len();
        self.fingerprint.truncate(base);
        self.fingerprint
            .extend_from_slice(STRIP_FLAGS[usize::from(strip)]);
        self
    }

    /// The Lua state the code is compiled into and runs in.
    pub fn lua(&self) -> &Lua {
        &self.lua
    }

    /// The Lua version whose binary chunks this compiler makes, e.g. `"Lua 5.4"`.
    ///
    /// ```
    /// use bccache::engine::lua::{LuaCompiler, mlua::Lua};
    ///
    /// assert_eq!(LuaCompiler::new(Lua::new())?.lua_version(), "Lua 5.4");
    /// # Ok::<(), bccache::engine::lua::mlua::Error>(())
    /// ```
    pub fn lua_version(&self) -> &str {
        &self.version
    }
}

impl fmt::Debug for LuaCompiler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LuaCompiler")
            .field("lua_version", &self.version)
            .field("strip", &self.strip)
            .finish_non_exhaustive()
    }
}

impl Environment for LuaCompiler {
    fn fingerprint(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.fingerprint)
    }
}

impl Compiler for LuaCompiler {
    type Source = str;
    type Code = Function;
    type Error = mlua::Error;

    fn compile(&self, name: &str, filename: Option<&str>, source: &str) -> mlua::Result<Function> {
        let chunk_name = match filename {
            Some(filename) => format!("@{filename}"),
            None => format!("={name}"),
        };
        self.lua
            .load(source)
            .set_name(chunk_name)
            .set_mode(ChunkMode::Text)
            .into_function()
    }

    /// # Panics
    ///
    /// When Lua cannot grow its stack to dump the function (mlua's `Function::dump` panics
    /// then, and its fallible form is not public), e.g. under an exhausted memory limit.
    fn to_bytecode(&self, code: &Function) -> Vec<u8> {
        code.dump(self.strip)
    }

    /// # Safety
    ///
    /// The trait's contract. Beyond it, bytes that do not start with a binary chunk header of
    /// this very Lua (signature, version, format, number sizes and test values) are refused
    /// before Lua reads further, and so is source text; past the header, Lua checks nothing.
    unsafe fn from_bytecode(&self, bytecode: &[u8]) -> Option<Function> {
        // Binary mode only: bytes that are source text must not be compiled behind our back.
        self.lua
            .load(bytecode)
            .set_mode(ChunkMode::Binary)
            .into_function()
            .ok()
    }
}
