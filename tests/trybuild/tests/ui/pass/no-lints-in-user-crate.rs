//! Generated code raises no lint in a crate that denies the strict ones.
#![deny(warnings, missing_docs, unused, unused_qualifications, unreachable_pub, unsafe_code)]

use std::path::PathBuf;

use bccache::BytecodeCache;

/// A cache of literals.
#[derive(BytecodeCache)]
#[cache(dir = "var/cache", pattern = "__app_%s.cache", checksum = "xxh3")]
pub struct TemplateCache;

/// A cache read from a config.
#[derive(BytecodeCache)]
#[cache(dir)]
pub struct CacheConfig {
    #[cache(dir)]
    cache_dir: PathBuf,
}

/// A shared cache.
#[derive(BytecodeCache)]
#[cache(memcached, prefix = "app/", timeout = 60)]
pub struct SharedCache;

/// A shared cache read from a config.
#[derive(BytecodeCache)]
pub struct SharedConfig {
    #[cache(memcached)]
    servers: String,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
    let _: Box<dyn BytecodeCache> = Box::new(CacheConfig { cache_dir: PathBuf::new() });
    let _: Box<dyn BytecodeCache> = Box::new(SharedCache);
    let _: Box<dyn BytecodeCache> = Box::new(SharedConfig { servers: String::new() });
}
