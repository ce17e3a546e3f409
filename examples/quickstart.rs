//! Stores and loads a few sources' bytes through a filesystem cache, printing hit or miss.

use bccache::{BytecodeCache, FileSystemBytecodeCache};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cache = FileSystemBytecodeCache::with_default_dir()?;
    println!("cache directory: {}", cache.directory().display());
    for (name, source) in [("hello.lua", "print('hello')"), ("add.lua", "return 1 + 2")] {
        let mut bucket = cache.get_bucket(&(), name, None, source)?;
        let state = if bucket.code.is_some() { "hit" } else { "miss" };
        if bucket.code.is_none() {
            bucket.code = Some(source.to_uppercase().into_bytes());
            cache.set_bucket(&bucket)?;
        }
        println!("{name:<12} {state}");
    }
    Ok(())
}
