use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memcached, pattern = "__app_%s.cache")]
struct SharedCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(SharedCache);
}
