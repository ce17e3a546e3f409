use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(redis, prefix = "app\u{7}/")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
