use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir = "var/cache", checksum = "md5")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
