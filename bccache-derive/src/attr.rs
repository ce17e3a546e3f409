//! Parses `#[cache(...)]` on the struct and on its fields, one key at a time. Each value keeps
//! its token, so that a later error can point at it. Rules about a single value (a pattern's
//! `%s`, a timeout's range) are checked here; rules about several keys are in `valid.rs`.

use proc_macro2::{Group, Span};
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{
    Attribute, Expr, ExprLit, ExprUnary, Field, Fields, Ident, Lit, LitStr, Member, Token, Type,
    UnOp,
};

use crate::ctxt::Ctxt;

/// The longest timeout memcached takes as seconds; larger values are read as a date.
pub const MAX_TIMEOUT: u64 = 30 * 24 * 60 * 60;

/// The longest prefix that leaves room for a 40-byte key under memcached's 250-byte limit.
pub const MAX_PREFIX_LEN: usize = 210;

const STRUCT_KEYS: &str = "`dir`, `pattern`, `memcached`, `prefix`, `timeout` or `ignore_errors`";
const STRUCT_KEY_NAMES: [&str; 6] = [
    "dir",
    "pattern",
    "memcached",
    "prefix",
    "timeout",
    "ignore_errors",
];

/// A key as written, with the span of its name.
pub struct Key<T> {
    pub span: Span,
    pub value: T,
}

/// The keys of the struct's `#[cache(...)]` attributes. A `None` inside `dir` or `memcached`
/// is the bare key.
#[derive(Default)]
pub struct StructAttrs {
    pub dir: Option<Key<Option<LitStr>>>,
    pub pattern: Option<Key<LitStr>>,
    pub memcached: Option<Key<Option<LitStr>>>,
    pub prefix: Option<Key<LitStr>>,
    pub timeout: Option<Key<u32>>,
    pub ignore_errors: Option<Key<bool>>,
}

/// Which value a field supplies.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Dir,
    Memcached,
    Prefix,
    Timeout,
}

impl FieldKind {
    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Dir => "dir",
            FieldKind::Memcached => "memcached",
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
                        .filter(|servers| check_servers(cx, servers));
                    set(&mut out.memcached, span, Some(value));
                }
                "prefix" => {
                    let Some(expr) = required_value(cx, &meta, "`prefix` needs a value: write `prefix = \"app/bytecode/\"`, or mark a field `#[cache(prefix)]`")? else {
                        return Ok(());
                    };
                    let prefix = string(cx, &expr, "`prefix` takes a string: write `prefix = \"app/bytecode/\"`")
                        .filter(|prefix| check_prefix(cx, prefix));
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
                    let ignore = match &expr {
                        Expr::Lit(ExprLit { lit: Lit::Bool(b), .. }) => Some(b.value),
                        _ => {
                            cx.error_spanned(expr, "`ignore_errors` takes `true` or `false`");
                            None
                        }
                    };
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
                    "dir" => Some(FieldKind::Dir),
                    "memcached" => Some(FieldKind::Memcached),
                    "prefix" => Some(FieldKind::Prefix),
                    "timeout" => Some(FieldKind::Timeout),
                    "pattern" | "ignore_errors" => {
                        cx.error(span, format_args!("`{name}` cannot come from a field; set it on the struct: `#[cache({name} = ...)]`"));
                        None
                    }
                    _ => {
                        cx.error_spanned(&meta.path, format_args!("unknown field cache attribute `{name}`; a field can supply `dir`, `memcached`, `prefix` or `timeout`"));
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

fn string(cx: &mut Ctxt, expr: &Expr, message: &str) -> Option<LitStr> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(lit.clone()),
        _ => {
            cx.error_spanned(expr, message);
            None
        }
    }
}

fn check_dir(cx: &mut Ctxt, dir: &LitStr) -> bool {
    let ok = !dir.value().is_empty();
    if !ok {
        cx.error(
            dir.span(),
            "`dir` cannot be empty; write `dir` alone for the default directory",
        );
    }
    ok
}

/// The rules of `FileSystemBytecodeCache::new`, checked at compile time.
fn check_pattern(cx: &mut Ctxt, lit: &LitStr) -> bool {
    let pattern = lit.value();
    let message = match pattern.matches("%s").count() {
        0 => Some("`pattern` needs exactly one `%s`, where the cache key goes: write e.g. `pattern = \"__app_%s.cache\"`".to_owned()),
        1 => None,
        n => Some(format!("`pattern` needs exactly one `%s`, found {n}; keep one, where the cache key goes")),
    }
    .or_else(|| {
        pattern.contains(['/', '\\']).then(|| {
            "`pattern` names a file, not a path: remove the `/`, and put directories in `dir`".to_owned()
        })
    })
    .or_else(|| pattern.contains('\0').then(|| "`pattern` cannot hold a NUL byte".to_owned()))
    .or_else(|| {
        pattern.starts_with('.').then(|| {
            "`pattern` cannot start with `.`, which marks the cache's temporary files; remove the `.`".to_owned()
        })
    });
    if let Some(message) = &message {
        cx.error(lit.span(), message);
    }
    message.is_none()
}

fn check_servers(cx: &mut Ctxt, lit: &LitStr) -> bool {
    let servers = lit.value();
    let mut ok = true;
    for url in servers.split(',').map(str::trim) {
        let message = if url.is_empty() {
            if servers.trim().is_empty() {
                "`memcached` needs a server URL like \"memcache://127.0.0.1:11211\"; write `memcached` alone for that default".to_owned()
            } else {
                "empty server in `memcached`; separate server URLs with single commas".to_owned()
            }
        } else if !url.contains("://") {
            format!("memcached server `{url}` needs a scheme: write \"memcache://{url}\"")
        } else {
            continue;
        };
        cx.error(lit.span(), message);
        ok = false;
        break;
    }
    ok
}

/// The prefix rules of `MemcachedBytecodeCache::builder().build()`, checked at compile time.
fn check_prefix(cx: &mut Ctxt, lit: &LitStr) -> bool {
    let prefix = lit.value();
    let message = if prefix.len() > MAX_PREFIX_LEN {
        Some(format!(
            "`prefix` is {} bytes; keep it at most {MAX_PREFIX_LEN}, so that keys fit memcached's 250",
            prefix.len()
        ))
    } else if prefix.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some(
            "`prefix` cannot hold spaces or control characters, which memcached keys cannot carry"
                .to_owned(),
        )
    } else {
        None
    };
    if let Some(message) = &message {
        cx.error(lit.span(), message);
    }
    message.is_none()
}

fn timeout(cx: &mut Ctxt, expr: &Expr) -> Option<u32> {
    let not_whole = "`timeout` takes a whole number of seconds: write e.g. `timeout = 3600`";
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) => {
            let Ok(secs) = int.base10_parse::<u128>() else {
                cx.error(int.span(), not_whole);
                return None;
            };
            if secs == 0 {
                cx.error(int.span(), "`timeout` must be at least 1 second; remove it to keep entries until memcached evicts them");
                None
            } else if secs > u128::from(MAX_TIMEOUT) {
                cx.error(int.span(), format_args!("`timeout` must be at most {MAX_TIMEOUT} seconds (30 days), which memcached would read as a date"));
                None
            } else {
                u32::try_from(secs).ok()
            }
        }
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_), ..
        }) => {
            cx.error_spanned(
                expr,
                "`timeout` must be a positive number of seconds: write e.g. `timeout = 3600`",
            );
            None
        }
        _ => {
            cx.error_spanned(expr, not_whole);
            None
        }
    }
}
