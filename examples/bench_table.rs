//! Prints the README's benchmark table: every row measured side by side in this one run, medians
//! of alternating rounds, with the machine it ran on.
//!
//! ```text
//! scripts/bench                                   # installs Jinja2 with pip if missing, runs this
//! cargo run --release --example bench_table       # the same, if Jinja2 is already there
//! ```
//!
//! 1. Warm start against cold compile: N Lua 5.4 scripts (N = 100, 1000) and one DFA set loaded
//!    through a warm filesystem cache, against compiling them (sources in memory for both).
//! 2. A filesystem `get_bucket` hit against its floor: `fs::read` of the entry + one checksum of
//!    the source (20 KB source, 64 KB code, 1,000 entries), with sha1 and with xxh3-128.
//! 3. The same hit workload through Python's Jinja2 `FileSystemBytecodeCache`
//!    (`benches/jinja2_hit.py`), against bccache's hit from row 2.
//! 4. A memcached `get_bucket` hit against one raw get of the same entry: a hand-written
//!    text-protocol `get`, and a `get` through the `memcache` crate the backend uses, on a
//!    memcached this program starts on loopback.
//! 5. With the `wasm` feature: SQLite compiled to Wasm (sql.js 1.13.0's `sql-wasm.wasm`, fetched
//!    by `scripts/fetch-sqlite-wasm`), compiled by wasmtime against loaded from a warm
//!    filesystem cache and from a memcached started with `-I 8m` (the entry is over 1 MiB).
//!
//! The machine is shared and noisy: read the ratios, which compare rounds run next to each
//! other, rather than the absolute times.

#[path = "../benches/support/engine_workload.rs"]
mod engine_workload;
#[allow(dead_code)]
#[path = "../tests/support/memcached.rs"]
mod memcached_support;
#[cfg(all(feature = "wasm", feature = "http"))]
#[path = "../tests/support/nginx.rs"]
#[allow(dead_code)]
mod nginx_support;
#[path = "../benches/support/payload.rs"]
mod payload;
#[cfg(all(feature = "wasm", feature = "s3"))]
#[path = "../tests/support/s3.rs"]
#[allow(dead_code)]
mod s3_support;

use std::cell::RefCell;
use std::error::Error;
use std::fs;
use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use bccache::engine::lua::LuaCompiler;
use bccache::engine::lua::mlua::Lua;
use bccache::engine::regex::DfaCompiler;
use bccache::{
    BytecodeCache, CachedLoader, Checksum, Compiler, FileSystemBytecodeCache,
    MemcachedBytecodeCache, Origin,
};
use sha1::{Digest, Sha1};

use engine_workload::{DFA_PATTERNS, lua_scripts, sample_scripts};
use payload::{fake_code, template_source};

type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;

const SOURCE_LEN: usize = 20 * 1024;
const CODE_LEN: usize = 64 * 1024;
/// Entries of the filesystem and Jinja2 hit rows.
const FS_ENTRIES: usize = 1000;
/// Entries of the memcached row (64 KB each stays far below the server's 64 MB).
const MEMCACHED_ENTRIES: usize = 200;

/// One row of the table.
struct Row {
    what: String,
    ours_label: &'static str,
    ours: f64,
    theirs_label: String,
    theirs: f64,
    /// How to read the ratio: "faster" (theirs / ours) or "of floor" (ours / theirs).
    ratio: Ratio,
}

enum Ratio {
    SpeedUp,
    OfFloor,
}

