//! The fleet cold start: 8 processes start together on an empty cache and load the same code
//! (the Lua scripts of `examples/scripts/`, a few Unicode regex rule sets and, built with
//! `--features wasm`, the Wasm modules of `examples/modules/` and SQLite's if fetched), first
//! without single flight, then with it. Prints the compiles, the children's total CPU time and
//! the wall time of both runs.
//!
//! ```text
//! cargo run --release --example fleet                   # Lua and regex
//! cargo run --release --features wasm --example fleet   # and Wasm (wasmtime builds for minutes)
//! cargo run --release --example fleet -- --processes 4
//! ```
//!
//! Each run gets a fresh temporary cache directory. The children are this program again, told
//! what to do by the `BCCACHE_FLEET_CHILD` variable.

use std::error::Error;
use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bccache::engine::lua::LuaCompiler;
use bccache::engine::regex::DfaCompiler;
use bccache::{CachedLoader, Compiler, FileSystemBytecodeCache, Origin};

const CHILD_ENV: &str = "BCCACHE_FLEET_CHILD";
const PROCESSES: usize = 8;
/// How long a loader waits for another's compile: longer than the slowest compile here.
const MAX_WAIT: Duration = Duration::from_secs(60);

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Named sources of one engine.
type Sources<S> = Vec<(String, S)>;

fn main() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if let Ok(instructions) = std::env::var(CHILD_ENV) {
        return child(root, &instructions);
    }
    let processes = processes_arg()?;
    let keys = key_count(root)?;
    println!("{}", what_is_loaded(root)?);
    println!("{processes} processes, {keys} keys, a cold cache each run\n");
    let without = run_fleet(processes, false)?;
    let with = run_fleet(processes, true)?;
    println!(
        "{:<24} {:>9} {:>14} {:>10}",
        "", "compiles", "CPU (children)", "wall"
    );
    for (label, run) in [
        ("without single flight", &without),
        ("with single flight", &with),
    ] {
        println!(
            "{label:<24} {:>9} {:>12.2} s {:>8.2} s",
            run.compiles,
            run.cpu.as_secs_f64(),
            run.wall.as_secs_f64()
        );
    }
    let ratio = without.cpu.as_secs_f64() / with.cpu.as_secs_f64().max(1e-9);
    println!("\nCPU without / with single flight: {ratio:.1}x");
    println!(
        "targets: compiles == keys ({} == {keys}: {}), CPU at least 4x lower ({})",
        with.compiles,
        verdict(with.compiles == keys),
        verdict(ratio >= 4.0)
    );
    Ok(())
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

fn processes_arg() -> Result<usize> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().position(|arg| arg == "--processes") {
        Some(at) => Ok(args
            .get(at + 1)
            .ok_or("--processes needs a number")?
            .parse()?),
        None => Ok(PROCESSES),
    }
}

/// What one run of the fleet cost.
struct Run {
    compiles: usize,
    cpu: Duration,
    wall: Duration,
}

