//! The async impl of a derived cache, which the derive cannot gate itself: it cannot see
//! bccache's features.

// The derive passes its whole `impl AsyncBytecodeCache` through this macro: kept with the
// `tokio` feature, dropped without it, where the trait does not exist.

#[cfg(feature = "tokio")]
#[doc(hidden)]
#[macro_export]
macro_rules! __bccache_async_impl {
    ($($impl:tt)*) => {
        $($impl)*
    };
}

#[cfg(not(feature = "tokio"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __bccache_async_impl {
    ($($impl:tt)*) => {};
}

#[doc(hidden)]
pub use crate::__bccache_async_impl as async_impl;
