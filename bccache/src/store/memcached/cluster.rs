//! The servers given by URL, and which of them holds a key (rendezvous hashing).

use std::collections::HashMap;
use std::sync::Arc;

use super::client::ClientError;
use super::protocol::{Status, Store};
use super::server::Server;
use crate::net::exchange::Transport;
use crate::net::place::rendezvous;
use crate::net::window::WindowRule;

/// Multi-gets sized for replies of about 1 MiB: measured on loopback, 1,000 values of 64 KB
/// come fastest 16 to a reply; values of 4 KB, 64 to 128 a reply. 128 keys are at most 32 KB
/// of request, which any socket buffer holds.
const WINDOW: WindowRule = WindowRule {
    first: 32,
    min: 4,
    max: 128,
    reply_bytes: 1024 * 1024,
};

/// The keys of one multi-get and what it returned.
pub(super) type MultiGet<'k> = (Vec<&'k str>, Result<HashMap<String, Vec<u8>>, ClientError>);

/// The servers given by URL; each key lives on one of them.
pub(super) struct Cluster {
    servers: Box<[Arc<Server>]>,
}

impl Cluster {
    /// A cluster of `servers`; the builder makes sure there is at least one.
    pub(super) fn new(servers: Vec<Server>) -> Self {
        Cluster {
            servers: servers.into_iter().map(Arc::new).collect(),
        }
    }

    /// The server that holds `key`.
    pub(super) fn server_for(&self, key: &str) -> &Arc<Server> {
        &self.servers[self.index_for(key)]
    }

    fn index_for(&self, key: &str) -> usize {
        rendezvous(self.servers.iter().map(|s| s.url.seed), key.as_bytes())
    }

    /// Fetches `keys`, each `(key, home)` from the server of its `home` key, with multi-gets of
    /// each server's share sized by [`WINDOW`], and returns each request's keys with its
    /// outcome, so that a failed server costs only its own keys.
    pub(super) async fn get_multi_by_server<'k, T: Transport>(
        &self,
        transport: T,
        keys: &[(&'k str, &str)],
    ) -> Vec<MultiGet<'k>> {
        let mut by_server: Vec<Vec<&'k str>> = vec![Vec::new(); self.servers.len()];
        for &(key, home) in keys {
            by_server[self.index_for(home)].push(key);
        }
        let mut requests = Vec::new();
        for (server, keys) in self.servers.iter().zip(by_server) {
            let mut windows = WINDOW.over(&keys);
            while let Some(asked) = windows.next_window() {
                let found = server
                    .get_multi(transport, asked)
                    .await
                    .map_err(ClientError::from);
                if let Ok(values) = &found {
                    windows.saw(values.len(), values.values().map(Vec::len).sum());
                }
                requests.push((asked.to_vec(), found));
            }
        }
        requests
    }

    /// Stores `value` under `key` with `command` on the server of the `home` key (a chunk
    /// lives with its entry), expiring after `exptime` seconds (0: never).
    pub(super) async fn store_at<T: Transport>(
        &self,
        transport: T,
        home: &str,
        command: Store,
        key: &str,
        value: &[u8],
        exptime: u32,
    ) -> Result<Status, ClientError> {
        Ok(self
            .server_for(home)
            .store(transport, command, key, value, exptime)
            .await?)
    }

    /// Connections kept open to every server now.
    pub(super) fn pooled(&self) -> usize {
        self.servers.iter().map(|s| s.endpoint.pooled()).sum()
    }
}
