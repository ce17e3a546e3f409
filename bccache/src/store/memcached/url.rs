//! Server URLs: which forms name a memcached server, and the timeouts and port filled in.

use std::time::Duration;

use memcache::Url;
use xxhash_rust::xxh3::xxh3_64;

use crate::error::{Error, Result};

/// How long a URL's server may take to accept a connection, unless its `?connect_timeout=` says.
pub(super) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(250);
/// The socket read and write timeout, unless the URL's own `?timeout=` says (in seconds).
pub(super) const DEFAULT_IO_TIMEOUT: Duration = Duration::from_secs(1);

/// A checked server URL and what the connections to it need.
pub(super) struct ServerUrl {
    /// The URL as given, password masked: names the server in errors.
    pub(super) name: String,
    /// The URL the connections use: the given one with the default timeout and port filled in.
    pub(super) tuned: Url,
    /// Seeds this server's hash of keys in the cluster: a hash of where it listens (host and
    /// port, or socket path), so that spelling its URL differently does not move its keys.
    pub(super) seed: u64,
    pub(super) connect_timeout: Duration,
    pub(super) io_timeout: Duration,
    /// The `memcache` crate applies `?timeout=` to TCP only; a unix socket gets it set by hand.
    pub(super) is_unix: bool,
}

impl ServerUrl {
    /// Parses and checks a server URL, filling in the default port and I/O timeout.
    pub(super) fn parse(given: &str) -> Result<Self> {
        let invalid = |reason: &str| Error::InvalidServer {
            url: given.to_owned(),
            reason: reason.to_owned(),
        };
        let mut url = Url::parse(given).map_err(|e| invalid(&e.to_string()))?;
        let name = masked(&url);
        let invalid = |reason: &str| Error::InvalidServer {
            url: name.clone(),
            reason: reason.to_owned(),
        };
        match url.scheme() {
            "memcache" | "memcache+tcp" | "memcache+unix" => {}
            "memcache+udp" => return Err(invalid("UDP is not supported; use TCP")),
            "memcache+tls" => {
                return Err(invalid(
                    "TLS is not supported (the `memcache` crate is built without it)",
                ));
            }
            _ => return Err(invalid("the scheme must be `memcache`")),
        }
        let query = |name: &str| {
            url.query_pairs()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned())
        };
        if query("udp").as_deref() == Some("true") {
            return Err(invalid("UDP is not supported; use TCP"));
        }
        let seconds = |name: &str| -> Result<Option<Duration>> {
            query(name)
                .map(|value| {
                    value
                        .parse::<f64>()
                        .ok()
                        .filter(|secs| (0.001..1e9).contains(secs))
                        .map(Duration::from_secs_f64)
                        .ok_or_else(|| {
                            invalid(&format!(
                                "`{name}={value}` is not a positive number of seconds"
                            ))
                        })
                })
                .transpose()
        };
        let protocol = query("protocol");
        let connect_timeout = seconds("connect_timeout")?.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        let io_timeout = match seconds("timeout")? {
            Some(timeout) => timeout,
            None => {
                let secs = DEFAULT_IO_TIMEOUT.as_secs_f64().to_string();
                url.query_pairs_mut().append_pair("timeout", &secs);
                DEFAULT_IO_TIMEOUT
            }
        };
        // The crate's binary protocol reads and writes each header field with a system call of
        // its own (about 24 per get); its text protocol sends a request, or a multi-get of many
        // keys, in one write and reads replies through a buffer. Credentials need the binary
        // protocol (SASL).
        match protocol.as_deref() {
            None if url.username().is_empty() => {
                url.query_pairs_mut().append_pair("protocol", "ascii");
            }
            None | Some("ascii" | "binary") => {}
            Some(other) => {
                return Err(invalid(&format!(
                    "`protocol={other}` is neither `ascii` nor `binary`"
                )));
            }
        }
        // The `memcache` crate's rule: `memcache+unix`, or plain `memcache` with no host and no
        // port, is a unix socket; `memcache+tcp` is always TCP.
        let is_unix = url.scheme() == "memcache+unix"
            || (url.scheme() == "memcache" && url.host().is_none() && url.port().is_none());
        let address = if is_unix {
            if url.path().is_empty() || url.path() == "/" {
                return Err(invalid("a unix socket URL needs a path"));
            }
            url.path().to_owned()
        } else {
            let Some(host) = url.host_str().filter(|host| !host.is_empty()) else {
                return Err(invalid("no host"));
            };
            let host = host.to_ascii_lowercase();
            if url.port().is_none() && url.set_port(Some(11211)).is_err() {
                return Err(invalid("cannot add the default port 11211"));
            }
            format!("{host}:{}", url.port().unwrap_or(11211))
        };
        Ok(ServerUrl {
            seed: xxh3_64(address.as_bytes()),
            name,
            tuned: url,
            connect_timeout,
            io_timeout,
            is_unix,
        })
    }
}

