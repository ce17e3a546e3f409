//! What the store wrappers cost on a hit, measured side by side in one run:
//!
//! - `signed_hit`: a filesystem hit through `Signed` against a plain one, for 64 KiB and 2 MiB
//!   of (incompressible) code: the price of verifying the keyed-BLAKE3 MAC.
//! - `lua_warm_start` and `dfa_warm_start`: warm loads through `Compressed` (zstd levels 3 and
//!   19, and compressed + signed) against plain, on the engine workloads of `benches/engines.rs`
//!   (100 Lua scripts; the four-pattern Unicode DFA).
//!
//! Before each group a quick table goes to stderr: for the hits, the fastest of 300; for the
//! engines, bytes stored and the ratio to plain, the time to fill the cache, and the fastest of
//! 30 warm loads. On a machine shared with other work the minimum is the steadier figure.
//!
//! `cargo bench --bench wrappers`

#[path = "support/engine_workload.rs"]
mod engine_workload;
#[path = "support/payload.rs"]
mod payload;

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use bccache::engine::lua::LuaCompiler;
use bccache::engine::lua::mlua::Lua;
use bccache::engine::regex::DfaCompiler;
use bccache::{BytecodeCache, CachedLoader, Compressed, FileSystemBytecodeCache, Origin, Signed};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

use engine_workload::{DFA_PATTERNS, lua_scripts, sample_scripts};
use payload::{fake_code, template_source};

const KEY: [u8; 32] = [0x42; 32];
const SOURCE_LEN: usize = 1024;

/// The stores compared: plain, compressed at two levels, compressed over signed.
fn variants(dir: &Path) -> Vec<(&'static str, Box<dyn BytecodeCache>)> {
    let fs = |pattern: &str| FileSystemBytecodeCache::new(dir, pattern).expect("cache");
    vec![
        ("plain", Box::new(fs("__plain_%s.cache"))),
        (
            "zstd3",
            Box::new(Compressed::new(fs("__zstd3_%s.cache"), 3).expect("level")),
        ),
        (
            "zstd19",
            Box::new(Compressed::new(fs("__zstd19_%s.cache"), 19).expect("level")),
        ),
        (
            "zstd3_signed",
            Box::new(
                Compressed::new(Signed::new(fs("__both_%s.cache"), &KEY).expect("key"), 3)
                    .expect("level"),
            ),
        ),
    ]
}

/// Rounds of the quick table's warm loads; the table shows the fastest, which a machine shared
/// with other work disturbs least.
const QUICK_ROUNDS: u32 = 30;

/// Prints, per store: bytes stored, the ratio to plain, the time to fill the cache (compile +
/// store) and the fastest of [`QUICK_ROUNDS`] warm loads.
fn print_table(workload: &str, stores: &[(&str, Filled)]) {
    let plain = stores
        .iter()
        .find(|(name, _)| *name == "plain")
        .map_or(1, |(_, s)| s.bytes_written);
    for (name, stats) in stores {
        eprintln!(
            "{workload:>4} {name:<13} {:>9} bytes in {:>3} entries ({:>5.1}% of plain, ratio \
             {:>6.2}); fill {:>8.1} ms; warm load min {:>8.1} us",
            stats.bytes_written,
            stats.entries,
            100.0 * stats.bytes_written as f64 / plain as f64,
            plain as f64 / stats.bytes_written as f64,
            stats.fill_time.as_secs_f64() * 1e3,
            stats.fastest_load.as_secs_f64() * 1e6,
        );
    }
}

struct Filled {
    bytes_written: u64,
    entries: u64,
    fill_time: Duration,
    fastest_load: Duration,
}

fn filled(cache: &dyn BytecodeCache, fill_time: Duration, mut load: impl FnMut()) -> Filled {
    let stats = cache.stats().expect("built-in stores count");
    let fastest_load = (0..QUICK_ROUNDS)
        .map(|_| {
            let started = Instant::now();
            load();
            started.elapsed()
        })
        .min()
        .unwrap_or_default();
    Filled {
        bytes_written: stats.bytes_written,
        entries: stats.stores,
        fill_time,
        fastest_load,
    }
}

