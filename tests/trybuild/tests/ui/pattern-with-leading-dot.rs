use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir, pattern = ".%s.cache")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
