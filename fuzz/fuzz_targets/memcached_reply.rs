//! Fuzzes the memcached text-protocol reply parsers the store's own client uses (retrieval
//! replies item by item, and storage replies); the property lives in
//! `tests/reply-fuzz-regressions/oracle.rs`, shared with the test that replays what this
//! target found.
#![no_main]

#[path = "../../tests/reply-fuzz-regressions/oracle.rs"]
#[allow(dead_code)]
mod oracle;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oracle::memcached(data);
});
