use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memcached, timeout, timeout = 3600)]
struct SharedCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(SharedCache);
}
