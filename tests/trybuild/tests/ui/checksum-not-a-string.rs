use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir = "var/cache", checksum = xxh3)]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
