//! Where a batch's keys go: each standalone server's share, or each master's share of a
//! cluster by hash slot, asked for a window at a time with `MGET`s.

use std::sync::Arc;

use super::cluster::{Cluster, slot_of};
use super::connection::{MAX_VALUE, Refusal, Request, Server, ServerError, WhileWaiting};
use super::resp::{Limits, Value, mget_values};
use crate::net::exchange::Transport;
use crate::net::place::rendezvous;
use crate::net::window::WindowRule;

/// Windows of up to 256 keys or about 512 KiB of values, whichever is less: large replies
/// piling up behind each other in one pipeline are slower than a few round trips.
const WINDOW: WindowRule = WindowRule {
    first: 64,
    min: 4,
    max: 256,
    reply_bytes: 512 * 1024,
};

/// The values of an `MGET`, in the order of its keys; `None` for a key with no value.
type Values = Vec<Option<Vec<u8>>>;

/// What the reply to an `MGET` of `count` keys may hold.
fn mget_limits(count: usize) -> Limits {
    Limits {
        max_bulk: MAX_VALUE,
        max_items: count,
    }
}

/// `MGET` of the keys at `indices`.
fn mget_command(request: &mut Request<'_>, keys: &[String], indices: &[usize]) {
    let mut args: Vec<&[u8]> = Vec::with_capacity(indices.len() + 1);
    args.push(b"MGET");
    args.extend(indices.iter().map(|&index| keys[index].as_bytes()));
    request.push(&args, mget_limits(indices.len()));
}

/// A server's share of a batch: its keys as (hash slot in a cluster, index into the batch).
type ServerKeys = Vec<(Option<u16>, usize)>;

/// What a batch lookup found for one key.
pub(super) enum Fetched {
    Value(Option<Vec<u8>>),
    /// The key's server failed: the index of its error.
    Failed(usize),
}

/// Where keys live.
pub(super) enum Route {
    /// Standalone servers, each key on one of them by rendezvous hashing.
    Servers(Box<[Arc<Server>]>),
    /// One Redis Cluster.
    Cluster(Cluster),
}

impl Route {
    /// The index in `servers` of the server that holds `key`.
    fn server_for(servers: &[Arc<Server>], key: &[u8]) -> usize {
        rendezvous(servers.iter().map(|server| server.seed), key)
    }

    /// Runs a request of one command for `key` on the server that holds it.
    pub(super) async fn on_key<T: Transport>(
        &self,
        transport: T,
        key: &[u8],
        request: &Request<'_>,
        while_waiting: WhileWaiting<'_>,
    ) -> Result<Value, ServerError> {
        match self {
            Route::Servers(servers) => {
                let server = &servers[Route::server_for(servers, key)];
                server.query_one(transport, request, while_waiting).await
            }
            Route::Cluster(cluster) => {
                let slot = slot_of(key);
                cluster
                    .on_slot(transport, slot, request, while_waiting)
                    .await
            }
        }
    }

