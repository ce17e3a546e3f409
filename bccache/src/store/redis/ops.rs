//! What the store does, written once for either transport: the sync trait runs it on the
//! blocking transport, the async trait on tokio's.

use std::time::Duration;

use super::cluster::slot_of;
use super::connection::{Refusal, Request, STATUS, Server, ServerError};
use super::entry::IntoBucket;
use super::resp::{Limits, Value};
use super::route::Fetched;
use super::store::{RedisBytecodeCache, glob_escape};
use crate::bucket::{Bucket, Environment};
use crate::error::{Error, Result};
use crate::lease::{Lease, LeaseGuard};
use crate::net::exchange::Transport;
use crate::net::lease::{Held, Release, SUFFIX, guard, token};
use crate::stats::Verdict;

/// Keys asked for per `SCAN` step of [`clear`](crate::BytecodeCache::clear).
const SCAN_COUNT: usize = 512;

/// What a `SCAN` reply may hold: a cursor and a page of keys (a page may pass `COUNT`).
const SCAN_REPLY: Limits = Limits {
    max_bulk: 1024 * 1024,
    max_items: 64 * SCAN_COUNT,
};

/// What a `GET` reply may hold.
const GET_REPLY: Limits = Limits {
    max_bulk: super::connection::MAX_VALUE,
    max_items: 0,
};

/// Deletes the lease under `KEYS[1]` only if it holds `ARGV[1]`.
const RELEASE: &[u8] =
    b"if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

impl RedisBytecodeCache {
    /// A `GET` of `key` decoded into `into`'s bucket, counting the verdict, or the error
    /// policy applied to its failure.
    async fn get<T: Transport>(
        &self,
        transport: T,
        key: String,
        into: &mut IntoBucket<'_, '_>,
    ) -> Result<()> {
        let request = Request::command(&[b"GET", key.as_bytes()], GET_REPLY);
        let reply = self
            .route
            .on_key(transport, key.as_bytes(), &request, Some(&mut *into))
            .await;
        into.sum();
        match reply {
            // Decoded where it lay in the reply.
            Ok(Value::Taken(_)) => {}
            // A redirected request's value, read by a request sent without `into`.
            Ok(Value::Bulk(bytes)) => into.decode(&bytes),
            // Nil, or another type under the key: no entry.
            Ok(_) => into.decoded = Some((Verdict::Missing, 0)),
            Err(source) => return self.failed("get", key, source),
        }
        if let Some((verdict, len)) = into.decoded {
            self.shell.counters.loaded(verdict, len as u64);
        }
        Ok(())
    }

    /// Counts a failed operation and applies the error policy to it.
    fn failed(&self, operation: &'static str, key: String, source: ServerError) -> Result<()> {
        self.shell.failed(redis_error(operation, key, source))
    }

    /// [`load_bytecode`](crate::BytecodeCache::load_bytecode) on `transport`.
    pub(super) async fn load<T: Transport>(
        &self,
        transport: T,
        bucket: &mut Bucket<'_>,
    ) -> Result<()> {
        bucket.reset();
        let key = self.shell.key(&bucket.key);
        self.get(transport, key, &mut IntoBucket::new(bucket)).await
    }

    /// The bucket of `key` for `source`, loaded, the source summed while the `GET` is out.
    pub(super) async fn load_summing<'e, T: Transport>(
        &self,
        transport: T,
        environment: &'e dyn Environment,
        key: String,
        source: &[u8],
    ) -> Result<Bucket<'e>> {
        let redis_key = self.shell.key(&key);
        // Its checksum is summed once the `GET` is sent, before the value is decoded.
        let mut bucket = Bucket::new(environment, key, String::new());
        let mut into = IntoBucket::summing(&mut bucket, self.shell.checksum, source);
        self.get(transport, redis_key, &mut into).await?;
        Ok(bucket)
    }

    /// [`dump_bytecode`](crate::BytecodeCache::dump_bytecode) on `transport`.
    pub(super) async fn dump<T: Transport>(&self, transport: T, bucket: &Bucket<'_>) -> Result<()> {
        let value = bucket.bytecode_to_string()?;
        let key = self.shell.key(&bucket.key);
        let set = Request::set(key.as_bytes(), &value, self.shell.timeout);
        match self
            .route
            .on_key(transport, key.as_bytes(), &set, None)
            .await
        {
            Ok(_) => {
                self.shell.counters.stored(value.len() as u64);
                Ok(())
            }
            Err(source) => self.failed("set", key, source),
        }
    }

    /// [`load_bytecodes`](crate::BytecodeCache::load_bytecodes) on `transport`.
    pub(super) async fn load_batch<T: Transport>(
        &self,
        transport: T,
        buckets: &mut [Bucket<'_>],
    ) -> Result<()> {
        let keys: Vec<String> = buckets
            .iter_mut()
            .map(|bucket| {
                bucket.reset();
                self.shell.key(&bucket.key)
            })
            .collect();
        let (fetched, errors) = self.route.mget(transport, &keys).await;
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
        let Some((key, error)) = first_failed else {
            return Ok(());
        };
        let source = errors
            .into_iter()
            .nth(error)
            .unwrap_or_else(|| ServerError {
                server: self.shell.servers.join(", "),
                failure: crate::net::exchange::Failure::Protocol(Refusal::Unexpected(
                    "a server failed",
                )),
            });
        let error = redis_error("mget", key.clone(), source);
        crate::net::policy::apply(self.shell.ignore_errors, error, false)
    }

    /// [`clear`](crate::BytecodeCache::clear) on `transport`.
    pub(super) async fn clear_prefix<T: Transport>(&self, transport: T) -> Result<()> {
        let pattern = format!("{}*", glob_escape(&self.shell.prefix));
        let servers = match self.route.servers_to_clear(transport).await {
            Ok(servers) => servers,
            Err(source) => {
                self.shell.counters.failed();
                return Err(redis_error("clear", pattern, source));
            }
        };
        let in_cluster = self.is_cluster();
        let mut first_error = None;
        for server in servers {
            if let Err(source) = clear_server(transport, &server, &pattern, in_cluster).await {
                self.shell.counters.failed();
                first_error.get_or_insert(source);
            }
        }
        match first_error {
            None => Ok(()),
            Some(source) => Err(redis_error("clear", pattern, source)),
        }
    }

    /// [`lease`](crate::BytecodeCache::lease) on `transport`.
    pub(super) async fn take_lease<T: Transport>(
        &self,
        transport: T,
        key: &str,
        ttl: Duration,
    ) -> Result<Lease> {
        let lease_key = self.shell.key(&format!("{key}{SUFFIX}"));
        let token = token();
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let millis = millis.to_string();
        let set = Request::command(
            &[
                b"SET",
                lease_key.as_bytes(),
                token.as_bytes(),
                b"NX",
                b"PX",
                millis.as_bytes(),
            ],
            STATUS,
        );
        match self
            .route
            .on_key(transport, lease_key.as_bytes(), &set, None)
            .await
        {
            Ok(Value::Simple(_)) => match self.route.home_of(lease_key.as_bytes()) {
                Some(server) => {
                    let held = Held {
                        server,
                        key: lease_key,
                        token,
                    };
                    Ok(Lease::Held(guard(T::ON_RUNTIME, held)))
                }
                None => Ok(Lease::Held(LeaseGuard::none())),
            },
            Ok(_) => Ok(Lease::Busy),
            Err(source) => self
                .shell
                .lease_failed(redis_error("lease", lease_key, source)),
        }
    }
}

