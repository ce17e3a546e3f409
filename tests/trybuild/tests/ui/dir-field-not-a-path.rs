use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir)]
struct CacheConfig {
    #[cache(dir)]
    cache_dir: u32,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(CacheConfig { cache_dir: 0 });
}
