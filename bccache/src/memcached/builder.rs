//! [`MemcachedBytecodeCacheBuilder`]: every setting of a memcached store, checked in `build`.

use std::fmt;

use super::cluster::Cluster;
use super::server::Server;
use super::{DEFAULT_PREFIX, MemcachedBytecodeCache, MemcachedClient};
use crate::checksum::Checksum;
use crate::error::{Error, Result};
use crate::stats::Counters;

/// Builds a [`MemcachedBytecodeCache`]; every check happens in
/// [`build`](MemcachedBytecodeCacheBuilder::build).
#[must_use = "a builder does nothing until `.build()` is called"]
pub struct MemcachedBytecodeCacheBuilder {
    servers: Vec<String>,
    client: Option<Box<dyn MemcachedClient>>,
    prefix: String,
    timeout: Option<u32>,
    ignore_memcache_errors: bool,
    checksum: Checksum,
}

impl fmt::Debug for MemcachedBytecodeCacheBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemcachedBytecodeCacheBuilder")
            .field("servers", &self.servers.len())
            .field("client", &self.client.is_some())
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("ignore_memcache_errors", &self.ignore_memcache_errors)
            .finish()
    }
}

impl MemcachedBytecodeCacheBuilder {
    /// Jinja2's defaults, no server yet: what [`MemcachedBytecodeCache::builder`] returns.
    pub(super) fn new() -> Self {
        MemcachedBytecodeCacheBuilder {
            servers: Vec::new(),
            client: None,
            prefix: DEFAULT_PREFIX.to_owned(),
            timeout: None,
            ignore_memcache_errors: true,
            checksum: Checksum::Sha1,
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
        self.servers.push(url.into());
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
        self.client = Some(Box::new(client));
        self
    }

    /// The prefix of every key (default [`DEFAULT_PREFIX`]): at most 210 bytes, no spaces or
    /// control characters.
    ///
    /// ```
    /// let cache = bccache::MemcachedBytecodeCache::builder()
    ///     .server("memcache://127.0.0.1:11211")
    ///     .prefix("app/v2/bytecode/")
    ///     .build()?;
    /// assert_eq!(cache.prefix(), "app/v2/bytecode/");
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Entries expire `secs` seconds after they are stored: from 1 to
    /// [`MAX_TIMEOUT`](MemcachedBytecodeCache::MAX_TIMEOUT) (30 days). Without it no expiration
    /// is sent.
    ///
    /// ```
    /// let cache = bccache::MemcachedBytecodeCache::builder()
    ///     .server("memcache://127.0.0.1:11211")
    ///     .timeout(24 * 3600)
    ///     .build()?;
    /// assert_eq!(cache.timeout(), Some(86_400));
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn timeout(mut self, secs: u32) -> Self {
        self.timeout = Some(secs);
        self
    }

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
        self.ignore_memcache_errors = ignore;
        self
    }

    /// The algorithm that sums sources (default [`Checksum::Sha1`], Jinja2's).
    ///
    /// ```
    /// use bccache::Checksum;
    ///
    /// let cache = bccache::MemcachedBytecodeCache::builder()
    ///     .server("memcache://127.0.0.1:11211")
    ///     .checksum(Checksum::Xxh3_128)
    ///     .build()?;
    /// assert_eq!(cache.checksum_algorithm(), Checksum::Xxh3_128);
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn checksum(mut self, checksum: Checksum) -> Self {
        self.checksum = checksum;
        self
    }

    /// Checks everything and builds the cache, without contacting any server.
    ///
    /// Errors: [`Error::InvalidPrefix`], [`Error::InvalidTimeout`], [`Error::InvalidServer`] (a
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
    pub fn build(self) -> Result<MemcachedBytecodeCache> {
        check_prefix(&self.prefix)?;
        if let Some(timeout) = self.timeout {
            check_timeout(timeout)?;
        }
        let (client, servers): (Box<dyn MemcachedClient>, Vec<String>) =
            match (self.client, self.servers.is_empty()) {
                (Some(_), false) => {
                    return Err(Error::InvalidServer {
                        url: self.servers.join(", "),
                        reason: "`.server(url)` and `.client(client)` cannot be combined".into(),
                    });
                }
                (Some(client), true) => (client, Vec::new()),
                (None, true) => return Err(Error::NoServer),
                (None, false) => {
                    let servers = self
                        .servers
                        .iter()
                        .map(|url| Server::new(url))
                        .collect::<Result<Vec<_>>>()?;
                    let names = servers.iter().map(|s| s.url.name.clone()).collect();
                    (Box::new(Cluster::new(servers)), names)
                }
            };
        Ok(MemcachedBytecodeCache {
            client,
            prefix: self.prefix,
            timeout: self.timeout,
            ignore_memcache_errors: self.ignore_memcache_errors,
            servers,
            checksum: self.checksum,
            counters: Counters::default(),
        })
    }
}

fn check_prefix(prefix: &str) -> Result<()> {
    let invalid = |reason| Error::InvalidPrefix {
        prefix: prefix.to_owned(),
        reason,
    };
    if prefix.len() > MemcachedBytecodeCache::MAX_PREFIX_LEN {
        return Err(invalid(
            "longer than 210 bytes, so keys would pass memcached's 250",
        ));
    }
    if prefix.chars().any(char::is_whitespace) {
        return Err(invalid("memcached keys cannot hold spaces"));
    }
    if prefix.chars().any(char::is_control) {
        return Err(invalid("memcached keys cannot hold control characters"));
    }
    Ok(())
}

fn check_timeout(timeout: u32) -> Result<()> {
    let invalid = |reason| Error::InvalidTimeout {
        timeout: u64::from(timeout),
        reason,
    };
    if timeout == 0 {
        return Err(invalid(
            "0 would mean no expiration; leave the timeout unset instead",
        ));
    }
    if timeout > MemcachedBytecodeCache::MAX_TIMEOUT {
        return Err(invalid(
            "over 30 days (2592000 s), which memcached would read as a date",
        ));
    }
    Ok(())
}
