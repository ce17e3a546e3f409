//! Fuzzes `Bucket::bytecode_from_string` and `Bucket::load_bytecode` (the header decoder and
//! everything after it); the property lives in `tests/fuzz-regressions/oracle.rs`, shared with
//! the regression test that replays what this target found.
#![no_main]

#[path = "../../tests/fuzz-regressions/oracle.rs"]
#[allow(dead_code)]
mod oracle;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oracle::check(data);
});
