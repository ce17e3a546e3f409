//! `FileSystemBytecodeCache` on real files in temp dirs.

mod support;

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use bccache::{Bucket, BytecodeCache, DEFAULT_PATTERN, Error, FileSystemBytecodeCache};
use support::engine::Engine;
use support::unprivileged::{is_root, rerun_as_nobody};

const PATTERN: &str = "__test_%s.cache";

fn cache_in(dir: &Path) -> FileSystemBytecodeCache {
    FileSystemBytecodeCache::new(dir, PATTERN).unwrap()
}

/// Stores `code` for a template through the cache.
fn store(cache: &dyn BytecodeCache, name: &str, source: &str, code: &[u8]) {
    let mut bucket = cache.get_bucket(&(), name, None, source).unwrap();
    bucket.code = Some(code.to_vec());
    cache.set_bucket(&bucket).unwrap();
}

fn load(cache: &dyn BytecodeCache, name: &str, source: &str) -> Option<Vec<u8>> {
    cache.get_bucket(&(), name, None, source).unwrap().code
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn round_trip_through_a_boxed_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache: Box<dyn BytecodeCache> = Box::new(cache_in(dir.path()));
    assert_eq!(load(&*cache, "a.html", "source"), None);
    store(&*cache, "a.html", "source", b"compiled a");
    assert_eq!(
        load(&*cache, "a.html", "source").as_deref(),
        Some(&b"compiled a"[..])
    );
}

#[test]
fn file_name_is_the_pattern_with_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path());
    store(&cache, "index.html", "source", b"code");
    let key = cache.get_cache_key("index.html", None);
    assert_eq!(file_names(dir.path()), [format!("__test_{key}.cache")]);
    assert_eq!(
        cache.path_for_key(&key),
        dir.path().join(format!("__test_{key}.cache"))
    );
    assert_eq!(cache.pattern(), PATTERN);
    assert_eq!(cache.directory(), dir.path());
}

#[test]
fn stale_source_is_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path());
    store(&cache, "page.html", "version 1", b"code 1");
    assert_eq!(load(&cache, "page.html", "version 2"), None);
}

#[test]
fn entry_copied_to_another_key_is_a_miss_even_with_the_same_source() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path());
    store(&cache, "a.html", "same source", b"code of a");
    let a = cache.path_for_key(&cache.get_cache_key("a.html", None));
    let b = cache.path_for_key(&cache.get_cache_key("b.html", None));
    fs::copy(a, b).unwrap();
    assert_eq!(load(&cache, "b.html", "same source"), None);
}

#[test]
fn another_environment_is_a_miss_on_disk() {
    let lua54 = Engine("lua 5.4");
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path());
    let mut bucket = cache.get_bucket(&lua54, "s.lua", None, "src").unwrap();
    bucket.code = Some(b"code".to_vec());
    cache.set_bucket(&bucket).unwrap();
    assert!(
        cache
            .get_bucket(&lua54, "s.lua", None, "src")
            .unwrap()
            .code
            .is_some()
    );
    assert_eq!(load(&cache, "s.lua", "src"), None);
}

#[test]
fn garbage_and_empty_files_are_misses() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path());
    let path = cache.path_for_key(&cache.get_cache_key("t.html", None));
    for content in [
        &b""[..],
        b"x",
        b"not a cache entry at all",
        bccache::BC_MAGIC,
        &[0xff; 4096],
    ] {
        fs::write(&path, content).unwrap();
        assert_eq!(load(&cache, "t.html", "src"), None, "{content:?}");
    }
}

#[test]
fn truncated_entry_is_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path());
    store(&cache, "t.html", "src", &[7u8; 1000]);
    let path = cache.path_for_key(&cache.get_cache_key("t.html", None));
    let full = fs::read(&path).unwrap();
    for len in [full.len() - 1, full.len() - 9, full.len() / 2, 13, 0] {
        fs::write(&path, &full[..len]).unwrap();
        assert_eq!(load(&cache, "t.html", "src"), None, "cut at {len}");
    }
}

#[test]
fn flipped_bit_in_payload_is_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path());
    store(&cache, "t.html", "src", &[7u8; 1000]);
    let path = cache.path_for_key(&cache.get_cache_key("t.html", None));
    let mut bytes = fs::read(&path).unwrap();
    bytes[600] ^= 0x10;
    fs::write(&path, &bytes).unwrap();
    assert_eq!(load(&cache, "t.html", "src"), None);
}

#[test]
fn directory_in_place_of_an_entry_is_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path());
    fs::create_dir(cache.path_for_key(&cache.get_cache_key("t.html", None))).unwrap();
    assert_eq!(load(&cache, "t.html", "src"), None);
}

#[test]
fn unreadable_entry_is_a_miss() {
    if is_root() {
        return rerun_as_nobody("unreadable_entry_is_a_miss");
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path());
    store(&cache, "t.html", "src", b"code");
    let path = cache.path_for_key(&cache.get_cache_key("t.html", None));
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    assert!(
        fs::read(&path).is_err(),
        "the entry must really be unreadable"
    );
    assert_eq!(load(&cache, "t.html", "src"), None);
}

#[test]
fn dump_into_a_read_only_directory_is_an_error() {
    if is_root() {
        return rerun_as_nobody("dump_into_a_read_only_directory_is_an_error");
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path());
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o500)).unwrap();
    let mut bucket = cache.get_bucket(&(), "t.html", None, "src").unwrap();
    bucket.code = Some(b"code".to_vec());
    let err = cache.set_bucket(&bucket).unwrap_err();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
    assert!(
        matches!(&err, Error::Io { path, .. } if path == dir.path()),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&dir.path().display().to_string()),
        "{err}"
    );
    assert!(file_names(dir.path()).is_empty());
}

