//! One Redis server: its URL, its lanes of kept-open connections, and the rules for dropping
//! a connection and skipping the server, as [`crate::net`] applies them to the `redis` crate's
//! errors.

use std::fmt;

use redis::{ConnectionAddr, ConnectionInfo, ErrorKind, RedisError, RedisResult};

use crate::error::Result;
use crate::net::lanes::{After, Lanes, Refused, Skipped};
use crate::net::place::seed_of;
use crate::net::url::{Timeouts, invalid, masked};

/// One Redis server (a standalone server, or one node of a cluster).
pub(super) struct Server {
    /// The URL as given (password masked), or `host:port` for a node a cluster named.
    pub(super) name: String,
    /// Where it listens, `host:port` or the socket path: names it in a cluster's slot map.
    pub(super) address: String,
    /// Seeds this server's hash of keys among standalone servers.
    pub(super) seed: u64,
    info: ConnectionInfo,
    timeouts: Timeouts,
    lanes: Lanes<redis::Connection>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// The server at the `redis://` URL `given`, checked, not contacted yet.
    pub(super) fn parse(given: &str) -> Result<Self> {
        let Some(url) = redis::parse_redis_url(given) else {
            return Err(invalid(
                given,
                "not a Redis URL; write `redis://host:port` or `redis+unix:///path/to/socket`",
            ));
        };
        let name = masked(&url);
        if matches!(url.scheme(), "rediss" | "valkeys") {
            return Err(invalid(
                &name,
                "TLS is not supported (the `redis` crate is built without it)",
            ));
        }
        let timeouts = Timeouts::of(&url, &name)?;
        let info = redis::IntoConnectionInfo::into_connection_info(given)
            .map_err(|e| invalid(&name, e.to_string().to_lowercase()))?;
        Ok(Server::new(name, info, timeouts))
    }

    fn new(name: String, info: ConnectionInfo, timeouts: Timeouts) -> Self {
        let address = match &info.addr {
            ConnectionAddr::Tcp(host, port) => format!("{}:{port}", host.to_ascii_lowercase()),
            ConnectionAddr::Unix(path) => path.display().to_string(),
            // TLS is refused when the URL is parsed.
            other => format!("{other:?}"),
        };
        Server {
            name,
            seed: seed_of(&address),
            address,
            info,
            timeouts,
            lanes: Lanes::default(),
        }
    }

    /// A server at another TCP address with this one's credentials and timeouts: a cluster node.
    pub(super) fn sibling(&self, host: &str, port: u16) -> Self {
        let info = ConnectionInfo {
            addr: ConnectionAddr::Tcp(host.to_owned(), port),
            redis: self.info.redis.clone(),
        };
        Server::new(format!("{host}:{port}"), info, self.timeouts)
    }

    /// The host of a TCP server, for cluster nodes that announce no address of their own.
    pub(super) fn host(&self) -> Option<&str> {
        match &self.info.addr {
            ConnectionAddr::Tcp(host, _) => Some(host),
            _ => None,
        }
    }

    /// The database number the URL selects.
    pub(super) fn db(&self) -> i64 {
        self.info.redis.db
    }

    /// Runs one request on a kept-open connection of this server (see [`Lanes::run`]).
    pub(super) fn run<T>(
        &self,
        request: impl FnMut(&mut redis::Connection) -> RedisResult<T>,
    ) -> std::result::Result<T, ServerError> {
        let connect = || {
            let connection = redis::Client::open(self.info.clone())?
                .get_connection_with_timeout(self.timeouts.connect)?;
            connection.set_read_timeout(Some(self.timeouts.io))?;
            connection.set_write_timeout(Some(self.timeouts.io))?;
            Ok(connection)
        };
        self.lanes
            .run(connect, request)
            .map_err(|refused| match refused {
                Refused::Skipped(for_ms) => self.error(Failure::Skipped(Skipped { for_ms })),
                Refused::Failed(error) => self.error(Failure::Redis(error)),
            })
    }

    pub(super) fn error(&self, failure: Failure) -> ServerError {
        ServerError {
            server: self.name.clone(),
            failure,
        }
    }
}

impl crate::net::lanes::Failure for RedisError {
    fn after(&self) -> After {
        if self.is_timeout() {
            After::DropAndSkip
        } else if self.is_io_error() || self.kind() == ErrorKind::ParseError {
            // A server's error reply was read in full; anything else may leave bytes unread.
            After::Drop
        } else {
            After::Keep
        }
    }

    fn is_stale(&self) -> bool {
        self.is_connection_dropped()
    }
}

/// Why a request to one server failed.
#[derive(Debug)]
pub(super) enum Failure {
    /// The server is skipped after it refused a connection or timed out.
    Skipped(Skipped),
    /// The server or the connection to it failed.
    Redis(RedisError),
    /// The server answered something a cache cannot use.
    Unexpected(&'static str),
}

/// A failed request, naming the server.
#[derive(Debug)]
pub(super) struct ServerError {
    pub(super) server: String,
    pub(super) failure: Failure,
}

impl ServerError {
    /// The node a `MOVED` or `ASK` reply points to, and whether it was `ASK`.
    pub(super) fn redirect(&self) -> Option<(&str, bool)> {
        match &self.failure {
            Failure::Redis(error) => error
                .redirect_node()
                .map(|(address, _slot)| (address, error.kind() == ErrorKind::Ask)),
            _ => None,
        }
    }

    /// Whether the server refused a connection, timed out or dropped one: it may be gone.
    pub(super) fn is_unreachable(&self) -> bool {
        match &self.failure {
            Failure::Skipped(_) => true,
            Failure::Redis(error) => error.is_io_error(),
            Failure::Unexpected(_) => false,
        }
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.failure {
            Failure::Skipped(_) | Failure::Redis(_) => write!(f, "server `{}`", self.server),
            Failure::Unexpected(what) => write!(f, "server `{}`: {what}", self.server),
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.failure {
            Failure::Redis(error) => Some(error),
            Failure::Skipped(skipped) => Some(skipped),
            Failure::Unexpected(_) => None,
        }
    }
}
