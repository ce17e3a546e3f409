//! Fuzzes the reading of a Redis `MGET` reply the way the store reads one (the crate's own
//! bounded RESP parser, then the store's check of what it holds); the property lives in
//! `tests/reply-fuzz-regressions/oracle.rs`, shared with the test that replays what this
//! target found.
#![no_main]

#[path = "../../tests/reply-fuzz-regressions/oracle.rs"]
#[allow(dead_code)]
mod oracle;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oracle::redis(data);
});
