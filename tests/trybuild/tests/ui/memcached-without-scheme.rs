use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memcached = "127.0.0.1:11211")]
struct SharedCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(SharedCache);
}
