use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memcached, cluster = true)]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
