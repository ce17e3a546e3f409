//! Fills a directory with small entries through the runtime crate, to time `bccache stats`:
//!
//! ```text
//! cargo run --release -p bccache-cli --example fill_cache -- /tmp/bccache-100k 100000
//! cargo build --release -p bccache-cli
//! time target/release/bccache stats /tmp/bccache-100k
//! ```

use std::time::Instant;

use bccache::{BytecodeCache, FileSystemBytecodeCache};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), count) = (args.next(), args.next()) else {
        return Err("usage: fill_cache DIR [COUNT (default 100000)]".into());
    };
    let count: usize = count.as_deref().unwrap_or("100000").parse()?;
    let cache = FileSystemBytecodeCache::new(&dir, bccache::DEFAULT_PATTERN)?;
    let started = Instant::now();
    for n in 0..count {
        let mut bucket = cache.get_bucket(&(), &format!("templates/t{n}.html"), None, "source")?;
        if bucket.code.is_none() {
            bucket.code = Some(format!("compiled template {n}").into_bytes());
            cache.set_bucket(&bucket)?;
        }
    }
    println!("{count} entries in {dir} in {:?}", started.elapsed());
    Ok(())
}
