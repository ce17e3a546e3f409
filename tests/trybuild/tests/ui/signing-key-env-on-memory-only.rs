use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memory = "64 MiB", signing_key_env = "APP_BCCACHE_KEY")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
