//! The seam the store wrappers share: a store around a store that changes the payload and
//! extends the fingerprint it passes down.
//!
//! A [`PayloadLayer`] says what a wrapper does to the code (compress it, sign it) and names
//! that in a tag; [`Layered`] is the one store that applies any layer around any inner store
//! (tower's `Layer`/`Service` split, as small as it gets). A wrapper is a `Layered` with its
//! layer: [`Compressed`](crate::Compressed) and [`Signed`](crate::Signed).
//!
//! The inner store sees ordinary buckets: the same key and checksum, the layer's payload as
//! their code, and a [`LayerEnvironment`] whose fingerprint is the caller's with the layer's
//! tag appended. So the inner store's encoding, integrity trailer and checks are unchanged, and
//! an entry written through one stack of layers is a miss (rejected on its fingerprint) through
//! any other stack, or through none.

use std::borrow::Cow;
use std::mem;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::bucket::{Bucket, Environment};
use crate::cache::{BytecodeCache, Trust, Wrapper, forward_bytecode_cache};
use crate::error::{Error, Result};
use crate::stats::CacheStats;

/// Separates the caller's fingerprint from a layer's tag.
const TAG_SEPARATOR: &[u8] = b"\0bccache-layer ";

/// What identifies an entry apart from its payload: what a signature must cover.
#[cfg_attr(not(feature = "signed"), allow(dead_code))]
pub(crate) struct EntryId<'a> {
    /// The bucket's key.
    pub(crate) key: &'a str,
    /// The source checksum.
    pub(crate) checksum: &'a str,
    /// The fingerprint passed down (the caller's, extended by this layer's tag).
    pub(crate) fingerprint: &'a [u8],
}

/// One payload transformation: code in, payload out, and back.
pub(crate) trait PayloadLayer: Send + Sync {
    /// Names the transformation and its parameters (codec and level, MAC scheme); appended to
    /// the fingerprint passed down, so entries of another layer or none never hit.
    fn tag(&self) -> &[u8];

    /// The payload to store for `code`.
    fn seal(&self, entry: &EntryId<'_>, code: &[u8]) -> Result<Vec<u8>>;

    /// The code inside a stored payload, or `None` when it does not open (corrupt, forged,
    /// too large): a miss.
    fn open(&self, entry: &EntryId<'_>, payload: Vec<u8>) -> Option<Vec<u8>>;

    /// The trust of what this layer opens, given the inner store's.
    fn trust(&self, inner: Trust) -> Trust {
        inner
    }

    /// Whether opening decompresses.
    fn decompresses(&self) -> bool {
        false
    }
}

/// The environment a layer passes down: the caller's fingerprint, then the layer's tag.
pub(crate) struct LayerEnvironment {
    fingerprint: Vec<u8>,
}

impl LayerEnvironment {
    pub(crate) fn new(outer: &dyn Environment, tag: &[u8]) -> Self {
        let outer = outer.fingerprint();
        let mut fingerprint = Vec::with_capacity(outer.len() + TAG_SEPARATOR.len() + tag.len());
        fingerprint.extend_from_slice(&outer);
        fingerprint.extend_from_slice(TAG_SEPARATOR);
        fingerprint.extend_from_slice(tag);
        LayerEnvironment { fingerprint }
    }

    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.fingerprint
    }
}

impl Environment for LayerEnvironment {
    fn fingerprint(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.fingerprint)
    }
}

/// A store that applies `layer` to every payload it passes to `inner`.
///
/// Statistics are the inner store's, except that an entry the inner store found intact but the
/// layer refused to open counts as `rejected` instead of a hit (its bytes stay in `bytes_read`:
/// they were read).
pub(crate) struct Layered<L, B> {
    layer: L,
    inner: B,
    /// Inner hits whose payload did not open.
    refused: AtomicU64,
}

impl<L: PayloadLayer, B> Layered<L, B> {
    pub(crate) fn new(layer: L, inner: B) -> Self {
        Layered {
            layer,
            inner,
            refused: AtomicU64::new(0),
        }
    }

    pub(crate) fn layer(&self) -> &L {
        &self.layer
    }

