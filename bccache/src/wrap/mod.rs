//! Stores around stores: compression and signatures (one layer mechanism), a read-only view and
//! tiers. They see only the [`BytecodeCache`](crate::BytecodeCache) trait of what they wrap.

#[cfg(feature = "zstd")]
pub(crate) mod compressed;
#[cfg(any(feature = "zstd", feature = "signed"))]
pub(crate) mod layer;
pub(crate) mod read_only;
#[cfg(feature = "signed")]
pub mod signed;
pub(crate) mod tiered;
