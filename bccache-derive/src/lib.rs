//! `#[derive(BytecodeCache)]` for [bccache](https://docs.rs/bccache). Use it through `bccache`.
