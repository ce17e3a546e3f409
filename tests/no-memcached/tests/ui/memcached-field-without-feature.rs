use bccache::BytecodeCache;

#[derive(BytecodeCache)]
struct SharedConfig {
    #[cache(memcached)]
    servers: String,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(SharedConfig { servers: String::new() });
}