fn main() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let started = Instant::now();
    let load_before = load_average();
    let mut rows = Vec::new();
    let mut notes = Vec::new();

    eprintln!("[1/4] Lua and DFA warm start against cold compile");
    let samples = sample_scripts(root)?;
    for (n, strip, checksum, rounds) in [
        (100, false, Checksum::Sha1, 15),
        (1000, false, Checksum::Sha1, 7),
        (1000, false, Checksum::Xxh3_128, 7),
        (1000, true, Checksum::Xxh3_128, 7),
    ] {
        let (row, split) = lua_row(&samples, n, strip, checksum, rounds)?;
        rows.push(row);
        notes.extend(split);
    }
    rows.push(dfa_row(25)?);

    eprintln!("[2-3/4] filesystem hit, its floor, and Jinja2 (python3 benches/jinja2_hit.py)");
    let jinja2 = Jinja2::start(root, "blob");
    let FsTimes {
        hit: fs_hit,
        floor: fs_floor,
        hit_xxh3: fs_hit_xxh3,
        floor_xxh3: fs_floor_xxh3,
        jinja2: jinja2_hit,
    } = fs_rows(15, jinja2.as_ref().ok())?;
    rows.push(Row {
        what: format!(
            "filesystem `get_bucket` hit, 20 KB source, 64 KB code, {FS_ENTRIES} entries"
        ),
        ours_label: "hit",
        ours: fs_hit,
        theirs_label: "floor: `fs::read` + sha1".into(),
        theirs: fs_floor,
        ratio: Ratio::OfFloor,
    });
    rows.push(Row {
        what: "same, `Checksum::Xxh3_128`".into(),
        ours_label: "hit",
        ours: fs_hit_xxh3,
        theirs_label: "floor: `fs::read` + xxh3-128".into(),
        theirs: fs_floor_xxh3,
        ratio: Ratio::OfFloor,
    });
    match (&jinja2, jinja2_hit) {
        (Ok(jinja2), Some(jinja2_hit)) => {
            rows.push(Row {
                what: format!(
                    "same hit workload: Jinja2 {} `FileSystemBytecodeCache`",
                    jinja2.version
                ),
                ours_label: "bccache",
                ours: fs_hit,
                theirs_label: "Jinja2".into(),
                theirs: jinja2_hit,
                ratio: Ratio::SpeedUp,
            });
            rows.push(Row {
                what: "same, bccache with `Checksum::Xxh3_128`".into(),
                ours_label: "bccache",
                ours: fs_hit_xxh3,
                theirs_label: "Jinja2 (sha1)".into(),
                theirs: jinja2_hit,
                ratio: Ratio::SpeedUp,
            });
        }
        (Err(e), _) => notes.push(format!("Jinja2 row left out: {e}")),
        (Ok(_), None) => notes.push("Jinja2 row left out: no timings".into()),
    }
    drop(jinja2);
    if let Ok(template) = Jinja2::start(root, "template") {
        let rounds: Result<Vec<f64>> = (0..3).map(|_| template.round()).collect();
        if let Ok(rounds) = rounds {
            notes.push(format!(
                "Jinja2's row stores a 64 KB code object made of one bytes constant, so that both \
                 sides pay for the cache layer only; with the real compiled code of a 20 KB \
                 template (also 64 KB marshalled) a Jinja2 hit takes {}, because `marshal.load` \
                 rebuilds thousands of objects.",
                time(median(rounds))
            ));
        }
    }

    eprintln!("[4/4] memcached hit against one raw get");
    match memcached_rows(15) {
        Ok(mc_rows) => rows.extend(mc_rows),
        Err(e) => notes.push(format!("memcached row left out: {e}")),
    }

    #[cfg(feature = "wasm")]
    {
        eprintln!("[wasm] SQLite compiled to Wasm: compile against warm loads (disk, memcached)");
        match wasm::rows(root, 7) {
            Ok(wasm_rows) => rows.extend(wasm_rows),
            Err(e) => notes.push(format!("Wasm rows left out: {e}")),
        }
    }
    #[cfg(not(feature = "wasm"))]
    notes.push(
        "Wasm rows left out: built without the `wasm` feature (`scripts/bench` has it)".into(),
    );

    print_table(&rows);
    println!();
    println!("Machine: {}", machine());
    println!(
        "Medians of alternating rounds (both sides of a row run next to each other in every \
         round), {} in total; load average {} before, {} after. Lua rows: the sample scripts of \
         `examples/scripts` in turn, `pricing_rules.lua` cut to 100 rules, each a distinct file; \
         warm start = key sha1 + source sha1 + read + decode + `lua_load` of the binary chunk.",
        time(started.elapsed().as_secs_f64()),
        load_before,
        load_average()
    );
    for note in notes {
        println!("{note}");
    }
    Ok(())
}

/// Runs `a` and `b` in alternating order for `rounds` rounds after one warm-up each; returns
/// their medians.
fn side_by_side(
    rounds: usize,
    mut a: impl FnMut() -> Result<f64>,
    mut b: impl FnMut() -> Result<f64>,
) -> Result<(f64, f64)> {
    let medians = interleaved(rounds, &mut [&mut a, &mut b])?;
    Ok((medians[0], medians[1]))
}

/// Runs every measurement once to warm up, then `rounds` rounds of all of them, each round
/// starting with the next one (so that none always runs first); returns their medians.
fn interleaved(
    rounds: usize,
    measurements: &mut [&mut dyn FnMut() -> Result<f64>],
) -> Result<Vec<f64>> {
    let count = measurements.len();
    let mut samples = vec![Vec::with_capacity(rounds); count];
    for measure in measurements.iter_mut() {
        measure()?;
    }
    for round in 0..rounds {
        for i in 0..count {
            let which = (round + i) % count;
            samples[which].push(measurements[which]()?);
        }
    }
    Ok(samples.into_iter().map(median).collect())
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    match xs.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}

