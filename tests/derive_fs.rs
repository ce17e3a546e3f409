//! `#[derive(BytecodeCache)]` on the filesystem backend: a derived cache reads and writes the very
//! files the hand-built `FileSystemBytecodeCache` does.
//!
//! A literal relative `dir` resolves against the working directory, and a bare `dir` against
//! `TMPDIR`; both belong to the whole process, so those tests run in a child copy of this binary
//! started in a temp directory, or with `TMPDIR` set to one, and touch nothing outside it.

mod support;

use std::fs;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bccache::{BytecodeCache, Checksum, DEFAULT_PATTERN, FileSystemBytecodeCache, Lookup};
use support::child;

const SOURCE: &str = "<h1>{{ title }}</h1>";
const CODE: &[u8] = b"compiled title template";
const CHILD_DEADLINE: Duration = Duration::from_secs(60);

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
    let derived_bytes = fs::read(derived_dir.path().join(&file)).expect("derived entry");
    let hand_bytes = fs::read(hand_dir.path().join(&file)).expect("hand-built entry");
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
    fs::write(&other, "keep me").expect("write another file");

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
    fs::remove_dir_all(&dir).expect("remove the cache directory");
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

/// Runs `test` in a child whose working directory is `cwd`.
fn run_in_dir(test: &str, cwd: &Path) -> String {
    let mut command = child::child_command(test, "temp-cwd");
    command.current_dir(cwd);
    let output = child::wait_with_deadline(child::spawn(command), CHILD_DEADLINE);
    child::check_passed(test, &output)
}

/// Runs `test` in a child whose `TMPDIR` is `tmp`.
fn run_with_tmpdir(test: &str, tmp: &Path) -> String {
    let mut command = child::child_command(test, "temp-tmpdir");
    command.env("TMPDIR", tmp);
    let output = child::wait_with_deadline(child::spawn(command), CHILD_DEADLINE);
    child::check_passed(test, &output)
}

const LITERAL_DIR: &str = "var/cache/literal";
const LITERAL_PATTERN: &str = "__literal_%s.cache";

/// Relative to the working directory at first use.
#[derive(BytecodeCache)]
#[cache(dir = "var/cache/literal", pattern = "__literal_%s.cache")]
struct LiteralCache;

#[test]
fn literal_relative_dir_is_created_under_the_working_directory() {
    const TEST: &str = "literal_relative_dir_is_created_under_the_working_directory";
    if child::child_instructions().is_some() {
        let dir = std::env::current_dir()
            .expect("working directory")
            .join(LITERAL_DIR);
        let key = store(&LiteralCache, "literal-relative-dir.html");
        assert!(dir.join(format!("__literal_{key}.cache")).is_file());
        assert_eq!(
            load(&LiteralCache, "literal-relative-dir.html").as_deref(),
            Some(CODE)
        );
        return;
    }
    let cwd = tempfile::tempdir().expect("temp dir");
    run_in_dir(TEST, cwd.path());
    let written = FileSystemBytecodeCache::new(cwd.path().join(LITERAL_DIR), LITERAL_PATTERN)
        .expect("hand-built cache on the child's directory");
    assert_eq!(
        load(&written, "literal-relative-dir.html").as_deref(),
        Some(CODE),
        "the child wrote under its working directory"
    );
}

