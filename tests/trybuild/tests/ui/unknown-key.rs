use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dirr = "var/cache")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
