//! Starts real Redis servers, and a three-master Redis Cluster, on free 127.0.0.1 ports, and
//! stops them on drop.
//!
//! The tests never skip: without `redis-server` or `redis-cli` they fail and say how to install
//! them. Servers run without persistence (`--save "" --appendonly no`) in a temp directory.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// A redis-server process of our own, listening on 127.0.0.1 only.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    extra_args: Vec<String>,
    dir: tempfile::TempDir,
}

impl RedisServer {
    /// A standalone server on a free port.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// A server with extra arguments, e.g. `["--cluster-enabled", "yes"]`.
    pub fn start_with(extra_args: &[&str]) -> Self {
        let extra_args: Vec<String> = extra_args.iter().map(|s| s.to_string()).collect();
        let dir = tempfile::tempdir().expect("a temp dir for redis-server");
        for _ in 0..10 {
            let port = free_port();
            if let Some(child) = spawn(port, dir.path(), &extra_args) {
                return RedisServer {
                    child: Some(child),
                    port,
                    extra_args,
                    dir,
                };
            }
        }
        panic!("could not start redis-server on a free 127.0.0.1 port after 10 tries");
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("a running redis").id()
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Kills the server (SIGKILL) and waits for it; its port stays ours for `restart`.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, empty. Panics if that fails within 10 s.
    pub fn restart(&mut self) {
        self.stop();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(child) = spawn(self.port, self.dir.path(), &self.extra_args) {
                self.child = Some(child);
                return;
            }
            thread::sleep(Duration::from_millis(100));
        }
        panic!("could not restart redis-server on 127.0.0.1:{}", self.port);
    }

    /// A plain connection of the `redis` crate, independent of the cache under test.
    pub fn raw(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .and_then(|client| client.get_connection_with_timeout(Duration::from_secs(2)))
            .and_then(|connection| {
                connection.set_read_timeout(Some(Duration::from_secs(10)))?;
                Ok(connection)
            })
            .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", self.url()))
    }

    /// Runs one command on a fresh plain connection.
    pub fn query<T: redis::FromRedisValue>(&self, command: &redis::Cmd) -> T {
        command
            .query(&mut self.raw())
            .unwrap_or_else(|e| panic!("{:?} on {}: {e}", command_name(command), self.url()))
    }

    /// The raw value stored under `key`.
    pub fn raw_get(&self, key: &str) -> Option<Vec<u8>> {
        self.query(redis::cmd("GET").arg(key))
    }

    /// Stores `value` under `key` directly.
    pub fn raw_set(&self, key: &str, value: &[u8]) {
        self.query::<()>(redis::cmd("SET").arg(key).arg(value));
    }

    /// Keys in the server's database 0.
    pub fn dbsize(&self) -> u64 {
        self.query(&redis::cmd("DBSIZE"))
    }

