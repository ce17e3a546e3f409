use std::path::{Path, PathBuf};

use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(dir, pattern = "__app_%s.cache")]
struct PathBufConfig {
    #[cache(dir)]
    cache_dir: PathBuf,
    #[allow(dead_code)]
    name: String,
}

/// The field attribute alone chooses the filesystem backend.
#[derive(BytecodeCache)]
struct StringConfig {
    #[cache(dir)]
    cache_dir: String,
}

#[derive(BytecodeCache)]
struct BorrowedConfig<'a> {
    #[cache(dir)]
    cache_dir: &'a Path,
}

#[derive(BytecodeCache)]
#[cache(dir)]
struct TupleConfig(#[cache(dir)] PathBuf);

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(PathBufConfig {
        cache_dir: PathBuf::from("var/cache"),
        name: String::new(),
    });
    let _: Box<dyn BytecodeCache> = Box::new(StringConfig { cache_dir: String::from("var/cache") });
    let dir = Path::new("var/cache");
    let _: &dyn BytecodeCache = &BorrowedConfig { cache_dir: dir };
    let _: Box<dyn BytecodeCache> = Box::new(TupleConfig(PathBuf::from("var/cache")));
}
