//! The 30-second tour: load the Lua scripts of `examples/scripts` through a derived filesystem
//! cache, run them, and print which were compiled and which came from the cache.
//!
//! ```text
//! cargo run --example quickstart            # first run: every script is compiled and stored
//! cargo run --example quickstart            # second run: every script is loaded from the cache
//! cargo run --example quickstart -- --clear # remove this example's cache entries
//! ```
//!
//! The cache lives in the safe default directory (`<temp dir>/_bccache-<uid>`), in files named
//! `__quickstart_<key>.cache`. Edit a script and run again: only that one is compiled.

use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bccache::engine::lua::LuaCompiler;
use bccache::engine::lua::mlua::Lua;
use bccache::{BytecodeCache, CachedLoader, FileSystemBytecodeCache, Origin};

/// Compiled Lua chunks, in the safe default directory. The scripts are not shared with Jinja2,
/// so sources are summed with xxh3 rather than Jinja2's sha1: a hit costs less.
#[derive(bccache::BytecodeCache)]
#[cache(dir, pattern = "__quickstart_%s.cache", checksum = "xxh3")]
struct ScriptCache;

fn main() -> Result<(), Box<dyn Error>> {
    if std::env::args().skip(1).any(|arg| arg == "--clear") {
        ScriptCache.clear()?;
        println!("removed the quickstart's cache entries");
        return Ok(());
    }

    // The repository's root: this example's package lives in `examples/quickstart`.
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let scripts = lua_scripts(&root.join("examples/scripts"))?;
    let loader = CachedLoader::new(LuaCompiler::new(Lua::new())?, ScriptCache);

    println!(
        "{:<18} {:>9}  {:<20} {:>9} {:>9}  result",
        "script", "source", "code", "load", "run"
    );
    let (mut compiled, mut cached) = (0, 0);
    let (mut load_total, mut run_total) = (Duration::ZERO, Duration::ZERO);
    for path in &scripts {
        let source = fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let filename = path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string();

        let started = Instant::now();
        let loaded = loader.load_with_origin(&name, Some(&filename), &source)?;
        let load_time = started.elapsed();
        let started = Instant::now();
        let result: String = loaded.code.call(())?;
        let run_time = started.elapsed();

        let origin = match loaded.origin {
            Origin::Cache => {
                cached += 1;
                "loaded from cache"
            }
            _ => {
                compiled += 1;
                "compiled, stored"
            }
        };
        load_total += load_time;
        run_total += run_time;
        println!(
            "{name:<18} {:>9}  {origin:<20} {:>9} {:>9}  {result}",
            kib(source.len()),
            ms(load_time),
            ms(run_time),
        );
    }
    println!(
        "{:<18} {:>9}  {:<20} {:>9} {:>9}",
        "total",
        "",
        format!("{compiled} compiled, {cached} cached"),
        ms(load_total),
        ms(run_total),
    );

    // A start that compiled everything leaves its time for the next start to compare with:
    // both are whole process starts, as an application sees them.
    let timing = root.join("target/quickstart-compile-time");
    if cached == 0 {
        // Only a convenience for the line below: a failure to write it changes nothing else.
        let _ = fs::write(&timing, load_total.as_nanos().to_string());
    } else if compiled == 0 {
        let first = fs::read_to_string(&timing)
            .ok()
            .and_then(|text| text.trim().parse::<u64>().ok())
            .map(Duration::from_nanos);
        if let Some(first) = first {
            println!(
                "\nload: {} compiled (first run) -> {} from cache ({:.1}x)",
                ms(first),
                ms(load_total),
                first.as_secs_f64() / load_total.as_secs_f64().max(1e-9)
            );
        }
    }

    // The cache lives in a static and is never dropped: write this run's counts for
    // `bccache stats` before exiting.
    ScriptCache.flush_stats()?;

    let directory = FileSystemBytecodeCache::with_default_dir()?;
    println!(
        "\ncache: {}",
        directory.directory().join("__quickstart_*.cache").display()
    );
    if compiled > 0 {
        println!("run it again: the scripts load from the cache instead of being compiled");
    } else {
        println!("every script came from the cache; edit one and only that one is compiled");
    }
    Ok(())
}

/// The `.lua` files of `dir`, sorted by name.
fn lua_scripts(dir: &Path) -> Result<Vec<PathBuf>, Box<dyn Error>> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list `{}`: {e}", dir.display()))?;
    let mut scripts = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "lua") {
            scripts.push(path);
        }
    }
    scripts.sort();
    Ok(scripts)
}

fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}