    /// Every key of database 0, sorted.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.query(redis::cmd("KEYS").arg("*"));
        keys.sort();
        keys
    }

    /// This node's cluster id.
    pub fn node_id(&self) -> String {
        self.query(redis::cmd("CLUSTER").arg("MYID"))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A Redis Cluster of three masters and no replicas, made with `redis-cli --cluster create`.
///
/// The nodes run with `cluster-require-full-coverage no`, as a cache's cluster should: when a
/// master dies, the others keep serving their slots.
pub struct RedisCluster {
    pub nodes: Vec<RedisServer>,
}

impl RedisCluster {
    pub fn start() -> Self {
        let nodes: Vec<RedisServer> = (0..3)
            .map(|_| {
                RedisServer::start_with(&[
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-node-timeout",
                    "1000",
                    "--cluster-require-full-coverage",
                    "no",
                    "--cluster-port",
                    &free_port().to_string(),
                ])
            })
            .collect();
        let mut create = Command::new(binary("redis-cli"));
        create.args(["--cluster", "create"]);
        for node in &nodes {
            create.arg(format!("127.0.0.1:{}", node.port()));
        }
        create.args(["--cluster-replicas", "0", "--cluster-yes"]);
        let output = create
            .stdin(Stdio::null())
            .output()
            .expect("run redis-cli --cluster create");
        assert!(
            output.status.success(),
            "redis-cli --cluster create failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let cluster = RedisCluster { nodes };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !cluster.nodes.iter().all(|node| node.cluster_ok()) {
            assert!(
                Instant::now() < deadline,
                "the cluster did not reach cluster_state:ok within 30 s"
            );
            thread::sleep(Duration::from_millis(50));
        }
        cluster
    }

    /// The URL of node `i`, a seed node.
    pub fn url(&self, i: usize) -> String {
        self.nodes[i].url()
    }

    /// The node that serves `key`'s slot, by the cluster's own `CLUSTER KEYSLOT` and
    /// `CLUSTER SLOTS`.
    pub fn owner_of(&self, key: &str) -> usize {
        let node = self
            .nodes
            .iter()
            .find(|n| n.is_running())
            .expect("a running node");
        let slot: i64 = node.query(redis::cmd("CLUSTER").arg("KEYSLOT").arg(key));
        self.owner_of_slot(slot)
    }

    /// The node that serves `slot`, by `CLUSTER SLOTS` of a running node.
    pub fn owner_of_slot(&self, slot: i64) -> usize {
        let node = self
            .nodes
            .iter()
            .find(|n| n.is_running())
            .expect("a running node");
        let ranges: Vec<Vec<redis::Value>> = node.query(redis::cmd("CLUSTER").arg("SLOTS"));
        let port = ranges
            .iter()
            .find_map(|range| match range.as_slice() {
                [
                    redis::Value::Int(first),
                    redis::Value::Int(last),
                    redis::Value::Array(master),
                    ..,
                ] if (*first..=*last).contains(&slot) => match master.get(1) {
                    Some(redis::Value::Int(port)) => Some(*port),
                    _ => None,
                },
                _ => None,
            })
            .unwrap_or_else(|| panic!("no node serves slot {slot}"));
        self.nodes
            .iter()
            .position(|n| i64::from(n.port()) == port)
            .expect("the owner is one of ours")
    }
}

impl RedisServer {
    fn cluster_ok(&self) -> bool {
        let info: String = self.query(redis::cmd("CLUSTER").arg("INFO"));
        info.lines().any(|line| line.trim() == "cluster_state:ok")
    }
}

/// `redis://127.0.0.1:<port>` on a port nobody listens on: every connection is refused.
pub fn refusing_url() -> String {
    format!("redis://127.0.0.1:{}", free_port())
}

/// `redis-server` or `redis-cli`: `$BCCACHE_REDIS_DIR/<name>`, else the first on `PATH`, else
/// the Debian location. Panics with install instructions when there is none.
pub fn binary(name: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("BCCACHE_REDIS_DIR") {
        return Path::new(&dir).join(name);
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .chain([
            Path::new("/usr/bin").join(name),
            Path::new("/usr/local/bin").join(name),
        ])
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{name} is not installed, and these tests need a real Redis: run ./scripts/test \
                 (it installs it), or `sudo apt-get install redis-server redis-tools`, or set \
                 BCCACHE_REDIS_DIR to the directory holding redis-server and redis-cli"
            )
        })
}

fn command_name(command: &redis::Cmd) -> String {
    command
        .args_iter()
        .next()
        .map(|arg| match arg {
            redis::Arg::Simple(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            redis::Arg::Cursor => "cursor".to_owned(),
        })
        .unwrap_or_default()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free port on 127.0.0.1")
        .port()
}

/// Starts redis-server on `port` in `dir` and waits (at most 5 s) until it accepts
/// connections; `None` if it exited (port taken) or never answered.
fn spawn(port: u16, dir: &Path, extra_args: &[String]) -> Option<Child> {
    let node_dir = dir.join(port.to_string());
    std::fs::create_dir_all(&node_dir).expect("a directory for redis-server");
    let mut child = Command::new(binary("redis-server"))
        .args([
            "--bind",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
            "--dir",
        ])
        .arg(&node_dir)
        .args(extra_args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary("redis-server").display()));
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
