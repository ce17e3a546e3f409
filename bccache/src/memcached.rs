//! [`MemcachedBytecodeCache`]: buckets in memcached, Jinja2's `MemcachedBytecodeCache`.

use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, TryLockError};
use std::time::{Duration, Instant};

use memcache::{ConnectionManager, MemcacheError, Url};
use scheduled_thread_pool::{OnPoolDropBehavior, ScheduledThreadPool};
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::bucket::Bucket;
use crate::cache::BytecodeCache;
use crate::checksum::Checksum;
use crate::error::{Error, Result};
use crate::stats::{CacheStats, Counters, Verdict};

/// The key prefix Jinja2 uses: an entry is stored under `prefix + bucket.key`.
pub const DEFAULT_PREFIX: &str = "jinja2/bytecode/";

/// The error a [`MemcachedClient`] returns.
type ClientError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// memcached's limit on key length.
const MAX_KEY_LEN: usize = 250;
/// How long a URL's server may take to accept a connection, unless its `?connect_timeout=` says.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(250);
/// The socket read and write timeout, unless the URL's own `?timeout=` says (in seconds).
const DEFAULT_IO_TIMEOUT: Duration = Duration::from_secs(1);
/// How long a server that refused a connection or timed out is skipped.
const SKIP_FOR: Duration = Duration::from_secs(1);
/// Connections per server: the most requests one server serves at once from this process.
const LANES_PER_SERVER: usize = 8;
/// The name of each server's connecting thread (Linux keeps 15 bytes of a thread's name).
const CONNECT_THREAD_NAME: &str = "bccache-connect";

/// The memcached client a [`MemcachedBytecodeCache`] talks to: Jinja2's minimal interface.
///
/// Implemented for [`memcache::Client`] (used as given, with its own pool and timeouts), and for
/// `&T`, `Box<T>` and `Arc<T>` of any client. Implement it to plug in another client; the cache
/// adds the prefix, encodes and decodes, and applies
/// [`ignore_memcache_errors`](MemcachedBytecodeCacheBuilder::ignore_memcache_errors) to every
/// error returned here.
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Mutex;
/// use bccache::{MemcachedBytecodeCache, MemcachedClient};
///
/// /// A stand-in for memcached that never expires anything.
/// #[derive(Default)]
/// struct InProcess(Mutex<HashMap<String, Vec<u8>>>);
///
/// type ClientResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;
///
/// impl MemcachedClient for InProcess {
///     fn get(&self, key: &str) -> ClientResult<Option<Vec<u8>>> {
///         Ok(self.0.lock().map_err(|e| e.to_string())?.get(key).cloned())
///     }
///     fn set(&self, key: &str, value: &[u8], _timeout: Option<u32>) -> ClientResult<()> {
///         self.0.lock().map_err(|e| e.to_string())?.insert(key.to_owned(), value.to_vec());
///         Ok(())
///     }
/// }
///
/// let cache = MemcachedBytecodeCache::new(InProcess::default());
/// assert_eq!(cache.prefix(), "jinja2/bytecode/");
/// ```
pub trait MemcachedClient: Send + Sync {
    /// The value stored under `key`, or `None` when there is none.
    fn get(&self, key: &str) -> std::result::Result<Option<Vec<u8>>, ClientError>;

    /// Stores `value` under `key`, expiring after `timeout` seconds when given (never when
    /// `None`).
    fn set(
        &self,
        key: &str,
        value: &[u8],
        timeout: Option<u32>,
    ) -> std::result::Result<(), ClientError>;
}

impl MemcachedClient for memcache::Client {
    fn get(&self, key: &str) -> std::result::Result<Option<Vec<u8>>, ClientError> {
        Ok(memcache::Client::get::<Vec<u8>>(self, key)?)
    }

