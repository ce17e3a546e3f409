//! The store: [`MemcachedBytecodeCache`], its settings and its trait methods.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::MAX_KEY_LEN;
use super::backend::Backend;
use super::builder::MemcachedBytecodeCacheBuilder;
use super::chunk::{TooLarge, chunk_key, is_value_too_large};
use super::client::{ClientError, MemcachedClient};
use super::server::Loaded;
use crate::bucket::Bucket;
use crate::cache::BytecodeCache;
use crate::checksum::Checksum;
use crate::error::{Error, Result};
use crate::lease::Lease;
use crate::net::exchange::{Blocking, Transport, now};
use crate::net::shell::{Settings, Shell, shared_accessors};
use crate::stats::{CacheStats, Verdict};

#[cfg(doc)]
use crate::cache::DEFAULT_PREFIX;

/// How many keys' "value too large" warnings are remembered, so each is logged at `warn` once.
const MAX_WARNED_KEYS: usize = 4096;

/// Stores each bucket in memcached, Jinja2's `MemcachedBytecodeCache`.
///
/// An entry is stored under `prefix + bucket.key` (prefix [`DEFAULT_PREFIX`] unless set), and
/// its value is exactly [`Bucket::bytecode_to_string`]. A timeout, when set, is sent with every
/// store; without one entries live until memcached evicts them.
///
/// With `ignore_memcache_errors` on (the default, as in Jinja2), an error on get is a miss and
/// an error on set is dropped (logged at `debug` level through `tracing`): the cache never stops
/// templates from loading. With it off, both come back as [`Error::Memcached`].
///
/// # Entries larger than an item
///
/// memcached refuses items over its item size (`-I`, 1 MiB by default), and compiled code can
/// be megabytes (a serialized Wasm module). An entry over
/// [`max_item_size`](MemcachedBytecodeCacheBuilder::max_item_size) (default 1 MiB less 1 KiB)
/// is stored in chunks, each under its own key (`prefix + key + "/" + n`), and then a small head
/// under the entry's own key naming how many chunks and how long the entry is. Each chunk
/// carries the entry's integrity trailer as the mark of the write it belongs to and its own
/// index, so a chunk of an older or concurrent write, or a chunk returned under another chunk's
/// key, is refused; a load fetches the chunks a few at a time with multi-gets, checks each as
/// it arrives, and checks the whole entry by its trailer, as any other. A head must name
/// exactly the chunks its entry length fills at this store's item size (processes sharing
/// entries use one `max_item_size`), so a planted head costs one round trip, not thousands. A
/// missing, foreign or corrupt chunk is a miss, and the next dump stores the entry again. In a
/// cluster of servers given by URL, the chunks live on their entry's server, so a server down
/// costs only its own entries.
///
/// A value the server still refuses (a server started with an `-I` below `max_item_size`) is
/// never a silent miss: with errors returned it is an [`Error::Memcached`] whose source names
/// the size, `max_item_size` and `-I`; with errors ignored it is logged at `warn` the first time
/// for each key (then at `debug`).
///
/// # Batch loads
///
/// [`get_buckets`](BytecodeCache::get_buckets) asks each server for its share of the batch in
/// multi-gets sized for replies of about 1 MiB (4 to 128 keys each), then for the chunks of the
/// chunked entries found; every value passes the checks of a single load. A server that fails
/// costs only its own keys: with errors ignored they are misses and the others still hit; with
/// errors returned, every bucket that could be filled is, and the first error comes back. A
/// client given with [`.client(c)`](MemcachedBytecodeCacheBuilder::client) answers the whole
/// batch with [`MemcachedClient::get_multi`].
///
/// # Servers given by URL
///
/// [`.server(url)`](MemcachedBytecodeCacheBuilder::server) takes a `memcache://host:port` URL
/// (port 11211 when left out), `memcache+tcp://...` or `memcache:///path/to/socket`. The store
/// talks to it with a client of its own, in memcached's text protocol, tuned for a cache that
/// must not slow its application down, and for replies that may come from anyone on the
/// network:
///
/// - connect timeout 250 ms (`?connect_timeout=<seconds>` overrides it); a whole reply must
///   come within the I/O timeout of 1 s (`?timeout=<seconds>` overrides it); TCP_NODELAY on;
/// - every reply is parsed by this crate, bounded by the item size: a value announcing more
///   than [`max_item_size`](MemcachedBytecodeCacheBuilder::max_item_size) (a huge, negative or
///   overflowing length), a value longer or shorter than announced, a value under another key,
///   an endless line, garbage, an error reply or silence is an error (a miss when errors are
///   ignored) within the I/O timeout, never a panic, a hang, a huge allocation or a hit;
/// - nothing is contacted by [`build`](MemcachedBytecodeCacheBuilder::build): a server is
///   connected on first use, so a cache never stops an application from starting;
/// - a connection that saw an I/O error, a timeout or a garbled reply is closed and never
///   reused (a late reply on it would otherwise answer the next request for another key); a
///   kept-open connection the server closed (a restart, memcached's `idle_timeout`) is replaced
///   and the request sent again once;
/// - a server that refused a connection or timed out is skipped, each of its keys a miss (or an
///   error), for one second before it is tried again: a dead server costs one timeout per
///   second, not one per key;
/// - up to 8 connections per server, opened as concurrent requests need them and kept open.
///
/// The binary protocol and SASL authentication are not spoken by this client: a URL asking for
/// them is refused by `build`; hand a client that speaks them to
/// [`.client(c)`](MemcachedBytecodeCacheBuilder::client).
///
/// Several `.server()` calls make a cluster: each key lives on one server, chosen by hashing the
/// key (rendezvous hashing, so the order of the URLs does not matter and adding or removing a
/// server moves only that server's share of the keys). Keys of a server that is down are misses
/// while the others keep hitting.
///
/// # Async and leases
///
/// With the `tokio` feature the store is also an `AsyncBytecodeCache`
/// doing the same on tokio's non-blocking sockets: the same reply bounds, connections limit,
/// skip clock, multi-gets, chunks and counters. A client handed in with
/// [`.client(c)`](MemcachedBytecodeCacheBuilder::client) blocks, so on tokio its calls run on
/// the blocking pool.
///
/// [`lease`](BytecodeCache::lease) (single flight) adds `{prefix}{key}.lease` holding a random
/// token, expiring after the lease's ttl rounded up to whole seconds; the guard deletes it if
/// it still holds the token (a read, then a delete: a holder that overran its lease can, in
/// that window, delete the next holder's, and the loader after compiles once more). A store on
/// a client handed in has no leases.
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
    pub(super) backend: Backend,
    pub(super) shell: Shell,
    pub(super) max_item_size: usize,
    /// Keys whose refused set was logged at `warn` (later ones go to `debug`).
    warned: Mutex<HashSet<String>>,
}

