use std::path::PathBuf;

use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir = "var/cache")]
struct CacheConfig {
    #[cache(dir)]
    cache_dir: PathBuf,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(CacheConfig { cache_dir: PathBuf::new() });
}
