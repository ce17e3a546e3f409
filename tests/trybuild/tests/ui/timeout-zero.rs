use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memcached, timeout = 0)]
struct SharedCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(SharedCache);
}
