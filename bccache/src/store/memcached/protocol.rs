//! memcached's text protocol, sans-IO: requests encoded into bytes, replies parsed from bytes,
//! with no socket in sight, so a blocking and an async transport share it and a fuzzer feeds
//! it hostile bytes directly.
//!
//! Every reply is bounded before anything is allocated for it: a line is at most [`MAX_LINE`]
//! bytes, and a `VALUE` announcing more than the caller's largest value (the store's item
//! size) is refused from its line alone. A reply is parsed one item at a time (a value, or
//! `END`), so a multi-get of many values holds one at a time.

use std::fmt;

use crate::net::Parsed;

/// The longest reply line taken: a `VALUE` line with a 250-byte key and a cas is under 320.
pub(crate) const MAX_LINE: usize = 1024;

/// A storage command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Store {
    /// Store whatever is there.
    Set,
    /// Store only when nothing is there: what a lease (single flight) takes.
    Add,
}

/// `get <key>*\r\n`: one line for one key or many.
pub(crate) fn encode_get(keys: &[&str], out: &mut Vec<u8>) {
    out.extend_from_slice(b"get");
    for key in keys {
        out.push(b' ');
        out.extend_from_slice(key.as_bytes());
    }
    out.extend_from_slice(b"\r\n");
}

/// The line before a stored value: `set|add <key> 0 <exptime> <bytes>\r\n`. The value and a
/// final `\r\n` follow it.
pub(crate) fn encode_store(command: Store, key: &str, exptime: u32, len: usize, out: &mut Vec<u8>) {
    let name = match command {
        Store::Set => "set",
        Store::Add => "add",
    };
    out.extend_from_slice(format!("{name} {key} 0 {exptime} {len}\r\n").as_bytes());
}

/// `delete <key>\r\n`: what gives a lease back.
pub(crate) fn encode_delete(key: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(format!("delete {key}\r\n").as_bytes());
}

/// One item of a retrieval's reply.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Item<'a> {
    /// `VALUE <key> <flags> <bytes> [<cas>]`, then the value.
    Value { key: &'a [u8], data: &'a [u8] },
    /// `END`: the reply is complete.
    End,
}

/// The reply to a storage or delete command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Stored,
    NotStored,
    Exists,
    NotFound,
    Deleted,
}

/// A reply a client cannot take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ProtocolError {
    /// No line end within [`MAX_LINE`] bytes.
    LineTooLong,
    /// A line that is not a reply of the command (its first bytes, escaped).
    Unexpected(String),
    /// A `VALUE` line whose fields do not parse (a negative or overflowing length among them).
    BadValueLine(String),
    /// A `VALUE` announcing more bytes than the caller takes.
    TooLong { len: u64, max: usize },
    /// The value is not followed by `\r\n`: longer or shorter than announced.
    BadValueEnd,
    /// `SERVER_ERROR <message>`: the server failed the command.
    Server(String),
    /// `CLIENT_ERROR <message>`: the server refused the request.
    Client(String),
    /// `ERROR`: the server did not know the command.
    UnknownCommand,
}

impl ProtocolError {
    /// Whether this is a whole error line, after which the connection is still in step.
    pub(crate) fn is_error_reply(&self) -> bool {
        matches!(self, ProtocolError::Server(_))
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::LineTooLong => {
                write!(f, "a reply line longer than {MAX_LINE} bytes")
            }
            ProtocolError::Unexpected(line) => write!(f, "an unexpected reply `{line}`"),
            ProtocolError::BadValueLine(line) => write!(f, "a malformed value line `{line}`"),
            ProtocolError::TooLong { len, max } => write!(
                f,
                "a value of {len} bytes announced, over the {max} bytes this store takes"
            ),
            ProtocolError::BadValueEnd => {
                write!(f, "a value longer or shorter than its announced length")
            }
            ProtocolError::Server(message) => write!(f, "SERVER_ERROR {message}"),
            ProtocolError::Client(message) => write!(f, "CLIENT_ERROR {message}"),
            ProtocolError::UnknownCommand => {
                write!(f, "ERROR (the server did not know the command)")
            }
        }
    }
}

impl std::error::Error for ProtocolError {}

/// The first line of `buf` (without its `\r\n`) and the bytes it takes with it.
fn line(buf: &[u8]) -> Result<Parsed<&[u8]>, ProtocolError> {
    let window = &buf[..buf.len().min(MAX_LINE)];
    match window.iter().position(|&b| b == b'\n') {
        Some(at) if at > 0 && window[at - 1] == b'\r' => {
            Ok(Parsed::Done(&window[..at - 1], at + 1))
        }
        Some(_) => Err(ProtocolError::Unexpected(shown(window))),
        None if buf.len() >= MAX_LINE => Err(ProtocolError::LineTooLong),
        None => Ok(Parsed::Incomplete(buf.len() + 1)),
    }
}