impl Release for Held<Server> {
    /// Deletes the lease if it still holds the token, in one `EVAL`, so no other holder's lease
    /// is deleted.
    async fn release<T: Transport>(&self, transport: T) {
        let (key, token) = (self.key.as_bytes(), self.token.as_bytes());
        let eval = Request::command(&[b"EVAL", RELEASE, b"1", key, token], STATUS);
        if let Err(error) = self.server.query_one(transport, &eval, None).await {
            let error = crate::net::policy::DisplayChain(&error);
            tracing::debug!(key = %self.key, %error, "lease not released");
        }
    }
}

fn redis_error(operation: &'static str, key: String, source: ServerError) -> Error {
    Error::Redis {
        operation,
        key,
        source: Box::new(source),
    }
}

/// `SCAN` the server for `pattern` and `UNLINK` what it finds, a batch at a time. In a
/// cluster, a node's keys are unlinked one slot per command (`UNLINK` of several slots fails).
async fn clear_server<T: Transport>(
    transport: T,
    server: &Server,
    pattern: &str,
    in_cluster: bool,
) -> std::result::Result<(), ServerError> {
    let mut cursor = b"0".to_vec();
    let count = SCAN_COUNT.to_string();
    loop {
        let scan = Request::command(
            &[
                b"SCAN",
                &cursor,
                b"MATCH",
                pattern.as_bytes(),
                b"COUNT",
                count.as_bytes(),
            ],
            SCAN_REPLY,
        );
        let reply = server.query_one(transport, &scan, None).await?;
        let (next, keys) = match reply {
            Value::Array(mut page) if page.len() == 2 => match (page.pop(), page.pop()) {
                (Some(Value::Array(keys)), Some(Value::Bulk(next))) => (next, keys),
                _ => return Err(server.refused(Refusal::Unexpected("a garbled `SCAN` reply"))),
            },
            _ => return Err(server.refused(Refusal::Unexpected("a garbled `SCAN` reply"))),
        };
        let keys: Vec<Vec<u8>> = keys
            .into_iter()
            .filter_map(|key| match key {
                Value::Bulk(key) => Some(key),
                _ => None,
            })
            .collect();
        if !keys.is_empty() {
            let mut unlink = Request::new();
            let mut groups: Vec<Vec<&[u8]>> = Vec::new();
            if in_cluster {
                let mut by_slot: Vec<(u16, &[u8])> = keys
                    .iter()
                    .map(|key| (slot_of(key), key.as_slice()))
                    .collect();
                by_slot.sort_unstable();
                for group in by_slot.chunk_by(|a, b| a.0 == b.0) {
                    groups.push(group.iter().map(|&(_, key)| key).collect());
                }
            } else {
                groups.push(keys.iter().map(Vec::as_slice).collect());
            }
            for group in groups {
                let mut args: Vec<&[u8]> = vec![b"UNLINK"];
                args.extend(group);
                unlink.push(&args, STATUS);
            }
            for reply in server.query(transport, &unlink).await? {
                if let Value::Error(message) = reply {
                    return Err(server.refused(Refusal::Reply(message)));
                }
            }
        }
        if next == b"0" {
            return Ok(());
        }
        cursor = next;
    }
}
