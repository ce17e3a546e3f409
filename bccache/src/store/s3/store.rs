//! The store: [`S3BytecodeCache`] and its requests.

use std::fmt;
use std::sync::Arc;

use super::builder::S3BytecodeCacheBuilder;
use super::sign::Signer;
use crate::bucket::Bucket;
use crate::cache::BytecodeCache;
use crate::error::{Error, Result};
use crate::net::http_client::{ERROR_BODY, HttpServer, Outgoing, UnexpectedStatus};
use crate::net::http1::{Response, TakeBody, encode_path, encode_query};
use crate::net::object::{due_for_refresh, get_entry, loaded_entry, object_store_methods};
use crate::net::shell::Shell;

/// Stores each bucket as one object in an S3 bucket, on AWS or any S3-compatible server
/// (MinIO, Ceph, moto...), every request signed with AWS Signature Version 4.
///
/// An entry is the object `prefix + bucket.key` (prefix [`DEFAULT_PREFIX`](crate::DEFAULT_PREFIX)
/// unless set), addressed path-style (`/{bucket}/{key}` on the endpoint), holding exactly
/// [`Bucket::bytecode_to_string`]. A load is a `GetObject` decoded with every check the other
/// stores make, so a corrupt or foreign object is a miss; a dump is one `PutObject`, which S3
/// makes visible whole or not at all (never half-written), streamed from the encoded buffer
/// (signed `UNSIGNED-PAYLOAD`, so a 20 MB entry is neither hashed nor copied again). A hit on
/// an entry last modified over a day ago copies the object onto itself
/// (`x-amz-metadata-directive: REPLACE`), so its `LastModified` tells
/// [`upkeep::remote`](crate::upkeep::remote) it is in use.
///
/// Credentials are given ([`credentials`](S3BytecodeCacheBuilder::credentials)), read from the
/// environment ([`from_env`](S3BytecodeCacheBuilder::from_env), the default), or none
/// ([`anonymous`](S3BytecodeCacheBuilder::anonymous): unsigned requests to a public bucket,
/// read-only). Connections, timeouts, the dead-server skip, the error policy and batch loads
/// (8 requests at once) are those of [`HttpBytecodeCache`](crate::HttpBytecodeCache);
/// `https://` endpoints (AWS's own, the default, among them) need the `https` feature.
/// [`clear`](BytecodeCache::clear) lists the
/// prefix (`ListObjectsV2`) and deletes the entries this store wrote there, and nothing else.
///
/// ```
/// use bccache::S3BytecodeCache;
///
/// // Nothing is contacted here: a cache never stops an application from starting.
/// let cache = S3BytecodeCache::builder()
///     .bucket("templates")
///     .prefix("app/bytecode/")
///     .endpoint("http://127.0.0.1:9000")
///     .region("eu-west-1")
///     .credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
///     .build()?;
/// assert_eq!(cache.location(), "s3://templates/app/bytecode/");
/// # Ok::<(), bccache::Error>(())
/// ```
pub struct S3BytecodeCache {
    pub(crate) inner: Arc<S3Store>,
}

/// The store's body, shared with the blocking pool by the async API.
pub(crate) struct S3Store {
    pub(super) server: HttpServer,
    pub(super) bucket: String,
    /// `None`: anonymous, unsigned and read-only.
    pub(super) signer: Option<Signer>,
    pub(super) region: String,
    pub(super) max_entry_size: usize,
    /// A hit on an entry older than this writes it again.
    pub(super) refresh_after: std::time::Duration,
    pub(super) shell: Shell,
}

impl S3BytecodeCache {
    /// A builder: `.bucket(..)` is required; see [`S3BytecodeCacheBuilder`].
    pub fn builder() -> S3BytecodeCacheBuilder {
        S3BytecodeCacheBuilder::new()
    }

    /// The prefix of every object key.
    pub fn prefix(&self) -> &str {
        &self.inner.shell.prefix
    }

    /// The algorithm sources are summed with.
    pub fn checksum_algorithm(&self) -> crate::Checksum {
        self.inner.shell.checksum
    }

    /// `s3://bucket/prefix`.
    pub fn location(&self) -> String {
        self.inner.location()
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.inner.bucket
    }

    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// Whether requests go unsigned (and the cache only reads).
    pub fn is_anonymous(&self) -> bool {
        self.inner.signer.is_none()
    }

    /// Whether errors are misses (load) and dropped (store) rather than returned.
    pub fn ignore_errors(&self) -> bool {
        self.inner.shell.ignore_errors
    }
}

impl fmt::Debug for S3BytecodeCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3BytecodeCache")
            .field("location", &self.inner.location())
            .field("endpoint", &self.inner.server.name)
            .field("region", &self.inner.region)
            .field("signer", &self.inner.signer)
            .field("ignore_errors", &self.inner.shell.ignore_errors)
            .finish_non_exhaustive()
    }
}

