//! `HttpBytecodeCache` against a real nginx (WebDAV, dav-ext) on loopback: layouts, corrupt
//! objects, read-only mode, dead and hostile servers, clear, batches, tiers and wrappers.

mod support;

use std::time::{Duration, SystemTime};

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
