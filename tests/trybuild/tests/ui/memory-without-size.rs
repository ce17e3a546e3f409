use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memory, dir = "var/cache")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
