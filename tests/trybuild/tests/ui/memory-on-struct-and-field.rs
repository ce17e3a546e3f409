use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memory = "64 MiB")]
struct TemplateCache {
    #[cache(memory)]
    memory_bytes: u64,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache { memory_bytes: 1 << 20 });
}
