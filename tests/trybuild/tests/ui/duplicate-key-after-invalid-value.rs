use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir, pattern = "a.cache", pattern = "b_%s.cache")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
