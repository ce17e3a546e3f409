//! The tokio transport: the blocking transport's connections, lanes and deadline on tokio's
//! non-blocking sockets, so a server that hangs stalls only the tasks waiting on it.
//!
//! A server's connections are a pool of up to [`LANES_PER_SERVER`], each used by one request
//! at a time; a request holds its connection by value, so a connection whose request failed
//! mid-reply, timed out, or whose future was dropped never goes back to the pool. The skip
//! clock is the server's one clock, shared with the blocking transport.

use std::future::Future;
use std::io::{self, IoSlice};
use std::sync::{Mutex, PoisonError};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
#[cfg(unix)]
use tokio::net::UnixStream;
use tokio::sync::Semaphore;
use tokio::time::{Instant, timeout, timeout_at};

use super::buffer::ReplyBuffer;
use super::exchange::{BoxFuture, Endpoint, Exchange, Failure, InStep, ServerError, Transport};
use super::lanes::{Failure as _, LANES_PER_SERVER, Refused};
use super::stream::{Address, closed, closed_unanswered, gather, no_reply_in_time, out_of_step};
use super::url::Timeouts;

/// A server's connections on tokio: at most [`LANES_PER_SERVER`] in use at once, and those
/// kept open between requests.
pub(crate) struct Pool {
    permits: Semaphore,
    idle: Mutex<Vec<AsyncConnection>>,
}

impl Default for Pool {
    fn default() -> Self {
        Pool {
            permits: Semaphore::new(LANES_PER_SERVER),
            idle: Mutex::new(Vec::new()),
        }
    }
}

