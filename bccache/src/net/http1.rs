//! HTTP/1.1 as sans-IO code: a request head encoded into bytes, and a response parsed from
//! bytes with `httparse`, its body bounded before a byte of it is kept.
//!
//! A response body is framed by `Content-Length` or by chunked transfer coding; a body framed
//! by the connection's end is refused (every server the object stores talk to frames its
//! bodies). A body is never allowed to grow past the limit the caller gives (the largest entry
//! the store accepts): a `Content-Length` over it is refused before anything is allocated, and
//! chunks are summed as they are read.

use std::fmt::Write as _;

use super::Parsed;

/// The longest response head (status line and headers) accepted.
pub(crate) const MAX_HEAD: usize = 64 * 1024;
/// Headers per response accepted.
const MAX_HEADERS: usize = 64;
/// The longest chunk-size line (with extensions) accepted.
const MAX_CHUNK_LINE: usize = 1024;
/// Chunks per body accepted: bounds the work of re-reading a body sent in tiny chunks.
const MAX_CHUNKS: usize = 64 * 1024;

/// Why a response was refused: the connection is out of step afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Not HTTP/1.x, or a malformed head, chunk or length.
    Malformed(&'static str),
    /// A body over the caller's limit.
    TooLarge { limit: usize },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Malformed(what) => write!(f, "malformed HTTP response: {what}"),
            Refusal::TooLarge { limit } => {
                write!(f, "HTTP response body over the limit of {limit} bytes")
            }
        }
    }
}

/// A response: its status, the headers a store reads, and its body.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Response {
    pub(crate) status: u16,
    /// `Last-Modified`, as sent.
    pub(crate) last_modified: Option<String>,
    /// The server closes the connection after this response (`Connection: close`, HTTP/1.0).
    pub(crate) close: bool,
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// A 2xx status.
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Encodes a request head: `method target HTTP/1.1`, `Host`, the headers, and
/// `Content-Length` (always, so that an empty PUT is framed too).
pub(crate) fn encode_head(
    method: &str,
    target: &str,
    host: &str,
    headers: &[(&str, &str)],
    body_len: usize,
) -> Vec<u8> {
    let mut head = String::with_capacity(128 + target.len());
    // Writing to a String cannot fail.
    let _ = write!(head, "{method} {target} HTTP/1.1\r\nHost: {host}\r\n");
    for (name, value) in headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    if body_len > 0 || !matches!(method, "GET" | "HEAD" | "DELETE" | "OPTIONS") {
        let _ = write!(head, "Content-Length: {body_len}\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// Where a 200 response's `Content-Length` body goes instead of [`Response::body`]: taken
/// where it lies in the received bytes, once the response is whole, so that it is copied only
/// by whoever takes it.
pub(crate) type TakeBody<'t, 'f> = Option<&'t mut (dyn FnMut(&[u8]) + 'f)>;

/// Parses one response from `bytes`: `head_only` for the reply to a HEAD (no body follows),
/// `max_body` the longest body accepted; a 200 response's `Content-Length` body is given to
/// `take_body` when there is one (a chunked body, spread over the received bytes, is copied
/// into the response as ever).
pub(crate) fn parse_response(
    bytes: &[u8],
    head_only: bool,
    max_body: usize,
    take_body: TakeBody<'_, '_>,
) -> Result<Parsed<Response>, Refusal> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Response::new(&mut headers);
    let head_len = match parsed.parse(bytes) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if bytes.len() >= MAX_HEAD => {
            return Err(Refusal::Malformed("a head over 64 KiB"));
        }
        Ok(httparse::Status::Partial) => return Ok(Parsed::Incomplete(bytes.len() + 1)),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Refusal::Malformed("over 64 headers"));
        }
        Err(_) => return Err(Refusal::Malformed("not an HTTP/1.x response head")),
    };
    let status = parsed.code.unwrap_or(0);
    let mut response = Response {
        status,
        close: parsed.version == Some(0),
        ..Response::default()
    };
    let mut content_length = None;
    let mut chunked = false;
    for header in parsed.headers.iter() {
        let name = header.name;
        if name.eq_ignore_ascii_case("content-length") {
            let len = std::str::from_utf8(header.value)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .ok_or(Refusal::Malformed("a Content-Length that is not a number"))?;
            if content_length.is_some_and(|seen| seen != len) {
                return Err(Refusal::Malformed("two different Content-Lengths"));
            }
            content_length = Some(len);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = ascii_contains(header.value, b"chunked");
        } else if name.eq_ignore_ascii_case("connection") {
            response.close = ascii_contains(header.value, b"close");
        } else if name.eq_ignore_ascii_case("last-modified") {
            response.last_modified = std::str::from_utf8(header.value).ok().map(str::to_owned);
        }
    }
    if head_only || (100..200).contains(&status) || status == 204 || status == 304 {
        return Ok(Parsed::Done(response, head_len));
    }
    let body = &bytes[head_len..];
    if chunked {
        return Ok(match parse_chunked(body, max_body)? {
            Parsed::Done(decoded, taken) => {
                response.body = decoded;
                Parsed::Done(response, head_len + taken)
            }
            Parsed::Incomplete(need) => Parsed::Incomplete(head_len + need),
        });
    }
    let Some(len) = content_length else {
        return Err(Refusal::Malformed(
            "a body with neither Content-Length nor chunked coding",
        ));
    };
    let len = usize::try_from(len)
        .ok()
        .filter(|&len| len <= max_body)
        .ok_or(Refusal::TooLarge { limit: max_body })?;
    if body.len() < len {
        return Ok(Parsed::Incomplete(head_len + len));
    }
    match take_body {
        Some(take) if status == 200 => take(&body[..len]),
        _ => response.body = body[..len].to_vec(),
    }
    Ok(Parsed::Done(response, head_len + len))
}