fn signed_hit(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = FileSystemBytecodeCache::new(dir.path(), "__plain_%s.cache").expect("cache");
    let signed = Signed::new(
        FileSystemBytecodeCache::new(dir.path(), "__signed_%s.cache").expect("cache"),
        &KEY,
    )
    .expect("key");
    let mut group = c.benchmark_group("signed_hit");
    for (label, len) in [("64KiB", 64 << 10), ("2MiB", 2 << 20)] {
        let source = template_source(len, SOURCE_LEN);
        let name = format!("page-{label}.html");
        for cache in [&plain as &dyn BytecodeCache, &signed] {
            let mut bucket = cache.get_bucket(&(), &name, None, &source).expect("bucket");
            bucket.code = Some(fake_code(len as u64, len));
            cache.set_bucket(&bucket).expect("store");
        }
        for (variant, cache) in [("plain", &plain as &dyn BytecodeCache), ("signed", &signed)] {
            let fastest = (0..QUICK_ROUNDS * 10)
                .map(|_| {
                    let started = Instant::now();
                    let bucket = cache.get_bucket(&(), &name, None, &source).expect("hit");
                    let elapsed = started.elapsed();
                    assert!(bucket.code.is_some());
                    elapsed
                })
                .min()
                .unwrap_or_default();
            eprintln!(
                "{label:>5} {variant:<6} hit: min {:>8.1} us",
                fastest.as_secs_f64() * 1e6
            );
            group.bench_function(BenchmarkId::new(variant, label), |b| {
                b.iter(|| {
                    let bucket = cache.get_bucket(&(), &name, None, &source).expect("hit");
                    assert_eq!(bucket.code.as_ref().map(Vec::len), Some(len));
                    black_box(bucket)
                })
            });
        }
    }
    group.finish();
}

fn lua_warm_start(c: &mut Criterion) {
    let samples = sample_scripts(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("samples");
    let scripts = lua_scripts(&samples, 100);
    let dir = tempfile::tempdir().expect("temp dir");
    let loaders: Vec<_> = variants(dir.path())
        .into_iter()
        .map(|(name, cache)| {
            let loader = CachedLoader::new(LuaCompiler::new(Lua::new()).expect("lua"), cache);
            let started = Instant::now();
            for (script, source) in &scripts {
                loader.load(script, Some(script), source).expect("compiles");
            }
            (name, loader, started.elapsed())
        })
        .collect();
    let table: Vec<_> = loaders
        .iter()
        .map(|(name, loader, time)| {
            let load_all = || {
                for (script, source) in &scripts {
                    let loaded = loader
                        .load_with_origin(script, Some(script), source)
                        .expect("loads");
                    assert_eq!(loaded.origin, Origin::Cache);
                }
            };
            (*name, filled(loader.cache(), *time, load_all))
        })
        .collect();
    print_table("lua", &table);

    let mut group = c.benchmark_group("lua_warm_start_100");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for (name, loader, _) in &loaders {
        group.bench_function(*name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    loader.compiler().lua().gc_collect().expect("gc");
                    let started = Instant::now();
                    let code: Vec<_> = scripts
                        .iter()
                        .map(|(script, source)| {
                            let loaded = loader
                                .load_with_origin(script, Some(script), source)
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

fn dfa_warm_start(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let loaders: Vec<_> = variants(dir.path())
        .into_iter()
        .map(|(name, cache)| {
            let loader = CachedLoader::new(DfaCompiler::new(), cache);
            let started = Instant::now();
            loader.load("rules", None, DFA_PATTERNS).expect("builds");
            (name, loader, started.elapsed())
        })
        .collect();
    let table: Vec<_> = loaders
        .iter()
        .map(|(name, loader, time)| {
            let load = || {
                let loaded = loader
                    .load_with_origin("rules", None, DFA_PATTERNS)
                    .expect("loads");
                assert_eq!(loaded.origin, Origin::Cache);
            };
            (*name, filled(loader.cache(), *time, load))
        })
        .collect();
    print_table("dfa", &table);

    let mut group = c.benchmark_group("dfa_warm_start");
    group.sample_size(20);
    for (name, loader, _) in &loaders {
        group.bench_function(*name, |b| {
            b.iter(|| {
                let loaded = loader
                    .load_with_origin("rules", None, DFA_PATTERNS)
                    .expect("loads");
                assert_eq!(loaded.origin, Origin::Cache);
                black_box(loaded.code)
            })
        });
    }
    group.finish();
}

criterion_group!(wrappers, signed_hit, lua_warm_start, dfa_warm_start);
criterion_main!(wrappers);
