//! The one error type of bccache.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong in bccache.
///
/// Messages are lowercase and name the path, key or value at fault. A bad cache entry is never an
/// error: it is a miss, and the caller compiles again.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A bucket with no code was written or encoded.
    #[error("bucket `{key}` holds no bytecode to write")]
    EmptyBucket {
        /// The bucket's key.
        key: String,
    },

    /// A bucket whose key or checksum cannot be encoded (longer than 4 GiB).
    #[error("bucket `{key}` cannot be encoded: {reason}")]
    InvalidBucket {
        /// The bucket's key, cut to its first 64 characters.
        key: String,
        /// What is wrong.
        reason: &'static str,
    },

    /// A bucket key that cannot name an entry of this store (e.g. it holds a path separator).
    #[error("invalid cache key `{key}`: {reason}")]
    InvalidKey {
        /// The key as given.
        key: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A reader handed to [`Bucket::load_bytecode`](crate::Bucket::load_bytecode) failed.
    #[error("cannot read bytecode for `{key}`")]
    Read {
        /// The bucket's key.
        key: String,
        /// The reader's error.
        #[source]
        source: io::Error,
    },

    /// A writer handed to [`Bucket::write_bytecode`](crate::Bucket::write_bytecode) failed.
    #[error("cannot write bytecode for `{key}`")]
    Write {
        /// The bucket's key.
        key: String,
        /// The writer's error.
        #[source]
        source: io::Error,
    },

    /// A file-name pattern that cannot name cache files.
    #[error("invalid cache file pattern `{pattern}`: {reason}")]
    InvalidPattern {
        /// The pattern as given.
        pattern: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The cache directory is not safe to use (symlink, not a directory, another owner).
    #[error("refusing cache directory `{path}`: {reason}")]
    UnsafeDirectory {
        /// The directory.
        path: PathBuf,
        /// Why it was refused.
        reason: String,
    },

    /// A filesystem operation failed.
    #[error("cannot {action} `{path}`")]
    Io {
        /// What was being done, e.g. "create cache directory".
        action: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },

    /// An invalid key prefix of a memcached or Redis cache.
    #[error("invalid key prefix `{prefix}`: {reason}")]
    InvalidPrefix {
        /// The prefix as given.
        prefix: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// An invalid expiry of a memcached or Redis cache.
    #[error("invalid timeout {timeout}: {reason}")]
    InvalidTimeout {
        /// The timeout in seconds, as given.
        timeout: u64,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// An invalid memcached or Redis server URL.
    #[error("invalid server `{url}`: {reason}")]
    InvalidServer {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },

    /// An invalid memcached item size, given to the memcached builder's `max_item_size`.
    #[error("invalid memcached item size {size}: {reason}")]
    InvalidItemSize {
        /// The size in bytes, as given.
        size: usize,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A memcached builder with neither `.server(url)` nor `.client(c)`, or a Redis builder
    /// without `.server(url)`.
    #[error("the cache needs a server: call `.server(url)` (memcached: or `.client(client)`)")]
    NoServer,

    /// A memcached operation failed (and errors are not ignored).
    #[error("memcached {operation} of `{key}` failed")]
    Memcached {
        /// "get" or "set".
        operation: &'static str,
        /// The full memcached key.
        key: String,
        /// The client's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },

    /// A Redis operation failed (and errors are not ignored, or it was a `clear`).
    #[error("redis {operation} of `{key}` failed")]
    Redis {
        /// "get", "set", "mget" or "clear".
        operation: &'static str,
        /// The full Redis key (for `clear`, the `SCAN` pattern).
        key: String,
        /// What failed, naming the server.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },

    /// An HTTP cache's request failed (and errors are not ignored, or it was upkeep).
    #[error("http {operation} of `{url}` failed")]
    Http {
        /// "get", "put", "delete", "propfind" or "clear".
        operation: &'static str,
        /// The URL asked, password masked.
        url: String,
        /// What failed, naming the server.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },

    /// An S3 cache's request failed (and errors are not ignored, or it was upkeep).
    #[error("s3 {operation} of `{key}` failed")]
    S3 {
        /// "get", "put", "copy", "delete", "list" or "clear".
        operation: &'static str,
        /// `s3://bucket/key`.
        key: String,
        /// What failed, naming the endpoint.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },

    /// A setting of an HTTP or S3 cache that cannot work: a header, credentials, a bucket name.
    #[error("invalid {setting} `{value}`: {reason}")]
    InvalidSetting {
        /// What the setting is, e.g. "header" or "bucket".
        setting: &'static str,
        /// The value as given (secrets masked).
        value: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A batch lookup failed; every entry of the batch but the first carries this copy of the
    /// error's message (see [`CachedLoader::load_many`](crate::CachedLoader::load_many)).
    #[error("batch lookup failed: {message}")]
    Batch {
        /// The message of the error the batch failed with.
        message: String,
    },

    /// A `#[derive(BytecodeCache)]` configuration this build of bccache cannot make (a store's
    /// feature is off); the derive reports it at compile time, so only a hand-made one gets here.
    #[error("cannot build the derived cache: {reason}")]
    DerivedConfig {
        /// What is missing.
        reason: String,
    },

    /// A checksum name that is neither `sha1` nor `xxh3`.
    #[error("unknown checksum `{name}`; use `sha1` or `xxh3`")]
    InvalidChecksum {
        /// The name as given.
        name: String,
    },

    /// A zstd compression level outside `1..=22` (see `Compressed::new`).
    #[error("invalid zstd compression level {level}: use a level from 1 to 22")]
    InvalidCompressionLevel {
        /// The level as given.
        level: i32,
    },

    /// zstd failed to compress a bucket's code.
    #[error("cannot compress bytecode for `{key}`")]
    Compress {
        /// The bucket's key.
        key: String,
        /// zstd's error.
        #[source]
        source: io::Error,
    },

    /// `Compressed` code too large for the wrapper's decode limit: it would be a miss at every
    /// load, so it is refused when stored (see `Compressed::decode_limit`).
    #[error(
        "bytecode for `{key}` is {len} bytes, over the compressed store's decode limit of {limit} \
         bytes; raise it with `Compressed::decode_limit`"
    )]
    OverDecodeLimit {
        /// The bucket's key.
        key: String,
        /// The code's length.
        len: u64,
        /// The wrapper's decode limit.
        limit: u64,
    },

    /// `Signed` around a store that decompresses: its MAC would be checked only after an
    /// attacker's payload was decompressed. Sign inside, compress outside.
    #[error(
        "cannot sign a store that decompresses (`Signed::new(Compressed::new(..))`): the \
         signature must be checked before decompression; write \
         `Compressed::new(Signed::new(store, key)?, level)`"
    )]
    SignedAroundCompressed,

    /// The runtime shut down while a store's call waited on its blocking pool (`Blocking`).
    #[error("the runtime shut down during a blocking cache call")]
    RuntimeShutdown,

    /// A signing key that cannot sign entries (see `Signed::new`): too short.
    #[error("invalid signing key: {reason}")]
    InvalidSigningKey {
        /// What is wrong with it.
        reason: String,
    },

    /// The environment variable meant to hold the signing key is unset, not hex or base64, or
    /// holds too short a key (see `Signed::from_env`).
    #[error("invalid signing key in environment variable `{var}`: {reason}")]
    SigningKeyVar {
        /// The variable's name.
        var: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// `Result<T, bccache::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
