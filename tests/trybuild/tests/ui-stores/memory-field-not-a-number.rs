use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memory)]
struct TemplateCache {
    #[cache(memory)]
    memory: String,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache { memory: String::from("64 MiB") });
}
