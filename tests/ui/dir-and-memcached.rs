use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir = "var/cache", memcached = "memcache://127.0.0.1:11211")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
