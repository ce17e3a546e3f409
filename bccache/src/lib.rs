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
//! # Operating the cache
//!
//! Every store counts hits, misses, stale and rejected entries ([`BytecodeCache::stats`]); a
//! filesystem cache also adds its counts to a stats file in its directory, bounds itself with
//! [`FileSystemBytecodeCache::max_size`], and is pruned and verified through [`upkeep`]. The
//! `bccache` command (crate `bccache-cli`) shows and runs all of it.
//!
//! # Features
//!
//! - `derive` (default): `#[derive(BytecodeCache)]`, a cache configured by an attribute: its
//!   stores (several make tiers), checksum, compression and signatures.
//! - `memcached` (default): `MemcachedBytecodeCache`.
//! - `memory`: `MemoryBytecodeCache`, an in-process store bounded by bytes (quick_cache), the
//!   first tier of a `TieredBytecodeCache` (always available, as is `ReadOnly`).
//! - `redis`: `RedisBytecodeCache`, standalone Redis servers or a Redis Cluster.
//! - `lua`: `engine::lua::LuaCompiler`, Lua 5.4 through mlua.
//! - `regex`: `engine::regex::DfaCompiler`, regex-automata dense DFAs.
//! - `zstd`: `Compressed`, a wrapper that zstd-compresses the payloads of any store.
//! - `signed`: `Signed`, a wrapper that signs entries with a secret key (keyed BLAKE3) and
//!   loads only verified ones; the docs of module `signed` hold the threat model.
//! - `wasm`: `engine::wasm::WasmCompiler`, WebAssembly modules through wasmtime (wasmtime
//!   takes minutes to build).
//! - `http`: `HttpBytecodeCache`, entries on an HTTP/WebDAV cache server (nginx, ccache's
//!   layouts), listed by `upkeep::remote` with WebDAV `PROPFIND`.
//! - `s3`: `S3BytecodeCache`, entries in an S3 bucket (AWS SigV4, any S3-compatible server).
//! - `metrics`: every store also counts through the `metrics` crate's facade, under the names
//!   [`prometheus`] prints (`bccache_hits_total`, ...).
//! - `tokio`: `AsyncBytecodeCache`, the same trait for async code, implemented by every
//!   built-in store, wrapper and tier and by derived caches; `Store` for a cache of both
//!   traits; `Blocking` for any other sync store.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

#[cfg(feature = "tokio")]
mod async_cache;
mod bucket;
mod cache;
mod checksum;
mod entry;
mod error;
mod lease;
mod loader;
#[cfg(any(
    feature = "memcached",
    feature = "redis",
    feature = "http",
    feature = "s3"
))]
mod net;
pub mod prometheus;
mod stats;
mod store;
pub mod upkeep;
mod wrap;

#[cfg(feature = "signed")]
#[cfg_attr(docsrs, doc(cfg(feature = "signed")))]
pub use wrap::signed;

#[cfg(any(feature = "lua", feature = "regex", feature = "wasm"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "lua", feature = "regex", feature = "wasm")))
)]
pub mod engine;

#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use crate::store::http::{HttpBytecodeCache, HttpBytecodeCacheBuilder, HttpLayout};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use crate::store::redis::{RedisBytecodeCache, RedisBytecodeCacheBuilder};
#[cfg(feature = "s3")]
#[cfg_attr(docsrs, doc(cfg(feature = "s3")))]
pub use crate::store::s3::{S3BytecodeCache, S3BytecodeCacheBuilder};
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use async_cache::{AsyncBytecodeCache, Blocking, Store};
pub use bucket::{BC_MAGIC, BC_VERSION, Bucket, Environment};
pub use cache::{BytecodeCache, DEFAULT_PREFIX, Lookup, Trust};
pub use checksum::Checksum;
pub use error::{Error, Result};
pub use lease::{Lease, LeaseGuard};
pub use loader::{CachedLoader, Compiler, LoadError, Loaded, Origin};
pub use stats::CacheStats;
pub use store::fs::{DEFAULT_MAX_ENTRY_SIZE, DEFAULT_PATTERN, FileSystemBytecodeCache};
#[cfg(feature = "memcached")]
#[cfg_attr(docsrs, doc(cfg(feature = "memcached")))]
pub use store::memcached::{
    MemcachedBytecodeCache, MemcachedBytecodeCacheBuilder, MemcachedClient,
};
#[cfg(feature = "memory")]
#[cfg_attr(docsrs, doc(cfg(feature = "memory")))]
pub use store::memory::MemoryBytecodeCache;
#[cfg(feature = "zstd")]
#[cfg_attr(docsrs, doc(cfg(feature = "zstd")))]
pub use wrap::compressed::Compressed;
pub use wrap::read_only::ReadOnly;
#[cfg(feature = "signed")]
#[cfg_attr(docsrs, doc(cfg(feature = "signed")))]
pub use wrap::signed::Signed;
pub use wrap::tiered::TieredBytecodeCache;

#[cfg(feature = "derive")]
pub use bccache_derive::BytecodeCache;

/// Sizes in bytes as people write them (`64k`, `64 KiB`, `1.5 GiB`, `4096`): the one grammar of
/// the derive's `memory` and `max_size` and of the `bccache` command's `--max-size`.
pub use bccache_size as size;

#[doc(hidden)]
#[path = "private/mod.rs"]
pub mod __private;

#[doc(hidden)]
#[path = "fuzz.rs"]
pub mod __fuzz;
