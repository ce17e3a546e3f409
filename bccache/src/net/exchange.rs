//! One request and its answer on a server, whichever transport carries it: what a protocol
//! gives the layer ([`Exchange`]: how to read the answer), where a server listens
//! ([`Endpoint`]: its lanes and greeting), how a request fails ([`Failure`], [`ServerError`]),
//! and the [`Transport`] store code is written against once, for the blocking and the tokio
//! transport alike.

use std::fmt;
use std::future::Future;
use std::io;

use super::Parsed;
use super::lanes::{After, Lanes, Refused, Skipped};
use super::stream::{Address, Connection, is_timeout};
use super::url::Timeouts;

/// How to read the answer to one request: a protocol's parser, fed the bytes received.
pub(crate) trait Exchange {
    /// The whole answer.
    type Output;
    /// A reply the protocol refuses.
    type Error;

    /// A new connection sends the endpoint's greeting before the request: its `replies`
    /// replies come first.
    fn greet(&mut self, replies: usize) {
        let _ = replies;
    }

    /// Called once the request is written, before its answer is read: work to do while the
    /// server answers.
    fn sent(&mut self) {}

    /// Parses what it can at the start of `bytes`: `Done(Some(answer))` when the answer is
    /// whole, `Done(None, taken)` for a part of it taken (read on), `Incomplete` for more
    /// bytes.
    fn parse(&mut self, bytes: &[u8]) -> Result<Parsed<Option<Self::Output>>, Self::Error>;
}

/// Whether a refused reply leaves the connection in step (a whole error reply) or not.
pub(crate) trait InStep {
    /// `true` when the reply was read whole and the next one can follow on this connection.
    fn in_step(&self) -> bool;
}

/// Why a request to one server failed.
#[derive(Debug)]
pub(crate) enum Failure<P> {
    /// The server is skipped after it refused a connection or timed out.
    Skipped(Skipped),
    /// No connection could be opened.
    Connect(io::Error),
    /// The connection failed or timed out; `stale` when a kept-open connection was found
    /// closed before any byte of the reply.
    Io { error: io::Error, stale: bool },
    /// The protocol refused a reply.
    Protocol(P),
}

impl<P: InStep> super::lanes::Failure for Failure<P> {
    fn after(&self) -> After {
        match self {
            Failure::Skipped(_) => After::Keep,
            Failure::Protocol(error) if error.in_step() => After::Keep,
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
pub(crate) struct ServerError<P> {
    pub(crate) server: String,
    pub(crate) failure: Failure<P>,
}

impl<P> fmt::Display for ServerError<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "server `{}`", self.server)?;
        match &self.failure {
            Failure::Connect(_) => write!(f, ": cannot connect"),
            _ => Ok(()),
        }
    }
}

impl<P: std::error::Error + 'static> std::error::Error for ServerError<P> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.failure {
            Failure::Skipped(skipped) => Some(skipped),
            Failure::Connect(error) | Failure::Io { error, .. } => Some(error),
            Failure::Protocol(error) => Some(error),
        }
    }
}

/// A server: where it listens, its timeouts, what a new connection says first, and its
/// connections (the blocking transport's lanes, the tokio transport's pool), which share one
/// skip clock.
pub(crate) struct Endpoint {
    /// Names the server in errors: its URL as given, password masked.
    pub(crate) name: String,
    pub(crate) address: Address,
    pub(crate) timeouts: Timeouts,
    /// Sent on a new connection before its first request (Redis's `AUTH` and `SELECT`).
    pub(crate) greeting: Vec<u8>,
    /// How many replies the greeting gets.
    pub(crate) greeting_replies: usize,
    pub(crate) lanes: Lanes<Connection>,
    #[cfg(feature = "tokio")]
    pub(crate) pool: super::tokio_stream::Pool,
}

impl Endpoint {
    /// A server not contacted yet.
    pub(crate) fn new(name: String, address: Address, timeouts: Timeouts) -> Self {
        Endpoint {
            name,
            address,
            timeouts,
            greeting: Vec::new(),
            greeting_replies: 0,
            lanes: Lanes::default(),
            #[cfg(feature = "tokio")]
            pool: Default::default(),
        }
    }

