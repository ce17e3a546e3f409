//! Warm start against cold compile: loading N Lua 5.4 scripts (N = 100, 1000) and one regex DFA
//! set through a warm filesystem cache, against compiling them. Sources are in memory for both,
//! so the difference is compiling against key + checksum + read + decode. With the `wasm`
//! feature, the same for one Wasm module through wasmtime: SQLite (sql.js 1.13.0's
//! `sql-wasm.wasm`, fetched by `scripts/fetch-sqlite-wasm` into `<target dir>/wasm/`) when it is
//! there, else `examples/modules/primes.wat`.
//!
//! `cargo bench --bench engines [--features wasm]` (the README's table comes from
//! `scripts/bench`, which measures every row side by side in one run).

#[cfg(all(feature = "lua", feature = "regex"))]
#[path = "support/engine_workload.rs"]
mod engine_workload;

#[cfg(all(feature = "lua", feature = "regex"))]
mod benches {
    use std::hint::black_box;
    use std::path::Path;
    use std::time::{Duration, Instant};

    use bccache::engine::lua::LuaCompiler;
    use bccache::engine::lua::mlua::Lua;
    use bccache::engine::regex::DfaCompiler;
    use bccache::{CachedLoader, Compiler, FileSystemBytecodeCache, Origin};
    use criterion::{BenchmarkId, Criterion};

    use crate::engine_workload::{DFA_PATTERNS, lua_scripts, sample_scripts};

    pub fn lua_start(c: &mut Criterion) {
        let samples = sample_scripts(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("samples");
        let mut group = c.benchmark_group("lua_start");
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(8));
        for n in [100, 1000] {
            let scripts = lua_scripts(&samples, n);
            let dir = tempfile::tempdir().expect("temp dir");
            let cache =
                FileSystemBytecodeCache::new(dir.path(), "__bench_%s.cache").expect("cache");
            let loader = CachedLoader::new(LuaCompiler::new(Lua::new()).expect("lua"), cache);
            for (name, source) in &scripts {
                loader.load(name, Some(name), source).expect("compiles");
            }
            let compiler = LuaCompiler::new(Lua::new()).expect("lua");

            // Each sample starts from a collected Lua heap, so that neither side pays for
            // the garbage of the other's previous iterations.
            group.bench_function(BenchmarkId::new("cold_compile", n), |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        compiler.lua().gc_collect().expect("gc");
                        let started = Instant::now();
                        let code: Vec<_> = scripts
                            .iter()
                            .map(|(name, source)| {
                                compiler
                                    .compile(name, Some(name), source)
                                    .expect("compiles")
                            })
                            .collect();
                        total += started.elapsed();
                        drop(black_box(code));
                    }
                    total
                })
            });
            group.bench_function(BenchmarkId::new("warm_start", n), |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        loader.compiler().lua().gc_collect().expect("gc");
                        let started = Instant::now();
                        let code: Vec<_> = scripts
                            .iter()
                            .map(|(name, source)| {
                                let loaded = loader
                                    .load_with_origin(name, Some(name), source)
                                    .expect("loads");
                                assert_eq!(loaded.origin, Origin::Cache);
                                loaded.code
                            })
                            .collect();
                        total += started.elapsed();
                        drop(black_box(code));
                    }
                    total
                })
            });
        }
        group.finish();
    }

    pub fn dfa_start(c: &mut Criterion) {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = FileSystemBytecodeCache::new(dir.path(), "__bench_%s.cache").expect("cache");
        let loader = CachedLoader::new(DfaCompiler::new(), cache);
        loader.load("rules", None, DFA_PATTERNS).expect("builds");
        let compiler = DfaCompiler::new();

        let mut group = c.benchmark_group("dfa_start");
        group.sample_size(10);
        group.bench_function("cold_compile", |b| {
            b.iter(|| {
                black_box(
                    compiler
                        .compile("rules", None, DFA_PATTERNS)
                        .expect("builds"),
                )
            })
        });
        group.bench_function("warm_start", |b| {
            b.iter(|| {
                let loaded = loader
                    .load_with_origin("rules", None, DFA_PATTERNS)
                    .expect("loads");
                assert_eq!(loaded.origin, Origin::Cache);
                black_box(loaded.code)
            })
        });
        group.finish();
    }
}

