//! [`forward_async_bytecode_cache!`]: the async twin of `forward_bytecode_cache!`, the one place
//! where [`AsyncBytecodeCache`](crate::AsyncBytecodeCache)'s methods are listed for forwarding.

/// Writes a whole `#[async_trait] impl AsyncBytecodeCache` whose named methods call the
/// [`Wrapper`](crate::cache::Wrapper)'s store, followed by the impl's own items:
///
/// ```text
/// forward_async_bytecode_cache! {
///     impl[B: AsyncBytecodeCache] for ReadOnly<B>;
///     async: load_bytecode, get_cache_key, ...;   // or `every`
///     { own methods }
/// }
/// ```
///
/// `async:` calls the wrapped store's [`AsyncBytecodeCache`](crate::AsyncBytecodeCache) methods;
/// `in_place:` calls its sync [`BytecodeCache`](crate::BytecodeCache) methods without leaving
/// the task, for stores that never block (the memory store) or for calls that answer from
/// memory (keys, checksums, counters, trust); `in_place via path:` calls them on `path(self)`
/// instead of the wrapped store. Forwarding every provided method too keeps the wrapped
/// store's overrides (its batches).
///
/// The impl is written whole because `#[async_trait]` rewrites the methods it sees: methods
/// made by a macro inside the impl would escape it. So the methods are collected first (the
/// `@munch` arms), then emitted in one impl.
macro_rules! forward_async_bytecode_cache {
    (
        impl[$($generics:tt)*] for $ty:ty $(where [$($bounds:tt)*])?;
        $mode:ident $(via $via:path)?: every;
        { $($own:tt)* }
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            impl[$($generics)*] for $ty $(where [$($bounds)*])?;
            $mode $(via $via)?: load_bytecode, dump_bytecode, clear, get_cache_key,
                get_source_checksum, get_source_checksum_bytes, get_bucket, get_bucket_bytes,
                load_bytecodes, get_buckets, stats, flush_stats, set_bucket, trust, lease,
                decompresses;
            { $($own)* }
        }
    };
    (
        impl[$($generics:tt)*] for $ty:ty $(where [$($bounds:tt)*])?;
        async: $($method:ident),+ $(,)?;
        { $($own:tt)* }
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch [$($generics)*] [$ty] [$($($bounds)*)?] [$($own)*]
            [$crate::AsyncBytecodeCache] [$crate::cache::Wrapper::wrapped] [.await] [] $($method)+
        }
    };
    (
        impl[$($generics:tt)*] for $ty:ty $(where [$($bounds:tt)*])?;
        in_place: $($method:ident),+ $(,)?;
        { $($own:tt)* }
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch [$($generics)*] [$ty] [$($($bounds)*)?] [$($own)*]
            [$crate::BytecodeCache] [$crate::cache::Wrapper::wrapped] [] [] $($method)+
        }
    };
    (
        impl[$($generics:tt)*] for $ty:ty $(where [$($bounds:tt)*])?;
        in_place via $via:path: $($method:ident),+ $(,)?;
        { $($own:tt)* }
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch [$($generics)*] [$ty] [$($($bounds)*)?] [$($own)*]
            [$crate::BytecodeCache] [$via] [] [] $($method)+
        }
    };
    // Every method collected: the impl.
    (
        @munch [$($generics:tt)*] [$ty:ty] [$($bounds:tt)*] [$($own:tt)*]
        $to:tt $via:tt $wait:tt [$($done:tt)*]
    ) => {
        #[::async_trait::async_trait]
        impl<$($generics)*> $crate::AsyncBytecodeCache for $ty where $($bounds)* {
            $($done)*
            $($own)*
        }
    };
    (
        @munch $g:tt $t:tt $b:tt $o:tt [$($to:tt)*] [$($via:tt)*] [$($wait:tt)*] [$($done:tt)*]
        load_bytecode $($rest:ident)*
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $g $t $b $o [$($to)*] [$($via)*] [$($wait)*] [$($done)*
                async fn load_bytecode(
                    &self,
                    bucket: &mut $crate::Bucket<'_>,
                ) -> $crate::Result<()> {
                    $($to)*::load_bytecode($($via)*(self), bucket)$($wait)*
                }
            ] $($rest)*
        }
    };
    (
        @munch $g:tt $t:tt $b:tt $o:tt [$($to:tt)*] [$($via:tt)*] [$($wait:tt)*] [$($done:tt)*]
        dump_bytecode $($rest:ident)*
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $g $t $b $o [$($to)*] [$($via)*] [$($wait)*] [$($done)*
                async fn dump_bytecode(&self, bucket: &$crate::Bucket<'_>) -> $crate::Result<()> {
                    $($to)*::dump_bytecode($($via)*(self), bucket)$($wait)*
                }
            ] $($rest)*
        }
    };
    (
        @munch $g:tt $t:tt $b:tt $o:tt [$($to:tt)*] [$($via:tt)*] [$($wait:tt)*] [$($done:tt)*]
        clear $($rest:ident)*
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $g $t $b $o [$($to)*] [$($via)*] [$($wait)*] [$($done)*
                async fn clear(&self) -> $crate::Result<()> {
                    $($to)*::clear($($via)*(self))$($wait)*
                }
            ] $($rest)*
        }
    };
    (
        @munch $g:tt $t:tt $b:tt $o:tt [$($to:tt)*] [$($via:tt)*] $wait:tt [$($done:tt)*]
        get_cache_key $($rest:ident)*
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $g $t $b $o [$($to)*] [$($via)*] $wait [$($done)*
                fn get_cache_key(&self, name: &str, filename: Option<&str>) -> String {
                    $($to)*::get_cache_key($($via)*(self), name, filename)
                }
            ] $($rest)*
        }
    };
    (
        @munch $g:tt $t:tt $b:tt $o:tt [$($to:tt)*] [$($via:tt)*] $wait:tt [$($done:tt)*]
        get_source_checksum $($rest:ident)*
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $g $t $b $o [$($to)*] [$($via)*] $wait [$($done)*
                fn get_source_checksum(&self, source: &str) -> String {
                    $($to)*::get_source_checksum($($via)*(self), source)
                }
            ] $($rest)*
        }
    };
    (
        @munch $g:tt $t:tt $b:tt $o:tt [$($to:tt)*] [$($via:tt)*] $wait:tt [$($done:tt)*]
        get_source_checksum_bytes $($rest:ident)*
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $g $t $b $o [$($to)*] [$($via)*] $wait [$($done)*
                fn get_source_checksum_bytes(&self, source: &[u8]) -> String {
                    $($to)*::get_source_checksum_bytes(
                        $($via)*(self),
                        source,
                    )
                }
            ] $($rest)*
        }
    };
    (
        @munch $g:tt $t:tt $b:tt $o:tt [$($to:tt)*] [$($via:tt)*] [$($wait:tt)*] [$($done:tt)*]
        get_bucket $($rest:ident)*
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $g $t $b $o [$($to)*] [$($via)*] [$($wait)*] [$($done)*
                async fn get_bucket<'e>(
                    &self,
                    environment: &'e dyn $crate::Environment,
                    name: &str,
                    filename: Option<&str>,
                    source: &str,
                ) -> $crate::Result<$crate::Bucket<'e>> {
                    $($to)*::get_bucket(
                        $($via)*(self),
                        environment,
                        name,
                        filename,
                        source,
                    )$($wait)*
                }
            ] $($rest)*
        }
    };
    (
        @munch $g:tt $t:tt $b:tt $o:tt [$($to:tt)*] [$($via:tt)*] [$($wait:tt)*] [$($done:tt)*]
        get_bucket_bytes $($rest:ident)*
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $g $t $b $o [$($to)*] [$($via)*] [$($wait)*] [$($done)*
                async fn get_bucket_bytes<'e>(
                    &self,
                    environment: &'e dyn $crate::Environment,
                    name: &str,
                    filename: Option<&str>,
                    source: &[u8],
                ) -> $crate::Result<$crate::Bucket<'e>> {
                    $($to)*::get_bucket_bytes(
                        $($via)*(self),
                        environment,
                        name,
                        filename,
                        source,
                    )$($wait)*
                }
            ] $($rest)*
        }
    };
    (
        @munch $g:tt $t:tt $b:tt $o:tt [$($to:tt)*] [$($via:tt)*] [$($wait:tt)*] [$($done:tt)*]
        load_bytecodes $($rest:ident)*
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $g $t $b $o [$($to)*] [$($via)*] [$($wait)*] [$($done)*
                async fn load_bytecodes(
                    &self,
                    buckets: &mut [$crate::Bucket<'_>],
                ) -> $crate::Result<()> {
                    $($to)*::load_bytecodes($($via)*(self), buckets)
                        $($wait)*
                }
            ] $($rest)*
        }
    };
    (
        @munch $g:tt $t:tt $b:tt $o:tt [$($to:tt)*] [$($via:tt)*] [$($wait:tt)*] [$($done:tt)*]
        get_buckets $($rest:ident)*
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $g $t $b $o [$($to)*] [$($via)*] [$($wait)*] [$($done)*
                async fn get_buckets<'e>(
                    &self,
                    environment: &'e dyn $crate::Environment,
                    lookups: &[$crate::Lookup<'_>],
                ) -> $crate::Result<Vec<$crate::Bucket<'e>>> {
                    $($to)*::get_buckets($($via)*(self), environment, lookups)
                        $($wait)*
                }
            ] $($rest)*
        }
    };
    (
        @munch $g:tt $t:tt $b:tt $o:tt [$($to:tt)*] [$($via:tt)*] [$($wait:tt)*] [$($done:tt)*]
        stats $($rest:ident)*
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $g $t $b $o [$($to)*] [$($via)*] [$($wait)*] [$($done)*
                async fn stats(&self) -> Option<$crate::CacheStats> {
                    $($to)*::stats($($via)*(self))$($wait)*
                }
            ] $($rest)*
        }
    };
    (
        @munch $g:tt $t:tt $b:tt $o:tt [$($to:tt)*] [$($via:tt)*] [$($wait:tt)*] [$($done:tt)*]
        flush_stats $($rest:ident)*
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $g $t $b $o [$($to)*] [$($via)*] [$($wait)*] [$($done)*
                async fn flush_stats(&self) -> $crate::Result<()> {
                    $($to)*::flush_stats($($via)*(self))$($wait)*
                }
            ] $($rest)*
        }
    };
    (
        @munch $g:tt $t:tt $b:tt $o:tt [$($to:tt)*] [$($via:tt)*] [$($wait:tt)*] [$($done:tt)*]
        set_bucket $($rest:ident)*
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $g $t $b $o [$($to)*] [$($via)*] [$($wait)*] [$($done)*
                async fn set_bucket(&self, bucket: &$crate::Bucket<'_>) -> $crate::Result<()> {
                    $($to)*::set_bucket($($via)*(self), bucket)$($wait)*
                }
            ] $($rest)*
        }
    };
    (
        @munch $g:tt $t:tt $b:tt $o:tt [$($to:tt)*] [$($via:tt)*] $wait:tt [$($done:tt)*]
        trust $($rest:ident)*
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $g $t $b $o [$($to)*] [$($via)*] $wait [$($done)*
                fn trust(&self) -> $crate::Trust {
                    $($to)*::trust($($via)*(self))
                }
            ] $($rest)*
        }
    };
    (
        @munch $g:tt $t:tt $b:tt $o:tt [$($to:tt)*] [$($via:tt)*] [$($wait:tt)*] [$($done:tt)*]
        lease $($rest:ident)*
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $g $t $b $o [$($to)*] [$($via)*] [$($wait)*] [$($done)*
                async fn lease(
                    &self,
                    key: &str,
                    ttl: ::std::time::Duration,
                ) -> $crate::Result<$crate::Lease> {
                    $($to)*::lease($($via)*(self), key, ttl)$($wait)*
                }
            ] $($rest)*
        }
    };
    (
        @munch $g:tt $t:tt $b:tt $o:tt [$($to:tt)*] [$($via:tt)*] $wait:tt [$($done:tt)*]
        decompresses $($rest:ident)*
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $g $t $b $o [$($to)*] [$($via)*] $wait [$($done)*
                fn decompresses(&self) -> bool {
                    $($to)*::decompresses($($via)*(self))
                }
            ] $($rest)*
        }
    };
}

pub(crate) use forward_async_bytecode_cache;
