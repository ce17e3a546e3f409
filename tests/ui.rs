//! What `#[derive(BytecodeCache)]` accepts, and the one error it gives for each mistake.
//!
//! Each `tests/ui/<mistake>.rs` holds one mistake and its `.stderr` pins the message and the
//! token it points at; `TRYBUILD=overwrite` regenerates them. The memcached backend without the
//! `memcached` feature is in `tests/no-memcached`, a package that builds bccache without it.

#[test]
fn derive_accepts_every_documented_form() {
    trybuild::TestCases::new().pass("tests/ui/pass/*.rs");
}

#[test]
fn derive_rejects_each_mistake_with_one_error_at_the_token_at_fault() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
