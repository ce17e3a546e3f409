//! One Redis server: its URL, its connections ([`Endpoint`], greeted with `AUTH` and `SELECT`),
//! and requests as RESP commands whose replies [`resp`](super::resp) parses, on either
//! transport.

use std::fmt;

use url::Url;

use super::resp::{self, Limits, Reply, RespError, Value};
use crate::error::Result;
use crate::net::Parsed;
use crate::net::exchange::{Endpoint, Exchange, Failure, InStep, Transport};
use crate::net::lanes::Refused;
use crate::net::place::seed_of;
use crate::net::stream::Address;
use crate::net::url::{Timeouts, invalid, masked, query};

/// Redis's port, when a URL leaves it out.
const DEFAULT_PORT: u16 = 6379;

/// The largest value taken in a reply: Redis's own limit on a string (`proto-max-bulk-len`).
pub(super) const MAX_VALUE: usize = 512 * 1024 * 1024;

/// What a reply with no value in it (`+OK`, an integer, an error) may hold.
pub(super) const STATUS: Limits = Limits {
    max_bulk: 0,
    max_items: 0,
};

/// A failed request to one server, naming it.
pub(super) type ServerError = crate::net::exchange::ServerError<Refusal>;

/// What a server answered that a request cannot use.
#[derive(Debug)]
pub(super) enum Refusal {
    /// A reply RESP refuses: the connection is out of step.
    Resp(RespError),
    /// The greeting (`AUTH`, `SELECT`) was refused.
    Greeting(String),
    /// An error reply (`-ERR ...`, `-MOVED ...`): the connection is in step.
    Reply(String),
    /// A whole reply of another shape than the command's.
    Unexpected(&'static str),
}

impl InStep for Refusal {
    fn in_step(&self) -> bool {
        matches!(self, Refusal::Reply(_) | Refusal::Unexpected(_))
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Resp(error) => write!(f, "{error}"),
            Refusal::Greeting(message) => write!(f, "the connection's greeting failed: {message}"),
            Refusal::Reply(message) => write!(f, "{message}"),
            Refusal::Unexpected(what) => write!(f, "{what}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// One or more commands sent at once, and what each reply may hold.
pub(super) struct Request<'v> {
    head: Vec<u8>,
    /// A large argument sent from where it is (a `SET`'s value), then `tail`.
    value: &'v [u8],
    tail: Vec<u8>,
    limits: Vec<Limits>,
}

impl<'v> Request<'v> {
    /// No command yet.
    pub(super) fn new() -> Self {
        Request {
            head: Vec::new(),
            value: &[],
            tail: Vec::new(),
            limits: Vec::new(),
        }
    }

    /// One command whose reply holds at most `limits`.
    pub(super) fn command(args: &[&[u8]], limits: Limits) -> Self {
        let mut request = Request::new();
        request.push(args, limits);
        request
    }

    /// Adds a command to the pipeline.
    pub(super) fn push(&mut self, args: &[&[u8]], limits: Limits) {
        resp::encode_command(args, &mut self.tail);
        self.limits.push(limits);
    }

    /// `SET key value [EX secs]`, the value sent from where it is.
    pub(super) fn set(key: &[u8], value: &'v [u8], expiry: Option<u32>) -> Self {
        let expiry = expiry.map(|secs| secs.to_string());
        let mut head = Vec::with_capacity(key.len() + 40);
        resp::encode_array_header(if expiry.is_some() { 5 } else { 3 }, &mut head);
        resp::encode_args(&[b"SET", key], &mut head);
        resp::encode_bulk_header(value.len(), &mut head);
        let mut tail = b"\r\n".to_vec();
        if let Some(secs) = &expiry {
            resp::encode_args(&[b"EX", secs.as_bytes()], &mut tail);
        }
        Request {
            head,
            value,
            tail,
            limits: vec![STATUS],
        }
    }

    /// The same request after `ASKING`, for a slot being moved.
    pub(super) fn asking(&self) -> Request<'v> {
        let mut head = Vec::with_capacity(self.head.len() + 16);
        resp::encode_command(&[b"ASKING"], &mut head);
        head.extend_from_slice(&self.head);
        let mut limits = vec![STATUS];
        limits.extend_from_slice(&self.limits);
        Request {
            head,
            value: self.value,
            tail: self.tail.clone(),
            limits,
        }
    }

    fn parts(&self) -> [&[u8]; 3] {
        [&self.head, self.value, &self.tail]
    }
}

/// What a caller does while a server answers, and with a bulk string that is the last reply.
pub(super) trait Awaiting: Send {
    /// Work to do once the request is written, e.g. summing a source while a `GET` is out;
    /// called again if the request is sent again on a new connection.
    fn sent(&mut self);