    #[cfg_attr(not(feature = "signed"), allow(dead_code))]
    pub(crate) fn layer_mut(&mut self) -> &mut L {
        &mut self.layer
    }

    pub(crate) fn inner(&self) -> &B {
        &self.inner
    }

    pub(crate) fn into_inner(self) -> B {
        self.inner
    }

    /// The environment this layer passes down for buckets of `outer`.
    pub(crate) fn environment(&self, outer: &dyn Environment) -> LayerEnvironment {
        LayerEnvironment::new(outer, self.layer.tag())
    }
}

/// The pure halves of a layered call, shared by the sync and the async impl: buckets in and
/// out of the layer; the inner store's I/O happens between them.
impl<L: PayloadLayer, B> Layered<L, B> {
    /// The inner bucket of `bucket`: its key and checksum move in (no copy); [`restore`] moves
    /// them back.
    ///
    /// [`restore`]: Self::restore
    fn inner_bucket<'x>(environment: &'x LayerEnvironment, bucket: &mut Bucket<'_>) -> Bucket<'x> {
        bucket.reset();
        Bucket::new(
            environment,
            mem::take(&mut bucket.key),
            mem::take(&mut bucket.checksum),
        )
    }

    /// Moves key and checksum back into `bucket` and, when `opened`, fills its code from the
    /// inner bucket's payload.
    fn restore(
        &self,
        bucket: &mut Bucket<'_>,
        mut inner: Bucket<'_>,
        environment: &LayerEnvironment,
        opened: bool,
    ) {
        bucket.key = mem::take(&mut inner.key);
        bucket.checksum = mem::take(&mut inner.checksum);
        let Some(payload) = inner.code.take().filter(|_| opened) else {
            return;
        };
        let entry = EntryId {
            key: &bucket.key,
            checksum: &bucket.checksum,
            fingerprint: &environment.fingerprint,
        };
        bucket.code = self.layer.open(&entry, payload);
        if bucket.code.is_none() {
            self.refused.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The environments of a batch, one per bucket.
    fn environments(&self, buckets: &[Bucket<'_>]) -> Vec<LayerEnvironment> {
        buckets
            .iter()
            .map(|bucket| self.environment(bucket.environment))
            .collect()
    }

    /// The inner buckets of a batch, as [`inner_bucket`](Self::inner_bucket).
    fn inner_batch<'x>(
        environments: &'x [LayerEnvironment],
        buckets: &mut [Bucket<'_>],
    ) -> Vec<Bucket<'x>> {
        buckets
            .iter_mut()
            .zip(environments)
            .map(|(bucket, environment)| Self::inner_bucket(environment, bucket))
            .collect()
    }

    /// [`restore`](Self::restore) of a batch.
    fn restore_batch(
        &self,
        buckets: &mut [Bucket<'_>],
        inner: Vec<Bucket<'_>>,
        environments: &[LayerEnvironment],
        opened: bool,
    ) {
        for ((bucket, inner), environment) in buckets.iter_mut().zip(inner).zip(environments) {
            self.restore(bucket, inner, environment, opened);
        }
    }

    /// The inner bucket to store for `bucket`: the layer's payload of its code.
    fn sealed<'x>(
        &self,
        environment: &'x LayerEnvironment,
        bucket: &Bucket<'_>,
    ) -> Result<Bucket<'x>> {
        let code = bucket.code.as_deref().ok_or_else(|| Error::EmptyBucket {
            key: bucket.key.clone(),
        })?;
        let entry = EntryId {
            key: &bucket.key,
            checksum: &bucket.checksum,
            fingerprint: &environment.fingerprint,
        };
        let payload = self.layer.seal(&entry, code)?;
        let mut inner = Bucket::new(environment, bucket.key.clone(), bucket.checksum.clone());
        inner.code = Some(payload);
        Ok(inner)
    }

    /// The inner store's counts, with refused payloads moved from hits to `rejected`.
    fn counted(&self, inner: Option<CacheStats>) -> Option<CacheStats> {
        let mut stats = inner?;
        let refused = self.refused.load(Ordering::Relaxed).min(stats.hits);
        stats.hits -= refused;
        stats.rejected += refused;
        Some(stats)
    }
}

impl<L, B> Wrapper for Layered<L, B> {
    type Inner = B;

