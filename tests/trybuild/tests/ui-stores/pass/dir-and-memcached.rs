use bccache::BytecodeCache;

/// Tiers dir → memcached, written in the other order.
#[derive(BytecodeCache)]
#[cache(memcached = "memcache://127.0.0.1:11211", dir = "var/cache")]
struct TemplateCache;

#[derive(BytecodeCache)]
struct TieredConfig {
    #[cache(dir)]
    dir: String,
    #[cache(memcached)]
    servers: String,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
    let _: Box<dyn BytecodeCache> = Box::new(TieredConfig {
        dir: String::from("var/cache"),
        servers: String::from("memcache://127.0.0.1:11211"),
    });
}
