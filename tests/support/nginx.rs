//! Starts a real nginx, WebDAV on, on a free 127.0.0.1 port with a generated config in a temp
//! dir (its root, logs, pid and temp files there too), and stops it on drop.
//!
//! Locations: `/` has `PUT`, `DELETE`, `MKCOL` and (dav-ext) `PROPFIND`; `/nodav/` has `PUT`
//! and `DELETE` but no `PROPFIND`; `/auth/` answers 401 unless `Authorization: Bearer
//! let-me-in`; `/nodelete/` has all of `/` but refuses `DELETE` (403). Besides the access log,
//! [`Nginx::requests`] reads which connection carried each request. [`Nginx::start_tls`] serves
//! the same over TLS, [`Nginx::start_tls_proxy`] terminates TLS in front of another server.
//! The tests never skip: without nginx or its dav-ext module they fail and say how to install
//! them (`scripts/test` does).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The bearer token `/auth/` wants.
pub const TOKEN: &str = "let-me-in";

const INSTALL: &str = "install nginx and its WebDAV module: \
    `apt-get install nginx-light libnginx-mod-http-dav-ext` (scripts/test does), or set \
    BCCACHE_NGINX to an nginx binary and BCCACHE_NGINX_DAV_EXT to ngx_http_dav_ext_module.so";

/// One request as nginx logged it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Served {
    pub connection: u64,
    pub method: String,
    pub path: String,
    pub status: u16,
}

/// An nginx of our own.
pub struct Nginx {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    scheme: &'static str,
}

/// The TLS versions a server offers unless told otherwise: Debian 12's nginx (1.22) offers
/// TLS 1.3 only when told; servers today do.
const MODERN_TLS: &str = "TLSv1.2 TLSv1.3";

/// What the server does.
enum Mode<'a> {
    /// WebDAV over plain HTTP.
    Dav,
    /// WebDAV over TLS with this certificate.
    TlsDav {
        cert: &'a Path,
        key: &'a Path,
        /// nginx's `ssl_protocols`.
        protocols: &'a str,
    },
    /// TLS in front of a plain HTTP server on this loopback port (a TLS-terminating proxy).
    TlsProxy {
        cert: &'a Path,
        key: &'a Path,
        upstream: u16,
    },
}

impl Nginx {
    pub fn start() -> Self {
        Self::start_with(Mode::Dav)
    }

    /// WebDAV as [`start`](Nginx::start), over TLS with `cert` and its `key` (PEM files).
    pub fn start_tls(cert: &Path, key: &Path) -> Self {
        Self::start_with(Mode::TlsDav {
            cert,
            key,
            protocols: MODERN_TLS,
        })
    }

    /// As [`start_tls`](Nginx::start_tls), offering only the TLS versions `protocols` names
    /// (nginx's `ssl_protocols`, e.g. `TLSv1.2`).
    pub fn start_tls_only(cert: &Path, key: &Path, protocols: &str) -> Self {
        Self::start_with(Mode::TlsDav {
            cert,
            key,
            protocols,
        })
    }

    /// TLS with `cert` in front of the HTTP server on 127.0.0.1:`upstream`, the `Host` header
    /// passed on as the client sent it, bodies streamed both ways.
    pub fn start_tls_proxy(cert: &Path, key: &Path, upstream: u16) -> Self {
        Self::start_with(Mode::TlsProxy {
            cert,
            key,
            upstream,
        })
    }

