use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memcached, timeout = "1h")]
struct SharedCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(SharedCache);
}