impl MemcachedBytecodeCache {
    /// The longest prefix: with a 40-character key it keeps keys within memcached's 250 bytes.
    pub const MAX_PREFIX_LEN: usize = 210;

    /// The longest timeout in seconds (30 days); memcached reads larger values as a date.
    pub const MAX_TIMEOUT: u32 = 2_592_000;

    /// The default largest value stored as one item: 1 MiB (memcached's default `-I`) less
    /// 1 KiB for memcached's own item header and the key (309 bytes with a 250-byte key on
    /// memcached 1.6). Larger entries are stored in chunks of at most this size.
    pub const DEFAULT_MAX_ITEM_SIZE: usize = 1024 * 1024 - 1024;

    /// The smallest item size [`max_item_size`](MemcachedBytecodeCacheBuilder::max_item_size)
    /// takes (memcached's smallest `-I` is 1 KiB).
    pub const MIN_ITEM_SIZE: usize = 1024;

    /// The largest item size [`max_item_size`](MemcachedBytecodeCacheBuilder::max_item_size)
    /// takes (memcached's largest `-I` is 1 GiB).
    pub const MAX_ITEM_SIZE: usize = 1024 * 1024 * 1024;

    /// A cache on `client` with Jinja2's defaults: prefix [`DEFAULT_PREFIX`], no timeout,
    /// memcached errors ignored. The client is used as given (see [`MemcachedClient`] for
    /// what `memcache::Client` does with a hostile reply).
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
        MemcachedBytecodeCache::with_backend(
            Backend::Client(Arc::new(client)),
            Settings::default().shell(Vec::new()),
            Self::DEFAULT_MAX_ITEM_SIZE,
        )
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
        self.shell.checksum = checksum;
        self
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