    /// The values of many keys: per server, windows of keys each sent as one `MGET` (in a
    /// cluster, one pipeline of `MGET`s, one per slot) and answered in one round trip. A window
    /// is sized by [`WINDOW`] from the values seen so far: large replies piling up
    /// behind each other in one pipeline are slower than a few round trips.
    pub(super) async fn mget<T: Transport>(
        &self,
        transport: T,
        keys: &[String],
    ) -> (Vec<Fetched>, Vec<ServerError>) {
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
                let map = match cluster.slot_map(transport).await {
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
                        let values = mget_on_slot(transport, cluster, slot, keys, &indices).await;
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
            let mut windows = WINDOW.over(&entries);
            while let Some(window) = windows.next_window() {
                // One MGET per slot of the window (one in all for standalone servers).
                let groups: Vec<(Option<u16>, Vec<usize>)> = window
                    .chunk_by(|a, b| a.0 == b.0)
                    .map(|group| (group[0].0, group.iter().map(|&(_, index)| index).collect()))
                    .collect();
                let mut pipeline = Request::new();
                for (_, indices) in &groups {
                    mget_command(&mut pipeline, keys, indices);
                }
                let replies = server.query(transport, &pipeline).await;
                let replies = match replies {
                    Ok(replies) if replies.len() == groups.len() => replies,
                    Ok(_) | Err(_) => {
                        let error = match replies {
                            Err(error) => error,
                            Ok(_) => {
                                server.refused(Refusal::Unexpected("a pipeline answered short"))
                            }
                        };
                        if let Route::Cluster(cluster) = self {
                            cluster.failed(transport, &error).await;
                        }
                        // The server failed: the rest of its keys fail with it.
                        let at = errors.len();
                        errors.push(error);
                        for &(_, index) in window.iter().chain(windows.rest()) {
                            fetched[index] = Fetched::Failed(at);
                        }
                        break;
                    }
                };
                let mut bytes = 0;
                for ((slot, indices), reply) in groups.iter().zip(replies) {
                    match (reply, slot, self) {
                        (Value::Error(_), Some(slot), Route::Cluster(cluster)) => {
                            // A slot that moved (or is moving) since the map was learnt, or a
                            // node that cannot serve it now: asked on its own, following
                            // redirects.
                            let values =
                                mget_on_slot(transport, cluster, *slot, keys, indices).await;
                            settle(&mut fetched, &mut errors, indices, values);
                        }
                        (Value::Error(reply), _, _) => {
                            let error = server.refused(Refusal::Reply(reply));
                            settle(&mut fetched, &mut errors, indices, Err(error));
                        }
                        (reply, _, _) => match mget_values(reply, indices.len()) {
                            Some(values) => {
                                bytes += values.iter().flatten().map(Vec::len).sum::<usize>();
                                settle(&mut fetched, &mut errors, indices, Ok(values));
                            }
                            None => {
                                let error = server.refused(Refusal::Unexpected(
                                    "an `MGET` answered something else than values",
                                ));
                                settle(&mut fetched, &mut errors, indices, Err(error));
                            }
                        },
                    }
                }
                windows.saw(window.len(), bytes);
            }
        }
        (fetched, errors)
    }

    /// The servers to `SCAN`: every standalone server, or every master of the cluster.
    pub(super) async fn servers_to_clear<T: Transport>(
        &self,
        transport: T,
    ) -> Result<Vec<Arc<Server>>, ServerError> {
        match self {
            Route::Servers(servers) => Ok(servers.to_vec()),
            Route::Cluster(cluster) => Ok(cluster.refresh(transport).await?.masters().to_vec()),
        }
    }

    /// The server that holds `key` as far as the store knows now, without asking anyone.
    pub(super) fn home_of(&self, key: &[u8]) -> Option<Arc<Server>> {
        match self {
            Route::Servers(servers) => Some(Arc::clone(&servers[Route::server_for(servers, key)])),
            Route::Cluster(cluster) => cluster.known_owner(slot_of(key)),
        }
    }

    /// Connections kept open to every server now.
    pub(super) fn pooled(&self) -> usize {
        match self {
            Route::Servers(servers) => servers.iter().map(|server| server.pooled()).sum(),
            Route::Cluster(cluster) => cluster.pooled(),
        }
    }
}

/// One slot's `MGET` on its own, following redirects.
async fn mget_on_slot<T: Transport>(
    transport: T,
    cluster: &Cluster,
    slot: u16,
    keys: &[String],
    indices: &[usize],
) -> Result<Values, ServerError> {
    let mut command = Request::new();
    mget_command(&mut command, keys, indices);
    let reply = cluster.on_slot(transport, slot, &command, None).await?;
    mget_values(reply, indices.len()).ok_or_else(|| ServerError {
        server: format!("of the cluster serving slot {slot}"),
        failure: crate::net::exchange::Failure::Protocol(Refusal::Unexpected(
            "an `MGET` answered something else than values",
        )),
    })
}

/// Records one `MGET`'s outcome for its keys.
fn settle(
    fetched: &mut [Fetched],
    errors: &mut Vec<ServerError>,
    indices: &[usize],
    values: Result<Values, ServerError>,
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
