//! Jinja2's bytecode cache for any engine whose compiled code can be saved as bytes.
//!
//! Compiling templates or scripts at every start is slow; loading the compiled code back is
//! fast. bccache stores compiled code ("bytecode") in [`Bucket`]s, keyed and invalidated exactly
//! as Jinja2's `jinja2.bccache` does it: the key is the sha1 of the template's name and file
//! name, and an entry is used only while the sha1 of its source is unchanged. Every corrupt,
//! truncated, stale or foreign entry is a miss, never a panic and never wrong code.
//!
//! ```
//! use bccache::{BytecodeCache, FileSystemBytecodeCache};
//!
//! let dir = tempfile::tempdir()?;
//! let cache = FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?;
//! let source = "print('hello')";
//!
//! let mut bucket = cache.get_bucket(&(), "hello.lua", None, source)?;
//! if bucket.code.is_none() {
//!     bucket.code = Some(b"expensively compiled code".to_vec());
//!     cache.set_bucket(&bucket)?;
//! }
//!
//! // Next start: a hit, as long as the source is the same.
//! let bucket = cache.get_bucket(&(), "hello.lua", None, source)?;
//! assert_eq!(bucket.code.as_deref(), Some(&b"expensively compiled code"[..]));
//! let changed = cache.get_bucket(&(), "hello.lua", None, "print('bye')")?;
//! assert!(changed.code.is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! - `derive` (default): `#[derive(BytecodeCache)]`.
//! - `memcached` (default): `MemcachedBytecodeCache`.
//! - `lua`: `engine::lua::LuaCompiler`, Lua 5.4 through mlua.
//! - `regex`: `engine::regex::DfaCompiler`, regex-automata dense DFAs.
//! - `wasm`: `engine::wasm::WasmCompiler`, WebAssembly modules through wasmtime (needs Rust
//!   1.95; wasmtime takes minutes to build).
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

mod bucket;
mod cache;
mod checksum;
mod error;
mod fs;
mod loader;
#[cfg(feature = "memcached")]
mod memcached;
mod stats;

#[cfg(any(feature = "lua", feature = "regex", feature = "wasm"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "lua", feature = "regex", feature = "wasm")))
)]
pub mod engine;

pub use bucket::{BC_MAGIC, BC_VERSION, Bucket, Environment};
pub use cache::{BytecodeCache, Lookup};
pub use checksum::Checksum;
pub use error::{Error, Result};
pub use fs::{DEFAULT_PATTERN, FileSystemBytecodeCache};
pub use loader::{CachedLoader, Compiler, LoadError, Loaded, Origin};
#[cfg(feature = "memcached")]
#[cfg_attr(docsrs, doc(cfg(feature = "memcached")))]
pub use memcached::{
    DEFAULT_PREFIX, MemcachedBytecodeCache, MemcachedBytecodeCacheBuilder, MemcachedClient,
};
pub use stats::CacheStats;

#[cfg(feature = "derive")]
pub use bccache_derive::BytecodeCache;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
