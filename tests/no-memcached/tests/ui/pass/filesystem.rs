use std::path::PathBuf;

use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir = "var/cache", pattern = "__app_%s.cache")]
struct TemplateCache;

#[derive(BytecodeCache)]
#[cache(dir)]
#[cache(checksum = "xxh3")]
struct CacheConfig {
    #[cache(dir)]
    cache_dir: PathBuf,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
    let _: Box<dyn BytecodeCache> = Box::new(CacheConfig { cache_dir: PathBuf::new() });
}