impl Pool {
    /// Connections kept open now.
    pub(crate) fn idle(&self) -> usize {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn take(&self) -> Option<AsyncConnection> {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
    }

    fn put(&self, connection: AsyncConnection) {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(connection);
    }
}

enum Socket {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(UnixStream),
}

/// One connection on tokio, with the bytes received and not parsed yet.
pub(crate) struct AsyncConnection {
    socket: Socket,
    buffer: ReplyBuffer,
    io_timeout: std::time::Duration,
}

impl AsyncConnection {
    /// Connects within the connect timeout.
    async fn open(address: &Address, timeouts: Timeouts) -> io::Result<Self> {
        let in_time = |result: Result<io::Result<Socket>, _>| {
            result.unwrap_or_else(|_| {
                Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no connection within the connect timeout",
                ))
            })
        };
        let socket = match address {
            Address::Tcp(host_port) => in_time(
                timeout(timeouts.connect, async {
                    let stream = TcpStream::connect(host_port.as_str()).await?;
                    stream.set_nodelay(true)?;
                    Ok(Socket::Tcp(stream))
                })
                .await,
            )?,
            #[cfg(unix)]
            Address::Unix(path) => in_time(
                timeout(timeouts.connect, async {
                    Ok(Socket::Unix(UnixStream::connect(path).await?))
                })
                .await,
            )?,
            #[cfg(not(unix))]
            Address::Unix(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "unix sockets need a unix system",
                ));
            }
        };
        Ok(AsyncConnection {
            socket,
            buffer: ReplyBuffer::default(),
            io_timeout: timeouts.io,
        })
    }

    /// Sends one request, given in parts, and reads until `exchange` has its whole answer, all
    /// within the I/O timeout.
    async fn exchange<X: Exchange>(
        &mut self,
        parts: &[&[u8]],
        exchange: &mut X,
    ) -> Result<X::Output, Failure<X::Error>> {
        let mut answered = false;
        // A kept-open connection may also belong to a runtime that has shut down since (a
        // store used from one runtime, then another): it fails before any answer, and is
        // replaced like one the server closed.
        let failure = |answered: bool, error: io::Error| Failure::Io {
            stale: closed_unanswered(answered, &error)
                || (!answered && error.kind() == io::ErrorKind::Other),
            error,
        };
        if self.buffer.has_leftovers() {
            return Err(failure(true, out_of_step()));
        }
        let deadline = Instant::now() + self.io_timeout;
        match timeout_at(deadline, self.send(parts)).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => return Err(failure(false, error)),
            Err(_) => return Err(failure(false, no_reply_in_time())),
        }
        exchange.sent();
        loop {
            let need = match self.buffer.answer(exchange).map_err(Failure::Protocol)? {
                Ok(output) => return Ok(output),
                Err(need) => need,
            };
            let room = self.buffer.room(need);
            let read = match &mut self.socket {
                Socket::Tcp(stream) => timeout_at(deadline, stream.read(room)).await,
                #[cfg(unix)]
                Socket::Unix(stream) => timeout_at(deadline, stream.read(room)).await,
            };
            match read {
                Ok(Ok(0)) => return Err(failure(answered, closed())),
                Ok(Ok(read)) => {
                    self.buffer.filled(read);
                    answered = true;
                }
                Ok(Err(error)) if error.kind() == io::ErrorKind::Interrupted => {}
                Ok(Err(error)) => return Err(failure(answered, error)),
                Err(_) => return Err(failure(answered, no_reply_in_time())),
            }
        }
    }

    async fn send(&mut self, parts: &[&[u8]]) -> io::Result<()> {
        let mut copy = Vec::new();
        self.write_all(&mut gather(parts, &mut copy)).await
    }

    async fn write_all(&mut self, mut slices: &mut [IoSlice<'_>]) -> io::Result<()> {
        IoSlice::advance_slices(&mut slices, 0);
        while !slices.is_empty() {
            let written = match &mut self.socket {
                Socket::Tcp(stream) => stream.write_vectored(slices).await,
                #[cfg(unix)]
                Socket::Unix(stream) => stream.write_vectored(slices).await,
            };
            match written {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(written) => IoSlice::advance_slices(&mut slices, written),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }
}

impl Endpoint {
    /// Runs one request on a pooled connection (opened when none is free), with the lanes'
    /// rules: a failure drops the connection or skips the server as it says, and a request
    /// that found its kept-open connection stale is sent once more on a new one.
    pub(crate) async fn exchange_async<X>(
        &self,
        parts: &[&[u8]],
        exchange: &mut X,
    ) -> Result<X::Output, ServerError<X::Error>>
    where
        X: Exchange,
        X::Error: InStep,
    {
        if let Some(for_ms) = self.lanes.clock.skipped_for_ms() {
            return Err(self.error(Refused::Skipped(for_ms)));
        }
        // The semaphore is never closed.
        let _permit = self.pool.permits.acquire().await.ok();
        let kept = self.pool.take();
        let reused = kept.is_some();
        let result = match self.request_async(kept, parts, exchange).await {
            Err(failure) if reused && failure.is_stale() => {
                self.request_async(None, parts, exchange).await
            }
            result => result,
        };
        result.map_err(|failure| self.error(Refused::Failed(failure)))
    }

    async fn request_async<X>(
        &self,
        kept: Option<AsyncConnection>,
        parts: &[&[u8]],
        exchange: &mut X,
    ) -> Result<X::Output, Failure<X::Error>>
    where
        X: Exchange,
        X::Error: InStep,
    {
        let fresh = kept.is_none();
        let mut connection = match kept {
            Some(connection) => connection,
            None => match AsyncConnection::open(&self.address, self.timeouts).await {
                Ok(connection) => connection,
                Err(error) => {
                    self.lanes.clock.skip();
                    return Err(Failure::Connect(error));
                }
            },
        };
        let result = if fresh && self.greeting_replies > 0 {
            exchange.greet(self.greeting_replies);
            connection.exchange(&self.greeted(parts), exchange).await
        } else {
            connection.exchange(parts, exchange).await
        };
        if let Some(connection) = self.lanes.clock.settle(connection, fresh, &result) {
            self.pool.put(connection);
        }
        result
    }
}

/// The tokio transport.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tokio;

impl Transport for Tokio {
    const ON_RUNTIME: bool = true;

    fn blocking<R: Send + 'static>(
        self,
        call: impl FnOnce() -> R + Send + 'static,
    ) -> BoxFuture<crate::error::Result<R>> {
        Box::pin(crate::async_cache::run_blocking(call))
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
        endpoint.exchange_async(parts, exchange)
    }
}
