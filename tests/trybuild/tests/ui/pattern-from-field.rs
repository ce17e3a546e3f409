use std::path::PathBuf;

use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir)]
struct CacheConfig {
    #[cache(pattern)]
    pattern: String,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(CacheConfig { pattern: String::new() });
    let _ = PathBuf::new();
}
