use bccache::BytecodeCache;

#[derive(BytecodeCache)]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
