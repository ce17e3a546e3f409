//! [`WasmCompiler`]: WebAssembly modules compiled to native code by wasmtime (cranelift), cached
//! as wasmtime's serialized modules.
//!
//! Compiling a module is the expensive part of starting it; deserializing its compiled form is
//! cheap by comparison (the README's benchmarks give figures). Bytecode here is [`Module::serialize`] (native code plus wasmtime's
//! metadata, an ELF image of a few times the module's size); loading is
//! [`Module::deserialize`]. Sources are binary modules, or the text format (`.wat`).
//!
//! # Only trusted cache locations, and signed entries across machines
//!
//! wasmtime does not verify serialized modules: [`Module::deserialize`] is `unsafe` because
//! whoever chooses its bytes chooses the machine code that runs. Its contract is that the bytes
//! are the unmodified output of [`Module::serialize`] (or [`Engine::precompile_module`]); bytes
//! from another wasmtime version or an incompatible [`Config`](wasmtime::Config) are then
//! refused with an error, not run.
//!
//! bccache keeps that contract for accidents. A loader stores only what
//! [`Module::serialize`] returned, and an entry reaches `deserialize` only after bccache has
//! checked all of it: its exact length, its key (an entry of another module is a miss), its
//! source checksum, the environment fingerprint — which holds
//! [`Engine::precompile_compatibility_hash`], so code of another wasmtime version, target or
//! code-generation `Config` is a miss before wasmtime sees it — and the xxh3-64 trailer over
//! every byte of the entry, which a torn write, a truncated file, a flipped bit or a misrouted
//! network reply fails (a random corruption passes with probability 2⁻⁶⁴).
//!
//! The trailer proves integrity, not origin: anyone who can write to the cache can compute it,
//! and so make this process run any native code. This is the trust wasmtime's own compilation
//! cache (`Config::cache`) places in its directory. Keep a Wasm cache in a directory only your
//! application's user can write (the default directory of
//! [`FileSystemBytecodeCache::with_default_dir`](crate::FileSystemBytecodeCache::with_default_dir)
//! is such a directory). A shared network store (memcached, Redis) is reachable by every client
//! of that server: wrap it in `bccache::Signed`, whose keyed MAC over the whole entry is
//! checked before a byte of the payload is used, so that only holders of the key can plant
//! code.
//!
//! [`Compiler::from_bytecode`] is `unsafe` for this reason: call it only with bytes made by
//! [`to_bytecode`](Compiler::to_bytecode) of a compiler with the same fingerprint, or let
//! [`CachedLoader`] call it with what it read from a trusted or signed store (its "Trust"
//! section holds the argument).
//!
//! [`CachedLoader`]: crate::CachedLoader
//!
//! # Components
//!
//! Components (`wasmtime::component::Component`) are not cached here: they need wasmtime's
//! `component-model` feature, which brings a dozen more crates (wit-parser, wit-component,
//! wasm-metadata, serde_json, encoding_rs, the bindgen macro) and a third more code in
//! wasmtime itself, on top of an already long build, for users who run only core modules. A
//! component's bytecode would be `Component::serialize`, under a fingerprint tagged
//! `component`, exactly as for modules.

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};

use wasmtime::{Engine, Module};
use xxhash_rust::xxh3::Xxh3Default;

/// The wasmtime this compiler is built on, so that your code uses the very same `Engine`,
/// `Module`, `Store` and `Instance` types.
pub use wasmtime;

use crate::bucket::Environment;
use crate::loader::Compiler;

/// Bytes every `WasmCompiler` fingerprint starts with; bump the number when the way this module
/// compiles or serializes changes.
const FINGERPRINT_TAG: &[u8] = b"bccache-wasm/1 module ";

/// Compiles WebAssembly modules (binary or text format) with one [`Engine`], and caches them
/// as [`Module::serialize`]d native code.
///
/// Its [fingerprint](Environment::fingerprint) holds the engine's
/// [`precompile_compatibility_hash`](Engine::precompile_compatibility_hash): the wasmtime
/// version, the target and its CPU features, the compiler's settings (such as
/// `cranelift_opt_level`) and every [`Config`](wasmtime::Config) option that changes the code
/// (such as `consume_fuel`). Code compiled under any other is a miss. Two engines made from
/// equal `Config`s, in this process or another, share entries.
///
/// Read [the module docs](self): wasmtime trusts serialized modules as native code, so keep
/// the cache in a trusted location, and sign entries that cross machines.
///
/// ```
/// use bccache::engine::wasm::{WasmCompiler, wasmtime::{Engine, Instance, Store}};
/// use bccache::{CachedLoader, FileSystemBytecodeCache, Origin};
///
/// let dir = tempfile::tempdir()?;
/// let cache = FileSystemBytecodeCache::new(dir.path(), "__wasm_%s.cache")?;
/// let loader = CachedLoader::new(WasmCompiler::new(Engine::default()), cache);
///
/// let source = r#"(module
///   (func (export "triangle") (param i64) (result i64)
///     (i64.div_u (i64.mul (local.get 0) (i64.add (local.get 0) (i64.const 1)))
///                (i64.const 2))))"#;
/// let compiled = loader.load_with_origin("triangle", Some("triangle.wat"), source.as_bytes())?;
/// let cached = loader.load_with_origin("triangle", Some("triangle.wat"), source.as_bytes())?;
/// assert_eq!((compiled.origin, cached.origin), (Origin::Compiled, Origin::Cache));
///
/// let mut store = Store::new(loader.compiler().engine(), ());
/// let instance = Instance::new(&mut store, &cached.code, &[])?;
/// let triangle = instance.get_typed_func::<i64, i64>(&mut store, "triangle")?;
/// assert_eq!(triangle.call(&mut store, 100)?, 5050);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct WasmCompiler {
    engine: Engine,
    fingerprint: Vec<u8>,
}