/// The URL with its password masked, to name a server in errors and logs.
fn masked(url: &Url) -> String {
    if url.password().is_some() {
        let mut url = url.clone();
        if url.set_password(Some("***")).is_ok() {
            return url.to_string();
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_url_gets_default_timeout_and_port() -> Result<()> {
        let server = ServerUrl::parse("memcache://127.0.0.1")?;
        assert_eq!(server.tuned.port(), Some(11211));
        assert!(
            server
                .tuned
                .query_pairs()
                .any(|(k, v)| k == "timeout" && v == "1")
        );
        assert_eq!(server.connect_timeout, DEFAULT_CONNECT_TIMEOUT);
        Ok(())
    }

    #[test]
    fn text_protocol_unless_the_url_says_or_has_credentials() -> Result<()> {
        let protocol = |url: &str| -> Result<Vec<String>> {
            Ok(ServerUrl::parse(url)?
                .tuned
                .query_pairs()
                .filter(|(k, _)| k == "protocol")
                .map(|(_, v)| v.into_owned())
                .collect())
        };
        assert_eq!(protocol("memcache://127.0.0.1")?, ["ascii"]);
        assert_eq!(protocol("memcache:///run/m.sock")?, ["ascii"]);
        assert_eq!(protocol("memcache://h?protocol=binary")?, ["binary"]);
        assert_eq!(protocol("memcache://h?protocol=ascii")?, ["ascii"]);
        assert!(
            protocol("memcache://user:pw@h")?.is_empty(),
            "SASL needs binary"
        );
        assert!(matches!(
            ServerUrl::parse("memcache://h?protocol=meta"),
            Err(Error::InvalidServer { .. })
        ));
        Ok(())
    }

    #[test]
    fn url_timeouts_win() -> Result<()> {
        let server = ServerUrl::parse("memcache://127.0.0.1:1?timeout=0.2&connect_timeout=0.1")?;
        let timeouts: Vec<_> = server
            .tuned
            .query_pairs()
            .filter(|(k, _)| k == "timeout")
            .collect();
        assert_eq!(timeouts.len(), 1);
        assert_eq!(timeouts[0].1, "0.2");
        assert_eq!(server.connect_timeout, Duration::from_millis(100));
        Ok(())
    }

    #[test]
    fn url_without_host_or_port_is_a_unix_socket() -> Result<()> {
        let server = ServerUrl::parse("memcache:///run/memcached/memcached.sock")?;
        assert_eq!(server.tuned.port(), None);
        assert!(server.is_unix);
        assert!(ServerUrl::parse("memcache+unix:///run/memcached/memcached.sock")?.is_unix);
        assert!(matches!(
            ServerUrl::parse("memcache://"),
            Err(Error::InvalidServer { .. })
        ));
        Ok(())
    }

    #[test]
    fn tcp_url_without_a_host_is_refused_not_read_as_a_socket() {
        // The `memcache` crate connects `memcache+tcp` over TCP whatever the URL holds.
        match ServerUrl::parse("memcache+tcp:///run/memcached/memcached.sock") {
            Err(Error::InvalidServer { reason, .. }) => assert_eq!(reason, "no host"),
            Err(other) => panic!("unexpected error {other}"),
            Ok(_) => panic!("a TCP URL without a host was accepted"),
        }
    }

    /// This process's threads whose name starts with `name`, once there are `expected` of them
    /// or after 1 s: a new thread names itself a moment after it starts, an ending one is gone
    /// a moment after it is told to end.
    #[test]
    fn password_is_masked_in_names() -> Result<()> {
        let server = ServerUrl::parse("memcache://user:secret@127.0.0.1:1")?;
        assert!(!server.name.contains("secret"), "{}", server.name);
        Ok(())
    }

    #[test]
    fn bad_urls_are_refused_with_the_url() {
        for url in [
            "127.0.0.1:11211",
            "http://127.0.0.1:11211",
            "memcache+udp://127.0.0.1:11211",
            "memcache://127.0.0.1:11211?timeout=abc",
            "memcache://127.0.0.1:11211?timeout=0",
            "memcache://127.0.0.1:11211?udp=true",
        ] {
            match ServerUrl::parse(url) {
                Err(Error::InvalidServer { url: named, .. }) => {
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
}
