//! `HttpBytecodeCache` against a real nginx (WebDAV, dav-ext) on loopback: layouts, corrupt
//! objects, read-only mode, dead and hostile servers, clear, batches, tiers and wrappers.

mod support;

use std::time::{Duration, SystemTime};

use bccache::upkeep::remote::RemoteCache;
use bccache::{
    BytecodeCache, Compressed, Error, HttpBytecodeCache, HttpLayout, Lookup, MemoryBytecodeCache,
    Signed, TieredBytecodeCache,
};
use support::fs::{load, store, store_key};
use support::hostile_server::{HostileServer, Script};
use support::memcached::{error_chain, within};
use support::nginx::{Nginx, TOKEN};

const SOURCE: &str = "return 'hello'";

fn cache(url: &str, layout: HttpLayout) -> HttpBytecodeCache {
    HttpBytecodeCache::builder()
        .url(url)
        .layout(layout)
        .build()
        .expect("a valid URL")
}

#[test]
fn every_layout_round_trips_and_lands_where_the_layout_says() {
    let nginx = Nginx::start();
    for (layout, dir) in [
        (HttpLayout::Flat, "flat"),
        (HttpLayout::Subdirs, "subdirs"),
        (HttpLayout::Bazel, "bazel"),
    ] {
        let cache = cache(&nginx.url(&format!("/{dir}/")), layout);
        assert_eq!(load(&cache, "a.lua", SOURCE), None);
        let key = store_key(&cache, "a.lua", SOURCE, b"compiled a");
        assert_eq!(
            load(&cache, "a.lua", SOURCE).as_deref(),
            Some(&b"compiled a"[..])
        );
        let expected = match layout {
            HttpLayout::Flat => format!("{dir}/{key}"),
            HttpLayout::Subdirs => format!("{dir}/{}/{}", &key[..2], &key[2..]),
            _ => format!("{dir}/ac/{key}{}", &key[..24]),
        };
        let files: Vec<String> = nginx
            .files()
            .into_iter()
            .filter(|f| f.starts_with(dir))
            .collect();
        assert_eq!(files, vec![expected.clone()], "{layout:?}");
        let bytes = std::fs::read(nginx.root().join(&expected)).expect("the entry's file");
        assert!(bytes.starts_with(bccache::BC_MAGIC));
        let stats = cache.stats().expect("counts");
        assert_eq!((stats.misses, stats.stores, stats.hits), (2, 1, 1));
    }
}

#[test]
fn a_corrupted_object_is_a_miss() {
    let nginx = Nginx::start();
    let cache = cache(&nginx.url("/c/"), HttpLayout::Flat);
    let key = store_key(&cache, "a.lua", SOURCE, b"compiled a");
    let path = nginx.root().join("c").join(&key);
    let good = std::fs::read(&path).expect("the entry");
    let mut flipped = good.clone();
    // A byte of the code (just before the 8-byte trailer).
    let in_code = flipped.len() - 10;
    flipped[in_code] ^= 0x40;
    for bad in [
        flipped,
        good[..good.len() - 3].to_vec(),
        b"garbage".to_vec(),
    ] {
        std::fs::write(&path, &bad).expect("corrupt the entry");
        assert_eq!(load(&cache, "a.lua", SOURCE), None);
    }
    assert_eq!(cache.stats().expect("counts").rejected, 3);
    // Another key's entry at this key's path (a misplaced object): a miss too.
    let other = store_key(&cache, "b.lua", SOURCE, b"compiled b");
    std::fs::copy(nginx.root().join("c").join(other), &path).expect("copy");
    assert_eq!(load(&cache, "a.lua", SOURCE), None);
}