/// A Lua row, and for the 1,000-script rows a note splitting the warm start into the cache
/// layer (key, checksum, read, checks) and Lua's own `lua_load` of the binary chunks.
fn lua_row(
    samples: &[(String, String)],
    n: usize,
    strip: bool,
    checksum: Checksum,
    rounds: usize,
) -> Result<(Row, Option<String>)> {
    let scripts = lua_scripts(samples, n);
    let source_bytes: usize = scripts.iter().map(|(_, s)| s.len()).sum();
    let dir = tempfile::tempdir()?;
    let cache = FileSystemBytecodeCache::new(dir.path(), "__bench_%s.cache")?.checksum(checksum);
    let loader = CachedLoader::new(LuaCompiler::new(Lua::new())?.strip(strip), cache);
    for (name, source) in &scripts {
        loader.load(name, Some(name), source)?;
    }
    let compiler = LuaCompiler::new(Lua::new())?;

    // Both sides start every round from a collected Lua heap.
    let cold = || -> Result<f64> {
        compiler.lua().gc_collect()?;
        let started = Instant::now();
        let mut code = Vec::with_capacity(scripts.len());
        for (name, source) in &scripts {
            code.push(compiler.compile(name, Some(name), source)?);
        }
        let elapsed = started.elapsed().as_secs_f64();
        drop(black_box(code));
        Ok(elapsed)
    };
    let warm = || -> Result<f64> {
        loader.compiler().lua().gc_collect()?;
        let started = Instant::now();
        let mut code = Vec::with_capacity(scripts.len());
        for (name, source) in &scripts {
            let loaded = loader.load_with_origin(name, Some(name), source)?;
            if loaded.origin != Origin::Cache {
                return Err(format!("{name} was not a cache hit").into());
            }
            code.push(loaded.code);
        }
        let elapsed = started.elapsed().as_secs_f64();
        drop(black_box(code));
        Ok(elapsed)
    };
    let mut layer = || -> Result<f64> {
        let started = Instant::now();
        for (name, source) in &scripts {
            let bucket = loader
                .cache()
                .get_bucket(loader.compiler(), name, Some(name), source)?;
            black_box(bucket.code.ok_or("a miss in the cache-layer round")?);
        }
        Ok(started.elapsed().as_secs_f64())
    };
    let (mut warm, mut cold) = (warm, cold);
    let medians = interleaved(rounds, &mut [&mut warm, &mut cold, &mut layer])?;
    let (warm, cold, layer) = (medians[0], medians[1], medians[2]);
    let what = format!(
        "Lua 5.4: {n} scripts ({:.1} MiB of source), {checksum}{}",
        source_bytes as f64 / (1024.0 * 1024.0),
        if strip { ", `strip(true)`" } else { "" }
    );
    let split = (n >= 1000).then(|| {
        format!(
            "{what}: of the {} warm start, the cache layer (key, checksum, read, checks) takes \
             {} ({:.0} %) and Lua's `lua_load` of the binary chunks the rest.",
            time(warm),
            time(layer),
            100.0 * layer / warm
        )
    });
    let row = Row {
        what,
        ours_label: "warm start",
        ours: warm,
        theirs_label: "cold compile".into(),
        theirs: cold,
        ratio: Ratio::SpeedUp,
    };
    Ok((row, split))
}

fn dfa_row(rounds: usize) -> Result<Row> {
    let dir = tempfile::tempdir()?;
    let cache = FileSystemBytecodeCache::new(dir.path(), "__bench_%s.cache")?;
    let loader = CachedLoader::new(DfaCompiler::new(), cache);
    let dfa = loader.load("rules", None, DFA_PATTERNS)?;
    let dfa_bytes = loader.compiler().to_bytecode(&dfa).len();
    let compiler = DfaCompiler::new();

    let cold = || -> Result<f64> {
        let started = Instant::now();
        black_box(compiler.compile("rules", None, DFA_PATTERNS)?);
        Ok(started.elapsed().as_secs_f64())
    };
    let warm = || -> Result<f64> {
        let started = Instant::now();
        let loaded = loader.load_with_origin("rules", None, DFA_PATTERNS)?;
        let elapsed = started.elapsed().as_secs_f64();
        if loaded.origin != Origin::Cache {
            return Err("the DFA was not a cache hit".into());
        }
        Ok(elapsed)
    };
    // One load per round, as a process start does it. Criterion's thousands of back-to-back
    // loads in `benches/engines.rs` run with a warmed-up allocator and come out faster.
    let (warm, cold) = side_by_side(rounds, warm, cold)?;
    Ok(Row {
        what: format!(
            "regex-automata: dense DFA of 4 Unicode patterns ({} KiB)",
            dfa_bytes / 1024
        ),
        ours_label: "warm start",
        ours: warm,
        theirs_label: "cold build".into(),
        theirs: cold,
        ratio: Ratio::SpeedUp,
    })
}

