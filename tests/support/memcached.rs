//! Starts real memcached servers on free 127.0.0.1 ports and stops them on drop.
//!
//! The tests never skip: without a memcached binary they fail and say how to install one.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// What a `MemcachedClient` returns.
pub type ClientResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A memcached process of our own, listening on 127.0.0.1 only.
pub struct MemcachedServer {
    child: Option<Child>,
    port: u16,
    extra_args: Vec<String>,
}

impl MemcachedServer {
    /// A server on a free port with default settings.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// A server with extra command-line arguments, e.g. `["-I", "1m"]` for the item size.
    pub fn start_with(extra_args: &[&str]) -> Self {
        let extra_args: Vec<String> = extra_args.iter().map(|s| s.to_string()).collect();
        for _ in 0..10 {
            let port = free_port();
            if let Some(child) = spawn(port, &extra_args) {
                return MemcachedServer {
                    child: Some(child),
                    port,
                    extra_args,
                };
            }
        }
        panic!("could not start memcached on a free 127.0.0.1 port after 10 tries");
    }

    /// `memcache://127.0.0.1:<port>`, the URL form the `memcache` crate takes.
    pub fn url(&self) -> String {
        format!("memcache://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("a running memcached").id()
    }

    /// Kills the server (SIGKILL) and waits for it; its port stays reserved for `restart`.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, empty. Panics if the port was taken meanwhile.
    pub fn restart(&mut self) {
        self.stop();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(child) = spawn(self.port, &self.extra_args) {
                self.child = Some(child);
                return;
            }
            thread::sleep(Duration::from_millis(100));
        }
        panic!("could not restart memcached on 127.0.0.1:{}", self.port);
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// One value of the server's `stats`, e.g. `curr_connections` or `total_connections`.
    pub fn stat(&self, name: &str) -> Option<u64> {
        let reply = self.command("stats\r\n", |line| line == "END")?;
        reply.lines().find_map(|line| {
            let mut parts = line.split_whitespace();
            (parts.next() == Some("STAT") && parts.next() == Some(name))
                .then(|| parts.next()?.parse().ok())
                .flatten()
        })
    }

    /// A raw text-protocol `get`, independent of the client under test.
    pub fn raw_get(&self, key: &str) -> Option<Vec<u8>> {
        let mut stream = self.connect()?;
        stream.write_all(format!("get {key}\r\n").as_bytes()).ok()?;
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        if line.starts_with("END") {
            return None;
        }
        // VALUE <key> <flags> <bytes>
        let len: usize = line.split_whitespace().nth(3)?.parse().ok()?;
        let mut value = vec![0; len + 2];
        reader.read_exact(&mut value).ok()?;
        value.truncate(len);
        Some(value)
    }

    /// Removes every item (`flush_all`).
    pub fn flush_all(&self) {
        self.command("flush_all\r\n", |line| line == "OK")
            .expect("flush_all on the test memcached");
    }

    fn connect(&self) -> Option<TcpStream> {
        let stream = TcpStream::connect_timeout(&self.addr(), Duration::from_secs(2)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        Some(stream)
    }

    fn command(&self, command: &str, last: impl Fn(&str) -> bool) -> Option<String> {
        let mut stream = self.connect()?;
        stream.write_all(command.as_bytes()).ok()?;
        let mut reader = BufReader::new(stream);
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            let done = last(line.trim_end());
            reply.push_str(&line);
            if done {
                return Some(reply);
            }
        }
    }
}

impl Drop for MemcachedServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The memcached binary: `$BCCACHE_MEMCACHED`, else the first `memcached` on `PATH`, else the
/// Debian location. Panics with install instructions when there is none.
pub fn memcached_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("BCCACHE_MEMCACHED") {
        return PathBuf::from(path);
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("memcached"));
    let known = [
        "/usr/bin/memcached",
        "/usr/local/bin/memcached",
        "/usr/sbin/memcached",
    ]
    .into_iter()
    .map(PathBuf::from);
    on_path
        .chain(known)
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "memcached is not installed, and these tests need a real server: \
             run ./scripts/test (it installs it), or `sudo apt-get install memcached`, \
             or set BCCACHE_MEMCACHED to the binary"
            )
        })
}

/// `memcache://127.0.0.1:<port>` on a port nobody listens on: every connection is refused.
pub fn refusing_url() -> String {
    format!("memcache://127.0.0.1:{}", free_port())
}

/// Runs `call` on its own thread and waits at most `limit` for it, so that a call that hangs
/// fails the test instead of hanging the run. Returns the result and how long it took.
pub fn within<T: Send + 'static>(
    limit: Duration,
    call: impl FnOnce() -> T + Send + 'static,
) -> (T, Duration) {
    let (sender, receiver) = std::sync::mpsc::channel();
    let started = Instant::now();
    thread::spawn(move || {
        let _ = sender.send(call());
    });
    match receiver.recv_timeout(limit) {
        Ok(value) => (value, started.elapsed()),
        Err(_) => panic!("the call did not return within {limit:?}"),
    }
}

/// An error and its sources on one line, for assertions and messages.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free port on 127.0.0.1")
        .port()
}

/// Starts memcached on `port` and waits (at most 5 s) until it accepts connections; `None` if
/// it exited (port taken) or never answered.
fn spawn(port: u16, extra_args: &[String]) -> Option<Child> {
    let mut command = Command::new(memcached_binary());
    command
        .args([
            "-l",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            "0",
            "-m",
            "64",
            "-t",
            "2",
        ])
        .args(extra_args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // memcached refuses to run as root unless told which user to stay.
    // SAFETY: getuid takes no arguments and cannot fail.
    if unsafe { libc::getuid() } == 0 {
        command.args(["-u", "root"]);
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", memcached_binary().display()));
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return None;
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Some(child);
        }
        thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}