    fn start_with(mode: Mode<'_>) -> Self {
        let dir = tempfile::tempdir().expect("a temp dir for nginx");
        std::fs::create_dir_all(dir.path().join("root")).expect("nginx's root dir");
        let scheme = match mode {
            Mode::Dav => "http",
            _ => "https",
        };
        for _ in 0..10 {
            let port = free_port();
            if let Some(child) = spawn(port, dir.path(), &mode) {
                return Nginx {
                    child: Some(child),
                    port,
                    dir,
                    scheme,
                };
            }
        }
        let log = std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
        panic!("could not start nginx on a free 127.0.0.1 port after 10 tries:\n{log}");
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port><path>` (`https://` over TLS).
    pub fn url(&self, path: &str) -> String {
        format!("{}://127.0.0.1:{}{path}", self.scheme, self.port)
    }

    /// The directory nginx serves `/` from.
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    /// Every file under the root (relative paths, sorted).
    pub fn files(&self) -> Vec<String> {
        let mut found = Vec::new();
        walk(&self.root(), &self.root(), &mut found);
        found.sort();
        found
    }

    /// Lines of nginx's access log.
    pub fn access_log(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("access.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Every request served so far, in the order served: which connection (nginx's serial
    /// number) carried it, its method, its path and its status.
    pub fn requests(&self) -> Vec<Served> {
        std::fs::read_to_string(self.dir.path().join("requests.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|line| {
                let mut words = line.split(' ');
                Some(Served {
                    connection: words.next()?.parse().ok()?,
                    method: words.next()?.to_owned(),
                    path: words.next()?.to_owned(),
                    status: words.next()?.parse().ok()?,
                })
            })
            .collect()
    }

    /// The requests served after the first `before`, once `ready` holds of them or 5 s have
    /// passed: nginx logs a request just after answering it, so a client can be done before
    /// its last request is in the log.
    pub fn requests_since(&self, before: usize, ready: impl Fn(&[Served]) -> bool) -> Vec<Served> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let mut since = self.requests();
            since.drain(..before.min(since.len()));
            if ready(&since) || Instant::now() > deadline {
                return since;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Stops nginx (SIGKILL) and waits for it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        self.stop();
    }
}

fn walk(root: &Path, dir: &Path, found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(root, &path, found);
        } else if let Ok(relative) = path.strip_prefix(root) {
            found.push(relative.to_string_lossy().into_owned());
        }
    }
}

/// Whether the server on `addr` says it is nginx.
fn answers_as_nginx(addr: &SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(addr, Duration::from_millis(100)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream.write_all(b"HEAD / HTTP/1.0\r\n\r\n").is_err() {
        return false;
    }
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    String::from_utf8_lossy(&reply)
        .to_ascii_lowercase()
        .contains("server: nginx")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free port on 127.0.0.1")
        .port()
}

fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("BCCACHE_NGINX") {
        return PathBuf::from(path);
    }
    for candidate in ["/usr/sbin/nginx", "/usr/bin/nginx"] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    panic!("nginx not found; {INSTALL}");
}

fn dav_ext_module() -> PathBuf {
    let path = std::env::var_os("BCCACHE_NGINX_DAV_EXT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/nginx/modules/ngx_http_dav_ext_module.so"));
    if !path.exists() {
        panic!("{} not found; {INSTALL}", path.display());
    }
    path
}

fn config(port: u16, dir: &Path, mode: &Mode<'_>) -> String {
    let d = dir.display();
    let dav = "dav_methods PUT DELETE MKCOL; create_full_put_path on; dav_access user:rw;";
    let tls = |cert: &Path, key: &Path, protocols: &str| {
        format!(
            "ssl_protocols {protocols}; ssl_certificate {}; ssl_certificate_key {};",
            cert.display(),
            key.display()
        )
    };
    let (listen, locations) = match mode {
        Mode::Dav => (";".to_owned(), dav_locations(dav)),
        Mode::TlsDav {
            cert,
            key,
            protocols,
        } => (
            format!(" ssl; {}", tls(cert, key, protocols)),
            dav_locations(dav),
        ),
        Mode::TlsProxy {
            cert,
            key,
            upstream,
        } => (
            format!(" ssl; {}", tls(cert, key, MODERN_TLS)),
            format!(
                "location / {{ proxy_pass http://127.0.0.1:{upstream}; \
                 proxy_set_header Host $http_host; proxy_http_version 1.1; \
                 proxy_set_header Connection \"\"; proxy_request_buffering off; \
                 proxy_buffering off; }}"
            ),
        ),
    };
    format!(
        r#"load_module {module};
daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {d}/access.log;
    log_format requests '$connection $request_method $uri $status';
    access_log {d}/requests.log requests;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    client_max_body_size 256m;
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{port}{listen}
        root {d}/root;
        {locations}
    }}
}}
"#,
        module = dav_ext_module().display(),
    )
}

/// The WebDAV locations: `/`, `/nodav/` (no PROPFIND), `/auth/` (a bearer token) and
/// `/nodelete/` (DELETE refused).
fn dav_locations(dav: &str) -> String {
    format!(
        r#"location / {{ {dav} dav_ext_methods PROPFIND OPTIONS; }}
        location /nodav/ {{ {dav} }}
        location /auth/ {{
            if ($http_authorization != "Bearer {TOKEN}") {{ return 401; }}
            {dav} dav_ext_methods PROPFIND OPTIONS;
        }}
        location /nodelete/ {{
            {dav} dav_ext_methods PROPFIND OPTIONS;
            limit_except GET PUT MKCOL PROPFIND OPTIONS {{ deny all; }}
        }}"#
    )
}

/// Starts nginx on `port` and waits (at most 5 s) until it accepts connections; `None` if it
/// exited (port taken) or never answered.
fn spawn(port: u16, dir: &Path, mode: &Mode<'_>) -> Option<Child> {
    let conf = dir.join("nginx.conf");
    std::fs::write(&conf, config(port, dir, mode)).expect("write nginx.conf");
    let mut child = Command::new(binary())
        .arg("-p")
        .arg(dir)
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-c")
        .arg(&conf)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}; {INSTALL}", binary().display()));
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return None;
        }
        // Something answering on the port is not enough: another test's server may have taken
        // it in the moment since `free_port`, and then this nginx fails to bind and exits.
        if answers_as_nginx(&addr) && matches!(child.try_wait(), Ok(None)) {
            return Some(child);
        }
        thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}