#[test]
fn literal_configuration_builds_its_backend_once() {
    const TEST: &str = "literal_configuration_builds_its_backend_once";
    if child::child_instructions().is_some() {
        let first_cwd = std::env::current_dir().expect("working directory");
        let dir = first_cwd.join(LITERAL_DIR);
        store(&LiteralCache, "index.html");
        assert!(dir.is_dir(), "the first use creates the directory");

        // A rebuilt backend would resolve the relative `dir` against the new working directory.
        std::env::set_current_dir("../second").expect("change the working directory");
        store(&LiteralCache, "page.html");
        assert!(
            !Path::new(LITERAL_DIR).exists(),
            "nothing under the new working directory"
        );
        assert_eq!(load(&LiteralCache, "page.html").as_deref(), Some(CODE));
        let first = FileSystemBytecodeCache::new(&dir, LITERAL_PATTERN).expect("hand-built cache");
        assert_eq!(load(&first, "page.html").as_deref(), Some(CODE));

        // Only building a backend creates the directory; a dump never does. So a dump that fails
        // here went through the backend built at first use.
        fs::remove_dir_all(&dir).expect("remove the cache directory");
        let mut bucket = LiteralCache
            .get_bucket(&(), "index.html", None, SOURCE)
            .expect("a missing directory is a miss");
        assert!(bucket.code.is_none());
        bucket.code = Some(CODE.to_vec());
        assert!(LiteralCache.set_bucket(&bucket).is_err());
        assert!(!dir.exists(), "the directory is not created again");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let first = tmp.path().join("first");
    let second = tmp.path().join("second");
    fs::create_dir(&first).expect("first working directory");
    fs::create_dir(&second).expect("second working directory");
    run_in_dir(TEST, &first);
    assert!(!first.join(LITERAL_DIR).exists());
    assert!(!second.join("var").exists());
}

#[derive(BytecodeCache)]
#[cache(dir)]
struct DefaultCache;

#[test]
fn bare_dir_without_a_field_uses_the_safe_default_directory() {
    const TEST: &str = "bare_dir_without_a_field_uses_the_safe_default_directory";
    if child::child_instructions().is_some() {
        let default = FileSystemBytecodeCache::with_default_dir().expect("default cache");
        assert!(default.directory().starts_with(std::env::temp_dir()));
        let key = store(&DefaultCache, "default-dir.html");
        let path = default.path_for_key(&key);
        assert!(path.is_file(), "{} holds the entry", path.display());
        assert_eq!(load(&default, "default-dir.html").as_deref(), Some(CODE));
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    run_with_tmpdir(TEST, tmp.path());
    let made: Vec<PathBuf> = fs::read_dir(tmp.path())
        .expect("list the child's TMPDIR")
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    let [default_dir] = made.as_slice() else {
        panic!("the child made one default directory, found {made:?}");
    };
    let name = default_dir.file_name().and_then(|name| name.to_str());
    assert!(
        name.is_some_and(|name| name.starts_with("_bccache-")),
        "{} is Jinja2's default directory name",
        default_dir.display()
    );
    let written =
        FileSystemBytecodeCache::new(default_dir, DEFAULT_PATTERN).expect("hand-built cache");
    assert_eq!(load(&written, "default-dir.html").as_deref(), Some(CODE));
}

#[derive(BytecodeCache)]
struct TupleConfig(#[cache(dir)] PathBuf);

#[derive(BytecodeCache)]
#[cache(dir, pattern = "__generic_%s.cache")]
struct GenericConfig<P> {
    #[cache(dir)]
    dir: P,
}

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
}

const TAGGED_DIR: &str = "var/cache/tagged";

/// Generic, with nothing read from a field: `T` need not be `Send` or `Sync`.
#[derive(BytecodeCache)]
#[cache(dir = "var/cache/tagged")]
struct Tagged<T>(PhantomData<fn() -> T>);

#[test]
fn generic_struct_with_a_literal_dir_is_a_cache() {
    const TEST: &str = "generic_struct_with_a_literal_dir_is_a_cache";
    if child::child_instructions().is_some() {
        let tagged: Box<dyn BytecodeCache> = Box::new(Tagged::<std::rc::Rc<u8>>(PhantomData));
        store(&*tagged, "tagged.html");
        assert_eq!(load(&*tagged, "tagged.html").as_deref(), Some(CODE));
        return;
    }
    let cwd = tempfile::tempdir().expect("temp dir");
    run_in_dir(TEST, cwd.path());
    let written = FileSystemBytecodeCache::new(cwd.path().join(TAGGED_DIR), DEFAULT_PATTERN)
        .expect("hand-built cache on the child's directory");
    assert_eq!(load(&written, "tagged.html").as_deref(), Some(CODE));
}

/// Computed with Jinja2 3.1.6: `get_cache_key` and `get_source_checksum` of a
/// `FileSystemBytecodeCache`.
const JINJA2_KEY: &str = "f6013a00b362253c64368d6eebc50ea2131754e2";
const JINJA2_KEY_WITH_FILENAME: &str = "a3d6bf631e270ded392589d3b639f0e9eb46c656";
const JINJA2_CHECKSUM: &str = "a0eec493d935aa02a42ef6216a528786350add79";

#[test]
fn derived_cache_keys_and_checksums_are_jinja2_s() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let derived = CacheConfig {
        cache_dir: tmp.path().to_owned(),
    };
    assert_eq!(derived.get_cache_key("index.html", None), JINJA2_KEY);
    assert_eq!(
        derived.get_cache_key("index.html", Some("templates/index.html")),
        JINJA2_KEY_WITH_FILENAME
    );
    assert_eq!(
        derived.get_source_checksum("Hello {{ name }}!"),
        JINJA2_CHECKSUM
    );

    let bucket = derived
        .get_bucket(
            &(),
            "index.html",
            Some("templates/index.html"),
            "Hello {{ name }}!",
        )
        .expect("bucket");
    assert_eq!(bucket.key, JINJA2_KEY_WITH_FILENAME);
    assert_eq!(bucket.checksum, JINJA2_CHECKSUM);
}

#[derive(BytecodeCache)]
#[cache(dir, pattern = "__app_%s.cache", checksum = "xxh3")]
struct Xxh3Config {
    #[cache(dir)]
    cache_dir: PathBuf,
}

fn hand_built_with(dir: &Path, checksum: Checksum) -> FileSystemBytecodeCache {
    FileSystemBytecodeCache::new(dir, "__app_%s.cache")
        .expect("hand-built cache")
        .checksum(checksum)
}

#[test]
fn checksum_xxh3_stores_xxh3_entries() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let derived = Xxh3Config {
        cache_dir: tmp.path().to_owned(),
    };
    assert_eq!(
        derived.get_source_checksum(SOURCE),
        Checksum::Xxh3_128.of(SOURCE.as_bytes())
    );
    let bucket = derived
        .get_bucket(&(), "index.html", None, SOURCE)
        .expect("bucket");
    assert_eq!(bucket.checksum, Checksum::Xxh3_128.of(SOURCE.as_bytes()));

    store(&derived, "index.html");
    let xxh3 = hand_built_with(tmp.path(), Checksum::Xxh3_128);
    assert_eq!(load(&xxh3, "index.html").as_deref(), Some(CODE));
    let sha1 = hand_built_with(tmp.path(), Checksum::Sha1);
    assert_eq!(
        load(&sha1, "index.html"),
        None,
        "an xxh3 entry never hits under sha1"
    );
}

