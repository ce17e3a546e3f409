//! TLS for the HTTP client (feature `https`): rustls with aws-lc-rs's cryptography (its default
//! provider, post-quantum key exchange preferred), the server's certificate checked for its name
//! against trusted roots.
//!
//! The roots are the platform's (the CA bundle OpenSSL would read), or what
//! `SSL_CERT_FILE`/`SSL_CERT_DIR` name when set, as curl and OpenSSL read them; a store's
//! builder can name a CA file instead (`ca_file`), which is then the only root trusted.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use crate::error::{Error, Result};

/// A TLS session over a connected TCP socket.
pub(crate) type TlsStream = StreamOwned<ClientConnection, ReadAhead>;

/// How much ciphertext one read from the socket may bring in.
const READ_AHEAD: usize = 64 * 1024;

/// The socket under a TLS session, read ahead: rustls asks for 4 KiB at a time, so a 64 KB
/// entry would cost 16 or more `recvfrom`s; this takes what the socket holds, up to 64 KiB, in
/// one, and hands it out from memory (a copy of the ciphertext, cheaper than the calls).
pub(crate) struct ReadAhead {
    pub(crate) socket: TcpStream,
    buffer: Box<[u8]>,
    start: usize,
    end: usize,
}

impl Read for ReadAhead {
    fn read(&mut self, into: &mut [u8]) -> io::Result<usize> {
        if self.start == self.end {
            if into.len() >= self.buffer.len() {
                return self.socket.read(into);
            }
            self.end = self.socket.read(&mut self.buffer)?;
            self.start = 0;
        }
        let n = into.len().min(self.end - self.start);
        into[..n].copy_from_slice(&self.buffer[self.start..self.start + n]);
        self.start += n;
        Ok(n)
    }
}

impl Write for ReadAhead {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.socket.write(bytes)
    }

    fn write_vectored(&mut self, parts: &[io::IoSlice<'_>]) -> io::Result<usize> {
        self.socket.write_vectored(parts)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.socket.flush()
    }
}

/// What a connection to one `https://` server needs: the configuration (roots, protocols) and
/// the name its certificate must hold.
#[derive(Clone)]
pub(crate) struct Tls {
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

impl Tls {
    /// TLS to `host` (a DNS name or an IP address), trusting the roots of `ca_file` when
    /// given, else the platform's.
    pub(crate) fn new(host: &str, ca_file: Option<&Path>) -> Result<Self> {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let server_name =
            ServerName::try_from(host.to_owned()).map_err(|error| Error::InvalidSetting {
                setting: "url",
                value: host.to_owned(),
                reason: format!("not a name a TLS certificate can hold: {error}"),
            })?;
        let config = match ca_file {
            Some(path) => config_trusting(path)?,
            None => platform_config()?,
        };
        Ok(Tls {
            config,
            server_name,
        })
    }

    /// Starts TLS on `socket` and completes the handshake, the whole of it within the socket's
    /// I/O timeout (`io_timeout`, already set on the socket for each read and write).
    pub(crate) fn connect(
        &self,
        socket: TcpStream,
        io_timeout: std::time::Duration,
    ) -> io::Result<TlsStream> {
        let mut socket = ReadAhead {
            socket,
            buffer: vec![0; READ_AHEAD].into_boxed_slice(),
            start: 0,
            end: 0,
        };
        let mut session = ClientConnection::new(self.config.clone(), self.server_name.clone())
            .map_err(io::Error::other)?;
        let deadline = Instant::now() + io_timeout;
        let late = || {
            io::Error::new(
                io::ErrorKind::TimedOut,
                "no TLS handshake within the I/O timeout",
            )
        };
        while session.is_handshaking() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(late());
            }
            // Each read waits at most what is left of the handshake's time.
            socket.socket.set_read_timeout(Some(left))?;
            let (read, written) = session
                .complete_io(&mut socket)
                .map_err(|error| match error.kind() {
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => late(),
                    _ => error,
                })?;
            if read == 0 && written == 0 && session.is_handshaking() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection during the TLS handshake",
                ));
            }
        }
        Ok(StreamOwned::new(session, socket))
    }
}

