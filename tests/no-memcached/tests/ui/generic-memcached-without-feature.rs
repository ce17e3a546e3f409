use std::marker::PhantomData;

use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memcached = "memcache://127.0.0.1:11211")]
struct SharedCache<T>(PhantomData<T>);

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(SharedCache::<u8>(PhantomData));
}
