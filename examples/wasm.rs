//! Wasm modules through a derived cache: a module of our own (`examples/modules/primes.wat`) is
//! compiled or loaded, instantiated and run; then SQLite compiled to Wasm (sql.js 1.13.0's
//! `sql-wasm.wasm`, 644 KB) is loaded, and compiling it is timed against loading it.
//!
//! ```text
//! cargo run --release --features wasm --example wasm            # first run: compiles, stores
//! cargo run --release --features wasm --example wasm            # second: loads, prints the ratio
//! cargo run --release --features wasm --example wasm -- --clear # remove this example's entries
//! ```
//!
//! The cache lives in the safe default directory (`<temp dir>/_bccache-<uid>`), in files named
//! `__wasm_example_<key>.cache`. SQLite's module is fetched once with
//! `scripts/fetch-sqlite-wasm` (npm) into `<target dir>/wasm/`; this example runs that script
//! when the file is missing.

use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use bccache::engine::wasm::WasmCompiler;
use bccache::engine::wasm::wasmtime::{Engine, Instance, Linker, Module, Store};
use bccache::{BytecodeCache, CachedLoader, Compiler, FileSystemBytecodeCache, Origin};

const PATTERN: &str = "__wasm_example_%s.cache";

/// Compiled Wasm modules, in the safe default directory.
#[derive(bccache::BytecodeCache)]
#[cache(dir, pattern = "__wasm_example_%s.cache")]
struct ModuleCache;

type Loader = CachedLoader<WasmCompiler, ModuleCache>;

fn main() -> Result<(), Box<dyn Error>> {
    if std::env::args().skip(1).any(|arg| arg == "--clear") {
        ModuleCache.clear()?;
        println!("removed the wasm example's cache entries");
        return Ok(());
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let loader = CachedLoader::new(WasmCompiler::new(Engine::default()), ModuleCache);

    own_module(&loader, root)?;
    println!();
    sqlite(&loader, root)?;

    println!(
        "\ncache: {}",
        FileSystemBytecodeCache::with_default_dir()?
            .directory()
            .join(PATTERN.replace("%s", "*"))
            .display()
    );
    Ok(())
}

/// Loads `primes.wat`, instantiates it and counts the primes below a million.
fn own_module(loader: &Loader, root: &Path) -> Result<(), Box<dyn Error>> {
    let filename = "examples/modules/primes.wat";
    let path = root.join(filename);
    let source = fs::read(&path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;

    let started = Instant::now();
    let loaded = loader.load_with_origin("primes.wat", Some(filename), &source[..])?;
    let load_time = started.elapsed();

    let engine = loader.compiler().engine();
    let mut store = Store::new(engine, ());
    let instance = Instance::new(&mut store, &loaded.code, &[])?;
    let count_primes = instance.get_typed_func::<i32, i32>(&mut store, "count_primes")?;
    let started = Instant::now();
    let count = count_primes.call(&mut store, 1_000_000)?;
    let run_time = started.elapsed();

    println!(
        "{filename}: {} in {}, count_primes(1000000) = {count} in {}",
        describe(loaded.origin),
        ms(load_time),
        ms(run_time)
    );
    Ok(())
}

/// Loads SQLite's module through the cache, and on a hit times a compile against a load.
fn sqlite(loader: &Loader, root: &Path) -> Result<(), Box<dyn Error>> {
    let path = sqlite_module(root)?;
    let source = fs::read(&path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let name = "sql-wasm.wasm";
    let filename = path.display().to_string();

    let started = Instant::now();
    let loaded = loader.load_with_origin(name, Some(&filename), &source[..])?;
    let first = started.elapsed();
    let entry = entry_len(name, &filename)?;
    println!(
        "SQLite (sql.js 1.13.0, {}): {} in {}; cache entry {}",
        mib(source.len() as u64),
        describe(loaded.origin),
        ms(first),
        mib(entry)
    );
    let (imports, exports) = instantiate_with_stubs(loader.compiler().engine(), &loaded.code)?;
    println!("  instantiated: {imports} imports stubbed, {exports} exports");

    if loaded.origin != Origin::Cache {
        println!("run it again: SQLite then loads from the cache, timed against a compile");
        return Ok(());
    }
    // Medians of a few rounds each, alternating, so that both sides see the same machine.
    let (mut loads, mut compiles) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let started = Instant::now();
        let cached = loader.load_with_origin(name, Some(&filename), &source[..])?;
        loads.push(started.elapsed());
        if cached.origin != Origin::Cache {
            return Err("the SQLite entry vanished from the cache meanwhile".into());
        }
        let started = Instant::now();
        let compiled = loader.compiler().compile(name, Some(&filename), &source)?;
        compiles.push(started.elapsed());
        drop((cached, compiled));
    }
    let (load, compile) = (median(&mut loads), median(&mut compiles));
    println!(
        "  compile {}  vs  load from the cache {}  ->  {:.0}x faster",
        ms(compile),
        ms(load),
        compile.as_secs_f64() / load.as_secs_f64()
    );
    Ok(())
}

/// `<target dir>/wasm/sql-wasm.wasm`, fetched with `scripts/fetch-sqlite-wasm` if missing.
fn sqlite_module(root: &Path) -> Result<PathBuf, Box<dyn Error>> {
    // This program is `<target dir>/<profile>/examples/wasm`.
    let exe = std::env::current_exe()?;
    let target = exe
        .ancestors()
        .nth(3)
        .ok_or("cannot find the target directory above this program")?;
    let dir = target.join("wasm");
    let path = dir.join("sql-wasm.wasm");
    if !path.exists() {
        let script = root.join("scripts/fetch-sqlite-wasm");
        let status = Command::new(&script)
            .arg(&dir)
            .status()
            .map_err(|e| format!("cannot run `{}`: {e}", script.display()))?;
        if !status.success() {
            return Err(format!(
                "`{}` failed ({status}); SQLite's module is needed at `{}`",
                script.display(),
                path.display()
            )
            .into());
        }
    }
    Ok(path)
}

/// Instantiates `module` with every import a trapping stub (SQLite's imports are Emscripten's
/// JavaScript runtime), which proves the module is ready to run; returns the import and export
/// counts.
fn instantiate_with_stubs(
    engine: &Engine,
    module: &Module,
) -> Result<(usize, usize), Box<dyn Error>> {
    let mut store = Store::new(engine, ());
    let mut linker = Linker::new(engine);
    linker.define_unknown_imports_as_traps(module)?;
    linker.instantiate(&mut store, module)?;
    Ok((module.imports().len(), module.exports().len()))
}

/// Bytes of the cache entry of `name`.
fn entry_len(name: &str, filename: &str) -> Result<u64, Box<dyn Error>> {
    let cache = FileSystemBytecodeCache::new(
        FileSystemBytecodeCache::with_default_dir()?.directory(),
        PATTERN,
    )?;
    let path = cache.path_for_key(&cache.get_cache_key(name, Some(filename)));
    Ok(fs::metadata(&path)
        .map_err(|e| format!("cannot inspect `{}`: {e}", path.display()))?
        .len())
}

fn describe(origin: Origin) -> &'static str {
    match origin {
        Origin::Cache => "loaded from the cache",
        _ => "compiled and stored",
    }
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}
