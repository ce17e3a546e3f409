//! `S3BytecodeCache` against moto's S3 server on loopback, request signatures checked:
//! signing, prefixes, clear, big entries, anonymous reads, remote prune, dead servers.

mod support;

use std::time::Duration;

use bccache::upkeep::remote::RemoteCache;
use bccache::{BytecodeCache, Error, Lookup, S3BytecodeCache};
use support::fs::{load, store, store_key};
use support::memcached::{error_chain, within};
use support::s3::{BUCKET, MotoS3, OTHER_BUCKET};

const SOURCE: &str = "return 'hello'";

fn cache(moto: &MotoS3, bucket: &str, prefix: &str) -> S3BytecodeCache {
    S3BytecodeCache::builder()
        .bucket(bucket)
        .prefix(prefix)
        .endpoint(moto.endpoint())
        .region("us-east-1")
        .credentials(&moto.access_key, &moto.secret_key)
        .ignore_errors(false)
        .build()
        .expect("valid settings")
}

#[test]
fn signed_requests_round_trip_and_a_wrong_secret_is_refused() {
    let moto = MotoS3::start();
    let cache = cache(&moto, BUCKET, "app/");
    assert_eq!(load(&cache, "a.lua", SOURCE), None);
    let key = store_key(&cache, "a.lua", SOURCE, b"compiled a");
    assert_eq!(
        load(&cache, "a.lua", SOURCE).as_deref(),
        Some(&b"compiled a"[..])
    );
    assert_eq!(moto.objects(BUCKET).len(), 1);
    assert_eq!(moto.objects(BUCKET)[0].0, format!("app/{key}"));

    let wrong = S3BytecodeCache::builder()
        .bucket(BUCKET)
        .prefix("app/")
        .endpoint(moto.endpoint())
        .credentials(&moto.access_key, "not-the-secret")
        .ignore_errors(false)
        .build()
        .expect("valid settings");
    for result in [
        wrong.get_bucket(&(), "a.lua", None, SOURCE).map(|_| ()),
        store(&wrong, "b.lua", SOURCE, b"planted"),
    ] {
        match result {
            Err(error @ Error::S3 { .. }) => {
                let text = error_chain(&error);
                assert!(text.contains("403") && text.contains("Signature"), "{text}");
            }
            other => panic!("a wrong secret was accepted: {other:?}"),
        }
    }
    assert_eq!(moto.objects(BUCKET).len(), 1, "nothing planted");
}

#[test]
fn prefixes_isolate_and_clear_stays_in_its_prefix() {
    let moto = MotoS3::start();
    let one = cache(&moto, BUCKET, "one-");
    let two = cache(&moto, BUCKET, "two-");
    let elsewhere = cache(&moto, OTHER_BUCKET, "one-");
    store(&one, "a.lua", SOURCE, b"one").expect("store");
    store(&two, "a.lua", SOURCE, b"two").expect("store");
    store(&elsewhere, "a.lua", SOURCE, b"elsewhere").expect("store");
    assert_eq!(load(&one, "a.lua", SOURCE).as_deref(), Some(&b"one"[..]));
    assert_eq!(load(&two, "a.lua", SOURCE).as_deref(), Some(&b"two"[..]));
    // An object of a non-entry name inside the prefix stays too.
    let planted = cache(&moto, BUCKET, "one-not-an-entry-");
    store(&planted, "x", SOURCE, b"kept").expect("store");
    one.clear().expect("clear");
    assert_eq!(load(&one, "a.lua", SOURCE), None);
    assert_eq!(load(&two, "a.lua", SOURCE).as_deref(), Some(&b"two"[..]));
    assert_eq!(
        load(&elsewhere, "a.lua", SOURCE).as_deref(),
        Some(&b"elsewhere"[..])
    );
    let names: Vec<String> = moto.objects(BUCKET).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("one-not-an-entry-")));
}

#[test]
fn twenty_megabyte_entries_round_trip() {
    let moto = MotoS3::start();
    let cache = cache(&moto, BUCKET, "big/");
    let code: Vec<u8> = (0..20 * 1024 * 1024u32).map(|n| (n % 251) as u8).collect();
    store(&cache, "big.wasm", SOURCE, &code).expect("store 20 MB");
    assert_eq!(load(&cache, "big.wasm", SOURCE), Some(code));
    let size = moto.objects(BUCKET)[0].1;
    assert!(size > 20 * 1024 * 1024, "{size}");
}