    /// Takes the bulk string that is the request's last reply, once it is whole, where it lies
    /// in the received bytes; the reply becomes [`Value::Taken`].
    fn take(&mut self, bytes: &[u8]);
}

/// What to do while a server answers, and with its value.
pub(super) type WhileWaiting<'w> = Option<&'w mut dyn Awaiting>;

/// The replies to a request, after those of a new connection's greeting.
pub(super) struct Replies<'r, 'w> {
    limits: &'r [Limits],
    greeting: usize,
    values: Vec<Value>,
    while_waiting: WhileWaiting<'w>,
}

impl<'r, 'w> Replies<'r, 'w> {
    /// The replies to commands whose replies hold at most `limits`.
    pub(super) fn new(limits: &'r [Limits], while_waiting: WhileWaiting<'w>) -> Self {
        Replies {
            limits,
            greeting: 0,
            values: Vec::with_capacity(limits.len()),
            while_waiting,
        }
    }
}

impl Exchange for Replies<'_, '_> {
    type Output = Vec<Value>;
    type Error = Refusal;

    fn sent(&mut self) {
        if let Some(awaiting) = self.while_waiting.as_deref_mut() {
            awaiting.sent();
        }
    }

    fn greet(&mut self, replies: usize) {
        self.greeting = replies;
    }

