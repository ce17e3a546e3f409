//! `RedisBytecodeCache` against a hostile server: every malformed reply is a miss (errors
//! ignored) or an error (errors returned) within the I/O timeout, never a hit, a panic, a hang
//! or a huge allocation. Only 127.0.0.1 traffic, bounded in time.

mod support;

use std::time::Duration;

use bccache::{BytecodeCache, Error, RedisBytecodeCache};
use support::hostile_server::{HostileServer, Script};
use support::memcached::{error_chain, within};

const SOURCE: &str = "{{ greeting }}, {{ name }}!";
const NAME: &str = "page.html";
const IO_TIMEOUT: Duration = Duration::from_millis(500);
const MARGIN: Duration = Duration::from_millis(700);

fn cache_on(server: &HostileServer, ignore_errors: bool) -> RedisBytecodeCache {
    RedisBytecodeCache::builder()
        .server(format!(
            "redis://127.0.0.1:{}?timeout={}",
            server.port(),
            IO_TIMEOUT.as_secs_f64()
        ))
        .ignore_errors(ignore_errors)
        .build()
        .expect("a valid URL")
}

/// A valid entry for `name`.
fn entry_for(name: &str) -> Vec<u8> {
    let cache = RedisBytecodeCache::connect("redis://127.0.0.1:1").expect("build");
    let mut bucket = cache.get_bucket(&(), name, None, SOURCE).expect("bucket");
    bucket.code = Some(b"compiled page".to_vec());
    bucket.bytecode_to_string().expect("encode")
}

fn bulk(announced: usize, value: &[u8]) -> Script {
    Script::Reply([format!("${announced}\r\n").as_bytes(), value, b"\r\n"].concat())
}

fn load(
    server: &HostileServer,
    ignore_errors: bool,
) -> (bccache::Result<Option<Vec<u8>>>, Duration) {
    let cache = cache_on(server, ignore_errors);
    within(Duration::from_secs(10), move || {
        cache
            .get_bucket(&(), NAME, None, SOURCE)
            .map(|bucket| bucket.code)
    })
}

/// A miss with errors ignored, an error with them returned, each within the timeout.
fn assert_miss_then_error(case: &str, script: Script) {
    for ignore_errors in [true, false] {
        let server = HostileServer::start(script.clone());
        let (loaded, took) = load(&server, ignore_errors);
        assert!(took < IO_TIMEOUT + MARGIN, "{case}: took {took:?}");
        match (ignore_errors, loaded) {
            (true, Ok(code)) => assert_eq!(code, None, "{case}: a hit"),
            (false, Err(error @ Error::Redis { .. })) => {
                let chain = error_chain(&error);
                assert!(chain.contains("127.0.0.1"), "{case}: {chain}");
            }
            (ignore, other) => panic!("{case} (ignore_errors {ignore}): {other:?}"),
        }
    }
}

#[test]
fn the_exact_reply_is_a_hit_so_the_cases_below_test_only_the_framing() {
    let entry = entry_for(NAME);
    let server = HostileServer::start(bulk(entry.len(), &entry));
    let (loaded, _) = load(&server, false);
    assert_eq!(
        loaded.expect("a hit").as_deref(),
        Some(&b"compiled page"[..])
    );
}

#[test]
fn huge_and_overflowing_lengths_are_misses() {
    assert_miss_then_error("1 TiB length", bulk(1 << 40, &[b'x'; 4096]));
    assert_miss_then_error(
        "u64::MAX length",
        Script::Reply(b"$18446744073709551615\r\n".to_vec()),
    );
}

#[test]
fn negative_lengths_other_than_nil_are_refused() {
    for (case, reply) in [
        ("bulk -2", &b"$-2\r\n"[..]),
        ("bulk -5 with bytes", b"$-5\r\nabc\r\n"),
        ("bulk i64::MIN", b"$-9223372036854775808\r\n"),
        ("array -3", b"*-3\r\n"),
    ] {
        assert_miss_then_error(case, Script::Reply(reply.to_vec()));
    }
}

#[test]
fn nil_is_a_miss_in_either_mode() {
    for ignore_errors in [true, false] {
        let server = HostileServer::start(Script::Reply(b"$-1\r\n".to_vec()));
        let (loaded, took) = load(&server, ignore_errors);
        assert_eq!(loaded.expect("nil, a miss"), None);
        assert!(took < IO_TIMEOUT + MARGIN, "took {took:?}");
    }
}

#[test]
fn values_shorter_or_longer_than_announced_are_misses() {
    let entry = entry_for(NAME);
    assert_miss_then_error("shorter than announced", bulk(entry.len() + 1, &entry));
    assert_miss_then_error("longer than announced", bulk(entry.len() - 1, &entry));
}

#[test]
fn the_entry_of_another_key_is_a_miss_in_either_mode() {
    // A Redis reply names no key: an entry of another key is caught by the entry's header, a
    // rejected entry, which is a miss whatever the error policy says.
    let entry = entry_for("other.html");
    for ignore_errors in [true, false] {
        let server = HostileServer::start(bulk(entry.len(), &entry));
        let (loaded, took) = load(&server, ignore_errors);
        assert_eq!(loaded.expect("a miss, not an error"), None);
        assert!(took < IO_TIMEOUT + MARGIN, "took {took:?}");
    }
}

#[test]
fn an_endless_line_is_never_a_hit() {
    // A line is refused past 1 KiB, within the timeout, however fast the server sends it.
    for prefix in ["+", "$", "-", ":"] {
        assert_miss_then_error(
            &format!("endless `{prefix}` line"),
            Script::Endless(prefix.into(), b'9'),
        );
    }
}

#[test]
fn garbage_is_a_miss() {
    assert_miss_then_error(
        "garbage",
        Script::Reply(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec()),
    );
}

#[test]
fn an_error_reply_is_a_miss() {
    assert_miss_then_error(
        "error reply",
        Script::Reply(b"-ERR out of memory\r\n".to_vec()),
    );
}

#[test]
fn silence_is_a_miss_within_the_timeout() {
    assert_miss_then_error("silence", Script::Silence);
}
