use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memory = 0)]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
