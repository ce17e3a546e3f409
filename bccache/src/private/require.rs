//! The feature guards the generated code calls.

// One guard macro per feature: nothing when the feature is on, else one `compile_error!` at the
// call site, which the derive spans at the key that needs the feature. The impl next to it still
// type checks, so the user sees this error only. (Written out: a `macro_export` made by a macro
// cannot be named by path.)

#[cfg(feature = "memcached")]
#[doc(hidden)]
#[macro_export]
macro_rules! __bccache_require_memcached {
    () => {};
}

#[cfg(not(feature = "memcached"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __bccache_require_memcached {
    () => {
        ::core::compile_error! {
            "the memcached store needs the `memcached` feature of bccache; enable it: `bccache = { version = \"0.1\", features = [\"memcached\"] }`"
        }
    };
}

#[doc(hidden)]
pub use crate::__bccache_require_memcached as require_memcached;

#[cfg(feature = "redis")]
#[doc(hidden)]
#[macro_export]
macro_rules! __bccache_require_redis {
    () => {};
}

#[cfg(not(feature = "redis"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __bccache_require_redis {
    () => {
        ::core::compile_error! {
            "the redis store needs the `redis` feature of bccache; enable it: `bccache = { version = \"0.1\", features = [\"redis\"] }`"
        }
    };
}

#[doc(hidden)]
pub use crate::__bccache_require_redis as require_redis;

#[cfg(feature = "memory")]
#[doc(hidden)]
#[macro_export]
macro_rules! __bccache_require_memory {
    () => {};
}

#[cfg(not(feature = "memory"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __bccache_require_memory {
    () => {
        ::core::compile_error! {
            "the memory store needs the `memory` feature of bccache; enable it: `bccache = { version = \"0.1\", features = [\"memory\"] }`"
        }
    };
}

#[doc(hidden)]
pub use crate::__bccache_require_memory as require_memory;

#[cfg(feature = "zstd")]
#[doc(hidden)]
#[macro_export]
macro_rules! __bccache_require_zstd {
    () => {};
}

#[cfg(not(feature = "zstd"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __bccache_require_zstd {
    () => {
        ::core::compile_error! {
            "`compress` needs the `zstd` feature of bccache; enable it: `bccache = { version = \"0.1\", features = [\"zstd\"] }`"
        }
    };
}

#[doc(hidden)]
pub use crate::__bccache_require_zstd as require_zstd;

#[cfg(feature = "signed")]
#[doc(hidden)]
#[macro_export]
macro_rules! __bccache_require_signed {
    () => {};
}

#[cfg(not(feature = "signed"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __bccache_require_signed {
    () => {
        ::core::compile_error! {
            "`signing_key_env` needs the `signed` feature of bccache; enable it: `bccache = { version = \"0.1\", features = [\"signed\"] }`"
        }
    };
}

#[doc(hidden)]
pub use crate::__bccache_require_signed as require_signed;

#[cfg(feature = "http")]
#[doc(hidden)]
#[macro_export]
macro_rules! __bccache_require_http {
    () => {};
}

#[cfg(not(feature = "http"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __bccache_require_http {
    () => {
        ::core::compile_error! {
            "the http store needs the `http` feature of bccache; enable it: `bccache = { version = \"0.1\", features = [\"http\"] }`"
        }
    };
}

#[doc(hidden)]
pub use crate::__bccache_require_http as require_http;

#[cfg(feature = "s3")]
#[doc(hidden)]
#[macro_export]
macro_rules! __bccache_require_s3 {
    () => {};
}

#[cfg(not(feature = "s3"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __bccache_require_s3 {
    () => {
        ::core::compile_error! {
            "the s3 store needs the `s3` feature of bccache; enable it: `bccache = { version = \"0.1\", features = [\"s3\"] }`"
        }
    };
}

#[doc(hidden)]
pub use crate::__bccache_require_s3 as require_s3;