    fn set(
        &self,
        key: &str,
        value: &[u8],
        timeout: Option<u32>,
    ) -> std::result::Result<(), ClientError> {
        // memcached reads an expiration of 0 as "never".
        Ok(memcache::Client::set(
            self,
            key,
            value,
            timeout.unwrap_or(0),
        )?)
    }
}

macro_rules! forward_memcached_client {
    ($($wrapper:ty),*) => {$(
        impl<T: MemcachedClient + ?Sized> MemcachedClient for $wrapper {
            fn get(&self, key: &str) -> std::result::Result<Option<Vec<u8>>, ClientError> {
                (**self).get(key)
            }
            fn set(
                &self,
                key: &str,
                value: &[u8],
                timeout: Option<u32>,
            ) -> std::result::Result<(), ClientError> {
                (**self).set(key, value, timeout)
            }
        }
    )*};
}

forward_memcached_client!(&T, Box<T>, Arc<T>);

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
        MemcachedBytecodeCacheBuilder {
            servers: Vec::new(),
            client: None,
            prefix: DEFAULT_PREFIX.to_owned(),
            timeout: None,
            ignore_memcache_errors: true,
            checksum: Checksum::Sha1,
        }
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
                    let names = servers.iter().map(|s| s.name.clone()).collect();
                    let cluster = Cluster {
                        servers: servers.into_boxed_slice(),
                    };
                    (Box::new(cluster), names)
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

/// The servers given by URL; each key lives on one of them.
struct Cluster {
    servers: Box<[Server]>,
}

impl Cluster {
    /// Rendezvous hashing: the server whose seeded hash of the key is highest.
    fn server_for(&self, key: &str) -> &Server {
        let mut best = &self.servers[0];
        if self.servers.len() > 1 {
            let mut best_score = 0;
            for server in self.servers.iter() {
                let score = xxh3_64_with_seed(key.as_bytes(), server.seed);
                if score >= best_score {
                    best = server;
                    best_score = score;
                }
            }
        }
        best
    }
}

impl MemcachedClient for Cluster {
    fn get(&self, key: &str) -> std::result::Result<Option<Vec<u8>>, ClientError> {
        Ok(self
            .server_for(key)
            .run(|client| client.get::<Vec<u8>>(key))?)
    }

    fn set(
        &self,
        key: &str,
        value: &[u8],
        timeout: Option<u32>,
    ) -> std::result::Result<(), ClientError> {
        Ok(self
            .server_for(key)
            .run(|client| client.set(key, value, timeout.unwrap_or(0)))?)
    }
}

/// One memcached server: its tuned URL, and connections opened as concurrent requests need them.
struct Server {
    /// The URL as given, password masked: names the server in errors.
    name: String,
    /// The URL the connections use: the given one with the default timeout and port filled in.
    url: Url,
    /// Seeds this server's hash of keys in the cluster: a hash of where it listens (host and
    /// port, or socket path), so that spelling its URL differently does not move its keys.
    seed: u64,
    connect_timeout: Duration,
    io_timeout: Duration,
    /// The `memcache` crate applies `?timeout=` to TCP only; a unix socket gets it set by hand.
    is_unix: bool,
    /// Each lane owns one connection (a client with a pool of one), used by one request at a
    /// time, so a broken connection can be dropped before anyone else can take it.
    lanes: Box<[Mutex<Option<memcache::Client>>]>,
    next_lane: AtomicUsize,
    /// The one thread that opens connections for all lanes, started on first use. Without it
    /// r2d2 starts three threads for every lane's pool, and again for every pool rebuilt.
    connector: OnceLock<Arc<ScheduledThreadPool>>,
    /// Start of this server's clock for `skip_until_ms`.
    epoch: Instant,
    /// While this server's clock is below it, the server is skipped.
    skip_until_ms: AtomicU64,
}

