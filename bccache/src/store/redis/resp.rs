//! Redis's protocol (RESP2), sans-IO: commands encoded into bytes, replies parsed from bytes,
//! with no socket in sight, so a blocking and an async transport share it and a fuzzer feeds
//! it hostile bytes directly.
//!
//! Every reply is bounded before anything is allocated for it: a line (a simple string, an
//! error, an integer, a length) is at most [`MAX_LINE`] bytes; a bulk string announcing more
//! than the caller's largest value is refused from its header; an array announcing more items
//! than the caller asked for is refused from its header; arrays nest at most [`MAX_DEPTH`]
//! deep; a negative length other than -1 (nil) is an error. A reply is first walked without
//! copying anything until it is whole, then built once.

use std::fmt;

use crate::net::Parsed;

/// The longest line taken: lengths, integers, `+OK`, `-MOVED 1234 host:port` and the like.
pub(crate) const MAX_LINE: usize = 1024;
/// How deep arrays nest at most (`CLUSTER SLOTS` is three deep).
pub(crate) const MAX_DEPTH: usize = 4;

/// A reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    /// `$-1` or `*-1`.
    Nil,
    /// `$<len>`, then the bytes.
    Bulk(Vec<u8>),
    /// `+<text>`.
    Simple(Vec<u8>),
    /// `:<integer>`.
    Int(i64),
    /// `*<count>`, then the items.
    Array(Vec<Value>),
    /// `-<message>`: the server refused the command; the connection is still in step.
    Error(String),
    /// A bulk string of this many bytes that its request's caller took where it lay in the
    /// received bytes; never parsed from bytes.
    Taken(usize),
}

/// What a reply may hold at most.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    /// The largest bulk string.
    pub(crate) max_bulk: usize,
    /// The most items of an array at any depth.
    pub(crate) max_items: usize,
}

/// A reply a client cannot take: the connection is out of step afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RespError {
    /// No line end within [`MAX_LINE`] bytes.
    LineTooLong,
    /// A type byte RESP2 does not have (or garbage), escaped.
    Unexpected(String),
    /// A length or integer that does not parse, or a negative length other than -1.
    BadNumber(String),
    /// A bulk string announcing more bytes than the caller takes.
    TooLong { len: i64, max: usize },
    /// An array announcing more items than the caller asked for.
    TooMany { count: i64, max: usize },
    /// Arrays nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// A bulk string not followed by `\r\n`: longer or shorter than announced.
    BadBulkEnd,
}

impl fmt::Display for RespError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RespError::LineTooLong => write!(f, "a reply line longer than {MAX_LINE} bytes"),
            RespError::Unexpected(line) => write!(f, "an unexpected reply `{line}`"),
            RespError::BadNumber(line) => write!(f, "a malformed length or integer `{line}`"),
            RespError::TooLong { len, max } => write!(
                f,
                "a value of {len} bytes announced, over the {max} bytes this store takes"
            ),
            RespError::TooMany { count, max } => {
                write!(
                    f,
                    "{count} items announced where at most {max} were asked for"
                )
            }
            RespError::TooDeep => write!(f, "arrays nested more than {MAX_DEPTH} deep"),
            RespError::BadBulkEnd => {
                write!(f, "a value longer or shorter than its announced length")
            }
        }
    }
}

impl std::error::Error for RespError {}

/// `*<n>\r\n`: the header of a command of `n` arguments.
pub(crate) fn encode_array_header(n: usize, out: &mut Vec<u8>) {
    out.push(b'*');
    push_decimal(n, out);
    out.extend_from_slice(b"\r\n");
}

/// `$<len>\r\n`: the header of an argument of `len` bytes; the bytes and `\r\n` follow it.
pub(crate) fn encode_bulk_header(len: usize, out: &mut Vec<u8>) {
    out.push(b'$');
    push_decimal(len, out);
    out.extend_from_slice(b"\r\n");
}

