use std::marker::PhantomData;

use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dirr)]
struct TemplateCache<T>(PhantomData<T>);

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache::<u8>(PhantomData));
}
