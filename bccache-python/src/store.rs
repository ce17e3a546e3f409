//! `Store`: one bccache store (or tier, or wrapper) as a Python object.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bccache::{
    Bucket, BytecodeCache, Compressed, FileSystemBytecodeCache, MemcachedBytecodeCache,
    MemoryBytecodeCache, RedisBytecodeCache, Signed, TieredBytecodeCache,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::client::PythonClient;
use crate::environment::{self, PythonEnvironment};
use crate::error::to_py;
use crate::policy::IgnoreErrors;

/// A bccache store. Built by the static constructors, used by the package's cache classes.
///
/// Every method that reads, writes, hashes or talks to a server does so with the GIL released.
#[pyclass(frozen, module = "bccache._native")]
pub(crate) struct Store {
    cache: Arc<dyn BytecodeCache>,
    environment: Arc<PythonEnvironment>,
    /// The switch of a network store's error policy.
    ignore_errors: Option<Arc<AtomicBool>>,
    /// A filesystem store's directory.
    directory: Option<PathBuf>,
}

impl Store {
    fn new(py: Python<'_>, cache: Arc<dyn BytecodeCache>) -> PyResult<Self> {
        let fingerprint = environment::current(py)?.fingerprint_bytes().to_vec();
        Ok(Store {
            cache,
            environment: Arc::new(PythonEnvironment::with_fingerprint(fingerprint)),
            ignore_errors: None,
            directory: None,
        })
    }

    fn with_policy(py: Python<'_>, cache: Box<dyn BytecodeCache>) -> PyResult<Self> {
        let ignore = Arc::new(AtomicBool::new(true));
        let mut store = Store::new(py, Arc::new(IgnoreErrors::new(cache, ignore.clone())))?;
        store.ignore_errors = Some(ignore);
        Ok(store)
    }
}

type Loaded<'py> = Option<Bound<'py, PyBytes>>;

#[pymethods]
impl Store {
    /// Files in `directory` (None: bccache's safe default directory, as Jinja2's).
    #[staticmethod]
    #[pyo3(signature = (directory, pattern))]
    fn filesystem(py: Python<'_>, directory: Option<PathBuf>, pattern: String) -> PyResult<Self> {
        let cache = py
            .detach(|| match directory {
                Some(directory) => FileSystemBytecodeCache::new(directory, &pattern),
                None => FileSystemBytecodeCache::with_default_dir().and_then(|default| {
                    FileSystemBytecodeCache::new(default.directory(), &pattern)
                }),
            })
            .map_err(|e| to_py(py, &e))?;
        let directory = cache.directory().to_path_buf();
        let mut store = Store::new(py, Arc::new(cache))?;
        store.directory = Some(directory);
        Ok(store)
    }

    /// memcached: this crate's client on `servers` (memcache:// URLs), or a Python `client`.
    #[staticmethod]
    #[pyo3(signature = (servers, client, prefix, timeout))]
    fn memcached(
        py: Python<'_>,
        servers: Vec<String>,
        client: Option<Py<PyAny>>,
        prefix: String,
        timeout: Option<u32>,
    ) -> PyResult<Self> {
        let mut builder = MemcachedBytecodeCache::builder()
            .prefix(prefix)
            .ignore_memcache_errors(false);
        if let Some(client) = client {
            builder = builder.client(PythonClient::new(client));
        }
        for server in servers {
            builder = builder.server(server);
        }
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        let cache = builder.build().map_err(|e| to_py(py, &e))?;
        Store::with_policy(py, Box::new(cache))
    }

    /// Redis on `servers` (redis:// URLs; one seed node of a Redis Cluster with `cluster`).
    #[staticmethod]
    #[pyo3(signature = (servers, cluster, prefix, timeout))]
    fn redis(
        py: Python<'_>,
        servers: Vec<String>,
        cluster: bool,
        prefix: String,
        timeout: Option<u32>,
    ) -> PyResult<Self> {
        let mut builder = RedisBytecodeCache::builder()
            .cluster(cluster)
            .prefix(prefix)
            .ignore_errors(false);
        for server in servers {
            builder = builder.server(server);
        }
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        let cache = builder.build().map_err(|e| to_py(py, &e))?;
        Store::with_policy(py, Box::new(cache))
    }

    /// In this process, bounded by the bytes it holds.
    #[staticmethod]
    fn memory(py: Python<'_>, max_bytes: u64) -> PyResult<Self> {
        Store::new(py, Arc::new(MemoryBytecodeCache::new(max_bytes)))
    }

    /// Tiers, fastest first; the tiers stay shared with their own `Store`s.
    #[staticmethod]
    fn tiered(py: Python<'_>, tiers: Vec<Py<Store>>) -> PyResult<Self> {
        let tiers = tiers
            .iter()
            .map(|tier| Box::new(tier.get().cache.clone()) as Box<dyn BytecodeCache>)
            .collect();
        Store::new(py, Arc::new(TieredBytecodeCache::new(tiers)))
    }

