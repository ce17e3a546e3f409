//! Remote upkeep one request at a time against eight at once, side by side: `stats` (the
//! listing alone), `verify` and `clear` of N entries on a real nginx (WebDAV) and on moto's S3 server (signatures checked), both on
//! loopback, started here as the tests start them (`tests/support/`).
//!
//! ```text
//! cargo run --release --example remote_upkeep --features http,s3 -- [ENTRIES] [RUNS] [nginx|s3]
//! ```
//!
//! Each figure is the median of RUNS runs (default 500 entries, 3 runs, both servers); `clear`
//! is timed on a cache filled again before each run. The HTTP cache has the `subdirs` layout, so
//! its listing is a `PROPFIND` of up to 256 directories. Loopback has no network latency: on a real object store
//! every request is a round trip of tens of milliseconds, which the parallel requests overlap, so
//! there the gain is larger than here, where the servers' own work and the machine's cores bound
//! it.

#[path = "../tests/support/nginx.rs"]
#[allow(dead_code)]
mod nginx;
#[path = "../tests/support/s3.rs"]
#[allow(dead_code)]
mod s3;

use std::time::{Duration, Instant};

use bccache::upkeep::remote::RemoteCache;
use bccache::{BytecodeCache, HttpBytecodeCache, HttpLayout, S3BytecodeCache};

/// The size of each entry's code.
const CODE_LEN: usize = 4 * 1024;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let entries: usize = args.next().map_or(Ok(500), |n| n.parse())?;
    let runs: usize = args.next().map_or(Ok(3), |n| n.parse())?.max(1);
    let only = args.next();

    let nginx = nginx::Nginx::start();
    let moto = s3::MotoS3::start();
    // SAFETY: no other thread runs yet; upkeep reads S3 credentials from the environment, as
    // the `bccache` command does.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", &moto.access_key);
        std::env::set_var("AWS_SECRET_ACCESS_KEY", &moto.secret_key);
    }
    let http = HttpBytecodeCache::builder()
        .url(nginx.url("/upkeep/"))
        .layout(HttpLayout::Subdirs)
        .ignore_errors(false)
        .build()?;
    let s3 = S3BytecodeCache::builder()
        .bucket(s3::BUCKET)
        .prefix("upkeep-")
        .endpoint(moto.endpoint())
        .credentials(&moto.access_key, &moto.secret_key)
        .ignore_errors(false)
        .build()?;
    let stores: [(&str, &dyn BytecodeCache, String); 2] = [
        (
            "nginx",
            &http,
            format!("{}?layout=subdirs", nginx.url("/upkeep/")),
        ),
        ("moto S3", &s3, moto.location(s3::BUCKET, "upkeep-")),
    ];

    println!("{entries} entries of {CODE_LEN} bytes of code, median of {runs} runs");
    println!(
        "{:<8} {:<7} {:>13} {:>11} {:>9}",
        "store", "command", "1 at a time", "8 at once", "speed-up"
    );
    for (name, cache, location) in stores {
        if only
            .as_deref()
            .is_some_and(|only| !name.to_lowercase().contains(only))
        {
            continue;
        }
        for command in ["stats", "verify", "clear"] {
            let mut timed = [Vec::new(), Vec::new()];
            for _ in 0..runs {
                for (at, requests) in [1, 8].into_iter().enumerate() {
                    fill(cache, entries)?;
                    let remote = RemoteCache::open(&location)?.parallel_requests(requests);
                    let started = Instant::now();
                    let done = match command {
                        "stats" => remote
                            .scan(&mut |_| {})?
                            .patterns
                            .first()
                            .map_or(0, |p| p.entries),
                        "verify" => remote.verify(&mut |_| {})?.entries_kept,
                        _ => remote.clear(&mut |_| {})?.entries_removed,
                    };
                    timed[at].push(started.elapsed());
                    if done != entries as u64 {
                        return Err(format!("{name} {command}: {done} of {entries}").into());
                    }
                }
            }
            let [one, eight] = timed.map(median);
            println!(
                "{name:<8} {command:<7} {:>11.3} s {:>9.3} s {:>8.1}x",
                one.as_secs_f64(),
                eight.as_secs_f64(),
                one.as_secs_f64() / eight.as_secs_f64()
            );
        }
    }
    Ok(())
}

/// Stores `entries` entries (those already there are written again), 8 at once.
fn fill(cache: &dyn BytecodeCache, entries: usize) -> bccache::Result<()> {
    let names: Vec<String> = (0..entries).map(|n| format!("t{n}.html")).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = names
            .chunks(entries.div_ceil(8).max(1))
            .map(|chunk| {
                scope.spawn(move || -> bccache::Result<()> {
                    for name in chunk {
                        let mut bucket = cache.get_bucket(&(), name, None, "source")?;
                        bucket.code = Some(vec![name.len() as u8; CODE_LEN]);
                        cache.set_bucket(&bucket)?;
                    }
                    Ok(())
                })
            })
            .collect();
        workers.into_iter().try_for_each(|worker| {
            worker
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p))
        })
    })
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}
