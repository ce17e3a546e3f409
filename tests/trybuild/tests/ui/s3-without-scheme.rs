use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(s3 = "templates/app/")]
struct TemplateCache;

fn main() {}