impl Server {
    fn new(given: &str) -> Result<Self> {
        let invalid = |reason: &str| Error::InvalidServer {
            url: given.to_owned(),
            reason: reason.to_owned(),
        };
        let mut url = Url::parse(given).map_err(|e| invalid(&e.to_string()))?;
        let name = masked(&url);
        let invalid = |reason: &str| Error::InvalidServer {
            url: name.clone(),
            reason: reason.to_owned(),
        };
        match url.scheme() {
            "memcache" | "memcache+tcp" | "memcache+unix" => {}
            "memcache+udp" => return Err(invalid("UDP is not supported; use TCP")),
            "memcache+tls" => {
                return Err(invalid(
                    "TLS is not supported (the `memcache` crate is built without it)",
                ));
            }
            _ => return Err(invalid("the scheme must be `memcache`")),
        }
        let query = |name: &str| {
            url.query_pairs()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned())
        };
        if query("udp").as_deref() == Some("true") {
            return Err(invalid("UDP is not supported; use TCP"));
        }
        let seconds = |name: &str| -> Result<Option<Duration>> {
            query(name)
                .map(|value| {
                    value
                        .parse::<f64>()
                        .ok()
                        .filter(|secs| (0.001..1e9).contains(secs))
                        .map(Duration::from_secs_f64)
                        .ok_or_else(|| {
                            invalid(&format!(
                                "`{name}={value}` is not a positive number of seconds"
                            ))
                        })
                })
                .transpose()
        };
        let connect_timeout = seconds("connect_timeout")?.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        let io_timeout = match seconds("timeout")? {
            Some(timeout) => timeout,
            None => {
                let secs = DEFAULT_IO_TIMEOUT.as_secs_f64().to_string();
                url.query_pairs_mut().append_pair("timeout", &secs);
                DEFAULT_IO_TIMEOUT
            }
        };
        // The `memcache` crate's rule: `memcache+unix`, or plain `memcache` with no host and no
        // port, is a unix socket; `memcache+tcp` is always TCP.
        let is_unix = url.scheme() == "memcache+unix"
            || (url.scheme() == "memcache" && url.host().is_none() && url.port().is_none());
        let address = if is_unix {
            if url.path().is_empty() || url.path() == "/" {
                return Err(invalid("a unix socket URL needs a path"));
            }
            url.path().to_owned()
        } else {
            let Some(host) = url.host_str().filter(|host| !host.is_empty()) else {
                return Err(invalid("no host"));
            };
            let host = host.to_ascii_lowercase();
            if url.port().is_none() && url.set_port(Some(11211)).is_err() {
                return Err(invalid("cannot add the default port 11211"));
            }
            format!("{host}:{}", url.port().unwrap_or(11211))
        };
        Ok(Server {
            seed: xxh3_64(address.as_bytes()),
            name,
            url,
            connect_timeout,
            io_timeout,
            is_unix,
            lanes: (0..LANES_PER_SERVER).map(|_| Mutex::new(None)).collect(),
            next_lane: AtomicUsize::new(0),
            connector: OnceLock::new(),
            epoch: Instant::now(),
            skip_until_ms: AtomicU64::new(0),
        })
    }

    /// Runs one request on a connection of this server, dropping the connection after any
    /// failure that may have left a reply unread, and skipping the server for a while after it
    /// refused a connection or timed out.
    fn run<T>(
        &self,
        request: impl FnOnce(&memcache::Client) -> std::result::Result<T, MemcacheError>,
    ) -> std::result::Result<T, ServerError> {
        let now_ms = self.now_ms();
        let skip_until_ms = self.skip_until_ms.load(Ordering::Relaxed);
        if now_ms < skip_until_ms {
            return Err(self.error(Failure::Skipped {
                for_ms: skip_until_ms - now_ms,
            }));
        }
        let mut lane = self.lane();
        let client = match &mut *lane {
            Some(client) => client,
            empty => match self.new_client() {
                Ok(client) => empty.insert(client),
                Err(error) => return Err(self.failed(empty, error)),
            },
        };
        request(client).map_err(|error| self.failed(&mut lane, error))
    }

    /// Drops the lane's connection and skips the server as the error calls for.
    fn failed(&self, lane: &mut Option<memcache::Client>, error: MemcacheError) -> ServerError {
        match After::of(&error) {
            After::Keep => {}
            After::Drop => *lane = None,
            After::DropAndSkip => {
                *lane = None;
                let until = self.now_ms().saturating_add(SKIP_FOR.as_millis() as u64);
                self.skip_until_ms.fetch_max(until, Ordering::Relaxed);
            }
        }
        self.error(Failure::Memcache(error))
    }

    fn now_ms(&self) -> u64 {
        // Clamped at u64::MAX milliseconds, half a billion years.
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A free lane, or, when all are busy, one to wait for.
    fn lane(&self) -> MutexGuard<'_, Option<memcache::Client>> {
        for lane in self.lanes.iter() {
            match lane.try_lock() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(poisoned)) => {
                    return recover(lane, poisoned.into_inner());
                }
                Err(TryLockError::WouldBlock) => {}
            }
        }
        let lane = &self.lanes[self.next_lane.fetch_add(1, Ordering::Relaxed) % self.lanes.len()];
        match lane.lock() {
            Ok(guard) => guard,
            Err(poisoned) => recover(lane, poisoned.into_inner()),
        }
    }

    /// A client of one connection, opened on first use: no eager connect, no check-out ping.
    fn new_client(&self) -> std::result::Result<memcache::Client, MemcacheError> {
        let connector = self.connector.get_or_init(|| {
            Arc::new(
                ScheduledThreadPool::builder()
                    .num_threads(1)
                    .thread_name_pattern(CONNECT_THREAD_NAME)
                    // A connect still scheduled when the cache is dropped is for nobody.
                    .on_drop_behavior(OnPoolDropBehavior::DiscardPendingScheduled)
                    .build(),
            )
        });
        let pool = r2d2::Pool::builder()
            .max_size(1)
            .min_idle(Some(0))
            .test_on_check_out(false)
            // No reaper: a task repeating on the shared thread for as long as the client lives.
            // A connection the server closed fails once and is replaced.
            .max_lifetime(None)
            .idle_timeout(None)
            .connection_timeout(self.connect_timeout)
            .error_handler(Box::new(r2d2::NopErrorHandler))
            .thread_pool(Arc::clone(connector))
            .build_unchecked(ConnectionManager::new(self.url.clone()));
        let client = memcache::Client::with_pool(pool)?;
        if self.is_unix {
            // Opens the lane's one connection (this is its first use) and sets its timeouts.
            client.set_read_timeout(Some(self.io_timeout))?;
            client.set_write_timeout(Some(self.io_timeout))?;
        }
        Ok(client)
    }

    fn error(&self, failure: Failure) -> ServerError {
        ServerError {
            server: self.name.clone(),
            failure,
        }
    }
}

