use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memcached, ignore_errors = "yes")]
struct SharedCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(SharedCache);
}
