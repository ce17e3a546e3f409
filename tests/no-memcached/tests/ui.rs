//! `#[derive(BytecodeCache)]` against bccache built without its `memcached` feature: the
//! filesystem backend still works, and the memcached backend is one clear compile error.

#[test]
fn filesystem_backend_needs_no_memcached_feature() {
    trybuild::TestCases::new().pass("tests/ui/pass/*.rs");
}

#[test]
fn memcached_backend_without_the_feature_is_one_error_at_the_key() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
