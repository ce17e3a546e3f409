//! [`Store`]: a cache usable from sync and async code alike, as one trait object.

use super::AsyncBytecodeCache;
use crate::cache::BytecodeCache;

/// A cache that implements both [`BytecodeCache`] and [`AsyncBytecodeCache`]: every built-in
/// store and wrapper does (the wrappers when what they wrap does), and so does every type that
/// implements both traits.
///
/// It exists to be a trait object: `Box<dyn Store>` holds any such cache and serves sync and
/// async callers without an adapter, so that a store which is natively async (the memory and
/// filesystem stores, memcached and Redis) stays so. A
/// [`TieredBytecodeCache`](crate::TieredBytecodeCache) made
/// [`from_stores`](crate::TieredBytecodeCache::from_stores) uses each tier's own async impl,
/// and a derived cache's backend is one.
///
/// Both traits name their methods alike, so a call on a `dyn Store` names the trait:
///
/// ```
/// use bccache::{AsyncBytecodeCache, BytecodeCache, FileSystemBytecodeCache, Store};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let store: Box<dyn Store> =
///     Box::new(FileSystemBytecodeCache::new(dir.path(), "__app_%s.cache")?);
///
/// let mut bucket = BytecodeCache::get_bucket(&*store, &(), "a.lua", None, "return 1")?;
/// bucket.code = Some(b"compiled".to_vec());
/// BytecodeCache::set_bucket(&*store, &bucket)?;
///
/// let hit = AsyncBytecodeCache::get_bucket(&*store, &(), "a.lua", None, "return 1").await?;
/// assert_eq!(hit.code.as_deref(), Some(&b"compiled"[..]));
/// # Ok(())
/// # }
/// ```
pub trait Store: BytecodeCache + AsyncBytecodeCache {}

impl<T: BytecodeCache + AsyncBytecodeCache + ?Sized> Store for T {}
