//! One memcached server given by URL: its connections ([`Endpoint`]), and the requests the
//! store makes of it, each encoded and parsed by [`protocol`](super::protocol), on either
//! transport.

use std::collections::HashMap;

use super::chunk::Head;
use super::protocol::{self, Item, ProtocolError, Status, Store};
use super::url::ServerUrl;
use crate::bucket::Bucket;
use crate::error::Result;
use crate::net::Parsed;
use crate::net::exchange::{Endpoint, Exchange, Failure, InStep, Transport};
use crate::stats::Verdict;

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

/// What a get of one entry found.
#[derive(Debug)]
pub(super) enum Loaded {
    /// Nothing under the key.
    Missing,
    /// The head of an entry stored in chunks.
    Head(Head),
    /// An entry of `len` bytes, decoded into the bucket: a hit, or why not.
    Decoded { verdict: Verdict, len: usize },
}

impl Loaded {
    /// What `value`, found under the bucket's key, is: a head, or an entry decoded into
    /// `bucket` (only its code is copied, into the bucket's own `Vec`).
    pub(super) fn of(value: &[u8], bucket: &mut Bucket<'_>, max_item_size: usize) -> Self {
        match Head::parse(value, max_item_size) {
            Some(head) => Loaded::Head(head),
            None => Loaded::Decoded {
                verdict: bucket.decode_slice(value),
                len: value.len(),
            },
        }
    }
}

/// The reply to a get of one key, its value decoded into the bucket where it lies in the
/// received bytes once the whole reply is in: a hit copies the code once, not the value and
/// then the code out of it, and a reply that fails leaves the bucket untouched.
struct Entry<'a, 'e> {
    key: &'a str,
    max_value: usize,
    bucket: &'a mut Bucket<'e>,
}

impl Exchange for Entry<'_, '_> {
    type Output = Loaded;
    type Error = ProtocolError;