/// A lane whose last user panicked mid-request may hold a connection with a reply unread.
fn recover<'a>(
    lane: &'a Mutex<Option<memcache::Client>>,
    mut guard: MutexGuard<'a, Option<memcache::Client>>,
) -> MutexGuard<'a, Option<memcache::Client>> {
    *guard = None;
    lane.clear_poison();
    guard
}

/// What to do with a lane's client after a failed request.
enum After {
    /// The reply was read in full: the connection is in step.
    Keep,
    /// A reply may be unread, partly read or garbled: never use the connection again.
    Drop,
    /// The server refused a connection or did not answer in time: drop the client, and skip the
    /// server for a while. Dropping also stops the client's pool from retrying the connect in
    /// the background (every `connect_timeout / 2`) while the server is skipped; the next
    /// client, built when the skip ends, costs no new thread.
    DropAndSkip,
}

impl After {
    fn of(error: &MemcacheError) -> Self {
        match error {
            // Command errors (e.g. value too large) are complete replies; a key too long never
            // left.
            MemcacheError::CommandError(_) => After::Keep,
            MemcacheError::ClientError(memcache::ClientError::KeyTooLong) => After::Keep,
            // The pool could not open a connection within the connect timeout.
            MemcacheError::PoolError(_) => After::DropAndSkip,
            MemcacheError::IOError(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                After::DropAndSkip
            }
            _ => After::Drop,
        }
    }
}