#[test]
fn read_only_never_writes() {
    let nginx = Nginx::start();
    let writer = cache(&nginx.url("/ro/"), HttpLayout::Subdirs);
    store(&writer, "a.lua", SOURCE, b"seeded").expect("seed");
    let before = nginx.files();
    let reader = HttpBytecodeCache::builder()
        .url(nginx.url("/ro/"))
        .read_only(true)
        .ignore_errors(false)
        .build()
        .expect("valid");
    assert_eq!(
        load(&reader, "a.lua", SOURCE).as_deref(),
        Some(&b"seeded"[..])
    );
    store(&reader, "b.lua", SOURCE, b"not written").expect("a read-only dump is Ok");
    reader.clear().expect("a read-only clear is Ok");
    assert_eq!(nginx.files(), before);
    let writes = nginx
        .access_log()
        .iter()
        .filter(|line| line.contains("\"PUT ") || line.contains("\"DELETE "))
        .count();
    assert_eq!(writes, 1, "only the seeding PUT: {:?}", nginx.access_log());
}

#[test]
fn a_dead_server_is_a_miss_or_an_error_within_the_timeout() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let silent = HostileServer::start(Script::Silence);
    for port in [closed, silent.port()] {
        let url = format!("http://127.0.0.1:{port}/c/");
        let lenient = HttpBytecodeCache::builder()
            .url(&url)
            .timeout(Duration::from_millis(300))
            .build()
            .expect("valid");
        let (code, took) = within(Duration::from_secs(5), move || {
            load(&lenient, "a.lua", SOURCE)
        });
        assert_eq!(code, None);
        assert!(took < Duration::from_secs(2), "{took:?}");
        let strict = HttpBytecodeCache::builder()
            .url(&url)
            .timeout(Duration::from_millis(300))
            .ignore_errors(false)
            .build()
            .expect("valid");
        let (result, took) = within(Duration::from_secs(5), move || {
            strict
                .get_bucket(&(), "a.lua", None, SOURCE)
                .map(|b| b.code)
        });
        match result {
            Err(error @ Error::Http { .. }) => {
                assert!(error_chain(&error).contains(&format!("127.0.0.1:{port}")))
            }
            other => panic!("{other:?}"),
        }
        assert!(took < Duration::from_secs(2), "{took:?}");
    }
}

#[test]
fn hostile_replies_are_misses_never_panics_or_huge_allocations() {
    let replies: [&[u8]; 5] = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 1099511627776\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
        b"this is not HTTP at all\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\ngarbage",
    ];
    for reply in replies {
        let server = HostileServer::start(Script::Reply(reply.to_vec()));
        let cache = HttpBytecodeCache::builder()
            .url(format!("http://127.0.0.1:{}/c/", server.port()))
            .timeout(Duration::from_millis(300))
            .max_entry_size(1 << 20)
            .build()
            .expect("valid");
        let (code, _) = within(Duration::from_secs(5), move || {
            load(&cache, "a.lua", SOURCE)
        });
        assert_eq!(code, None, "{}", String::from_utf8_lossy(reply));
    }
    let endless = HostileServer::start(Script::Endless(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec(),
        b'1',
    ));
    let cache = HttpBytecodeCache::builder()
        .url(format!("http://127.0.0.1:{}/c/", endless.port()))
        .timeout(Duration::from_millis(500))
        .build()
        .expect("valid");
    let (code, _) = within(Duration::from_secs(5), move || {
        load(&cache, "a.lua", SOURCE)
    });
    assert_eq!(code, None);
}

#[test]
fn bearer_tokens_and_headers_reach_the_server() {
    let nginx = Nginx::start();
    let without = HttpBytecodeCache::builder()
        .url(nginx.url("/auth/"))
        .ignore_errors(false)
        .build()
        .expect("valid");
    match store(&without, "a.lua", SOURCE, b"x") {
        Err(error) => assert!(error_chain(&error).contains("401"), "{error}"),
        Ok(()) => panic!("nginx let an unauthenticated PUT through"),
    }
    let with = HttpBytecodeCache::builder()
        .url(nginx.url("/auth/"))
        .bearer_token(TOKEN)
        .header("X-Team", "templates")
        .ignore_errors(false)
        .build()
        .expect("valid");
    store(&with, "a.lua", SOURCE, b"authorised").expect("store");
    assert_eq!(
        load(&with, "a.lua", SOURCE).as_deref(),
        Some(&b"authorised"[..])
    );
}