#[test]
fn a_corrupted_object_is_a_miss() {
    let moto = MotoS3::start();
    let cache = cache(&moto, BUCKET, "c/");
    let key = store_key(&cache, "a.lua", SOURCE, b"the code of a");
    let object = format!("c/{key}");
    let good = moto.get_raw(BUCKET, &object);
    let mut flipped = good.clone();
    let in_code = flipped.len() - 10;
    flipped[in_code] ^= 1;
    for bad in [
        flipped,
        good[..good.len() - 3].to_vec(),
        b"garbage".to_vec(),
    ] {
        moto.put_raw(BUCKET, &object, &bad);
        assert_eq!(load(&cache, "a.lua", SOURCE), None);
    }
    assert_eq!(cache.stats().expect("counts").rejected, 3);
}

#[test]
fn a_hit_copies_an_old_entry_onto_itself_and_leaves_a_young_one() {
    let moto = MotoS3::start();
    let cache = cache(&moto, BUCKET, "touch-");
    let key = store_key(&cache, "a.lua", SOURCE, b"code");
    let object = format!("touch-{key}");
    let stored = moto.last_modified(BUCKET, &object);
    let bytes = moto.get_raw(BUCKET, &object);
    assert!(!stored.is_empty());
    // LastModified has a resolution of a second.
    std::thread::sleep(Duration::from_millis(1100));
    assert!(load(&cache, "a.lua", SOURCE).is_some());
    assert_eq!(
        moto.last_modified(BUCKET, &object),
        stored,
        "younger than a day"
    );
    let eager = S3BytecodeCache::builder()
        .bucket(BUCKET)
        .prefix("touch-")
        .endpoint(moto.endpoint())
        .credentials(&moto.access_key, &moto.secret_key)
        .refresh_after(Duration::ZERO)
        .ignore_errors(false)
        .build()
        .expect("valid");
    assert!(load(&eager, "a.lua", SOURCE).is_some());
    assert!(
        moto.last_modified(BUCKET, &object) > stored,
        "copied onto itself"
    );
    assert_eq!(moto.get_raw(BUCKET, &object), bytes, "the same bytes");
    assert_eq!(eager.stats().expect("counts").errors, 0);
}

#[test]
fn anonymous_reads_a_public_bucket_and_never_writes() {
    let moto = MotoS3::start_open();
    let writer = cache(&moto, BUCKET, "pub/");
    store(&writer, "a.lua", SOURCE, b"public code").expect("seed");
    let reader = S3BytecodeCache::builder()
        .bucket(BUCKET)
        .prefix("pub/")
        .endpoint(moto.endpoint())
        .anonymous()
        .ignore_errors(false)
        .build()
        .expect("valid");
    assert_eq!(
        load(&reader, "a.lua", SOURCE).as_deref(),
        Some(&b"public code"[..])
    );
    store(&reader, "b.lua", SOURCE, b"x").expect("an anonymous dump does nothing");
    reader.clear().expect("an anonymous clear does nothing");
    assert_eq!(moto.objects(BUCKET).len(), 1);
}

#[test]
fn a_dead_endpoint_is_a_miss_or_an_error_within_the_timeout() {
    let silent =
        support::hostile_server::HostileServer::start(support::hostile_server::Script::Silence);
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    for port in [closed, silent.port()] {
        for ignore in [true, false] {
            let cache = S3BytecodeCache::builder()
                .bucket(BUCKET)
                .endpoint(format!("http://127.0.0.1:{port}"))
                .credentials("AKID", "secret")
                .timeout(Duration::from_millis(300))
                .ignore_errors(ignore)
                .build()
                .expect("valid");
            let (result, took) = within(Duration::from_secs(5), move || {
                cache.get_bucket(&(), "a.lua", None, SOURCE).map(|b| b.code)
            });
            match (ignore, result) {
                (true, Ok(None)) | (false, Err(Error::S3 { .. })) => {}
                (_, other) => panic!("port {port}, ignore {ignore}: {other:?}"),
            }
            assert!(took < Duration::from_secs(2), "{took:?}");
        }
    }
}

