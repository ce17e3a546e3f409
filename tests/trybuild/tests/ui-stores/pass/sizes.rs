use bccache::BytecodeCache;

// The size grammar of the `bccache` command: fractions, decimal and binary units, any case.
#[derive(BytecodeCache)]
#[cache(memory = "1.5 GiB")]
struct Fractional;

#[derive(BytecodeCache)]
#[cache(memory = "64k", dir = "var/cache", max_size = "2 gb")]
struct Decimal;

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(Fractional);
    let _: Box<dyn BytecodeCache> = Box::new(Decimal);
}
