//! Tokens out: the `impl ::bccache::BytecodeCache`, or the errors and a fallback impl.

use proc_macro2::{Ident, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::{DeriveInput, Generics, LitStr, Type, WherePredicate, parse_quote};

use crate::ast::{Backend, FieldRef, Input, Value};

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
    let shared = input.backend.reads_fields();
    let (cell, backend) = match &input.backend {
        Backend::FileSystem { dir, pattern } => {
            let dir = option(match dir {
                Value::Default => None,
                Value::Literal(dir) => Some(quote!(::bccache::__private::Path::new(#dir))),
                Value::Field(field) => Some(field_value(field, quote!(dir_field))),
            });
            let pattern = option(pattern.as_ref().map(LitStr::to_token_stream));
            let config = quote! {
                ::bccache::__private::FsConfig { dir: #dir, pattern: #pattern }
            };
            let backend = if shared {
                quote!(&*::bccache::__private::fs_shared(#config)?)
            } else {
                quote!(::bccache::__private::fs_static(&__BCCACHE_BACKEND, #config)?)
            };
            (
                quote!(::bccache::__private::FileSystemBytecodeCache),
                backend,
            )
        }
        Backend::Memcached {
            servers,
            prefix,
            timeout,
            ignore_errors,
            ..
        } => {
            let servers = match servers {
                Value::Default => quote!("memcache://127.0.0.1:11211"),
                Value::Literal(servers) => servers.to_token_stream(),
                Value::Field(field) => field_value(field, quote!(servers_field)),
            };
            let prefix = option(match prefix {
                Value::Default => None,
                Value::Literal(prefix) => Some(prefix.to_token_stream()),
                Value::Field(field) => Some(field_value(field, quote!(prefix_field))),
            });
            let timeout = match timeout {
                Value::Default => option(None),
                Value::Literal(secs) => option(Some(u64::from(*secs).to_token_stream())),
                Value::Field(field) => field_value(field, quote!(timeout_field)),
            };
            let ignore_errors = option(ignore_errors.map(|ignore| ignore.to_token_stream()));
            let config = quote! {
                ::bccache::__private::MemcachedConfig {
                    servers: #servers,
                    prefix: #prefix,
                    timeout: #timeout,
                    ignore_errors: #ignore_errors,
                }
            };
            let backend = if shared {
                quote!(&*::bccache::__private::memcached_shared(#config)?)
            } else {
                quote!(::bccache::__private::memcached_static(&__BCCACHE_BACKEND, #config)?)
            };
            (
                quote!(::bccache::__private::MemcachedBytecodeCache),
                backend,
            )
        }
    };

    // A configuration of literals is built once per impl, in a static; one read from fields is
    // looked up by its values at each call.
    let cell = (!shared).then(|| {
        quote! {
            static __BCCACHE_BACKEND: ::bccache::__private::OnceLock<#cell> =
                ::bccache::__private::OnceLock::new();
        }
    });
    let ident = input.ident;
    let generics = with_bounds(input);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let implementation = quote! {
        #[doc(hidden)]
        const _: () = {
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
            }
        };
    };
    match &input.backend {
        Backend::FileSystem { .. } => implementation,
        Backend::Memcached { span, .. } => {
            // Without bccache's `memcached` feature this is one `compile_error!` at the key.
            let fallback = fallback(input.ident, input.generics);
            quote_spanned! {*span=>
                ::bccache::__private::memcached_backend! {
                    { #implementation }
                    { #fallback }
                }
            }
        }
    }
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
    let mut bound = |field: &FieldRef, trait_bound: TokenStream| {
        if mentions_any(&field.ty, &params) {
            let ty = &field.ty;
            bounds.push(parse_quote!(#ty: #trait_bound));
        }
    };
    match &input.backend {
        Backend::FileSystem { dir, .. } => {
            if let Value::Field(field) = dir {
                bound(
                    field,
                    quote!(::core::convert::AsRef<::bccache::__private::Path>),
                );
            }
        }
        Backend::Memcached {
            servers,
            prefix,
            timeout,
            ..
        } => {
            for value in [servers, prefix] {
                if let Value::Field(field) = value {
                    bound(
                        field,
                        quote!(::core::convert::AsRef<::core::primitive::str>),
                    );
                }
            }
            if let Value::Field(field) = timeout {
                bound(field, quote!(::bccache::__private::TimeoutSecs));
            }
        }
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
    }
}