/// Decodes a chunked body, summing chunk sizes against `max_body` as they are read.
fn parse_chunked(bytes: &[u8], max_body: usize) -> Result<Parsed<Vec<u8>>, Refusal> {
    let mut at = 0;
    let mut total = 0usize;
    let mut chunks: Vec<(usize, usize)> = Vec::new();
    loop {
        let Some(line_end) = find_crlf(&bytes[at..], MAX_CHUNK_LINE)? else {
            return Ok(Parsed::Incomplete(bytes.len() + 1));
        };
        let line = &bytes[at..at + line_end];
        let size_text = line.split(|&b| b == b';').next().unwrap_or(line);
        let size_text = std::str::from_utf8(size_text)
            .map_err(|_| Refusal::Malformed("a chunk size that is not text"))?
            .trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| Refusal::Malformed("a chunk size that is not hexadecimal"))?;
        at += line_end + 2;
        if size == 0 {
            // Trailers, each a line, then an empty line.
            loop {
                let Some(end) = find_crlf(&bytes[at..], MAX_CHUNK_LINE)? else {
                    return Ok(Parsed::Incomplete(bytes.len() + 1));
                };
                at += end + 2;
                if end == 0 {
                    let mut body = Vec::with_capacity(total);
                    for (start, len) in chunks {
                        body.extend_from_slice(&bytes[start..start + len]);
                    }
                    return Ok(Parsed::Done(body, at));
                }
            }
        }
        total = total
            .checked_add(size)
            .filter(|&total| total <= max_body)
            .ok_or(Refusal::TooLarge { limit: max_body })?;
        if chunks.len() >= MAX_CHUNKS {
            return Err(Refusal::Malformed("over 65536 chunks"));
        }
        if bytes.len() < at + size + 2 {
            return Ok(Parsed::Incomplete(at + size + 2));
        }
        if &bytes[at + size..at + size + 2] != b"\r\n" {
            return Err(Refusal::Malformed("a chunk not followed by CRLF"));
        }
        chunks.push((at, size));
        at += size + 2;
    }
}

/// Where the first CRLF of `bytes` starts, looking at most `max` bytes ahead.
fn find_crlf(bytes: &[u8], max: usize) -> Result<Option<usize>, Refusal> {
    match bytes.windows(2).take(max).position(|pair| pair == b"\r\n") {
        Some(at) => Ok(Some(at)),
        None if bytes.len() > max => Err(Refusal::Malformed("a chunk line over 1 KiB")),
        None => Ok(None),
    }
}

fn ascii_contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle))
}

