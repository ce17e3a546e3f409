//! The store: [`RedisBytecodeCache`], its settings and its trait methods.

use std::fmt;

use redis::Value;

use super::builder::RedisBytecodeCacheBuilder;
use super::cluster::slot_of;
use super::connection::{Failure, Server, ServerError};
use super::route::{Fetched, Route};
use crate::bucket::{Bucket, Environment};
use crate::cache::BytecodeCache;
use crate::error::{Error, Result};
use crate::net::shell::{Shell, shared_accessors};
use crate::stats::CacheStats;

#[cfg(doc)]
use crate::checksum::Checksum;

/// Keys asked for per `SCAN` step of [`clear`](BytecodeCache::clear).
const SCAN_COUNT: usize = 512;

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
/// `redis+unix:///path/to/socket` (`unix://` too), with the `redis` crate's options
/// (`?protocol=resp3`). TLS (`rediss://`) is not built in. Connections are tuned for a cache
/// that must not slow its application down:
///
/// - connect timeout 250 ms (`?connect_timeout=<seconds>` in the URL overrides it), socket read
///   and write timeout 1 s (`?timeout=<seconds>` overrides it), TCP_NODELAY on;
/// - nothing is contacted by [`build`](RedisBytecodeCacheBuilder::build): a server is connected
///   on first use, so a cache never stops an application from starting;
/// - up to 8 connections per server, opened as concurrent requests need them and kept open;
/// - a connection that saw an I/O error, a timeout or a garbled reply is closed and never
///   reused (a late reply on it would otherwise answer the next request); a kept-open
///   connection the server closed (a restart) is replaced and the request sent again once;
/// - a server that refused a connection or timed out is skipped, each of its keys a miss (or
///   an error), for one second: a dead server costs one timeout per second, not one per key;
/// - a hit sums the source (its [`Checksum`]) while the server answers the `GET`.
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

    /// Decodes what a `GET` found into the bucket, counting the verdict, or applies the error
    /// policy.
    fn loaded(
        &self,
        bucket: &mut Bucket<'_>,
        key: String,
        fetched: std::result::Result<Option<Vec<u8>>, ServerError>,
    ) -> Result<()> {
        match fetched {
            Ok(found) => {
                self.shell.loaded(bucket, found);
                Ok(())
            }
            Err(source) => self.failed("get", key, source),
        }
    }

    /// Counts a failed operation and applies the error policy to it.
    fn failed(&self, operation: &'static str, key: String, source: ServerError) -> Result<()> {
        self.shell.failed(Error::Redis {
            operation,
            key,
            source: Box::new(source),
        })
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
        bucket.reset();
        let key = self.shell.key(&bucket.key);
        let get = |connection: &mut redis::Connection| {
            redis::cmd("GET")
                .arg(&key)
                .query::<Option<Vec<u8>>>(connection)
        };
        let fetched = self.route.on_key(key.as_bytes(), get);
        self.loaded(bucket, key, fetched)
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
        let redis_key = self.shell.key(&key);
        let get = redis::cmd("GET").arg(&redis_key).get_packed_command();
        let mut checksum = None;
        let fetched = self.route.on_key(redis_key.as_bytes(), |connection| {
            connection.send_packed_command(&get)?;
            if checksum.is_none() {
                checksum = Some(self.shell.checksum.of(source));
            }
            match connection.recv_response()? {
                Value::ServerError(error) => Err(error.into()),
                value => redis::from_owned_redis_value::<Option<Vec<u8>>>(value),
            }
        });
        let checksum = checksum.unwrap_or_else(|| self.shell.checksum.of(source));
        let mut bucket = Bucket::new(environment, key, checksum);
        self.loaded(&mut bucket, redis_key, fetched)?;
        Ok(bucket)
    }

    fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
        let value = bucket.bytecode_to_string()?;
        let key = self.shell.key(&bucket.key);
        let mut set = redis::cmd("SET");
        set.arg(&key).arg(&value);
        if let Some(timeout) = self.shell.timeout {
            set.arg("EX").arg(timeout);
        }
        let set = |connection: &mut redis::Connection| set.query::<()>(connection);
        match self.route.on_key(key.as_bytes(), set) {
            Ok(()) => {
                self.shell.counters.stored(value.len() as u64);
                Ok(())
            }
            Err(source) => self.failed("set", key, source),
        }
    }

    /// Many keys per round trip with `MGET` (per master in a cluster, one `MGET` per hash
    /// slot); every entry passes the same checks as a single load. With errors not ignored,
    /// the first failing server's error comes back after every other bucket was filled.
    fn load_bytecodes(&self, buckets: &mut [Bucket<'_>]) -> Result<()> {
        let keys: Vec<String> = buckets
            .iter_mut()
            .map(|bucket| {
                bucket.reset();
                self.shell.key(&bucket.key)
            })
            .collect();
        let (fetched, errors) = self.route.mget(&keys);
        let mut first_failed = None;
        for ((bucket, key), fetched) in buckets.iter_mut().zip(&keys).zip(fetched) {
            match fetched {
                Fetched::Value(found) => self.shell.loaded(bucket, found),
                Fetched::Failed(error) => {
                    self.shell.counters.failed();
                    first_failed.get_or_insert((key, error));
                }
            }
        }
        match first_failed {
            None => Ok(()),
            Some((key, error)) => {
                let source = errors
                    .into_iter()
                    .nth(error)
                    .unwrap_or_else(|| ServerError {
                        server: self.shell.servers.join(", "),
                        failure: Failure::Unexpected("a server failed"),
                    });
                let error = Error::Redis {
                    operation: "mget",
                    key: key.clone(),
                    source: Box::new(source),
                };
                crate::net::policy::apply(self.shell.ignore_errors, error, false)
            }
        }
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
        let pattern = format!("{}*", glob_escape(&self.shell.prefix));
        let servers = match self.route.servers_to_clear() {
            Ok(servers) => servers,
            Err(source) => {
                self.shell.counters.failed();
                return Err(Error::Redis {
                    operation: "clear",
                    key: pattern,
                    source: Box::new(source),
                });
            }
        };
        let in_cluster = self.is_cluster();
        let mut first_error = None;
        for server in servers {
            if let Err(source) = clear_server(&server, &pattern, in_cluster) {
                self.shell.counters.failed();
                first_error.get_or_insert(source);
            }
        }
        match first_error {
            None => Ok(()),
            Some(source) => Err(Error::Redis {
                operation: "clear",
                key: pattern,
                source: Box::new(source),
            }),
        }
    }
}

