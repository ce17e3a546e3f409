//! Nothing to use: this package exists for its tests, which build `#[derive(BytecodeCache)]`
//! against bccache without the `memcached` feature.
