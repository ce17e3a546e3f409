use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memcached = "memcache://127.0.0.1:11211", redis = "redis://127.0.0.1:6379")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
