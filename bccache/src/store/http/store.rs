//! The store: [`HttpBytecodeCache`] and its requests.

use std::fmt;
use std::sync::Arc;

use super::builder::HttpBytecodeCacheBuilder;
use super::layout::HttpLayout;
use crate::bucket::Bucket;
use crate::cache::BytecodeCache;
use crate::error::{Error, Result};
use crate::net::http_client::{ERROR_BODY, HttpServer, Outgoing, ServerFailure, UnexpectedStatus};
use crate::net::http1::{Response, TakeBody};
use crate::net::object::{due_for_refresh, get_entry, loaded_entry, object_store_methods};
use crate::net::shell::Shell;

/// Stores each bucket as one object on an HTTP server: nginx with WebDAV's `PUT` and `DELETE`,
/// any WebDAV server, ccache's and sccache's HTTP caches, a Bazel remote cache.
///
/// A load is a `GET` of the entry's URL (see [`HttpLayout`] for where entries lie): `200` with
/// an entry is decoded with every check the other stores make (key, checksum, engine, trailer),
/// so a corrupt or foreign object is a miss; `404` is a miss. A dump is a `PUT` of the encoded
/// entry (the server makes it visible whole: nginx writes a temporary file and renames it). A
/// hit on an entry last modified over a day ago `PUT`s the same bytes again, so that its
/// `Last-Modified` tells [`upkeep::remote`](crate::upkeep::remote) it is in use.
///
/// Connections are kept open (up to 8, one request at a time on each) and `TCP_NODELAY` is on;
/// a server that refused a connection or timed out is skipped for a second, each key a miss
/// (or an error). With [`ignore_errors`](HttpBytecodeCacheBuilder::ignore_errors) on (the
/// default), a failed load is a miss and a failed dump is dropped and logged; off, both come
/// back as [`Error::Http`]. A response body is never allowed past
/// [`max_entry_size`](HttpBytecodeCacheBuilder::max_entry_size), whatever the server says its
/// length is.
///
/// [`load_bytecodes`](BytecodeCache::load_bytecodes) runs up to 8 `GET`s at once.
/// [`clear`](BytecodeCache::clear) lists the URL with WebDAV `PROPFIND` and deletes the
/// entries this store wrote there (an object whose first bytes are a bccache entry whose key
/// the layout puts at that very path), and nothing else.
///
/// `https://` URLs need the `https` feature (rustls): the server's certificate is checked
/// against the platform's roots, those `SSL_CERT_FILE`/`SSL_CERT_DIR` name, or a private CA's
/// ([`ca_file`](HttpBytecodeCacheBuilder::ca_file)).
///
/// ```
/// use std::time::Duration;
/// use bccache::{HttpBytecodeCache, HttpLayout};
///
/// // Nothing is contacted here: a cache never stops an application from starting.
/// let cache = HttpBytecodeCache::builder()
///     .url("http://cache.internal:8080/bytecode/")
///     .layout(HttpLayout::Subdirs)
///     .bearer_token("s3cr3t")
///     .timeout(Duration::from_secs(2))
///     .build()?;
/// assert_eq!(cache.url(), "http://cache.internal:8080/bytecode/");
/// # Ok::<(), bccache::Error>(())
/// ```
pub struct HttpBytecodeCache {
    pub(crate) inner: Arc<HttpStore>,
}

/// The store's body, shared with the blocking pool by the async API.
pub(crate) struct HttpStore {
    pub(super) server: HttpServer,
    /// The URL's path, percent-encoded, ending in `/`.
    pub(super) base: String,
    /// The URL as given, for errors and logs.
    pub(super) url: String,
    pub(super) layout: HttpLayout,
    /// Sent with every request: `Authorization` and the extra headers.
    pub(super) headers: Vec<(String, String)>,
    pub(super) read_only: bool,
    pub(super) max_entry_size: usize,
    /// A hit on an entry older than this writes it again.
    pub(super) refresh_after: std::time::Duration,
    pub(super) shell: Shell,
}

impl HttpBytecodeCache {
    /// A builder: `.url(..)` is required; see [`HttpBytecodeCacheBuilder`].
    pub fn builder() -> HttpBytecodeCacheBuilder {
        HttpBytecodeCacheBuilder::new()
    }

    /// The cache at `url` with the defaults: `builder().url(url).build()`.
    ///
    /// ```
    /// let cache = bccache::HttpBytecodeCache::connect("http://127.0.0.1:8080/cache/")?;
    /// assert_eq!(cache.layout(), bccache::HttpLayout::Subdirs);
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn connect(url: &str) -> Result<Self> {
        Self::builder().url(url).build()
    }

    /// The cache's URL, password masked.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// Where entries lie under the URL.
    pub fn layout(&self) -> HttpLayout {
        self.inner.layout
    }

