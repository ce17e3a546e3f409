//! Leases for single flight: `add {prefix}{key}.lease` with a random token, expiring after
//! the lease's ttl in whole seconds; released by deleting it if it still holds our token.
//!
//! The release reads the lease, compares the token and deletes it in two round trips. The race
//! it accepts: a holder that overran its ttl, whose lease expired and was taken by another
//! between the read and the delete, deletes the other's lease. The next loader then compiles
//! too, which single flight allows for a holder that overran; memcached's text protocol has no
//! delete-if-equal without the meta commands, which not every server speaks.

use std::sync::Arc;
use std::time::Duration;

use super::backend::Backend;
use super::protocol::{Status, Store};
use super::server::Server;
use super::store::MemcachedBytecodeCache;
use crate::error::{Error, Result};
use crate::lease::Lease;
use crate::net::exchange::Transport;
use crate::net::lease::{Held, Release, SUFFIX, guard, token, whole_seconds};

impl MemcachedBytecodeCache {
    /// [`lease`](crate::BytecodeCache::lease) on `transport`.
    pub(super) async fn take_lease<T: Transport>(
        &self,
        transport: T,
        key: &str,
        ttl: Duration,
    ) -> Result<Lease> {
        let Backend::Servers(cluster) = &self.backend else {
            return Ok(Lease::Unsupported);
        };
        let lease_key = match self.memcached_key(&format!("{key}{SUFFIX}")) {
            Ok(lease_key) => lease_key,
            Err((lease_key, invalid)) => {
                return self
                    .shell
                    .lease_failed(lease_error(lease_key, Box::new(invalid)));
            }
        };
        let token = token();
        let server = cluster.server_for(&lease_key);
        let expiry = whole_seconds(ttl, MemcachedBytecodeCache::MAX_TIMEOUT);
        let added = server
            .store(transport, Store::Add, &lease_key, token.as_bytes(), expiry)
            .await;
        match added {
            Ok(Status::Stored) => {
                let held = Held {
                    server: Arc::clone(server),
                    key: lease_key,
                    token,
                };
                Ok(Lease::Held(guard(T::ON_RUNTIME, held)))
            }
            Ok(_) => Ok(Lease::Busy),
            Err(error) => self
                .shell
                .lease_failed(lease_error(lease_key, Box::new(error))),
        }
    }
}

fn lease_error(key: String, source: super::client::ClientError) -> Error {
    Error::Memcached {
        operation: "lease",
        key,
        source,
    }
}

impl Release for Held<Server> {
    /// Deletes the lease if it still holds the token.
    async fn release<T: Transport>(&self, transport: T) {
        let key = &self.key;
        let held = match self.server.get_multi(transport, &[key]).await {
            Ok(mut found) => found
                .remove(key)
                .is_some_and(|value| value == self.token.as_bytes()),
            Err(error) => {
                let error = crate::net::policy::DisplayChain(&error);
                tracing::debug!(%key, %error, "lease not released");
                false
            }
        };
        if held && let Err(error) = self.server.delete(transport, key).await {
            let error = crate::net::policy::DisplayChain(&error);
            tracing::debug!(%key, %error, "lease not released");
        }
    }
}
