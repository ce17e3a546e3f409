use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir = "var/cache", signing_key_env = "")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
