//! The [`BytecodeCache`] trait: where buckets are loaded from and dumped to.

use std::sync::Arc;

use sha1::{Digest, Sha1};

use crate::bucket::{Bucket, Environment};
use crate::error::Result;

/// A store of [`Bucket`]s, Jinja2's `BytecodeCache`.
///
/// Implement [`load_bytecode`](Self::load_bytecode) and [`dump_bytecode`](Self::dump_bytecode);
/// the rest is provided. The trait is object safe: `Box<dyn BytecodeCache>` and
/// `Arc<dyn BytecodeCache>` are caches too.
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Mutex;
/// use bccache::{Bucket, BytecodeCache};
///
/// /// Keeps encoded buckets in memory.
/// #[derive(Default)]
/// struct MemoryCache(Mutex<HashMap<String, Vec<u8>>>);
///
/// impl BytecodeCache for MemoryCache {
///     fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> bccache::Result<()> {
///         if let Some(bytes) = self.0.lock().unwrap().get(&bucket.key) {
///             bucket.bytecode_from_string(bytes);
///         }
///         Ok(())
///     }
///
///     fn dump_bytecode(&self, bucket: &Bucket<'_>) -> bccache::Result<()> {
///         let bytes = bucket.bytecode_to_string()?;
///         self.0.lock().unwrap().insert(bucket.key.clone(), bytes);
///         Ok(())
///     }
/// }
///
/// let cache: Box<dyn BytecodeCache> = Box::new(MemoryCache::default());
/// let mut bucket = cache.get_bucket(&(), "page.html", None, "<p>{{ x }}</p>")?;
/// assert!(bucket.code.is_none());
/// bucket.code = Some(b"compiled".to_vec());
/// cache.set_bucket(&bucket)?;
/// let bucket = cache.get_bucket(&(), "page.html", None, "<p>{{ x }}</p>")?;
/// assert_eq!(bucket.code.as_deref(), Some(&b"compiled"[..]));
/// # Ok::<(), bccache::Error>(())
/// ```
pub trait BytecodeCache: Send + Sync {
    /// Fills `bucket.code` from the store. Nothing usable found: leave it `None` and return `Ok`.
    fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()>;

    /// Stores the bucket's code. Must report every failure it does not deliberately ignore.
    fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()>;

    /// Removes every entry of this cache. The default does nothing.
    fn clear(&self) -> Result<()> {
        Ok(())
    }

    /// The key of a template: lowercase hex sha1 of `name`, then of `"|" + filename` when given,
    /// byte-identical to Jinja2's.
    ///
    /// ```
    /// # use bccache::BytecodeCache;
    /// # let cache = bccache::FileSystemBytecodeCache::new(std::env::temp_dir(), "__doc_%s.cache")?;
    /// assert_eq!(cache.get_cache_key("index.html", None).len(), 40);
    /// # Ok::<(), bccache::Error>(())
    /// ```
    fn get_cache_key(&self, name: &str, filename: Option<&str>) -> String {
        let mut hash = Sha1::new();
        hash.update(name.as_bytes());
        if let Some(filename) = filename {
            hash.update(b"|");
            hash.update(filename.as_bytes());
        }
        lower_hex(&hash.finalize())
    }

    /// The checksum of a source: lowercase hex sha1, byte-identical to Jinja2's.
    fn get_source_checksum(&self, source: &str) -> String {
        lower_hex(&Sha1::digest(source.as_bytes()))
    }

    /// Builds the bucket of a template and loads it (Jinja2's `get_bucket`).
    fn get_bucket<'e>(
        &self,
        environment: &'e dyn Environment,
        name: &str,
        filename: Option<&str>,
        source: &str,
    ) -> Result<Bucket<'e>> {
        let key = self.get_cache_key(name, filename);
        let checksum = self.get_source_checksum(source);
        let mut bucket = Bucket::new(environment, key, checksum);
        self.load_bytecode(&mut bucket)?;
        Ok(bucket)
    }

    /// Stores a bucket (Jinja2's `set_bucket`): calls [`dump_bytecode`](Self::dump_bytecode).
    fn set_bucket(&self, bucket: &Bucket<'_>) -> Result<()> {
        self.dump_bytecode(bucket)
    }
}

fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// Forwards every method, provided ones included, so a wrapped cache keeps its overrides.
macro_rules! forward_bytecode_cache {
    ($($wrapper:ty),*) => {$(
        impl<T: BytecodeCache + ?Sized> BytecodeCache for $wrapper {
            fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
                (**self).load_bytecode(bucket)
            }
            fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
                (**self).dump_bytecode(bucket)
            }
            fn clear(&self) -> Result<()> {
                (**self).clear()
            }
            fn get_cache_key(&self, name: &str, filename: Option<&str>) -> String {
                (**self).get_cache_key(name, filename)
            }
            fn get_source_checksum(&self, source: &str) -> String {
                (**self).get_source_checksum(source)
            }
            fn get_bucket<'e>(
                &self,
                environment: &'e dyn Environment,
                name: &str,
                filename: Option<&str>,
                source: &str,
            ) -> Result<Bucket<'e>> {
                (**self).get_bucket(environment, name, filename, source)
            }
            fn set_bucket(&self, bucket: &Bucket<'_>) -> Result<()> {
                (**self).set_bucket(bucket)
            }
        }
    )*};
}

forward_bytecode_cache!(&T, Box<T>, Arc<T>);

#[cfg(test)]
mod tests {
    use super::lower_hex;

    #[test]
    fn lower_hex_pads_every_byte() {
        assert_eq!(lower_hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }
}
