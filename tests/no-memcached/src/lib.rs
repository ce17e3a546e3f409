//! Nothing to use: this package exists for its tests, which build `#[derive(BytecodeCache)]`
//! against bccache with its `derive` feature only: no `memcached`, `redis`, `memory`, `zstd` or
//! `signed`.
