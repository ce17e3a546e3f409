//! Where a store's requests go: its own servers given by URL, or a client handed in.

use std::sync::Arc;

use super::chunk::Head;
use super::client::{ClientError, MemcachedClient};
use super::cluster::{Cluster, MultiGet};
use super::protocol::Store;
use super::server::Loaded;
use crate::bucket::Bucket;
use crate::net::exchange::Transport;

/// Where a store's requests go.
pub(super) enum Backend {
    /// Servers given by URL: placement and connections are the store's own.
    Servers(Cluster),
    /// A client given as is; on a runtime its blocking calls run on the blocking pool.
    Client(Arc<dyn MemcachedClient>),
}

impl Backend {
    /// `keys`, each `(key, home)`, fetched with one multi-get per server, each request with its
    /// outcome. Servers given by URL place a key on the server of its `home` key; a client given
    /// as is places keys its own way and answers all of them with one `get_multi`.
    pub(super) async fn get_multi<'k, T: Transport>(
        &self,
        transport: T,
        keys: &[(&'k str, &str)],
    ) -> Vec<MultiGet<'k>> {
        match self {
            Backend::Servers(cluster) => cluster.get_multi_by_server(transport, keys).await,
            Backend::Client(client) => {
                let asked: Vec<&'k str> = keys.iter().map(|&(key, _)| key).collect();
                let found = if T::ON_RUNTIME {
                    let client = Arc::clone(client);
                    let owned: Vec<String> = asked.iter().map(|&key| key.to_owned()).collect();
                    let call = move || {
                        let keys: Vec<&str> = owned.iter().map(String::as_str).collect();
                        client.get_multi(&keys)
                    };
                    transport
                        .blocking(call)
                        .await
                        .unwrap_or_else(|e| Err(e.into()))
                } else {
                    client.get_multi(&asked)
                };
                vec![(asked, found)]
            }
        }
    }

    /// The entry under `key`, decoded into `bucket`, or the head of a chunked entry. Servers
    /// given by URL decode it where it lies in their reply; a client given as is returns the
    /// value first. A failed request leaves the bucket as it was.
    pub(super) async fn get_entry<T: Transport>(
        &self,
        transport: T,
        key: &str,
        bucket: &mut Bucket<'_>,
        max_item_size: usize,
    ) -> Result<Loaded, ClientError> {
        let value = match self {
            Backend::Servers(cluster) => {
                let server = cluster.server_for(key);
                return Ok(server.get_entry(transport, key, bucket).await?);
            }
            Backend::Client(client) if !T::ON_RUNTIME => client.get(key)?,
            Backend::Client(_) => {
                let mut found = self.get_multi(transport, &[(key, key)]).await;
                match found.pop() {
                    Some((_, values)) => values?.remove(key),
                    None => None,
                }
            }
        };
        // The value is the caller's: decoded in place, the code moved to the front of it.
        Ok(match value {
            None => Loaded::Missing,
            Some(value) => match Head::parse(&value, max_item_size) {
                Some(head) => Loaded::Head(head),
                None => Loaded::Decoded {
                    len: value.len(),
                    verdict: bucket.decode_vec(value),
                },
            },
        })
    }

    /// Stores `value` under `key`, on the server of the `home` key for servers given by URL.
    pub(super) async fn set<T: Transport>(
        &self,
        transport: T,
        home: &str,
        key: &str,
        value: &[u8],
        timeout: Option<u32>,
    ) -> Result<(), ClientError> {
        match self {
            Backend::Servers(cluster) => cluster
                .store_at(
                    transport,
                    home,
                    Store::Set,
                    key,
                    value,
                    timeout.unwrap_or(0),
                )
                .await
                .map(drop),
            Backend::Client(client) if !T::ON_RUNTIME => client.set(key, value, timeout),
            Backend::Client(client) => {
                let client = Arc::clone(client);
                let (key, value) = (key.to_owned(), value.to_vec());
                let call = move || client.set(&key, &value, timeout);
                transport
                    .blocking(call)
                    .await
                    .unwrap_or_else(|e| Err(e.into()))
            }
        }
    }
}