impl S3Store {
    pub(crate) fn location(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.shell.prefix)
    }

    /// The request target of an object: `/{bucket}/{key}`, encoded.
    pub(crate) fn object_target(&self, key: &str) -> String {
        format!("/{}/{}", self.bucket, encode_path(key))
    }

    /// Sends a request, signed unless anonymous.
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
    ) -> std::result::Result<Response, Box<dyn std::error::Error + Send + Sync>> {
        let signed = match &self.signer {
            Some(signer) => {
                let uri = format!("{}://{}{target}", self.server.scheme(), self.server.host());
                signer.sign(method, &uri, extra)?
            }
            None => Vec::new(),
        };
        let mut headers: Vec<(&str, &str)> = extra.to_vec();
        headers.extend(signed.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let outgoing = Outgoing {
            method,
            target,
            headers: &headers,
            body,
            max_body,
        };
        Ok(self.server.send(&outgoing, take_body)?)
    }

    /// The error of `operation` on the object `key`.
    pub(crate) fn error(
        &self,
        operation: &'static str,
        key: &str,
        source: Box<dyn std::error::Error + Send + Sync>,
    ) -> Error {
        Error::S3 {
            operation,
            key: format!("s3://{}/{key}", self.bucket),
            source,
        }
    }

    /// The error for a response with an unexpected status.
    pub(crate) fn status_error(
        &self,
        operation: &'static str,
        key: &str,
        response: &Response,
    ) -> Error {
        self.error(
            operation,
            key,
            Box::new(UnexpectedStatus::of(&self.server.name, response)),
        )
    }

    /// `CopyObject` onto itself: a new `LastModified`, the same bytes.
    fn touch(&self, key: &str) -> Result<()> {
        let target = self.object_target(key);
        let source = format!("/{}/{}", self.bucket, encode_path(key));
        let headers = [
            ("x-amz-copy-source", source.as_str()),
            ("x-amz-metadata-directive", "REPLACE"),
            ("content-type", "application/octet-stream"),
        ];
        match self.request("PUT", &target, &headers, &[], ERROR_BODY, None) {
            Ok(response) if response.is_success() && !has_error(&response) => Ok(()),
            Ok(response) => Err(self.status_error("copy", key, &response)),
            Err(failure) => Err(self.error("copy", key, failure)),
        }
    }
}

/// Whether a 200 reply to a copy carries an `<Error>` document (S3 may fail a copy after
/// answering 200).
fn has_error(response: &Response) -> bool {
    response.body.windows(7).any(|window| window == b"<Error>")
}

impl BytecodeCache for S3Store {
    fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
        bucket.reset();
        let key = self.shell.key(&bucket.key);
        let target = self.object_target(&key);
        let max_body = self.max_entry_size;
        let sent = get_entry(bucket, |take_body| {
            self.request("GET", &target, &[], &[], max_body, take_body)
        });
        let (response, decoded) = match sent {
            Ok(sent) => sent,
            Err(failure) => return self.shell.failed(self.error("get", &key, failure)),
        };
        match response.status {
            200 => {
                let refresh = self.signer.is_some()
                    && due_for_refresh(response.last_modified.as_deref(), self.refresh_after);
                loaded_entry(&self.shell, bucket, response.body, decoded);
                if refresh
                    && bucket.code.is_some()
                    && let Err(error) = self.touch(&key)
                {
                    // Recency for remote pruning; a failure here costs the hit nothing.
                    let _ = self.shell.failed(error);
                }
                Ok(())
            }
            404 => {
                self.shell.loaded(bucket, None);
                Ok(())
            }
            _ => self.shell.failed(self.status_error("get", &key, &response)),
        }
    }

    fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
        let entry = bucket.bytecode_to_string()?;
        if self.signer.is_none() {
            return Ok(());
        }
        let key = self.shell.key(&bucket.key);
        let target = self.object_target(&key);
        let headers = [("content-type", "application/octet-stream")];
        let result = match self.request("PUT", &target, &headers, &entry, ERROR_BODY, None) {
            Ok(response) if response.is_success() => Ok(()),
            Ok(response) => Err(self.status_error("put", &key, &response)),
            Err(failure) => Err(self.error("put", &key, failure)),
        };
        self.shell.stored(entry.len(), result)
    }

    object_store_methods!();

    /// Deletes the entries this store wrote under its prefix (listed with `ListObjectsV2`),
    /// and nothing else; an anonymous store deletes nothing.
    fn clear(&self) -> Result<()> {
        if self.signer.is_none() {
            return Ok(());
        }
        crate::upkeep::remote::clear_store(self).map(|_| ())
    }
}

/// `prefix` as a `ListObjectsV2` query.
pub(crate) fn list_query(prefix: &str, token: Option<&str>) -> String {
    let mut query = String::from("list-type=2");
    if let Some(token) = token {
        query.push_str("&continuation-token=");
        query.push_str(&encode_query(token));
    }
    query.push_str("&prefix=");
    query.push_str(&encode_query(prefix));
    query
}

crate::net::object::public_object_store!(S3BytecodeCache, S3Store);
