use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir = "var/cache")]
struct TemplateCache {
    #[cache(checksum)]
    checksum: String,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache { checksum: String::new() });
}