/// Each argument as a bulk string.
pub(crate) fn encode_args(args: &[&[u8]], out: &mut Vec<u8>) {
    for arg in args {
        encode_bulk_header(arg.len(), out);
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

/// A whole command: `*<n>` and each argument.
pub(crate) fn encode_command(args: &[&[u8]], out: &mut Vec<u8>) {
    encode_array_header(args.len(), out);
    encode_args(args, out);
}

fn push_decimal(n: usize, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// How far a walk over `buf` got: a whole item and the offset past it, or the bytes needed.
enum Walked<T> {
    Whole(T, usize),
    Need(usize),
}

/// The first line of `buf[at..]` (without its `\r\n`), and the offset past it.
fn line(buf: &[u8], at: usize) -> Result<Walked<&[u8]>, RespError> {
    let rest = &buf[at.min(buf.len())..];
    let window = &rest[..rest.len().min(MAX_LINE)];
    match window.iter().position(|&b| b == b'\n') {
        Some(end) if end > 0 && window[end - 1] == b'\r' => {
            Ok(Walked::Whole(&window[..end - 1], at + end + 1))
        }
        Some(_) => Err(RespError::Unexpected(shown(window))),
        None if rest.len() >= MAX_LINE => Err(RespError::LineTooLong),
        None => Ok(Walked::Need(buf.len() + 1)),
    }
}

fn shown(line: &[u8]) -> String {
    line[..line.len().min(64)].escape_ascii().to_string()
}

/// A signed decimal of at most 20 characters.
fn number(text: &[u8]) -> Result<i64, RespError> {
    let digits = text.strip_prefix(b"-").unwrap_or(text);
    if digits.is_empty() || text.len() > 20 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(RespError::BadNumber(shown(text)));
    }
    std::str::from_utf8(text)
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| RespError::BadNumber(shown(text)))
}

/// Walks (and with `build`, makes) the reply at `buf[at..]`: the value and the offset past it,
/// or how many bytes in all it needs.
fn walk(
    buf: &[u8],
    at: usize,
    depth: usize,
    limits: Limits,
    build: bool,
) -> Result<Walked<Option<Value>>, RespError> {
    let (header, next) = match line(buf, at)? {
        Walked::Whole(header, next) => (header, next),
        Walked::Need(need) => return Ok(Walked::Need(need)),
    };
    let Some((&kind, text)) = header.split_first() else {
        return Err(RespError::Unexpected(String::new()));
    };
    let done = |value: Value| Ok(Walked::Whole(build.then_some(value), next));
    match kind {
        b'+' => done(Value::Simple(text.to_vec())),
        b'-' => done(Value::Error(String::from_utf8_lossy(text).into_owned())),
        b':' => done(Value::Int(number(text)?)),
        b'$' => {
            let len = number(text)?;
            if len == -1 {
                return done(Value::Nil);
            }
            let len = usize::try_from(len).map_err(|_| RespError::BadNumber(shown(text)))?;
            if len > limits.max_bulk {
                return Err(RespError::TooLong {
                    len: len as i64,
                    max: limits.max_bulk,
                });
            }
            // No overflow: `len` is at most `max_bulk`, bounded far below usize::MAX.
            let end = next + len + 2;
            if buf.len() < end {
                return Ok(Walked::Need(end));
            }
            if &buf[next + len..end] != b"\r\n" {
                return Err(RespError::BadBulkEnd);
            }
            let value = build.then(|| Value::Bulk(buf[next..next + len].to_vec()));
            Ok(Walked::Whole(value, end))
        }
        b'*' => {
            let count = number(text)?;
            if count == -1 {
                return done(Value::Nil);
            }
            let count = usize::try_from(count).map_err(|_| RespError::BadNumber(shown(text)))?;
            if count > limits.max_items {
                return Err(RespError::TooMany {
                    count: count as i64,
                    max: limits.max_items,
                });
            }
            if depth >= MAX_DEPTH {
                return Err(RespError::TooDeep);
            }
            // Items are pushed as they are made, never reserved from the count.
            let mut items = Vec::new();
            let mut at = next;
            for _ in 0..count {
                match walk(buf, at, depth + 1, limits, build)? {
                    Walked::Whole(item, after) => {
                        items.extend(item);
                        at = after;
                    }
                    Walked::Need(need) => return Ok(Walked::Need(need)),
                }
            }
            Ok(Walked::Whole(build.then_some(Value::Array(items)), at))
        }
        _ => Err(RespError::Unexpected(shown(header))),
    }
}

/// One whole reply at the start of `buf`, within `limits`, and the bytes it took.
pub(crate) fn parse(buf: &[u8], limits: Limits) -> Result<Parsed<Value>, RespError> {
    match walk(buf, 0, 0, limits, false)? {
        Walked::Need(need) => Ok(Parsed::Incomplete(need)),
        Walked::Whole(_, _) => match walk(buf, 0, 0, limits, true)? {
            Walked::Whole(Some(value), taken) => Ok(Parsed::Done(value, taken)),
            // The walk that found the reply whole builds it whole.
            _ => Err(RespError::Unexpected(shown(buf))),
        },
    }
}

/// A reply as [`parse_borrowed`] gives it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Reply<'b> {
    /// A bulk string, where it lies in the received bytes.
    Bulk(&'b [u8]),
    /// Any other reply, built.
    Other(Value),
}

/// [`parse`], with a bulk string left where it lies in `buf` rather than copied out.
pub(crate) fn parse_borrowed(buf: &[u8], limits: Limits) -> Result<Parsed<Reply<'_>>, RespError> {
    let taken = match walk(buf, 0, 0, limits, false)? {
        Walked::Need(need) => return Ok(Parsed::Incomplete(need)),
        Walked::Whole(_, taken) => taken,
    };
    // Past its header a bulk string holds its bytes and `\r\n`; nil holds nothing.
    if buf.first() == Some(&b'$')
        && let Walked::Whole(_, start) = line(buf, 0)?
        && taken >= start + 2
    {
        return Ok(Parsed::Done(Reply::Bulk(&buf[start..taken - 2]), taken));
    }
    Ok(match parse(buf, limits)? {
        Parsed::Done(value, taken) => Parsed::Done(Reply::Other(value), taken),
        Parsed::Incomplete(need) => Parsed::Incomplete(need),
    })
}