    /// Runs one request on a blocking lane (see [`Lanes::run`]).
    pub(crate) fn exchange_blocking<X: Exchange>(
        &self,
        parts: &[&[u8]],
        exchange: &mut X,
    ) -> Result<X::Output, ServerError<X::Error>>
    where
        X::Error: InStep,
    {
        let connect = || Connection::open(&self.address, self.timeouts).map_err(Failure::Connect);
        let result = self.lanes.run(connect, |connection, fresh| {
            if fresh && self.greeting_replies > 0 {
                exchange.greet(self.greeting_replies);
                return connection.exchange(&self.greeted(parts), exchange);
            }
            connection.exchange(parts, exchange)
        });
        result.map_err(|refused| self.error(refused))
    }

    /// `parts` after the greeting, for a new connection's first request.
    pub(crate) fn greeted<'a>(&'a self, parts: &[&'a [u8]]) -> Vec<&'a [u8]> {
        let mut greeted: Vec<&[u8]> = Vec::with_capacity(parts.len() + 1);
        greeted.push(&self.greeting);
        greeted.extend_from_slice(parts);
        greeted
    }

    /// The error of a refused request, naming this server.
    pub(crate) fn error<P>(&self, refused: Refused<Failure<P>>) -> ServerError<P> {
        ServerError {
            server: self.name.clone(),
            failure: match refused {
                Refused::Skipped(for_ms) => Failure::Skipped(Skipped { for_ms }),
                Refused::Failed(failure) => failure,
            },
        }
    }

    /// Connections kept open now, by both transports.
    pub(crate) fn pooled(&self) -> usize {
        let pooled = self.lanes.open();
        #[cfg(feature = "tokio")]
        let pooled = pooled + self.pool.idle();
        pooled
    }
}

/// A boxed future, `'static`.
// Only a memcached client handed in blocks.
#[cfg_attr(not(feature = "memcached"), allow(dead_code))]
pub(crate) type BoxFuture<T> = std::pin::Pin<Box<dyn Future<Output = T> + Send>>;

/// How store code reaches a server: written once against this, run on either transport.
pub(crate) trait Transport: Copy + Send + Sync {
    /// Whether this transport runs on an async runtime, where a blocking call must not run.
    const ON_RUNTIME: bool;

    /// Runs `call`, which may block: here, or on the runtime's blocking pool.
    #[cfg_attr(not(feature = "memcached"), allow(dead_code))]
    fn blocking<R: Send + 'static>(
        self,
        call: impl FnOnce() -> R + Send + 'static,
    ) -> BoxFuture<crate::error::Result<R>>;

    /// Sends `parts` to `endpoint` and reads the answer by `exchange`.
    fn exchange<'a, X>(
        self,
        endpoint: &'a Endpoint,
        parts: &'a [&'a [u8]],
        exchange: &'a mut X,
    ) -> impl Future<Output = Result<X::Output, ServerError<X::Error>>> + Send + 'a
    where
        X: Exchange + Send,
        X::Output: Send,
        X::Error: InStep + Send;
}

/// The blocking transport: the calling thread waits on the socket. Its futures are ready when
/// first polled; [`now`] runs them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Blocking;

impl Transport for Blocking {
    const ON_RUNTIME: bool = false;

    fn blocking<R: Send + 'static>(
        self,
        call: impl FnOnce() -> R + Send + 'static,
    ) -> BoxFuture<crate::error::Result<R>> {
        Box::pin(std::future::ready(Ok(call())))
    }

    fn exchange<'a, X>(
        self,
        endpoint: &'a Endpoint,
        parts: &'a [&'a [u8]],
        exchange: &'a mut X,
    ) -> impl Future<Output = Result<X::Output, ServerError<X::Error>>> + Send + 'a
    where
        X: Exchange + Send,
        X::Output: Send,
        X::Error: InStep + Send,
    {
        std::future::ready(endpoint.exchange_blocking(parts, exchange))
    }
}

/// Runs store code on the [`Blocking`] transport: its futures never wait on anything but a
/// blocking call, so one poll finishes them.
pub(crate) fn now<T>(future: impl Future<Output = T>) -> T {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(value) = future.as_mut().poll(&mut context) {
            return value;
        }
        // Not reached with the blocking transport; poll again rather than give up.
        std::thread::yield_now();
    }
}
