//! A memory-cache hit against its floor, timed in short interleaved batches: on a shared or
//! loaded machine both sides are slowed alike, and the median batch is one that ran without
//! being preempted. 20 KB source, 64 KB code, xxh3-128 and sha1; a directory hit for scale.
//!
//! `cargo run --release --example memory_hit --features memory`
//!
//! (`cargo bench --bench memory --features memory` measures the same with criterion, which needs
//! a quiet machine.)

#[path = "../benches/support/payload.rs"]
mod payload;

use std::collections::HashMap;
use std::error::Error;
use std::hint::black_box;
use std::time::Instant;

use bccache::{BytecodeCache, Checksum, FileSystemBytecodeCache, MemoryBytecodeCache};
use payload::{fake_code, template_source};

const NAME: &str = "templates/page0.html";
const ROUNDS: usize = 1000;

fn main() -> Result<(), Box<dyn Error>> {
    let source = template_source(0, 20 * 1024);
    let code = fake_code(0, 64 * 1024);
    let dir = tempfile::tempdir()?;
    println!(
        "{:<6} {:>10} {:>12} {:>8} {:>12} {:>10}",
        "sum", "floor", "memory hit", "/ floor", "dir hit", "dir / mem"
    );
    for checksum in [Checksum::Xxh3_128, Checksum::Sha1] {
        let memory = MemoryBytecodeCache::new(256 * 1024 * 1024).checksum(checksum);
        let disk =
            FileSystemBytecodeCache::new(dir.path(), "__memory_hit_%s.cache")?.checksum(checksum);
        let mut bucket = memory.get_bucket(&(), NAME, None, &source)?;
        bucket.code = Some(code.clone());
        memory.set_bucket(&bucket)?;
        disk.set_bucket(&bucket)?;
        let floor: HashMap<String, Vec<u8>> = HashMap::from([(bucket.key.clone(), code.clone())]);
        let key = bucket.key.as_str();
        for cache in [&memory as &dyn BytecodeCache, &disk] {
            let hit = cache.get_bucket(&(), NAME, None, &source)?;
            if hit.code.as_deref() != Some(&code[..]) {
                return Err("the timed loads would not be hits".into());
            }
        }

        // Batches of about 0.2 ms.
        let batch = if checksum == Checksum::Sha1 { 10 } else { 100 };
        let (mut floors, mut hits, mut dir_hits) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            floors.push(per_call(batch, || {
                let code = floor.get(black_box(key)).cloned();
                (code, checksum.of(black_box(source.as_bytes())))
            }));
            hits.push(per_call(batch, || {
                memory.get_bucket(&(), black_box(NAME), None, black_box(&source))
            }));
            dir_hits.push(per_call(batch / 5, || {
                disk.get_bucket(&(), black_box(NAME), None, black_box(&source))
            }));
        }
        let (floor, hit, dir_hit) = (median(floors), median(hits), median(dir_hits));
        println!(
            "{:<6} {:>7.2} µs {:>9.2} µs {:>7.2}x {:>9.2} µs {:>9.1}x",
            checksum.name(),
            floor,
            hit,
            hit / floor,
            dir_hit,
            dir_hit / hit
        );
    }
    Ok(())
}

/// Microseconds per call of `f` over a batch of `n` calls.
fn per_call<T>(n: usize, mut f: impl FnMut() -> T) -> f64 {
    let started = Instant::now();
    for _ in 0..n {
        black_box(f());
    }
    started.elapsed().as_secs_f64() * 1e6 / n as f64
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}