/// `SCAN` the server for `pattern` and `UNLINK` what it finds, a batch at a time. In a
/// cluster, a node's keys are unlinked one slot per command (`UNLINK` of several slots fails).
fn clear_server(
    server: &Server,
    pattern: &str,
    in_cluster: bool,
) -> std::result::Result<(), ServerError> {
    let mut cursor = 0u64;
    loop {
        let (next, keys): (u64, Vec<Vec<u8>>) = server.run(|connection| {
            redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(pattern)
                .arg("COUNT")
                .arg(SCAN_COUNT)
                .query(connection)
        })?;
        if !keys.is_empty() {
            let mut unlink = redis::pipe();
            if in_cluster {
                let mut by_slot: Vec<(u16, &[u8])> = keys
                    .iter()
                    .map(|key| (slot_of(key), key.as_slice()))
                    .collect();
                by_slot.sort_unstable();
                for group in by_slot.chunk_by(|a, b| a.0 == b.0) {
                    let command = unlink.cmd("UNLINK").ignore();
                    for (_, key) in group {
                        command.arg(*key);
                    }
                }
            } else {
                unlink.cmd("UNLINK").arg(&keys).ignore();
            }
            server.run(|connection| unlink.query::<()>(connection))?;
        }
        if next == 0 {
            return Ok(());
        }
        cursor = next;
    }
}

/// `prefix` with Redis's glob characters escaped, for `SCAN MATCH`.
fn glob_escape(prefix: &str) -> String {
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