#[test]
fn clear_deletes_only_what_this_store_wrote() {
    let nginx = Nginx::start();
    let cache = cache(&nginx.url("/shared/"), HttpLayout::Subdirs);
    for n in 0..5 {
        store(&cache, &format!("t{n}.lua"), SOURCE, b"code").expect("store");
    }
    let other_store = cache_with_prefix(&nginx, "/shared/other/");
    store(&other_store, "x.lua", SOURCE, b"theirs").expect("store");
    let root = nginx.root().join("shared");
    std::fs::write(root.join("README"), "not an entry").expect("write");
    std::fs::create_dir_all(root.join("ab")).expect("mkdir");
    let foreign = format!("ab/{}", "c".repeat(38));
    std::fs::write(root.join(&foreign), "an entry's name, not an entry").expect("write");
    cache.clear().expect("clear");
    let mut left = nginx.files();
    left.retain(|f| f.starts_with("shared/"));
    assert_eq!(left.len(), 3, "{left:?}");
    assert!(left.contains(&"shared/README".to_owned()));
    assert!(left.contains(&format!("shared/{foreign}")));
    assert_eq!(
        load(&other_store, "x.lua", SOURCE).as_deref(),
        Some(&b"theirs"[..])
    );
}

fn cache_with_prefix(nginx: &Nginx, path: &str) -> HttpBytecodeCache {
    cache(&nginx.url(path), HttpLayout::Flat)
}

#[test]
fn clear_without_propfind_is_a_clear_error() {
    let nginx = Nginx::start();
    let cache = HttpBytecodeCache::builder()
        .url(nginx.url("/nodav/"))
        .build()
        .expect("valid");
    store(&cache, "a.lua", SOURCE, b"code").expect("store");
    match cache.clear() {
        Err(error) => {
            let text = error_chain(&error);
            assert!(text.contains("PROPFIND") && text.contains("405"), "{text}");
        }
        Ok(()) => panic!("clear without PROPFIND succeeded"),
    }
}

#[test]
fn a_hit_refreshes_an_entry_older_than_a_day_and_only_then() {
    let nginx = Nginx::start();
    let cache = cache(&nginx.url("/r/"), HttpLayout::Flat);
    let key = store_key(&cache, "a.lua", SOURCE, b"code");
    let path = nginx.root().join("r").join(&key);
    let set_age = |age: Duration| {
        let file = std::fs::File::options()
            .write(true)
            .open(&path)
            .expect("open");
        file.set_modified(SystemTime::now() - age)
            .expect("set mtime");
    };
    let age = || {
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .expect("mtime");
        SystemTime::now()
            .duration_since(modified)
            .unwrap_or_default()
    };
    set_age(Duration::from_secs(3600));
    assert!(load(&cache, "a.lua", SOURCE).is_some());
    assert!(age() > Duration::from_secs(3000), "refreshed within a day");
    set_age(Duration::from_secs(3 * 24 * 3600));
    assert!(load(&cache, "a.lua", SOURCE).is_some());
    assert!(
        age() < Duration::from_secs(60),
        "not refreshed: {:?}",
        age()
    );
}

#[test]
fn batches_load_in_parallel_and_check_every_entry() {
    let nginx = Nginx::start();
    let cache = cache(&nginx.url("/batch/"), HttpLayout::Subdirs);
    let names: Vec<String> = (0..24).map(|n| format!("t{n}.lua")).collect();
    for name in names.iter().step_by(2) {
        store(&cache, name, SOURCE, name.as_bytes()).expect("store");
    }
    let lookups: Vec<Lookup<'_>> = names.iter().map(|n| Lookup::new(n, SOURCE)).collect();
    let buckets = cache.get_buckets(&(), &lookups).expect("batch");
    for (n, bucket) in buckets.iter().enumerate() {
        let expected = (n % 2 == 0).then(|| names[n].as_bytes().to_vec());
        assert_eq!(bucket.code, expected, "{}", names[n]);
    }
}