    /// A cache on the one server at `url` with the defaults: `builder().server(url).build()`.
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

    shared_accessors!();

    /// Whether memcached errors are misses (get) and dropped (set) rather than returned.
    pub fn ignore_memcache_errors(&self) -> bool {
        self.shell.ignore_errors
    }

    /// The largest value stored as one memcached item; larger entries are stored in chunks.
    pub fn max_item_size(&self) -> usize {
        self.max_item_size
    }

    /// A store on `backend` with checked settings.
    pub(super) fn with_backend(backend: Backend, shell: Shell, max_item_size: usize) -> Self {
        MemcachedBytecodeCache {
            backend,
            shell,
            max_item_size,
            warned: Mutex::new(HashSet::new()),
        }
    }

    /// The full memcached key of a bucket, checked the way memcached checks keys; a key
    /// memcached would refuse comes back with the reason, for the error to name it.
    pub(super) fn memcached_key(
        &self,
        bucket_key: &str,
    ) -> std::result::Result<String, (String, InvalidKey)> {
        let key = self.shell.key(bucket_key);
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

    /// Counts a failed memcached operation and applies the error policy to it.
    pub(super) fn failed(
        &self,
        operation: &'static str,
        key: String,
        source: ClientError,
    ) -> Result<()> {
        self.shell.counters.failed();
        self.policy(operation, key, source)
    }

    /// The error policy: an ignored error is logged (a refused set at `warn` the first time
    /// for its key, everything else at `debug`), else returned.
    pub(super) fn policy(
        &self,
        operation: &'static str,
        key: String,
        source: ClientError,
    ) -> Result<()> {
        let too_large = source.is::<TooLarge>();
        let loud = too_large && self.shell.ignore_errors && self.first_warning_for(&key);
        let error = Error::Memcached {
            operation,
            key,
            source,
        };
        crate::net::policy::apply(self.shell.ignore_errors, error, loud)
    }

    /// Whether this is the first refused set of `key` to be logged.
    fn first_warning_for(&self, key: &str) -> bool {
        let Ok(mut warned) = self.warned.lock() else {
            return true;
        };
        if warned.len() >= MAX_WARNED_KEYS && !warned.contains(key) {
            // Forget and warn afresh rather than grow without bound.
            warned.clear();
        }
        warned.insert(key.to_owned())
    }

    /// Stores `value` under `key`: one item, or chunks and then their head when it is over
    /// the item size. On failure, the key that failed and why.
    async fn store<T: Transport>(
        &self,
        transport: T,
        key: &str,
        value: &[u8],
    ) -> std::result::Result<(), (String, ClientError)> {
        if value.len() <= self.max_item_size {
            return self.set(transport, key, key, value).await;
        }
        let Some((head, chunks)) = super::chunk::split(value, self.max_item_size) else {
            let too_large = TooLarge {
                len: value.len(),
                max_item_size: self.max_item_size,
                refused: None,
            };
            return Err((key.to_owned(), Box::new(too_large)));
        };
        for (n, chunk) in (0..).zip(chunks) {
            self.set(transport, key, &chunk_key(key, n), &chunk).await?;
        }
        // The head last: until it lands, readers see the previous entry (its chunks now
        // foreign, so a miss) or none.
        self.set(transport, key, key, &head.encode()).await
    }

    /// One set, on the server of the `home` key; a value the server refused as too large comes
    /// back as [`TooLarge`], which names the limit and `-I`.
    async fn set<T: Transport>(
        &self,
        transport: T,
        home: &str,
        key: &str,
        value: &[u8],
    ) -> std::result::Result<(), (String, ClientError)> {
        self.backend
            .set(transport, home, key, value, self.shell.timeout)
            .await
            .map_err(|source| {
                let source: ClientError = if is_value_too_large(source.as_ref()) {
                    Box::new(TooLarge {
                        len: value.len(),
                        max_item_size: self.max_item_size,
                        refused: Some(source),
                    })
                } else {
                    source
                };
                (key.to_owned(), source)
            })
    }
}

impl fmt::Debug for MemcachedBytecodeCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemcachedBytecodeCache")
            .field("servers", &self.shell.servers)
            .field("prefix", &self.shell.prefix)
            .field("timeout", &self.shell.timeout)
            .field("ignore_memcache_errors", &self.shell.ignore_errors)
            .field("max_item_size", &self.max_item_size)
            .finish_non_exhaustive()
    }
}