/// Medians of the filesystem hit rows, seconds per hit.
struct FsTimes {
    hit: f64,
    floor: f64,
    hit_xxh3: f64,
    floor_xxh3: f64,
    jinja2: Option<f64>,
}

fn fs_rows(rounds: usize, jinja2: Option<&Jinja2>) -> Result<FsTimes> {
    let dir = tempfile::tempdir()?;
    let cache = FileSystemBytecodeCache::new(dir.path(), bccache::DEFAULT_PATTERN)?;
    let fast =
        FileSystemBytecodeCache::new(dir.path(), "__xxh3_%s.cache")?.checksum(Checksum::Xxh3_128);
    let names: Vec<String> = (0..FS_ENTRIES)
        .map(|n| format!("templates/page{n}.html"))
        .collect();
    let sources: Vec<String> = (0..FS_ENTRIES)
        .map(|n| template_source(n, SOURCE_LEN))
        .collect();
    for store in [&cache, &fast] {
        for (n, (name, source)) in names.iter().zip(&sources).enumerate() {
            let mut bucket = store.get_bucket(&(), name, None, source)?;
            bucket.code = Some(fake_code(n as u64, CODE_LEN));
            store.set_bucket(&bucket)?;
        }
    }
    let paths_of = |store: &FileSystemBytecodeCache| -> Vec<_> {
        names
            .iter()
            .map(|name| store.path_for_key(&store.get_cache_key(name, None)))
            .collect()
    };
    let (paths, fast_paths) = (paths_of(&cache), paths_of(&fast));

    let hit_on = |store: &FileSystemBytecodeCache| -> Result<f64> {
        let started = Instant::now();
        for (name, source) in names.iter().zip(&sources) {
            let bucket = store.get_bucket(&(), name, None, source)?;
            if bucket.code.is_none() {
                return Err(format!("{name} was a miss").into());
            }
            black_box(bucket);
        }
        Ok(started.elapsed().as_secs_f64() / FS_ENTRIES as f64)
    };
    let floor_of = |paths: &[std::path::PathBuf], sum: &dyn Fn(&[u8])| -> Result<f64> {
        let started = Instant::now();
        for (path, source) in paths.iter().zip(&sources) {
            black_box(fs::read(path)?);
            sum(source.as_bytes());
        }
        Ok(started.elapsed().as_secs_f64() / FS_ENTRIES as f64)
    };
    let mut hit = || hit_on(&cache);
    let mut hit_xxh3 = || hit_on(&fast);
    let mut floor = || {
        floor_of(&paths, &|source| {
            black_box(Sha1::digest(source));
        })
    };
    let mut floor_xxh3 = || {
        floor_of(&fast_paths, &|source| {
            black_box(Checksum::Xxh3_128.of(source));
        })
    };
    let mut measurements: Vec<&mut dyn FnMut() -> Result<f64>> =
        vec![&mut hit, &mut floor, &mut hit_xxh3, &mut floor_xxh3];
    let mut python;
    if let Some(jinja2) = jinja2 {
        python = || jinja2.round();
        measurements.push(&mut python);
    }
    let medians = interleaved(rounds, &mut measurements)?;
    Ok(FsTimes {
        hit: medians[0],
        floor: medians[1],
        hit_xxh3: medians[2],
        floor_xxh3: medians[3],
        jinja2: medians.get(4).copied(),
    })
}

/// `benches/jinja2_hit.py --interactive`: Jinja2's side of the hit rows, one round per request.
struct Jinja2 {
    child: Child,
    /// `None` once closed, which ends the script.
    stdin: RefCell<Option<ChildStdin>>,
    stdout: RefCell<BufReader<ChildStdout>>,
    stderr: RefCell<Option<ChildStderr>>,
    version: String,
}

