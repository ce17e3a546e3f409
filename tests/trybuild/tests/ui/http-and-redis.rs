use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(redis = "redis://127.0.0.1:6379", http = "http://127.0.0.1:8080/cache/")]
struct TemplateCache;

fn main() {}