impl MemcachedBytecodeCache {
    /// [`load_bytecode`](BytecodeCache::load_bytecode) on `transport`.
    pub(super) async fn load<T: Transport>(
        &self,
        transport: T,
        bucket: &mut Bucket<'_>,
    ) -> Result<()> {
        bucket.reset();
        let key = match self.memcached_key(&bucket.key) {
            Ok(key) => key,
            Err((key, invalid)) => return self.failed("get", key, Box::new(invalid)),
        };
        let found = self
            .backend
            .get_entry(transport, &key, bucket, self.max_item_size)
            .await;
        match found {
            Ok(Loaded::Head(head)) => self.load_chunks(transport, bucket, &key, &head).await,
            Ok(Loaded::Decoded { verdict, len }) => {
                self.shell.counters.loaded(verdict, len as u64);
                Ok(())
            }
            Ok(Loaded::Missing) => {
                self.shell.counters.loaded(Verdict::Missing, 0);
                Ok(())
            }
            Err(source) => self.failed("get", key, source),
        }
    }

    /// [`dump_bytecode`](BytecodeCache::dump_bytecode) on `transport`.
    pub(super) async fn dump<T: Transport>(&self, transport: T, bucket: &Bucket<'_>) -> Result<()> {
        let value = bucket.bytecode_to_string()?;
        let key = match self.memcached_key(&bucket.key) {
            Ok(key) => key,
            Err((key, invalid)) => return self.failed("set", key, Box::new(invalid)),
        };
        match self.store(transport, &key, &value).await {
            Ok(()) => {
                self.shell.counters.stored(value.len() as u64);
                Ok(())
            }
            Err((key, source)) => self.failed("set", key, source),
        }
    }

    /// Connections kept open to the servers given by URL now, by both transports.
    #[doc(hidden)]
    pub fn pooled_connections(&self) -> usize {
        match &self.backend {
            Backend::Servers(cluster) => cluster.pooled(),
            Backend::Client(_) => 0,
        }
    }
}

impl BytecodeCache for MemcachedBytecodeCache {
    fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
        now(self.load(Blocking, bucket))
    }

    fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
        now(self.dump(Blocking, bucket))
    }

    /// One multi-get per server for the whole batch (a client given as is: one
    /// [`get_multi`](MemcachedClient::get_multi)), then the chunks of the entries stored in
    /// chunks. Every value is checked as in a single load. A failed server costs only its own
    /// keys: with errors ignored they are misses and the others still hit; with errors
    /// returned, every bucket that could be filled is, and the first error comes back.
    fn load_bytecodes(&self, buckets: &mut [Bucket<'_>]) -> Result<()> {
        now(self.load_batch(Blocking, buckets))
    }

    fn get_source_checksum_bytes(&self, source: &[u8]) -> String {
        self.shell.checksum.of(source)
    }

    fn stats(&self) -> Option<CacheStats> {
        Some(self.shell.counters.snapshot())
    }

    /// Does nothing, as in Jinja2: memcached cannot list or delete keys by prefix, and
    /// `flush_all` would remove other users' data. Change the prefix to start afresh.
    fn clear(&self) -> Result<()> {
        Ok(())
    }

    /// `add {prefix}{key}.lease` with a random token, expiring after `ttl` rounded up to whole
    /// seconds; the guard deletes it if it still holds the token. A store on a client handed
    /// in has no leases.
    fn lease(&self, key: &str, ttl: Duration) -> Result<Lease> {
        now(self.take_lease(Blocking, key, ttl))
    }
}

/// A bucket key memcached cannot store.
#[derive(Debug)]
pub(super) struct InvalidKey(&'static str);

impl fmt::Display for InvalidKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid memcached key: {}", self.0)
    }
}

impl std::error::Error for InvalidKey {}