/// The values of an `MGET` of `count` keys: an array of exactly `count` items, each bytes or
/// no entry (nil, or another type under the key).
pub(crate) fn mget_values(reply: Value, count: usize) -> Option<Vec<Option<Vec<u8>>>> {
    let Value::Array(items) = reply else {
        return None;
    };
    (items.len() == count).then(|| {
        items
            .into_iter()
            .map(|item| match item {
                Value::Bulk(bytes) => Some(bytes),
                _ => None,
            })
            .collect()
    })
}

/// The values of an `MGET` of `count` keys whose whole reply is `bytes`, with values of at most
/// `max_bulk` bytes, as the store reads one; `None` for bytes that are not such a reply. For
/// the fuzzer and the regression tests.
pub(crate) fn parse_mget(
    bytes: &[u8],
    count: usize,
    max_bulk: usize,
) -> Option<Vec<Option<Vec<u8>>>> {
    let limits = Limits {
        max_bulk,
        max_items: count,
    };
    match parse(bytes, limits) {
        Ok(Parsed::Done(value, taken)) => {
            assert!(taken <= bytes.len());
            mget_values(value, count)
        }
        Ok(Parsed::Incomplete(need)) => {
            assert!(need > bytes.len());
            None
        }
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_bulk: 1024,
        max_items: 4,
    };

    #[test]
    fn commands_are_encoded_as_bulk_string_arrays() {
        let mut out = Vec::new();
        encode_command(&[b"SET", b"k", b"abc"], &mut out);
        assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nabc\r\n");
        out.clear();
        encode_bulk_header(1_234_567, &mut out);
        assert_eq!(out, b"$1234567\r\n");
    }

    #[test]
    fn every_reply_type_parses_with_what_it_took() {
        let cases: [(&[u8], Value); 7] = [
            (b"+OK\r\n", Value::Simple(b"OK".to_vec())),
            (b"-ERR no\r\n", Value::Error("ERR no".into())),
            (b":-42\r\n", Value::Int(-42)),
            (b"$3\r\nabc\r\n", Value::Bulk(b"abc".to_vec())),
            (b"$-1\r\n", Value::Nil),
            (b"*-1\r\n", Value::Nil),
            (
                b"*2\r\n$1\r\na\r\n*1\r\n:1\r\n",
                Value::Array(vec![
                    Value::Bulk(b"a".to_vec()),
                    Value::Array(vec![Value::Int(1)]),
                ]),
            ),
        ];
        for (bytes, value) in cases {
            assert_eq!(parse(bytes, LIMITS), Ok(Parsed::Done(value, bytes.len())));
        }
    }

    #[test]
    fn a_bulk_string_is_borrowed_where_it_lies_and_other_replies_are_built() {
        let limits = Limits {
            max_bulk: 16,
            max_items: 2,
        };
        let parsed = parse_borrowed(b"$3\r\nabc\r\n+OK\r\n", limits);
        assert_eq!(parsed, Ok(Parsed::Done(Reply::Bulk(b"abc"), 9)));
        let empty = parse_borrowed(b"$0\r\n\r\n", limits);
        assert_eq!(empty, Ok(Parsed::Done(Reply::Bulk(b""), 6)));
        let nil = parse_borrowed(b"$-1\r\n", limits);
        assert_eq!(nil, Ok(Parsed::Done(Reply::Other(Value::Nil), 5)));
        let array = parse_borrowed(b"*1\r\n$1\r\nx\r\n", limits);
        let items = vec![Value::Bulk(b"x".to_vec())];
        assert_eq!(
            array,
            Ok(Parsed::Done(Reply::Other(Value::Array(items)), 11))
        );
        // Bounded and checked as a built reply is.
        assert_eq!(
            parse_borrowed(b"$3\r\nab", limits),
            Ok(Parsed::Incomplete(9))
        );
        assert_eq!(
            parse_borrowed(b"$17\r\n", limits),
            Err(RespError::TooLong { len: 17, max: 16 })
        );
        assert_eq!(
            parse_borrowed(b"$3\r\nabcd\r\n", limits),
            Err(RespError::BadBulkEnd)
        );
    }

    #[test]
    fn a_partial_reply_asks_for_what_it_needs() {
        assert_eq!(parse(b"$10\r\nab", LIMITS), Ok(Parsed::Incomplete(17)));
        assert_eq!(
            parse(b"*2\r\n$1\r\na\r\n", LIMITS),
            Ok(Parsed::Incomplete(12))
        );
        assert_eq!(parse(b"+O", LIMITS), Ok(Parsed::Incomplete(3)));
    }

    #[test]
    fn hostile_lengths_and_counts_are_refused_from_the_header() {
        for bytes in [&b"$1025\r\n"[..], b"$1099511627776\r\n"] {
            assert!(matches!(
                parse(bytes, LIMITS),
                Err(RespError::TooLong { .. })
            ));
        }
        assert!(matches!(
            parse(b"*5\r\n", LIMITS),
            Err(RespError::TooMany { .. })
        ));
        for bytes in [
            &b"$-2\r\n"[..],
            b"$-5\r\nabc\r\n",
            b"*-7\r\n",
            b"$18446744073709551615\r\n",
            b"$99999999999999999999999\r\n",
            b"$\r\n",
            b":1x\r\n",
        ] {
            assert!(
                matches!(parse(bytes, LIMITS), Err(RespError::BadNumber(_))),
                "{}",
                bytes.escape_ascii()
            );
        }
        assert_eq!(
            parse(b"*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", LIMITS),
            Err(RespError::TooDeep)
        );
    }

    #[test]
    fn wrong_lengths_endless_lines_and_garbage_are_errors() {
        assert_eq!(parse(b"$2\r\nabc\r\n", LIMITS), Err(RespError::BadBulkEnd));
        assert_eq!(parse(b"$4\r\nab\r\nxy", LIMITS), Err(RespError::BadBulkEnd));
        assert_eq!(
            parse(&[b'+'; MAX_LINE], LIMITS),
            Err(RespError::LineTooLong)
        );
        assert!(matches!(
            parse(b"HTTP/1.1 400 Bad Request\r\n", LIMITS),
            Err(RespError::Unexpected(_))
        ));
        assert!(matches!(
            parse(b"%1\r\n", LIMITS),
            Err(RespError::Unexpected(_))
        ));
        assert!(matches!(
            parse(b"+OK\n", LIMITS),
            Err(RespError::Unexpected(_))
        ));
    }

    #[test]
    fn only_an_array_of_as_many_values_as_keys_is_an_mget_reply() {
        assert_eq!(
            parse_mget(b"*2\r\n$3\r\nabc\r\n$-1\r\n", 2, 1024),
            Some(vec![Some(b"abc".to_vec()), None])
        );
        assert_eq!(parse_mget(b"*2\r\n$3\r\nabc\r\n$-1\r\n", 3, 1024), None);
        assert_eq!(parse_mget(b"*1\r\n:5\r\n", 1, 1024), Some(vec![None]));
        assert_eq!(parse_mget(b"$3\r\nabc\r\n", 1, 1024), None);
        assert_eq!(parse_mget(b"-ERR nope\r\n", 1, 1024), None);
        assert_eq!(
            parse_mget(b"*1\r\n$18446744073709551615\r\n", 1, 1024),
            None
        );
    }
}