    /// `inner` with zstd-compressed payloads.
    #[staticmethod]
    fn compressed(py: Python<'_>, inner: Py<Store>, level: i32) -> PyResult<Self> {
        let cache = Compressed::new(inner.get().cache.clone(), level).map_err(|e| to_py(py, &e))?;
        Store::new(py, Arc::new(cache))
    }

    /// `inner` with entries signed by `key`, loading only those that verify (with `key` or one
    /// of `also_accept`).
    #[staticmethod]
    #[pyo3(signature = (inner, key, also_accept))]
    fn signed(
        py: Python<'_>,
        inner: Py<Store>,
        key: Vec<u8>,
        also_accept: Vec<Vec<u8>>,
    ) -> PyResult<Self> {
        let mut cache = Signed::new(inner.get().cache.clone(), &key).map_err(|e| to_py(py, &e))?;
        for old_key in also_accept {
            cache = cache.also_accept(&old_key).map_err(|e| to_py(py, &e))?;
        }
        Store::new(py, Arc::new(cache))
    }

    /// The same store, read and written as from an interpreter with another fingerprint.
    fn with_fingerprint(&self, fingerprint: Vec<u8>) -> Self {
        Store {
            cache: self.cache.clone(),
            environment: Arc::new(PythonEnvironment::with_fingerprint(fingerprint)),
            ignore_errors: self.ignore_errors.clone(),
            directory: self.directory.clone(),
        }
    }

    /// The directory of a filesystem store, else None.
    #[getter]
    fn directory(&self) -> Option<PathBuf> {
        self.directory.clone()
    }

    /// Whether a network store's errors are ignored (None for other stores).
    #[getter]
    fn ignore_errors(&self) -> Option<bool> {
        self.ignore_errors
            .as_ref()
            .map(|ignore| ignore.load(Ordering::Relaxed))
    }

    fn set_ignore_errors(&self, ignore: bool) -> PyResult<()> {
        match &self.ignore_errors {
            Some(switch) => {
                switch.store(ignore, Ordering::Relaxed);
                Ok(())
            }
            None => Err(pyo3::exceptions::PyAttributeError::new_err(
                "only a network store has an error policy",
            )),
        }
    }

    /// The payload stored under `key` for a source with `checksum`, or None.
    fn load<'py>(&self, py: Python<'py>, key: String, checksum: String) -> PyResult<Loaded<'py>> {
        let code = py
            .detach(|| {
                let mut bucket = Bucket::new(&*self.environment, key, checksum);
                self.cache.load_bytecode(&mut bucket).map(|()| bucket.code)
            })
            .map_err(|e| to_py(py, &e))?;
        Ok(code.map(|code| PyBytes::new(py, &code)))
    }

    /// Jinja2's key and checksum of a template, and the payload stored for them or None.
    #[pyo3(signature = (name, filename, source))]
    fn lookup<'py>(
        &self,
        py: Python<'py>,
        name: String,
        filename: Option<String>,
        source: String,
    ) -> PyResult<(String, String, Loaded<'py>)> {
        let bucket = py
            .detach(|| {
                let bucket = self.cache.get_bucket(
                    &*self.environment,
                    &name,
                    filename.as_deref(),
                    &source,
                )?;
                Ok((bucket.key, bucket.checksum, bucket.code))
            })
            .map_err(|e| to_py(py, &e))?;
        let (key, checksum, code) = bucket;
        Ok((key, checksum, code.map(|code| PyBytes::new(py, &code))))
    }

    /// Stores `payload` under `key` for a source with `checksum`.
    fn dump(&self, py: Python<'_>, key: String, checksum: String, payload: &[u8]) -> PyResult<()> {
        py.detach(|| {
            let mut bucket = Bucket::new(&*self.environment, key, checksum);
            bucket.code = Some(payload.to_vec());
            self.cache.dump_bytecode(&bucket)
        })
        .map_err(|e| to_py(py, &e))
    }

    fn clear(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.cache.clear()).map_err(|e| to_py(py, &e))
    }

    /// The store's counters as a dict (None for a store that does not count).
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(stats) = self.cache.stats() else {
            return Ok(None);
        };
        let dict = PyDict::new(py);
        for (name, value) in stats.fields() {
            dict.set_item(name, value)?;
        }
        dict.set_item("hit_rate", stats.hit_rate())?;
        Ok(Some(dict))
    }

    /// Writes the counts a filesystem store keeps for `bccache stats` now.
    fn flush_stats(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.cache.flush_stats())
            .map_err(|e| to_py(py, &e))
    }
}
