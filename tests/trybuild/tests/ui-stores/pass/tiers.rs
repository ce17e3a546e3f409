use std::path::PathBuf;

use bccache::BytecodeCache;

/// memory → dir → redis, whatever the order written.
#[derive(BytecodeCache)]
#[cache(redis = "redis://127.0.0.1:6379", dir = "var/cache", memory = "64 MiB")]
struct ThreeTiers;

#[derive(BytecodeCache)]
#[cache(memory = "16 MiB", memcached, checksum = "xxh3", compress = 3)]
struct MemoryOverMemcached;

#[derive(BytecodeCache, Default)]
struct TieredConfig {
    #[cache(memory)]
    memory_bytes: u64,
    #[cache(dir)]
    dir: PathBuf,
    #[cache(max_size)]
    max_size: u64,
    #[cache(redis)]
    redis: String,
    #[cache(prefix)]
    prefix: String,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(ThreeTiers);
    let _: Box<dyn BytecodeCache> = Box::new(MemoryOverMemcached);
    let _: Box<dyn BytecodeCache> = Box::new(TieredConfig::default());
}