#[test]
fn a_tier_under_memory_and_inside_compressed_and_signed() {
    let nginx = Nginx::start();
    let remote = cache(&nginx.url("/tier/"), HttpLayout::Flat);
    let key = [7u8; 32];
    let wrapped = Compressed::new(Signed::new(remote, &key).expect("key"), 3).expect("level");
    let tiers = TieredBytecodeCache::new(vec![
        Box::new(MemoryBytecodeCache::new(1 << 20)),
        Box::new(wrapped),
    ]);
    let code = vec![b'x'; 100_000];
    store(&tiers, "a.lua", SOURCE, &code).expect("store");
    let fresh = TieredBytecodeCache::new(vec![
        Box::new(MemoryBytecodeCache::new(1 << 20)),
        Box::new(
            Compressed::new(
                Signed::new(cache(&nginx.url("/tier/"), HttpLayout::Flat), &key).expect("key"),
                3,
            )
            .expect("level"),
        ),
    ]);
    assert_eq!(load(&fresh, "a.lua", SOURCE), Some(code));
    let file = nginx.files().into_iter().find(|f| f.starts_with("tier/"));
    let size = std::fs::metadata(nginx.root().join(file.expect("an entry"))).map(|m| m.len());
    assert!(size.expect("size") < 10_000, "compressed on the server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_api_round_trips() {
    use bccache::AsyncBytecodeCache;
    let nginx = Nginx::start();
    let cache: Box<dyn AsyncBytecodeCache> =
        Box::new(cache(&nginx.url("/async/"), HttpLayout::Bazel));
    let mut bucket = cache
        .get_bucket(&(), "a.lua", None, SOURCE)
        .await
        .expect("get");
    assert!(bucket.code.is_none());
    bucket.code = Some(b"async code".to_vec());
    cache.set_bucket(&bucket).await.expect("set");
    let again = cache
        .get_bucket(&(), "a.lua", None, SOURCE)
        .await
        .expect("get");
    assert_eq!(again.code.as_deref(), Some(&b"async code"[..]));
    assert_eq!(cache.stats().await.map(|s| s.hits), Some(1));
}

/// A derived cache with an HTTP tier: built from the attribute, the memory tier in front, a
/// dead server behind it a miss (errors ignored), never an error.
#[derive(bccache::BytecodeCache)]
#[cache(memory = "1 MiB", http = "http://127.0.0.1:9/derived/")]
struct DerivedWithHttp;

#[test]
fn a_derived_cache_takes_an_http_tier() {
    let cache = DerivedWithHttp;
    assert_eq!(load(&cache, "a.lua", SOURCE), None);
    store(&cache, "a.lua", SOURCE, b"derived").expect("a failed http store is dropped");
    assert_eq!(
        load(&cache, "a.lua", SOURCE).as_deref(),
        Some(&b"derived"[..])
    );
    let tiers = cache.stats();
    assert!(tiers.is_some());
}

/// Fills `path` (flat layout) with `count` entries of different sizes, each modified 10 s after
/// the one before (the first 10,000 s ago), and returns their keys, oldest first.
fn fill_dated(nginx: &Nginx, path: &str, count: usize) -> Vec<String> {
    let cache = cache(&nginx.url(path), HttpLayout::Flat);
    let now = SystemTime::now();
    (0..count)
        .map(|n| {
            let code = vec![n as u8; 200 + n];
            let key = store_key(&cache, &format!("t{n}.lua"), SOURCE, &code);
            let file = nginx.root().join(path.trim_matches('/')).join(&key);
            let at = now - Duration::from_secs(10_000 - 10 * n as u64);
            std::fs::File::options()
                .write(true)
                .open(&file)
                .and_then(|f| f.set_modified(at))
                .expect("backdate an entry");
            key
        })
        .collect()
}

/// The distinct connections that carried the `GET`s of one upkeep command among `served`: its
/// listing's `PROPFIND` is on its first connection, and a late logged request of a command
/// before came on an older one (nginx numbers connections as they open).
fn connections(served: &[support::nginx::Served]) -> usize {
    let first = served
        .iter()
        .find(|s| s.method == "PROPFIND")
        .map_or(0, |s| s.connection);
    let mut ids: Vec<u64> = served
        .iter()
        .filter(|s| s.method == "GET" && s.connection >= first)
        .map(|s| s.connection)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

#[test]
fn parallel_upkeep_of_hundreds_of_entries_keeps_the_rules_of_one_at_a_time() {
    let nginx = Nginx::start();
    let keys = fill_dated(&nginx, "/many/", 300);
    let dir = nginx.root().join("many");
    let size = |key: &String| std::fs::metadata(dir.join(key)).map_or(0, |m| m.len());
    std::fs::write(dir.join("f".repeat(40)), "an entry's name, not an entry").expect("plant");
    std::fs::write(dir.join("README"), "not an entry's name").expect("plant");
    let corrupt = dir.join(&keys[5]);
    let mut bytes = std::fs::read(&corrupt).expect("an entry");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&corrupt, bytes).expect("corrupt it");
    let remote = RemoteCache::open(&format!("{}?layout=flat", nginx.url("/many/"))).expect("open");
    assert_eq!(remote.requests_in_flight(), 8);

    // Progress comes on the caller's thread, in order.
    let caller = std::thread::current().id();
    let mut calls = Vec::new();
    let before = nginx.requests().len();
    let verify = remote
        .verify(&mut |n| {
            assert_eq!(std::thread::current().id(), caller);
            calls.push(n);
        })
        .expect("verify");
    assert_eq!(calls, vec![100, 200, 300]);
    assert_eq!(
        (
            verify.entries_checked,
            verify.entries_kept,
            verify.foreign_kept
        ),
        (301, 299, 1)
    );
    assert_eq!((verify.corrupt_found, verify.corrupt_removed), (1, 1));
    assert_eq!(verify.corrupt, vec![std::path::PathBuf::from(&keys[5])]);
    assert!(verify.unreadable.is_empty(), "{:?}", verify.unreadable);
    assert!(!corrupt.exists());
    // Several of the store's connections carried the reads at once, never more than 8.
    let parallel = connections(&nginx.requests()[before..]);
    assert!((2..=8).contains(&parallel), "{parallel} connections");

    // One at a time: one connection, and the same verdicts on what is left.
    let before = nginx.requests().len();
    let one = RemoteCache::open(&format!("{}?layout=flat", nginx.url("/many/")))
        .expect("open")
        .parallel_requests(1);
    let again = one.verify(&mut |_| {}).expect("verify");
    assert_eq!(connections(&nginx.requests()[before..]), 1);
    assert_eq!(
        (
            again.entries_checked,
            again.entries_kept,
            again.foreign_kept
        ),
        (300, 299, 1)
    );
    assert_eq!(again.corrupt_found, 0);

    // By age: the 50 oldest (less the corrupt one, gone already).
    let aged = remote
        .prune(Some(Duration::from_secs(9_505)), None, &mut |_| {})
        .expect("prune by age");
    assert_eq!((aged.entries_removed, aged.entries_kept), (49, 251));
    // By size: the least recently modified go until the rest fits, here keys 50..200.
    let planted = size(&"f".repeat(40));
    let max = keys[200..].iter().map(size).sum::<u64>() + planted;
    let bounded = remote
        .prune(None, Some(max), &mut |_| {})
        .expect("prune by size");
    assert_eq!((bounded.entries_removed, bounded.entries_kept), (150, 101));
    assert_eq!(bounded.bytes_kept, max);
    let mut expected: Vec<String> = keys[200..].iter().map(|k| format!("many/{k}")).collect();
    expected.push(format!("many/{}", "f".repeat(40)));
    expected.push("many/README".to_owned());
    expected.sort();
    assert_eq!(nginx.files(), expected);

    let cleared = remote.clear(&mut |_| {}).expect("clear");
    assert_eq!(cleared.entries_removed, 100);
    assert_eq!(
        nginx.files(),
        vec!["many/README".to_owned(), format!("many/{}", "f".repeat(40))]
    );
}

#[test]
fn a_server_stopped_mid_way_leaves_verify_unreadable_and_fails_clear_without_hanging() {
    for clearing in [false, true] {
        let nginx = Nginx::start();
        fill_dated(&nginx, "/stop/", 300);
        let location = format!("{}?layout=flat", nginx.url("/stop/"));
        let ((result, nginx), took) = within(Duration::from_secs(60), move || {
            let mut nginx = nginx;
            let remote = RemoteCache::open(&location).expect("open");
            let mut stop_at_100 = |n: u64| {
                if n == 100 {
                    nginx.stop();
                }
            };
            // (entries checked or removed, entries unreadable)
            let result = if clearing {
                remote
                    .clear(&mut stop_at_100)
                    .map(|r| (r.entries_removed, 0))
            } else {
                remote
                    .verify(&mut stop_at_100)
                    .map(|r| (r.entries_checked, r.unreadable.len() as u64))
            };
            (result, nginx)
        });
        assert!(took < Duration::from_secs(30), "{took:?}");
        let left = nginx.files().len();
        match (clearing, result) {
            (true, Err(error)) => {
                let text = error_chain(&error);
                assert!(text.contains(&nginx.url("/stop/")), "{text}");
                assert!((1..=200).contains(&left), "{left} left");
            }
            // Every entry is either checked or reported unreadable, as one at a time.
            (false, Ok((checked, unreadable))) => {
                assert_eq!(unreadable + checked, 300);
                assert!(checked >= 100 && unreadable > 0, "{checked} {unreadable}");
                assert_eq!(left, 300);
            }
            (clearing, other) => panic!("clearing {clearing}: {other:?}"),
        }
    }
}

#[test]
fn refused_deletes_fail_a_parallel_clear_after_every_entry_is_tried_and_verify_reports_them() {
    let nginx = Nginx::start();
    let keys = fill_dated(&nginx, "/nodelete/", 300);
    let corrupt = nginx.root().join("nodelete").join(&keys[7]);
    let mut bytes = std::fs::read(&corrupt).expect("an entry");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&corrupt, bytes).expect("corrupt it");
    let location = format!("{}?layout=flat", nginx.url("/nodelete/"));
    let remote = RemoteCache::open(&location).expect("open");

    let verify = remote.verify(&mut |_| {}).expect("verify");
    assert_eq!((verify.corrupt_found, verify.corrupt_removed), (1, 0));
    assert_eq!(verify.unreadable, vec![std::path::PathBuf::from(&keys[7])]);
    assert_eq!(verify.entries_checked, 300);

    let before = nginx.requests().len();
    let error = remote.clear(&mut |_| {}).expect_err("deletes are refused");
    let text = error_chain(&error);
    assert!(
        text.contains("403") && text.contains("/nodelete/"),
        "{text}"
    );
    // A refusal stops nothing: every entry's DELETE is tried, and each is refused.
    let is_delete = |s: &&support::nginx::Served| s.method == "DELETE";
    let served = nginx.requests_since(before, |s| s.iter().filter(|s| is_delete(s)).count() >= 300);
    let deletes: Vec<_> = served.iter().filter(is_delete).collect();
    assert_eq!(deletes.len(), 300);
    assert!(deletes.iter().all(|s| s.status == 403));
    assert_eq!(nginx.files().len(), 300);
}
