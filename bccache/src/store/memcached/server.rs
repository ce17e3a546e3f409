//! One memcached server given by URL: its lanes of kept-open connections, and the requests
//! the store makes of it, each encoded and parsed by [`protocol`](super::protocol).

use std::collections::HashMap;
use std::fmt;
use std::io;

use super::protocol::{self, Item, ProtocolError, Status, Store};
use super::url::ServerUrl;
use crate::error::Result;
use crate::net::Parsed;
use crate::net::lanes::{After, Lanes, Refused, Skipped};
use crate::net::stream::{Connection, ReceiveError, is_timeout};

/// One memcached server: its URL, and connections opened as concurrent requests need them.
pub(super) struct Server {
    pub(super) url: ServerUrl,
    lanes: Lanes<Connection>,
    /// The largest value taken in a reply: the store's item size.
    max_value: usize,
}

impl Server {
    /// The server at the URL `given`, not contacted yet, whose replies may carry values of up
    /// to `max_value` bytes.
    pub(super) fn new(given: &str, max_value: usize) -> Result<Self> {
        Ok(Server {
            url: ServerUrl::parse(given)?,
            lanes: Lanes::default(),
            max_value,
        })
    }

    /// The values of `keys` (one multi-get); a key with no value is left out.
    pub(super) fn get_multi(&self, keys: &[&str]) -> Result<HashMap<String, Vec<u8>>, ServerError> {
        let mut request = Vec::with_capacity(8 + keys.iter().map(|k| k.len() + 1).sum::<usize>());
        protocol::encode_get(keys, &mut request);
        self.run(|connection| {
            connection
                .send(&[&request])
                .map_err(|e| Failure::io(connection, e))?;
            let mut found = HashMap::new();
            loop {
                match self.receive_item(connection)? {
                    None => return Ok(found),
                    Some((key, value)) => {
                        // A value under a key not asked, or asked once and given twice, is a
                        // server out of step (or lying): nothing of its reply is used.
                        let asked = keys.iter().any(|k| k.as_bytes() == key.as_slice());
                        let key = String::from_utf8(key).ok().filter(|_| asked);
                        match key {
                            Some(key) if !found.contains_key(&key) => {
                                found.insert(key, value);
                            }
                            _ => {
                                return Err(Failure::Protocol(ProtocolError::Unexpected(
                                    "a value under a key not asked for".into(),
                                )));
                            }
                        }
                    }
                }
            }
        })
    }

    /// The value of `key`, or `None`.
    pub(super) fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ServerError> {
        Ok(self.get_multi(&[key])?.into_values().next())
    }

    /// Stores `value` under `key` with `command`, expiring after `exptime` seconds (0: never).
    pub(super) fn store(
        &self,
        command: Store,
        key: &str,
        value: &[u8],
        exptime: u32,
    ) -> Result<Status, ServerError> {
        let mut line = Vec::with_capacity(key.len() + 40);
        protocol::encode_store(command, key, exptime, value.len(), &mut line);
        self.status(&[&line, value, b"\r\n"])
    }

    fn status(&self, request: &[&[u8]]) -> Result<Status, ServerError> {
        self.run(|connection| {
            connection
                .send(request)
                .map_err(|e| Failure::io(connection, e))?;
            connection
                .receive(protocol::parse_status)
                .map_err(|error| match error {
                    ReceiveError::Io(e) => Failure::io(connection, e),
                    // A server's error line to a storage command is a whole reply.
                    ReceiveError::Protocol(e) if e.is_error_reply() => Failure::Refused(e),
                    ReceiveError::Protocol(e) => Failure::Protocol(e),
                })
        })
    }

    /// The next value of a retrieval reply, or `None` at its end.
    fn receive_item(&self, connection: &mut Connection) -> Result<Option<KeyValue>, Failure> {
        let max_value = self.max_value;
        connection
            .receive(|buf| {
                Ok(match protocol::parse_item(buf, max_value)? {
                    Parsed::Done(Item::End, taken) => Parsed::Done(None, taken),
                    Parsed::Done(Item::Value { key, data }, taken) => {
                        Parsed::Done(Some((key.to_vec(), data.to_vec())), taken)
                    }
                    Parsed::Incomplete(need) => Parsed::Incomplete(need),
                })
            })
            .map_err(|error| match error {
                ReceiveError::Io(e) => Failure::io(connection, e),
                ReceiveError::Protocol(e) => Failure::Protocol(e),
            })
    }

    /// Runs a request on a lane, naming the server in its error.
    fn run<T>(
        &self,
        request: impl FnMut(&mut Connection) -> Result<T, Failure>,
    ) -> Result<T, ServerError> {
        let connect =
            || Connection::open(&self.url.address, self.url.timeouts).map_err(Failure::Connect);
        self.lanes
            .run(connect, request)
            .map_err(|refused| ServerError {
                server: self.url.name.clone(),
                failure: match refused {
                    Refused::Skipped(for_ms) => Failure::Skipped(Skipped { for_ms }),
                    Refused::Failed(failure) => failure,
                },
            })
    }
}

/// A key and its value, as a reply gave them.
type KeyValue = (Vec<u8>, Vec<u8>);

/// Why a request to one server failed.
#[derive(Debug)]
pub(super) enum Failure {
    Skipped(Skipped),
    /// No connection could be opened.
    Connect(io::Error),
    /// The connection failed or timed out; `stale` when a kept-open connection was found
    /// closed before any byte of the reply.
    Io {
        error: io::Error,
        stale: bool,
    },
    /// A reply the client cannot take: the connection is out of step.
    Protocol(ProtocolError),
    /// The server refused a command with a whole error line: the connection is in step.
    Refused(ProtocolError),
}

impl Failure {
    fn io(connection: &Connection, error: io::Error) -> Self {
        let stale = connection.closed_unanswered(&error);
        Failure::Io { error, stale }
    }

    /// The server's own error line, e.g. `object too large for cache`.
    pub(super) fn server_message(&self) -> Option<&str> {
        match self {
            Failure::Refused(ProtocolError::Server(message)) => Some(message),
            _ => None,
        }
    }
}

impl crate::net::lanes::Failure for Failure {
    fn after(&self) -> After {
        match self {
            Failure::Refused(_) | Failure::Skipped(_) => After::Keep,
            Failure::Connect(_) => After::DropAndSkip,
            Failure::Io { error, .. } if is_timeout(error) => After::DropAndSkip,
            Failure::Io { .. } | Failure::Protocol(_) => After::Drop,
        }
    }

    fn is_stale(&self) -> bool {
        matches!(self, Failure::Io { stale: true, .. })
    }
}

/// A failed request, naming the server.
#[derive(Debug)]
pub(super) struct ServerError {
    server: String,
    pub(super) failure: Failure,
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "server `{}`", self.server)?;
        match &self.failure {
            Failure::Connect(_) => write!(f, ": cannot connect"),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.failure {
            Failure::Skipped(skipped) => Some(skipped),
            Failure::Connect(error) | Failure::Io { error, .. } => Some(error),
            Failure::Protocol(error) | Failure::Refused(error) => Some(error),
        }
    }
}
