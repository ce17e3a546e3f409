//! `#[derive(BytecodeCache)]` for [bccache](https://docs.rs/bccache). Use it through `bccache`,
//! which re-exports it as `bccache::BytecodeCache` (feature `derive`, on by default).

mod ast;
mod attr;
mod ctxt;
mod expand;
mod valid;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Turns a struct into a [`BytecodeCache`](https://docs.rs/bccache/latest/bccache/trait.BytecodeCache.html)
/// on the filesystem or in memcached, configured by `#[cache(...)]`.
///
/// The struct holds the cache's configuration: written in the attribute, or read at run time
/// from fields (a config struct deserialized from TOML, or built in code). The backend is built
/// on first use, once per distinct configuration, and reused by every later call and every value
/// with the same configuration, for the life of the process: a memcached connection is not opened
/// per call. A configuration that cannot be built (an unsafe directory, a bad URL in a field) is
/// the `Err` of each call until it can.
///
/// A bare `dir` or `memcached` on the struct takes its value from the field marked with the same
/// key, if there is one. A marked field alone also chooses its backend: `#[cache(dir)]` on a
/// field needs no `#[cache(dir)]` on the struct.
///
/// Unit structs, structs with named or unnamed fields, and generic structs can derive it.
///
/// # Filesystem backend
///
/// | key | on | value |
/// |---|---|---|
/// | `dir = "path"` | struct | the directory; relative to the working directory at first use; created if missing |
/// | `dir` | struct | from the `#[cache(dir)]` field if there is one, else the safe default directory of `FileSystemBytecodeCache::with_default_dir()` |
/// | `pattern = "..."` | struct | the file name, with exactly one `%s` for the key; default `__jinja2_%s.cache` |
/// | `#[cache(dir)]` | field | the directory, read from the field: any `AsRef<Path>` (`PathBuf`, `String`, ...) |
///
/// ```no_run
/// use bccache::BytecodeCache;
///
/// #[derive(BytecodeCache)]
/// #[cache(dir = "var/cache/templates", pattern = "__app_%s.cache")]
/// struct TemplateCache;
///
/// /// `<temp dir>/_bccache-<uid>`, created 0700 and checked, as Jinja2 does it.
/// #[derive(BytecodeCache)]
/// #[cache(dir)]
/// struct DefaultCache;
///
/// let bucket = TemplateCache.get_bucket(&(), "index.html", None, "<h1>{{ title }}</h1>")?;
/// # Ok::<(), bccache::Error>(())
/// ```
///
/// A field supplies the directory at run time:
///
/// ```
/// use std::path::PathBuf;
/// use bccache::BytecodeCache;
///
/// #[derive(BytecodeCache, serde::Deserialize)]
/// #[cache(dir, pattern = "__app_%s.cache")]
/// struct CacheConfig {
///     #[cache(dir)]
///     cache_dir: PathBuf,
/// }
///
/// # let tmp = tempfile::tempdir()?;
/// # let cache_dir = tmp.path().to_owned();
/// let cache = CacheConfig { cache_dir };
/// let mut bucket = cache.get_bucket(&(), "index.html", None, "<h1>{{ title }}</h1>")?;
/// bucket.code = Some(b"compiled".to_vec());
/// cache.set_bucket(&bucket)?;
/// assert!(cache.cache_dir.join(format!("__app_{}.cache", bucket.key)).is_file());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Memcached backend
///
/// Needs bccache's `memcached` feature (on by default).
///
/// | key | on | value |
/// |---|---|---|
/// | `memcached = "memcache://host:11211"` | struct | the server; `"url1, url2"` for a cluster |
/// | `memcached` | struct | from the `#[cache(memcached)]` field if there is one, else `memcache://127.0.0.1:11211` |
/// | `prefix = "..."` | struct | the key prefix; default `jinja2/bytecode/` |
/// | `timeout = N` | struct | seconds, 1 to 2592000 (30 days); default: no expiry |
/// | `ignore_errors = bool` | struct | whether memcached errors are misses; default `true` |
/// | `#[cache(memcached)]` | field | the server URLs, read from the field: any `AsRef<str>`, comma-separated for a cluster |
/// | `#[cache(prefix)]` | field | the key prefix: any `AsRef<str>` |
/// | `#[cache(timeout)]` | field | seconds: `u32`, `u64`, or `Option<u32>` (`None`: no expiry) |
///
/// ```no_run
/// use bccache::BytecodeCache;
///
/// #[derive(BytecodeCache)]
/// #[cache(memcached = "memcache://127.0.0.1:11211", prefix = "app/bytecode/", timeout = 3600)]
/// struct SharedCache;
///
/// #[derive(BytecodeCache)]
/// #[cache(memcached = "memcache://10.0.0.1:11211, memcache://10.0.0.2:11211", ignore_errors = false)]
/// struct ClusterCache;
///
/// #[derive(BytecodeCache, serde::Deserialize)]
/// #[cache(memcached)]
/// struct MemcachedConfig {
///     #[cache(memcached)]
///     servers: String,
///     #[cache(prefix)]
///     prefix: String,
///     #[cache(timeout)]
///     timeout: Option<u32>,
/// }
///
/// let bucket = SharedCache.get_bucket(&(), "index.html", None, "<h1>{{ title }}</h1>")?;
/// # Ok::<(), bccache::Error>(())
/// ```
///
/// # Mistakes are compile errors
///
/// An unknown or duplicate key, both backends or none, a key of the other backend, a bad
/// `pattern` or `prefix`, a `timeout` that is not a whole number of seconds from 1 to 30 days, a
/// value given both on the struct and by a field, an enum or a union, and the memcached backend
/// without bccache's `memcached` feature are all compile errors at the token at fault, every
/// error of the item at once. A field whose type cannot supply its value fails with rustc's own
/// trait error at the field's type.
#[proc_macro_derive(BytecodeCache, attributes(cache))]
pub fn derive_bytecode_cache(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
