//! The store: [`RedisBytecodeCache`], its settings and its trait methods.

use std::fmt;

use std::time::Duration;

use super::builder::RedisBytecodeCacheBuilder;
use super::route::Route;
use crate::bucket::{Bucket, Environment};
use crate::cache::BytecodeCache;
use crate::error::Result;
use crate::lease::Lease;
use crate::net::exchange::{Blocking, now};
use crate::net::shell::{Shell, shared_accessors};
use crate::stats::CacheStats;

#[cfg(doc)]
use crate::checksum::Checksum;

/// Stores each bucket in Redis, on one server, spread over several, or in a Redis Cluster.
///
/// An entry is stored under `prefix + bucket.key` (prefix [`DEFAULT_PREFIX`](crate::DEFAULT_PREFIX)
/// unless set) with `SET`, with `EX` when a [timeout](RedisBytecodeCacheBuilder::timeout) is
/// set, and its value is exactly [`Bucket::bytecode_to_string`]. The entry's header holds its
/// key, so a reply meant for another key is a miss, never another template's code.
///
/// With [`ignore_errors`](RedisBytecodeCacheBuilder::ignore_errors) on (the default), an error
/// on a load is a miss and an error on a store is dropped (logged at `debug` level through
/// `tracing`): the cache never stops templates from loading. With it off, both come back as
/// [`Error::Redis`].
///
/// # Servers
///
/// [`.server(url)`](RedisBytecodeCacheBuilder::server) takes
/// `redis://[user:password@]host[:port][/db]` (port 6379 when left out) or
/// `redis+unix:///path/to/socket?db=<n>&user=<name>&pass=<password>` (`unix://` and
/// `valkey://` too); a password logs in with `AUTH`, a database other than 0 is selected with
/// `SELECT`. TLS (`rediss://`) is not built in. Connections are tuned for a cache
/// that must not slow its application down:
///
/// - connect timeout 250 ms (`?connect_timeout=<seconds>` in the URL overrides it); a whole
///   reply must come within the I/O timeout of 1 s (`?timeout=<seconds>` overrides it);
///   TCP_NODELAY on;
/// - the store speaks RESP2 with a client of its own, and every reply is parsed by this crate,
///   bounded before anything is allocated for it: a line over 1 KiB, a value announcing more
///   than 512 MiB (Redis's own limit), an array of more items than asked for, a negative
///   length other than nil, a value longer or shorter than announced, garbage, an error reply
///   or silence is an error (a miss when errors are ignored) within the I/O timeout, never a
///   panic, a hang, a huge allocation or a hit; memory grows with the bytes received, not with
///   what a reply announces;
/// - nothing is contacted by [`build`](RedisBytecodeCacheBuilder::build): a server is connected
///   on first use, so a cache never stops an application from starting;
/// - up to 8 connections per server, opened as concurrent requests need them and kept open;
/// - a connection that saw an I/O error, a timeout or a garbled reply is closed and never
///   reused (a late reply on it would otherwise answer the next request); a kept-open
///   connection the server closed (a restart) is replaced and the request sent again once;
/// - a server that refused a connection or timed out is skipped, each of its keys a miss (or
///   an error), for one second: a dead server costs one timeout per second, not one per key;
/// - a hit sums the source (its [`Checksum`]) while the server answers the `GET`;
/// - with the `tokio` feature the store is also an
///   `AsyncBytecodeCache` doing the same on tokio's non-blocking
///   sockets, with the same connections limit, skip clock, batches and counters.
///
/// # Leases
///
/// [`lease`](BytecodeCache::lease) (single flight) sets `{prefix}{key}.lease` to a random
/// token with `SET .. NX PX <ttl>`; the guard deletes it only if it still holds the token, in
/// one `EVAL`, so a holder that overran its lease never deletes the next holder's.
///
/// Several `.server()` calls spread keys over standalone servers by hashing the key
/// (rendezvous hashing: the order of the URLs does not matter, and adding or removing a server
/// moves only that server's share of the keys). With
/// [`.cluster(true)`](RedisBytecodeCacheBuilder::cluster) the URLs are seed nodes of one Redis
/// Cluster instead: the cache learns which master serves each hash slot (`CLUSTER SLOTS`),
/// sends each key to its master, and follows `MOVED` and `ASK` while slots move. Keys of a
/// master that is down are misses while the others keep hitting (run the cluster with
/// `cluster-require-full-coverage no`, or the other masters refuse every key once one is down).
///
/// # Batches and `clear`
///
/// [`load_bytecodes`](BytecodeCache::load_bytecodes) (and so
/// [`get_buckets`](BytecodeCache::get_buckets)) asks each server for many keys per round trip:
/// an `MGET` (in a cluster, a pipeline of `MGET`s, one per hash slot) of up to 256 keys or
/// about 512 KiB of values, whichever is less. [`clear`](BytecodeCache::clear) removes the keys
/// that start with the prefix, and nothing else, with `SCAN MATCH` and `UNLINK` on every server
/// (every master of a cluster); it never runs `FLUSHDB`. An empty prefix clears the whole
/// database. `clear` reports a failing server whatever `ignore_errors` says, after trying all
/// of them.
///
/// ```
/// use bccache::{BytecodeCache, RedisBytecodeCache};
///
/// // Nothing is contacted here: a cache never stops an application from starting.
/// let cache = RedisBytecodeCache::builder()
///     .server("redis://127.0.0.1:6379")
///     .prefix("app/bytecode/")
///     .timeout(3600)
///     .build()?;
/// assert_eq!(cache.timeout(), Some(3600));
/// # Ok::<(), bccache::Error>(())
/// ```
pub struct RedisBytecodeCache {
    pub(super) route: Route,
    pub(super) shell: Shell,
}

