//! Redis Cluster: which node serves a key's hash slot, and following `MOVED` and `ASK`.
//!
//! The slot map comes from `CLUSTER SLOTS`, asked of a known node when the cache first needs
//! it, after a `MOVED` reply (resharding, failover) and after a node stopped answering. Every
//! node is a [`Server`] with its own kept-open connections and its own skip rule, so a dead
//! master costs its keys one connect timeout per second while the other masters keep serving.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use super::connection::{
    Refusal, Request, Server, ServerError, WhileWaiting, is_unreachable, redirect,
};
use super::resp::{Limits, Value};
use crate::net::exchange::Transport;

/// Hash slots of a Redis Cluster.
const SLOTS: usize = 16384;
/// Redirects followed for one request before giving up (a slot moving while we ask).
const MAX_REDIRECTS: usize = 5;
/// What a `CLUSTER SLOTS` reply may hold: a range per slot at most, short strings.
const SLOTS_REPLY: Limits = Limits {
    max_bulk: 1024,
    max_items: SLOTS,
};
/// The slot map is asked for again at most this often.
const REFRESH_AT_MOST_EVERY: Duration = Duration::from_millis(100);

/// The hash slot of a key, as Redis Cluster computes it: CRC16 (XMODEM) of the key, or of its
/// hash tag (the text between the first `{` and the next `}`, when not empty), modulo 16384.
pub(super) fn slot_of(key: &[u8]) -> u16 {
    crc16(hash_tag(key)) % SLOTS as u16
}

fn hash_tag(key: &[u8]) -> &[u8] {
    if let Some(open) = key.iter().position(|&b| b == b'{') {
        let rest = &key[open + 1..];
        if let Some(len) = rest.iter().position(|&b| b == b'}')
            && len > 0
        {
            return &rest[..len];
        }
    }
    key
}

const CRC16_TABLE: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = (i as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

fn crc16(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0u16, |crc, &b| {
        (crc << 8) ^ CRC16_TABLE[usize::from((crc >> 8) as u8 ^ b)]
    })
}

/// Which master serves each slot.
pub(super) struct SlotMap {
    masters: Vec<Arc<Server>>,
    /// Index into `masters` per slot; `u16::MAX` for a slot no node serves.
    owner: Box<[u16]>,
}

impl SlotMap {
    pub(super) fn owner(&self, slot: u16) -> Option<&Arc<Server>> {
        self.masters
            .get(usize::from(self.owner[usize::from(slot) % SLOTS]))
    }

    pub(super) fn masters(&self) -> &[Arc<Server>] {
        &self.masters
    }
}

/// A Redis Cluster reached through seed nodes.
pub(super) struct Cluster {
    seeds: Box<[Arc<Server>]>,
    /// Every node met so far, by `host:port`.
    nodes: Mutex<HashMap<String, Arc<Server>>>,
    map: RwLock<Option<Arc<SlotMap>>>,
    refreshed_at: Mutex<Option<Instant>>,
}

impl Cluster {
    pub(super) fn new(seeds: Vec<Server>) -> Self {
        let seeds: Box<[Arc<Server>]> = seeds.into_iter().map(Arc::new).collect();
        let nodes = seeds
            .iter()
            .map(|seed| (seed.address.clone(), Arc::clone(seed)))
            .collect();
        Cluster {
            seeds,
            nodes: Mutex::new(nodes),
            map: RwLock::new(None),
            refreshed_at: Mutex::new(None),
        }
    }

    /// The node at `address` (`host:port`), made on first mention with the seeds' credentials
    /// and timeouts.
    fn node(&self, address: &str) -> Option<Arc<Server>> {
        let (host, port) = address.rsplit_once(':')?;
        let port: u16 = port.parse().ok()?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let key = format!("{}:{port}", host.to_ascii_lowercase());
        let mut nodes = self.nodes.lock().unwrap_or_else(PoisonError::into_inner);
        Some(Arc::clone(nodes.entry(key).or_insert_with(|| {
            Arc::new(self.seeds[0].sibling(host, port))
        })))
    }

    /// The slot map, asked for when there is none yet.
    pub(super) async fn slot_map<T: Transport>(
        &self,
        transport: T,
    ) -> Result<Arc<SlotMap>, ServerError> {
        let current = self
            .map
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match current {
            Some(map) => Ok(map),
            None => self.refresh(transport).await,
        }
    }

