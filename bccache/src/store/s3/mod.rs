//! The S3 store: entries as objects in a bucket, requests signed with AWS SigV4.
//!
//! - [`store`]: [`S3BytecodeCache`] and its requests;
//! - [`builder`]: its settings, checked at `build`, and `s3://` locations;
//! - [`sign`]: SigV4 by `aws-sigv4`;
//! - [`list`]: listing with `ListObjectsV2`, for `clear` and remote upkeep.

mod builder;
mod list;
mod sign;
mod store;

pub use builder::S3BytecodeCacheBuilder;
pub(crate) use builder::from_location;
pub use store::S3BytecodeCache;
pub(crate) use store::S3Store;
