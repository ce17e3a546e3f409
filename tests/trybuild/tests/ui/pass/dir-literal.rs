use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir = "var/cache/templates", pattern = "__app_%s.cache")]
struct TemplateCache;

#[derive(BytecodeCache)]
#[cache(dir = "/var/cache/templates")]
struct AbsoluteCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
    let _: Box<dyn BytecodeCache> = Box::new(AbsoluteCache);
}
