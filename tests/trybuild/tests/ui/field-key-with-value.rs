use std::path::PathBuf;

use bccache::BytecodeCache;

#[derive(BytecodeCache)]
struct CacheConfig {
    #[cache(dir = "var/cache")]
    cache_dir: PathBuf,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(CacheConfig { cache_dir: PathBuf::new() });
}
