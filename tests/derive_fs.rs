//! `#[derive(BytecodeCache)]` on the filesystem backend: a derived cache reads and writes the very
//! files the hand-built `FileSystemBytecodeCache` does.

use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use bccache::{Bucket, BytecodeCache, FileSystemBytecodeCache};

const SOURCE: &str = "<h1>{{ title }}</h1>";
const CODE: &[u8] = b"compiled title template";

#[derive(BytecodeCache, serde::Deserialize)]
#[cache(dir, pattern = "__app_%s.cache")]
struct CacheConfig {
    #[cache(dir)]
    cache_dir: PathBuf,
}

/// Stores `CODE` for `name` through `cache`, and returns the stored bucket's key.
fn store(cache: &dyn BytecodeCache, name: &str) -> String {
    let mut bucket = cache
        .get_bucket(&(), name, None, SOURCE)
        .expect("load a bucket");
    assert!(bucket.code.is_none(), "a fresh cache misses");
    bucket.code = Some(CODE.to_vec());
    cache.set_bucket(&bucket).expect("store a bucket");
    bucket.key
}

fn load(cache: &dyn BytecodeCache, name: &str) -> Option<Vec<u8>> {
    cache
        .get_bucket(&(), name, None, SOURCE)
        .expect("load a bucket")
        .code
}

#[test]
fn derived_cache_writes_what_the_hand_built_cache_reads() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let derived = CacheConfig {
        cache_dir: tmp.path().to_owned(),
    };
    let hand_built =
        FileSystemBytecodeCache::new(tmp.path(), "__app_%s.cache").expect("hand-built cache");

    let key = store(&derived, "index.html");
    assert!(hand_built.path_for_key(&key).is_file());
    assert_eq!(load(&hand_built, "index.html").as_deref(), Some(CODE));
}

#[test]
fn derived_cache_reads_what_the_hand_built_cache_writes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let hand_built =
        FileSystemBytecodeCache::new(tmp.path(), "__app_%s.cache").expect("hand-built cache");
    store(&hand_built, "page.html");

    let derived = CacheConfig {
        cache_dir: tmp.path().to_owned(),
    };
    assert_eq!(load(&derived, "page.html").as_deref(), Some(CODE));
    assert_eq!(load(&derived, "other.html"), None);
}

#[test]
fn derived_entry_is_byte_identical_to_the_hand_built_one() {
    let derived_dir = tempfile::tempdir().expect("temp dir");
    let hand_dir = tempfile::tempdir().expect("temp dir");
    let derived = CacheConfig {
        cache_dir: derived_dir.path().to_owned(),
    };
    let hand_built =
        FileSystemBytecodeCache::new(hand_dir.path(), "__app_%s.cache").expect("hand-built cache");

    let key = store(&derived, "index.html");
    store(&hand_built, "index.html");
    let file = format!("__app_{key}.cache");
    let derived_bytes = std::fs::read(derived_dir.path().join(&file)).expect("derived entry");
    let hand_bytes = std::fs::read(hand_dir.path().join(&file)).expect("hand-built entry");
    assert_eq!(derived_bytes, hand_bytes);
}

#[test]
fn derived_config_deserialized_from_toml_is_a_cache() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cache_dir = tmp.path().join("templates");
    let toml = format!("cache_dir = {:?}\n", cache_dir.display().to_string());
    let config: CacheConfig = toml::from_str(&toml).expect("parse the config");

    store(&config, "index.html");
    assert!(cache_dir.is_dir(), "the configured directory is created");
    assert_eq!(load(&config, "index.html").as_deref(), Some(CODE));
}

#[test]
fn clear_removes_the_derived_cache_entries_only() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let derived = CacheConfig {
        cache_dir: tmp.path().to_owned(),
    };
    let key = store(&derived, "index.html");
    let other = tmp.path().join("notes.txt");
    std::fs::write(&other, "keep me").expect("write another file");

    derived.clear().expect("clear");
    assert!(!tmp.path().join(format!("__app_{key}.cache")).exists());
    assert!(other.is_file(), "files the pattern does not make are kept");
    assert_eq!(load(&derived, "index.html"), None);
}