/// Writes what the session still holds to the socket: a `write` hands plaintext to rustls,
/// which sends it only as far as the socket takes it at once.
pub(crate) fn flush(stream: &mut TlsStream) -> io::Result<()> {
    stream.flush()
}

/// Reads plaintext from the session, reading records from the socket as needed.
pub(crate) fn read(stream: &mut TlsStream, into: &mut [u8]) -> io::Result<usize> {
    stream.read(into)
}

/// The configuration trusting the platform's roots, loaded once per process (a bundle of a
/// few hundred certificates takes milliseconds to parse).
fn platform_config() -> Result<Arc<ClientConfig>> {
    static PLATFORM: OnceLock<std::result::Result<Arc<ClientConfig>, String>> = OnceLock::new();
    PLATFORM
        .get_or_init(|| {
            let found = rustls_native_certs::load_native_certs();
            roots_config(found.certs, &found.errors).map_err(|reason| reason.to_string())
        })
        .clone()
        .map_err(|reason| Error::InvalidSetting {
            setting: "ca_file",
            value: ca_source(),
            reason,
        })
}

/// Where the platform's roots were looked for, for errors.
fn ca_source() -> String {
    let set: Vec<String> = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
        .iter()
        .filter_map(|name| Some(format!("{name}={}", std::env::var(name).ok()?)))
        .collect();
    if set.is_empty() {
        "the platform's CA bundle".to_owned()
    } else {
        set.join(" ")
    }
}

/// The configuration trusting exactly the certificates of the PEM file at `path`.
fn config_trusting(path: &Path) -> Result<Arc<ClientConfig>> {
    let found = rustls_native_certs::load_certs_from_paths(Some(path), None);
    roots_config(found.certs, &found.errors).map_err(|reason| Error::InvalidSetting {
        setting: "ca_file",
        value: path.display().to_string(),
        reason: reason.to_string(),
    })
}

/// The client configuration over `certs` as roots: aws-lc-rs's cryptography, TLS 1.2 and 1.3, no
/// client certificate. No usable root is an error (every server would be refused).
fn roots_config(
    certs: Vec<CertificateDer<'static>>,
    errors: &[rustls_native_certs::Error],
) -> std::result::Result<Arc<ClientConfig>, RootsError> {
    let mut roots = RootCertStore::empty();
    let (_added, _ignored) = roots.add_parsable_certificates(certs);
    if roots.is_empty() {
        return Err(RootsError {
            detail: errors.first().map(ToString::to_string),
        });
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| RootsError {
            detail: Some(error.to_string()),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// No trusted root could be read.
struct RootsError {
    detail: Option<String>,
}

impl std::fmt::Display for RootsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no trusted root certificate could be read")?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn read_ahead_hands_out_every_byte_in_order_to_small_reads() -> io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let sent: Vec<u8> = (0..200_000u32).map(|n| (n % 253) as u8).collect();
        let writer = {
            let sent = sent.clone();
            let addr = listener.local_addr()?;
            std::thread::spawn(move || -> io::Result<()> {
                let mut stream = TcpStream::connect(addr)?;
                stream.write_all(&sent)
            })
        };
        let (socket, _) = listener.accept()?;
        let mut ahead = ReadAhead {
            socket,
            buffer: vec![0; READ_AHEAD].into_boxed_slice(),
            start: 0,
            end: 0,
        };
        let mut got = Vec::new();
        let mut chunk = [0; 4096];
        loop {
            let n = ahead.read(&mut chunk)?;
            if n == 0 {
                break;
            }
            got.extend_from_slice(&chunk[..n]);
        }
        writer.join().expect("the writer")?;
        assert_eq!(got, sent);
        Ok(())
    }

    #[test]
    fn a_host_that_no_certificate_can_name_is_an_invalid_setting() {
        let error = Tls::new("bad host name!", None).expect_err("not a name");
        assert!(
            matches!(error, Error::InvalidSetting { setting: "url", .. }),
            "{error:?}"
        );
        assert!(Tls::new("[::1]", Some(Path::new("/nonexistent/ca.pem"))).is_err());
    }
}
