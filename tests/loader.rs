//! `CachedLoader`: Jinja2's `Loader.load` over a real filesystem cache, with a small compiler
//! that counts its compilations.

use std::borrow::Cow;
use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use bccache::{
    Bucket, BytecodeCache, CachedLoader, Compiler, Environment, FileSystemBytecodeCache, LoadError,
    Origin,
};

/// "Compiles" a source into its upper-case text; bytecode is that text behind a tag.
#[derive(Default)]
struct Shout {
    version: u32,
    compiles: AtomicUsize,
}

/// The one compile error of [`Shout`].
#[derive(Debug, PartialEq)]
struct NoBangs;

impl std::fmt::Display for NoBangs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("`!` is not allowed")
    }
}

impl std::error::Error for NoBangs {}

const TAG: &[u8] = b"SHOUT:";

impl Shout {
    fn version(version: u32) -> Self {
        Shout {
            version,
            ..Shout::default()
        }
    }

    fn compiles(&self) -> usize {
        self.compiles.load(Ordering::SeqCst)
    }
}

impl Environment for Shout {
    fn fingerprint(&self) -> Cow<'_, [u8]> {
        Cow::Owned(format!("shout {}", self.version).into_bytes())
    }
}

impl Compiler for Shout {
    type Source = str;
    type Code = String;
    type Error = NoBangs;

    fn compile(
        &self,
        _name: &str,
        _filename: Option<&str>,
        source: &str,
    ) -> Result<String, NoBangs> {
        self.compiles.fetch_add(1, Ordering::SeqCst);
        if source.contains('!') {
            return Err(NoBangs);
        }
        Ok(source.to_uppercase())
    }

    fn to_bytecode(&self, code: &String) -> Vec<u8> {
        [TAG, code.as_bytes()].concat()
    }

    unsafe fn from_bytecode(&self, bytecode: &[u8]) -> Option<String> {
        let text = bytecode.strip_prefix(TAG)?;
        String::from_utf8(text.to_vec()).ok()
    }
}

/// A cache whose every operation fails, for the error paths a filesystem cannot produce.
struct BrokenCache;

impl BytecodeCache for BrokenCache {
    fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> bccache::Result<()> {
        Err(bccache::Error::Io {
            action: "read",
            path: format!("/broken/{}", bucket.key).into(),
            source: std::io::Error::other("disk on fire"),
        })
    }

    fn dump_bytecode(&self, bucket: &Bucket<'_>) -> bccache::Result<()> {
        Err(bccache::Error::EmptyBucket {
            key: bucket.key.clone(),
        })
    }
}

fn cache_in(dir: &Path) -> FileSystemBytecodeCache {
    FileSystemBytecodeCache::new(dir, "__loader_%s.cache").expect("cache in a temp dir")
}

fn entries(dir: &Path) -> usize {
    fs::read_dir(dir).map_or(0, |entries| entries.count())
}

#[test]
fn miss_compiles_and_stores_then_hit_skips_compilation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = CachedLoader::new(Shout::default(), cache_in(dir.path()));

    let first = loader
        .load_with_origin("greeting", Some("greeting.txt"), "hello")
        .expect("compiles");
    assert_eq!(
        (first.code.as_str(), first.origin),
        ("HELLO", Origin::Compiled)
    );
    assert_eq!(entries(dir.path()), 1);

    let second = loader
        .load_with_origin("greeting", Some("greeting.txt"), "hello")
        .expect("loads");
    assert_eq!(
        (second.code.as_str(), second.origin),
        ("HELLO", Origin::Cache)
    );
    assert_eq!(loader.compiler().compiles(), 1);
}

#[test]
fn a_new_loader_on_the_same_directory_hits() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = CachedLoader::new(Shout::default(), cache_in(dir.path()));
    first.load("page", None, "body").expect("compiles");

    let restarted = CachedLoader::new(Shout::default(), cache_in(dir.path()));
    assert_eq!(restarted.load("page", None, "body").expect("loads"), "BODY");
    assert_eq!(restarted.compiler().compiles(), 0);
}

