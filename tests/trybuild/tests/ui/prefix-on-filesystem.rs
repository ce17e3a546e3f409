use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir, prefix = "app/bytecode/")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
