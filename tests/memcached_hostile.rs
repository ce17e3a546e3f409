//! `MemcachedBytecodeCache` built from a URL against a hostile server: every malformed reply is
//! a miss (errors ignored) or an error (errors returned) within the I/O timeout, never a hit,
//! a panic, a hang or a huge allocation. Only 127.0.0.1 traffic, bounded in time.

mod support;

use std::time::Duration;

use bccache::{BytecodeCache, Error, MemcachedBytecodeCache};
use support::hostile_server::{HostileServer, Script};
use support::memcached::{error_chain, within};

const SOURCE: &str = "{{ greeting }}, {{ name }}!";
const NAME: &str = "page.html";
/// The I/O timeout the URLs set: every case must end within it and a margin.
const IO_TIMEOUT: Duration = Duration::from_millis(500);
const MARGIN: Duration = Duration::from_millis(700);

fn cache_on(server: &HostileServer, ignore_errors: bool) -> MemcachedBytecodeCache {
    MemcachedBytecodeCache::builder()
        .server(format!(
            "memcache://127.0.0.1:{}?timeout={}",
            server.port(),
            IO_TIMEOUT.as_secs_f64()
        ))
        .ignore_memcache_errors(ignore_errors)
        .build()
        .expect("a valid URL")
}

/// The value a real store would hold for `NAME`: a valid entry, so that only the reply's
/// framing stands between it and a hit.
fn valid_entry() -> Vec<u8> {
    let cache = MemcachedBytecodeCache::connect("memcache://127.0.0.1:1").expect("build");
    let mut bucket = cache.get_bucket(&(), NAME, None, SOURCE).expect("bucket");
    bucket.code = Some(b"compiled page".to_vec());
    bucket.bytecode_to_string().expect("encode")
}

fn reply(parts: &[&[u8]]) -> Script {
    Script::Reply(parts.concat())
}

/// Loads `NAME` from a server answering `script`, with errors ignored and then returned, and
/// checks both: a miss, then an error, each within the timeout.
fn assert_miss_then_error(case: &str, script: Script) {
    for ignore_errors in [true, false] {
        let server = HostileServer::start(script.clone());
        let cache = cache_on(&server, ignore_errors);
        let (loaded, took) = within(Duration::from_secs(10), move || {
            cache
                .get_bucket(&(), NAME, None, SOURCE)
                .map(|bucket| bucket.code)
        });
        assert!(
            took < IO_TIMEOUT + MARGIN,
            "{case}: took {took:?}, over the {IO_TIMEOUT:?} timeout"
        );
        match (ignore_errors, loaded) {
            (true, Ok(code)) => assert_eq!(code, None, "{case}: a hit"),
            (false, Err(error @ Error::Memcached { .. })) => {
                let chain = error_chain(&error);
                assert!(chain.contains("127.0.0.1"), "{case}: {chain}");
            }
            (ignore, other) => panic!("{case} (ignore_errors {ignore}): {other:?}"),
        }
    }
}

#[test]
fn the_exact_reply_is_a_hit_so_the_cases_below_test_only_the_framing() {
    let server = HostileServer::start(entry_reply(b"{key}", valid_entry().len()));
    let cache = cache_on(&server, false);
    let bucket = cache.get_bucket(&(), NAME, None, SOURCE).expect("a hit");
    assert_eq!(bucket.code.as_deref(), Some(&b"compiled page"[..]));
}

#[test]
fn a_length_that_overflows_is_a_miss_not_a_panic() {
    // memcache 0.21 panicked here: the length plus 2 overflows.
    assert_miss_then_error(
        "u64::MAX length",
        reply(&[b"VALUE {key} 0 18446744073709551615\r\n"]),
    );
}

