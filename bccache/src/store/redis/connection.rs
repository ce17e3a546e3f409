//! One Redis server: its URL, kept-open connections, and the rules for dropping and skipping.

use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

use redis::{ConnectionAddr, ConnectionInfo, ErrorKind, RedisError, RedisResult};
use xxhash_rust::xxh3::xxh3_64;

use crate::error::{Error, Result};

/// How long a server may take to accept a connection, unless the URL's `?connect_timeout=` says.
pub(super) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(250);
/// The socket read and write timeout, unless the URL's `?timeout=` says (in seconds).
pub(super) const DEFAULT_IO_TIMEOUT: Duration = Duration::from_secs(1);
/// How long a server that refused a connection or timed out is skipped.
const SKIP_FOR: Duration = Duration::from_secs(1);
/// Connections per server: the most requests one server serves at once from this process.
const LANES_PER_SERVER: usize = 8;

/// How to reach servers: the timeouts and credentials every connection of a server uses.
#[derive(Clone, Debug)]
pub(super) struct Settings {
    pub(super) connect_timeout: Duration,
    pub(super) io_timeout: Duration,
}

/// One Redis server (a standalone server, or one node of a cluster).
pub(super) struct Server {
    /// The URL as given (password masked), or `host:port` for a node a cluster named.
    pub(super) name: String,
    /// Where it listens, `host:port` or the socket path: names it in a cluster's slot map.
    pub(super) address: String,
    /// Seeds this server's hash of keys among standalone servers: a hash of where it listens,
    /// so that spelling its URL differently does not move its keys.
    pub(super) seed: u64,
    info: ConnectionInfo,
    settings: Settings,
    /// Each lane owns one connection, used by one request at a time, so a broken connection is
    /// dropped before anyone else can take it.
    lanes: Box<[Mutex<Option<redis::Connection>>]>,
    next_lane: AtomicUsize,
    /// Start of this server's clock for `skip_until_ms`.
    epoch: Instant,
    /// While this server's clock is below it, the server is skipped.
    skip_until_ms: AtomicU64,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A server URL, checked: what [`Server::new`] needs.
pub(super) struct ParsedUrl {
    pub(super) name: String,
    pub(super) info: ConnectionInfo,
    pub(super) settings: Settings,
}

impl ParsedUrl {
    /// Checks a `redis://` URL and reads its timeouts. `given` names it in errors.
    pub(super) fn parse(given: &str) -> Result<Self> {
        let invalid = |url: &str, reason: &str| Error::InvalidServer {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let Some(url) = redis::parse_redis_url(given) else {
            return Err(invalid(
                given,
                "not a Redis URL; write `redis://host:port` or `redis+unix:///path/to/socket`",
            ));
        };
        // The URL with its password masked, to name the server in errors and logs.
        let mut shown = url.clone();
        if url.password().is_some() && shown.set_password(Some("***")).is_err() {
            shown = url.clone();
        }
        let name = shown.to_string();
        let invalid = |reason: &str| invalid(&name, reason);
        if matches!(url.scheme(), "rediss" | "valkeys") {
            return Err(invalid(
                "TLS is not supported (the `redis` crate is built without it)",
            ));
        }
        let query = |key: &str| {
            url.query_pairs()
                .find(|(k, _)| k == key)
                .map(|(_, value)| value.into_owned())
        };
        let seconds = |key: &str| -> Result<Option<Duration>> {
            query(key)
                .map(|value| {
                    value
                        .parse::<f64>()
                        .ok()
                        .filter(|secs| (0.001..1e9).contains(secs))
                        .map(Duration::from_secs_f64)
                        .ok_or_else(|| {
                            invalid(&format!(
                                "`{key}={value}` is not a positive number of seconds"
                            ))
                        })
                })
                .transpose()
        };
        let settings = Settings {
            connect_timeout: seconds("connect_timeout")?.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            io_timeout: seconds("timeout")?.unwrap_or(DEFAULT_IO_TIMEOUT),
        };
        let info = redis::IntoConnectionInfo::into_connection_info(given)
            .map_err(|e| invalid(&e.to_string().to_lowercase()))?;
        Ok(ParsedUrl {
            name,
            info,
            settings,
        })
    }
}

impl Server {
    pub(super) fn new(name: String, info: ConnectionInfo, settings: Settings) -> Self {
        let address = match &info.addr {
            ConnectionAddr::Tcp(host, port) => format!("{}:{port}", host.to_ascii_lowercase()),
            ConnectionAddr::Unix(path) => path.display().to_string(),
            // TLS is refused when the URL is parsed.
            other => format!("{other:?}"),
        };
        Server {
            name,
            seed: xxh3_64(address.as_bytes()),
            address,
            info,
            settings,
            lanes: (0..LANES_PER_SERVER).map(|_| Mutex::new(None)).collect(),
            next_lane: AtomicUsize::new(0),
            epoch: Instant::now(),
            skip_until_ms: AtomicU64::new(0),
        }
    }

