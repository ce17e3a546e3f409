//! [`RedisBytecodeCache`]: buckets in Redis or Redis Cluster.

mod builder;
mod cluster;
mod connection;

use std::fmt;
use std::sync::Arc;

use redis::Value;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::bucket::{Bucket, Environment};
use crate::cache::BytecodeCache;
use crate::checksum::Checksum;
use crate::error::{Error, Result};
use crate::stats::{CacheStats, Counters, Verdict};

pub use builder::RedisBytecodeCacheBuilder;
use cluster::{Cluster, slot_of};
use connection::{Failure, Server, ServerError};

/// Bytes of values a batch asks one server for per round trip, about.
const WINDOW_BYTES: usize = 512 * 1024;
/// Keys of a batch's first round trip to a server, before value sizes are known.
const FIRST_WINDOW_KEYS: usize = 64;
/// Bounds on the keys of one round trip.
const MIN_WINDOW_KEYS: usize = 4;
const MAX_WINDOW_KEYS: usize = 256;
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
    route: Route,
    prefix: String,
    timeout: Option<u32>,
    ignore_errors: bool,
    servers: Vec<String>,
    checksum: Checksum,
    counters: Counters,
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

    /// The prefix of every key.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The expiry set with every store, in seconds (`SET .. EX`); `None` sets none.
    pub fn timeout(&self) -> Option<u32> {
        self.timeout
    }

    /// Whether Redis errors are misses (load) and dropped (store) rather than returned.
    pub fn ignore_errors(&self) -> bool {
        self.ignore_errors
    }

    /// The server URLs given to the builder, passwords masked.
    pub fn servers(&self) -> &[String] {
        &self.servers
    }

    /// Whether the servers are seed nodes of a Redis Cluster.
    pub fn is_cluster(&self) -> bool {
        matches!(self.route, Route::Cluster(_))
    }

    /// The algorithm sources are summed with.
    pub fn checksum_algorithm(&self) -> Checksum {
        self.checksum
    }

    fn redis_key(&self, bucket_key: &str) -> String {
        let mut key = String::with_capacity(self.prefix.len() + bucket_key.len());
        key.push_str(&self.prefix);
        key.push_str(bucket_key);
        key
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

    /// Applies the error policy to a failed operation.
    fn failed(&self, operation: &'static str, key: String, source: ServerError) -> Result<()> {
        self.counters.failed();
        let error = Error::Redis {
            operation,
            key,
            source: Box::new(source),
        };
        if self.ignore_errors {
            tracing::debug!(error = %DisplayChain(&error), "ignored redis error");
            Ok(())
        } else {
            Err(error)
        }
    }
}

impl fmt::Debug for RedisBytecodeCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBytecodeCache")
            .field("servers", &self.servers)
            .field("cluster", &self.is_cluster())
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("ignore_errors", &self.ignore_errors)
            .finish_non_exhaustive()
    }
}