impl Jinja2 {
    /// Starts the script and waits until its buckets are stored.
    fn start(root: &Path, code: &str) -> Result<Self> {
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = Command::new(&python)
            .arg(root.join("benches/jinja2_hit.py"))
            .args(["--interactive", "--code", code])
            .args(["--buckets", &FS_ENTRIES.to_string()])
            .args(["--source-bytes", &SOURCE_LEN.to_string()])
            .args(["--payload-bytes", &CODE_LEN.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run `{python}`: {e}"))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err("no pipes to benches/jinja2_hit.py".into());
        };
        let stderr = RefCell::new(child.stderr.take());
        let mut jinja2 = Jinja2 {
            child,
            stdin: RefCell::new(Some(stdin)),
            stdout: RefCell::new(BufReader::new(stdout)),
            stderr,
            version: "?".into(),
        };
        // The script prints a few facts, then `ready`; a bounded read of them.
        for _ in 0..32 {
            let line = jinja2.read_line()?;
            match line.split_once(' ') {
                Some(("jinja2", version)) => jinja2.version = version.to_owned(),
                Some(("payload_bytes", bytes)) if bytes != CODE_LEN.to_string() => {
                    return Err(format!("Jinja2's payload is {bytes} bytes, not {CODE_LEN}").into());
                }
                _ if line == "ready" => return Ok(jinja2),
                _ => {}
            }
        }
        Err("benches/jinja2_hit.py never said `ready`".into())
    }

    /// Runs one round of hits over every bucket; returns seconds per hit.
    fn round(&self) -> Result<f64> {
        {
            let mut stdin = self.stdin.borrow_mut();
            let stdin = stdin.as_mut().ok_or("benches/jinja2_hit.py was closed")?;
            stdin.write_all(b"round\n")?;
            stdin.flush()?;
        }
        let line = self.read_line()?;
        let ns = line
            .strip_prefix("hit_ns ")
            .ok_or_else(|| format!("benches/jinja2_hit.py said {line:?}"))?;
        Ok(ns.parse::<f64>()? / 1e9)
    }

    fn read_line(&self) -> Result<String> {
        let mut line = String::new();
        if self.stdout.borrow_mut().read_line(&mut line)? == 0 {
            let mut stderr = String::new();
            if let Some(pipe) = self.stderr.borrow_mut().as_mut() {
                // Best effort: the message is only decoration on the error below.
                let _ = pipe.read_to_string(&mut stderr);
            }
            return Err(format!(
                "benches/jinja2_hit.py stopped: {}; `scripts/bench` installs Jinja2 with pip",
                stderr.trim()
            )
            .into());
        }
        Ok(line.trim_end().to_owned())
    }
}

impl Drop for Jinja2 {
    fn drop(&mut self) {
        // Closing stdin ends the script's loop; it then removes its temporary directory.
        drop(self.stdin.get_mut().take());
        let _ = self.child.wait();
    }
}

fn memcached_rows(rounds: usize) -> Result<Vec<Row>> {
    let server = start_quietly(memcached_support::MemcachedServer::start, "memcached")?;
    let cache = MemcachedBytecodeCache::connect(&server.url())?;
    let names: Vec<String> = (0..MEMCACHED_ENTRIES)
        .map(|n| format!("templates/page{n}.html"))
        .collect();
    let sources: Vec<String> = (0..MEMCACHED_ENTRIES)
        .map(|n| template_source(n, SOURCE_LEN))
        .collect();
    let mut keys = Vec::with_capacity(MEMCACHED_ENTRIES);
    for (n, (name, source)) in names.iter().zip(&sources).enumerate() {
        let mut bucket = cache.get_bucket(&(), name, None, source)?;
        bucket.code = Some(fake_code(n as u64, CODE_LEN));
        cache.set_bucket(&bucket)?;
        keys.push(format!("{}{}", cache.prefix(), bucket.key));
    }
    let mut raw = RawGet::connect(&server)?;

    let hit = || -> Result<f64> {
        let started = Instant::now();
        for (name, source) in names.iter().zip(&sources) {
            let bucket = cache.get_bucket(&(), name, None, source)?;
            if bucket.code.is_none() {
                return Err(format!("{name} was a memcached miss").into());
            }
            black_box(bucket);
        }
        Ok(started.elapsed().as_secs_f64() / MEMCACHED_ENTRIES as f64)
    };
    let raw_get = || -> Result<f64> {
        let started = Instant::now();
        for key in &keys {
            black_box(raw.get(key)?);
        }
        Ok(started.elapsed().as_secs_f64() / MEMCACHED_ENTRIES as f64)
    };
    // The client crate the backend uses, as `Client::connect` sets it up: its pool pings the
    // server on every check-out, which the backend's own pool does not.
    let client = memcache::Client::connect(server.url())?;
    let crate_get = || -> Result<f64> {
        let started = Instant::now();
        for key in &keys {
            let value: Option<Vec<u8>> = client.get(key)?;
            black_box(value.ok_or_else(|| format!("{key} missing from memcached"))?);
        }
        Ok(started.elapsed().as_secs_f64() / MEMCACHED_ENTRIES as f64)
    };
    let (mut hit, mut raw_get, mut crate_get) = (hit, raw_get, crate_get);
    let medians = interleaved(rounds, &mut [&mut hit, &mut raw_get, &mut crate_get])?;
    let (hit, raw_get, crate_get) = (medians[0], medians[1], medians[2]);
    let what = format!(
        "memcached `get_bucket` hit, 20 KB source, 64 KB code, {MEMCACHED_ENTRIES} entries, \
         loopback"
    );
    Ok(vec![
        Row {
            what: what.clone(),
            ours_label: "hit",
            ours: hit,
            theirs_label: "one hand-written text `get`".into(),
            theirs: raw_get,
            ratio: Ratio::OfFloor,
        },
        Row {
            what,
            ours_label: "hit",
            ours: hit,
            theirs_label: "one `get` of a default `memcache::Client` (pings on check-out)".into(),
            theirs: crate_get,
            ratio: Ratio::OfFloor,
        },
    ])
}

/// Starts a test server. The test support panics when it cannot; here that only drops the rows
/// that need the server.
fn start_quietly<T>(start: fn() -> T, what: &str) -> Result<T> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let server = std::panic::catch_unwind(start);
    std::panic::set_hook(hook);
    server.map_err(|_| {
        format!("could not start {what} (is it installed? `scripts/test` installs it)").into()
    })
}

