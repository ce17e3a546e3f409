//! Placement: which server of a cluster holds a key (rendezvous hashing).

use std::collections::HashMap;

use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::client::{ClientError, MemcachedClient};
use super::server::Server;

/// The most keys asked of a server in one multi-get. The requests are all written before the
/// first reply is read, so a batch of thousands could fill both sides' socket buffers (the
/// server stops reading while its replies wait) and stall until the I/O timeout; 128 keys are
/// at most 32 KB of requests, which any socket buffer holds.
const MAX_KEYS_PER_MULTI_GET: usize = 128;
/// The fewest keys asked in one multi-get, however large the values.
const MIN_KEYS_PER_MULTI_GET: usize = 4;
/// The keys asked in a server's first multi-get of a batch, before value sizes are known.
const FIRST_KEYS_PER_MULTI_GET: usize = 32;
/// The reply size the next multi-get aims at. Measured on loopback, 1,000 values of 64 KB come
/// fastest in replies of about 1 MiB (16 keys): 20 ms, against 76 ms in replies of 8 MiB and
/// 193 ms in one reply of 64 MiB; values of 4 KB, with 64 to 128 keys a request.
const REPLY_BYTES: usize = 1024 * 1024;

/// The keys of one multi-get and what it returned.
pub(super) type MultiGet<'k> = (Vec<&'k str>, Result<HashMap<String, Vec<u8>>, ClientError>);

/// The servers given by URL; each key lives on one of them.
pub(super) struct Cluster {
    servers: Box<[Server]>,
}

impl Cluster {
    /// A cluster of `servers`; the builder makes sure there is at least one.
    pub(super) fn new(servers: Vec<Server>) -> Self {
        Cluster {
            servers: servers.into_boxed_slice(),
        }
    }

    /// Rendezvous hashing: the server whose seeded hash of the key is highest.
    fn server_for(&self, key: &str) -> &Server {
        &self.servers[self.index_for(key)]
    }

    /// The index in `servers` of the server that holds `key`.
    fn index_for(&self, key: &str) -> usize {
        let mut best = 0;
        if self.servers.len() > 1 {
            let mut best_score = 0;
            for (index, server) in self.servers.iter().enumerate() {
                let score = xxh3_64_with_seed(key.as_bytes(), server.url.seed);
                if score >= best_score {
                    best = index;
                    best_score = score;
                }
            }
        }
        best
    }

    /// Fetches `keys`, each `(key, home)` from the server of its `home` key, with multi-gets of
    /// each server's share (sized for replies of about [`REPLY_BYTES`] from the values seen so
    /// far), and returns each request's keys with its outcome, so that a failed server costs
    /// only its own keys.
    pub(super) fn get_multi_by_server<'k>(&self, keys: &[(&'k str, &str)]) -> Vec<MultiGet<'k>> {
        let mut by_server: Vec<Vec<&'k str>> = vec![Vec::new(); self.servers.len()];
        for &(key, home) in keys {
            by_server[self.index_for(home)].push(key);
        }
        let mut requests = Vec::new();
        for (server, keys) in self.servers.iter().zip(by_server) {
            let mut take = FIRST_KEYS_PER_MULTI_GET;
            let mut rest = &keys[..];
            while !rest.is_empty() {
                let (asked, later) = rest.split_at(take.min(rest.len()));
                rest = later;
                let found = server
                    .run(|client| client.gets::<Vec<u8>>(asked))
                    .map_err(ClientError::from);
                if let Ok(values) = &found {
                    if !values.is_empty() {
                        let bytes: usize = values.values().map(Vec::len).sum();
                        take = (REPLY_BYTES / (bytes / values.len()).max(1))
                            .clamp(MIN_KEYS_PER_MULTI_GET, MAX_KEYS_PER_MULTI_GET);
                    }
                }
                requests.push((asked.to_vec(), found));
            }
        }
        requests
    }
}

impl Cluster {
    /// Stores `value` under `key` on the server of the `home` key: a chunk lives with its entry.
    pub(super) fn set_at(
        &self,
        home: &str,
        key: &str,
        value: &[u8],
        timeout: Option<u32>,
    ) -> Result<(), ClientError> {
        Ok(self
            .server_for(home)
            .run(|client| client.set(key, value, timeout.unwrap_or(0)))?)
    }
}

impl MemcachedClient for Cluster {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ClientError> {
        Ok(self
            .server_for(key)
            .run(|client| client.get::<Vec<u8>>(key))?)
    }

    fn set(&self, key: &str, value: &[u8], timeout: Option<u32>) -> Result<(), ClientError> {
        self.set_at(key, key, value, timeout)
    }

    fn get_multi(&self, keys: &[&str]) -> Result<HashMap<String, Vec<u8>>, ClientError> {
        let mut found = HashMap::with_capacity(keys.len());
        let placed: Vec<(&str, &str)> = keys.iter().map(|&key| (key, key)).collect();
        for (_, values) in self.get_multi_by_server(&placed) {
            found.extend(values?);
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Result;

    /// The index in `cluster` of the server that holds `key`.
    fn home(cluster: &Cluster, key: &str) -> Option<usize> {
        let chosen = cluster.server_for(key);
        let home = cluster.servers.iter().position(|s| std::ptr::eq(s, chosen));
        assert_eq!(home, Some(cluster.index_for(key)));
        home
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
        assert_ne!(other_port.url.seed, plain.servers[0].url.seed);
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
                forward.server_for(&key).url.name,
                backward.server_for(&key).url.name
            );
        }
        Ok(())
    }
}