    fn parse(&mut self, bytes: &[u8]) -> Result<Parsed<Option<Vec<Value>>>, Refusal> {
        let limits = match self.greeting {
            0 => self
                .limits
                .get(self.values.len())
                .copied()
                .unwrap_or(STATUS),
            _ => STATUS,
        };
        let last = self.greeting == 0 && self.values.len() + 1 == self.limits.len();
        let parsed = match self.while_waiting.as_deref_mut() {
            Some(awaiting) if last => {
                match resp::parse_borrowed(bytes, limits).map_err(Refusal::Resp)? {
                    Parsed::Done(Reply::Bulk(bulk), taken) => {
                        awaiting.take(bulk);
                        Parsed::Done(Value::Taken(bulk.len()), taken)
                    }
                    Parsed::Done(Reply::Other(value), taken) => Parsed::Done(value, taken),
                    Parsed::Incomplete(need) => Parsed::Incomplete(need),
                }
            }
            _ => resp::parse(bytes, limits).map_err(Refusal::Resp)?,
        };
        let (value, taken) = match parsed {
            Parsed::Done(value, taken) => (value, taken),
            Parsed::Incomplete(need) => return Ok(Parsed::Incomplete(need)),
        };
        if self.greeting > 0 {
            self.greeting -= 1;
            return match value {
                Value::Simple(ok) if ok == b"OK" => Ok(Parsed::Done(None, taken)),
                Value::Error(message) => Err(Refusal::Greeting(message)),
                _ => Err(Refusal::Greeting("not `+OK`".into())),
            };
        }
        self.values.push(value);
        if self.values.len() < self.limits.len() {
            return Ok(Parsed::Done(None, taken));
        }
        Ok(Parsed::Done(Some(std::mem::take(&mut self.values)), taken))
    }
}

/// Who a connection logs in as, and which database it selects.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Login {
    username: Option<String>,
    password: Option<String>,
    db: i64,
}

impl Login {
    /// `AUTH` and `SELECT` as needed, and how many replies they get.
    fn greeting(&self) -> (Vec<u8>, usize) {
        let mut out = Vec::new();
        let mut replies = 0;
        if let Some(password) = &self.password {
            match &self.username {
                Some(user) => {
                    resp::encode_command(&[b"AUTH", user.as_bytes(), password.as_bytes()], &mut out)
                }
                None => resp::encode_command(&[b"AUTH", password.as_bytes()], &mut out),
            }
            replies += 1;
        }
        if self.db != 0 {
            resp::encode_command(&[b"SELECT", self.db.to_string().as_bytes()], &mut out);
            replies += 1;
        }
        (out, replies)
    }
}

/// One Redis server (a standalone server, or one node of a cluster).
pub(super) struct Server {
    /// Where it listens, `host:port` or the socket path: names it in a cluster's slot map.
    pub(super) address: String,
    /// Seeds this server's hash of keys among standalone servers.
    pub(super) seed: u64,
    host: Option<String>,
    login: Login,
    endpoint: Endpoint,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("name", &self.endpoint.name)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// The server at the URL `given`: `redis://[user:password@]host[:port][/db]` or
    /// `redis+unix:///path?db=N&user=..&pass=..` (`unix://`, `valkey://` too), checked, not
    /// contacted yet.
    pub(super) fn parse(given: &str) -> Result<Self> {
        let not_redis =
            "not a Redis URL; write `redis://host:port` or `redis+unix:///path/to/socket`";
        let url = Url::parse(given).map_err(|_| invalid(given, not_redis))?;
        let name = masked(&url);
        let invalid = |reason: &str| invalid(&name, reason);
        let decoded = |text: &str| {
            url::form_urlencoded::parse(format!("x={text}").as_bytes())
                .next()
                .map(|(_, value)| value.into_owned())
                .unwrap_or_default()
        };
        let timeouts = Timeouts::of(&url, &name)?;
        let (address, host, mut login) = match url.scheme() {
            "redis" | "valkey" => {
                let Some(host) = url.host_str().filter(|host| !host.is_empty()) else {
                    return Err(invalid("no host"));
                };
                let host = host.trim_start_matches('[').trim_end_matches(']');
                let host = host.to_ascii_lowercase();
                let port = url.port().unwrap_or(DEFAULT_PORT);
                let db = match url.path().trim_matches('/') {
                    "" => 0,
                    db => db
                        .parse()
                        .map_err(|_| invalid(&format!("`{db}` is not a database number")))?,
                };
                let login = Login {
                    username: Some(decoded(url.username())).filter(|user| !user.is_empty()),
                    password: url.password().map(decoded),
                    db,
                };
                let address = Address::Tcp(format!("{host}:{port}"));
                (address, Some(host), login)
            }
            "redis+unix" | "valkey+unix" | "unix" => {
                if url.path().is_empty() || url.path() == "/" {
                    return Err(invalid("a unix socket URL needs a path"));
                }
                let db = match query(&url, "db") {
                    None => 0,
                    Some(db) => db
                        .parse()
                        .map_err(|_| invalid(&format!("`db={db}` is not a database number")))?,
                };
                let login = Login {
                    username: query(&url, "user"),
                    password: query(&url, "pass"),
                    db,
                };
                (Address::Unix(url.path().into()), None, login)
            }
            "rediss" | "valkeys" => return Err(invalid("TLS is not supported")),
            _ => return Err(invalid(not_redis)),
        };
        if login.username.is_some() && login.password.is_none() {
            login.password = Some(String::new());
        }
        Ok(Server::new(name, address, host, login, timeouts))
    }

    fn new(
        name: String,
        address: Address,
        host: Option<String>,
        login: Login,
        timeouts: Timeouts,
    ) -> Self {
        let address_name = match &address {
            Address::Tcp(host_port) => host_port.clone(),
            Address::Unix(path) => path.display().to_string(),
        };
        let mut endpoint = Endpoint::new(name, address, timeouts);
        (endpoint.greeting, endpoint.greeting_replies) = login.greeting();
        Server {
            seed: seed_of(&address_name),
            address: address_name,
            host,
            login,
            endpoint,
        }
    }

    /// A server at another TCP address with this one's credentials and timeouts: a cluster node.
    pub(super) fn sibling(&self, host: &str, port: u16) -> Self {
        let host = host.to_ascii_lowercase();
        let address = Address::Tcp(format!("{host}:{port}"));
        Server::new(
            format!("{host}:{port}"),
            address,
            Some(host),
            self.login.clone(),
            self.endpoint.timeouts,
        )
    }

    /// The URL as given (password masked), or `host:port` for a node a cluster named.
    pub(super) fn name(&self) -> &str {
        &self.endpoint.name
    }

