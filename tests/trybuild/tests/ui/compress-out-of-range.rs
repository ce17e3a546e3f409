use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir = "var/cache", compress = 23)]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