/// `text` percent-encoded for a URL path: unreserved characters and `/` stay as they are.
pub(crate) fn encode_path(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// `text` percent-encoded for a query value (`/` encoded too), as SigV4 canonicalises it.
pub(crate) fn encode_query(text: &str) -> String {
    encode_path(text).replace('/', "%2F")
}

/// `text` with its percent escapes decoded; `None` when they do not make UTF-8.
pub(crate) fn decode_percent(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' && at + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[at + 1..at + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(bytes: &[u8]) -> Response {
        match parse_response(bytes, false, 1024, None) {
            Ok(Parsed::Done(response, taken)) => {
                assert_eq!(taken, bytes.len());
                response
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_content_length_body_is_read_whole() {
        let reply = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nLast-Modified: x\r\n\r\nhello";
        let response = done(reply);
        assert_eq!((response.status, &response.body[..]), (200, &b"hello"[..]));
        assert_eq!(response.last_modified.as_deref(), Some("x"));
        for cut in 0..reply.len() {
            assert!(matches!(
                parse_response(&reply[..cut], false, 1024, None),
                Ok(Parsed::Incomplete(_))
            ));
        }
    }

    /// `reply` parsed with a taker: the response, and the bodies taken.
    fn taking(reply: &[u8]) -> (Result<Parsed<Response>, Refusal>, Vec<Vec<u8>>) {
        let mut taken = Vec::new();
        let mut take = |body: &[u8]| taken.push(body.to_vec());
        let parsed = parse_response(reply, false, 1024, Some(&mut take));
        (parsed, taken)
    }

    #[test]
    fn a_whole_content_length_body_of_a_200_is_taken_where_it_lies() {
        let reply = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        let (parsed, taken) = taking(reply);
        assert!(
            matches!(&parsed, Ok(Parsed::Done(response, len)) if response.body.is_empty() && *len == reply.len()),
            "{parsed:?}"
        );
        assert_eq!(taken, vec![b"hello".to_vec()]);
        // Nothing is taken before the response is whole.
        for cut in 0..reply.len() {
            let (parsed, taken) = taking(&reply[..cut]);
            assert!(matches!(parsed, Ok(Parsed::Incomplete(_))), "{cut}");
            assert!(taken.is_empty(), "{cut}");
        }
    }

    #[test]
    fn chunked_bodies_and_other_statuses_are_copied_not_taken() {
        for (reply, body) in [
            (
                &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"[..],
                &b"hello"[..],
            ),
            (
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\ngone",
                b"gone",
            ),
        ] {
            let (parsed, taken) = taking(reply);
            assert!(
                matches!(&parsed, Ok(Parsed::Done(response, _)) if response.body == body),
                "{parsed:?}"
            );
            assert!(taken.is_empty());
        }
    }

    #[test]
    fn a_body_over_the_limit_is_refused_before_it_is_taken() {
        let (parsed, taken) = taking(b"HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\nhello");
        assert_eq!(parsed, Err(Refusal::TooLarge { limit: 1024 }));
        assert!(taken.is_empty());
    }

    #[test]
    fn a_chunked_body_is_decoded_at_every_cut() {
        let reply = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nhel\r\n2\r\nlo\r\n0\r\nT: v\r\n\r\n";
        assert_eq!(done(reply).body, b"hello");
        for cut in 0..reply.len() {
            assert!(matches!(
                parse_response(&reply[..cut], false, 1024, None),
                Ok(Parsed::Incomplete(_))
            ));
        }
    }

    #[test]
    fn hostile_lengths_are_refused_before_allocating() {
        for reply in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999\r\n\r\n"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: 1025\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n401\r\n",
        ] {
            assert!(
                parse_response(reply, false, 1024, None).is_err(),
                "{reply:?}"
            );
        }
        for reply in [
            &b"garbage\r\n\r\n"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"HTTP/1.1 200 OK\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
        ] {
            assert!(
                matches!(
                    parse_response(reply, false, 1024, None),
                    Err(Refusal::Malformed(_))
                ),
                "{reply:?}"
            );
        }
        let endless = vec![b'a'; MAX_HEAD];
        assert!(parse_response(&endless, false, 1024, None).is_err());
    }

    #[test]
    fn a_head_reply_and_a_204_have_no_body() {
        let reply = b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\nConnection: close\r\n\r\n";
        match parse_response(reply, true, 10, None) {
            Ok(Parsed::Done(response, taken)) => {
                assert_eq!(taken, reply.len());
                assert!(response.close && response.body.is_empty());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(done(b"HTTP/1.1 204 No Content\r\n\r\n").status, 204);
    }

    #[test]
    fn request_heads_frame_bodies_and_paths_are_encoded() {
        let head = encode_head("PUT", "/a/b", "h:1", &[("X-A", "1")], 0);
        assert_eq!(
            head,
            b"PUT /a/b HTTP/1.1\r\nHost: h:1\r\nX-A: 1\r\nContent-Length: 0\r\n\r\n"
        );
        let get = encode_head("GET", "/", "h", &[], 0);
        assert_eq!(get, b"GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        assert_eq!(encode_path("a b/c%"), "a%20b/c%25");
        assert_eq!(encode_query("a/b c"), "a%2Fb%20c");
        assert_eq!(decode_percent("a%20b%2F").as_deref(), Some("a b/"));
        assert_eq!(decode_percent("%zz"), None);
    }
}