#[test]
fn entry_stored_under_sha1_misses_under_the_derived_xxh3_cache() {
    let tmp = tempfile::tempdir().expect("temp dir");
    store(&hand_built_with(tmp.path(), Checksum::Sha1), "page.html");

    let xxh3 = Xxh3Config {
        cache_dir: tmp.path().to_owned(),
    };
    assert_eq!(load(&xxh3, "page.html"), None);
    let sha1 = CacheConfig {
        cache_dir: tmp.path().to_owned(),
    };
    assert_eq!(
        load(&sha1, "page.html").as_deref(),
        Some(CODE),
        "the default checksum is Jinja2's sha1"
    );
}

#[test]
fn same_directory_with_another_checksum_is_another_backend() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let sha1 = CacheConfig {
        cache_dir: tmp.path().to_owned(),
    };
    let xxh3 = Xxh3Config {
        cache_dir: tmp.path().to_owned(),
    };
    // One file per template: each is read back only by the checksum it was stored with.
    store(&sha1, "sha1.html");
    store(&xxh3, "xxh3.html");
    assert_eq!(load(&sha1, "sha1.html").as_deref(), Some(CODE));
    assert_eq!(load(&sha1, "xxh3.html"), None);
    assert_eq!(load(&xxh3, "xxh3.html").as_deref(), Some(CODE));
    assert_eq!(load(&xxh3, "sha1.html"), None);
    let stats = xxh3.stats().expect("a derived cache counts");
    assert_eq!(
        stats.stores, 1,
        "only the xxh3 store went through this backend"
    );
}

