//! [`MemcachedBytecodeCacheBuilder`]: every setting of a memcached store, checked in `build`.

use std::fmt;
use std::sync::Arc;

use super::backend::Backend;
use super::client::MemcachedClient;
use super::cluster::Cluster;
use super::server::Server;
use super::store::MemcachedBytecodeCache;
use crate::error::{Error, Result};
use crate::net::shell::{Rules, Settings, shared_setters};

/// Builds a [`MemcachedBytecodeCache`]; every check happens in
/// [`build`](MemcachedBytecodeCacheBuilder::build).
#[must_use = "a builder does nothing until `.build()` is called"]
pub struct MemcachedBytecodeCacheBuilder {
    settings: Settings,
    client: Option<Arc<dyn MemcachedClient>>,
    max_item_size: usize,
}

impl fmt::Debug for MemcachedBytecodeCacheBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemcachedBytecodeCacheBuilder")
            .field("settings", &self.settings)
            .field("client", &self.client.is_some())
            .field("max_item_size", &self.max_item_size)
            .finish()
    }
}

impl MemcachedBytecodeCacheBuilder {
    /// Jinja2's defaults, no server yet: what [`MemcachedBytecodeCache::builder`] returns.
    pub(super) fn new() -> Self {
        MemcachedBytecodeCacheBuilder {
            settings: Settings::default(),
            client: None,
            max_item_size: MemcachedBytecodeCache::DEFAULT_MAX_ITEM_SIZE,
        }
    }

    /// Adds a server by URL, e.g. `memcache://127.0.0.1:11211`; call it once per member of a
    /// cluster. See [`MemcachedBytecodeCache`] for the URL forms and how the client is tuned.
    ///
    /// ```
    /// let cache = bccache::MemcachedBytecodeCache::builder()
    ///     .server("memcache://cache-1.internal:11211?timeout=0.5")
    ///     .server("memcache://cache-2.internal:11211?timeout=0.5")
    ///     .build()?;
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn server(mut self, url: impl Into<String>) -> Self {
        self.settings.servers.push(url.into());
        self
    }

    /// Uses `client` as given instead of servers by URL: its own pool, timeouts and hashing.
    ///
    /// ```
    /// use std::sync::Arc;
    /// # use bccache::MemcachedClient;
    /// # struct MyClient;
    /// # type R<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;
    /// # impl MemcachedClient for MyClient {
    /// #     fn get(&self, _: &str) -> R<Option<Vec<u8>>> { Ok(None) }
    /// #     fn set(&self, _: &str, _: &[u8], _: Option<u32>) -> R<()> { Ok(()) }
    /// # }
    /// let shared = Arc::new(MyClient);
    /// let cache = bccache::MemcachedBytecodeCache::builder()
    ///     .client(Arc::clone(&shared))
    ///     .build()?;
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn client(mut self, client: impl MemcachedClient + 'static) -> Self {
        self.client = Some(Arc::new(client));
        self
    }

    shared_setters!(
        MemcachedBytecodeCache,
        "memcache://127.0.0.1:11211",
        prefix: "at most 210 bytes, no spaces or control characters.",
        timeout: "from 1 to [`MAX_TIMEOUT`](MemcachedBytecodeCache::MAX_TIMEOUT) (30 days)."
    );

    /// Whether a memcached error is a miss (get) or dropped (set) rather than returned as
    /// [`Error::Memcached`]. Default `true`, as in Jinja2.
    ///
    /// ```
    /// let cache = bccache::MemcachedBytecodeCache::builder()
    ///     .server("memcache://127.0.0.1:11211")
    ///     .ignore_memcache_errors(false)
    ///     .build()?;
    /// assert!(!cache.ignore_memcache_errors());
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn ignore_memcache_errors(mut self, ignore: bool) -> Self {
        self.settings.ignore_errors = ignore;
        self
    }

