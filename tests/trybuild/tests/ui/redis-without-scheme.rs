use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(redis = "127.0.0.1:6379")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
