//! [`RedisBytecodeCacheBuilder`]: every setting of a [`RedisBytecodeCache`], checked at `build`.

use std::fmt;
use std::sync::Arc;

use super::cluster::Cluster;
use super::connection::Server;
use super::route::Route;
use super::store::RedisBytecodeCache;
use crate::error::{Error, Result};
use crate::net::shell::{Rules, Settings, shared_setters};
use crate::net::url::invalid;

/// Builds a [`RedisBytecodeCache`]; every check happens in
/// [`build`](RedisBytecodeCacheBuilder::build), which contacts no server.
#[must_use = "a builder does nothing until `.build()` is called"]
pub struct RedisBytecodeCacheBuilder {
    settings: Settings,
    cluster: bool,
}

impl fmt::Debug for RedisBytecodeCacheBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBytecodeCacheBuilder")
            .field("settings", &self.settings)
            .field("cluster", &self.cluster)
            .finish()
    }
}

impl RedisBytecodeCacheBuilder {
    pub(super) fn new() -> Self {
        RedisBytecodeCacheBuilder {
            settings: Settings::default(),
            cluster: false,
        }
    }

    /// Adds a server by URL, e.g. `redis://127.0.0.1:6379`; call it once per server, or per seed
    /// node of a cluster. `?connect_timeout=` and `?timeout=` (seconds) override the connect
    /// timeout (250 ms) and the read and write timeout (1 s). See [`RedisBytecodeCache`] for
    /// the URL forms.
    ///
    /// ```
    /// let cache = bccache::RedisBytecodeCache::builder()
    ///     .server("redis://cache-1.internal:6379?timeout=0.5")
    ///     .server("redis://:secret@cache-2.internal:6379/2?connect_timeout=0.1")
    ///     .build()?;
    /// assert!(!cache.servers()[1].contains("secret"));
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn server(mut self, url: impl Into<String>) -> Self {
        self.settings.servers.push(url.into());
        self
    }

    /// Whether the servers are seed nodes of one Redis Cluster (default `false`: standalone
    /// servers, keys spread over them by hashing). In a cluster each key goes to the master
    /// serving its hash slot, and `MOVED` and `ASK` are followed.
    ///
    /// ```
    /// let cache = bccache::RedisBytecodeCache::builder()
    ///     .server("redis://10.0.0.1:7000")
    ///     .server("redis://10.0.0.2:7000")
    ///     .cluster(true)
    ///     .build()?;
    /// assert!(cache.is_cluster());
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn cluster(mut self, cluster: bool) -> Self {
        self.cluster = cluster;
        self
    }

    shared_setters!(
        RedisBytecodeCache,
        "redis://127.0.0.1:6379",
        prefix: "at most 1 KiB, no control characters; empty is allowed.",
        timeout: "`SET .. EX secs`; 0 is an error."
    );

    /// Whether a Redis error is a miss (load) or dropped (store) rather than returned as
    /// [`Error::Redis`]. Default `true`.
    ///
    /// ```
    /// let cache = bccache::RedisBytecodeCache::builder()
    ///     .server("redis://127.0.0.1:6379")
    ///     .ignore_errors(false)
    ///     .build()?;
    /// assert!(!cache.ignore_errors());
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn ignore_errors(mut self, ignore: bool) -> Self {
        self.settings.ignore_errors = ignore;
        self
    }

    /// Checks everything and builds the cache, without contacting any server.
    ///
    /// Errors: [`Error::InvalidPrefix`], [`Error::InvalidTimeout`], [`Error::InvalidServer`] (a
    /// URL that cannot name a Redis server, TLS, or a cluster seed that is a unix socket or
    /// selects a database other than 0), and [`Error::NoServer`] without any `.server()`.
    ///
    /// ```
    /// let error = bccache::RedisBytecodeCache::builder()
    ///     .server("redis://127.0.0.1:6379")
    ///     .timeout(0)
    ///     .build()
    ///     .unwrap_err();
    /// assert!(matches!(error, bccache::Error::InvalidTimeout { timeout: 0, .. }));
    /// ```
    pub fn build(mut self) -> Result<RedisBytecodeCache> {
        let rules = Rules {
            max_prefix_len: RedisBytecodeCache::MAX_PREFIX_LEN,
            prefix_too_long: "longer than 1 KiB",
            no_spaces: None,
            zero_timeout: "0 would expire entries at once; leave the timeout unset for none",
            max_timeout: None,
        };
        let urls = std::mem::take(&mut self.settings.servers);
        let mut shell = self.settings.check(&rules, Vec::new())?;
        if urls.is_empty() {
            return Err(Error::NoServer);
        }
        let mut servers = Vec::with_capacity(urls.len());
        for url in &urls {
            let server = Server::parse(url)?;
            if self.cluster {
                if server.host().is_none() {
                    return Err(invalid(
                        server.name(),
                        "a Redis Cluster node is reached over TCP, not a unix socket",
                    ));
                }
                if server.db() != 0 {
                    return Err(invalid(
                        server.name(),
                        "a Redis Cluster has only database 0",
                    ));
                }
            }
            servers.push(server);
        }
        shell.servers = servers
            .iter()
            .map(|server| server.name().to_owned())
            .collect();
        let route = if self.cluster {
            Route::Cluster(Cluster::new(servers))
        } else {
            Route::Servers(servers.into_iter().map(Arc::new).collect())
        };
        Ok(RedisBytecodeCache { route, shell })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_settings_are_refused_naming_the_value() {
        let builder = || RedisBytecodeCache::builder().server("redis://127.0.0.1:6379");
        for prefix in ["a\nb", "\u{7f}", &"p".repeat(1025)] {
            match builder().prefix(prefix).build() {
                Err(Error::InvalidPrefix { prefix: named, .. }) => assert_eq!(named, prefix),
                other => panic!("{prefix:?}: {other:?}"),
            }
        }
        assert!(builder().prefix("").build().is_ok());
        assert!(builder().prefix("p".repeat(1024)).build().is_ok());
        assert!(matches!(
            RedisBytecodeCache::builder().build(),
            Err(Error::NoServer)
        ));
        for url in [
            "127.0.0.1:6379",
            "http://127.0.0.1:6379",
            "memcache://127.0.0.1:11211",
            "rediss://127.0.0.1:6379",
            "redis://127.0.0.1:6379/notanumber",
            "redis://127.0.0.1:6379?timeout=0",
            "redis://127.0.0.1:6379?connect_timeout=abc",
        ] {
            match RedisBytecodeCache::connect(url) {
                Err(Error::InvalidServer { url: named, .. }) => {
                    assert!(named.contains("127.0.0.1"), "{url}: {named}")
                }
                other => panic!("{url}: {other:?}"),
            }
        }
        for url in ["redis+unix:///tmp/redis.sock", "redis://127.0.0.1:7000/3"] {
            match RedisBytecodeCache::builder()
                .server(url)
                .cluster(true)
                .build()
            {
                Err(Error::InvalidServer { .. }) => {}
                other => panic!("{url}: {other:?}"),
            }
        }
    }

    #[test]
    fn password_is_masked_in_names() -> Result<()> {
        let cache = RedisBytecodeCache::connect("redis://user:hunter2@127.0.0.1:6379/1")?;
        assert!(
            !cache.servers()[0].contains("hunter2"),
            "{:?}",
            cache.servers()
        );
        assert!(!format!("{cache:?}").contains("hunter2"));
        Ok(())
    }
}
