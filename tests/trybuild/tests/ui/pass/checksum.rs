use std::path::PathBuf;

use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir = "var/cache", checksum = "xxh3")]
struct FastCache;

#[derive(BytecodeCache)]
#[cache(memcached, checksum = "sha1", prefix = "app/")]
struct Jinja2Compatible;

#[derive(BytecodeCache)]
#[cache(dir, checksum = "xxh3")]
struct FastConfig {
    #[cache(dir)]
    dir: PathBuf,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(FastCache);
    let _: Box<dyn BytecodeCache> = Box::new(Jinja2Compatible);
    let _: Box<dyn BytecodeCache> = Box::new(FastConfig { dir: PathBuf::from("var/cache") });
    assert_eq!(FastCache.get_source_checksum("x").len(), 32, "xxh3-128 in hex");
    assert_eq!(Jinja2Compatible.get_source_checksum("x").len(), 40, "sha1 in hex");
}
