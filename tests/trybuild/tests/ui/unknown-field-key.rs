use std::path::PathBuf;

use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir)]
struct CacheConfig {
    #[cache(directory)]
    cache_dir: PathBuf,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(CacheConfig { cache_dir: PathBuf::new() });
}
