use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir = "var/cache", dir = "var/other")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
