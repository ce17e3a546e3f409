//! The HTTP store: entries as objects on a WebDAV or plain HTTP cache server.
//!
//! - [`store`]: [`HttpBytecodeCache`] and its requests;
//! - [`builder`]: its settings, checked at `build`;
//! - [`layout`]: where an entry lies under the URL (ccache's layouts);
//! - [`dav`]: listing with WebDAV `PROPFIND`, for `clear` and remote upkeep.

mod builder;
mod dav;
mod layout;
mod store;

pub use builder::HttpBytecodeCacheBuilder;
pub use layout::HttpLayout;
pub use store::HttpBytecodeCache;
pub(crate) use store::HttpStore;
