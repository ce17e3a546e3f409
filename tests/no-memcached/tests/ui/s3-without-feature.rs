use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(s3 = "s3://templates/app/?endpoint=http://127.0.0.1:9000")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
