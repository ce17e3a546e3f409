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
use crate::lease::{Lease, LeaseGuard};
use crate::net::exchange::{Blocking, Transport, now};
use crate::net::lease::{SUFFIX, token, whole_seconds};

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
            Ok(Status::Stored) => Ok(Lease::Held(guard(
                T::ON_RUNTIME,
                Arc::clone(server),
                lease_key,
                token,
            ))),
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

/// The guard of a lease held under `key` with `token`.
fn guard(on_runtime: bool, server: Arc<Server>, key: String, token: String) -> LeaseGuard {
    #[cfg(feature = "tokio")]
    if on_runtime {
        let (async_server, async_key, async_token) =
            (Arc::clone(&server), key.clone(), token.clone());
        return crate::net::lease::release_on_drop(
            async move {
                let transport = crate::net::tokio_stream::Tokio;
                release(transport, &async_server, &async_key, &async_token).await;
            },
            move || now(release(Blocking, &server, &key, &token)),
        );
    }
    let _ = on_runtime;
    LeaseGuard::new(move || now(release(Blocking, &server, &key, &token)))
}

/// Deletes the lease under `key` if it still holds `token`; best effort, as a lease whose
/// release fails expires on its own.
async fn release<T: Transport>(transport: T, server: &Server, key: &str, token: &str) {
    let held = match server.get_multi(transport, &[key]).await {
        Ok(mut found) => found
            .remove(key)
            .is_some_and(|value| value == token.as_bytes()),
        Err(error) => {
            tracing::debug!(%key, error = %crate::net::policy::DisplayChain(&error), "lease not released");
            false
        }
    };
    if held && let Err(error) = server.delete(transport, key).await {
        tracing::debug!(%key, error = %crate::net::policy::DisplayChain(&error), "lease not released");
    }
}