/// Why a request to one server failed.
#[derive(Debug)]
enum Failure {
    Skipped { for_ms: u64 },
    Memcache(MemcacheError),
}

/// A failed request, naming the server.
#[derive(Debug)]
struct ServerError {
    server: String,
    failure: Failure,
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.failure {
            Failure::Skipped { for_ms } => write!(
                f,
                "server `{}` skipped for another {for_ms} ms after it refused a connection or timed out",
                self.server
            ),
            Failure::Memcache(_) => write!(f, "server `{}`", self.server),
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.failure {
            Failure::Skipped { .. } => None,
            Failure::Memcache(error) => Some(error),
        }
    }
}

/// The URL with its password masked, to name a server in errors and logs.
fn masked(url: &Url) -> String {
    if url.password().is_some() {
        let mut url = url.clone();
        if url.set_password(Some("***")).is_ok() {
            return url.to_string();
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_url_gets_default_timeout_and_port() -> Result<()> {
        let server = Server::new("memcache://127.0.0.1")?;
        assert_eq!(server.url.port(), Some(11211));
        assert!(
            server
                .url
                .query_pairs()
                .any(|(k, v)| k == "timeout" && v == "1")
        );
        assert_eq!(server.connect_timeout, DEFAULT_CONNECT_TIMEOUT);
        Ok(())
    }

    #[test]
    fn url_timeouts_win() -> Result<()> {
        let server = Server::new("memcache://127.0.0.1:1?timeout=0.2&connect_timeout=0.1")?;
        let timeouts: Vec<_> = server
            .url
            .query_pairs()
            .filter(|(k, _)| k == "timeout")
            .collect();
        assert_eq!(timeouts.len(), 1);
        assert_eq!(timeouts[0].1, "0.2");
        assert_eq!(server.connect_timeout, Duration::from_millis(100));
        Ok(())
    }

    #[test]
    fn url_without_host_or_port_is_a_unix_socket() -> Result<()> {
        let server = Server::new("memcache:///run/memcached/memcached.sock")?;
        assert_eq!(server.url.port(), None);
        assert!(server.is_unix);
        assert!(Server::new("memcache+unix:///run/memcached/memcached.sock")?.is_unix);
        assert!(matches!(
            Server::new("memcache://"),
            Err(Error::InvalidServer { .. })
        ));
        Ok(())
    }

    #[test]
    fn tcp_url_without_a_host_is_refused_not_read_as_a_socket() {
        // The `memcache` crate connects `memcache+tcp` over TCP whatever the URL holds.
        match Server::new("memcache+tcp:///run/memcached/memcached.sock") {
            Err(Error::InvalidServer { reason, .. }) => assert_eq!(reason, "no host"),
            Err(other) => panic!("unexpected error {other}"),
            Ok(_) => panic!("a TCP URL without a host was accepted"),
        }
    }

    /// This process's threads whose name starts with `name`, once there are `expected` of them
    /// or after 1 s: a new thread names itself a moment after it starts, an ending one is gone
    /// a moment after it is told to end.
    #[cfg(target_os = "linux")]
    fn threads_named(name: &str, expected: usize) -> usize {
        let count = || {
            std::fs::read_dir("/proc/self/task")
                .into_iter()
                .flatten()
                .flatten()
                .filter(|task| {
                    std::fs::read_to_string(task.path().join("comm"))
                        .is_ok_and(|comm| comm.starts_with(name))
                })
                .count()
        };
        for _ in 0..100 {
            if count() == expected {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        count()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn every_lane_of_a_server_connects_on_one_thread_started_on_first_use()
    -> std::result::Result<(), Box<dyn std::error::Error>> {
        // The only test here that starts threads to connect, so the counts are this test's.
        let connect_threads = |expected| threads_named(CONNECT_THREAD_NAME, expected);
        // r2d2's own, which it starts for a pool given no thread pool.
        let r2d2_threads = || threads_named("r2d2-worker-", 0);
        let server = Server::new("memcache://127.0.0.1:1")?;
        assert_eq!(connect_threads(0), 0, "built with a thread");
        let clients = (0..2 * LANES_PER_SERVER)
            .map(|_| server.new_client())
            .collect::<std::result::Result<Vec<_>, _>>()?;
        assert_eq!(connect_threads(1), 1);
        assert_eq!(r2d2_threads(), 0);
        // Clients rebuilt after errors share it too.
        drop(clients);
        let again = server.new_client()?;
        assert_eq!(connect_threads(1), 1);
        assert_eq!(r2d2_threads(), 0);
        drop(again);
        drop(server);
        assert_eq!(connect_threads(0), 0, "the thread outlived its server");
        Ok(())
    }

    #[test]
    fn password_is_masked_in_names() -> Result<()> {
        let server = Server::new("memcache://user:secret@127.0.0.1:1")?;
        assert!(!server.name.contains("secret"), "{}", server.name);
        Ok(())
    }

    #[test]
    fn bad_urls_are_refused_with_the_url() {
        for url in [
            "127.0.0.1:11211",
            "http://127.0.0.1:11211",
            "memcache+udp://127.0.0.1:11211",
            "memcache://127.0.0.1:11211?timeout=abc",
            "memcache://127.0.0.1:11211?timeout=0",
            "memcache://127.0.0.1:11211?udp=true",
        ] {
            match Server::new(url) {
                Err(Error::InvalidServer { url: named, .. }) => {
                    assert!(
                        url.starts_with(named.trim_end_matches('/')) || named.contains("127.0.0.1"),
                        "{named}"
                    )
                }
                Err(other) => panic!("{url}: unexpected error {other}"),
                Ok(_) => panic!("{url} was accepted"),
            }
        }
    }

    /// The index in `cluster` of the server that holds `key`.
    fn home(cluster: &Cluster, key: &str) -> Option<usize> {
        let chosen = cluster.server_for(key);
        cluster.servers.iter().position(|s| std::ptr::eq(s, chosen))
    }

    fn cluster(urls: &[&str]) -> Result<Cluster> {
        Ok(Cluster {
            servers: urls.iter().map(|u| Server::new(u)).collect::<Result<_>>()?,
        })
    }

    #[test]
    fn placement_follows_where_a_server_listens_not_how_its_url_is_spelled() -> Result<()> {
        let plain = cluster(&[
            "memcache://a",
            "memcache://b:11211",
            "memcache:///run/c.sock",
        ])?;
        let spelled = cluster(&[
            "memcache://A:11211?timeout=0.5",
            "memcache+tcp://user:secret@b?protocol=ascii&connect_timeout=2",
            "memcache+unix:///run/c.sock?timeout=2",
        ])?;
        for i in 0..200 {
            let key = format!("jinja2/bytecode/{i:040}");
            assert_eq!(home(&plain, &key), home(&spelled, &key), "{key}");
        }
        // Another port is another server.
        let other_port = Server::new("memcache://a:11212")?;
        assert_ne!(other_port.seed, plain.servers[0].seed);
        Ok(())
    }

    #[test]
    fn rendezvous_hashing_ignores_server_order() -> Result<()> {
        let urls = ["memcache://a:1", "memcache://b:1", "memcache://c:1"];
        let forward = cluster(&urls)?;
        let backward = cluster(&[urls[2], urls[1], urls[0]])?;
        for i in 0..200 {
            let key = format!("jinja2/bytecode/{i:040}");
            assert_eq!(
                forward.server_for(&key).name,
                backward.server_for(&key).name
            );
        }
        Ok(())
    }
}
