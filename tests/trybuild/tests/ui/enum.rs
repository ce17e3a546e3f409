use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir)]
enum TemplateCache {
    Local,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache::Local);
}