#[test]
fn batches_load_in_parallel() {
    let moto = MotoS3::start();
    let cache = cache(&moto, BUCKET, "batch/");
    let names: Vec<String> = (0..12).map(|n| format!("t{n}.lua")).collect();
    for name in names.iter().step_by(3) {
        store(&cache, name, SOURCE, name.as_bytes()).expect("store");
    }
    let lookups: Vec<Lookup<'_>> = names.iter().map(|n| Lookup::new(n, SOURCE)).collect();
    let buckets = cache.get_buckets(&(), &lookups).expect("batch");
    for (n, bucket) in buckets.iter().enumerate() {
        let expected = (n % 3 == 0).then(|| names[n].as_bytes().to_vec());
        assert_eq!(bucket.code, expected);
    }
}

fn with_keys<T>(moto: &MotoS3, run: impl FnOnce() -> T) -> T {
    // Remote upkeep reads credentials from the environment, as the command does.
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _held = LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // SAFETY: no other thread of this test binary reads or writes the environment: the
    // tests that set it hold LOCK, and the others never touch it.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", &moto.access_key);
        std::env::set_var("AWS_SECRET_ACCESS_KEY", &moto.secret_key);
    }
    run()
}

#[test]
fn remote_prune_by_size_removes_the_least_recently_used_first() {
    let moto = MotoS3::start();
    let cache = cache(&moto, BUCKET, "lru-");
    for n in 0..4 {
        store(&cache, &format!("t{n}.lua"), SOURCE, &vec![b'x'; 10_000]).expect("store");
        // LastModified has a resolution of a second.
        std::thread::sleep(Duration::from_millis(1100));
    }
    let report = with_keys(&moto, || {
        let remote = RemoteCache::open(&moto.location(BUCKET, "lru-")).expect("open");
        let scan = remote.scan(&mut |_| {}).expect("scan");
        assert_eq!(scan.patterns[0].entries, 4);
        remote
            .prune(None, Some(25_000), &mut |_| {})
            .expect("prune")
    });
    assert_eq!((report.entries_removed, report.entries_kept), (2, 2));
    assert_eq!(load(&cache, "t0.lua", SOURCE), None);
    assert_eq!(load(&cache, "t1.lua", SOURCE), None);
    assert!(load(&cache, "t2.lua", SOURCE).is_some());
    assert!(load(&cache, "t3.lua", SOURCE).is_some());
}

