//! Parses `#[cache(...)]` on the struct and on its fields, one key at a time. Each value keeps
//! its token, so that a later error can point at it. Rules about a single value (a pattern's
//! `%s`, a timeout's range) are in `value.rs`; rules about several keys are in `valid.rs`.

use proc_macro2::{Group, Span};
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Field, Fields, Ident, LitStr, Member, Token, Type};

use crate::ctxt::Ctxt;
use crate::value::{
    ChecksumKind, Timeout, boolean, check_dir, check_env_var, check_pattern, check_servers,
    checksum, compress, size, string, timeout,
};

const STRUCT_KEYS: &str = "`memory`, `dir`, `pattern`, `max_size`, `memcached`, `redis`, `http`, `s3`, `cluster`, `prefix`, `timeout`, `ignore_errors`, `checksum`, `compress` or `signing_key_env`";
const STRUCT_KEY_NAMES: [&str; 15] = [
    "memory",
    "dir",
    "pattern",
    "max_size",
    "memcached",
    "redis",
    "http",
    "s3",
    "cluster",
    "prefix",
    "timeout",
    "ignore_errors",
    "checksum",
    "compress",
    "signing_key_env",
];

/// A key as written, with the span of its name.
pub struct Key<T> {
    pub span: Span,
    pub value: T,
}

/// The keys of the struct's `#[cache(...)]` attributes. A `None` inside `memory`, `dir`,
/// `max_size`, `memcached` or `redis` is the bare key.
#[derive(Default)]
pub struct StructAttrs {
    pub memory: Option<Key<Option<u64>>>,
    pub dir: Option<Key<Option<LitStr>>>,
    pub pattern: Option<Key<LitStr>>,
    pub max_size: Option<Key<Option<u64>>>,
    pub memcached: Option<Key<Option<LitStr>>>,
    pub redis: Option<Key<Option<LitStr>>>,
    /// The object stores: a URL (`http = "http://host/cache/"`) or a location
    /// (`s3 = "s3://bucket/prefix?endpoint=.."`), literals only.
    pub http: Option<Key<LitStr>>,
    pub s3: Option<Key<LitStr>>,
    pub cluster: Option<Key<bool>>,
    pub prefix: Option<Key<LitStr>>,
    pub timeout: Option<Key<Timeout>>,
    pub ignore_errors: Option<Key<bool>>,
    pub checksum: Option<Key<ChecksumKind>>,
    pub compress: Option<Key<i32>>,
    pub signing_key_env: Option<Key<LitStr>>,
    /// Keys written with a value that was rejected: not bare, whatever their slot says.
    pub rejected: Vec<String>,
}

/// Which value a field supplies.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Memory,
    Dir,
    MaxSize,
    Memcached,
    Redis,
    Prefix,
    Timeout,
}

impl FieldKind {
    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Memory => "memory",
            FieldKind::Dir => "dir",
            FieldKind::MaxSize => "max_size",
            FieldKind::Memcached => "memcached",
            FieldKind::Redis => "redis",
            FieldKind::Prefix => "prefix",
            FieldKind::Timeout => "timeout",
        }
    }
}

/// A field marked `#[cache(<kind>)]`.
pub struct FieldKey {
    pub kind: FieldKind,
    /// The span of the key inside the field's attribute.
    pub span: Span,
    pub member: Member,
    pub ty: Type,
}

