//! Starts moto's S3 server (PyPI `moto[server]`) on a free 127.0.0.1 port, and stops it on
//! drop. With [`MotoS3::start`] request signatures are CHECKED: the server is given an IAM user
//! with an access key and an allow-all policy, then told to authenticate every request from
//! then on (`/moto-api/reset-auth` with 0, moto's `INITIAL_NO_AUTH_ACTION_COUNT`), so a wrong
//! secret is refused. [`MotoS3::start_open`] checks nothing and makes [`BUCKET`] public (anonymous
//! requests need it: moto with authentication on fails every request without an
//! `Authorization` header, whatever the bucket policy says).
//!
//! moto 5.2's signature check decodes the query string before it canonicalises it, so a
//! `ListObjectsV2` whose prefix holds a `/` (sent as `%2F`, as AWS requires) fails its check —
//! boto3's own requests too. Tests that list use prefixes without `/` (`lru-`); real S3 and
//! other servers canonicalise as AWS specifies.
//!
//! moto_server is found in `BCCACHE_MOTO_SERVER`, then `target/moto-venv/bin/moto_server`
//! (where `scripts/test` installs it), then `PATH`. The tests never skip: without it they fail
//! and say how to install it.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const INSTALL: &str = "install moto's S3 server: `python3 -m venv target/moto-venv && \
    target/moto-venv/bin/pip install 'moto[server]'` (scripts/test does), or set \
    BCCACHE_MOTO_SERVER to a moto_server binary";

/// Sets up the user, its key and the buckets, then turns authentication on; prints the key.
const SETUP: &str = r#"
import sys, json, urllib.request, boto3
endpoint = sys.argv[1]
kw = dict(endpoint_url=endpoint, region_name="us-east-1",
          aws_access_key_id="setup", aws_secret_access_key="setup")
s3 = boto3.client("s3", **kw)
for bucket in sys.argv[3:]:
    s3.create_bucket(Bucket=bucket)
if sys.argv[2] == "auth":
    iam = boto3.client("iam", **kw)
    iam.create_user(UserName="bccache")
    iam.put_user_policy(UserName="bccache", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="bccache")["AccessKey"]
    request = urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0",
                                     method="POST", headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(request).read()
    print(key["AccessKeyId"], key["SecretAccessKey"])
else:
    # A public bucket: anyone may read its objects (an anonymous cache's use).
    s3.put_bucket_policy(Bucket=sys.argv[3], Policy=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": "arn:aws:s3:::%s/*" % sys.argv[3]}]}))
    print("open open")
"#;

/// The bucket every server starts with.
pub const BUCKET: &str = "bccache-test";
/// A second bucket, for isolation tests.
pub const OTHER_BUCKET: &str = "bccache-other";

/// A moto_server of our own.
pub struct MotoS3 {
    child: Child,
    port: u16,
    pub access_key: String,
    pub secret_key: String,
}

impl MotoS3 {
    /// A server that checks every request's signature, with [`BUCKET`] and [`OTHER_BUCKET`].
    pub fn start() -> Self {
        Self::start_with(true)
    }

    /// A server that checks nothing, with the same buckets.
    pub fn start_open() -> Self {
        Self::start_with(false)
    }

    fn start_with(auth: bool) -> Self {
        let binary = binary();
        for _ in 0..5 {
            let port = free_port();
            let Some(child) = spawn(&binary, port) else {
                continue;
            };
            let mut server = MotoS3 {
                child,
                port,
                access_key: String::new(),
                secret_key: String::new(),
            };
            let python = python_beside(&binary);
            let output = Command::new(&python)
                .arg("-c")
                .arg(SETUP)
                .arg(server.endpoint())
                .arg(if auth { "auth" } else { "open" })
                .args([BUCKET, OTHER_BUCKET])
                .stdin(Stdio::null())
                .output()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}; {INSTALL}", python.display()));
            assert!(
                output.status.success(),
                "setting up moto failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let text = String::from_utf8_lossy(&output.stdout);
            let mut words = text.split_whitespace();
            server.access_key = words.next().expect("an access key").to_owned();
            server.secret_key = words.next().expect("a secret key").to_owned();
            return server;
        }
        panic!("could not start moto_server on a free 127.0.0.1 port after 5 tries");
    }

    /// Stops the server (SIGKILL) and waits for it.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `s3://<bucket>/<prefix>?endpoint=..&region=us-east-1`.
    pub fn location(&self, bucket: &str, prefix: &str) -> String {
        format!(
            "s3://{bucket}/{prefix}?endpoint={}&region=us-east-1",
            self.endpoint()
        )
    }

    /// Object keys and sizes in `bucket`, read from moto's own model (not through S3).
    pub fn objects(&self, bucket: &str) -> Vec<(String, u64)> {
        let python = python_beside(&binary());
        let script = r#"
import sys, json, urllib.request
data = json.load(urllib.request.urlopen(sys.argv[1] + "/moto-api/data.json"))
for key in data.get("s3", {}).get("FakeKey", []):
    if key.get("bucket_name") == sys.argv[2] and not key.get("disposed"):
        print(key["name"], key.get("contentsize", 0))
"#;
        let output = Command::new(python)
            .arg("-c")
            .arg(script)
            .arg(self.endpoint())
            .arg(bucket)
            .output()
            .expect("run python");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mut objects: Vec<(String, u64)> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| {
                let (name, size) = line.rsplit_once(' ')?;
                Some((name.to_owned(), size.parse().ok()?))
            })
            .collect();
        objects.sort();
        objects
    }
}

