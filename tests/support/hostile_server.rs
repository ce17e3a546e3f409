//! A hostile server on 127.0.0.1: a thread that answers every request with scripted bytes, to
//! inject what a real memcached or Redis never sends. Bounded in connections and time.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

/// How long the server thread and each connection live at most.
const LIFETIME: Duration = Duration::from_secs(20);
/// The most connections the server accepts.
const MAX_CONNECTIONS: usize = 64;

/// What the server answers to each request.
#[derive(Clone, Debug)]
pub enum Script {
    /// These bytes, with `{key}` replaced by the request's first key; then silence.
    Reply(Vec<u8>),
    /// These bytes, then `filler` bytes without end, as fast as the client reads them (until
    /// it closes the connection, or 8 MiB), then closes.
    Endless(Vec<u8>, u8),
    /// Nothing: the connection stays open and silent.
    Silence,
}

/// A scripted server; its thread ends by itself.
pub struct HostileServer {
    port: u16,
}

impl HostileServer {
    pub fn start(script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        thread::spawn(move || {
            let started = Instant::now();
            let mut accepted = 0;
            while accepted < MAX_CONNECTIONS && started.elapsed() < LIFETIME {
                match listener.accept() {
                    Ok((stream, _)) => {
                        accepted += 1;
                        let script = script.clone();
                        thread::spawn(move || serve(stream, &script));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        HostileServer { port }
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

/// Answers each request on `stream` by `script`, until the client closes or `LIFETIME`.
fn serve(mut stream: TcpStream, script: &Script) {
    let started = Instant::now();
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(20)));
    let mut request = Vec::new();
    while started.elapsed() < LIFETIME {
        let mut buf = [0u8; 4096];
        match stream.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
            Err(_) => {
                if request.is_empty() {
                    continue;
                }
                // The request is in: answer it.
                let key = first_key(&request);
                request.clear();
                match script {
                    Script::Silence => {}
                    Script::Reply(bytes) => {
                        let reply = replace_key(bytes, &key);
                        if stream.write_all(&reply).is_err() {
                            return;
                        }
                    }
                    Script::Endless(prefix, filler) => {
                        let _ = stream.write_all(&replace_key(prefix, &key));
                        let chunk = vec![*filler; 64 * 1024];
                        for _ in 0..128 {
                            if started.elapsed() > LIFETIME || stream.write_all(&chunk).is_err() {
                                return;
                            }
                        }
                        return;
                    }
                }
            }
        }
    }
}

/// The first key of a memcached `get` line, or of a Redis command (its second bulk string).
fn first_key(request: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(request);
    if let Some(rest) = text.strip_prefix("get ") {
        return rest
            .split_whitespace()
            .next()
            .unwrap_or("")
            .as_bytes()
            .to_vec();
    }
    // *2\r\n$3\r\nGET\r\n$<n>\r\n<key>\r\n
    text.split("\r\n").nth(4).unwrap_or("").as_bytes().to_vec()
}

fn replace_key(bytes: &[u8], key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + key.len());
    let mut rest = bytes;
    while let Some(at) = rest.windows(5).position(|w| w == b"{key}") {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(key);
        rest = &rest[at + 5..];
    }
    out.extend_from_slice(rest);
    out
}
