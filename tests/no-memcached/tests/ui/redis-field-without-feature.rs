use bccache::BytecodeCache;

#[derive(BytecodeCache)]
struct SharedConfig {
    #[cache(redis)]
    url: String,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(SharedConfig { url: String::new() });
}