#[test]
fn changed_source_is_recompiled() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = CachedLoader::new(Shout::default(), cache_in(dir.path()));
    loader.load("page", None, "old").expect("compiles");

    let changed = loader
        .load_with_origin("page", None, "new")
        .expect("compiles");
    assert_eq!(
        (changed.code.as_str(), changed.origin),
        ("NEW", Origin::Compiled)
    );
    // The new code replaced the old entry under the same key.
    assert_eq!(entries(dir.path()), 1);
    let again = loader.load_with_origin("page", None, "new").expect("loads");
    assert_eq!(again.origin, Origin::Cache);
}

#[test]
fn filename_is_part_of_the_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = CachedLoader::new(Shout::default(), cache_in(dir.path()));
    loader
        .load("page", Some("a/page.txt"), "same")
        .expect("compiles");

    let other = loader
        .load_with_origin("page", Some("b/page.txt"), "same")
        .expect("compiles");
    assert_eq!(other.origin, Origin::Compiled);
    assert_eq!(entries(dir.path()), 2);
}

#[test]
fn code_of_another_compiler_version_is_a_miss() {
    let dir = tempfile::tempdir().expect("temp dir");
    CachedLoader::new(Shout::version(1), cache_in(dir.path()))
        .load("page", None, "body")
        .expect("compiles");

    let upgraded = CachedLoader::new(Shout::version(2), cache_in(dir.path()));
    let loaded = upgraded
        .load_with_origin("page", None, "body")
        .expect("compiles");
    assert_eq!(loaded.origin, Origin::Compiled);
    assert_eq!(upgraded.compiler().compiles(), 1);
}

#[test]
fn undecodable_bytecode_is_recompiled_and_replaced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = cache_in(dir.path());
    let compiler = Shout::default();
    // A well-formed entry whose payload the compiler cannot decode (no tag).
    let mut bucket = cache
        .get_bucket(&compiler, "page", None, "body")
        .expect("bucket");
    bucket.code = Some(b"not shout bytecode".to_vec());
    cache.set_bucket(&bucket).expect("stored");

    let loader = CachedLoader::new(compiler, cache);
    let loaded = loader
        .load_with_origin("page", None, "body")
        .expect("compiles");
    assert_eq!(
        (loaded.code.as_str(), loaded.origin),
        ("BODY", Origin::Compiled)
    );
    let again = loader
        .load_with_origin("page", None, "body")
        .expect("loads");
    assert_eq!(again.origin, Origin::Cache);
    assert_eq!(loader.compiler().compiles(), 1);
}

#[test]
fn corrupt_cache_file_is_recompiled_and_rewritten() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = CachedLoader::new(Shout::default(), cache_in(dir.path()));
    loader.load("page", None, "body").expect("compiles");
    let key = loader.cache().get_cache_key("page", None);
    let path = loader.cache().path_for_key(&key);
    let mut bytes = fs::read(&path).expect("entry");
    let last = bytes.len() - 9;
    bytes[last] ^= 0x01;
    fs::write(&path, &bytes).expect("corrupted");

    let loaded = loader
        .load_with_origin("page", None, "body")
        .expect("compiles");
    assert_eq!(
        (loaded.code.as_str(), loaded.origin),
        ("BODY", Origin::Compiled)
    );
    assert_ne!(fs::read(&path).expect("entry"), bytes);
    assert_eq!(
        loader
            .load_with_origin("page", None, "body")
            .expect("loads")
            .origin,
        Origin::Cache
    );
}

#[test]
fn compile_error_is_returned_and_nothing_is_stored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = CachedLoader::new(Shout::default(), cache_in(dir.path()));

    let error = loader
        .load("rude", None, "hey!")
        .expect_err("does not compile");
    assert!(matches!(&error, LoadError::Compile { name, source: NoBangs } if name == "rude"));
    assert_eq!(error.to_string(), "cannot compile `rude`");
    assert_eq!(entries(dir.path()), 0);
    // Still not cached: the next load compiles (and fails) again.
    loader
        .load("rude", None, "hey!")
        .expect_err("does not compile");
    assert_eq!(loader.compiler().compiles(), 2);
}

