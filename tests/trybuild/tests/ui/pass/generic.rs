use std::marker::PhantomData;
use std::path::PathBuf;

use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir)]
struct DirOf<P> {
    #[cache(dir)]
    dir: P,
}

#[derive(BytecodeCache)]
#[cache(dir = "var/cache")]
struct Tagged<T>(PhantomData<fn() -> T>);

#[derive(BytecodeCache)]
#[cache(memcached)]
struct SharedOf<S, N>
where
    S: Clone,
{
    #[cache(memcached)]
    servers: S,
    #[cache(timeout)]
    timeout: N,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(DirOf { dir: PathBuf::from("var/cache") });
    let _: Box<dyn BytecodeCache> = Box::new(DirOf { dir: "var/cache" });
    let _: Box<dyn BytecodeCache> = Box::new(Tagged::<std::rc::Rc<u8>>(PhantomData));
    let _: Box<dyn BytecodeCache> = Box::new(SharedOf {
        servers: String::from("memcache://127.0.0.1:11211"),
        timeout: Some(60u32),
    });
}