pub fn struct_attrs(cx: &mut Ctxt, attrs: &[Attribute]) -> StructAttrs {
    let mut out = StructAttrs::default();
    // Every key written so far, valid or not: a repeated key is a duplicate even when the first
    // value was rejected or missing.
    let mut seen: Vec<String> = Vec::new();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("cache")) {
        let parsed = attr.parse_nested_meta(|meta| {
            let Some(name) = meta.path.get_ident().map(Ident::to_string) else {
                skip_value(&meta)?;
                let path = path_name(&meta.path);
                cx.error_spanned(&meta.path, format_args!("unknown cache attribute `{path}`; expected {STRUCT_KEYS}"));
                return Ok(());
            };
            let span = meta.path.span();
            if STRUCT_KEY_NAMES.contains(&name.as_str()) {
                if seen.contains(&name) {
                    cx.error(span, format_args!("duplicate cache attribute `{name}`; remove one"));
                } else {
                    seen.push(name.clone());
                }
            }
            match name.as_str() {
                "memory" | "max_size" => {
                    let expr = optional_value(&meta)?;
                    let value = expr.as_ref().and_then(|expr| size(cx, expr, &name));
                    if expr.is_some() && value.is_none() {
                        out.rejected.push(name.clone());
                    }
                    let slot = if name == "memory" { &mut out.memory } else { &mut out.max_size };
                    set(slot, span, Some(value));
                }
                "redis" => {
                    let value = optional_value(&meta)?
                        .and_then(|expr| string(cx, &expr, "`redis` takes a string: write `redis = \"redis://127.0.0.1:6379\"`, or `redis` alone for that default"))
                        .filter(|servers| check_servers(cx, servers, "redis"));
                    set(&mut out.redis, span, Some(value));
                }
                "http" | "s3" => {
                    let example = if name == "http" { "http = \"http://cache.internal:8080/bytecode/\"" } else { "s3 = \"s3://bucket/prefix/?endpoint=http://127.0.0.1:9000\"" };
                    let Some(expr) = required_value(cx, &meta, &format!("`{name}` needs a value: write `{example}`"))? else {
                        return Ok(());
                    };
                    let schemes: &[&str] = if name == "http" { &["http://", "https://"] } else { &["s3://"] };
                    let value = string(cx, &expr, &format!("`{name}` takes a string: write `{example}`"))
                        .filter(|url| {
                            let ok = schemes.iter().any(|scheme| url.value().starts_with(scheme));
                            if !ok {
                                let scheme = schemes.join("` or `");
                                cx.error(url.span(), format_args!("`{name}` takes a URL starting with `{scheme}`: write `{example}`"));
                            }
                            ok
                        });
                    if let Some(value) = value {
                        let slot = if name == "http" { &mut out.http } else { &mut out.s3 };
                        set(slot, span, Some(value));
                    }
                }
                "cluster" => {
                    let Some(expr) = required_value(cx, &meta, "`cluster` needs a value: write `cluster = true` for a Redis Cluster")? else {
                        return Ok(());
                    };
                    let cluster = boolean(cx, &expr, "`cluster` takes `true` or `false`");
                    set(&mut out.cluster, span, cluster);
                }
                "checksum" => {
                    let Some(expr) = required_value(cx, &meta, "`checksum` needs a value: write `checksum = \"sha1\"` or `checksum = \"xxh3\"`")? else {
                        return Ok(());
                    };
                    let checksum = string(cx, &expr, "`checksum` takes a string: write `checksum = \"sha1\"` or `checksum = \"xxh3\"`")
                        .and_then(|lit| checksum(cx, &lit));
                    set(&mut out.checksum, span, checksum);
                }
                "compress" => {
                    let Some(expr) = required_value(cx, &meta, "`compress` needs a zstd level: write e.g. `compress = 3`")? else {
                        return Ok(());
                    };
                    let level = compress(cx, &expr);
                    set(&mut out.compress, span, level);
                }
                "signing_key_env" => {
                    let Some(expr) = required_value(cx, &meta, "`signing_key_env` needs the name of an environment variable: write e.g. `signing_key_env = \"APP_BCCACHE_KEY\"`")? else {
                        return Ok(());
                    };
                    let var = string(cx, &expr, "`signing_key_env` takes the name of an environment variable as a string: write e.g. `signing_key_env = \"APP_BCCACHE_KEY\"`")
                        .filter(|var| check_env_var(cx, var));
                    set(&mut out.signing_key_env, span, var);
                }
                "dir" => {
                    let value = optional_value(&meta)?
                        .and_then(|expr| string(cx, &expr, "`dir` takes a string: write `dir = \"var/cache\"`, or `dir` alone for the default directory"))
                        .filter(|dir| check_dir(cx, dir));
                    set(&mut out.dir, span, Some(value));
                }
                "pattern" => {
                    let Some(expr) = required_value(cx, &meta, "`pattern` needs a value: write `pattern = \"__app_%s.cache\"`")? else {
                        return Ok(());
                    };
                    let pattern = string(cx, &expr, "`pattern` takes a string: write `pattern = \"__app_%s.cache\"`")
                        .filter(|pattern| check_pattern(cx, pattern));
                    set(&mut out.pattern, span, pattern);
                }
                "memcached" => {
                    let value = optional_value(&meta)?
                        .and_then(|expr| string(cx, &expr, "`memcached` takes a string: write `memcached = \"memcache://127.0.0.1:11211\"`, or `memcached` alone for that default"))
                        .filter(|servers| check_servers(cx, servers, "memcached"));
                    set(&mut out.memcached, span, Some(value));
                }
                "prefix" => {
                    let Some(expr) = required_value(cx, &meta, "`prefix` needs a value: write `prefix = \"app/bytecode/\"`, or mark a field `#[cache(prefix)]`")? else {
                        return Ok(());
                    };
                    let prefix = string(cx, &expr, "`prefix` takes a string: write `prefix = \"app/bytecode/\"`");
                    set(&mut out.prefix, span, prefix);
                }
                "timeout" => {
                    let Some(expr) = required_value(cx, &meta, "`timeout` needs a value in seconds: write `timeout = 3600`, or mark a field `#[cache(timeout)]`")? else {
                        return Ok(());
                    };
                    let timeout = timeout(cx, &expr);
                    set(&mut out.timeout, span, timeout);
                }
                "ignore_errors" => {
                    let Some(expr) = required_value(cx, &meta, "`ignore_errors` needs a value: write `ignore_errors = true` or `ignore_errors = false`")? else {
                        return Ok(());
                    };
                    let ignore = boolean(cx, &expr, "`ignore_errors` takes `true` or `false`");
                    set(&mut out.ignore_errors, span, ignore);
                }
                _ => {
                    skip_value(&meta)?;
                    cx.error(span, format_args!("unknown cache attribute `{name}`; expected {STRUCT_KEYS}"));
                }
            }
            Ok(())
        });
        if let Err(error) = parsed {
            cx.syn_error(error);
        }
    }
    out
}

