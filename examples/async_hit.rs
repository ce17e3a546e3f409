//! A hit through `AsyncBytecodeCache` next to the same hit through `BytecodeCache`: what the
//! async trait costs. The filesystem store's async hit is one trip to tokio's blocking pool
//! (as `tokio::fs` makes); the memory store's is answered in place. Timed in short interleaved
//! batches on a current-thread and a multi-thread runtime: on a shared or loaded machine every
//! side is slowed alike, and the median batch is one that ran without being preempted. 20 KB
//! source, 64 KB code, xxh3-128.
//!
//! `cargo run --release --example async_hit --features tokio,memory`

#[path = "../benches/support/payload.rs"]
mod payload;

use std::error::Error;
use std::hint::black_box;
use std::time::Instant;

use bccache::{AsyncBytecodeCache, Blocking, BytecodeCache, Checksum};
use bccache::{FileSystemBytecodeCache, MemoryBytecodeCache};
use payload::{fake_code, template_source};
use tokio::runtime::{Builder, Runtime};

const NAME: &str = "templates/page0.html";
const ROUNDS: usize = 300;
const BATCH: usize = 20;

fn main() -> Result<(), Box<dyn Error>> {
    let source = template_source(0, 20 * 1024);
    let code = fake_code(0, 64 * 1024);
    let dir = tempfile::tempdir()?;
    let disk = FileSystemBytecodeCache::new(dir.path(), "__async_hit_%s.cache")?
        .checksum(Checksum::Xxh3_128);
    let memory = MemoryBytecodeCache::new(64 << 20).checksum(Checksum::Xxh3_128);
    let blocking = Blocking::new(disk.clone());
    let mut bucket = BytecodeCache::get_bucket(&disk, &(), NAME, None, &source)?;
    bucket.code = Some(code.clone());
    BytecodeCache::set_bucket(&disk, &bucket)?;
    BytecodeCache::set_bucket(&memory, &bucket)?;

    let runtimes: [(&str, Runtime); 2] = [
        ("current-thread", Builder::new_current_thread().build()?),
        (
            "multi-thread",
            Builder::new_multi_thread().worker_threads(2).build()?,
        ),
    ];
    println!(
        "{:<15} {:<8} {:>10} {:>10} {:>8}",
        "runtime", "store", "sync hit", "async hit", "async/sync"
    );
    for (name, runtime) in &runtimes {
        let stores: [(&str, &dyn AsyncBytecodeCache, &dyn BytecodeCache); 3] = [
            ("dir", &disk, &disk),
            ("Blocking", &blocking, &disk),
            ("memory", &memory, &memory),
        ];
        for (store, cache, sync) in stores {
            let hit = runtime.block_on(cache.get_bucket(&(), NAME, None, &source))?;
            let sync_found = sync.get_bucket(&(), NAME, None, &source)?;
            if hit.code.as_deref() != Some(&code[..]) || sync_found.code != hit.code {
                return Err("the timed loads would not be hits".into());
            }
            let (mut syncs, mut asyncs) = (Vec::new(), Vec::new());
            for _ in 0..ROUNDS {
                syncs.push(per_call(|| {
                    sync.get_bucket(&(), black_box(NAME), None, black_box(&source))
                }));
                asyncs.push(runtime.block_on(async {
                    let started = Instant::now();
                    for _ in 0..BATCH {
                        let found = cache
                            .get_bucket(&(), black_box(NAME), None, black_box(&source))
                            .await;
                        black_box(found).ok();
                    }
                    started.elapsed().as_secs_f64() * 1e6 / BATCH as f64
                }));
            }
            let (sync_hit, async_hit) = (median(syncs), median(asyncs));
            println!(
                "{name:<15} {store:<8} {sync_hit:>7.2} µs {async_hit:>7.2} µs {:>9.2}x",
                async_hit / sync_hit
            );
        }
    }
    Ok(())
}

/// Microseconds per call of `f` over a batch.
fn per_call<T>(mut f: impl FnMut() -> T) -> f64 {
    let started = Instant::now();
    for _ in 0..BATCH {
        black_box(f());
    }
    started.elapsed().as_secs_f64() * 1e6 / BATCH as f64
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}
