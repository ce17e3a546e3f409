//! The blocking HTTP/1.1 client of the object stores: one server's kept-open connections in
//! [`Lanes`], requests encoded and responses parsed by [`http1`](super::http1), bodies read
//! through the [`stream`](super::stream) transport within the I/O timeout.
//!
//! `https://` servers need the `https` feature: TLS by rustls over the same connections.

use std::fmt;
use std::io;
use std::path::Path;

use url::Url;

use super::Parsed;
use super::exchange::{Exchange, Failure};
use super::http1::{self, Refusal, Response, TakeBody};
use super::lanes::{After, Failure as LaneFailure, Lanes, Refused, Skipped};
use super::stream::{Address, Connection, is_timeout};
use super::url::{Timeouts, invalid, masked};
use crate::error::Result;

/// The longest body read from a response that is not an entry or a listing (an error page).
pub(crate) const ERROR_BODY: usize = 64 * 1024;

/// A connection, and whether its server said it closes it after the last response.
struct Kept {
    connection: Connection,
    closing: bool,
}

/// One HTTP server and its kept-open connections.
pub(crate) struct HttpServer {
    /// `http://host:port`, for errors and logs.
    pub(crate) name: String,
    /// The `Host` header.
    host: String,
    address: Address,
    /// TLS for an `https://` server.
    #[cfg(feature = "https")]
    tls: Option<super::tls::Tls>,
    timeouts: Timeouts,
    lanes: Lanes<Kept>,
}

/// One request.
pub(crate) struct Outgoing<'a> {
    pub(crate) method: &'a str,
    /// The path and query, percent-encoded.
    pub(crate) target: &'a str,
    pub(crate) headers: &'a [(&'a str, &'a str)],
    pub(crate) body: &'a [u8],
    /// The longest response body accepted.
    pub(crate) max_body: usize,
}

/// Why a request got no response.
#[derive(Debug)]
pub(crate) enum HttpFailure {
    /// The server is skipped after it refused a connection or timed out.
    Skipped(Skipped),
    /// Connecting failed.
    Connect(io::Error),
    /// The socket failed or the server closed the connection mid-request.
    Io { error: io::Error, stale: bool },
    /// No whole response within the I/O timeout.
    Timeout(io::Error),
    /// The response was refused (malformed, or a body over the limit).
    Refused(Refusal),
}

impl fmt::Display for HttpFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpFailure::Skipped(skipped) => skipped.fmt(f),
            HttpFailure::Connect(error) => write!(f, "cannot connect: {error}"),
            HttpFailure::Io { error, .. } => write!(f, "connection failed: {error}"),
            HttpFailure::Timeout(error) => write!(f, "timed out: {error}"),
            HttpFailure::Refused(refusal) => refusal.fmt(f),
        }
    }
}

impl std::error::Error for HttpFailure {}

impl LaneFailure for HttpFailure {
    fn after(&self) -> After {
        match self {
            HttpFailure::Connect(_) | HttpFailure::Timeout(_) => After::DropAndSkip,
            _ => After::Drop,
        }
    }

    fn is_stale(&self) -> bool {
        matches!(self, HttpFailure::Io { stale: true, .. })
    }
}

/// A server's failure, naming the server.
#[derive(Debug)]
pub(crate) struct ServerFailure {
    pub(crate) server: String,
    pub(crate) failure: HttpFailure,
}

impl fmt::Display for ServerFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.server, self.failure)
    }
}

impl std::error::Error for ServerFailure {}

impl HttpServer {
    /// The server of an `http://` or `https://` URL (its path is the caller's business);
    /// `ca_file` names the only CA an `https://` server's certificate may come from (else the
    /// platform's roots are trusted).
    pub(crate) fn new(url: &Url, timeouts: Timeouts, ca_file: Option<&Path>) -> Result<Self> {
        let name = masked(url);
        let secure = match url.scheme() {
            "http" => false,
            "https" if cfg!(feature = "https") => true,
            "https" => {
                return Err(invalid(
                    &name,
                    "https:// needs bccache's `https` feature (or a TLS-terminating proxy in \
                     front of the server, and http://)",
                ));
            }
            other => {
                return Err(invalid(
                    &name,
                    format!("`{other}://` is not an http:// or https:// URL"),
                ));
            }
        };
        let host = url
            .host_str()
            .filter(|host| !host.is_empty())
            .ok_or_else(|| invalid(&name, "the URL names no host"))?;
        let port = url
            .port_or_known_default()
            .unwrap_or(if secure { 443 } else { 80 });
        let host_header = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        #[cfg(feature = "https")]
        let tls = secure
            .then(|| super::tls::Tls::new(host, ca_file))
            .transpose()?;
        #[cfg(not(feature = "https"))]
        let _ = ca_file;
        Ok(HttpServer {
            name: format!("{}://{host}:{port}", url.scheme()),
            host: host_header,
            address: Address::Tcp(format!("{host}:{port}")),
            #[cfg(feature = "https")]
            tls,
            timeouts,
            lanes: Lanes::default(),
        })
    }

