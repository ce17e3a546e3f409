//! `#[derive(BytecodeCache)]` for [bccache](https://docs.rs/bccache). Use it through `bccache`,
//! which re-exports it as `bccache::BytecodeCache` (feature `derive`, on by default).
//!
//! The attribute picks the stores (`memory`, `dir`, `memcached` or `redis`; several make tiers),
//! the checksum, compression and signatures; see [`derive@BytecodeCache`].

mod ast;
mod attr;
mod ctxt;
mod expand;
mod valid;
mod value;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Turns a struct into a [`BytecodeCache`](https://docs.rs/bccache/latest/bccache/trait.BytecodeCache.html)
/// in memory, on the filesystem, in memcached or Redis, or in tiers of them, configured by
/// `#[cache(...)]`.
///
/// The struct holds the cache's configuration: written in the attribute, or read at run time
/// from fields (a config struct deserialized from TOML, or built in code). The backend is built
/// on first use, once per distinct configuration, and reused by every later call and every value
/// with the same configuration, for the life of the process: a memcached or Redis connection is
/// not opened per call. A configuration that cannot be built (an unsafe directory, a bad URL in a
/// field, a missing signing key) is the `Err` of each call until it can: a failed build is never
/// kept.
///
/// A bare `memory`, `dir`, `max_size`, `memcached` or `redis` on the struct takes its value from
/// the field marked with the same key, if there is one. A marked field alone also chooses its
/// store: `#[cache(dir)]` on a field needs no `#[cache(dir)]` on the struct.
///
/// Unit structs, structs with named or unnamed fields, and generic structs can derive it.
///
/// # Stores and tiers
///
/// A cache has one to three stores: `memory` (in process), `dir` (files) and at most one network
/// store, `memcached` or `redis`. One store is that store, with nothing around it. Several are
/// tiers, always in the order memory → dir → network store whatever the order written: a load
/// tries them fastest first and a hit in a slower tier fills every faster one; a dump writes to
/// all of them (`TieredBytecodeCache`).
///
/// | key | on | value |
/// |---|---|---|
/// | `checksum = "sha1"` / `"xxh3"` | struct | the source checksum of every store: `sha1` (Jinja2's, the default) or `xxh3` (XXH3-128, much cheaper); an entry stored under one never hits under the other |
/// | `compress = N` | struct | zstd level 1 to 22: the dir and network tiers store compressed payloads (`Compressed`); the memory tier stays plain, so a memory hit never decompresses. Feature `zstd` |
/// | `signing_key_env = "VAR"` | struct | the environment variable holding the signing key (hex or base64, at least 32 bytes): the dir and network tiers' entries are signed and verified (`Signed`). Feature `signed` |
///
/// `signing_key_env` reads the key when the backend is built, at first use. A missing or short
/// key is an error from every call, naming the variable, until it is fixed: never an unsigned
/// fallback. The memory tier holds entries unsigned: it only ever receives code compiled by this
/// process or entries that passed verification in a tier below, and it never leaves the process.
///
/// # Memory store
///
/// Needs bccache's `memory` feature.
///
/// | key | on | value |
/// |---|---|---|
/// | `memory = "64 MiB"` | struct | the bound on the bytes held: an integer of bytes (`memory = 67108864`), or a string in the grammar of `bccache::size` (the `bccache` command's too): `"64 MiB"`, `"1.5 GiB"`, `"64k"`; decimal units `kB`, `MB`, `GB`, `TB` and binary ones `KiB`, `MiB`, `GiB`, `TiB`, in any case, the `B` optional, with or without a space |
/// | `#[cache(memory)]` | field | the bound in bytes, read from the field: `u64` or `u32` |
///
/// # Filesystem store
///
/// | key | on | value |
/// |---|---|---|
/// | `dir = "path"` | struct | the directory; relative to the working directory at first use; created if missing |
/// | `dir` | struct | from the `#[cache(dir)]` field if there is one, else the safe default directory of `FileSystemBytecodeCache::with_default_dir()` |
/// | `pattern = "..."` | struct | the file name, with exactly one `%s` for the key; default `__jinja2_%s.cache` |
/// | `max_size = "1 GiB"` | struct | the bound on the directory; the least recently used entries go when a dump passes it. Sizes as `memory` |
/// | `#[cache(dir)]` | field | the directory, read from the field: any `AsRef<Path>` (`PathBuf`, `String`, ...) |
/// | `#[cache(max_size)]` | field | the bound in bytes: `u64` or `u32` |
///
/// ```no_run
/// use bccache::BytecodeCache;
///
/// #[derive(BytecodeCache)]
/// #[cache(dir = "var/cache/templates", pattern = "__app_%s.cache", checksum = "xxh3")]
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
/// # Network stores: memcached and Redis
///
/// `memcached` needs bccache's `memcached` feature (on by default); `redis` its `redis` feature.
/// `prefix`, `timeout` and `ignore_errors` apply to whichever of the two is present.
///
/// | key | on | value |
/// |---|---|---|
/// | `memcached = "memcache://host:11211"` | struct | the server; `"url1, url2"` for several |
/// | `memcached` | struct | from the `#[cache(memcached)]` field if there is one, else `memcache://127.0.0.1:11211` |
/// | `redis = "redis://host:6379"` | struct | the server; `"url1, url2"` for several, or the seed nodes of a cluster |
/// | `redis` | struct | from the `#[cache(redis)]` field if there is one, else `redis://127.0.0.1:6379` |
/// | `cluster = bool` | struct | whether the `redis` servers are a Redis Cluster; default `false` |
/// | `prefix = "..."` | struct | the key prefix; default `jinja2/bytecode/` |
/// | `timeout = N` | struct | the expiry in seconds, from 1 (memcached: at most 2592000, 30 days); default: no expiry |
/// | `ignore_errors = bool` | struct | whether the store's errors are misses; default `true` |
/// | `#[cache(memcached)]`, `#[cache(redis)]` | field | the server URLs, read from the field: any `AsRef<str>`, comma-separated for several |
/// | `#[cache(prefix)]` | field | the key prefix: any `AsRef<str>` |
/// | `#[cache(timeout)]` | field | seconds: `u32`, `u64`, or `Option<u32>` (`None`: no expiry) |
///
/// # Object stores: HTTP and S3
///
/// In place of memcached or Redis (one network store at most), with bccache's `http` or `s3`
/// feature; literals only, on the struct. `compress` and `signing_key_env` wrap them as the
/// other stores; `prefix`, `timeout` and `ignore_errors` do not apply (errors are ignored).
///
/// | key | value |
/// |---|---|
/// | `http = "http://host:8080/cache/"` | the cache's URL (`HttpBytecodeCache`, layout `subdirs`; `https://` with bccache's `https` feature) |
/// | `s3 = "s3://bucket/prefix/?endpoint=http://host:9000&region=eu-west-1"` | the bucket, the key prefix (the path, as written), the endpoint and region; credentials from `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` at first use |
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
/// Tiers, Redis, compression and signatures (features `memory`, `redis`, `zstd`, `signed`):
///
/// ```no_run
/// use std::path::PathBuf;
/// use bccache::BytecodeCache;
///
/// /// Memory, then the local disk, then a Redis Cluster shared by the fleet; what crosses
/// /// machines is compressed and signed with the key in `$APP_BCCACHE_KEY`.
/// #[derive(BytecodeCache)]
/// #[cache(
///     memory = "64 MiB",
///     dir = "var/cache/bytecode",
///     max_size = "1 GiB",
///     redis = "redis://10.0.0.1:7000, redis://10.0.0.2:7000",
///     cluster = true,
///     prefix = "app/bytecode/",
///     checksum = "xxh3",
///     compress = 3,
///     signing_key_env = "APP_BCCACHE_KEY",
/// )]
/// struct FleetCache;
///
/// /// The same shape, read from a config file.
/// #[derive(BytecodeCache, serde::Deserialize)]
/// #[cache(checksum = "xxh3")]
/// struct CacheConfig {
///     #[cache(memory)]
///     memory_bytes: u64,
///     #[cache(dir)]
///     dir: PathBuf,
///     #[cache(memcached)]
///     memcached: String,
/// }
/// ```
///
/// # Async
///
/// With bccache's `tokio` feature, a derived cache is also an
/// [`AsyncBytecodeCache`](https://docs.rs/bccache/latest/bccache/trait.AsyncBytecodeCache.html)
/// over the same backend: each store is used through its own async impl (memory in place,
/// files on tokio's blocking pool, memcached and Redis on tokio's sockets), and what one trait
/// stores the other loads. The traits share their method names, so code that imports both
/// names the one it calls. The backend is built on the first call of either trait (creating
/// its directory, reading its signing key), in the calling task.
///
/// ```
/// use std::path::PathBuf;
/// use bccache::{AsyncBytecodeCache, BytecodeCache};
///
/// #[derive(BytecodeCache)]
/// #[cache(memory = "64 MiB", dir)]
/// struct AppCache {
///     #[cache(dir)]
///     dir: PathBuf,
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let tmp = tempfile::tempdir()?;
/// let cache = AppCache { dir: tmp.path().to_owned() };
/// let mut bucket = AsyncBytecodeCache::get_bucket(&cache, &(), "a.lua", None, "return 1").await?;
/// bucket.code = Some(b"compiled".to_vec());
/// AsyncBytecodeCache::set_bucket(&cache, &bucket).await?;
/// let hit = BytecodeCache::get_bucket(&cache, &(), "a.lua", None, "return 1")?;
/// assert_eq!(hit.code.as_deref(), Some(&b"compiled"[..]));
/// # Ok(())
/// # }
/// ```
///
/// # Mistakes are compile errors
///
/// An unknown or duplicate key, no store, two network stores, a key of a store that is absent
/// (`pattern` or `max_size` without `dir`; `prefix`, `timeout` or `ignore_errors` without
/// `memcached` or `redis`; `cluster` without `redis`), `compress` or `signing_key_env` with only
/// `memory`, a bad `pattern`, `prefix`, size, URL, `checksum` or zstd level, a `timeout` out of
/// range, an empty `signing_key_env`, a value given both on the struct and by a field, an enum or
/// a union, and a store or wrapper whose bccache feature is off are all compile errors at the
/// token at fault, every error of the item at once. A field whose type cannot supply its value
/// fails with rustc's own trait error at the field's type.
#[proc_macro_derive(BytecodeCache, attributes(cache))]
pub fn derive_bytecode_cache(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
