//! The fingerprint of this interpreter: what makes a marshalled code object unreadable elsewhere.

use std::borrow::Cow;
use std::sync::OnceLock;

use bccache::Environment;
use pyo3::prelude::*;

/// The environment every bucket of this process is encoded and checked with.
///
/// A Jinja2 entry is a marshalled code object: another Python implementation, another minor
/// version (the bytecode changes) or another marshal format cannot load it, and another Jinja2
/// may generate other code. All of them are in the fingerprint, so such an entry is a miss —
/// the part the Python version plays in Jinja2's own `bc_magic`.
#[derive(Debug)]
pub(crate) struct PythonEnvironment {
    fingerprint: Vec<u8>,
}

impl PythonEnvironment {
    /// An environment with any fingerprint (the tests' "another Python").
    pub(crate) fn with_fingerprint(fingerprint: Vec<u8>) -> Self {
        PythonEnvironment { fingerprint }
    }

    pub(crate) fn fingerprint_bytes(&self) -> &[u8] {
        &self.fingerprint
    }
}

impl Environment for PythonEnvironment {
    fn fingerprint(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.fingerprint)
    }
}

static CURRENT: OnceLock<PythonEnvironment> = OnceLock::new();

/// This interpreter's environment, computed on first use.
pub(crate) fn current(py: Python<'_>) -> PyResult<&'static PythonEnvironment> {
    if let Some(environment) = CURRENT.get() {
        return Ok(environment);
    }
    let fingerprint = fingerprint(py)?;
    Ok(CURRENT.get_or_init(|| PythonEnvironment { fingerprint }))
}

fn fingerprint(py: Python<'_>) -> PyResult<Vec<u8>> {
    let sys = py.import("sys")?;
    let implementation: String = sys.getattr("implementation")?.getattr("name")?.extract()?;
    let version_info = sys.getattr("version_info")?;
    let major: u32 = version_info.getattr("major")?.extract()?;
    let minor: u32 = version_info.getattr("minor")?.extract()?;
    let marshal: i64 = py.import("marshal")?.getattr("version")?.extract()?;
    let jinja2: String = py.import("jinja2")?.getattr("__version__")?.extract()?;
    let bc_version: i64 = py
        .import("jinja2.bccache")?
        .getattr("bc_version")?
        .extract()?;
    Ok(format!(
        "jinja2 {jinja2} bc_version {bc_version}; python {implementation} {major}.{minor}; \
         marshal {marshal}"
    )
    .into_bytes())
}
