use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memcached)]
struct SharedConfig {
    #[cache(timeout)]
    timeout: String,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(SharedConfig { timeout: String::new() });
}
