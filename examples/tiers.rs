//! Tiered caching, memory → directory → memcached, through three lives of a service that
//! compiles regex rule sets into DFAs (regex-automata: slow to build, quick to load):
//!
//! 1. cold everywhere: every rule set is compiled, and written through to all three tiers;
//! 2. a restart: a new process (empty memory tier) on the same machine (warm disk): the first
//!    pass loads from disk, the next from memory;
//! 3. a new machine (empty memory, empty disk) sharing the memcached: one batch warm-up
//!    (`load_many`) loads from memcached and fills the disk and memory, then memory serves.
//!
//! Where each load came from is read off the tiers' counters (`tier_stats()` before and after).
//!
//! ```text
//! cargo run --release --example tiers --features memory
//! BCCACHE_MEMCACHED_URL=memcache://127.0.0.1:11211 cargo run --release --example tiers --features memory
//! ```
//!
//! Without `BCCACHE_MEMCACHED_URL` the example starts its own memcached on a free 127.0.0.1
//! port (the `memcached` binary must be installed: `apt-get install memcached`) and stops it at
//! the end. Entries go under a prefix of their own, so a shared server is not disturbed.

use std::error::Error;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bccache::engine::regex::DfaCompiler;
use bccache::{
    CacheStats, CachedLoader, Checksum, FileSystemBytecodeCache, MemcachedBytecodeCache,
    MemoryBytecodeCache, Origin, TieredBytecodeCache,
};

const RULE_SETS: usize = 12;
const TIER_NAMES: [&str; 3] = ["memory", "disk", "memcached"];

fn main() -> Result<(), Box<dyn Error>> {
    let (url, _server) = match std::env::var("BCCACHE_MEMCACHED_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let server = OwnMemcached::start()?;
            (server.url(), Some(server))
        }
    };
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
    let prefix = format!("bccache-tiers-example/{}-{stamp}/", std::process::id());
    let rules: Vec<(String, String)> = (0..RULE_SETS)
        .map(|n| (format!("rules{n}"), rule_set(n)))
        .collect();
    let code_bytes: usize = {
        let compiler = DfaCompiler::new();
        let (name, source) = &rules[0];
        let dfa = bccache::Compiler::compile(&compiler, name, None, source.as_str())
            .map_err(|e| format!("cannot compile `{name}`: {e}"))?;
        bccache::Compiler::to_bytecode(&compiler, &dfa).len()
    };
    println!(
        "memcached {url}, prefix {prefix}\n{RULE_SETS} rule sets, DFAs of ~{} KiB; \
         each load's source: M memory, D disk, C memcached, * compiled",
        code_bytes / 1024
    );

    let machine_a = tempfile::tempdir()?;
    let machine_b = tempfile::tempdir()?;

    println!("\n1. cold: empty memory, empty disk, empty memcached");
    let tiers = build_tiers(machine_a.path(), &url, &prefix)?;
    run_pass("first load", &tiers, &rules)?;
    run_pass("second load", &tiers, &rules)?;

    println!("\n2. restart: a new process on the same machine (empty memory, warm disk)");
    let tiers = build_tiers(machine_a.path(), &url, &prefix)?;
    run_pass("first load", &tiers, &rules)?;
    run_pass("second load", &tiers, &rules)?;

    println!("\n3. new machine: empty memory, empty disk, the same memcached");
    let tiers = build_tiers(machine_b.path(), &url, &prefix)?;
    run_batch("batch warm-up (load_many)", &tiers, &rules)?;
    run_pass("next load", &tiers, &rules)?;
    Ok(())
}

/// A rule set: a few patterns, distinct for each `n`, whose DFA stays well under memcached's
/// 1 MiB item size.
fn rule_set(n: usize) -> String {
    format!(
        "[a-z0-9._]+@[a-z]+\\.(org|net|n{n})\n[0-9]{{{}}}-[A-Z]{{2,8}}\n\\p{{Greek}}{{2,{}}}\n(ticket|bug)-[0-9]{{3,{}}}",
        2 + n % 4,
        3 + n % 3,
        5 + n % 7
    )
}

fn build_tiers(
    machine: &Path,
    url: &str,
    prefix: &str,
) -> Result<CachedLoader<DfaCompiler, TieredBytecodeCache>, Box<dyn Error>> {
    let checksum = Checksum::Xxh3_128;
    let memory = MemoryBytecodeCache::new(64 * 1024 * 1024).checksum(checksum);
    let disk =
        FileSystemBytecodeCache::new(machine.join("cache"), "__rules_%s.cache")?.checksum(checksum);
    let shared = MemcachedBytecodeCache::builder()
        .server(url)
        .prefix(prefix)
        .checksum(checksum)
        .build()?;
    let tiers = TieredBytecodeCache::new(vec![Box::new(memory), Box::new(disk), Box::new(shared)]);
    Ok(CachedLoader::new(DfaCompiler::new(), tiers))
}

