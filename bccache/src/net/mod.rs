//! The network layer every network store stands on: what talking to a server costs and how a
//! failure is contained, written once.
//!
//! - [`lanes`]: a server's kept-open connections, one request at a time on each, and the
//!   clock that skips a server for a while after it refused a connection or timed out;
//! - [`url`]: the options every server URL shares (`?connect_timeout=`, `?timeout=`) and its
//!   name with the password masked;
//! - [`place`]: which server of several holds a key (rendezvous hashing);
//! - [`window`]: how many keys one batch round trip asks for, sized from the values seen;
//! - [`policy`]: the ignore-errors policy and the one-line error chain it logs;
//! - [`shell`]: what every network store holds besides its servers (prefix, expiry, policy,
//!   checksum, counters) and the builder settings that fill it;
//! - [`exchange`]: one request and its answer, as a protocol describes it and store code asks
//!   for it, on either transport;
//! - [`buffer`]: the received bytes a sans-IO parser is fed from;
//! - [`stream`]: the blocking transport, feeding a sans-IO reply parser from a socket within
//!   the I/O timeout;
//! - [`tokio_stream`]: the same on tokio, never blocking a runtime thread;
//! - `tls` (feature `https`): the blocking transport's TLS sessions, for `https://` servers.
//!
//! A store's own module holds only its protocol: a request encoded into bytes and a reply
//! parsed from bytes ([`Parsed`]), with no socket in sight, so that a blocking and an async
//! transport share it and a fuzzer can feed it hostile bytes directly.
// The object stores (http, s3) use part of the layer: placement, batch windows and URL
// options belong to memcached and Redis.
#![cfg_attr(
    not(any(feature = "memcached", feature = "redis")),
    allow(dead_code, unused_macros, unused_imports)
)]

/// Marks each item as built with any network store (memcached, Redis, HTTP, S3).
macro_rules! with_any_network_store {
    ($($item:item)*) => {
        $(
            #[cfg(any(
                feature = "memcached",
                feature = "redis",
                feature = "http",
                feature = "s3"
            ))]
            $item
        )*
    };
}

with_any_network_store! {
    pub(crate) mod buffer;
    pub(crate) mod exchange;
    pub(crate) mod stream;
}
#[cfg(any(feature = "http", feature = "s3"))]
pub(crate) mod http1;
#[cfg(any(feature = "http", feature = "s3"))]
pub(crate) mod http_client;
pub(crate) mod lanes;
#[cfg(any(feature = "memcached", feature = "redis"))]
pub(crate) mod lease;
#[cfg(any(feature = "http", feature = "s3"))]
pub(crate) mod object;
pub(crate) mod place;
pub(crate) mod policy;
pub(crate) mod shell;
#[cfg(feature = "https")]
pub(crate) mod tls;
with_any_network_store! {
    #[cfg(feature = "tokio")]
    pub(crate) mod tokio_stream;
}
pub(crate) mod url;
pub(crate) mod window;

with_any_network_store! {
    /// What a sans-IO parser made of the bytes it was given.
    #[derive(Debug, PartialEq, Eq)]
    pub(crate) enum Parsed<T> {
        /// A whole reply, and how many bytes of the input it took.
        Done(T, usize),
        /// The reply is not complete yet: at least this many bytes in all are needed (the bytes
        /// given and more), so a transport can make room for them at once.
        Incomplete(usize),
    }
}