#[test]
fn remote_prune_by_age_keeps_what_is_younger() {
    let moto = MotoS3::start();
    let cache = cache(&moto, BUCKET, "age-");
    store(&cache, "a.lua", SOURCE, b"a").expect("store");
    let (young, all) = with_keys(&moto, || {
        let remote = RemoteCache::open(&moto.location(BUCKET, "age-")).expect("open");
        let young = remote
            .prune(Some(Duration::from_secs(3600)), None, &mut |_| {})
            .expect("prune");
        std::thread::sleep(Duration::from_millis(1100));
        let all = remote
            .prune(Some(Duration::from_millis(500)), None, &mut |_| {})
            .expect("prune");
        (young, all)
    });
    assert_eq!((young.entries_removed, young.entries_kept), (0, 1));
    assert_eq!(all.entries_removed, 1);
    assert!(moto.objects(BUCKET).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_api_round_trips() {
    use bccache::AsyncBytecodeCache;
    let moto = MotoS3::start();
    let cache: Box<dyn AsyncBytecodeCache> = Box::new(cache(&moto, BUCKET, "async/"));
    let mut bucket = cache
        .get_bucket(&(), "a.lua", None, SOURCE)
        .await
        .expect("get");
    bucket.code = Some(b"async".to_vec());
    cache.set_bucket(&bucket).await.expect("set");
    let again = cache
        .get_bucket(&(), "a.lua", None, SOURCE)
        .await
        .expect("get");
    assert_eq!(again.code.as_deref(), Some(&b"async"[..]));
}

#[test]
fn parallel_upkeep_of_hundreds_of_s3_entries_keeps_the_rules_of_one_at_a_time() {
    let moto = MotoS3::start();
    let cache = cache(&moto, BUCKET, "many-");
    // Three generations of 60, over a second apart (LastModified has a resolution of a second).
    let mut generations: Vec<Vec<String>> = Vec::new();
    for generation in 0..3 {
        if generation > 0 {
            std::thread::sleep(Duration::from_millis(1100));
        }
        let names = (0..60)
            .map(|n| {
                let code = vec![n as u8; 300 + n];
                let key = store_key(&cache, &format!("g{generation}/t{n}.lua"), SOURCE, &code);
                format!("many-{key}")
            })
            .collect();
        generations.push(names);
    }
    // Newest, and last in the listing among its second's objects: `f...` sorts last.
    let foreign = format!("many-{}", "f".repeat(40));
    moto.put_raw(BUCKET, &foreign, b"an entry's name, not an entry");
    let corrupt = generations[2].remove(0);
    let mut bytes = moto.get_raw(BUCKET, &corrupt);
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    moto.put_raw(BUCKET, &corrupt, &bytes);
    let location = moto.location(BUCKET, "many-");
    let (remote, one) = with_keys(&moto, || {
        let remote = RemoteCache::open(&location).expect("open");
        let one = RemoteCache::open(&location).expect("open");
        (remote, one.parallel_requests(1))
    });

    let mut calls = Vec::new();
    let verify = remote.verify(&mut |n| calls.push(n)).expect("verify");
    assert_eq!(calls, vec![100]);
    assert_eq!(
        (
            verify.entries_checked,
            verify.entries_kept,
            verify.foreign_kept
        ),
        (181, 179, 1)
    );
    assert_eq!((verify.corrupt_found, verify.corrupt_removed), (1, 1));
    assert_eq!(verify.corrupt, vec![std::path::PathBuf::from(&corrupt)]);
    assert!(verify.unreadable.is_empty(), "{:?}", verify.unreadable);
    let again = one.verify(&mut |_| {}).expect("verify");
    assert_eq!(
        (
            again.entries_checked,
            again.entries_kept,
            again.foreign_kept
        ),
        (180, 179, 1)
    );

    let sizes: std::collections::HashMap<String, u64> = moto.objects(BUCKET).into_iter().collect();
    let size_of = |names: &[String]| names.iter().map(|n| sizes[n]).sum::<u64>();
    let names = |moto: &MotoS3| -> Vec<String> {
        let mut names: Vec<String> = moto.objects(BUCKET).into_iter().map(|(n, _)| n).collect();
        names.sort();
        names
    };
    // Bounded by size, the oldest generation goes first, whole, then the next.
    for (generation, expected_removed) in [(0, 60), (1, 60)] {
        let keep: Vec<String> = generations[generation + 1..].concat();
        let max = size_of(&keep) + sizes[&foreign];
        let pruned = remote
            .prune(None, Some(max), &mut |_| {})
            .expect("prune by size");
        assert_eq!(pruned.entries_removed, expected_removed);
        assert_eq!(pruned.bytes_kept, max);
        let mut expected = keep;
        expected.push(foreign.clone());
        expected.sort();
        assert_eq!(names(&moto), expected, "after generation {generation}");
    }

    let cleared = remote.clear(&mut |_| {}).expect("clear");
    assert_eq!(cleared.entries_removed, 59);
    assert_eq!(names(&moto), vec![foreign]);
}

#[test]
fn a_server_stopped_mid_way_fails_a_parallel_s3_clear_without_hanging() {
    let moto = MotoS3::start();
    let cache = cache(&moto, BUCKET, "stop-");
    for n in 0..150 {
        store(&cache, &format!("t{n}.lua"), SOURCE, b"code").expect("store");
    }
    let location = moto.location(BUCKET, "stop-");
    let remote = with_keys(&moto, || RemoteCache::open(&location).expect("open"));
    let (result, took) = within(Duration::from_secs(60), move || {
        let mut moto = moto;
        remote.clear(&mut |n| {
            if n == 100 {
                moto.stop();
            }
        })
    });
    assert!(took < Duration::from_secs(30), "{took:?}");
    let error = result.expect_err("the server stopped");
    let text = error_chain(&error);
    assert!(text.contains("s3://bccache-test/stop-"), "{text}");
}
