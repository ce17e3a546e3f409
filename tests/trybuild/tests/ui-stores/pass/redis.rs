use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(redis)]
struct DefaultRedis;

#[derive(BytecodeCache)]
#[cache(redis = "redis://10.0.0.1:6379, redis://10.0.0.2:6379", prefix = "app/bytecode/")]
struct SeveralServers;

/// Redis takes expiries longer than memcached's 30 days.
#[derive(BytecodeCache)]
#[cache(redis = "redis://10.0.0.1:7000", cluster = true, timeout = 7776000, ignore_errors = false)]
struct Cluster;

#[derive(BytecodeCache)]
#[cache(redis)]
struct RedisConfig {
    #[cache(redis)]
    url: String,
    #[cache(prefix)]
    prefix: String,
    #[cache(timeout)]
    timeout: Option<u32>,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(DefaultRedis);
    let _: Box<dyn BytecodeCache> = Box::new(SeveralServers);
    let _: Box<dyn BytecodeCache> = Box::new(Cluster);
    let _: Box<dyn BytecodeCache> = Box::new(RedisConfig {
        url: String::from("redis://127.0.0.1:6379"),
        prefix: String::from("app/"),
        timeout: None,
    });
}
