//! `#[derive(BytecodeCache)]` against bccache built with its `derive` feature only: the
//! filesystem store still works (checksum included), and each store or wrapper whose feature is
//! off is one clear compile error at its key, all of them at once.

#[test]
fn filesystem_store_needs_no_other_feature() {
    trybuild::TestCases::new().pass("tests/ui/pass/*.rs");
}

#[test]
fn each_store_without_its_feature_is_one_error_at_the_key() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