pub fn field_keys(cx: &mut Ctxt, fields: &Fields) -> Vec<FieldKey> {
    let mut out = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        let member = member(field, index);
        // Every key on this field so far, across its attributes, valid or not.
        let mut kinds: Vec<FieldKind> = Vec::new();
        for attr in field
            .attrs
            .iter()
            .filter(|attr| attr.path().is_ident("cache"))
        {
            let parsed = attr.parse_nested_meta(|meta| {
                let span = meta.path.span();
                let name = path_name(&meta.path);
                let kind = match name.as_str() {
                    "memory" => Some(FieldKind::Memory),
                    "dir" => Some(FieldKind::Dir),
                    "max_size" => Some(FieldKind::MaxSize),
                    "memcached" => Some(FieldKind::Memcached),
                    "redis" => Some(FieldKind::Redis),
                    "prefix" => Some(FieldKind::Prefix),
                    "timeout" => Some(FieldKind::Timeout),
                    "pattern" | "ignore_errors" | "cluster" | "checksum" | "compress" | "signing_key_env" => {
                        cx.error(span, format_args!("`{name}` cannot come from a field; set it on the struct: `#[cache({name} = ...)]`"));
                        None
                    }
                    _ => {
                        cx.error_spanned(&meta.path, format_args!("unknown field cache attribute `{name}`; a field can supply `memory`, `dir`, `max_size`, `memcached`, `redis`, `prefix` or `timeout`"));
                        None
                    }
                };
                let value = if meta.input.peek(Token![=]) {
                    let eq: Token![=] = meta.input.parse()?;
                    let expr: Expr = meta.input.parse()?;
                    Some(quote::quote!(#eq #expr))
                } else if meta.input.peek(syn::token::Paren) {
                    Some(meta.input.parse::<Group>()?.into_token_stream())
                } else {
                    None
                };
                let Some(kind) = kind else { return Ok(()) };
                let duplicate = kinds.contains(&kind);
                if duplicate {
                    cx.error(span, format_args!("duplicate cache attribute `{}`; remove one", kind.name()));
                } else {
                    kinds.push(kind);
                }
                if let Some(value) = value {
                    cx.error_spanned(value, format_args!("a field attribute takes no value: the field is the value; write `#[cache({})]`", kind.name()));
                    return Ok(());
                }
                if !duplicate {
                    out.push(FieldKey { kind, span, member: member.clone(), ty: field.ty.clone() });
                }
                Ok(())
            });
            if let Err(error) = parsed {
                cx.syn_error(error);
            }
        }
    }
    out
}

fn member(field: &Field, index: usize) -> Member {
    match &field.ident {
        Some(ident) => Member::Named(ident.clone()),
        None => Member::Unnamed(syn::Index {
            index: index as u32,
            span: field.ty.span(),
        }),
    }
}

/// Keeps the first valid value of a key; duplicates were reported when the key was seen.
fn set<T>(slot: &mut Option<Key<T>>, span: Span, value: Option<T>) {
    if slot.is_none() {
        *slot = value.map(|value| Key { span, value });
    }
}

/// A key's path as written, for messages: `a::b`.
fn path_name(path: &syn::Path) -> String {
    let segments: Vec<String> = path
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect();
    let joined = segments.join("::");
    if path.leading_colon.is_some() {
        format!("::{joined}")
    } else {
        joined
    }
}

/// The value after `=`, if there is one.
fn optional_value(meta: &ParseNestedMeta) -> syn::Result<Option<Expr>> {
    if meta.input.peek(Token![=]) {
        Ok(Some(meta.value()?.parse()?))
    } else {
        Ok(None)
    }
}

/// The value after `=`; a bare key is an error with `message`.
fn required_value(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta,
    message: &str,
) -> syn::Result<Option<Expr>> {
    let value = optional_value(meta)?;
    if value.is_none() {
        cx.error(meta.path.span(), message);
    }
    Ok(value)
}

/// Consumes whatever follows an unknown key, so that the keys after it are still read.
fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.input.parse::<Group>()?;
    }
    Ok(())
}