impl MotoS3 {
    fn boto(&self, script: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut child = Command::new(python_beside(&binary()))
            .arg("-c")
            .arg(format!(
                "import sys, boto3\ns3 = boto3.client('s3', endpoint_url=sys.argv[1], \
                 region_name='us-east-1', aws_access_key_id=sys.argv[2], \
                 aws_secret_access_key=sys.argv[3])\n{script}"
            ))
            .arg(self.endpoint())
            .arg(&self.access_key)
            .arg(&self.secret_key)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run python");
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(input).expect("write to python");
        }
        let output = child.wait_with_output().expect("python");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }

    /// The object's `LastModified` as moto's model holds it (ISO 8601, to the second).
    pub fn last_modified(&self, bucket: &str, key: &str) -> String {
        let script = r#"
import sys, json, urllib.request
data = json.load(urllib.request.urlopen(sys.argv[1] + "/moto-api/data.json"))
times = [k["last_modified_ISO8601"] for k in data.get("s3", {}).get("FakeKey", [])
         if k.get("bucket_name") == sys.argv[2] and k.get("name") == sys.argv[3]
         and not k.get("disposed")]
print(max(times) if times else "")
"#;
        let output = Command::new(python_beside(&binary()))
            .arg("-c")
            .arg(script)
            .arg(self.endpoint())
            .arg(bucket)
            .arg(key)
            .output()
            .expect("run python");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// Stores `bytes` as the object `key`, with boto3 (not through the cache under test).
    pub fn put_raw(&self, bucket: &str, key: &str, bytes: &[u8]) {
        self.boto(
            "s3.put_object(Bucket=sys.argv[4], Key=sys.argv[5], Body=sys.stdin.buffer.read())",
            &[bucket, key],
            bytes,
        );
    }

    /// The bytes of the object `key`, with boto3.
    pub fn get_raw(&self, bucket: &str, key: &str) -> Vec<u8> {
        self.boto(
            "sys.stdout.buffer.write(s3.get_object(Bucket=sys.argv[4], Key=sys.argv[5])['Body'].read())",
            &[bucket, key],
            &[],
        )
    }
}

impl Drop for MotoS3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("BCCACHE_MOTO_SERVER") {
        return PathBuf::from(path);
    }
    // The workspace's target dir, from the root package or a member's tests.
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    for root in [Some(manifest), manifest.parent()].into_iter().flatten() {
        let venv = root.join("target/moto-venv/bin/moto_server");
        if venv.exists() {
            return venv;
        }
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let candidate = dir.join("moto_server");
            if candidate.exists() {
                return candidate;
            }
        }
    }
    panic!("moto_server not found; {INSTALL}");
}

/// The Python that runs `moto_server` (its venv's, which has boto3 too).
fn python_beside(binary: &Path) -> PathBuf {
    let resolved = std::fs::canonicalize(binary).unwrap_or_else(|_| binary.to_owned());
    for dir in [binary.parent(), resolved.parent()].into_iter().flatten() {
        for name in ["python3", "python"] {
            let candidate = dir.join(name);
            if candidate.exists() {
                return candidate;
            }
        }
    }
    PathBuf::from("python3")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free port on 127.0.0.1")
        .port()
}

/// Starts moto_server on `port` and waits (at most 20 s: it imports a lot) until it accepts
/// connections; `None` if it exited (port taken).
/// The lowercased `Server` header of what answers a `HEAD /` on `addr`, if anything does.
fn server_header(addr: &SocketAddr) -> Option<String> {
    let mut stream = TcpStream::connect_timeout(addr, Duration::from_millis(100)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream.write_all(b"HEAD / HTTP/1.0\r\n\r\n").ok()?;
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let reply = String::from_utf8_lossy(&reply).to_ascii_lowercase();
    reply
        .lines()
        .find_map(|line| line.strip_prefix("server:").map(|v| v.trim().to_owned()))
}

fn spawn(binary: &Path, port: u16) -> Option<Child> {
    let mut child = Command::new(binary)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env_remove("INITIAL_NO_AUTH_ACTION_COUNT")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}; {INSTALL}", binary.display()));
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return None;
        }
        // Another test's server may have taken the port since `free_port`: only moto's own
        // answer (werkzeug's `Server` header) means this child is the one listening.
        if server_header(&addr).is_some_and(|server| server.contains("werkzeug"))
            && matches!(child.try_wait(), Ok(None))
        {
            return Some(child);
        }
        thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}
