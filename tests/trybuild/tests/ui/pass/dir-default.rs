use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir)]
struct DefaultCache;

#[derive(BytecodeCache)]
#[cache(dir, pattern = "__app_%s.cache")]
struct DefaultDirOwnPattern;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(DefaultCache);
    let _: Box<dyn BytecodeCache> = Box::new(DefaultDirOwnPattern);
}
