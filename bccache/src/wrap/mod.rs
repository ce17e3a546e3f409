//! Stores around stores: compression and signatures (one layer mechanism), a read-only view and
//! tiers. They see only the traits of what they wrap: [`BytecodeCache`](crate::BytecodeCache),
//! and with the `tokio` feature [`AsyncBytecodeCache`](crate::AsyncBytecodeCache), each
//! wrapper being async when what it wraps is.

#[cfg(feature = "zstd")]
pub(crate) mod compressed;
#[cfg(any(feature = "zstd", feature = "signed"))]
pub(crate) mod layer;
pub(crate) mod read_only;
#[cfg(feature = "signed")]
pub mod signed;
pub(crate) mod tiered;
#[cfg(feature = "tokio")]
mod tiered_async;
