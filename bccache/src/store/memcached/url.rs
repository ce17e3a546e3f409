//! Server URLs: which forms name a memcached server, where it listens, and its timeouts.

use url::Url;

use crate::error::Result;
use crate::net::place::seed_of;
use crate::net::stream::Address;
use crate::net::url::{Timeouts, invalid, masked, query};

/// memcached's port, when a URL leaves it out.
const DEFAULT_PORT: u16 = 11211;

/// A checked server URL and what the connections to it need.
pub(super) struct ServerUrl {
    /// The URL as given, password masked: names the server in errors.
    pub(super) name: String,
    pub(super) address: Address,
    /// Seeds this server's hash of keys in the cluster: a hash of where it listens (host and
    /// port, or socket path), so that spelling its URL differently does not move its keys.
    pub(super) seed: u64,
    pub(super) timeouts: Timeouts,
}

impl ServerUrl {
    /// Parses and checks a server URL, filling in the default port and timeouts.
    pub(super) fn parse(given: &str) -> Result<Self> {
        let url = Url::parse(given).map_err(|e| invalid(given, e.to_string()))?;
        let name = masked(&url);
        let invalid = |reason: &str| invalid(&name, reason);
        match url.scheme() {
            "memcache" | "memcache+tcp" | "memcache+unix" => {}
            "memcache+udp" => return Err(invalid("UDP is not supported; use TCP")),
            "memcache+tls" => return Err(invalid("TLS is not supported")),
            _ => return Err(invalid("the scheme must be `memcache`")),
        }
        if query(&url, "udp").as_deref() == Some("true") {
            return Err(invalid("UDP is not supported; use TCP"));
        }
        match query(&url, "protocol").as_deref() {
            None | Some("ascii") => {}
            Some("binary") => {
                return Err(invalid(
                    "the store's own client speaks memcached's text protocol; for the binary \
                     protocol, hand a client to `.client()`",
                ));
            }
            Some(other) => {
                return Err(invalid(&format!("`protocol={other}` is not `ascii`")));
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(
                "the store's own client does not authenticate (SASL needs the binary protocol); \
                 hand a client that does to `.client()`",
            ));
        }
        let timeouts = Timeouts::of(&url, &name)?;
        // `memcache+unix`, or plain `memcache` with no host and no port, is a unix socket;
        // `memcache+tcp` is always TCP.
        let is_unix = url.scheme() == "memcache+unix"
            || (url.scheme() == "memcache" && url.host().is_none() && url.port().is_none());
        let (address, seed) = if is_unix {
            if url.path().is_empty() || url.path() == "/" {
                return Err(invalid("a unix socket URL needs a path"));
            }
            (Address::Unix(url.path().into()), seed_of(url.path()))
        } else {
            let Some(host) = url.host_str().filter(|host| !host.is_empty()) else {
                return Err(invalid("no host"));
            };
            let host = host.to_ascii_lowercase();
            let host_port = format!("{host}:{}", url.port().unwrap_or(DEFAULT_PORT));
            (Address::Tcp(host_port.clone()), seed_of(&host_port))
        };
        Ok(ServerUrl {
            name,
            address,
            seed,
            timeouts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::net::url::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_IO_TIMEOUT};
    use std::time::Duration;

    #[test]
    fn server_url_gets_default_timeouts_and_port() -> Result<()> {
        let server = ServerUrl::parse("memcache://127.0.0.1")?;
        assert_eq!(server.address, Address::Tcp("127.0.0.1:11211".into()));
        assert_eq!(server.timeouts.connect, DEFAULT_CONNECT_TIMEOUT);
        assert_eq!(server.timeouts.io, DEFAULT_IO_TIMEOUT);
        let tuned = ServerUrl::parse("memcache://h:1?timeout=0.2&protocol=ascii")?;
        assert_eq!(tuned.timeouts.io, Duration::from_millis(200));
        Ok(())
    }

    #[test]
    fn url_without_host_or_port_is_a_unix_socket() -> Result<()> {
        let path = "/run/memcached/memcached.sock";
        let server = ServerUrl::parse(&format!("memcache://{path}"))?;
        assert_eq!(server.address, Address::Unix(path.into()));
        let plus = ServerUrl::parse(&format!("memcache+unix://{path}"))?;
        assert_eq!(plus.address, Address::Unix(path.into()));
        assert!(matches!(
            ServerUrl::parse("memcache://"),
            Err(Error::InvalidServer { .. })
        ));
        Ok(())
    }

    #[test]
    fn tcp_url_without_a_host_is_refused_not_read_as_a_socket() {
        match ServerUrl::parse("memcache+tcp:///run/memcached/memcached.sock") {
            Err(Error::InvalidServer { reason, .. }) => assert_eq!(reason, "no host"),
            Err(other) => panic!("unexpected error {other}"),
            Ok(_) => panic!("a TCP URL without a host was accepted"),
        }
    }

    #[test]
    fn bad_urls_are_refused_with_the_url_password_masked() {
        for url in [
            "127.0.0.1:11211",
            "http://127.0.0.1:11211",
            "memcache+udp://127.0.0.1:11211",
            "memcache://127.0.0.1:11211?timeout=abc",
            "memcache://127.0.0.1:11211?timeout=0",
            "memcache://127.0.0.1:11211?udp=true",
            "memcache://127.0.0.1:11211?protocol=binary",
            "memcache://user:secret@127.0.0.1:11211",
        ] {
            match ServerUrl::parse(url) {
                Err(Error::InvalidServer { url: named, .. }) => {
                    assert!(!named.contains("secret"), "{named}");
                    assert!(
                        url.starts_with(named.trim_end_matches('/')) || named.contains("127.0.0.1"),
                        "{named}"
                    )
                }
                Err(other) => panic!("{url}: unexpected error {other}"),
                Ok(_) => panic!("{url} was accepted"),
            }
        }
    }

    #[test]
    fn placement_follows_where_a_server_listens_not_how_its_url_is_spelled() -> Result<()> {
        let seed = |url| ServerUrl::parse(url).map(|server| server.seed);
        assert_eq!(
            seed("memcache://a")?,
            seed("memcache://A:11211?timeout=0.5")?
        );
        assert_eq!(
            seed("memcache:///run/c.sock")?,
            seed("memcache+unix:///run/c.sock")?
        );
        assert_ne!(seed("memcache://a")?, seed("memcache://a:11212")?);
        Ok(())
    }
}