    fn parse(&mut self, bytes: &[u8]) -> Result<Parsed<Option<Loaded>>, ProtocolError> {
        let (key, data, taken) = match protocol::parse_item(bytes, self.max_value)? {
            Parsed::Done(Item::End, taken) => {
                return Ok(Parsed::Done(Some(Loaded::Missing), taken));
            }
            Parsed::Done(Item::Value { key, data }, taken) => (key, data, taken),
            Parsed::Incomplete(need) => return Ok(Parsed::Incomplete(need)),
        };
        // As in a multi-get: a value under another key, or a second one, is a server out of
        // step, and nothing of its reply is used.
        let unexpected = || ProtocolError::Unexpected("a value under a key not asked for".into());
        if key != self.key.as_bytes() {
            return Err(unexpected());
        }
        match protocol::parse_item(&bytes[taken..], self.max_value)? {
            Parsed::Done(Item::End, end) => {
                let loaded = Loaded::of(data, self.bucket, self.max_value);
                Ok(Parsed::Done(Some(loaded), taken + end))
            }
            Parsed::Done(Item::Value { .. }, _) => Err(unexpected()),
            Parsed::Incomplete(need) => Ok(Parsed::Incomplete(taken + need)),
        }
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

    /// The entry under `key`, decoded into `bucket` from the reply once it is whole (a chunked
    /// entry's head is returned instead). A failed request leaves the bucket as it was.
    pub(super) async fn get_entry<T: Transport>(
        &self,
        transport: T,
        key: &str,
        bucket: &mut Bucket<'_>,
    ) -> Result<Loaded, ServerError> {
        let mut request = Vec::with_capacity(key.len() + 6);
        protocol::encode_get(&[key], &mut request);
        let mut entry = Entry {
            key,
            max_value: self.max_value,
            bucket,
        };
        transport
            .exchange(&self.endpoint, &[&request], &mut entry)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::buffer::ReplyBuffer;

    const KEY: &str = "prefix/key";

    /// An encoded entry for a bucket under `KEY` holding `code`.
    fn entry(code: &[u8]) -> Vec<u8> {
        let mut bucket = Bucket::new(&(), KEY, "checksum");
        bucket.code = Some(code.to_vec());
        bucket.bytecode_to_string().expect("encode")
    }

    fn value(key: &str, value: &[u8]) -> Vec<u8> {
        [
            format!("VALUE {key} 0 {}\r\n", value.len()).as_bytes(),
            value,
            b"\r\n",
        ]
        .concat()
    }

    /// `reply` read whole by an [`Entry`] exchange into `bucket`.
    fn read(reply: &[u8], bucket: &mut Bucket<'_>) -> Result<Option<Loaded>, ProtocolError> {
        let mut buffer = ReplyBuffer::default();
        buffer.room(reply.len())[..reply.len()].copy_from_slice(reply);
        buffer.filled(reply.len());
        let mut exchange = Entry {
            key: KEY,
            max_value: 1024 * 1024,
            bucket,
        };
        match buffer.answer(&mut exchange)? {
            Ok(loaded) => Ok(Some(loaded)),
            Err(_need) => Ok(None),
        }
    }

    #[test]
    fn an_entry_is_decoded_into_the_bucket_from_the_reply() {
        let code = vec![7u8; 64 * 1024];
        let stored = entry(&code);
        let reply = [value(KEY, &stored), b"END\r\n".to_vec()].concat();
        let mut bucket = Bucket::new(&(), KEY, "checksum");
        let loaded = read(&reply, &mut bucket).expect("a whole reply");
        assert!(
            matches!(loaded, Some(Loaded::Decoded { verdict: Verdict::Hit, len }) if len == stored.len()),
            "{loaded:?}"
        );
        assert_eq!(bucket.code.as_deref(), Some(&code[..]));
    }

    #[test]
    fn an_entry_of_another_source_is_decoded_as_a_miss() {
        let reply = [value(KEY, &entry(b"code")), b"END\r\n".to_vec()].concat();
        let mut bucket = Bucket::new(&(), KEY, "another checksum");
        let loaded = read(&reply, &mut bucket).expect("a whole reply");
        assert!(
            matches!(loaded, Some(Loaded::Decoded { verdict, .. }) if verdict != Verdict::Hit),
            "{loaded:?}"
        );
        assert_eq!(bucket.code, None);
    }

    #[test]
    fn a_chunked_entrys_head_is_returned_not_decoded() {
        let head = Head {
            count: 2,
            entry_len: 1024 * 1024 + 1,
            generation: 9,
        };
        let reply = [value(KEY, &head.encode()), b"END\r\n".to_vec()].concat();
        let mut bucket = Bucket::new(&(), KEY, "checksum");
        let loaded = read(&reply, &mut bucket).expect("a whole reply");
        assert!(
            matches!(loaded, Some(Loaded::Head(found)) if found == head),
            "{loaded:?}"
        );
        assert_eq!(bucket.code, None);
    }

    #[test]
    fn no_value_is_missing_and_a_reply_without_its_end_reads_on_with_the_bucket_untouched() {
        let mut bucket = Bucket::new(&(), KEY, "checksum");
        assert!(matches!(
            read(b"END\r\n", &mut bucket),
            Ok(Some(Loaded::Missing))
        ));
        let whole = value(KEY, &entry(b"code"));
        for cut in [whole.len() - 1, whole.len(), whole.len() + 3] {
            let reply = [&whole[..], b"END\r\n"].concat();
            assert!(
                matches!(read(&reply[..cut], &mut bucket), Ok(None)),
                "{cut}"
            );
            assert_eq!(bucket.code, None, "{cut}");
        }
    }

    #[test]
    fn a_value_under_another_key_or_a_second_value_is_refused() {
        let stored = entry(b"code");
        let mut bucket = Bucket::new(&(), KEY, "checksum");
        let other = [value("prefix/other", &stored), b"END\r\n".to_vec()].concat();
        assert!(matches!(
            read(&other, &mut bucket),
            Err(ProtocolError::Unexpected(_))
        ));
        let twice = [
            value(KEY, &stored),
            value(KEY, &stored),
            b"END\r\n".to_vec(),
        ]
        .concat();
        assert!(matches!(
            read(&twice, &mut bucket),
            Err(ProtocolError::Unexpected(_))
        ));
        let garbage = [value(KEY, &stored), b"HELLO\r\n".to_vec()].concat();
        assert!(read(&garbage, &mut bucket).is_err());
        assert_eq!(bucket.code, None);
    }
}
