use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir)]
union TemplateCache {
    flag: u8,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache { flag: 0 });
}
