use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memcached = "memcache://127.0.0.1:11211", prefix = "app/bytecode/")]
struct SharedCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(SharedCache);
}
