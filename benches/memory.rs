//! A memory-cache hit against its floor: a plain `HashMap<String, Vec<u8>>` lookup, a clone of
//! the code and the checksum of the source, which any checksum-validated in-process cache must
//! do. 20 KB source, 64 KB code, with xxh3-128 and with sha1 (Jinja2's), side by side in one
//! run; then the same hit through a tiered memory → dir cache, and the cost of filling the
//! memory tier after a hit below it.
//!
//! `cargo bench --bench memory --features memory`

#[path = "support/payload.rs"]
mod payload;

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use bccache::{
    BytecodeCache, Checksum, FileSystemBytecodeCache, MemoryBytecodeCache, TieredBytecodeCache,
};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use payload::{fake_code, template_source};

const SOURCE_LEN: usize = 20 * 1024;
const CODE_LEN: usize = 64 * 1024;
/// Templates cycled through, so that hits are not all of one hot entry.
const MANY: usize = 1000;
const NAME: &str = "templates/page0.html";

fn names() -> Vec<String> {
    (0..MANY)
        .map(|n| format!("templates/page{n}.html"))
        .collect()
}

fn bench_memory_hit(c: &mut Criterion) {
    let names = names();
    let sources: Vec<String> = (0..MANY).map(|n| template_source(n, SOURCE_LEN)).collect();
    let codes: Vec<Vec<u8>> = (0..MANY).map(|n| fake_code(n as u64, CODE_LEN)).collect();

    for checksum in [Checksum::Xxh3_128, Checksum::Sha1] {
        let cache = MemoryBytecodeCache::new(256 * 1024 * 1024).checksum(checksum);
        let mut floor: HashMap<String, Vec<u8>> = HashMap::new();
        for ((name, source), code) in names.iter().zip(&sources).zip(&codes) {
            let mut bucket = cache.get_bucket(&(), name, None, source).expect("bucket");
            bucket.code = Some(code.clone());
            cache.set_bucket(&bucket).expect("store");
            floor.insert(bucket.key.clone(), code.clone());
        }
        let key = cache.get_cache_key(NAME, None);

        let mut group = c.benchmark_group(format!("memory_hit_20KB_source_64KB_code_{checksum}"));
        group.bench_function("floor: HashMap get + clone + checksum(source)", |b| {
            b.iter(|| {
                let code = floor.get(black_box(key.as_str())).expect("hit").clone();
                let sum = checksum.of(black_box(sources[0].as_bytes()));
                (code, sum)
            })
        });
        group.bench_function("bccache get_bucket hit", |b| {
            b.iter(|| {
                let bucket = cache
                    .get_bucket(&(), black_box(NAME), None, black_box(&sources[0]))
                    .expect("hit");
                assert!(bucket.code.is_some());
                bucket
            })
        });
        let keys: Vec<String> = names.iter().map(|n| cache.get_cache_key(n, None)).collect();
        let mut n = 0;
        group.bench_function(
            "floor: HashMap get + clone + checksum(source), 1000 entries",
            |b| {
                b.iter(|| {
                    n = (n + 1) % MANY;
                    let code = floor.get(black_box(keys[n].as_str())).expect("hit").clone();
                    let sum = checksum.of(black_box(sources[n].as_bytes()));
                    (code, sum)
                })
            },
        );
        let mut n = 0;
        group.bench_function("bccache get_bucket hit, 1000 entries", |b| {
            b.iter(|| {
                n = (n + 1) % MANY;
                let bucket = cache
                    .get_bucket(&(), black_box(&names[n]), None, black_box(&sources[n]))
                    .expect("hit");
                assert!(bucket.code.is_some());
                bucket
            })
        });
        group.finish();
    }
}

fn bench_tiered(c: &mut Criterion) {
    let source = template_source(0, SOURCE_LEN);
    let code = fake_code(0, CODE_LEN);
    let dir = tempfile::tempdir().expect("temp dir");
    let disk = FileSystemBytecodeCache::new(dir.path(), "__bench_%s.cache")
        .expect("cache")
        .checksum(Checksum::Xxh3_128);
    let memory = MemoryBytecodeCache::new(256 * 1024 * 1024).checksum(Checksum::Xxh3_128);
    let mut bucket = disk.get_bucket(&(), NAME, None, &source).expect("bucket");
    bucket.code = Some(code);
    disk.set_bucket(&bucket).expect("store");
    let memory = Arc::new(memory);
    let tiers =
        TieredBytecodeCache::new(vec![Box::new(Arc::clone(&memory)), Box::new(disk.clone())]);
    tiers.get_bucket(&(), NAME, None, &source).expect("fill");

    let mut group = c.benchmark_group("tiered_memory_dir_20KB_source_64KB_code_xxh3");
    group.bench_function("tiered get_bucket, memory hit", |b| {
        b.iter(|| {
            let bucket = tiers
                .get_bucket(&(), black_box(NAME), None, black_box(&source))
                .expect("hit");
            assert!(bucket.code.is_some());
            bucket
        })
    });
    group.bench_function("for scale: dir alone, get_bucket hit", |b| {
        b.iter(|| {
            let bucket = disk
                .get_bucket(&(), black_box(NAME), None, black_box(&source))
                .expect("hit");
            assert!(bucket.code.is_some());
            bucket
        })
    });
    group.bench_function("tiered get_bucket, dir hit filling memory", |b| {
        b.iter_batched(
            || memory.clear().expect("clear"),
            |()| {
                let bucket = tiers
                    .get_bucket(&(), black_box(NAME), None, black_box(&source))
                    .expect("hit");
                assert!(bucket.code.is_some());
                bucket
            },
            BatchSize::SmallInput,
        )
    });
    // What a fill adds to a hit below: the memory tier's dump of the bucket (one copy).
    let filler = MemoryBytecodeCache::new(256 * 1024 * 1024).checksum(Checksum::Xxh3_128);
    group.bench_function("fill the memory tier: dump_bytecode", |b| {
        b.iter(|| filler.dump_bytecode(black_box(&bucket)).expect("dump"))
    });
    group.bench_function("for scale: bucket.bytecode_to_string (one encode)", |b| {
        b.iter(|| black_box(&bucket).bytecode_to_string().expect("encode"))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(60)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench_memory_hit, bench_tiered
}
criterion_main!(benches);