    /// A server at another TCP address with this one's credentials and timeouts: a cluster node.
    pub(super) fn sibling(&self, host: &str, port: u16) -> Self {
        let info = ConnectionInfo {
            addr: ConnectionAddr::Tcp(host.to_owned(), port),
            redis: self.info.redis.clone(),
        };
        Server::new(format!("{host}:{port}"), info, self.settings.clone())
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

    /// Runs one request on a kept-open connection of this server. A connection that failed in a
    /// way that may leave a reply unread is dropped; a server that refused a connection or timed
    /// out is skipped for a second. A kept-open connection the server had closed (a restart, an
    /// idle timeout) is replaced and the request sent once more: every request here is
    /// idempotent.
    pub(super) fn run<T>(
        &self,
        mut request: impl FnMut(&mut redis::Connection) -> RedisResult<T>,
    ) -> std::result::Result<T, ServerError> {
        let now_ms = self.now_ms();
        let skip_until_ms = self.skip_until_ms.load(Ordering::Relaxed);
        if now_ms < skip_until_ms {
            return Err(self.error(Failure::Skipped {
                for_ms: skip_until_ms - now_ms,
            }));
        }
        let mut lane = self.lane();
        let reused = lane.is_some();
        let error = match self.request_on(&mut lane, &mut request) {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        if reused && lane.is_none() && error.is_connection_dropped() {
            return self
                .request_on(&mut lane, &mut request)
                .map_err(|error| self.error(Failure::Redis(error)));
        }
        Err(self.error(Failure::Redis(error)))
    }

    fn request_on<T>(
        &self,
        lane: &mut Option<redis::Connection>,
        request: &mut impl FnMut(&mut redis::Connection) -> RedisResult<T>,
    ) -> RedisResult<T> {
        let mut connection = match lane.take() {
            Some(connection) => connection,
            None => self.connect().inspect_err(|_| self.skip())?,
        };
        let result = request(&mut connection);
        let in_step = match &result {
            Ok(_) => true,
            // A server's error reply was read in full; anything else may leave bytes unread.
            Err(error) => {
                if error.is_timeout() {
                    self.skip();
                }
                !error.is_io_error() && error.kind() != ErrorKind::ParseError
            }
        };
        if in_step && redis::ConnectionLike::is_open(&connection) {
            *lane = Some(connection);
        }
        result
    }

    fn connect(&self) -> RedisResult<redis::Connection> {
        let connection = redis::Client::open(self.info.clone())?
            .get_connection_with_timeout(self.settings.connect_timeout)?;
        connection.set_read_timeout(Some(self.settings.io_timeout))?;
        connection.set_write_timeout(Some(self.settings.io_timeout))?;
        Ok(connection)
    }

    fn skip(&self) {
        let until = self.now_ms().saturating_add(SKIP_FOR.as_millis() as u64);
        self.skip_until_ms.fetch_max(until, Ordering::Relaxed);
    }

    fn now_ms(&self) -> u64 {
        // Clamped at u64::MAX milliseconds, half a billion years.
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A free lane, or, when all are busy, one to wait for.
    fn lane(&self) -> MutexGuard<'_, Option<redis::Connection>> {
        for lane in self.lanes.iter() {
            match lane.try_lock() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(poisoned)) => {
                    return recover(lane, poisoned.into_inner());
                }
                Err(TryLockError::WouldBlock) => {}
            }
        }
        let lane = &self.lanes[self.next_lane.fetch_add(1, Ordering::Relaxed) % self.lanes.len()];
        match lane.lock() {
            Ok(guard) => guard,
            Err(poisoned) => recover(lane, poisoned.into_inner()),
        }
    }

    pub(super) fn error(&self, failure: Failure) -> ServerError {
        ServerError {
            server: self.name.clone(),
            failure,
        }
    }
}

/// A lane whose last user panicked mid-request may hold a connection with a reply unread.
fn recover<'a>(
    lane: &'a Mutex<Option<redis::Connection>>,
    mut guard: MutexGuard<'a, Option<redis::Connection>>,
) -> MutexGuard<'a, Option<redis::Connection>> {
    *guard = None;
    lane.clear_poison();
    guard
}

/// Why a request to one server failed.
#[derive(Debug)]
pub(super) enum Failure {
    /// The server is skipped after it refused a connection or timed out.
    Skipped { for_ms: u64 },
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
            Failure::Skipped { .. } => true,
            Failure::Redis(error) => error.is_io_error(),
            Failure::Unexpected(_) => false,
        }
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.failure {
            Failure::Skipped { for_ms } => write!(
                f,
                "server `{}` skipped for another {for_ms} ms after it refused a connection or \
                 timed out",
                self.server
            ),
            Failure::Redis(_) => write!(f, "server `{}`", self.server),
            Failure::Unexpected(what) => write!(f, "server `{}`: {what}", self.server),
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.failure {
            Failure::Redis(error) => Some(error),
            Failure::Skipped { .. } | Failure::Unexpected(_) => None,
        }
    }
}
