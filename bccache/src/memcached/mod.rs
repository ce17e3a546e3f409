//! [`MemcachedBytecodeCache`]: buckets in memcached, Jinja2's `MemcachedBytecodeCache`.
//!
//! The store is here; its builder, the client interface, server URLs, placement of keys on a
//! cluster and each server's connections have a file each.

mod builder;
mod client;
mod cluster;
mod server;
mod url;

use std::fmt;

use crate::bucket::Bucket;
use crate::cache::BytecodeCache;
use crate::checksum::Checksum;
use crate::error::{Error, Result};
use crate::stats::{CacheStats, Counters, Verdict};

pub use builder::MemcachedBytecodeCacheBuilder;
use client::ClientError;
pub use client::MemcachedClient;

/// The key prefix Jinja2 uses: an entry is stored under `prefix + bucket.key`.
pub const DEFAULT_PREFIX: &str = "jinja2/bytecode/";

/// memcached's limit on key length.
const MAX_KEY_LEN: usize = 250;

/// Stores each bucket in memcached, Jinja2's `MemcachedBytecodeCache`.
///
/// An entry is stored under `prefix + bucket.key` (prefix [`DEFAULT_PREFIX`] unless set), and
/// its value is exactly [`Bucket::bytecode_to_string`]. A timeout, when set, is sent with every
/// store; without one entries live until memcached evicts them.
///
/// With `ignore_memcache_errors` on (the default, as in Jinja2), an error on get is a miss and
/// an error on set is dropped (logged at `debug` level through `tracing`): the cache never stops
/// templates from loading. With it off, both come back as [`Error::Memcached`]. A value larger
/// than the server's item size (`-I`, 1 MiB by default) is such an error.
///
/// # Servers given by URL
///
/// [`.server(url)`](MemcachedBytecodeCacheBuilder::server) takes a `memcache://host:port` URL
/// (port 11211 when left out), `memcache+tcp://...` or `memcache:///path/to/socket`, with the
/// `memcache` crate's query options (`protocol=ascii`, `tcp_nodelay=false`, user and password).
/// The client built from it is tuned for a cache that must not slow its application down:
///
/// - connect timeout 250 ms (`?connect_timeout=<seconds>` overrides it), socket read and write
///   timeout 1 s (`?timeout=<seconds>` overrides it), TCP_NODELAY on;
/// - nothing is contacted by [`build`](MemcachedBytecodeCacheBuilder::build): a server is
///   connected on first use, so a cache never stops an application from starting;
/// - no round trip to check a pooled connection before use; instead, a connection that saw an
///   I/O error, a timeout or a garbled reply is closed and never reused (a late reply on it
///   would otherwise answer the next request for another key);
/// - a server that refused a connection or timed out is skipped, each of its keys a miss (or an
///   error), for one second before it is tried again: a dead server costs one timeout per
///   second, not one per key;
/// - up to 8 connections per server, opened as concurrent requests need them and kept open; a
///   connection the server closed (a restart, memcached's `idle_timeout`) fails one request,
///   which is then a miss, and is replaced;
/// - one background thread per server, started on its first use, opens its connections; nothing
///   retries in the background while a server is skipped.
///
/// Several `.server()` calls make a cluster: each key lives on one server, chosen by hashing the
/// key (rendezvous hashing, so the order of the URLs does not matter and adding or removing a
/// server moves only that server's share of the keys). Keys of a server that is down are misses
/// while the others keep hitting.
///
/// # `clear`
///
/// [`clear`](BytecodeCache::clear) does nothing, as in Jinja2: memcached cannot list or delete
/// keys by prefix, and `flush_all` would delete every other user's data too. Change the prefix
/// to start afresh, or let entries expire with a timeout.
///
/// ```
/// use bccache::{BytecodeCache, MemcachedBytecodeCache};
///
/// // Nothing is contacted here: a cache never stops an application from starting.
/// let cache = MemcachedBytecodeCache::builder()
///     .server("memcache://127.0.0.1:11211")
///     .prefix("app/bytecode/")
///     .timeout(3600)
///     .build()?;
/// assert_eq!(cache.timeout(), Some(3600));
/// # Ok::<(), bccache::Error>(())
/// ```
pub struct MemcachedBytecodeCache {
    client: Box<dyn MemcachedClient>,
    prefix: String,
    timeout: Option<u32>,
    ignore_memcache_errors: bool,
    servers: Vec<String>,
    checksum: Checksum,
    counters: Counters,
}

impl MemcachedBytecodeCache {
    /// The longest prefix: with a 40-character key it keeps keys within memcached's 250 bytes.
    pub const MAX_PREFIX_LEN: usize = 210;

    /// The longest timeout in seconds (30 days); memcached reads larger values as a date.
    pub const MAX_TIMEOUT: u32 = 2_592_000;

