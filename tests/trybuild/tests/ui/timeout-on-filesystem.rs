use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir = "var/cache", timeout = 3600)]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