    /// The host of a TCP server, for cluster nodes that announce no address of their own.
    pub(super) fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// The database number the URL selects.
    pub(super) fn db(&self) -> i64 {
        self.login.db
    }

    /// Connections kept open now, by both transports.
    pub(super) fn pooled(&self) -> usize {
        self.endpoint.pooled()
    }

    /// Sends `request` and returns its replies, one per command, error replies among them.
    pub(super) async fn query<T: Transport>(
        &self,
        transport: T,
        request: &Request<'_>,
    ) -> std::result::Result<Vec<Value>, ServerError> {
        self.query_while(transport, request, None).await
    }

    /// [`query`](Self::query), doing `while_waiting` once the request is sent.
    pub(super) async fn query_while<T: Transport>(
        &self,
        transport: T,
        request: &Request<'_>,
        while_waiting: WhileWaiting<'_>,
    ) -> std::result::Result<Vec<Value>, ServerError> {
        let mut replies = Replies::new(&request.limits, while_waiting);
        let parts = request.parts();
        transport
            .exchange(&self.endpoint, &parts, &mut replies)
            .await
    }

    /// The reply to a request of one command; an error reply is an error.
    pub(super) async fn query_one<T: Transport>(
        &self,
        transport: T,
        request: &Request<'_>,
        while_waiting: WhileWaiting<'_>,
    ) -> std::result::Result<Value, ServerError> {
        match self
            .query_while(transport, request, while_waiting)
            .await?
            .pop()
        {
            Some(Value::Error(message)) => Err(self.refused(Refusal::Reply(message))),
            Some(value) => Ok(value),
            None => Err(self.refused(Refusal::Unexpected("no reply"))),
        }
    }

    /// An error of this server.
    pub(super) fn refused(&self, refusal: Refusal) -> ServerError {
        self.endpoint
            .error(Refused::Failed(Failure::Protocol(refusal)))
    }
}

/// The node a `MOVED` or `ASK` reply points to, and whether it was `ASK`.
pub(super) fn redirect(error: &ServerError) -> Option<(&str, bool)> {
    let Failure::Protocol(Refusal::Reply(message)) = &error.failure else {
        return None;
    };
    let mut words = message.split(' ');
    let ask = match words.next() {
        Some("MOVED") => false,
        Some("ASK") => true,
        _ => return None,
    };
    let _slot = words.next()?;
    Some((words.next()?, ask))
}

/// Whether the server refused a connection, timed out or dropped one: it may be gone.
pub(super) fn is_unreachable(error: &ServerError) -> bool {
    matches!(
        error.failure,
        Failure::Skipped(_) | Failure::Connect(_) | Failure::Io { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_address_login_and_database() -> Result<()> {
        let server = Server::parse("redis://user:p%40ss@Example.org:7000/3?timeout=0.5")?;
        assert_eq!(server.address, "example.org:7000");
        assert_eq!(
            server.login,
            Login {
                username: Some("user".into()),
                password: Some("p@ss".into()),
                db: 3
            }
        );
        assert_eq!(server.endpoint.greeting_replies, 2);
        let plain = Server::parse("redis://127.0.0.1")?;
        assert_eq!(plain.address, "127.0.0.1:6379");
        assert_eq!(plain.endpoint.greeting_replies, 0);
        let socket = Server::parse("redis+unix:///run/redis.sock?db=2&pass=x")?;
        assert_eq!(socket.address, "/run/redis.sock");
        assert_eq!(socket.db(), 2);
        assert!(socket.host().is_none());
        Ok(())
    }

    #[test]
    fn redirects_name_their_node() {
        let server = Server::parse("redis://127.0.0.1:1").expect("a URL");
        let moved = server.refused(Refusal::Reply("MOVED 3999 127.0.0.1:6381".into()));
        assert_eq!(redirect(&moved), Some(("127.0.0.1:6381", false)));
        let ask = server.refused(Refusal::Reply("ASK 3999 127.0.0.1:6382".into()));
        assert_eq!(redirect(&ask), Some(("127.0.0.1:6382", true)));
        let other = server.refused(Refusal::Reply("ERR nope".into()));
        assert_eq!(redirect(&other), None);
    }
}
