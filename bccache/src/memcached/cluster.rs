//! Placement: which server of a cluster holds a key (rendezvous hashing).

use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::client::{ClientError, MemcachedClient};
use super::server::Server;

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
        let mut best = &self.servers[0];
        if self.servers.len() > 1 {
            let mut best_score = 0;
            for server in self.servers.iter() {
                let score = xxh3_64_with_seed(key.as_bytes(), server.url.seed);
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
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ClientError> {
        Ok(self
            .server_for(key)
            .run(|client| client.get::<Vec<u8>>(key))?)
    }

    fn set(&self, key: &str, value: &[u8], timeout: Option<u32>) -> Result<(), ClientError> {
        Ok(self
            .server_for(key)
            .run(|client| client.set(key, value, timeout.unwrap_or(0)))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Result;

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