#[test]
fn dump_into_a_missing_directory_is_an_error_and_does_not_recreate_it() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("cache");
    let cache = cache_in(&dir);
    assert!(dir.is_dir(), "new() creates the directory");
    fs::remove_dir(&dir).unwrap();
    let mut bucket = cache.get_bucket(&(), "t.html", None, "src").unwrap();
    assert_eq!(bucket.code, None, "a missing directory is a miss on load");
    bucket.code = Some(b"code".to_vec());
    assert!(matches!(cache.set_bucket(&bucket), Err(Error::Io { .. })));
    assert!(!dir.exists());
}

#[test]
fn dump_of_an_empty_bucket_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path());
    let bucket = Bucket::new(&(), "k", "c");
    assert!(matches!(
        cache.dump_bytecode(&bucket),
        Err(Error::EmptyBucket { .. })
    ));
    assert!(file_names(dir.path()).is_empty());
}

#[test]
fn clear_removes_entries_and_temp_files_and_leaves_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path());
    store(&cache, "a.html", "a", b"a");
    store(&cache, "b.html", "b", b"b");
    let leftover_temp = ".__test_0123.cache.Ab12Cd.tmp";
    let foreign = [
        "__other_0123.cache",
        "__test_0123.cache.bak",
        "notes.txt",
        ".__other_0123.cache.Ab12Cd.tmp",
        "__jinja2_0123.cache",
    ];
    fs::write(dir.path().join(leftover_temp), b"partial").unwrap();
    for name in foreign {
        fs::write(dir.path().join(name), b"not ours").unwrap();
    }
    fs::create_dir(dir.path().join("__test_subdir.cache")).unwrap();

    cache.clear().unwrap();

    let mut expected: Vec<String> = foreign.iter().map(|s| s.to_string()).collect();
    expected.push("__test_subdir.cache".into());
    expected.sort();
    assert_eq!(file_names(dir.path()), expected);
    assert_eq!(load(&cache, "a.html", "a"), None);
}

#[test]
fn clear_on_a_missing_directory_is_an_error() {
    let parent = tempfile::tempdir().unwrap();
    let cache = cache_in(&parent.path().join("cache"));
    fs::remove_dir(parent.path().join("cache")).unwrap();
    assert!(matches!(cache.clear(), Err(Error::Io { .. })));
}

#[test]
fn invalid_patterns_are_rejected_naming_the_pattern() {
    let dir = tempfile::tempdir().unwrap();
    for pattern in [
        "",
        "no-placeholder.cache",
        "%s-%s.cache",
        "sub/%s.cache",
        ".hidden_%s",
    ] {
        let err = FileSystemBytecodeCache::new(dir.path(), pattern).unwrap_err();
        assert!(matches!(&err, Error::InvalidPattern { pattern: p, .. } if p == pattern));
        assert!(err.to_string().contains(pattern), "{err}");
    }
    assert!(FileSystemBytecodeCache::new(dir.path(), "%s").is_ok());
    assert!(FileSystemBytecodeCache::new(dir.path(), DEFAULT_PATTERN).is_ok());
}

#[test]
fn new_creates_a_missing_directory_with_parents() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("a/b/c");
    let cache = cache_in(&dir);
    store(&cache, "t.html", "src", b"code");
    assert_eq!(load(&cache, "t.html", "src").as_deref(), Some(&b"code"[..]));
}

/// Writers rewrite a few large entries while a reader decodes every file it finds: with a
/// non-atomic dump the reader would see a partial (or mixed) file and read it as a miss.
#[test]
fn readers_never_see_a_partial_entry_while_writers_rewrite_it() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Arc::new(cache_in(dir.path()));
    let names = ["a.html", "b.html", "c.html"];
    // Payloads of a few hundred KiB make a torn write likely if the dump were not atomic.
    let code_for = |name: &str, round: u32| -> Vec<u8> {
        let seed = format!("{name}/{round}");
        seed.bytes()
            .cycle()
            .take(300 * 1024 + round as usize)
            .collect()
    };
    for name in names {
        store(&*cache, name, "src", &code_for(name, 0));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + Duration::from_secs(3);

    let writers: Vec<_> = names
        .into_iter()
        .map(|name| {
            let (cache, stop) = (Arc::clone(&cache), Arc::clone(&stop));
            thread::spawn(move || {
                let mut round = 0;
                while round < 300 && !stop.load(Ordering::Relaxed) {
                    round += 1;
                    store(&*cache, name, "src", &code_for(name, round));
                }
                round
            })
        })
        .collect();

    let mut reads = 0u32;
    while reads < 3000 && Instant::now() < deadline {
        for name in names {
            let code = load(&*cache, name, "src")
                .unwrap_or_else(|| panic!("read a partial entry of {name} after {reads} reads"));
            let round = (code.len() - 300 * 1024) as u32;
            assert_eq!(code, code_for(name, round), "mixed entry of {name}");
            reads += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let rounds: u32 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    println!("{reads} whole reads while {rounds} rewrites ran; no partial entry seen");
    assert!(rounds > 0 && reads > 0);
    assert!(
        file_names(dir.path()).iter().all(|n| !n.ends_with(".tmp")),
        "no temp file is left behind"
    );
}
