//! A Python memcached client (anything with Jinja2's `get`/`set`) as a [`MemcachedClient`].

use bccache::MemcachedClient;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes};

type ClientError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The client object a Jinja2 application already has (python-memcached, pymemcache, a
/// cachelib cache...), called back under the GIL. Its exceptions travel as the source of the
/// store's error, so they reach the caller unchanged when errors are not ignored.
pub(crate) struct PythonClient {
    client: Py<PyAny>,
}

impl PythonClient {
    pub(crate) fn new(client: Py<PyAny>) -> Self {
        PythonClient { client }
    }
}

impl MemcachedClient for PythonClient {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ClientError> {
        Python::attach(|py| {
            let value = self
                .client
                .bind(py)
                .call_method1(intern!(py, "get"), (key,))?;
            // A value of another type (a str from an old client, an int) is not our entry.
            let bytes = if let Ok(bytes) = value.cast::<PyBytes>() {
                Some(bytes.as_bytes().to_vec())
            } else if let Ok(bytes) = value.cast::<PyByteArray>() {
                Some(bytes.to_vec())
            } else {
                None
            };
            Ok::<_, PyErr>(bytes)
        })
        .map_err(|error| Box::new(error) as ClientError)
    }

    fn set(&self, key: &str, value: &[u8], timeout: Option<u32>) -> Result<(), ClientError> {
        Python::attach(|py| {
            let client = self.client.bind(py);
            let value = PyBytes::new(py, value);
            // As Jinja2: the timeout is passed only when there is one.
            match timeout {
                Some(timeout) => client.call_method1(intern!(py, "set"), (key, value, timeout)),
                None => client.call_method1(intern!(py, "set"), (key, value)),
            }
            .map(drop)
        })
        .map_err(|error| Box::new(error) as ClientError)
    }
}