/// Starts `processes` children on a fresh cache and waits for them all.
fn run_fleet(processes: usize, single_flight: bool) -> Result<Run> {
    let dir = tempfile::tempdir()?;
    let exe = std::env::current_exe()?;
    let cpu_before = children_cpu();
    let started = Instant::now();
    let children = (0..processes)
        .map(|_| {
            Command::new(&exe)
                .env(
                    CHILD_ENV,
                    format!("{}|{}", u8::from(single_flight), dir.path().display()),
                )
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    let mut compiles = 0;
    for child in children {
        let output = child.wait_with_output()?;
        if !output.status.success() {
            return Err(format!("a child failed: {}", output.status).into());
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let count = stdout
            .lines()
            .find_map(|line| line.strip_prefix("compiles "))
            .ok_or("a child did not report its compiles")?;
        compiles += count.trim().parse::<usize>()?;
    }
    Ok(Run {
        compiles,
        wall: started.elapsed(),
        cpu: children_cpu().saturating_sub(cpu_before),
    })
}

/// User and system CPU time of every child waited for so far.
fn children_cpu() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `usage` is writable memory of the size getrusage fills.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) };
    if rc != 0 {
        return Duration::ZERO;
    }
    // SAFETY: zeroed, then filled by getrusage.
    let usage = unsafe { usage.assume_init() };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// A child: load everything through the cache in the directory, report the compiles.
fn child(root: &Path, instructions: &str) -> Result<()> {
    let (flag, dir) = instructions
        .split_once('|')
        .ok_or("instructions: <0|1>|<dir>")?;
    let single_flight = flag == "1";
    let dir = PathBuf::from(dir);
    let mut compiles = 0;
    let lua = LuaCompiler::new(bccache::engine::lua::mlua::Lua::new())?;
    compiles += load_all(
        lua,
        &dir,
        "__fleet_lua_%s.cache",
        single_flight,
        &lua_scripts(root)?,
    )?;
    compiles += load_all(
        DfaCompiler::new(),
        &dir,
        "__fleet_dfa_%s.cache",
        single_flight,
        &rule_sets(),
    )?;
    #[cfg(feature = "wasm")]
    {
        let wasm = bccache::engine::wasm::WasmCompiler::new(Default::default());
        compiles += load_all(
            wasm,
            &dir,
            "__fleet_wasm_%s.cache",
            single_flight,
            &wasm_modules(root)?,
        )?;
    }
    println!("compiles {compiles}");
    Ok(())
}

/// Loads `sources` as one batch through a loader of `compiler`; the number it compiled.
fn load_all<C, S>(
    compiler: C,
    dir: &Path,
    pattern: &str,
    single_flight: bool,
    sources: &Sources<S>,
) -> Result<usize>
where
    C: Compiler,
    C::Error: Display,
    S: AsRef<C::Source>,
{
    let mut loader = CachedLoader::new(compiler, FileSystemBytecodeCache::new(dir, pattern)?);
    if single_flight {
        loader = loader.single_flight(MAX_WAIT);
    }
    let batch: Vec<(&str, Option<&str>, &S)> = sources
        .iter()
        .map(|(name, source)| (name.as_str(), Some(name.as_str()), source))
        .collect();
    let mut compiled = 0;
    for (result, (name, _)) in loader.load_many(&batch).into_iter().zip(sources) {
        let loaded = result.map_err(|e| match e {
            bccache::LoadError::Compile { source, .. } => format!("{name}: {source}"),
            other => format!("{name}: {other}"),
        })?;
        compiled += usize::from(loaded.origin == Origin::Compiled);
    }
    Ok(compiled)
}

fn lua_scripts(root: &Path) -> Result<Sources<String>> {
    let mut scripts = Vec::new();
    for entry in std::fs::read_dir(root.join("examples/scripts"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "lua") {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            scripts.push((name, std::fs::read_to_string(&path)?));
        }
    }
    scripts.sort();
    Ok(scripts)
}

/// Rule sets of Unicode patterns: each builds a DFA of some megabytes, as a mail filter's or a
/// log scanner's rules do.
fn rule_sets() -> Sources<String> {
    (0..6)
        .map(|n| {
            let rules = format!(
                "\\w+@\\w+\\.(com|org|net{n})\n[\\p{{L}}]{{3,}} [\\p{{L}}]{{{n},}}\n\
                 \\d{{4}}-\\d{{2}}-\\d{{2}}T\\d{{2}}\n(?i)user{n}_\\w+"
            );
            (format!("rules{n}"), rules)
        })
        .collect()
}

/// The modules of `examples/modules/` and SQLite's (`<target dir>/wasm/sql-wasm.wasm`, fetched by
/// `scripts/fetch-sqlite-wasm`), when present.
#[cfg(feature = "wasm")]
fn wasm_modules(root: &Path) -> Result<Sources<Vec<u8>>> {
    let mut modules = Vec::new();
    for entry in std::fs::read_dir(root.join("examples/modules"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "wat" || e == "wasm") {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            modules.push((name, std::fs::read(&path)?));
        }
    }
    if let Some(sqlite) = sqlite_module() {
        modules.push(("sql-wasm.wasm".to_owned(), std::fs::read(sqlite)?));
    }
    modules.sort();
    Ok(modules)
}

/// SQLite's module in `<target dir>/wasm/`, where the wasm example fetches it.
#[cfg(feature = "wasm")]
fn sqlite_module() -> Option<PathBuf> {
    // This program is `<target dir>/<profile>/examples/fleet`.
    let exe = std::env::current_exe().ok()?;
    let path = exe.parent()?.parent()?.parent()?.join("wasm/sql-wasm.wasm");
    path.is_file().then_some(path)
}

fn key_count(root: &Path) -> Result<usize> {
    #[cfg(feature = "wasm")]
    let wasm = wasm_modules(root)?.len();
    #[cfg(not(feature = "wasm"))]
    let wasm = 0;
    Ok(lua_scripts(root)?.len() + rule_sets().len() + wasm)
}

/// One line on what the children load.
fn what_is_loaded(root: &Path) -> Result<String> {
    let lua = lua_scripts(root)?.len();
    let rules = rule_sets().len();
    #[cfg(feature = "wasm")]
    {
        let modules = wasm_modules(root)?;
        let names: Vec<&str> = modules.iter().map(|(n, _)| n.as_str()).collect();
        let sqlite = if sqlite_module().is_some() {
            ""
        } else {
            " (SQLite's module not found: run scripts/fetch-sqlite-wasm to include it)"
        };
        Ok(format!(
            "loading {lua} Lua scripts, {rules} regex rule sets and {} Wasm modules ({}){sqlite}",
            names.len(),
            names.join(", ")
        ))
    }
    #[cfg(not(feature = "wasm"))]
    Ok(format!(
        "loading {lua} Lua scripts and {rules} regex rule sets \
         (no Wasm: build with --features wasm to add the modules and SQLite)"
    ))
}
