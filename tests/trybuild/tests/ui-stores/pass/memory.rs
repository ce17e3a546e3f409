use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memory = "64 MiB")]
struct Mebibytes;

#[derive(BytecodeCache)]
#[cache(memory = "64MB", checksum = "xxh3")]
struct Megabytes;

#[derive(BytecodeCache)]
#[cache(memory = 67108864)]
struct Bytes;

#[derive(BytecodeCache)]
#[cache(memory = "1 GiB")]
struct Gibibyte;

#[derive(BytecodeCache)]
struct MemoryConfig {
    #[cache(memory)]
    memory_bytes: u64,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(Mebibytes);
    let _: Box<dyn BytecodeCache> = Box::new(Megabytes);
    let _: Box<dyn BytecodeCache> = Box::new(Bytes);
    let _: Box<dyn BytecodeCache> = Box::new(Gibibyte);
    let _: Box<dyn BytecodeCache> = Box::new(MemoryConfig { memory_bytes: 1 << 20 });
}