/// Loads every rule set one by one, printing where each came from.
fn run_pass(
    what: &str,
    loader: &CachedLoader<DfaCompiler, TieredBytecodeCache>,
    rules: &[(String, String)],
) -> Result<(), Box<dyn Error>> {
    let mut counts = [0usize; 4];
    let mut times = [Duration::ZERO; 4];
    let mut sequence = String::new();
    let started = Instant::now();
    for (name, source) in rules {
        let before = loader.cache().tier_stats();
        let load_started = Instant::now();
        let loaded = loader.load_with_origin(name, None, source)?;
        let took = load_started.elapsed();
        let from = match loaded.origin {
            Origin::Cache => hit_tier(&before, &loader.cache().tier_stats()).unwrap_or(3),
            _ => 3,
        };
        counts[from] += 1;
        times[from] += took;
        sequence.push(['M', 'D', 'C', '*'][from]);
    }
    print_line(what, started.elapsed(), &counts, &times);
    println!("  {:<28} {sequence}", "");
    Ok(())
}

/// Loads every rule set in one `load_many`, printing how many each tier answered.
fn run_batch(
    what: &str,
    loader: &CachedLoader<DfaCompiler, TieredBytecodeCache>,
    rules: &[(String, String)],
) -> Result<(), Box<dyn Error>> {
    let sources: Vec<(&str, Option<&str>, &str)> = rules
        .iter()
        .map(|(name, source)| (name.as_str(), None, source.as_str()))
        .collect();
    let before = loader.cache().tier_stats();
    let started = Instant::now();
    let results = loader.load_many(&sources);
    let took = started.elapsed();
    let after = loader.cache().tier_stats();
    let mut counts = [0usize; 4];
    for (tier, count) in counts.iter_mut().take(3).enumerate() {
        *count = (hits(&after[tier]) - hits(&before[tier])) as usize;
    }
    for result in results {
        if result?.origin == Origin::Compiled {
            counts[3] += 1;
        }
    }
    print_line(what, took, &counts, &[Duration::ZERO; 4]);
    let filled: Vec<String> = (0..2)
        .map(|tier| {
            let stores = |s: &Option<CacheStats>| s.map_or(0, |s| s.stores);
            let n = stores(&after[tier]) - stores(&before[tier]);
            format!("{} {n}", TIER_NAMES[tier])
        })
        .collect();
    println!("  {:<28} filled: {}", "", filled.join(", "));
    Ok(())
}

fn hits(stats: &Option<CacheStats>) -> u64 {
    stats.map_or(0, |s| s.hits)
}

/// The tier whose hit count rose between two `tier_stats()`.
fn hit_tier(before: &[Option<CacheStats>], after: &[Option<CacheStats>]) -> Option<usize> {
    (0..before.len().min(after.len())).find(|&tier| hits(&after[tier]) > hits(&before[tier]))
}

fn print_line(what: &str, total: Duration, counts: &[usize; 4], times: &[Duration; 4]) {
    let mut parts = Vec::new();
    for (n, label) in TIER_NAMES.iter().chain(&["compiled"]).enumerate() {
        if counts[n] == 0 {
            continue;
        }
        if times[n].is_zero() {
            parts.push(format!("{} from {label}", counts[n]));
        } else {
            let each = times[n].as_secs_f64() * 1e6 / counts[n] as f64;
            parts.push(format!("{} from {label} ({each:.0} µs each)", counts[n]));
        }
    }
    println!(
        "  {what:<28} {:>9.2} ms   {}",
        total.as_secs_f64() * 1e3,
        parts.join(", ")
    );
}

/// A memcached process of the example's own on a free 127.0.0.1 port, stopped on drop.
struct OwnMemcached {
    child: Child,
    port: u16,
}

impl OwnMemcached {
    fn start() -> Result<Self, Box<dyn Error>> {
        for _ in 0..10 {
            let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
            let mut command = Command::new("memcached");
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
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            // memcached refuses to run as root unless told which user to stay.
            if is_root() {
                command.args(["-u", "root"]);
            }
            let mut child = command.spawn().map_err(|e| {
                format!(
                    "cannot start memcached ({e}): install it (`apt-get install memcached`) or \
                     set BCCACHE_MEMCACHED_URL"
                )
            })?;
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if child.try_wait()?.is_some() {
                    break;
                }
                if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                    return Ok(OwnMemcached { child, port });
                }
                thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        Err("could not start memcached on a free 127.0.0.1 port after 10 tries".into())
    }

    fn url(&self) -> String {
        format!("memcache://127.0.0.1:{}", self.port)
    }
}

impl Drop for OwnMemcached {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether this process runs as root, read from `/proc` (no `unsafe` for an example).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find(|line| line.starts_with("Uid:"))
            .and_then(|line| line.split_whitespace().nth(1))
            == Some("0")
    })
}
