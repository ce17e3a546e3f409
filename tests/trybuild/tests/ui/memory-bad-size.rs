use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memory = "64 megabytes")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