    fn wrapped(&self) -> &B {
        &self.inner
    }
}

impl<L: PayloadLayer, B: BytecodeCache> BytecodeCache for Layered<L, B> {
    forward_bytecode_cache!(
        clear,
        get_cache_key,
        get_source_checksum,
        get_source_checksum_bytes,
        flush_stats,
        lease,
    );

    fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
        let environment = self.environment(bucket.environment);
        let mut inner = Self::inner_bucket(&environment, bucket);
        let loaded = self.inner.load_bytecode(&mut inner);
        self.restore(bucket, inner, &environment, loaded.is_ok());
        loaded
    }

    fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
        let environment = self.environment(bucket.environment);
        self.inner
            .dump_bytecode(&self.sealed(&environment, bucket)?)
    }

    /// One batch call to the inner store for all buckets, then each payload is opened.
    fn load_bytecodes(&self, buckets: &mut [Bucket<'_>]) -> Result<()> {
        let environments = self.environments(buckets);
        let mut inner = Self::inner_batch(&environments, buckets);
        let loaded = self.inner.load_bytecodes(&mut inner);
        self.restore_batch(buckets, inner, &environments, loaded.is_ok());
        loaded
    }

    fn trust(&self) -> Trust {
        self.layer.trust(self.inner.trust())
    }

    fn decompresses(&self) -> bool {
        self.layer.decompresses() || self.inner.decompresses()
    }

    fn stats(&self) -> Option<CacheStats> {
        self.counted(self.inner.stats())
    }
}