impl BytecodeCache for RedisBytecodeCache {
    fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
        bucket.reset();
        let key = self.redis_key(&bucket.key);
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
        let redis_key = self.redis_key(&key);
        let get = redis::cmd("GET").arg(&redis_key).get_packed_command();
        let mut checksum = None;
        let fetched = self.route.on_key(redis_key.as_bytes(), |connection| {
            connection.send_packed_command(&get)?;
            if checksum.is_none() {
                checksum = Some(self.checksum.of(source));
            }
            match connection.recv_response()? {
                Value::ServerError(error) => Err(error.into()),
                value => redis::from_owned_redis_value::<Option<Vec<u8>>>(value),
            }
        });
        let checksum = checksum.unwrap_or_else(|| self.checksum.of(source));
        let mut bucket = Bucket::new(environment, key, checksum);
        self.loaded(&mut bucket, redis_key, fetched)?;
        Ok(bucket)
    }

    fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
        let value = bucket.bytecode_to_string()?;
        let key = self.redis_key(&bucket.key);
        let mut set = redis::cmd("SET");
        set.arg(&key).arg(&value);
        if let Some(timeout) = self.timeout {
            set.arg("EX").arg(timeout);
        }
        let set = |connection: &mut redis::Connection| set.query::<()>(connection);
        match self.route.on_key(key.as_bytes(), set) {
            Ok(()) => {
                self.counters.stored(value.len() as u64);
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
                self.redis_key(&bucket.key)
            })
            .collect();
        let (fetched, errors) = self.route.mget(&keys);
        let mut first_failed = None;
        for ((bucket, key), fetched) in buckets.iter_mut().zip(&keys).zip(fetched) {
            match fetched {
                Fetched::Value(Some(bytes)) => {
                    let len = bytes.len() as u64;
                    self.counters.loaded(bucket.decode_vec(bytes), len);
                }
                Fetched::Value(None) => self.counters.loaded(Verdict::Missing, 0),
                Fetched::Failed(error) => {
                    self.counters.failed();
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
                        server: self.servers.join(", "),
                        failure: Failure::Unexpected("a server failed"),
                    });
                let error = Error::Redis {
                    operation: "mget",
                    key: key.clone(),
                    source: Box::new(source),
                };
                if self.ignore_errors {
                    tracing::debug!(error = %DisplayChain(&error), "ignored redis error");
                    Ok(())
                } else {
                    Err(error)
                }
            }
        }
    }

    fn get_source_checksum_bytes(&self, source: &[u8]) -> String {
        self.checksum.of(source)
    }

    fn stats(&self) -> Option<CacheStats> {
        Some(self.counters.snapshot())
    }

    /// Removes every key that starts with the prefix (`SCAN MATCH` + `UNLINK` on every server,
    /// every master of a cluster), and no other key; never `FLUSHDB`.
    fn clear(&self) -> Result<()> {
        let pattern = format!("{}*", glob_escape(&self.prefix));
        let servers = match self.route.servers_to_clear() {
            Ok(servers) => servers,
            Err(source) => {
                self.counters.failed();
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
                self.counters.failed();
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

/// The values of an `MGET`, in the order of its keys; `None` for a key with no value.
type Values = Vec<Option<Vec<u8>>>;

/// A server's share of a batch: its keys as (hash slot in a cluster, index into the batch).
type ServerKeys = Vec<(Option<u16>, usize)>;

/// What a batch lookup found for one key.
enum Fetched {
    Value(Option<Vec<u8>>),
    /// The key's server failed: the index of its error.
    Failed(usize),
}

/// Where keys live.
enum Route {
    /// Standalone servers, each key on one of them by rendezvous hashing.
    Servers(Box<[Arc<Server>]>),
    /// One Redis Cluster.
    Cluster(Cluster),
}

impl Route {
    /// Rendezvous hashing: the server whose seeded hash of the key is highest.
    fn server_for(servers: &[Arc<Server>], key: &[u8]) -> usize {
        let mut best = 0;
        if servers.len() > 1 {
            let mut best_score = 0;
            for (index, server) in servers.iter().enumerate() {
                let score = xxh3_64_with_seed(key, server.seed);
                if score >= best_score {
                    best = index;
                    best_score = score;
                }
            }
        }
        best
    }

    /// Runs a request for `key` on the server that holds it.
    fn on_key<T>(
        &self,
        key: &[u8],
        request: impl FnMut(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> std::result::Result<T, ServerError> {
        match self {
            Route::Servers(servers) => servers[Route::server_for(servers, key)].run(request),
            Route::Cluster(cluster) => cluster.on_slot(slot_of(key), request),
        }
    }

    /// The values of many keys: per server, windows of keys each sent as one `MGET` (in a
    /// cluster, one pipeline of `MGET`s, one per slot) and answered in one round trip. A window
    /// is sized from the values seen so far to about [`WINDOW_BYTES`]: large replies piling up
    /// behind each other in one pipeline are slower than a few round trips.
    fn mget(&self, keys: &[String]) -> (Vec<Fetched>, Vec<ServerError>) {
        let mut fetched: Vec<Fetched> = keys.iter().map(|_| Fetched::Value(None)).collect();
        let mut errors = Vec::new();
        // Per server: its keys as (slot, index), sorted by slot in a cluster.
        let mut work: Vec<(Arc<Server>, ServerKeys)> = Vec::new();
        match self {
            Route::Servers(servers) => {
                let mut per_server: Vec<ServerKeys> = vec![Vec::new(); servers.len()];
                for (index, key) in keys.iter().enumerate() {
                    per_server[Route::server_for(servers, key.as_bytes())].push((None, index));
                }
                for (server, indices) in servers.iter().zip(per_server) {
                    if !indices.is_empty() {
                        work.push((Arc::clone(server), indices));
                    }
                }
            }
            Route::Cluster(cluster) => {
                let map = match cluster.slot_map() {
                    Ok(map) => map,
                    Err(error) => {
                        errors.push(error);
                        return (keys.iter().map(|_| Fetched::Failed(0)).collect(), errors);
                    }
                };
                let mut by_slot: Vec<(u16, usize)> = keys
                    .iter()
                    .enumerate()
                    .map(|(index, key)| (slot_of(key.as_bytes()), index))
                    .collect();
                by_slot.sort_unstable();
                for group in by_slot.chunk_by(|a, b| a.0 == b.0) {
                    let slot = group[0].0;
                    let Some(owner) = map.owner(slot) else {
                        // No node serves it in our map: asked on its own, which learns the map
                        // again.
                        let indices: Vec<usize> = group.iter().map(|&(_, index)| index).collect();
                        let values = mget_on_slot(cluster, slot, keys, &indices);
                        settle(&mut fetched, &mut errors, &indices, values);
                        continue;
                    };
                    let entries = group.iter().map(|&(slot, index)| (Some(slot), index));
                    match work
                        .iter_mut()
                        .find(|(server, _)| Arc::ptr_eq(server, owner))
                    {
                        Some((_, indices)) => indices.extend(entries),
                        None => work.push((Arc::clone(owner), entries.collect())),
                    }
                }
            }
        }
        for (server, entries) in work {
            let mut window_keys = FIRST_WINDOW_KEYS;
            let mut rest = &entries[..];
            while !rest.is_empty() {
                let (window, tail) = rest.split_at(window_keys.min(rest.len()));
                rest = tail;
                // One MGET per slot of the window (one in all for standalone servers).
                let groups: Vec<(Option<u16>, Vec<usize>)> = window
                    .chunk_by(|a, b| a.0 == b.0)
                    .map(|group| (group[0].0, group.iter().map(|&(_, index)| index).collect()))
                    .collect();
                let mut pipeline = redis::pipe();
                for (_, indices) in &groups {
                    let command = pipeline.cmd("MGET");
                    for &index in indices {
                        command.arg(&keys[index]);
                    }
                }
                let packed = pipeline.get_packed_pipeline();
                let replies = server.run(|connection| {
                    redis::ConnectionLike::req_packed_commands(connection, &packed, 0, groups.len())
                });
                let replies = match replies {
                    Ok(replies) if replies.len() == groups.len() => replies,
                    Ok(_) | Err(_) => {
                        let error = match replies {
                            Err(error) => error,
                            Ok(_) => server.error(Failure::Unexpected("a pipeline answered short")),
                        };
                        if let Route::Cluster(cluster) = self {
                            cluster.failed(&error);
                        }
                        // The server failed: the rest of its keys fail with it.
                        let at = errors.len();
                        errors.push(error);
                        for &(_, index) in window.iter().chain(rest) {
                            fetched[index] = Fetched::Failed(at);
                        }
                        break;
                    }
                };
                let mut bytes = 0;
                for ((slot, indices), reply) in groups.iter().zip(replies) {
                    match (reply, slot, self) {
                        (Value::ServerError(_), Some(slot), Route::Cluster(cluster)) => {
                            // A slot that moved (or is moving) since the map was learnt, or a
                            // node that cannot serve it now: asked on its own, following
                            // redirects.
                            let values = mget_on_slot(cluster, *slot, keys, indices);
                            settle(&mut fetched, &mut errors, indices, values);
                        }
                        (Value::ServerError(reply), _, _) => {
                            let error = server.error(Failure::Redis(reply.into()));
                            settle(&mut fetched, &mut errors, indices, Err(error));
                        }
                        (reply, _, _) => match values_of(reply, indices.len()) {
                            Some(values) => {
                                bytes += values.iter().flatten().map(Vec::len).sum::<usize>();
                                settle(&mut fetched, &mut errors, indices, Ok(values));
                            }
                            None => {
                                let error = server.error(Failure::Unexpected(
                                    "an `MGET` answered something else than values",
                                ));
                                settle(&mut fetched, &mut errors, indices, Err(error));
                            }
                        },
                    }
                }
                let per_key = (bytes / window.len()).max(1);
                window_keys = (WINDOW_BYTES / per_key).clamp(MIN_WINDOW_KEYS, MAX_WINDOW_KEYS);
            }
        }
        (fetched, errors)
    }

    /// The servers to `SCAN`: every standalone server, or every master of the cluster.
    fn servers_to_clear(&self) -> std::result::Result<Vec<Arc<Server>>, ServerError> {
        match self {
            Route::Servers(servers) => Ok(servers.to_vec()),
            Route::Cluster(cluster) => Ok(cluster.refresh()?.masters().to_vec()),
        }
    }
}

/// One slot's `MGET` on its own, following redirects.
fn mget_on_slot(
    cluster: &Cluster,
    slot: u16,
    keys: &[String],
    indices: &[usize],
) -> std::result::Result<Values, ServerError> {
    let mut command = redis::cmd("MGET");
    for &index in indices {
        command.arg(&keys[index]);
    }
    let reply = cluster.on_slot(slot, |connection| command.query::<Value>(connection))?;
    values_of(reply, indices.len()).ok_or_else(|| ServerError {
        server: format!("of the cluster serving slot {slot}"),
        failure: Failure::Unexpected("an `MGET` answered something else than values"),
    })
}

/// Records one `MGET`'s outcome for its keys.
fn settle(
    fetched: &mut [Fetched],
    errors: &mut Vec<ServerError>,
    indices: &[usize],
    values: std::result::Result<Values, ServerError>,
) {
    match values {
        Ok(values) => {
            for (&index, value) in indices.iter().zip(values) {
                fetched[index] = Fetched::Value(value);
            }
        }
        Err(error) => {
            let at = errors.len();
            errors.push(error);
            for &index in indices {
                fetched[index] = Fetched::Failed(at);
            }
        }
    }
}

/// The values of an `MGET` reply of `count` keys; a value that is not bytes (another type
/// under the key) is no entry.
fn values_of(reply: Value, count: usize) -> Option<Values> {
    let Value::Array(items) = reply else {
        return None;
    };
    if items.len() != count {
        return None;
    }
    Some(
        items
            .into_iter()
            .map(|item| match item {
                Value::BulkString(bytes) => Some(bytes),
                _ => None,
            })
            .collect(),
    )
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_characters_of_the_prefix_are_escaped() {
        assert_eq!(glob_escape("jinja2/bytecode/"), "jinja2/bytecode/");
        assert_eq!(glob_escape("a*b?c[d]e\\f"), "a\\*b\\?c\\[d\\]e\\\\f");
    }

    #[test]
    fn rendezvous_hashing_ignores_server_order() -> Result<()> {
        let make = |urls: &[&str]| -> Result<Vec<Arc<Server>>> {
            urls.iter()
                .map(|url| {
                    let parsed = connection::ParsedUrl::parse(url)?;
                    Ok(Arc::new(Server::new(
                        parsed.name,
                        parsed.info,
                        parsed.settings,
                    )))
                })
                .collect()
        };
        let forward = make(&["redis://a:1", "redis://b:1", "redis://c:1"])?;
        let backward = make(&["redis://c:1", "redis://b:1?timeout=2", "redis://A:1"])?;
        let mut used = [false; 3];
        for i in 0..200 {
            let key = format!("jinja2/bytecode/{i:040}");
            let f = &forward[Route::server_for(&forward, key.as_bytes())];
            let b = &backward[Route::server_for(&backward, key.as_bytes())];
            assert_eq!(f.address, b.address, "{key}");
            used[Route::server_for(&forward, key.as_bytes())] = true;
        }
        assert_eq!(used, [true; 3]);
        Ok(())
    }
}