#[test]
fn failing_cache_lookup_is_a_cache_error() {
    let loader = CachedLoader::new(Shout::default(), BrokenCache);
    let error = loader.load("page", None, "body").expect_err("cache fails");
    assert!(matches!(&error, LoadError::Cache { name, .. } if name == "page"));
    assert!(std::error::Error::source(&error).is_some());
    assert_eq!(loader.compiler().compiles(), 0);
}

#[test]
fn failed_store_still_returns_the_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache_dir = dir.path().join("gone");
    let cache = cache_in(&cache_dir);
    // A dump never recreates its directory, so every store now fails.
    fs::remove_dir(&cache_dir).expect("removed");
    let loader = CachedLoader::new(Shout::default(), cache);

    let loaded = loader
        .load_with_origin("page", None, "body")
        .expect("code anyway");
    assert_eq!(
        (loaded.code.as_str(), loaded.origin),
        ("BODY", Origin::Compiled)
    );
    assert!(!cache_dir.exists());
}

#[test]
fn strict_loader_returns_the_store_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache_dir = dir.path().join("gone");
    let cache = cache_in(&cache_dir);
    fs::remove_dir(&cache_dir).expect("removed");
    let loader = CachedLoader::new(Shout::default(), cache).strict(true);

    let error = loader.load("page", None, "body").expect_err("store fails");
    assert!(matches!(&error, LoadError::Store { name, .. } if name == "page"));
    assert_eq!(
        error.to_string(),
        "cannot store the compiled bytecode of `page`"
    );
}

#[test]
fn strict_loader_behaves_normally_when_storing_works() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = CachedLoader::new(Shout::default(), cache_in(dir.path())).strict(true);
    loader.load("page", None, "body").expect("compiles");
    let loaded = loader
        .load_with_origin("page", None, "body")
        .expect("loads");
    assert_eq!(loaded.origin, Origin::Cache);
}

#[test]
fn boxed_cache_works_as_a_loader_cache() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache: Box<dyn BytecodeCache> = Box::new(cache_in(dir.path()));
    let loader = CachedLoader::new(Shout::default(), cache);
    loader.load("page", None, "body").expect("compiles");
    assert_eq!(
        loader
            .load_with_origin("page", None, "body")
            .expect("loads")
            .origin,
        Origin::Cache
    );
}

#[test]
fn one_loader_serves_many_threads() {
    fn assert_send_sync<T: Send + Sync>(_: &T) {}

    let dir = tempfile::tempdir().expect("temp dir");
    let loader = CachedLoader::new(Shout::default(), cache_in(dir.path()));
    assert_send_sync(&loader);
    const THREADS: usize = 8;
    const NAMES: usize = 16;

    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            let loader = &loader;
            scope.spawn(move || {
                for round in 0..3 {
                    for i in 0..NAMES {
                        let name = format!("page-{}", (i + thread) % NAMES);
                        let source = format!("body of {name}");
                        let code = loader.load(&name, None, &source).expect("loads");
                        assert_eq!(code, source.to_uppercase(), "round {round}");
                    }
                }
            });
        }
    });

    assert_eq!(entries(dir.path()), NAMES);
    // Racing misses may compile a name more than once, but far fewer times than it was loaded.
    assert!(loader.compiler().compiles() >= NAMES);
    assert!(loader.compiler().compiles() < THREADS * NAMES * 3);
    for i in 0..NAMES {
        let name = format!("page-{i}");
        let loaded = loader
            .load_with_origin(&name, None, &format!("body of {name}"))
            .expect("loads");
        assert_eq!(loaded.origin, Origin::Cache);
    }
}
