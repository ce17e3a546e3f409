use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memcached, prefix = "app bytecode/")]
struct SharedCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(SharedCache);
}
