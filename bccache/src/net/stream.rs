//! The blocking transport: a connection over TCP (TCP_NODELAY on) or a unix socket, with a
//! connect timeout, and replies read into a buffer and handed to a sans-IO parser until it has
//! a whole reply, all within the I/O timeout of the request.

use std::io::{self, IoSlice, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::Parsed;
use super::url::Timeouts;

/// Bytes read at a time when the parser wants no more than that.
const READ_SIZE: usize = 64 * 1024;
/// A buffer grown past this for a large reply is given back once the reply is parsed.
const KEEP_BUFFER: usize = 1024 * 1024;
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
}

impl Socket {
    fn set_read_timeout(&self, timeout: Duration) -> io::Result<()> {
        match self {
            Socket::Tcp(stream) => stream.set_read_timeout(Some(timeout)),
            #[cfg(unix)]
            Socket::Unix(stream) => stream.set_read_timeout(Some(timeout)),
        }
    }

    fn set_write_timeout(&self, timeout: Duration) -> io::Result<()> {
        match self {
            Socket::Tcp(stream) => stream.set_write_timeout(Some(timeout)),
            #[cfg(unix)]
            Socket::Unix(stream) => stream.set_write_timeout(Some(timeout)),
        }
    }

    fn read(&mut self, into: &mut [u8]) -> io::Result<usize> {
        match self {
            Socket::Tcp(stream) => stream.read(into),
            #[cfg(unix)]
            Socket::Unix(stream) => stream.read(into),
        }
    }

    fn write_vectored(&mut self, parts: &[IoSlice<'_>]) -> io::Result<usize> {
        match self {
            Socket::Tcp(stream) => stream.write_vectored(parts),
            #[cfg(unix)]
            Socket::Unix(stream) => stream.write_vectored(parts),
        }
    }
}

/// Why a reply was not received.
#[derive(Debug)]
pub(crate) enum ReceiveError<E> {
    /// The socket failed, the server closed the connection (`UnexpectedEof`), or the reply did
    /// not come within the I/O timeout (`TimedOut`).
    Io(io::Error),
    /// The parser refused the bytes.
    Protocol(E),
}

/// One connection to a server, with the bytes received and not parsed yet.
pub(crate) struct Connection {
    socket: Socket,
    /// `buffer[start..end]` is received and not yet parsed; the rest is room to read into.
    buffer: Vec<u8>,
    start: usize,
    end: usize,
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
            Address::Tcp(host_port) => {
                let mut last_error = None;
                let mut connected = None;
                for addr in host_port.to_socket_addrs()? {
                    match TcpStream::connect_timeout(&addr, timeouts.connect) {
                        Ok(stream) => {
                            connected = Some(stream);
                            break;
                        }
                        Err(error) => last_error = Some(error),
                    }
                }
                let stream = connected.ok_or_else(|| {
                    last_error.unwrap_or_else(|| {
                        io::Error::new(io::ErrorKind::NotFound, "the host has no address")
                    })
                })?;
                stream.set_nodelay(true)?;
                Socket::Tcp(stream)
            }
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
        socket.set_read_timeout(timeouts.io)?;
        socket.set_write_timeout(timeouts.io)?;
        Ok(Connection {
            socket,
            buffer: Vec::new(),
            start: 0,
            end: 0,
            io_timeout: timeouts.io,
            read_timeout: timeouts.io,
            deadline: Instant::now() + timeouts.io,
            answered: false,
        })
    }

    /// Sends one request, given in parts, and starts its I/O timeout. Bytes left over from an
    /// earlier reply mean the connection is out of step: an error, and the connection is not
    /// to be used again.
    pub(crate) fn send(&mut self, parts: &[&[u8]]) -> io::Result<()> {
        if self.start != self.end {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the server sent more than its reply",
            ));
        }
        self.deadline = Instant::now() + self.io_timeout;
        self.answered = false;
        if self.read_timeout != self.io_timeout {
            self.socket.set_read_timeout(self.io_timeout)?;
            self.read_timeout = self.io_timeout;
        }
        let total: usize = parts.iter().map(|part| part.len()).sum();
        if total <= COPY_REQUEST {
            let mut request = Vec::with_capacity(total);
            for part in parts {
                request.extend_from_slice(part);
            }
            return self.write_all(&mut [IoSlice::new(&request)]);
        }
        let mut slices: Vec<IoSlice<'_>> = parts.iter().map(|part| IoSlice::new(part)).collect();
        self.write_all(&mut slices)
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
        Ok(())
    }

    /// Whether the server closed a kept-open connection before any byte of the reply came.
    pub(crate) fn closed_unanswered(&self, error: &io::Error) -> bool {
        !self.answered
            && matches!(
                error.kind(),
                io::ErrorKind::UnexpectedEof
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::ConnectionReset
            )
    }

    /// Reads until `parse` makes a whole reply of the bytes received, within the request's I/O
    /// timeout. `parse` is given the bytes not yet parsed and says how many it took, or how
    /// many it needs in all; it bounds what it asks for, so a reply costs what it holds.
    pub(crate) fn receive<T, E>(
        &mut self,
        mut parse: impl FnMut(&[u8]) -> Result<Parsed<T>, E>,
    ) -> Result<T, ReceiveError<E>> {
        loop {
            let need = match parse(&self.buffer[self.start..self.end]) {
                Ok(Parsed::Done(reply, taken)) => {
                    self.start += taken.min(self.end - self.start);
                    if self.start == self.end {
                        self.start = 0;
                        self.end = 0;
                        if self.buffer.len() > KEEP_BUFFER {
                            self.buffer = Vec::new();
                        }
                    }
                    return Ok(reply);
                }
                Ok(Parsed::Incomplete(need)) => need,
                Err(error) => {
                    // What was received of a refused reply is dropped: after a whole error
                    // line the connection is in step again; after anything else the caller
                    // drops the connection.
                    self.start = 0;
                    self.end = 0;
                    return Err(ReceiveError::Protocol(error));
                }
            };
            self.fill(need).map_err(ReceiveError::Io)?;
        }
    }

    /// Reads at least one more byte, making room for `need` unparsed bytes in all.
    fn fill(&mut self, need: usize) -> io::Result<()> {
        let unparsed = self.end - self.start;
        let want = need.max(unparsed + 1);
        if self.buffer.len() - self.start < want || self.end == self.buffer.len() {
            // Move the unparsed bytes to the front, then grow to fit.
            self.buffer.copy_within(self.start..self.end, 0);
            self.start = 0;
            self.end = unparsed;
            let size = want.max(READ_SIZE);
            if self.buffer.len() < size {
                self.buffer.resize(size, 0);
            }
        }
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no whole reply within the I/O timeout",
                ));
            }
            if left < self.read_timeout {
                self.socket.set_read_timeout(left)?;
                self.read_timeout = left;
            }
            match self.socket.read(&mut self.buffer[self.end..]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the server closed the connection",
                    ));
                }
                Ok(read) => {
                    self.end += read;
                    self.answered = true;
                    return Ok(());
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
    }
}

/// Whether an I/O error is a timeout (the socket's, or the whole reply's).
pub(crate) fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
