//! The blocking transport: a connection over TCP (TCP_NODELAY on) or a unix socket, with a
//! connect timeout, and replies read into a buffer and handed to a sans-IO parser until it has
//! a whole reply, all within the I/O timeout of the request.

use std::io::{self, IoSlice, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::buffer::ReplyBuffer;
use super::exchange::{Exchange, Failure};
use super::url::Timeouts;

/// Requests up to this size are copied into one write; larger ones are written from their parts.
const COPY_REQUEST: usize = 16 * 1024;

/// Where a server listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Address {
    /// `host:port`.
    Tcp(String),
    /// A unix socket's path.
    Unix(PathBuf),
}

enum Socket {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(UnixStream),
    /// Boxed: a TLS session holds its buffers inline.
    #[cfg(feature = "https")]
    Tls(Box<super::tls::TlsStream>),
}

impl Socket {
    fn set_read_timeout(&self, timeout: Duration) -> io::Result<()> {
        match self {
            Socket::Tcp(stream) => stream.set_read_timeout(Some(timeout)),
            #[cfg(unix)]
            Socket::Unix(stream) => stream.set_read_timeout(Some(timeout)),
            #[cfg(feature = "https")]
            Socket::Tls(stream) => stream.sock.socket.set_read_timeout(Some(timeout)),
        }
    }

    fn set_write_timeout(&self, timeout: Duration) -> io::Result<()> {
        match self {
            Socket::Tcp(stream) => stream.set_write_timeout(Some(timeout)),
            #[cfg(unix)]
            Socket::Unix(stream) => stream.set_write_timeout(Some(timeout)),
            #[cfg(feature = "https")]
            Socket::Tls(stream) => stream.sock.socket.set_write_timeout(Some(timeout)),
        }
    }

    fn read(&mut self, into: &mut [u8]) -> io::Result<usize> {
        match self {
            Socket::Tcp(stream) => stream.read(into),
            #[cfg(unix)]
            Socket::Unix(stream) => stream.read(into),
            #[cfg(feature = "https")]
            Socket::Tls(stream) => super::tls::read(stream, into),
        }
    }

