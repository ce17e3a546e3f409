//! One memcached server given by URL: its connections ([`Endpoint`]), and the requests the
//! store makes of it, each encoded and parsed by [`protocol`](super::protocol), on either
//! transport.

use std::collections::HashMap;

use super::protocol::{self, Item, ProtocolError, Status, Store};
use super::url::ServerUrl;
use crate::error::Result;
use crate::net::Parsed;
use crate::net::exchange::{Endpoint, Exchange, Failure, InStep, Transport};

/// A failed request to one server, naming it.
pub(super) type ServerError = crate::net::exchange::ServerError<ProtocolError>;

/// One memcached server: its URL, and connections opened as concurrent requests need them.
pub(super) struct Server {
    pub(super) url: ServerUrl,
    pub(super) endpoint: Endpoint,
    /// The largest value taken in a reply: the store's item size.
    max_value: usize,
}

impl InStep for ProtocolError {
    fn in_step(&self) -> bool {
        self.is_error_reply()
    }
}

/// The values of a multi-get, as its reply brings them one at a time.
struct Values<'k> {
    keys: &'k [&'k str],
    max_value: usize,
    found: HashMap<String, Vec<u8>>,
}

impl Exchange for Values<'_> {
    type Output = HashMap<String, Vec<u8>>;
    type Error = ProtocolError;

    fn parse(&mut self, bytes: &[u8]) -> Result<Parsed<Option<Self::Output>>, ProtocolError> {
        Ok(match protocol::parse_item(bytes, self.max_value)? {
            Parsed::Done(Item::End, taken) => {
                Parsed::Done(Some(std::mem::take(&mut self.found)), taken)
            }
            Parsed::Done(Item::Value { key, data }, taken) => {
                // A value under a key not asked, or asked once and given twice, is a server
                // out of step (or lying): nothing of its reply is used.
                let asked = self.keys.iter().any(|k| k.as_bytes() == key);
                match std::str::from_utf8(key).ok().filter(|_| asked) {
                    Some(key) if !self.found.contains_key(key) => {
                        self.found.insert(key.to_owned(), data.to_vec());
                        Parsed::Done(None, taken)
                    }
                    _ => {
                        return Err(ProtocolError::Unexpected(
                            "a value under a key not asked for".into(),
                        ));
                    }
                }
            }
            Parsed::Incomplete(need) => Parsed::Incomplete(need),
        })
    }
}

/// The one-line reply to a storage or delete command.
struct StatusLine;

impl Exchange for StatusLine {
    type Output = Status;
    type Error = ProtocolError;

    fn parse(&mut self, bytes: &[u8]) -> Result<Parsed<Option<Status>>, ProtocolError> {
        Ok(match protocol::parse_status(bytes)? {
            Parsed::Done(status, taken) => Parsed::Done(Some(status), taken),
            Parsed::Incomplete(need) => Parsed::Incomplete(need),
        })
    }
}

impl Server {
    /// The server at the URL `given`, not contacted yet, whose replies may carry values of up
    /// to `max_value` bytes.
    pub(super) fn new(given: &str, max_value: usize) -> Result<Self> {
        let url = ServerUrl::parse(given)?;
        let endpoint = Endpoint::new(url.name.clone(), url.address.clone(), url.timeouts);
        Ok(Server {
            url,
            endpoint,
            max_value,
        })
    }

    /// The values of `keys` (one multi-get); a key with no value is left out.
    pub(super) async fn get_multi<T: Transport>(
        &self,
        transport: T,
        keys: &[&str],
    ) -> Result<HashMap<String, Vec<u8>>, ServerError> {
        let mut request = Vec::with_capacity(8 + keys.iter().map(|k| k.len() + 1).sum::<usize>());
        protocol::encode_get(keys, &mut request);
        let mut values = Values {
            keys,
            max_value: self.max_value,
            found: HashMap::new(),
        };
        transport
            .exchange(&self.endpoint, &[&request], &mut values)
            .await
    }

    /// Stores `value` under `key` with `command`, expiring after `exptime` seconds (0: never).
    pub(super) async fn store<T: Transport>(
        &self,
        transport: T,
        command: Store,
        key: &str,
        value: &[u8],
        exptime: u32,
    ) -> Result<Status, ServerError> {
        let mut line = Vec::with_capacity(key.len() + 40);
        protocol::encode_store(command, key, exptime, value.len(), &mut line);
        transport
            .exchange(&self.endpoint, &[&line, value, b"\r\n"], &mut StatusLine)
            .await
    }

    /// Deletes `key`.
    pub(super) async fn delete<T: Transport>(
        &self,
        transport: T,
        key: &str,
    ) -> Result<Status, ServerError> {
        let mut line = Vec::with_capacity(key.len() + 10);
        protocol::encode_delete(key, &mut line);
        transport
            .exchange(&self.endpoint, &[&line], &mut StatusLine)
            .await
    }
}

/// The server's own error line, e.g. `object too large for cache`.
pub(super) fn server_message(error: &ServerError) -> Option<&str> {
    match &error.failure {
        Failure::Protocol(ProtocolError::Server(message)) => Some(message),
        _ => None,
    }
}
