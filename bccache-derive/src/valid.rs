//! Rules that look at several keys at once: exactly one backend, no key of the other backend,
//! no value given twice.

use syn::Ident;

use crate::attr::{FieldKey, FieldKind, StructAttrs};
use crate::ctxt::Ctxt;

pub fn check(cx: &mut Ctxt, ident: &Ident, attrs: &StructAttrs, fields: &[FieldKey]) {
    check_fields_unique(cx, fields);

    let first_field = |kind| {
        fields
            .iter()
            .find(|field| field.kind == kind)
            .map(|field| field.span)
    };
    let dir = attrs
        .dir
        .as_ref()
        .map(|key| key.span)
        .or_else(|| first_field(FieldKind::Dir));
    let memcached = attrs
        .memcached
        .as_ref()
        .map(|key| key.span)
        .or_else(|| first_field(FieldKind::Memcached));

    match (dir, memcached) {
        (Some(_), Some(memcached)) => {
            cx.error(
                memcached,
                "`dir` and `memcached` cannot both be set: a cache has one backend; remove one of them",
            );
            return;
        }
        // A misspelled or malformed key was already reported; "no backend" would only repeat it.
        (None, None) if cx.has_errors() => return,
        (None, None) => {
            let hint = if attrs.pattern.is_some() {
                "add `#[cache(dir)]` (the default directory) or `#[cache(dir = \"var/cache\")]`"
            } else if attrs.prefix.is_some()
                || attrs.timeout.is_some()
                || attrs.ignore_errors.is_some()
            {
                "add `#[cache(memcached)]` (127.0.0.1:11211) or `#[cache(memcached = \"memcache://host:11211\")]`"
            } else {
                "add `#[cache(dir = \"var/cache\")]` for files or `#[cache(memcached = \"memcache://host:11211\")]`"
            };
            cx.error(
                ident.span(),
                format_args!("`#[derive(BytecodeCache)]` needs a backend: {hint}"),
            );
            return;
        }
        (Some(_), None) => {
            let memcached_keys = [
                attrs.prefix.as_ref().map(|key| ("prefix", key.span)),
                attrs.timeout.as_ref().map(|key| ("timeout", key.span)),
                attrs
                    .ignore_errors
                    .as_ref()
                    .map(|key| ("ignore_errors", key.span)),
            ];
            let memcached_fields = fields
                .iter()
                .filter(|field| matches!(field.kind, FieldKind::Prefix | FieldKind::Timeout))
                .map(|field| Some((field.kind.name(), field.span)));
            for (name, span) in memcached_keys.into_iter().chain(memcached_fields).flatten() {
                cx.error(
                    span,
                    format_args!(
                        "`{name}` belongs to the memcached backend; remove it, or use `memcached` instead of `dir`"
                    ),
                );
            }
        }
        (None, Some(_)) => {
            if let Some(pattern) = &attrs.pattern {
                cx.error(
                    pattern.span,
                    "`pattern` belongs to the filesystem backend; remove it, or use `dir` instead of `memcached`",
                );
            }
        }
    }

    let struct_values = [
        (
            FieldKind::Dir,
            attrs
                .dir
                .as_ref()
                .filter(|key| key.value.is_some())
                .map(|key| key.span),
        ),
        (
            FieldKind::Memcached,
            attrs
                .memcached
                .as_ref()
                .filter(|key| key.value.is_some())
                .map(|key| key.span),
        ),
        (FieldKind::Prefix, attrs.prefix.as_ref().map(|key| key.span)),
        (
            FieldKind::Timeout,
            attrs.timeout.as_ref().map(|key| key.span),
        ),
    ];
    for (kind, struct_key) in struct_values {
        let Some(_) = struct_key else { continue };
        if let Some(field) = fields.iter().find(|field| field.kind == kind) {
            let name = kind.name();
            cx.error(
                field.span,
                format_args!(
                    "`{name}` is given twice, on the struct and by this field; write `{name}` alone on the struct, or remove this attribute"
                ),
            );
        }
    }
}

/// A value comes from one field at most.
fn check_fields_unique(cx: &mut Ctxt, fields: &[FieldKey]) {
    let mut seen: Vec<FieldKind> = Vec::new();
    for field in fields {
        if seen.contains(&field.kind) {
            let name = field.kind.name();
            cx.error(
                field.span,
                format_args!("`#[cache({name})]` is on two fields; keep it on one"),
            );
        } else {
            seen.push(field.kind);
        }
    }
}