    /// Opens a connection to the server: TCP, and TLS on it for an `https://` server.
    fn open(&self) -> io::Result<Connection> {
        #[cfg(feature = "https")]
        if let (Some(tls), Address::Tcp(host_port)) = (&self.tls, &self.address) {
            return Connection::open_tls(host_port, tls, self.timeouts);
        }
        Connection::open(&self.address, self.timeouts)
    }

    /// `http` or `https`.
    pub(crate) fn scheme(&self) -> &str {
        self.name
            .split_once("://")
            .map_or("http", |(scheme, _)| scheme)
    }

    /// The `Host` header this server is sent (`host` or `host:port`), which S3 signs.
    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    /// Sends one request on a kept-open connection and reads its response; a 200 response's
    /// `Content-Length` body is given to `take_body` when there is one, where it lies in the
    /// received bytes once the response is whole, instead of copied into the response.
    pub(crate) fn send(
        &self,
        request: &Outgoing<'_>,
        mut take_body: TakeBody<'_, '_>,
    ) -> Result<Response, ServerFailure> {
        let head = http1::encode_head(
            request.method,
            request.target,
            &self.host,
            request.headers,
            request.body.len(),
        );
        let head_only = request.method == "HEAD";
        let connect = || {
            self.open()
                .map(|connection| Kept {
                    connection,
                    closing: false,
                })
                .map_err(HttpFailure::Connect)
        };
        let exchange = |kept: &mut Kept, _fresh: bool| {
            if kept.closing {
                return Err(HttpFailure::Io {
                    error: io::ErrorKind::ConnectionReset.into(),
                    stale: true,
                });
            }
            let mut reading = ReadResponse {
                head_only,
                max_body: request.max_body,
                take_body: take_body.as_deref_mut(),
            };
            let response = kept
                .connection
                .exchange(&[&head, request.body], &mut reading)
                .map_err(http_failure)?;
            kept.closing = response.close;
            Ok(response)
        };
        self.lanes
            .run(connect, exchange)
            .map_err(|refused| ServerFailure {
                server: self.name.clone(),
                failure: match refused {
                    Refused::Skipped(for_ms) => HttpFailure::Skipped(Skipped { for_ms }),
                    Refused::Failed(failure) => failure,
                },
            })
    }
}

/// How to read one response: the sans-IO parser, bounded by the request's body limit.
struct ReadResponse<'t, 'f> {
    head_only: bool,
    max_body: usize,
    take_body: TakeBody<'t, 'f>,
}

impl Exchange for ReadResponse<'_, '_> {
    type Output = Response;
    type Error = Refusal;

    fn parse(&mut self, bytes: &[u8]) -> Result<Parsed<Option<Response>>, Refusal> {
        let take_body = self.take_body.as_deref_mut();
        Ok(
            match http1::parse_response(bytes, self.head_only, self.max_body, take_body)? {
                Parsed::Done(response, taken) => Parsed::Done(Some(response), taken),
                Parsed::Incomplete(need) => Parsed::Incomplete(need),
            },
        )
    }
}

/// What the transport's failure is to the HTTP client: a reset or broken kept-open connection
/// is stale (the server closed it between requests), and is tried once more on a new one.
fn http_failure(failure: Failure<Refusal>) -> HttpFailure {
    match failure {
        Failure::Skipped(skipped) => HttpFailure::Skipped(skipped),
        Failure::Connect(error) => HttpFailure::Connect(error),
        Failure::Io { error, .. } if is_timeout(&error) => HttpFailure::Timeout(error),
        Failure::Io { error, stale } => {
            let stale = stale
                || matches!(
                    error.kind(),
                    io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset
                );
            HttpFailure::Io { error, stale }
        }
        Failure::Protocol(refusal) => HttpFailure::Refused(refusal),
    }
}

/// A reply the server sent that cannot be used (a listing that is not what it should be), as
/// an error.
#[derive(Debug)]
pub(crate) struct BadReply(pub(crate) String);

impl fmt::Display for BadReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadReply {}

/// A response with a status the request did not expect, as an error naming the server.
#[derive(Debug)]
pub(crate) struct UnexpectedStatus {
    pub(crate) server: String,
    pub(crate) status: u16,
    /// The start of the body, as text, for the server's own explanation.
    pub(crate) detail: String,
}

impl UnexpectedStatus {
    /// The error for `response`, from `server`.
    pub(crate) fn of(server: &str, response: &Response) -> Self {
        let detail = String::from_utf8_lossy(&response.body[..response.body.len().min(300)])
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        UnexpectedStatus {
            server: server.to_owned(),
            status: response.status,
            detail,
        }
    }
}

impl fmt::Display for UnexpectedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} answered HTTP {}", self.server, self.status)?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for UnexpectedStatus {}
