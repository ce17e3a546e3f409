use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memcached, max_size = "1 GiB")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
