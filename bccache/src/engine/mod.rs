//! Built-in [`Compiler`](crate::Compiler)s, one cargo feature each.
//!
//! - [`lua::LuaCompiler`] (feature `lua`): Lua 5.4 chunks through mlua.
//! - [`regex::DfaCompiler`] (feature `regex`): regex-automata dense DFAs.
//! - [`wasm::WasmCompiler`] (feature `wasm`): WebAssembly modules through wasmtime.

#[cfg(feature = "lua")]
#[cfg_attr(docsrs, doc(cfg(feature = "lua")))]
pub mod lua;

#[cfg(feature = "regex")]
#[cfg_attr(docsrs, doc(cfg(feature = "regex")))]
pub mod regex;

#[cfg(feature = "wasm")]
#[cfg_attr(docsrs, doc(cfg(feature = "wasm")))]
pub mod wasm;
