//! `bccache._native`: bccache's stores, tiers and wrappers for the Python package `bccache`.
//!
//! The package's `jinja2.BytecodeCache` subclasses (`python/bccache/__init__.py`) hold one
//! [`Store`](store::Store) each and hand it what Jinja2 computed: the bucket's key and source
//! checksum, and the marshalled code object as the payload. Everything else — the entry's
//! format, the integrity check, signing, compression, tiers, the network — is the `bccache`
//! crate's, reached only through its public API, with the GIL released while it runs.

mod client;
mod environment;
mod error;
mod policy;
mod store;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add(
        "FINGERPRINT",
        pyo3::types::PyBytes::new(py, environment::current(py)?.fingerprint_bytes()),
    )?;
    m.add(
        "BytecodeCacheError",
        py.get_type::<error::BytecodeCacheError>(),
    )?;
    m.add_class::<store::Store>()?;
    Ok(())
}
