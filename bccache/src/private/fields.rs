//! What a field of a derived cache may hold: the functions the generated code reads fields
//! with, and the traits that say which types fit.

use std::path::Path;

/// A `#[cache(dir)]` field: anything that is a path.
pub fn dir_field<P: AsRef<Path> + ?Sized>(dir: &P) -> &Path {
    dir.as_ref()
}

/// A `#[cache(memcached)]` or `#[cache(redis)]` field: one server URL, or several separated by
/// commas.
pub fn servers_field<S: AsRef<str> + ?Sized>(servers: &S) -> &str {
    servers.as_ref()
}

/// A `#[cache(prefix)]` field.
pub fn prefix_field<S: AsRef<str> + ?Sized>(prefix: &S) -> &str {
    prefix.as_ref()
}

/// A `#[cache(timeout)]` field.
pub fn timeout_field<T: TimeoutSecs + ?Sized>(timeout: &T) -> Option<u64> {
    timeout.timeout_secs()
}

/// A `#[cache(memory)]` or `#[cache(max_size)]` field.
pub fn size_field<T: ByteSize + ?Sized>(size: &T) -> u64 {
    size.bytes()
}

/// A value that can be a network store's `timeout`: whole seconds, or `None` for no expiry.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `timeout`",
    label = "a `#[cache(timeout)]` field holds whole seconds",
    note = "use `u32` or `u64`, or `Option<u32>` where `None` means no expiry"
)]
pub trait TimeoutSecs {
    /// The timeout in seconds; `None` for no expiry.
    fn timeout_secs(&self) -> Option<u64>;
}

macro_rules! timeout_secs {
    ($($int:ty),*) => {$(
        impl TimeoutSecs for $int {
            fn timeout_secs(&self) -> Option<u64> {
                Some(u64::from(*self))
            }
        }
    )*};
}

timeout_secs!(u8, u16, u32, u64);

impl<T: TimeoutSecs> TimeoutSecs for Option<T> {
    fn timeout_secs(&self) -> Option<u64> {
        self.as_ref().and_then(T::timeout_secs)
    }
}

impl<T: TimeoutSecs + ?Sized> TimeoutSecs for &T {
    fn timeout_secs(&self) -> Option<u64> {
        (**self).timeout_secs()
    }
}

/// A value that can be a size in bytes: `memory` or `max_size`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a size in bytes",
    label = "a `#[cache(memory)]` or `#[cache(max_size)]` field holds a number of bytes",
    note = "use `u64` (or `u32`)"
)]
pub trait ByteSize {
    /// The size in bytes.
    fn bytes(&self) -> u64;
}

impl ByteSize for u64 {
    fn bytes(&self) -> u64 {
        *self
    }
}

impl ByteSize for u32 {
    fn bytes(&self) -> u64 {
        u64::from(*self)
    }
}

impl<T: ByteSize + ?Sized> ByteSize for &T {
    fn bytes(&self) -> u64 {
        (**self).bytes()
    }
}