/// A line's first bytes, escaped, to name it in an error.
fn shown(line: &[u8]) -> String {
    let cut = &line[..line.len().min(64)];
    cut.escape_ascii().to_string()
}

/// An error reply line, or `Unexpected` for any other line.
fn error_line(line: &[u8]) -> ProtocolError {
    let message = |rest: &[u8]| String::from_utf8_lossy(&rest[..rest.len().min(256)]).into_owned();
    if let Some(rest) = line.strip_prefix(b"SERVER_ERROR") {
        ProtocolError::Server(message(rest.trim_ascii_start()))
    } else if let Some(rest) = line.strip_prefix(b"CLIENT_ERROR") {
        ProtocolError::Client(message(rest.trim_ascii_start()))
    } else if line == b"ERROR" {
        ProtocolError::UnknownCommand
    } else {
        ProtocolError::Unexpected(shown(line))
    }
}

/// The next item of a retrieval's reply in `buf`, with values of at most `max_value` bytes.
pub(crate) fn parse_item(buf: &[u8], max_value: usize) -> Result<Parsed<Item<'_>>, ProtocolError> {
    let (header, header_len) = match line(buf)? {
        Parsed::Done(header, len) => (header, len),
        Parsed::Incomplete(need) => return Ok(Parsed::Incomplete(need)),
    };
    if header == b"END" {
        return Ok(Parsed::Done(Item::End, header_len));
    }
    let Some(fields) = header.strip_prefix(b"VALUE ") else {
        return Err(error_line(header));
    };
    let bad = || ProtocolError::BadValueLine(shown(header));
    let mut fields = fields.split(|&b| b == b' ');
    let key = fields
        .next()
        .filter(|key| !key.is_empty())
        .ok_or_else(bad)?;
    number(fields.next())
        .and_then(|flags| u32::try_from(flags).ok())
        .ok_or_else(bad)?;
    let len = number(fields.next()).ok_or_else(bad)?;
    if let Some(cas) = fields.next() {
        number(Some(cas)).ok_or_else(bad)?;
    }
    if fields.next().is_some() {
        return Err(bad());
    }
    let len = usize::try_from(len)
        .ok()
        .filter(|&len| len <= max_value)
        .ok_or(ProtocolError::TooLong {
            len,
            max: max_value,
        })?;
    // No overflow: `len` is at most `max_value`, which the store bounds far below usize::MAX.
    let total = header_len + len + 2;
    if buf.len() < total {
        return Ok(Parsed::Incomplete(total));
    }
    if &buf[header_len + len..total] != b"\r\n" {
        return Err(ProtocolError::BadValueEnd);
    }
    let data = &buf[header_len..header_len + len];
    Ok(Parsed::Done(Item::Value { key, data }, total))
}

/// A decimal field of at most 20 digits, no sign: `None` for anything else or an overflow.
fn number(field: Option<&[u8]>) -> Option<u64> {
    let field = field?;
    if field.is_empty() || field.len() > 20 || !field.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(field).ok()?.parse().ok()
}

/// The reply to a storage or delete command in `buf`.
pub(crate) fn parse_status(buf: &[u8]) -> Result<Parsed<Status>, ProtocolError> {
    let (reply, len) = match line(buf)? {
        Parsed::Done(reply, len) => (reply, len),
        Parsed::Incomplete(need) => return Ok(Parsed::Incomplete(need)),
    };
    let status = match reply {
        b"STORED" => Status::Stored,
        b"NOT_STORED" => Status::NotStored,
        b"EXISTS" => Status::Exists,
        b"NOT_FOUND" => Status::NotFound,
        b"DELETED" => Status::Deleted,
        other => return Err(error_line(other)),
    };
    Ok(Parsed::Done(status, len))
}

/// The keys and lengths of the values a reply held.
pub(crate) type Found = Vec<(Vec<u8>, usize)>;

