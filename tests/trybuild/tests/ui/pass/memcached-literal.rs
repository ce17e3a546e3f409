use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memcached = "memcache://127.0.0.1:11211", prefix = "app/bytecode/", timeout = 3600)]
struct SharedCache;

#[derive(BytecodeCache)]
#[cache(memcached = "memcache://10.0.0.1:11211, memcache://10.0.0.2:11211", ignore_errors = false)]
struct ClusterCache;

#[derive(BytecodeCache)]
#[cache(memcached, timeout = 2592000, ignore_errors = true)]
struct DefaultServerCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(SharedCache);
    let _: Box<dyn BytecodeCache> = Box::new(ClusterCache);
    let _: Box<dyn BytecodeCache> = Box::new(DefaultServerCache);
}
