//! [`MemcachedClient`]: the interface a [`MemcachedBytecodeCache`] talks to.
//!
//! [`MemcachedBytecodeCache`]: super::MemcachedBytecodeCache

use std::collections::HashMap;
use std::sync::Arc;

#[cfg(doc)]
use super::{MemcachedBytecodeCache, MemcachedBytecodeCacheBuilder};

/// The error a [`MemcachedClient`] returns.
pub(super) type ClientError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The memcached client a [`MemcachedBytecodeCache`] talks to: Jinja2's minimal interface.
///
/// Implemented for [`memcache::Client`] (used as given, with its own pool and timeouts), and for
/// `&T`, `Box<T>` and `Arc<T>` of any client.
///
/// A client given this way parses the server's replies itself, and the cache can only be as
/// sound as it is. `memcache` 0.21 trusts the length a `VALUE` line announces: the reply
/// `VALUE <key> 0 18446744073709551615` makes it panic (the length plus 2 overflows), and
/// `VALUE <key> 0 1099511627776` makes it allocate 1 TiB, which aborts the whole process. Give
/// it only servers no one else can answer for. The stores built from URLs
/// ([`.server(url)`](MemcachedBytecodeCacheBuilder::server),
/// [`connect`](MemcachedBytecodeCache::connect)) do not use it: their own client bounds every
/// reply by the item size, and a hostile reply is a miss (or an error). Implement it to plug in another client; the cache
/// adds the prefix, encodes and decodes, and applies
/// [`ignore_memcache_errors`](MemcachedBytecodeCacheBuilder::ignore_memcache_errors) to every
/// error returned here.
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Mutex;
/// use bccache::{MemcachedBytecodeCache, MemcachedClient};
///
/// /// A stand-in for memcached that never expires anything.
/// #[derive(Default)]
/// struct InProcess(Mutex<HashMap<String, Vec<u8>>>);
///
/// type ClientResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;
///
/// impl MemcachedClient for InProcess {
///     fn get(&self, key: &str) -> ClientResult<Option<Vec<u8>>> {
///         Ok(self.0.lock().map_err(|e| e.to_string())?.get(key).cloned())
///     }
///     fn set(&self, key: &str, value: &[u8], _timeout: Option<u32>) -> ClientResult<()> {
///         self.0.lock().map_err(|e| e.to_string())?.insert(key.to_owned(), value.to_vec());
///         Ok(())
///     }
/// }
///
/// let cache = MemcachedBytecodeCache::new(InProcess::default());
/// assert_eq!(cache.prefix(), "jinja2/bytecode/");
/// ```
pub trait MemcachedClient: Send + Sync {
    /// The value stored under `key`, or `None` when there is none.
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ClientError>;

    /// Stores `value` under `key`, expiring after `timeout` seconds when given (never when
    /// `None`).
    fn set(&self, key: &str, value: &[u8], timeout: Option<u32>) -> Result<(), ClientError>;

    /// The values stored under `keys`, by key; a key with no value is left out. Batch loads
    /// ([`BytecodeCache::get_buckets`](crate::BytecodeCache::get_buckets)) ask for many keys at
    /// once through this.
    ///
    /// The default asks for each key with [`get`](Self::get) and fails at the first error;
    /// implement it with one multi-get per server where the client can. An error fails the whole
    /// call: the cache counts (and, unless errors are ignored, returns) it for every key asked.
    /// A value returned under another key than the one asked is never used.
    ///
    /// ```
    /// # use bccache::MemcachedClient;
    /// # struct One;
    /// # type R<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;
    /// # impl MemcachedClient for One {
    /// #     fn get(&self, key: &str) -> R<Option<Vec<u8>>> { Ok((key == "a").then(|| b"1".to_vec())) }
    /// #     fn set(&self, _: &str, _: &[u8], _: Option<u32>) -> R<()> { Ok(()) }
    /// # }
    /// let found = One.get_multi(&["a", "b"])?;
    /// assert_eq!(found.len(), 1);
    /// assert_eq!(found["a"], b"1");
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    fn get_multi(&self, keys: &[&str]) -> Result<HashMap<String, Vec<u8>>, ClientError> {
        let mut found = HashMap::with_capacity(keys.len());
        for &key in keys {
            if let Some(value) = self.get(key)? {
                found.insert(key.to_owned(), value);
            }
        }
        Ok(found)
    }
}

impl MemcachedClient for memcache::Client {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ClientError> {
        Ok(memcache::Client::get::<Vec<u8>>(self, key)?)
    }

    fn set(&self, key: &str, value: &[u8], timeout: Option<u32>) -> Result<(), ClientError> {
        // memcached reads an expiration of 0 as "never".
        Ok(memcache::Client::set(
            self,
            key,
            value,
            timeout.unwrap_or(0),
        )?)
    }

    /// One multi-get per server of the client (`memcache::Client::gets`).
    fn get_multi(&self, keys: &[&str]) -> Result<HashMap<String, Vec<u8>>, ClientError> {
        Ok(memcache::Client::gets::<Vec<u8>>(self, keys)?)
    }
}

macro_rules! forward_memcached_client {
    ($($wrapper:ty),*) => {$(
        impl<T: MemcachedClient + ?Sized> MemcachedClient for $wrapper {
            fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ClientError> {
                (**self).get(key)
            }
            fn set(
                &self,
                key: &str,
                value: &[u8],
                timeout: Option<u32>,
            ) -> Result<(), ClientError> {
                (**self).set(key, value, timeout)
            }
            fn get_multi(&self, keys: &[&str]) -> Result<HashMap<String, Vec<u8>>, ClientError> {
                (**self).get_multi(keys)
            }
        }
    )*};
}

forward_memcached_client!(&T, Box<T>, Arc<T>);