/// Every item of a whole retrieval reply in `bytes`, as a transport would see it arriving:
/// the values found, and how it ended. For the fuzzer and the regression tests.
pub(crate) fn parse_reply(
    mut bytes: &[u8],
    max_value: usize,
) -> (Found, Result<bool, ProtocolError>) {
    let mut values = Vec::new();
    loop {
        match parse_item(bytes, max_value) {
            Ok(Parsed::Done(Item::Value { key, data }, taken)) => {
                assert!(data.len() <= max_value && taken <= bytes.len());
                values.push((key.to_vec(), data.len()));
                bytes = &bytes[taken..];
            }
            Ok(Parsed::Done(Item::End, taken)) => {
                assert!(taken <= bytes.len());
                return (values, Ok(true));
            }
            Ok(Parsed::Incomplete(need)) => {
                assert!(need > bytes.len() && need <= MAX_LINE + max_value + 2);
                return (values, Ok(false));
            }
            Err(error) => return (values, Err(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 1024;

    #[test]
    fn requests_are_encoded_as_memcached_reads_them() {
        let mut out = Vec::new();
        encode_get(&["a", "b/1"], &mut out);
        assert_eq!(out, b"get a b/1\r\n");
        out.clear();
        encode_store(Store::Add, "k", 30, 5, &mut out);
        assert_eq!(out, b"add k 0 30 5\r\n");
        out.clear();
        encode_delete("k", &mut out);
        assert_eq!(out, b"delete k\r\n");
    }

    #[test]
    fn values_and_end_parse_one_at_a_time() {
        let reply = b"VALUE k 0 3\r\nabc\r\nVALUE j 5 0 77\r\n\r\nEND\r\n";
        let Ok(Parsed::Done(first, taken)) = parse_item(reply, MAX) else {
            panic!("first value");
        };
        assert_eq!(
            first,
            Item::Value {
                key: b"k",
                data: b"abc"
            }
        );
        let Ok(Parsed::Done(second, more)) = parse_item(&reply[taken..], MAX) else {
            panic!("second value");
        };
        assert_eq!(
            second,
            Item::Value {
                key: b"j",
                data: b""
            }
        );
        assert_eq!(
            parse_item(&reply[taken + more..], MAX),
            Ok(Parsed::Done(Item::End, 5))
        );
    }

    #[test]
    fn a_partial_reply_asks_for_what_it_needs() {
        assert_eq!(parse_item(b"VAL", MAX), Ok(Parsed::Incomplete(4)));
        assert_eq!(
            parse_item(b"VALUE k 0 10\r\nab", MAX),
            Ok(Parsed::Incomplete(26))
        );
    }

    #[test]
    fn hostile_lengths_are_refused_from_the_line_alone() {
        for line in [
            &b"VALUE k 0 18446744073709551615\r\n"[..],
            b"VALUE k 0 1099511627776\r\n",
            b"VALUE k 0 1025\r\n",
        ] {
            assert!(
                matches!(parse_item(line, MAX), Err(ProtocolError::TooLong { .. })),
                "{}",
                line.escape_ascii()
            );
        }
        for line in [
            &b"VALUE k 0 -1\r\n"[..],
            b"VALUE k 0 99999999999999999999999\r\n",
            b"VALUE k 0\r\n",
            b"VALUE  0 1\r\n",
            b"VALUE k x 1\r\n",
            b"VALUE k 0 1 2 3\r\n",
        ] {
            assert!(
                matches!(parse_item(line, MAX), Err(ProtocolError::BadValueLine(_))),
                "{}",
                line.escape_ascii()
            );
        }
    }

    #[test]
    fn values_longer_or_shorter_than_announced_are_refused() {
        assert_eq!(
            parse_item(b"VALUE k 0 2\r\nabc\r\nEND\r\n", MAX),
            Err(ProtocolError::BadValueEnd)
        );
        assert_eq!(
            parse_item(b"VALUE k 0 4\r\nab\r\nEND\r\n", MAX),
            Err(ProtocolError::BadValueEnd)
        );
    }

    #[test]
    fn endless_lines_garbage_and_error_replies_are_errors() {
        assert_eq!(
            parse_item(&[b'V'; MAX_LINE], MAX),
            Err(ProtocolError::LineTooLong)
        );
        assert!(matches!(
            parse_item(b"HELLO\r\n", MAX),
            Err(ProtocolError::Unexpected(_))
        ));
        assert!(matches!(
            parse_item(b"END\n", MAX),
            Err(ProtocolError::Unexpected(_))
        ));
        assert_eq!(
            parse_item(b"SERVER_ERROR out of memory\r\n", MAX),
            Err(ProtocolError::Server("out of memory".into()))
        );
        assert_eq!(
            parse_status(b"CLIENT_ERROR bad data chunk\r\n"),
            Err(ProtocolError::Client("bad data chunk".into()))
        );
        assert_eq!(
            parse_status(b"ERROR\r\n"),
            Err(ProtocolError::UnknownCommand)
        );
        assert_eq!(
            parse_status(b"STORED\r\n"),
            Ok(Parsed::Done(Status::Stored, 8))
        );
        assert_eq!(
            parse_status(b"NOT_STORED\r\nX"),
            Ok(Parsed::Done(Status::NotStored, 12))
        );
    }
}