impl RedisBytecodeCache {
    /// The longest prefix, in bytes.
    pub const MAX_PREFIX_LEN: usize = 1024;

    /// A builder: add `.server(url)` (repeat it for several servers or seed nodes), optionally
    /// `.cluster(true)`, the prefix, timeout and error policy, then
    /// [`build`](RedisBytecodeCacheBuilder::build).
    ///
    /// ```
    /// let cache = bccache::RedisBytecodeCache::builder()
    ///     .server("redis://10.0.0.1:6379")
    ///     .server("redis://10.0.0.2:6379")
    ///     .build()?;
    /// assert_eq!(cache.servers().len(), 2);
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn builder() -> RedisBytecodeCacheBuilder {
        RedisBytecodeCacheBuilder::new()
    }

    /// A cache on the one server at `url` with the defaults: `builder().server(url).build()`.
    /// The server is not contacted until first use.
    ///
    /// ```
    /// let cache = bccache::RedisBytecodeCache::connect("redis://127.0.0.1:6379")?;
    /// assert_eq!(cache.prefix(), bccache::DEFAULT_PREFIX);
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn connect(url: &str) -> Result<Self> {
        Self::builder().server(url).build()
    }

    shared_accessors!();

    /// Whether Redis errors are misses (load) and dropped (store) rather than returned.
    pub fn ignore_errors(&self) -> bool {
        self.shell.ignore_errors
    }

    /// Whether the servers are seed nodes of a Redis Cluster.
    pub fn is_cluster(&self) -> bool {
        matches!(self.route, Route::Cluster(_))
    }

    /// Connections kept open to the servers now, by both transports.
    #[doc(hidden)]
    pub fn pooled_connections(&self) -> usize {
        self.route.pooled()
    }
}

impl fmt::Debug for RedisBytecodeCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBytecodeCache")
            .field("servers", &self.shell.servers)
            .field("cluster", &self.is_cluster())
            .field("prefix", &self.shell.prefix)
            .field("timeout", &self.shell.timeout)
            .field("ignore_errors", &self.shell.ignore_errors)
            .finish_non_exhaustive()
    }
}

impl BytecodeCache for RedisBytecodeCache {
    fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
        now(self.load(Blocking, bucket))
    }

    /// [`load_bytecode`](Self::load_bytecode) of a new bucket, with the source's checksum
    /// summed while the server answers the `GET` (the key alone names the entry).
    fn get_bucket_bytes<'e>(
        &self,
        environment: &'e dyn Environment,
        name: &str,
        filename: Option<&str>,
        source: &[u8],
    ) -> Result<Bucket<'e>> {
        let key = self.get_cache_key(name, filename);
        now(self.load_summing(Blocking, environment, key, source))
    }

    fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
        now(self.dump(Blocking, bucket))
    }

    /// Many keys per round trip with `MGET` (per master in a cluster, one `MGET` per hash
    /// slot); every entry passes the same checks as a single load. With errors not ignored,
    /// the first failing server's error comes back after every other bucket was filled.
    fn load_bytecodes(&self, buckets: &mut [Bucket<'_>]) -> Result<()> {
        now(self.load_batch(Blocking, buckets))
    }

    fn get_source_checksum_bytes(&self, source: &[u8]) -> String {
        self.shell.checksum.of(source)
    }

    fn stats(&self) -> Option<CacheStats> {
        Some(self.shell.counters.snapshot())
    }

    /// Removes every key that starts with the prefix (`SCAN MATCH` + `UNLINK` on every server,
    /// every master of a cluster), and no other key; never `FLUSHDB`.
    fn clear(&self) -> Result<()> {
        now(self.clear_prefix(Blocking))
    }

    /// `SET {prefix}{key}.lease <token> NX PX <ttl ms>`; the guard deletes it only if it still
    /// holds the token (compare-and-delete in one `EVAL`).
    fn lease(&self, key: &str, ttl: Duration) -> Result<Lease> {
        now(self.take_lease(Blocking, key, ttl))
    }
}

/// `prefix` with Redis's glob characters escaped, for `SCAN MATCH`.
pub(super) fn glob_escape(prefix: &str) -> String {
    let mut escaped = String::with_capacity(prefix.len() + 4);
    for c in prefix.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\' | '^' | '-') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_characters_of_the_prefix_are_escaped() {
        assert_eq!(glob_escape("jinja2/bytecode/"), "jinja2/bytecode/");
        assert_eq!(glob_escape("a*b?c[d]e\\f"), "a\\*b\\?c\\[d\\]e\\\\f");
    }
}
