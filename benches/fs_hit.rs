//! A filesystem cache hit through `get_bucket` against its floor: reading the entry's file and
//! one checksum of the source, which any checksum-validated cache must do. 20 KB source, 64 KB
//! code, measured side by side in one run, for Jinja2's sha1 and for xxh3-128. The 1,000-entry
//! cases have distinct sources, read round-robin, so reads are not all of one hot inode.
//!
//! `cargo bench --bench fs_hit`

#[path = "support/payload.rs"]
mod payload;

use std::hint::black_box;
use std::time::Duration;

use bccache::{BytecodeCache, Checksum, FileSystemBytecodeCache};
use criterion::{Criterion, criterion_group, criterion_main};
use payload::{fake_code, template_source};
use sha1::{Digest, Sha1};

const SOURCE_LEN: usize = 20 * 1024;
const CODE_LEN: usize = 64 * 1024;
/// Templates for the "across many entries" case, so that reads are not all of one hot inode.
const MANY: usize = 1000;

fn bench_fs_hit(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = FileSystemBytecodeCache::new(dir.path(), "__bench_%s.cache").expect("cache");
    let names: Vec<String> = (0..MANY)
        .map(|n| format!("templates/page{n}.html"))
        .collect();
    let sources: Vec<String> = (0..MANY).map(|n| template_source(n, SOURCE_LEN)).collect();
    for (n, (name, source)) in names.iter().zip(&sources).enumerate() {
        let mut bucket = cache.get_bucket(&(), name, None, source).expect("bucket");
        bucket.code = Some(fake_code(n as u64, CODE_LEN));
        cache.set_bucket(&bucket).expect("store");
    }
    let paths: Vec<_> = names
        .iter()
        .map(|name| cache.path_for_key(&cache.get_cache_key(name, None)))
        .collect();

    let mut group = c.benchmark_group("fs_hit_20KB_source_64KB_code");
    group.bench_function("floor: fs::read + sha1(source), one entry", |b| {
        b.iter(|| {
            let bytes = std::fs::read(black_box(&paths[0])).expect("read");
            let sum = Sha1::digest(black_box(sources[0].as_bytes()));
            (bytes, sum)
        })
    });
    group.bench_function("bccache get_bucket hit, one entry", |b| {
        b.iter(|| {
            let bucket = cache
                .get_bucket(&(), black_box(&names[0]), None, black_box(&sources[0]))
                .expect("hit");
            assert!(bucket.code.is_some());
            bucket
        })
    });
    let mut n = 0;
    group.bench_function("floor: fs::read + sha1(source), 1000 entries", |b| {
        b.iter(|| {
            n = (n + 1) % MANY;
            let bytes = std::fs::read(black_box(&paths[n])).expect("read");
            let sum = Sha1::digest(black_box(sources[n].as_bytes()));
            (bytes, sum)
        })
    });
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
    let fast = FileSystemBytecodeCache::new(dir.path(), "__bench_xxh3_%s.cache")
        .expect("cache")
        .checksum(Checksum::Xxh3_128);
    for (n, (name, source)) in names.iter().zip(&sources).enumerate() {
        let mut bucket = fast.get_bucket(&(), name, None, source).expect("bucket");
        bucket.code = Some(fake_code(n as u64, CODE_LEN));
        fast.set_bucket(&bucket).expect("store");
    }
    let fast_paths: Vec<_> = names
        .iter()
        .map(|name| fast.path_for_key(&fast.get_cache_key(name, None)))
        .collect();
    let mut n = 0;
    group.bench_function("floor: fs::read + xxh3_128(source), 1000 entries", |b| {
        b.iter(|| {
            n = (n + 1) % MANY;
            let bytes = std::fs::read(black_box(&fast_paths[n])).expect("read");
            let sum = Checksum::Xxh3_128.of(black_box(sources[n].as_bytes()));
            (bytes, sum)
        })
    });
    let mut n = 0;
    group.bench_function("bccache get_bucket hit, xxh3, 1000 entries", |b| {
        b.iter(|| {
            n = (n + 1) % MANY;
            let bucket = fast
                .get_bucket(&(), black_box(&names[n]), None, black_box(&sources[n]))
                .expect("hit");
            assert!(bucket.code.is_some());
            bucket
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(60)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench_fs_hit
}
criterion_main!(benches);
