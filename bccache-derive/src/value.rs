//! Rules about a single value of `#[cache(...)]`: a pattern's `%s`, a URL's scheme, a
//! timeout's range, a size in the grammar of `bccache::size`. Each returns the parsed value, or
//! reports at the value's token and returns nothing.

use proc_macro2::Span;
use syn::{Expr, ExprLit, ExprUnary, Lit, LitStr, UnOp};

use crate::ctxt::Ctxt;

/// The longest timeout memcached takes as seconds; larger values are read as a date.
pub const MAX_TIMEOUT: u64 = 30 * 24 * 60 * 60;

/// The longest prefix that leaves room for a 40-byte key under memcached's 250-byte limit.
pub const MAX_PREFIX_LEN: usize = 210;

/// The longest Redis prefix the store accepts.
pub const MAX_REDIS_PREFIX_LEN: usize = 1024;

/// The checksum of every store of the cache.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ChecksumKind {
    Sha1,
    Xxh3,
}

/// A timeout as written, with its token for the rules that depend on the store.
pub struct Timeout {
    pub secs: u32,
    pub span: Span,
}

pub fn string(cx: &mut Ctxt, expr: &Expr, message: &str) -> Option<LitStr> {
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

pub fn check_dir(cx: &mut Ctxt, dir: &LitStr) -> bool {
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
pub fn check_pattern(cx: &mut Ctxt, lit: &LitStr) -> bool {
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

/// Comma-separated server URLs of `store` (`memcached` or `redis`), each with a scheme.
pub fn check_servers(cx: &mut Ctxt, lit: &LitStr, store: &str) -> bool {
    let (scheme, example) = match store {
        "redis" => ("redis", "redis://127.0.0.1:6379"),
        _ => ("memcache", "memcache://127.0.0.1:11211"),
    };
    let servers = lit.value();
    let mut ok = true;
    for url in servers.split(',').map(str::trim) {
        let message = if url.is_empty() {
            if servers.trim().is_empty() {
                format!(
                    "`{store}` needs a server URL like \"{example}\"; write `{store}` alone for that default"
                )
            } else {
                format!("empty server in `{store}`; separate server URLs with single commas")
            }
        } else if !url.contains("://") {
            format!("{store} server `{url}` needs a scheme: write \"{scheme}://{url}\"")
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
pub fn check_memcached_prefix(cx: &mut Ctxt, lit: &LitStr) {
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
    if let Some(message) = message {
        cx.error(lit.span(), message);
    }
}

/// The prefix rules of `RedisBytecodeCache::builder().build()`, checked at compile time.
pub fn check_redis_prefix(cx: &mut Ctxt, lit: &LitStr) {
    let prefix = lit.value();
    if prefix.len() > MAX_REDIS_PREFIX_LEN {
        cx.error(
            lit.span(),
            format_args!(
                "`prefix` is {} bytes; keep it at most {MAX_REDIS_PREFIX_LEN}",
                prefix.len()
            ),
        );
    } else if prefix.chars().any(char::is_control) {
        cx.error(lit.span(), "`prefix` cannot hold control characters");
    }
}

pub fn timeout(cx: &mut Ctxt, expr: &Expr) -> Option<Timeout> {
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
                cx.error(int.span(), "`timeout` must be at least 1 second; remove it to keep entries until the store evicts them");
                return None;
            }
            let Ok(secs) = u32::try_from(secs) else {
                cx.error(
                    int.span(),
                    format_args!("`timeout` must be at most {} seconds", u32::MAX),
                );
                return None;
            };
            Some(Timeout {
                secs,
                span: int.span(),
            })
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

pub fn boolean(cx: &mut Ctxt, expr: &Expr, message: &str) -> Option<bool> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) => Some(b.value),
        _ => {
            cx.error_spanned(expr, message);
            None
        }
    }
}

pub fn checksum(cx: &mut Ctxt, lit: &LitStr) -> Option<ChecksumKind> {
    match lit.value().as_str() {
        "sha1" => Some(ChecksumKind::Sha1),
        "xxh3" => Some(ChecksumKind::Xxh3),
        other => {
            cx.error(
                lit.span(),
                format_args!("unknown checksum `{other}`; write `checksum = \"sha1\"` (Jinja2's, the default) or `checksum = \"xxh3\"`"),
            );
            None
        }
    }
}

/// A zstd level: 1 to 22.
pub fn compress(cx: &mut Ctxt, expr: &Expr) -> Option<i32> {
    let message = "`compress` is a zstd level from 1 to 22: write e.g. `compress = 3`";
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) => match int.base10_parse::<i32>() {
            Ok(level @ 1..=22) => Some(level),
            _ => {
                cx.error(int.span(), message);
                None
            }
        },
        _ => {
            cx.error_spanned(expr, message);
            None
        }
    }
}

pub fn check_env_var(cx: &mut Ctxt, lit: &LitStr) -> bool {
    let var = lit.value();
    let message = if var.is_empty() {
        Some(
            "`signing_key_env` cannot be empty; name the environment variable that holds the key, e.g. `signing_key_env = \"APP_BCCACHE_KEY\"`",
        )
    } else if var.contains(['=', '\0']) {
        Some("`signing_key_env` names an environment variable, which cannot hold `=` or a NUL byte")
    } else {
        None
    };
    if let Some(message) = message {
        cx.error(lit.span(), message);
    }
    message.is_none()
}

/// A size in bytes: an integer, or a string with a unit (`"64 MiB"`, `"1GiB"`).
pub fn size(cx: &mut Ctxt, expr: &Expr, key: &str) -> Option<u64> {
    let parsed = match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) if int.suffix().is_empty() => int.base10_parse::<u64>().map_err(|_| None),
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => parse_size(&lit.value()),
        _ => Err(None),
    };
    match parsed {
        Ok(0) => {
            cx.error_spanned(expr, format_args!("`{key}` must be more than 0 bytes"));
            None
        }
        Ok(bytes) => Some(bytes),
        Err(Some(message)) => {
            cx.error_spanned(expr, format_args!("`{key}` {message}"));
            None
        }
        Err(None) => {
            cx.error_spanned(expr, format_args!("`{key}` takes a size: bytes as an integer (`{key} = 67108864`) or a string with a unit, {} (`{key} = \"64 MiB\"`, `\"1.5 GiB\"`, `\"64k\"`)", bccache_size::UNITS));
            None
        }
    }
}

/// `"64 MiB"` in bytes, by the grammar of `bccache::size`; `Err(None)` for a malformed size,
/// `Err(Some(why))` for one too large.
fn parse_size(text: &str) -> Result<u64, Option<String>> {
    bccache_size::parse(text).map_err(|error| match error {
        bccache_size::SizeError::TooLarge => Some(format!("{error}: `{text}`")),
        _ => None,
    })
}