impl WasmCompiler {
    /// A compiler whose modules are compiled by, and run in, `engine`.
    ///
    /// The engine must be able to compile (wasmtime's `cranelift` feature, which the `wasm`
    /// feature enables), and its `Config` decides the code and so the fingerprint.
    ///
    /// ```
    /// use bccache::engine::wasm::{WasmCompiler, wasmtime::{Config, Engine, OptLevel}};
    ///
    /// let mut config = Config::new();
    /// config.cranelift_opt_level(OptLevel::SpeedAndSize);
    /// let compiler = WasmCompiler::new(Engine::new(&config)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(engine: Engine) -> Self {
        let mut hasher = FingerprintHasher(Xxh3Default::new());
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let mut fingerprint = FINGERPRINT_TAG.to_vec();
        fingerprint.extend_from_slice(&hasher.0.digest128().to_le_bytes());
        WasmCompiler {
            engine,
            fingerprint,
        }
    }

    /// The engine modules are compiled by; instantiate them in a `Store` of this engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

impl fmt::Debug for WasmCompiler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WasmCompiler")
            .field("fingerprint", &String::from_utf8_lossy(&self.fingerprint))
            .finish_non_exhaustive()
    }
}

/// Feeds what `Hash` writes into xxh3, whose output is the same in every process and every
/// Rust release (std's `DefaultHasher` promises neither).
struct FingerprintHasher(Xxh3Default);

impl Hasher for FingerprintHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        self.0.digest()
    }
}

impl Environment for WasmCompiler {
    fn fingerprint(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.fingerprint)
    }
}

impl Compiler for WasmCompiler {
    type Source = [u8];
    type Code = Module;
    type Error = CompileError;

    /// Compiles a binary module, or one in the text format (`.wat`), with all of its functions
    /// (in parallel, on wasmtime's thread pool).
    fn compile(
        &self,
        _name: &str,
        _filename: Option<&str>,
        source: &[u8],
    ) -> Result<Module, CompileError> {
        // `Module::new` rather than a `CodeBuilder` given the file name: that one would also
        // read a `.dwp` file beside it, which the source checksum does not cover.
        Module::new(&self.engine, source).map_err(CompileError)
    }

    /// [`Module::serialize`]. A module taken out of a component, which
    /// [`compile`](Compiler::compile) never makes, cannot be serialized: its bytecode is then
    /// empty (logged as a warning), which never loads, so the module is compiled again.
    fn to_bytecode(&self, code: &Module) -> Vec<u8> {
        code.serialize().unwrap_or_else(|error| {
            tracing::warn!(
                error = %error,
                "cannot serialize a wasm module; caching an empty entry"
            );
            Vec::new()
        })
    }

    /// # Safety
    ///
    /// The trait's contract, which is what [`Module::deserialize`] needs: the bytes are
    /// [`Module::serialize`]'s output for an engine of this fingerprint. Empty bytes (what
    /// [`to_bytecode`](Compiler::to_bytecode) gives for a module it cannot serialize) are
    /// refused before wasmtime sees them.
    unsafe fn from_bytecode(&self, bytecode: &[u8]) -> Option<Module> {
        if bytecode.is_empty() {
            return None;
        }
        // SAFETY: wasmtime requires these bytes to be the unmodified output of
        // `Module::serialize` (other wasmtime versions' output is refused with an error), and
        // this function's own contract is that they are `to_bytecode`'s output, which is
        // `Module::serialize`'s, for an engine of this fingerprint, which holds this engine's
        // `precompile_compatibility_hash`.
        unsafe { Module::deserialize(&self.engine, bytecode) }
            .map_err(|error| tracing::debug!(error = %error, "wasmtime refused a cached module"))
            .ok()
    }
}

/// Why a Wasm module did not compile: wasmtime's error (a text-format syntax error, a module
/// that does not validate, a compiler failure), as a [`std::error::Error`].
///
/// [`wasmtime::Error`] is not a `std::error::Error` itself (as with `anyhow`); this wrapper
/// is, so `?` turns a [`LoadError`](crate::LoadError) of a Wasm loader into a
/// `Box<dyn Error>`. Its [`source`](std::error::Error::source) chain is wasmtime's.
pub struct CompileError(wasmtime::Error);

impl CompileError {
    /// wasmtime's error.
    pub fn into_inner(self) -> wasmtime::Error {
        self.0
    }

    /// wasmtime's error, borrowed.
    pub fn as_wasmtime(&self) -> &wasmtime::Error {
        &self.0
    }
}

impl From<wasmtime::Error> for CompileError {
    fn from(error: wasmtime::Error) -> Self {
        CompileError(error)
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl std::error::Error for CompileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let inner: &(dyn std::error::Error + 'static) = self.0.as_ref();
        inner.source()
    }
}