#[test]
fn a_huge_length_is_a_miss_not_a_one_tebibyte_allocation() {
    // memcache 0.21 aborted the process here, allocating 1 TiB.
    assert_miss_then_error(
        "1 TiB length",
        reply(&[b"VALUE {key} 0 1099511627776\r\n", &[b'x'; 4096]]),
    );
    assert_miss_then_error(
        "a length over the item size",
        reply(&[b"VALUE {key} 0 1047553\r\n"]),
    );
}

#[test]
fn a_negative_length_is_a_miss() {
    assert_miss_then_error(
        "negative length",
        reply(&[b"VALUE {key} 0 -1\r\n\r\nEND\r\n"]),
    );
}

/// A reply carrying the valid entry under `key`, announced as `len` bytes.
fn entry_reply(key: &[u8], len: usize) -> Script {
    let len = len.to_string();
    reply(&[
        b"VALUE ",
        key,
        b" 0 ",
        len.as_bytes(),
        b"\r\n",
        &valid_entry(),
        b"\r\nEND\r\n",
    ])
}

#[test]
fn values_shorter_or_longer_than_announced_are_misses_within_the_timeout() {
    let len = valid_entry().len();
    assert_miss_then_error("shorter than announced", entry_reply(b"{key}", len + 1));
    assert_miss_then_error("longer than announced", entry_reply(b"{key}", len - 1));
}

#[test]
fn a_value_under_another_key_is_a_miss() {
    let len = valid_entry().len();
    assert_miss_then_error("another key", entry_reply(b"other", len));
}

#[test]
fn a_valid_entry_in_a_reply_that_then_fails_is_a_miss_not_a_hit() {
    // A hit decodes its entry where it lies in the reply, so the rest of the reply decides.
    let entry = valid_entry();
    let value = [
        format!("VALUE {{key}} 0 {}\r\n", entry.len()).as_bytes(),
        &entry,
        b"\r\n",
    ]
    .concat();
    assert_miss_then_error("entry, then garbage", reply(&[&value, b"HELLO\r\n"]));
    assert_miss_then_error("entry, then silence", reply(&[&value]));
    assert_miss_then_error("entry given twice", reply(&[&value, &value, b"END\r\n"]));
}

#[test]
fn an_endless_line_is_a_miss_not_a_growing_buffer() {
    assert_miss_then_error(
        "endless line",
        Script::Endless(b"VALUE {key} 0 ".to_vec(), b'9'),
    );
    assert_miss_then_error("endless garbage", Script::Endless(Vec::new(), b'A'));
}

#[test]
fn garbage_is_a_miss() {
    assert_miss_then_error("garbage", reply(&[b"HTTP/1.1 400 Bad Request\r\n\r\n"]));
    assert_miss_then_error("a bare newline", reply(&[b"END\n"]));
}

#[test]
fn error_replies_are_misses() {
    for line in [
        &b"SERVER_ERROR out of memory storing object\r\n"[..],
        b"CLIENT_ERROR bad command line format\r\n",
        b"ERROR\r\n",
    ] {
        assert_miss_then_error(&String::from_utf8_lossy(line), reply(&[line]));
    }
}

#[test]
fn silence_is_a_miss_within_the_timeout() {
    assert_miss_then_error("silence", Script::Silence);
}

#[test]
fn a_batch_against_a_hostile_server_is_all_misses_within_the_timeout() {
    let server = HostileServer::start(reply(&[b"VALUE {key} 0 18446744073709551615\r\n"]));
    let cache = cache_on(&server, true);
    let (found, took) = within(Duration::from_secs(10), move || {
        let lookups: Vec<String> = (0..40).map(|i| format!("t{i}.html")).collect();
        let lookups: Vec<_> = lookups
            .iter()
            .map(|name| bccache::Lookup::new(name, SOURCE))
            .collect();
        cache
            .get_buckets(&(), &lookups)
            .map(|buckets| buckets.iter().filter(|b| b.code.is_some()).count())
    });
    assert_eq!(found.expect("errors ignored"), 0);
    assert!(took < IO_TIMEOUT + MARGIN, "took {took:?}");
}
