use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memory = "64 xb", dir, checksum = "crc32", compress = 0)]
#[cache(memcached, redis, cluster = "yes")]
struct TemplateCache;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(TemplateCache);
}
