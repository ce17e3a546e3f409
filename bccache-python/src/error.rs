//! bccache's errors as Python exceptions.

use std::error::Error as StdError;
use std::io;

use pyo3::PyErr;
use pyo3::Python;
use pyo3::exceptions::PyOSError;

pyo3::create_exception!(
    bccache,
    BytecodeCacheError,
    PyOSError,
    "A bytecode cache operation failed (and the store's errors are not ignored)."
);

/// The Python exception for a failed store operation.
///
/// An error raised by a Python memcached client travels through the store as the source of
/// bccache's error; it comes back unchanged (the same exception object), as Jinja2's own
/// `MemcachedBytecodeCache` lets it through. Anything else is a [`BytecodeCacheError`] whose
/// message holds the whole chain of causes.
pub(crate) fn to_py(py: Python<'_>, error: &bccache::Error) -> PyErr {
    if let Some(raised) = python_cause(error) {
        return raised.clone_ref(py);
    }
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        message.push_str(": ");
        message.push_str(&next.to_string());
        cause = next.source();
    }
    BytecodeCacheError::new_err(message)
}

fn python_cause<'a>(error: &'a (dyn StdError + 'static)) -> Option<&'a PyErr> {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(raised) = error.downcast_ref::<PyErr>() {
            return Some(raised);
        }
        // An io::Error's `source()` skips the error it wraps.
        if let Some(raised) = error
            .downcast_ref::<io::Error>()
            .and_then(io::Error::get_ref)
            .and_then(|inner| inner.downcast_ref::<PyErr>())
        {
            return Some(raised);
        }
        next = error.source();
    }
    None
}
