use std::path::PathBuf;

use bccache::BytecodeCache;

#[derive(BytecodeCache)]
struct CacheConfig {
    #[cache(dir)]
    cache_dir: PathBuf,
    #[cache(dir)]
    fallback_dir: PathBuf,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(CacheConfig {
        cache_dir: PathBuf::new(),
        fallback_dir: PathBuf::new(),
    });
}
