use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(http = "http://127.0.0.1:8080/cache/")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