#[cfg(feature = "wasm")]
mod wasm {
    use std::fs;
    use std::hint::black_box;
    use std::path::Path;
    use std::time::Duration;

    use bccache::engine::wasm::WasmCompiler;
    use bccache::engine::wasm::wasmtime::{Engine, Module};
    use bccache::{CachedLoader, Checksum, Compiler, FileSystemBytecodeCache, Origin};
    use criterion::{BenchmarkId, Criterion};

    /// SQLite's module if `scripts/fetch-sqlite-wasm` put it in the target directory, else ours.
    fn module() -> (&'static str, Vec<u8>) {
        let sqlite = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .map(|target| target.join("wasm/sql-wasm.wasm"));
        if let Some(bytes) = sqlite.and_then(|path| fs::read(path).ok()) {
            return ("sqlite", bytes);
        }
        eprintln!(
            "wasm_start: SQLite's module is missing (run scripts/fetch-sqlite-wasm); \
             timing examples/modules/primes.wat instead"
        );
        let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/modules/primes.wat");
        (
            "primes.wat",
            fs::read(ours).expect("examples/modules/primes.wat"),
        )
    }

    pub fn wasm_start(c: &mut Criterion) {
        let (name, source) = module();
        let engine = Engine::default();
        let dir = tempfile::tempdir().expect("temp dir");
        let sha1 = CachedLoader::new(
            WasmCompiler::new(engine.clone()),
            FileSystemBytecodeCache::new(dir.path(), "__bench_%s.cache").expect("cache"),
        );
        let xxh3 = CachedLoader::new(
            WasmCompiler::new(engine.clone()),
            FileSystemBytecodeCache::new(dir.path(), "__bench_xxh3_%s.cache")
                .expect("cache")
                .checksum(Checksum::Xxh3_128),
        );
        let module = sha1.load(name, None, &source[..]).expect("compiles");
        xxh3.load(name, None, &source[..]).expect("compiles");
        let serialized = module.serialize().expect("serializes");

        let mut group = c.benchmark_group("wasm_start");
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(10));
        group.bench_function(BenchmarkId::new("cold_compile", name), |b| {
            b.iter(|| {
                black_box(
                    sha1.compiler()
                        .compile(name, None, &source)
                        .expect("compiles"),
                )
            })
        });
        for (checksum, loader) in [("sha1", &sha1), ("xxh3", &xxh3)] {
            let id = BenchmarkId::new(format!("warm_start_{checksum}"), name);
            group.bench_function(id, |b| {
                b.iter(|| {
                    let loaded = loader
                        .load_with_origin(name, None, &source[..])
                        .expect("loads");
                    assert_eq!(loaded.origin, Origin::Cache);
                    black_box(loaded.code)
                })
            });
        }
        // wasmtime alone, from bytes in memory: what a load costs without the cache layer.
        group.bench_function(BenchmarkId::new("deserialize_only", name), |b| {
            b.iter(|| {
                // SAFETY: `serialized` is the unmodified output of `Module::serialize` of this
                // very engine, made just above.
                black_box(unsafe { Module::deserialize(&engine, &serialized) }.expect("loads"))
            })
        });
        group.finish();
    }
}

#[cfg(any(all(feature = "lua", feature = "regex"), feature = "wasm"))]
fn main() {
    let mut c = criterion::Criterion::default().configure_from_args();
    #[cfg(all(feature = "lua", feature = "regex"))]
    {
        benches::lua_start(&mut c);
        benches::dfa_start(&mut c);
    }
    #[cfg(feature = "wasm")]
    wasm::wasm_start(&mut c);
    c.final_summary();
}

#[cfg(not(any(all(feature = "lua", feature = "regex"), feature = "wasm")))]
fn main() {
    eprintln!(
        "the engines bench needs the `lua` and `regex` features (both on by default), or `wasm`"
    );
}