// The same layer around an async store: the same pure halves, the inner store awaited.
#[cfg(feature = "tokio")]
crate::async_cache::forward_async_bytecode_cache! {
    impl[L: PayloadLayer, B: crate::AsyncBytecodeCache] for Layered<L, B>;
    async: clear, get_cache_key, get_source_checksum, get_source_checksum_bytes, flush_stats,
        lease;
    {
        async fn load_bytecode(&self, bucket: &mut Bucket<'_>) -> Result<()> {
            let environment = self.environment(bucket.environment);
            let mut inner = Self::inner_bucket(&environment, bucket);
            let loaded = crate::AsyncBytecodeCache::load_bytecode(&self.inner, &mut inner).await;
            self.restore(bucket, inner, &environment, loaded.is_ok());
            loaded
        }

        async fn dump_bytecode(&self, bucket: &Bucket<'_>) -> Result<()> {
            let environment = self.environment(bucket.environment);
            let inner = self.sealed(&environment, bucket)?;
            crate::AsyncBytecodeCache::dump_bytecode(&self.inner, &inner).await
        }

        async fn load_bytecodes(&self, buckets: &mut [Bucket<'_>]) -> Result<()> {
            let environments = self.environments(buckets);
            let mut inner = Self::inner_batch(&environments, buckets);
            let loaded = crate::AsyncBytecodeCache::load_bytecodes(&self.inner, &mut inner).await;
            self.restore_batch(buckets, inner, &environments, loaded.is_ok());
            loaded
        }

        fn trust(&self) -> Trust {
            self.layer.trust(crate::AsyncBytecodeCache::trust(&self.inner))
        }

        fn decompresses(&self) -> bool {
            self.layer.decompresses() || crate::AsyncBytecodeCache::decompresses(&self.inner)
        }

        async fn stats(&self) -> Option<CacheStats> {
            self.counted(crate::AsyncBytecodeCache::stats(&self.inner).await)
        }
    }
}

/// Implements [`BytecodeCache`] (and, with the `tokio` feature,
/// [`AsyncBytecodeCache`](crate::AsyncBytecodeCache)) for a wrapper `$wrapper<B>` whose field
/// `layered` is a [`Layered`]: the methods `Layered` provides are forwarded, the rest stay the
/// traits' defaults so that they go through the layer (an inner `get_bucket` would skip it).
macro_rules! layered_cache {
    ($wrapper:ident, $layer:ty) => {
        $crate::wrap::layer::layered_cache!(
            @ $wrapper, $layer;
            load_bytecode, dump_bytecode, clear, get_cache_key, get_source_checksum,
            get_source_checksum_bytes, load_bytecodes, stats, flush_stats, trust, lease,
            decompresses
        );
    };
    (@ $wrapper:ident, $layer:ty; $($method:ident),+) => {
        impl<B> $crate::cache::Wrapper for $wrapper<B> {
            type Inner = $crate::wrap::layer::Layered<$layer, B>;

            fn wrapped(&self) -> &Self::Inner {
                &self.layered
            }
        }

        impl<B: $crate::BytecodeCache> $crate::BytecodeCache for $wrapper<B> {
            $crate::cache::forward_bytecode_cache!($($method),+);
        }

        #[cfg(feature = "tokio")]
        $crate::async_cache::forward_async_bytecode_cache! {
            impl[B: $crate::AsyncBytecodeCache] for $wrapper<B>;
            async: $($method),+;
            {}
        }
    };
}

pub(crate) use layered_cache;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FileSystemBytecodeCache;

    /// Reverses the code; refuses payloads that start with `!`.
    struct Reverse;

    impl PayloadLayer for Reverse {
        fn tag(&self) -> &[u8] {
            b"reverse"
        }
        fn seal(&self, _: &EntryId<'_>, code: &[u8]) -> Result<Vec<u8>> {
            Ok(code.iter().rev().copied().collect())
        }
        fn open(&self, _: &EntryId<'_>, mut payload: Vec<u8>) -> Option<Vec<u8>> {
            if payload.first() == Some(&b'!') {
                return None;
            }
            payload.reverse();
            Some(payload)
        }
    }

    #[test]
    fn the_fingerprint_passed_down_is_the_callers_then_the_tag() {
        struct Named;
        impl Environment for Named {
            fn fingerprint(&self) -> Cow<'_, [u8]> {
                Cow::Borrowed(b"engine 1")
            }
        }
        let environment = LayerEnvironment::new(&Named, b"reverse");
        assert_eq!(
            environment.into_bytes(),
            b"engine 1\0bccache-layer reverse".to_vec()
        );
    }

    #[test]
    fn payload_is_transformed_on_the_way_down_and_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FileSystemBytecodeCache::new(dir.path(), "__t_%s.cache").expect("store");
        let layered = Layered::new(Reverse, &store);

        let mut bucket = layered.get_bucket(&(), "a", None, "src").expect("load");
        bucket.code = Some(b"abc".to_vec());
        layered.set_bucket(&bucket).expect("dump");

        let back = layered.get_bucket(&(), "a", None, "src").expect("load");
        assert_eq!(back.code.as_deref(), Some(&b"abc"[..]));
        assert_eq!(back.key, bucket.key);
        // The inner store holds the transformed payload under the extended fingerprint.
        let environment = layered.environment(&());
        let inner = store
            .get_bucket(&environment, "a", None, "src")
            .expect("load");
        assert_eq!(inner.code.as_deref(), Some(&b"cba"[..]));
        assert!(
            store
                .get_bucket(&(), "a", None, "src")
                .expect("load")
                .code
                .is_none()
        );

        // `clear` is the inner store's.
        layered.clear().expect("clear");
        let cleared = layered.get_bucket(&(), "a", None, "src").expect("load");
        assert!(cleared.code.is_none());
    }

    #[test]
    fn a_payload_that_does_not_open_is_a_miss_counted_as_rejected() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FileSystemBytecodeCache::new(dir.path(), "__t_%s.cache").expect("store");
        let layered = Layered::new(Reverse, &store);
        let environment = layered.environment(&());
        let mut planted = store
            .get_bucket(&environment, "a", None, "src")
            .expect("load");
        planted.code = Some(b"!refused".to_vec());
        store.set_bucket(&planted).expect("dump");

        let mut buckets = layered
            .get_buckets(&(), &[crate::Lookup::new("a", "src")])
            .expect("batch");
        assert!(buckets[0].code.is_none());
        assert_eq!(buckets[0].key, planted.key);
        layered.load_bytecode(&mut buckets[0]).expect("load");
        assert!(buckets[0].code.is_none());
        let stats = layered.stats().expect("counts");
        assert_eq!((stats.hits, stats.rejected, stats.misses), (0, 2, 1));
    }
}