    fn write_vectored(&mut self, parts: &[IoSlice<'_>]) -> io::Result<usize> {
        match self {
            Socket::Tcp(stream) => stream.write_vectored(parts),
            #[cfg(unix)]
            Socket::Unix(stream) => stream.write_vectored(parts),
            #[cfg(feature = "https")]
            Socket::Tls(stream) => stream.write_vectored(parts),
        }
    }

    /// Sends what a TLS session still holds of the request; nothing to do on a plain socket,
    /// whose writes went out whole.
    fn flush(&mut self) -> io::Result<()> {
        match self {
            #[cfg(feature = "https")]
            Socket::Tls(stream) => super::tls::flush(stream),
            _ => Ok(()),
        }
    }
}

/// How far past its deadline a reply may be waited for, to spare a read-timeout system call.
const DEADLINE_SLACK: Duration = Duration::from_millis(10);

/// One connection to a server, with the bytes received and not parsed yet.
pub(crate) struct Connection {
    socket: Socket,
    buffer: ReplyBuffer,
    io_timeout: Duration,
    /// The socket's read timeout now: the I/O timeout, or less late in a slow reply.
    read_timeout: Duration,
    /// When the reply to the request being served must be in.
    deadline: Instant,
    /// Whether any byte of the current reply has arrived: a kept-open connection that closes
    /// before is stale, not a server failing mid-reply.
    answered: bool,
}

impl Connection {
    /// Connects within the connect timeout and sets the socket's I/O timeout.
    pub(crate) fn open(address: &Address, timeouts: Timeouts) -> io::Result<Self> {
        let socket = match address {
            Address::Tcp(host_port) => Socket::Tcp(connect_tcp(host_port, timeouts)?),
            #[cfg(unix)]
            Address::Unix(path) => Socket::Unix(UnixStream::connect(path)?),
            #[cfg(not(unix))]
            Address::Unix(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "unix sockets need a unix system",
                ));
            }
        };
        Self::over(socket, timeouts)
    }

    /// Connects to `host_port` within the connect timeout and completes a TLS handshake with
    /// it within the I/O timeout.
    #[cfg(feature = "https")]
    pub(crate) fn open_tls(
        host_port: &str,
        tls: &super::tls::Tls,
        timeouts: Timeouts,
    ) -> io::Result<Self> {
        let stream = connect_tcp(host_port, timeouts)?;
        stream.set_read_timeout(Some(timeouts.io))?;
        stream.set_write_timeout(Some(timeouts.io))?;
        let session = tls.connect(stream, timeouts.io)?;
        Self::over(Socket::Tls(Box::new(session)), timeouts)
    }

    /// A connection over `socket`, its I/O timeout set.
    fn over(socket: Socket, timeouts: Timeouts) -> io::Result<Self> {
        socket.set_read_timeout(timeouts.io)?;
        socket.set_write_timeout(timeouts.io)?;
        Ok(Connection {
            socket,
            buffer: ReplyBuffer::default(),
            io_timeout: timeouts.io,
            read_timeout: timeouts.io,
            deadline: Instant::now() + timeouts.io,
            answered: false,
        })
    }

    /// Sends one request, given in parts, and reads until `exchange` has its whole answer,
    /// within the I/O timeout.
    pub(crate) fn exchange<X: Exchange>(
        &mut self,
        parts: &[&[u8]],
        exchange: &mut X,
    ) -> Result<X::Output, Failure<X::Error>> {
        self.send(parts).map_err(|error| self.failure(error))?;
        exchange.sent();
        loop {
            let need = match self.buffer.answer(exchange).map_err(Failure::Protocol)? {
                Ok(output) => return Ok(output),
                Err(need) => need,
            };
            self.fill(need).map_err(|error| self.failure(error))?;
        }
    }

    fn failure<P>(&self, error: io::Error) -> Failure<P> {
        let stale = closed_unanswered(self.answered, &error);
        Failure::Io { error, stale }
    }

    /// Sends one request, given in parts, and starts its I/O timeout. Bytes left over from an
    /// earlier reply mean the connection is out of step: an error, and the connection is not
    /// to be used again.
    fn send(&mut self, parts: &[&[u8]]) -> io::Result<()> {
        if self.buffer.has_leftovers() {
            return Err(out_of_step());
        }
        self.deadline = Instant::now() + self.io_timeout;
        self.answered = false;
        if self.read_timeout != self.io_timeout {
            self.socket.set_read_timeout(self.io_timeout)?;
            self.read_timeout = self.io_timeout;
        }
        let mut copy = Vec::new();
        self.write_all(&mut gather(parts, &mut copy))
    }

    fn write_all(&mut self, mut slices: &mut [IoSlice<'_>]) -> io::Result<()> {
        IoSlice::advance_slices(&mut slices, 0);
        while !slices.is_empty() {
            match self.socket.write_vectored(slices) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(written) => IoSlice::advance_slices(&mut slices, written),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        self.socket.flush()
    }

    /// Reads at least one more byte, making room for `need` unparsed bytes in all.
    fn fill(&mut self, need: usize) -> io::Result<()> {
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(no_reply_in_time());
            }
            // Shrinking the socket's timeout is a system call: made only once the time left is
            // short of it by more than the slack, so a reply that comes at once (every hit)
            // costs none, and a slow one still ends within its deadline plus the slack.
            if left + DEADLINE_SLACK < self.read_timeout {
                self.socket.set_read_timeout(left)?;
                self.read_timeout = left;
            }
            match self.socket.read(self.buffer.room(need)) {
                Ok(0) => return Err(closed()),
                Ok(read) => {
                    self.buffer.filled(read);
                    self.answered = true;
                    return Ok(());
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
    }
}

/// Connects to the first address of `host_port` that answers within the connect timeout,
/// TCP_NODELAY on.
fn connect_tcp(host_port: &str, timeouts: Timeouts) -> io::Result<TcpStream> {
    let mut last_error = None;
    for addr in host_port.to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, timeouts.connect) {
            Ok(stream) => {
                stream.set_nodelay(true)?;
                return Ok(stream);
            }
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error
        .unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "the host has no address")))
}

/// What to write for a request given in `parts`: a small one in several parts copied into
/// `copy`, one write; one part, or a large request (a big value), as they are.
pub(crate) fn gather<'a>(parts: &[&'a [u8]], copy: &'a mut Vec<u8>) -> Vec<IoSlice<'a>> {
    let total: usize = parts.iter().map(|part| part.len()).sum();
    if total > COPY_REQUEST || parts.len() == 1 {
        return parts.iter().map(|part| IoSlice::new(part)).collect();
    }
    copy.reserve(total);
    for part in parts {
        copy.extend_from_slice(part);
    }
    vec![IoSlice::new(copy)]
}

/// Whether the server closed a kept-open connection before any byte of the reply came.
pub(crate) fn closed_unanswered(answered: bool, error: &io::Error) -> bool {
    !answered
        && matches!(
            error.kind(),
            io::ErrorKind::UnexpectedEof
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::ConnectionReset
        )
}

pub(crate) fn out_of_step() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "the server sent more than its reply",
    )
}

pub(crate) fn no_reply_in_time() -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        "no whole reply within the I/O timeout",
    )
}

pub(crate) fn closed() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "the server closed the connection",
    )
}

/// Whether an I/O error is a timeout (the socket's, or the whole reply's).
pub(crate) fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