#[test]
fn derived_cache_reports_the_stats_of_its_store() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let derived = CacheConfig {
        cache_dir: tmp.path().join("stats"),
    };
    store(&derived, "index.html");
    assert_eq!(load(&derived, "index.html").as_deref(), Some(CODE));
    let stats = derived.stats().expect("a derived cache counts");
    assert_eq!(
        (stats.misses, stats.stores, stats.hits),
        (1, 1, 1),
        "{stats:?}"
    );
}

#[test]
fn batch_lookups_go_through_the_derived_cache() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let derived = Xxh3Config {
        cache_dir: tmp.path().to_owned(),
    };
    store(&derived, "a.html");
    let lookups = [Lookup::new("a.html", SOURCE), Lookup::new("b.html", SOURCE)];
    let buckets = derived.get_buckets(&(), &lookups).expect("batch lookup");
    assert_eq!(buckets[0].code.as_deref(), Some(CODE));
    assert!(buckets[1].code.is_none());
    assert_eq!(
        buckets[0].checksum,
        Checksum::Xxh3_128.of(SOURCE.as_bytes())
    );
}

#[test]
fn a_configuration_that_failed_to_build_is_tried_again_on_the_next_call() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("not-yet");
    fs::write(&dir, "a file where the directory should be").expect("write a file");
    let derived = CacheConfig {
        cache_dir: dir.clone(),
    };
    for _ in 0..2 {
        derived
            .get_bucket(&(), "index.html", None, SOURCE)
            .expect_err("a file is not a cache directory");
    }

    fs::remove_file(&dir).expect("remove the file");
    store(&derived, "index.html");
    assert!(dir.is_dir(), "the retried build made the directory");
    assert_eq!(load(&derived, "index.html").as_deref(), Some(CODE));
}

/// `max_size` bounds the derived cache's directory.
mod bounded {
    use super::*;

    /// 64 KiB: a few of the 10 KB entries below.
    #[derive(BytecodeCache)]
    #[cache(dir, pattern = "__bounded_%s.cache", max_size = "64 KiB")]
    struct BoundedConfig {
        #[cache(dir)]
        dir: PathBuf,
    }

    #[derive(BytecodeCache)]
    #[cache(dir, pattern = "__bounded_%s.cache")]
    struct BoundFromAField {
        #[cache(dir)]
        dir: PathBuf,
        #[cache(max_size)]
        max_size: u64,
    }

    fn entry_bytes(dir: &Path) -> u64 {
        fs::read_dir(dir)
            .expect("list the cache directory")
            .filter_map(|entry| entry.ok())
            .filter(|entry| {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                name.starts_with("__bounded_") && name.ends_with(".cache")
            })
            .map(|entry| entry.metadata().expect("entry metadata").len())
            .sum()
    }

    fn fill(cache: &dyn BytecodeCache, count: usize) {
        let code = vec![7u8; 10_000];
        for i in 0..count {
            let mut bucket = cache
                .get_bucket(&(), &format!("page-{i}.html"), None, SOURCE)
                .expect("load a bucket");
            bucket.code = Some(code.clone());
            cache.set_bucket(&bucket).expect("store a bucket");
        }
    }

    #[test]
    fn max_size_bounds_the_directory() {
        let tmp = tempfile::tempdir().expect("temp dir");
        fill(
            &BoundedConfig {
                dir: tmp.path().to_owned(),
            },
            40,
        );
        let bytes = entry_bytes(tmp.path());
        assert!(
            bytes <= 64 * 1024,
            "{bytes} bytes of entries in a 64 KiB cache"
        );
        assert!(bytes > 0);
    }

    #[test]
    fn max_size_from_a_field_bounds_the_directory() {
        let tmp = tempfile::tempdir().expect("temp dir");
        fill(
            &BoundFromAField {
                dir: tmp.path().to_owned(),
                max_size: 32 * 1024,
            },
            40,
        );
        let bytes = entry_bytes(tmp.path());
        assert!(
            bytes <= 32 * 1024,
            "{bytes} bytes of entries in a 32 KiB cache"
        );
    }
}