    /// Asks for the slot map again (at most every 100 ms; a fresher one is kept), trying the
    /// known masters first, then the seeds.
    pub(super) async fn refresh<T: Transport>(
        &self,
        transport: T,
    ) -> Result<Arc<SlotMap>, ServerError> {
        let current = self
            .map
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let refreshed_at = *self
            .refreshed_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let (Some(map), Some(at)) = (&current, refreshed_at)
            && at.elapsed() < REFRESH_AT_MOST_EVERY
        {
            return Ok(Arc::clone(map));
        }
        let mut candidates: Vec<Arc<Server>> = current
            .iter()
            .flat_map(|map| map.masters.iter().cloned())
            .collect();
        candidates.extend(self.seeds.iter().cloned());
        let request = Request::command(&[b"CLUSTER", b"SLOTS"], SLOTS_REPLY);
        let mut first_error = None;
        for node in candidates {
            let built = match node.query_one(transport, &request, None).await {
                Ok(slots) => self.build_map(&node, slots).ok_or_else(|| {
                    node.refused(Refusal::Unexpected("a garbled `CLUSTER SLOTS` reply"))
                }),
                Err(error) => Err(error),
            };
            match built {
                Ok(map) => {
                    let map = Arc::new(map);
                    *self.map.write().unwrap_or_else(PoisonError::into_inner) =
                        Some(Arc::clone(&map));
                    *self
                        .refreshed_at
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
                    return Ok(map);
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        Err(first_error.unwrap_or_else(|| {
            self.seeds[0].refused(Refusal::Unexpected("no seed node to ask for the slot map"))
        }))
    }

    /// A slot map from a `CLUSTER SLOTS` reply: `[[first, last, [host, port, id, ..], replicas
    /// ..], ..]`. A node that announces no host is reached at the host we asked.
    fn build_map(&self, asked: &Server, reply: Value) -> Option<SlotMap> {
        let Value::Array(ranges) = reply else {
            return None;
        };
        let mut masters: Vec<Arc<Server>> = Vec::new();
        let mut owner = vec![u16::MAX; SLOTS].into_boxed_slice();
        for range in ranges {
            let Value::Array(range) = range else {
                return None;
            };
            let (Some(Value::Int(first)), Some(Value::Int(last)), Some(Value::Array(master))) =
                (range.first(), range.get(1), range.get(2))
            else {
                return None;
            };
            let host = match master.first() {
                Some(Value::Bulk(host) | Value::Simple(host)) => {
                    String::from_utf8_lossy(host).into_owned()
                }
                _ => return None,
            };
            let Some(Value::Int(port)) = master.get(1) else {
                return None;
            };
            let host = match host.as_str() {
                "" | "?" => asked.host()?.to_owned(),
                _ => host,
            };
            let node = self.node(&format!("{host}:{port}"))?;
            let index = match masters.iter().position(|m| Arc::ptr_eq(m, &node)) {
                Some(index) => index,
                None => {
                    masters.push(node);
                    masters.len() - 1
                }
            };
            let first = usize::try_from(*first).ok()?;
            let last = usize::try_from(*last).ok()?;
            if first > last || last >= SLOTS {
                return None;
            }
            owner[first..=last].fill(u16::try_from(index).ok()?);
        }
        Some(SlotMap { masters, owner })
    }

    /// Runs a request of one command for keys of `slot` on the node serving it, following
    /// `MOVED` (and asking for the map again) and `ASK` (sending `ASKING` first).
    pub(super) async fn on_slot<T: Transport>(
        &self,
        transport: T,
        slot: u16,
        request: &Request<'_>,
        mut while_waiting: WhileWaiting<'_>,
    ) -> Result<Value, ServerError> {
        let map = self.slot_map(transport).await?;
        let mut node = match map.owner(slot) {
            Some(node) => Arc::clone(node),
            None => match self.refresh(transport).await?.owner(slot) {
                Some(node) => Arc::clone(node),
                None => {
                    return Err(self.seeds[0].refused(Refusal::Unexpected(
                        "no node of the cluster serves the key's slot",
                    )));
                }
            },
        };
        let mut asking = false;
        let mut redirects = 0;
        loop {
            let result = if asking {
                let asked = request.asking();
                match node
                    .query_while(transport, &asked, while_waiting.take())
                    .await
                {
                    Ok(mut replies) if replies.len() == 2 => match replies.pop() {
                        Some(Value::Error(message)) => Err(node.refused(Refusal::Reply(message))),
                        Some(value) => Ok(value),
                        None => Err(node.refused(Refusal::Unexpected("no reply"))),
                    },
                    Ok(_) => Err(node.refused(Refusal::Unexpected("a pipeline answered short"))),
                    Err(error) => Err(error),
                }
            } else {
                node.query_one(transport, request, while_waiting.take())
                    .await
            };
            let error = match result {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            let target =
                redirect(&error).and_then(|(address, ask)| Some((self.node(address)?, ask)));
            match target {
                Some((target, ask)) if redirects < MAX_REDIRECTS => {
                    if !ask {
                        // The slot moved for good: learn the new map (a failed ask is fine,
                        // the redirect itself says where to go now).
                        let _ = self.refresh(transport).await;
                    }
                    redirects += 1;
                    asking = ask;
                    node = target;
                }
                _ => {
                    self.failed(transport, &error).await;
                    return Err(error);
                }
            }
        }
    }

    /// After a node failed: when it may be gone (a failover), learn the map again.
    pub(super) async fn failed<T: Transport>(&self, transport: T, error: &ServerError) {
        if is_unreachable(error)
            && !matches!(error.failure, crate::net::exchange::Failure::Skipped(_))
        {
            let _ = self.refresh(transport).await;
        }
    }

    /// The node serving `slot` in the map known now, if any.
    pub(super) fn known_owner(&self, slot: u16) -> Option<Arc<Server>> {
        let map = self.map.read().unwrap_or_else(PoisonError::into_inner);
        map.as_ref()?.owner(slot).cloned()
    }

    /// Connections kept open to every node met so far.
    pub(super) fn pooled(&self) -> usize {
        self.nodes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .map(|node| node.pooled())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc16_is_xmodem() {
        // The check value of CRC-16/XMODEM, as in the Redis Cluster specification.
        assert_eq!(crc16(b"123456789"), 0x31c3);
    }

    #[test]
    fn hash_tags_pick_the_hashed_part() {
        assert_eq!(hash_tag(b"{user1000}.following"), b"user1000");
        assert_eq!(hash_tag(b"foo{}{bar}"), b"foo{}{bar}");
        assert_eq!(hash_tag(b"foo{{bar}}zap"), b"{bar");
        assert_eq!(hash_tag(b"foo{bar}{zap}"), b"bar");
        assert_eq!(hash_tag(b"no tag"), b"no tag");
        assert_eq!(
            slot_of(b"{user1000}.following"),
            slot_of(b"{user1000}.followers")
        );
        // `CLUSTER KEYSLOT foo` answers 12182.
        assert_eq!(slot_of(b"foo"), 12182);
    }
}
