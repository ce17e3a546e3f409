//! Times sync hits of one entry (4 KB source, 64 KB code) on a memcached, Redis or HTTP server
//! started by the caller: microseconds, heap allocations, bytes allocated and page faults per
//! hit, so that two builds can be compared side by side, alternating, on the same server.
//!
//! ```text
//! memcached -p 11311 -U 0 &
//! cargo build --release --no-default-features --features redis,http --example memcached_hit_loop
//! target/release/examples/memcached_hit_loop 127.0.0.1:11311 3000 5
//! target/release/examples/memcached_hit_loop redis://127.0.0.1:6390 3000 5
//! ```
//!
//! Arguments: the server (`host:port` or a `memcache://` URL; `redis://` with the `redis`
//! feature, `http://` with `http`), hits per round (3,000), rounds (1), code bytes (65,536). Under `valgrind --tool=callgrind --collect-atstart=no
//! --toggle-collect='*hit_loop*'` the instruction count is the hits' alone.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bccache::{BytecodeCache, MemcachedBytecodeCache};
use payload::{fake_code, template_source};

#[path = "../benches/support/payload.rs"]
mod payload;

/// The system allocator, counting what it is asked for.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static ALLOCATED_BYTES: AtomicU64 = AtomicU64::new(0);

fn count(bytes: usize) {
    ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    ALLOCATED_BYTES.fetch_add(bytes as u64, Ordering::Relaxed);
}

// SAFETY: every call is passed on unchanged to the system allocator; counting touches no memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: the caller keeps `alloc`'s contract, which `System.alloc` shares.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        // SAFETY: the caller keeps `realloc`'s contract, which `System.realloc` shares.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller keeps `dealloc`'s contract, which `System.dealloc` shares.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// This process's minor page faults so far (Linux; 0 elsewhere).
fn minor_faults() -> u64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0;
    };
    // Fields after the command's closing parenthesis; minflt is the 10th field in all.
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().nth(7))
        .and_then(|field| field.parse().ok())
        .unwrap_or(0)
}

/// `hits` hits of `name`; kept out of line so a profiler can count it alone.
#[inline(never)]
fn hit_loop(cache: &dyn BytecodeCache, name: &str, source: &str, hits: u32) -> u32 {
    let mut found = 0;
    for _ in 0..hits {
        let bucket = cache.get_bucket(&(), black_box(name), None, black_box(source));
        if bucket.as_ref().is_ok_and(|bucket| bucket.code.is_some()) {
            found += 1;
        }
        black_box(bucket.ok());
    }
    found
}

/// An error with its sources, one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        line.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    line
}

fn number(arg: Option<String>, default: u64, what: &str) -> Result<u64, String> {
    match arg {
        None => Ok(default),
        Some(given) => given
            .parse()
            .map_err(|_| format!("{what} `{given}` is not a number")),
    }
}

/// The store the URL names, errors not ignored so that a failing hit is seen.
fn store(url: &str, prefix: &str) -> bccache::Result<Box<dyn BytecodeCache>> {
    #[cfg(feature = "redis")]
    if url.starts_with("redis://") {
        let cache = bccache::RedisBytecodeCache::builder()
            .server(url)
            .prefix(prefix)
            .ignore_errors(false)
            .build()?;
        return Ok(Box::new(cache));
    }
    #[cfg(feature = "http")]
    if url.starts_with("http://") {
        let cache = bccache::HttpBytecodeCache::builder()
            .url(format!("{}/{prefix}", url.trim_end_matches('/')))
            .ignore_errors(false)
            .build()?;
        return Ok(Box::new(cache));
    }
    let cache = MemcachedBytecodeCache::builder()
        .server(url)
        .prefix(prefix)
        .ignore_memcache_errors(false)
        .build()?;
    Ok(Box::new(cache))
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let server = args
        .next()
        .ok_or("usage: memcached_hit_loop HOST:PORT|URL [HITS] [ROUNDS] [CODE_BYTES]")?;
    let hits = u32::try_from(number(args.next(), 3000, "hits")?).map_err(|e| e.to_string())?;
    let rounds = number(args.next(), 1, "rounds")?;
    let code_len = usize::try_from(number(args.next(), 64 * 1024, "code bytes")?)
        .map_err(|e| e.to_string())?;
    let url = if server.contains("://") {
        server
    } else {
        format!("memcache://{server}")
    };
    let prefix = format!("hit-loop/{}/", std::process::id());
    let cache = store(&url, &prefix).map_err(|e| format!("`{url}`: {}", chain(&e)))?;
    let cache = cache.as_ref();
    let name = "templates/hit-loop.html";
    let source = template_source(0, 4 * 1024);
    let mut bucket = cache
        .get_bucket(&(), name, None, &source)
        .map_err(|e| format!("`{url}`: {}", chain(&e)))?;
    bucket.code = Some(fake_code(0, code_len));
    cache
        .set_bucket(&bucket)
        .map_err(|e| format!("`{url}`: {}", chain(&e)))?;
    // The connection opened and the reply buffer grown before anything is counted.
    hit_loop(&cache, name, &source, 100);

    for round in 1..=rounds {
        let (allocations, bytes, faults) = (
            ALLOCATIONS.load(Ordering::Relaxed),
            ALLOCATED_BYTES.load(Ordering::Relaxed),
            minor_faults(),
        );
        let started = Instant::now();
        let found = hit_loop(&cache, name, &source, hits);
        let elapsed = started.elapsed();
        let per_hit = |total: u64| total as f64 / f64::from(hits.max(1));
        if found != hits {
            return Err(format!("{} of {hits} loads missed", hits - found));
        }
        println!(
            "round {round}: {:.1} us/hit, {:.2} allocations/hit, {:.0} bytes allocated/hit, \
             {:.2} page faults/hit",
            elapsed.as_secs_f64() * 1e6 / f64::from(hits.max(1)),
            per_hit(ALLOCATIONS.load(Ordering::Relaxed) - allocations),
            per_hit(ALLOCATED_BYTES.load(Ordering::Relaxed) - bytes),
            per_hit(minor_faults().saturating_sub(faults)),
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("memcached_hit_loop: {message}");
            ExitCode::FAILURE
        }
    }
}