    /// A cache on `client` with Jinja2's defaults: prefix [`DEFAULT_PREFIX`], no timeout,
    /// memcached errors ignored. The client is used as given.
    ///
    /// ```no_run
    /// use bccache::MemcachedBytecodeCache;
    ///
    /// // memcache::Client::connect contacts the server; the cache itself never does until used.
    /// let client = memcache::Client::connect("memcache://127.0.0.1:11211")?;
    /// let cache = MemcachedBytecodeCache::new(client);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(client: impl MemcachedClient + 'static) -> Self {
        MemcachedBytecodeCache {
            client: Box::new(client),
            prefix: DEFAULT_PREFIX.to_owned(),
            timeout: None,
            ignore_memcache_errors: true,
            servers: Vec::new(),
            checksum: Checksum::Sha1,
            counters: Counters::default(),
        }
    }

    /// The same cache with sources summed by `checksum` (default [`Checksum::Sha1`],
    /// Jinja2's), for a cache made with [`new`](Self::new); the builder has the same setter.
    ///
    /// ```no_run
    /// use bccache::{Checksum, MemcachedBytecodeCache};
    ///
    /// let client = memcache::Client::connect("memcache://127.0.0.1:11211")?;
    /// let cache = MemcachedBytecodeCache::new(client).checksum(Checksum::Xxh3_128);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn checksum(mut self, checksum: Checksum) -> Self {
        self.checksum = checksum;
        self
    }

    /// The algorithm sources are summed with.
    pub fn checksum_algorithm(&self) -> Checksum {
        self.checksum
    }

    /// A builder: set `.server(url)` (repeat it for a cluster) or `.client(c)`, optionally the
    /// prefix, timeout and error policy, then [`build`](MemcachedBytecodeCacheBuilder::build).
    ///
    /// ```
    /// let cache = bccache::MemcachedBytecodeCache::builder()
    ///     .server("memcache://10.0.0.1:11211")
    ///     .server("memcache://10.0.0.2:11211")
    ///     .build()?;
    /// assert_eq!(cache.servers().len(), 2);
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn builder() -> MemcachedBytecodeCacheBuilder {
        MemcachedBytecodeCacheBuilder::new()
    }

    /// A cache on the one server at `url` with Jinja2's defaults: `builder().server(url).build()`.
    /// The server is not contacted until first use.
    ///
    /// ```
    /// let cache = bccache::MemcachedBytecodeCache::connect("memcache://127.0.0.1:11211")?;
    /// assert_eq!(cache.prefix(), bccache::DEFAULT_PREFIX);
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn connect(url: &str) -> Result<Self> {
        Self::builder().server(url).build()
    }

    /// The prefix of every key.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The expiration sent with every store, in seconds; `None` sends none.
    pub fn timeout(&self) -> Option<u32> {
        self.timeout
    }

    /// Whether memcached errors are misses (get) and dropped (set) rather than returned.
    pub fn ignore_memcache_errors(&self) -> bool {
        self.ignore_memcache_errors
    }

    /// The server URLs given to the builder (passwords masked); empty for a client given as is.
    pub fn servers(&self) -> &[String] {
        &self.servers
    }

    /// The full memcached key of a bucket, checked the way memcached checks keys; a key
    /// memcached would refuse comes back with the reason, for the error to name it.
    fn memcached_key(&self, bucket_key: &str) -> std::result::Result<String, (String, InvalidKey)> {
        let mut key = String::with_capacity(self.prefix.len() + bucket_key.len());
        key.push_str(&self.prefix);
        key.push_str(bucket_key);
        if key.len() > MAX_KEY_LEN {
            return Err((key, InvalidKey("longer than memcached's 250 bytes")));
        }
        if bucket_key
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err((key, InvalidKey("holds a space or a control character")));
        }
        Ok(key)
    }

    /// Applies the error policy to a failed memcached operation.
    fn failed(&self, operation: &'static str, key: String, source: ClientError) -> Result<()> {
        self.counters.failed();
        let error = Error::Memcached {
            operation,
            key,
            source,
        };
        if self.ignore_memcache_errors {
            tracing::debug!(error = %DisplayChain(&error), "ignored memcached error");
            Ok(())
        } else {
            Err(error)
        }
    }
}

impl fmt::Debug for MemcachedBytecodeCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemcachedBytecodeCache")
            .field("servers", &self.servers)
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("ignore_memcache_errors", &self.ignore_memcache_errors)
            .finish_non_exhaustive()
    }
}

impl BytecodeCache for MemcachedBytecodeCache {
    fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
        bucket.reset();
        let key = match self.memcached_key(&bucket.key) {
            Ok(key) => key,
            Err((key, invalid)) => return self.failed("get", key, Box::new(invalid)),
        };
        match self.client.get(&key) {
            Ok(Some(bytes)) => {
                let len = bytes.len() as u64;
                self.counters.loaded(bucket.decode_vec(bytes), len);
                Ok(())
            }
            Ok(None) => {
                self.counters.loaded(Verdict::Missing, 0);
                Ok(())
            }
            Err(source) => self.failed("get", key, source),
        }
    }

    fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
        let value = bucket.bytecode_to_string()?;
        let key = match self.memcached_key(&bucket.key) {
            Ok(key) => key,
            Err((key, invalid)) => return self.failed("set", key, Box::new(invalid)),
        };
        match self.client.set(&key, &value, self.timeout) {
            Ok(()) => {
                self.counters.stored(value.len() as u64);
                Ok(())
            }
            Err(source) => self.failed("set", key, source),
        }
    }

    fn get_source_checksum_bytes(&self, source: &[u8]) -> String {
        self.checksum.of(source)
    }

    fn stats(&self) -> Option<CacheStats> {
        Some(self.counters.snapshot())
    }

    /// Does nothing, as in Jinja2: memcached cannot list or delete keys by prefix, and
    /// `flush_all` would remove other users' data. Change the prefix to start afresh.
    fn clear(&self) -> Result<()> {
        Ok(())
    }
}

/// A bucket key memcached cannot store.
#[derive(Debug)]
struct InvalidKey(&'static str);

impl fmt::Display for InvalidKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid memcached key: {}", self.0)
    }
}

impl std::error::Error for InvalidKey {}

/// An error and its sources on one line, for the log.
struct DisplayChain<'a>(&'a (dyn std::error::Error + 'static));

impl fmt::Display for DisplayChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(error) = source {
            write!(f, ": {error}")?;
            source = error.source();
        }
        Ok(())
    }
}