/// The least a memcached hit can cost: one text-protocol `get` on a kept-open connection.
struct RawGet {
    reader: BufReader<TcpStream>,
    line: String,
}

impl RawGet {
    fn connect(server: &memcached_support::MemcachedServer) -> Result<Self> {
        let stream = TcpStream::connect(server.addr())?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        Ok(RawGet {
            reader: BufReader::new(stream),
            line: String::new(),
        })
    }

    fn get(&mut self, key: &str) -> Result<Vec<u8>> {
        self.reader
            .get_mut()
            .write_all(format!("get {key}\r\n").as_bytes())?;
        self.line.clear();
        self.reader.read_line(&mut self.line)?;
        // VALUE <key> <flags> <bytes>
        let len: usize = self
            .line
            .split_whitespace()
            .nth(3)
            .ok_or_else(|| format!("raw get of {key}: unexpected reply {:?}", self.line))?
            .parse()?;
        let mut value = vec![0; len + 2];
        self.reader.read_exact(&mut value)?;
        value.truncate(len);
        self.line.clear();
        self.reader.read_line(&mut self.line)?;
        if self.line != "END\r\n" {
            return Err(format!("raw get of {key}: no END after the value").into());
        }
        Ok(value)
    }
}

fn print_table(rows: &[Row]) {
    println!("| Workload | bccache | Compared with | Ratio |");
    println!("|---|---:|---:|---:|");
    for row in rows {
        let ratio = match row.ratio {
            Ratio::SpeedUp => format!("**{:.1}x** faster", row.theirs / row.ours),
            Ratio::OfFloor => format!("{:.2}x the floor", row.ours / row.theirs),
        };
        println!(
            "| {} | {} {} | {} {} | {} |",
            row.what,
            row.ours_label,
            time(row.ours),
            row.theirs_label,
            time(row.theirs),
            ratio
        );
    }
}

fn time(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.2} s")
    } else if seconds >= 1e-3 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{:.1} µs", seconds * 1e6)
    }
}

fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let os = fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|release| {
            release
                .lines()
                .find_map(|line| line.strip_prefix("PRETTY_NAME="))
                .map(|name| name.trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_owned());
    let build = if cfg!(debug_assertions) {
        "DEBUG build: use --release"
    } else {
        "release build"
    };
    format!("{cpu}, {cores} cores, {os}; {build}")
}

fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|avg| avg.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

/// Row 5: SQLite's Wasm module, compiled against loaded from the cache.
#[cfg(feature = "wasm")]
mod wasm {
    use std::fs;
    use std::hint::black_box;
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::time::Instant;

