//! What `#[derive(BytecodeCache)]` accepts, the one error it gives for each mistake, and what
//! bccache's own API refuses to compile (`from_bytecode` outside `unsafe`).
//!
//! Each `tests/ui/<mistake>.rs` holds one mistake and its `.stderr` pins the message and the
//! token it points at; `TRYBUILD=overwrite` regenerates them. The forms that need the memory,
//! Redis, tiered, compressed and signed stores are in `tests/ui-stores` (accepted forms in
//! `pass/`, mistakes beside it). A store whose feature is off is in `tests/no-memcached`, a
//! package that builds bccache with the `derive` feature only.

#[test]
fn derive_accepts_every_documented_form() {
    trybuild::TestCases::new().pass("tests/ui/pass/*.rs");
}

#[test]
fn derive_rejects_each_mistake_with_one_error_at_the_token_at_fault() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}

#[test]
fn derive_accepts_every_store_and_tier_form_and_rejects_their_mistakes() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui-stores/pass/*.rs");
    cases.compile_fail("tests/ui-stores/*.rs");
}