#[test]
fn backend_is_built_once_per_configuration_and_reused() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("reused");
    let first = CacheConfig {
        cache_dir: dir.clone(),
    };
    store(&first, "index.html");
    assert!(dir.is_dir(), "the first use creates the directory");

    // A dump never recreates the directory; only building a backend does. So a dump that fails
    // here went through the backend built for `first`.
    std::fs::remove_dir_all(&dir).expect("remove the cache directory");
    let same_config = CacheConfig {
        cache_dir: dir.clone(),
    };
    let mut bucket = same_config
        .get_bucket(&(), "index.html", None, SOURCE)
        .expect("a missing directory is a miss");
    bucket.code = Some(CODE.to_vec());
    assert!(same_config.set_bucket(&bucket).is_err());
    assert!(!dir.exists());

    // Another configuration gets a backend of its own.
    let other_dir = tmp.path().join("other");
    let other = CacheConfig {
        cache_dir: other_dir.clone(),
    };
    store(&other, "index.html");
    assert!(other_dir.is_dir());
}

/// Relative to the working directory at first use: the package root under `cargo test`.
#[derive(BytecodeCache)]
#[cache(
    dir = "target/bccache-derive-tests/literal",
    pattern = "__literal_%s.cache"
)]
struct LiteralCache;

#[test]
fn literal_relative_dir_is_created_under_the_working_directory() {
    let dir = std::env::current_dir()
        .expect("working directory")
        .join("target/bccache-derive-tests/literal");
    let key = store(&LiteralCache, "literal-relative-dir.html");
    assert!(dir.join(format!("__literal_{key}.cache")).is_file());
    assert_eq!(
        load(&LiteralCache, "literal-relative-dir.html").as_deref(),
        Some(CODE)
    );
    LiteralCache.clear().expect("clear");
}

#[derive(BytecodeCache)]
#[cache(dir)]
struct DefaultCache;

#[test]
fn bare_dir_without_a_field_uses_the_safe_default_directory() {
    let default = FileSystemBytecodeCache::with_default_dir().expect("default cache");
    let name = format!("derive-default-dir-{}.html", std::process::id());
    let key = store(&DefaultCache, &name);
    let path = default.path_for_key(&key);
    assert!(path.is_file(), "{} holds the entry", path.display());
    assert_eq!(load(&default, &name).as_deref(), Some(CODE));
    std::fs::remove_file(path).expect("remove the test entry");
}

#[derive(BytecodeCache)]
struct TupleConfig(#[cache(dir)] PathBuf);

#[derive(BytecodeCache)]
#[cache(dir, pattern = "__generic_%s.cache")]
struct GenericConfig<P> {
    #[cache(dir)]
    dir: P,
}

#[derive(BytecodeCache)]
#[cache(dir = "target/bccache-derive-tests/tagged")]
struct Tagged<T>(PhantomData<fn() -> T>);

#[test]
fn tuple_and_generic_structs_are_caches() {
    let tmp = tempfile::tempdir().expect("temp dir");

    store(&TupleConfig(tmp.path().join("tuple")), "index.html");
    assert_eq!(
        load(&TupleConfig(tmp.path().join("tuple")), "index.html").as_deref(),
        Some(CODE)
    );

    let borrowed: &Path = tmp.path();
    let key = store(&GenericConfig { dir: borrowed }, "generic.html");
    assert!(tmp.path().join(format!("__generic_{key}.cache")).is_file());
    let owned = GenericConfig {
        dir: tmp.path().display().to_string(),
    };
    assert_eq!(load(&owned, "generic.html").as_deref(), Some(CODE));

    let tagged: Box<dyn BytecodeCache> = Box::new(Tagged::<std::rc::Rc<u8>>(PhantomData));
    store(&*tagged, "tagged.html");
    tagged.clear().expect("clear");
}

#[test]
fn derived_cache_keys_and_checksums_are_jinja2_s() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let derived = CacheConfig {
        cache_dir: tmp.path().to_owned(),
    };
    let hand_built =
        FileSystemBytecodeCache::new(tmp.path(), "__app_%s.cache").expect("hand-built cache");
    assert_eq!(
        derived.get_cache_key("index.html", Some("templates/index.html")),
        hand_built.get_cache_key("index.html", Some("templates/index.html"))
    );
    let bucket: Bucket<'_> = derived
        .get_bucket(&(), "index.html", None, SOURCE)
        .expect("bucket");
    assert_eq!(bucket.checksum, hand_built.get_source_checksum(SOURCE));
}
