use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memory = "64 MiB", compress = 3)]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
