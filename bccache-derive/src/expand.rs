//! Tokens out: the `impl ::bccache::BytecodeCache` and, through a `__private` macro that keeps
//! it only with bccache's `tokio` feature, the `impl ::bccache::AsyncBytecodeCache`; or the
//! errors and fallback impls.

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::{DeriveInput, Generics, LitStr, Type, WherePredicate, parse_quote};

use crate::ast::{Cache, FieldRef, FieldUse, Input, Network, NetworkKind, Value};
use crate::value::ChecksumKind;

pub fn derive(input: &DeriveInput) -> TokenStream {
    match Input::from_syn(input) {
        Ok(model) => impl_cache(&model),
        Err(errors) => {
            // Next to the errors, an impl that type checks: the user sees these errors only, not
            // a cascade of "`BytecodeCache` is not implemented" wherever the type is used.
            let errors = errors.to_compile_error();
            let fallback = fallback(&input.ident, &input.generics);
            quote!(#errors #fallback)
        }
    }
}

fn impl_cache(input: &Input) -> TokenStream {
    let cache = &input.cache;
    let shared = cache.reads_fields();
    let config = config(cache);
    let backend = if shared {
        quote!(&*::bccache::__private::backend_shared(#config)?)
    } else {
        quote!(&*::bccache::__private::backend_static(&__BCCACHE_BACKEND, #config)?)
    };
    // The `BackendRef`, as a `Result`.
    let backend_stats = if shared {
        quote!(::bccache::__private::backend_shared(#config))
    } else {
        quote!(::bccache::__private::backend_static(&__BCCACHE_BACKEND, #config))
    };
    let checksum = match cache.checksum {
        Some(ChecksumKind::Xxh3) => quote!(::bccache::Checksum::Xxh3_128),
        Some(ChecksumKind::Sha1) | None => quote!(::bccache::Checksum::Sha1),
    };

    // A configuration of literals is built once per impl, in a static; one read from fields is
    // looked up by its values at each call.
    let cell = (!shared).then(|| {
        quote! {
            static __BCCACHE_BACKEND: ::bccache::__private::OnceLock<::bccache::__private::Backend> =
                ::bccache::__private::OnceLock::new();
        }
    });
    let guards = guards(cache);
    let ident = input.ident;
    let generics = with_bounds(input);
    let async_impl = async_impl(ident, &generics, &backend_stats, &checksum);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        #[doc(hidden)]
        const _: () = {
            #guards

            #cell

            #[automatically_derived]
            impl #impl_generics ::bccache::BytecodeCache for #ident #ty_generics #where_clause {
                fn load_bytecode(
                    &self,
                    bucket: &mut ::bccache::Bucket<'_>,
                ) -> ::bccache::Result<()> {
                    ::bccache::BytecodeCache::load_bytecode(#backend, bucket)
                }

                fn dump_bytecode(&self, bucket: &::bccache::Bucket<'_>) -> ::bccache::Result<()> {
                    ::bccache::BytecodeCache::dump_bytecode(#backend, bucket)
                }

                fn clear(&self) -> ::bccache::Result<()> {
                    ::bccache::BytecodeCache::clear(#backend)
                }

                // Known from the attribute: no backend is needed to sum a source.
                fn get_source_checksum_bytes(
                    &self,
                    source: &[::core::primitive::u8],
                ) -> ::std::string::String {
                    #checksum.of(source)
                }

                fn load_bytecodes(
                    &self,
                    buckets: &mut [::bccache::Bucket<'_>],
                ) -> ::bccache::Result<()> {
                    ::bccache::BytecodeCache::load_bytecodes(#backend, buckets)
                }

                fn get_buckets<'e>(
                    &self,
                    environment: &'e dyn ::bccache::Environment,
                    lookups: &[::bccache::Lookup<'_>],
                ) -> ::bccache::Result<::std::vec::Vec<::bccache::Bucket<'e>>> {
                    ::bccache::BytecodeCache::get_buckets(#backend, environment, lookups)
                }

                fn stats(&self) -> ::core::option::Option<::bccache::CacheStats> {
                    // A backend that cannot be built has counted nothing.
                    ::bccache::BytecodeCache::stats(&*#backend_stats.ok()?)
                }

                fn flush_stats(&self) -> ::bccache::Result<()> {
                    ::bccache::BytecodeCache::flush_stats(#backend)
                }

                fn lease(
                    &self,
                    key: &::core::primitive::str,
                    ttl: ::core::time::Duration,
                ) -> ::bccache::Result<::bccache::Lease> {
                    ::bccache::BytecodeCache::lease(#backend, key, ttl)
                }
            }

            #async_impl
        };
    }
}

/// The same cache as an `AsyncBytecodeCache`, through a `__private` macro that keeps it only
/// when bccache has its `tokio` feature. Each method gets the backend before its first
/// `.await`, so that only the (`Send`) backend is held across it.
fn async_impl(
    ident: &Ident,
    generics: &Generics,
    backend: &TokenStream,
    checksum: &TokenStream,
) -> TokenStream {
    let call = |method: TokenStream, args: TokenStream| {
        quote! {
            let backend = #backend?;
            ::bccache::AsyncBytecodeCache::#method(&*backend, #args).await
        }
    };
    let load = call(quote!(load_bytecode), quote!(bucket));
    let dump = call(quote!(dump_bytecode), quote!(bucket));
    let clear = call(quote!(clear), quote!());
    let load_many = call(quote!(load_bytecodes), quote!(buckets));
    let get_buckets = call(quote!(get_buckets), quote!(environment, lookups));
    let flush = call(quote!(flush_stats), quote!());
    let lease = call(quote!(lease), quote!(key, ttl));
    async_impl_of(
        ident,
        generics,
        quote! {
            async fn load_bytecode(
                &self,
                bucket: &mut ::bccache::Bucket<'_>,
            ) -> ::bccache::Result<()> {
                #load
            }

            async fn dump_bytecode(
                &self,
                bucket: &::bccache::Bucket<'_>,
            ) -> ::bccache::Result<()> {
                #dump
            }

            async fn clear(&self) -> ::bccache::Result<()> {
                #clear
            }

            fn get_source_checksum_bytes(
                &self,
                source: &[::core::primitive::u8],
            ) -> ::std::string::String {
                #checksum.of(source)
            }

            async fn load_bytecodes(
                &self,
                buckets: &mut [::bccache::Bucket<'_>],
            ) -> ::bccache::Result<()> {
                #load_many
            }

            async fn get_buckets<'e>(
                &self,
                environment: &'e dyn ::bccache::Environment,
                lookups: &[::bccache::Lookup<'_>],
            ) -> ::bccache::Result<::std::vec::Vec<::bccache::Bucket<'e>>> {
                #get_buckets
            }

            async fn stats(&self) -> ::core::option::Option<::bccache::CacheStats> {
                let backend = #backend.ok()?;
                ::bccache::AsyncBytecodeCache::stats(&*backend).await
            }

            async fn flush_stats(&self) -> ::bccache::Result<()> {
                #flush
            }

            async fn lease(
                &self,
                key: &::core::primitive::str,
                ttl: ::core::time::Duration,
            ) -> ::bccache::Result<::bccache::Lease> {
                #lease
            }
        },
    )
}

/// `items` as the `impl ::bccache::AsyncBytecodeCache` of the type, kept only when bccache has
/// its `tokio` feature.
fn async_impl_of(ident: &Ident, generics: &Generics, items: TokenStream) -> TokenStream {
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        ::bccache::__private::async_impl! {
            #[automatically_derived]
            #[::bccache::__private::async_trait]
            impl #impl_generics ::bccache::AsyncBytecodeCache
                for #ident #ty_generics #where_clause
            {
                #items
            }
        }
    }
}

/// The `__private::CacheConfig` of the cache, read from literals and fields.
fn config(cache: &Cache) -> TokenStream {
    let checksum = option(cache.checksum.map(|checksum| match checksum {
        ChecksumKind::Sha1 => quote!(::bccache::Checksum::Sha1),
        ChecksumKind::Xxh3 => quote!(::bccache::Checksum::Xxh3_128),
    }));
    let memory = option(cache.memory.as_ref().map(|memory| size(&memory.max_bytes)));
    let dir = option(cache.dir.as_ref().map(|fs| {
        let dir = option(match &fs.dir {
            Value::Default => None,
            Value::Literal(dir) => Some(quote!(::bccache::__private::Path::new(#dir))),
            Value::Field(field) => Some(field_value(field, quote!(dir_field))),
        });
        let pattern = option(fs.pattern.as_ref().map(LitStr::to_token_stream));
        let max_size = option(fs.max_size.as_ref().map(|(_, max_size)| size(max_size)));
        quote! {
            ::bccache::__private::FsConfig {
                dir: #dir,
                pattern: #pattern,
                max_size: #max_size,
            }
        }
    }));
    let network = |kind| {
        option(
            cache
                .network
                .as_ref()
                .filter(|network| network.kind == kind)
                .map(network_config),
        )
    };
    let memcached = network(NetworkKind::Memcached);
    let redis = network(NetworkKind::Redis);
    let object = |s3: bool| {
        option(
            cache
                .object
                .as_ref()
                .filter(|object| object.s3 == s3)
                .map(|object| object.url.to_token_stream()),
        )
    };
    let (http, s3) = (object(false), object(true));
    let compress = option(cache.compress.as_ref().map(|key| {
        let level = key.value;
        quote!(#level)
    }));
    let signing_key_env = option(
        cache
            .signing_key_env
            .as_ref()
            .map(|key| key.value.to_token_stream()),
    );
    quote! {
        ::bccache::__private::CacheConfig {
            checksum: #checksum,
            memory: #memory,
            dir: #dir,
            memcached: #memcached,
            redis: #redis,
            http: #http,
            s3: #s3,
            compress: #compress,
            signing_key_env: #signing_key_env,
        }
    }
}

fn network_config(network: &Network) -> TokenStream {
    let servers = match &network.servers {
        Value::Default => match network.kind {
            NetworkKind::Memcached => quote!("memcache://127.0.0.1:11211"),
            NetworkKind::Redis => quote!("redis://127.0.0.1:6379"),
        },
        Value::Literal(servers) => servers.to_token_stream(),
        Value::Field(field) => field_value(field, quote!(servers_field)),
    };
    let prefix = option(match &network.prefix {
        Value::Default => None,
        Value::Literal(prefix) => Some(prefix.to_token_stream()),
        Value::Field(field) => Some(field_value(field, quote!(prefix_field))),
    });
    let timeout = match &network.timeout {
        Value::Default => option(None),
        Value::Literal(secs) => option(Some(u64::from(*secs).to_token_stream())),
        Value::Field(field) => field_value(field, quote!(timeout_field)),
    };
    let ignore_errors = option(network.ignore_errors.map(|ignore| ignore.to_token_stream()));
    match network.kind {
        NetworkKind::Memcached => quote! {
            ::bccache::__private::MemcachedConfig {
                servers: #servers,
                prefix: #prefix,
                timeout: #timeout,
                ignore_errors: #ignore_errors,
            }
        },
        NetworkKind::Redis => {
            let cluster = network.cluster;
            quote! {
                ::bccache::__private::RedisConfig {
                    servers: #servers,
                    cluster: #cluster,
                    prefix: #prefix,
                    timeout: #timeout,
                    ignore_errors: #ignore_errors,
                }
            }
        }
    }
}

/// A size in bytes, as a `u64` literal or read from a field.
fn size(value: &Value<u64>) -> TokenStream {
    match value {
        // A bare key without a field was refused by `valid`.
        Value::Default | Value::Literal(_) => {
            let bytes = match value {
                Value::Literal(bytes) => *bytes,
                _ => 0,
            };
            quote!(#bytes)
        }
        Value::Field(field) => field_value(field, quote!(size_field)),
    }
}

/// One `compile_error!` per key whose feature is off, at that key: the impl type checks either
/// way, so these are the only errors the user sees.
fn guards(cache: &Cache) -> TokenStream {
    let mut guards = Vec::new();
    let mut guard = |span: Span, name: &str| {
        let name = format_ident!("require_{}", name, span = span);
        guards.push(quote_spanned!(span=> ::bccache::__private::#name! {}));
    };
    if let Some(memory) = &cache.memory {
        guard(memory.span, "memory");
    }
    if let Some(network) = &cache.network {
        match network.kind {
            NetworkKind::Memcached => guard(network.span, "memcached"),
            NetworkKind::Redis => guard(network.span, "redis"),
        }
    }
    if let Some(object) = &cache.object {
        guard(object.span, if object.s3 { "s3" } else { "http" });
    }
    if let Some(key) = &cache.compress {
        guard(key.span, "zstd");
    }
    if let Some(key) = &cache.signing_key_env {
        guard(key.span, "signed");
    }
    quote!(#(#guards)*)
}

/// `Some(tokens)` or `None`, spelled with absolute paths.
fn option(tokens: Option<TokenStream>) -> TokenStream {
    match tokens {
        Some(tokens) => quote!(::core::option::Option::Some(#tokens)),
        None => quote!(::core::option::Option::None),
    }
}

/// Reads a field through a `__private` function whose bound names what the field must be; the
/// call is spanned at the field's type, so that rustc's own trait error points there.
fn field_value(field: &FieldRef, function: TokenStream) -> TokenStream {
    let member = &field.member;
    quote_spanned! {field.span=>
        ::bccache::__private::#function(&self.#member)
    }
}

/// The struct's generics, plus `Self: Send + Sync` (the trait's supertraits) when it has type
/// parameters, so that the impl asks for them instead of failing for a parameter that is not.
fn with_supertrait_bounds(generics: &Generics) -> Generics {
    let mut generics = generics.clone();
    if generics.type_params().next().is_some() {
        generics
            .make_where_clause()
            .predicates
            .push(parse_quote!(Self: ::core::marker::Send + ::core::marker::Sync));
    }
    generics
}

/// [`with_supertrait_bounds`], plus: each field that supplies a value with a type built from the
/// parameters must be able to supply it.
fn with_bounds(input: &Input) -> Generics {
    let mut generics = with_supertrait_bounds(input.generics);
    let params: Vec<&Ident> = input
        .generics
        .type_params()
        .map(|param| &param.ident)
        .collect();
    if params.is_empty() {
        return generics;
    }
    let mut bounds: Vec<WherePredicate> = Vec::new();
    for (field, usage) in input.cache.fields() {
        if !mentions_any(&field.ty, &params) {
            continue;
        }
        let trait_bound = match usage {
            FieldUse::Path => quote!(::core::convert::AsRef<::bccache::__private::Path>),
            FieldUse::Str => quote!(::core::convert::AsRef<::core::primitive::str>),
            FieldUse::Timeout => quote!(::bccache::__private::TimeoutSecs),
            FieldUse::Size => quote!(::bccache::__private::ByteSize),
        };
        let ty = &field.ty;
        bounds.push(parse_quote!(#ty: #trait_bound));
    }
    generics.make_where_clause().predicates.extend(bounds);
    generics
}

fn mentions_any(ty: &Type, params: &[&Ident]) -> bool {
    fn walk(tokens: TokenStream, params: &[&Ident]) -> bool {
        tokens.into_iter().any(|token| match token {
            TokenTree::Ident(ident) => params.iter().any(|param| **param == ident),
            TokenTree::Group(group) => walk(group.stream(), params),
            _ => false,
        })
    }
    walk(ty.to_token_stream(), params)
}

/// An impl that type checks and is never called: the item did not compile. It carries the
/// supertrait bounds too, or a type parameter would add "cannot be sent between threads" errors.
fn fallback(ident: &Ident, generics: &Generics) -> TokenStream {
    let generics = with_supertrait_bounds(generics);
    let async_fallback = async_impl_of(
        ident,
        &generics,
        quote! {
            async fn load_bytecode(&self, _: &mut ::bccache::Bucket<'_>) -> ::bccache::Result<()> {
                ::core::unreachable!()
            }

            async fn dump_bytecode(&self, _: &::bccache::Bucket<'_>) -> ::bccache::Result<()> {
                ::core::unreachable!()
            }
        },
    );
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::bccache::BytecodeCache for #ident #ty_generics #where_clause {
            fn load_bytecode(&self, _: &mut ::bccache::Bucket<'_>) -> ::bccache::Result<()> {
                ::core::unreachable!()
            }

            fn dump_bytecode(&self, _: &::bccache::Bucket<'_>) -> ::bccache::Result<()> {
                ::core::unreachable!()
            }
        }

        #async_fallback
    }
}
