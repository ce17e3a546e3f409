use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir, pattern = "__app.cache", timeout = 3600)]
#[cache(colour = "blue")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