    /// The largest value stored as one memcached item, in bytes (default
    /// [`DEFAULT_MAX_ITEM_SIZE`](MemcachedBytecodeCache::DEFAULT_MAX_ITEM_SIZE), 1 MiB less
    /// 1 KiB). A larger entry is stored as chunks of at most this size, each under its own key
    /// (`<key>/<n>`), and a small head under the entry's key that names them; a load fetches
    /// the chunks with one multi-get and checks them together by the entry's integrity
    /// trailer, and a missing chunk, or one of another write, is a miss.
    ///
    /// Keep it about 1 KiB below the servers' item size (memcached's `-I`, 1m by default):
    /// memcached counts its item header and the key against `-I`. A value the server still
    /// refuses is an error that names `-I` (with errors ignored, logged at `warn` once per
    /// key). From [`MIN_ITEM_SIZE`](MemcachedBytecodeCache::MIN_ITEM_SIZE) (1 KiB) to
    /// [`MAX_ITEM_SIZE`](MemcachedBytecodeCache::MAX_ITEM_SIZE) (1 GiB).
    ///
    /// ```
    /// // Servers started with `memcached -I 8m`: store entries of up to ~8 MB whole.
    /// let cache = bccache::MemcachedBytecodeCache::builder()
    ///     .server("memcache://127.0.0.1:11211")
    ///     .max_item_size(8 * 1024 * 1024 - 1024)
    ///     .build()?;
    /// assert_eq!(cache.max_item_size(), 8_387_584);
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn max_item_size(mut self, bytes: usize) -> Self {
        self.max_item_size = bytes;
        self
    }

    /// Checks everything and builds the cache, without contacting any server.
    ///
    /// Errors: [`Error::InvalidPrefix`], [`Error::InvalidTimeout`],
    /// [`Error::InvalidItemSize`], [`Error::InvalidServer`] (a
    /// URL that cannot name a memcached server, or both `.server()` and `.client()`), and
    /// [`Error::NoServer`] when neither was given.
    ///
    /// ```
    /// let error = bccache::MemcachedBytecodeCache::builder()
    ///     .server("memcache://127.0.0.1:11211")
    ///     .timeout(0)
    ///     .build()
    ///     .unwrap_err();
    /// assert!(matches!(error, bccache::Error::InvalidTimeout { timeout: 0, .. }));
    /// ```
    pub fn build(mut self) -> Result<MemcachedBytecodeCache> {
        let rules = Rules {
            max_prefix_len: MemcachedBytecodeCache::MAX_PREFIX_LEN,
            prefix_too_long: "longer than 210 bytes, so keys would pass memcached's 250",
            no_spaces: Some("memcached keys cannot hold spaces"),
            zero_timeout: "0 would mean no expiration; leave the timeout unset instead",
            max_timeout: Some((
                MemcachedBytecodeCache::MAX_TIMEOUT,
                "over 30 days (2592000 s), which memcached would read as a date",
            )),
        };
        let urls = std::mem::take(&mut self.settings.servers);
        let mut shell = self.settings.check(&rules, Vec::new())?;
        check_item_size(self.max_item_size)?;
        let (backend, names) = match (self.client.take(), urls.is_empty()) {
            (Some(_), false) => {
                return Err(Error::InvalidServer {
                    url: urls.join(", "),
                    reason: "`.server(url)` and `.client(client)` cannot be combined".into(),
                });
            }
            (Some(client), true) => (Backend::Client(client), Vec::new()),
            (None, true) => return Err(Error::NoServer),
            (None, false) => {
                let servers = urls
                    .iter()
                    .map(|url| Server::new(url, self.max_item_size))
                    .collect::<Result<Vec<_>>>()?;
                let names = servers.iter().map(|s| s.url.name.clone()).collect();
                (Backend::Servers(Cluster::new(servers)), names)
            }
        };
        shell.servers = names;
        Ok(MemcachedBytecodeCache::with_backend(
            backend,
            shell,
            self.max_item_size,
        ))
    }
}

fn check_item_size(size: usize) -> Result<()> {
    let invalid = |reason| Error::InvalidItemSize { size, reason };
    if size < MemcachedBytecodeCache::MIN_ITEM_SIZE {
        return Err(invalid("below 1024 bytes, memcached's smallest `-I`"));
    }
    if size > MemcachedBytecodeCache::MAX_ITEM_SIZE {
        return Err(invalid("over 1 GiB, memcached's largest `-I`"));
    }
    Ok(())
}