    /// Whether the cache only reads.
    pub fn is_read_only(&self) -> bool {
        self.inner.read_only
    }

    /// Whether errors are misses (load) and dropped (store) rather than returned.
    pub fn ignore_errors(&self) -> bool {
        self.inner.shell.ignore_errors
    }

    /// The algorithm sources are summed with.
    pub fn checksum_algorithm(&self) -> crate::Checksum {
        self.inner.shell.checksum
    }
}

impl fmt::Debug for HttpBytecodeCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpBytecodeCache")
            .field("url", &self.inner.url)
            .field("layout", &self.inner.layout)
            .field("read_only", &self.inner.read_only)
            .field("ignore_errors", &self.inner.shell.ignore_errors)
            .finish_non_exhaustive()
    }
}

impl HttpStore {
    /// The request target of the entry under `key`.
    pub(crate) fn target(&self, key: &str) -> String {
        format!("{}{}", self.base, self.layout.relative_path(key))
    }

    /// The full URL of a request target, for errors.
    fn url_of(&self, target: &str) -> String {
        format!("{}{target}", self.server.name)
    }

    /// Sends a request with the store's headers and `extra` ones.
    /// A 200 response's `Content-Length` body is given to `take_body` when there is one, where
    /// it lies in the received bytes.
    pub(crate) fn request(
        &self,
        method: &str,
        target: &str,
        extra: &[(&str, &str)],
        body: &[u8],
        max_body: usize,
        take_body: TakeBody<'_, '_>,
    ) -> std::result::Result<Response, ServerFailure> {
        let mut headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        headers.extend_from_slice(extra);
        let outgoing = Outgoing {
            method,
            target,
            headers: &headers,
            body,
            max_body,
        };
        self.server.send(&outgoing, take_body)
    }

    /// The error of `operation` on `target`.
    pub(crate) fn error(
        &self,
        operation: &'static str,
        target: &str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        Error::Http {
            operation,
            url: self.url_of(target),
            source: Box::new(source),
        }
    }

    /// The error for a response with an unexpected status.
    pub(crate) fn status_error(
        &self,
        operation: &'static str,
        target: &str,
        response: &Response,
    ) -> Error {
        self.error(
            operation,
            target,
            UnexpectedStatus::of(&self.server.name, response),
        )
    }

    /// `PUT`s an encoded entry to `target`.
    pub(crate) fn put(&self, target: &str, entry: &[u8]) -> Result<()> {
        let headers = [("Content-Type", "application/octet-stream")];
        match self.request("PUT", target, &headers, entry, ERROR_BODY, None) {
            Ok(response) if response.is_success() => Ok(()),
            Ok(response) => Err(self.status_error("put", target, &response)),
            Err(failure) => Err(self.error("put", target, failure)),
        }
    }
}

impl BytecodeCache for HttpStore {
    fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
        bucket.reset();
        let target = self.target(&bucket.key);
        let max_body = self.max_entry_size;
        let sent = get_entry(bucket, |take_body| {
            self.request("GET", &target, &[], &[], max_body, take_body)
        });
        let (response, decoded) = match sent {
            Ok(sent) => sent,
            Err(failure) => return self.shell.failed(self.error("get", &target, failure)),
        };
        match response.status {
            200 => {
                let refresh = !self.read_only
                    && due_for_refresh(response.last_modified.as_deref(), self.refresh_after);
                let copy = (refresh && decoded.is_none()).then(|| response.body.clone());
                loaded_entry(&self.shell, bucket, response.body, decoded);
                if refresh && bucket.code.is_some() {
                    // Recency for remote pruning, with the bytes read, or (decoded where they
                    // lay) the same entry encoded again; a failure here costs the hit nothing.
                    let entry = copy.map_or_else(|| bucket.bytecode_to_string(), Ok);
                    if let Err(error) = entry.and_then(|entry| self.put(&target, &entry)) {
                        let _ = self.shell.failed(error);
                    }
                }
                Ok(())
            }
            404 | 410 => {
                self.shell.loaded(bucket, None);
                Ok(())
            }
            _ => self
                .shell
                .failed(self.status_error("get", &target, &response)),
        }
    }

    fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
        let entry = bucket.bytecode_to_string()?;
        if self.read_only {
            return Ok(());
        }
        let target = self.target(&bucket.key);
        self.shell.stored(entry.len(), self.put(&target, &entry))
    }

    object_store_methods!();

    /// Deletes the entries this store wrote under its URL (listed with `PROPFIND`), and
    /// nothing else; a read-only store deletes nothing.
    fn clear(&self) -> Result<()> {
        if self.read_only {
            return Ok(());
        }
        crate::upkeep::remote::clear_store(self).map(|_| ())
    }
}

crate::net::object::public_object_store!(HttpBytecodeCache, HttpStore);