    use bccache::engine::wasm::WasmCompiler;
    use bccache::engine::wasm::wasmtime::Engine;
    use bccache::{
        CachedLoader, Checksum, Compiler, FileSystemBytecodeCache, MemcachedBytecodeCache, Origin,
    };

    use super::{Ratio, Result, Row, interleaved, memcached_support, start_quietly};

    /// `<target dir>/wasm/sql-wasm.wasm`, fetched with `scripts/fetch-sqlite-wasm` if missing.
    fn sqlite_module(root: &Path) -> Result<PathBuf> {
        // This program is `<target dir>/release/examples/bench_table`.
        let exe = std::env::current_exe()?;
        let dir = exe
            .ancestors()
            .nth(3)
            .ok_or("cannot find the target directory above this program")?
            .join("wasm");
        let path = dir.join("sql-wasm.wasm");
        if !path.exists() {
            let status = Command::new(root.join("scripts/fetch-sqlite-wasm"))
                .arg(&dir)
                .status()?;
            if !status.success() {
                return Err(format!("scripts/fetch-sqlite-wasm failed ({status})").into());
            }
        }
        Ok(path)
    }

    /// Seconds since `started`, for a load that must have come from the cache.
    fn hit_time(started: Instant, origin: Origin) -> Result<f64> {
        let elapsed = started.elapsed().as_secs_f64();
        if origin != Origin::Cache {
            return Err("SQLite's module was not a cache hit".into());
        }
        Ok(elapsed)
    }

