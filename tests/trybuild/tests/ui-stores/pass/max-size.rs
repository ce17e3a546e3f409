use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir = "var/cache", max_size = "1 GiB")]
struct Bounded;

#[derive(BytecodeCache)]
#[cache(dir, max_size = 500000000)]
struct BoundedDefaultDir;

#[derive(BytecodeCache)]
struct BoundedConfig {
    #[cache(dir)]
    dir: String,
    #[cache(max_size)]
    max_size: u64,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(Bounded);
    let _: Box<dyn BytecodeCache> = Box::new(BoundedDefaultDir);
    let _: Box<dyn BytecodeCache> = Box::new(BoundedConfig { dir: String::from("var/cache"), max_size: 1 << 30 });
}
