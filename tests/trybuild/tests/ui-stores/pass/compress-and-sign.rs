use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir = "var/cache", compress = 3)]
struct Compressed;

#[derive(BytecodeCache)]
#[cache(redis, compress = 19, signing_key_env = "APP_BCCACHE_KEY")]
struct SignedRedis;

#[derive(BytecodeCache)]
#[cache(memory = "64 MiB", memcached, signing_key_env = "APP_BCCACHE_KEY")]
struct SignedBelowMemory;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(Compressed);
    let _: Box<dyn BytecodeCache> = Box::new(SignedRedis);
    let _: Box<dyn BytecodeCache> = Box::new(SignedBelowMemory);
}