    pub fn rows(root: &Path, rounds: usize) -> Result<Vec<Row>> {
        let source = fs::read(sqlite_module(root)?)?;
        let name = "sql-wasm.wasm";
        let compiler = WasmCompiler::new(Engine::default());

        let dir = tempfile::tempdir()?;
        let disk = CachedLoader::new(
            compiler.clone(),
            FileSystemBytecodeCache::new(dir.path(), "__bench_%s.cache")?
                .checksum(Checksum::Xxh3_128),
        );
        disk.load(name, None, &source[..])?;
        let entry = fs::metadata(disk.cache().path_for_key(
            &bccache::BytecodeCache::get_cache_key(disk.cache(), name, None),
        ))?
        .len();

        // The entry is over memcached's default 1 MiB item size: it is stored in chunks.
        let server = start_quietly(memcached_support::MemcachedServer::start, "memcached")?;
        let network = CachedLoader::new(
            compiler.clone(),
            MemcachedBytecodeCache::builder()
                .server(server.url())
                .ignore_memcache_errors(false)
                .checksum(Checksum::Xxh3_128)
                .build()?,
        )
        .strict(true);
        network.load(name, None, &source[..])?;

        // The same entry from nginx (WebDAV) and from moto's S3 server, with the `http` and `s3`
        // features: what a fleet's object store answers, against the same compile.
        #[cfg(feature = "http")]
        let http = match start_quietly(super::nginx_support::Nginx::start, "nginx") {
            Ok(nginx) => {
                let store = bccache::HttpBytecodeCache::builder()
                    .url(nginx.url("/bench/"))
                    .ignore_errors(false)
                    .checksum(Checksum::Xxh3_128)
                    .build()?;
                let loader = CachedLoader::new(compiler.clone(), store).strict(true);
                loader.load(name, None, &source[..])?;
                Some((nginx, loader))
            }
            Err(e) => {
                eprintln!("[wasm] the nginx row is left out: {e}");
                None
            }
        };
        #[cfg(feature = "s3")]
        let s3 = match start_quietly(super::s3_support::MotoS3::start, "moto_server") {
            Ok(moto) => {
                let store = bccache::S3BytecodeCache::builder()
                    .bucket(super::s3_support::BUCKET)
                    .prefix("bench/")
                    .endpoint(moto.endpoint())
                    .region("us-east-1")
                    .credentials(moto.access_key.clone(), moto.secret_key.clone())
                    .ignore_errors(false)
                    .checksum(Checksum::Xxh3_128)
                    .build()?;
                let loader = CachedLoader::new(compiler.clone(), store).strict(true);
                loader.load(name, None, &source[..])?;
                Some((moto, loader))
            }
            Err(e) => {
                eprintln!("[wasm] the S3 row is left out: {e}");
                None
            }
        };

        // The same entry zstd-compressed (level 3), when built with the `zstd` feature.
        #[cfg(feature = "zstd")]
        let compressed = {
            let store = FileSystemBytecodeCache::new(dir.path(), "__bench_zstd_%s.cache")?
                .checksum(Checksum::Xxh3_128);
            let loader = CachedLoader::new(compiler.clone(), bccache::Compressed::new(store, 3)?);
            loader.load(name, None, &source[..])?;
            let key = bccache::BytecodeCache::get_cache_key(loader.cache(), name, None);
            let size = fs::metadata(loader.cache().inner().path_for_key(&key))?.len();
            (loader, size)
        };

        let mut from_disk = || -> Result<f64> {
            let started = Instant::now();
            let loaded = disk.load_with_origin(name, None, &source[..])?;
            hit_time(started, black_box(loaded).origin)
        };
        let mut from_memcached = || -> Result<f64> {
            let started = Instant::now();
            let loaded = network.load_with_origin(name, None, &source[..])?;
            hit_time(started, black_box(loaded).origin)
        };
        let mut compile = || -> Result<f64> {
            let started = Instant::now();
            black_box(compiler.compile(name, None, &source)?);
            Ok(started.elapsed().as_secs_f64())
        };
        #[cfg(feature = "zstd")]
        let mut from_compressed = || -> Result<f64> {
            let started = Instant::now();
            let loaded = compressed.0.load_with_origin(name, None, &source[..])?;
            hit_time(started, black_box(loaded).origin)
        };
        #[cfg(not(feature = "zstd"))]
        let mut from_compressed = || -> Result<f64> { Ok(f64::NAN) };
        // A store the run could not start measures nothing (NaN), and its row is left out.
        #[cfg(feature = "http")]
        let mut from_http = || -> Result<f64> {
            let Some((_, loader)) = &http else {
                return Ok(f64::NAN);
            };
            let started = Instant::now();
            let loaded = loader.load_with_origin(name, None, &source[..])?;
            hit_time(started, black_box(loaded).origin)
        };
        #[cfg(not(feature = "http"))]
        let mut from_http = || -> Result<f64> { Ok(f64::NAN) };
        #[cfg(feature = "s3")]
        let mut from_s3 = || -> Result<f64> {
            let Some((_, loader)) = &s3 else {
                return Ok(f64::NAN);
            };
            let started = Instant::now();
            let loaded = loader.load_with_origin(name, None, &source[..])?;
            hit_time(started, black_box(loaded).origin)
        };
        #[cfg(not(feature = "s3"))]
        let mut from_s3 = || -> Result<f64> { Ok(f64::NAN) };
        let medians = interleaved(
            rounds,
            &mut [
                &mut from_disk,
                &mut from_memcached,
                &mut compile,
                &mut from_compressed,
                &mut from_http,
                &mut from_s3,
            ],
        )?;
        let what = format!(
            "wasmtime 48: SQLite as Wasm (sql.js 1.13.0, {} KiB module, {:.1} MiB entry), xxh3",
            source.len() / 1024,
            entry as f64 / (1024.0 * 1024.0)
        );
        #[cfg(feature = "zstd")]
        let compressed_row = Row {
            what: format!(
                "same, `Compressed` zstd level 3: entry {:.1} MiB ({:.0} % of plain)",
                compressed.1 as f64 / (1024.0 * 1024.0),
                100.0 * compressed.1 as f64 / entry as f64
            ),
            ours_label: "warm load from disk",
            ours: medians[3],
            theirs_label: "plain entry from disk".into(),
            theirs: medians[0],
            ratio: Ratio::OfFloor,
        };
        let mut rows = vec![
            Row {
                what: what.clone(),
                ours_label: "warm load from disk",
                ours: medians[0],
                theirs_label: "compile (cranelift)".into(),
                theirs: medians[2],
                ratio: Ratio::SpeedUp,
            },
            Row {
                what,
                ours_label: "warm load from memcached (default `-I`, 3 chunks)",
                ours: medians[1],
                theirs_label: "compile (cranelift)".into(),
                theirs: medians[2],
                ratio: Ratio::SpeedUp,
            },
        ];
        for (median, from) in [
            (
                medians[4],
                "warm load from nginx (WebDAV, kept-open connection)",
            ),
            (
                medians[5],
                "warm load from moto's S3 server (signed, a connection per request)",
            ),
        ] {
            if median.is_finite() {
                rows.push(Row {
                    what: "same, SQLite's module".into(),
                    ours_label: from,
                    ours: median,
                    theirs_label: "compile (cranelift)".into(),
                    theirs: medians[2],
                    ratio: Ratio::SpeedUp,
                });
            }
        }
        #[cfg(feature = "zstd")]
        rows.push(compressed_row);
        Ok(rows)
    }
}
