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
/// `@munch` arms: each name's signature from the `@signature` table, written out by `@emit`),
/// then emitted in one impl.
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
            @munch [[$($generics)*] [$ty] [$($($bounds)*)?] [$($own)*]]
            [[$crate::AsyncBytecodeCache] [$crate::cache::Wrapper::wrapped] [.await]]
            [] $($method)+
        }
    };
    (
        impl[$($generics:tt)*] for $ty:ty $(where [$($bounds:tt)*])?;
        in_place: $($method:ident),+ $(,)?;
        { $($own:tt)* }
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch [[$($generics)*] [$ty] [$($($bounds)*)?] [$($own)*]]
            [[$crate::BytecodeCache] [$crate::cache::Wrapper::wrapped] []]
            [] $($method)+
        }
    };
    (
        impl[$($generics:tt)*] for $ty:ty $(where [$($bounds:tt)*])?;
        in_place via $via:path: $($method:ident),+ $(,)?;
        { $($own:tt)* }
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch [[$($generics)*] [$ty] [$($($bounds)*)?] [$($own)*]]
            [[$crate::BytecodeCache] [$via] []]
            [] $($method)+
        }
    };
    // Every method collected: the impl.
    (
        @munch [[$($generics:tt)*] [$ty:ty] [$($bounds:tt)*] [$($own:tt)*]]
        $call:tt [$($done:tt)*]
    ) => {
        #[::async_trait::async_trait]
        impl<$($generics)*> $crate::AsyncBytecodeCache for $ty where $($bounds)* {
            $($done)*
            $($own)*
        }
    };
    // The next method: its signature, then back here with it written.
    (@munch $impl:tt $call:tt $done:tt $method:ident $($rest:ident)*) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @signature $method [$impl $call $done [$($rest)*]]
        }
    };
    (
        @emit
        [$impl:tt [[$($to:tt)*] [$($via:tt)*] [$($wait:tt)*]] [$($done:tt)*] [$($rest:ident)*]]
        async $name:ident [$($generics:tt)*] [$($arg:ident: $arg_ty:ty),*] [$($ret:tt)*]
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $impl [[$($to)*] [$($via)*] [$($wait)*]] [$($done)*
                async fn $name<$($generics)*>(&self, $($arg: $arg_ty),*) -> $($ret)* {
                    $($to)*::$name($($via)*(self), $($arg),*)$($wait)*
                }
            ] $($rest)*
        }
    };
    (
        @emit [$impl:tt [[$($to:tt)*] [$($via:tt)*] $wait:tt] [$($done:tt)*] [$($rest:ident)*]]
        sync $name:ident [] [$($arg:ident: $arg_ty:ty),*] [$($ret:tt)*]
    ) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @munch $impl [[$($to)*] [$($via)*] $wait] [$($done)*
                fn $name(&self, $($arg: $arg_ty),*) -> $($ret)* {
                    $($to)*::$name($($via)*(self), $($arg),*)
                }
            ] $($rest)*
        }
    };
    // The trait's methods: `async` or not, name, lifetimes, arguments, return type.
    (@signature load_bytecode $k:tt) => { $crate::async_cache::forward_async_bytecode_cache! {
        @emit $k async load_bytecode [] [bucket: &mut $crate::Bucket<'_>] [$crate::Result<()>]
    } };
    (@signature dump_bytecode $k:tt) => { $crate::async_cache::forward_async_bytecode_cache! {
        @emit $k async dump_bytecode [] [bucket: &$crate::Bucket<'_>] [$crate::Result<()>]
    } };
    (@signature clear $k:tt) => { $crate::async_cache::forward_async_bytecode_cache! {
        @emit $k async clear [] [] [$crate::Result<()>]
    } };
    (@signature get_cache_key $k:tt) => { $crate::async_cache::forward_async_bytecode_cache! {
        @emit $k sync get_cache_key [] [name: &str, filename: Option<&str>] [String]
    } };
    (@signature get_source_checksum $k:tt) => { $crate::async_cache::forward_async_bytecode_cache! {
        @emit $k sync get_source_checksum [] [source: &str] [String]
    } };
    (@signature get_source_checksum_bytes $k:tt) => {
        $crate::async_cache::forward_async_bytecode_cache! {
            @emit $k sync get_source_checksum_bytes [] [source: &[u8]] [String]
        }
    };
    (@signature get_bucket $k:tt) => { $crate::async_cache::forward_async_bytecode_cache! {
        @emit $k async get_bucket ['e] [
            environment: &'e dyn $crate::Environment, name: &str, filename: Option<&str>,
            source: &str
        ] [$crate::Result<$crate::Bucket<'e>>]
    } };
    (@signature get_bucket_bytes $k:tt) => { $crate::async_cache::forward_async_bytecode_cache! {
        @emit $k async get_bucket_bytes ['e] [
            environment: &'e dyn $crate::Environment, name: &str, filename: Option<&str>,
            source: &[u8]
        ] [$crate::Result<$crate::Bucket<'e>>]
    } };
    (@signature load_bytecodes $k:tt) => { $crate::async_cache::forward_async_bytecode_cache! {
        @emit $k async load_bytecodes [] [buckets: &mut [$crate::Bucket<'_>]] [$crate::Result<()>]
    } };
    (@signature get_buckets $k:tt) => { $crate::async_cache::forward_async_bytecode_cache! {
        @emit $k async get_buckets ['e] [
            environment: &'e dyn $crate::Environment, lookups: &[$crate::Lookup<'_>]
        ] [$crate::Result<Vec<$crate::Bucket<'e>>>]
    } };
    (@signature stats $k:tt) => { $crate::async_cache::forward_async_bytecode_cache! {
        @emit $k async stats [] [] [Option<$crate::CacheStats>]
    } };
    (@signature flush_stats $k:tt) => { $crate::async_cache::forward_async_bytecode_cache! {
        @emit $k async flush_stats [] [] [$crate::Result<()>]
    } };
    (@signature set_bucket $k:tt) => { $crate::async_cache::forward_async_bytecode_cache! {
        @emit $k async set_bucket [] [bucket: &$crate::Bucket<'_>] [$crate::Result<()>]
    } };
    (@signature trust $k:tt) => { $crate::async_cache::forward_async_bytecode_cache! {
        @emit $k sync trust [] [] [$crate::Trust]
    } };
    (@signature lease $k:tt) => { $crate::async_cache::forward_async_bytecode_cache! {
        @emit $k async lease [] [key: &str, ttl: ::std::time::Duration]
        [$crate::Result<$crate::Lease>]
    } };
    (@signature decompresses $k:tt) => { $crate::async_cache::forward_async_bytecode_cache! {
        @emit $k sync decompresses [] [] [bool]
    } };
}

pub(crate) use forward_async_bytecode_cache;
