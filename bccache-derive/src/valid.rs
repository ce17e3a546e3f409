//! Rules that look at several keys at once: at least one store and at most one network store,
//! no key of a store that is absent, rules of a value that depend on its store, no value given
//! twice.

use proc_macro2::Span;
use syn::Ident;

use crate::attr::{FieldKey, FieldKind, Key, StructAttrs};
use crate::ctxt::Ctxt;
use crate::value::{self, MAX_TIMEOUT};

/// Where each store was chosen: by its key on the struct, else by a field marked with it.
pub struct Stores {
    pub memory: Option<Span>,
    pub dir: Option<Span>,
    pub memcached: Option<Span>,
    pub redis: Option<Span>,
    pub http: Option<Span>,
    pub s3: Option<Span>,
}

impl Stores {
    pub fn find(attrs: &StructAttrs, fields: &[FieldKey]) -> Stores {
        let first_field = |kind| {
            fields
                .iter()
                .find(|field| field.kind == kind)
                .map(|field| field.span)
        };
        fn span<T>(key: &Option<Key<T>>) -> Option<Span> {
            key.as_ref().map(|key| key.span)
        }
        Stores {
            memory: span(&attrs.memory).or_else(|| first_field(FieldKind::Memory)),
            dir: span(&attrs.dir).or_else(|| first_field(FieldKind::Dir)),
            memcached: span(&attrs.memcached).or_else(|| first_field(FieldKind::Memcached)),
            redis: span(&attrs.redis).or_else(|| first_field(FieldKind::Redis)),
            http: span(&attrs.http),
            s3: span(&attrs.s3),
        }
    }

    /// The stores present, in tier order.
    pub fn present(&self) -> impl Iterator<Item = Span> + '_ {
        [
            self.memory,
            self.dir,
            self.memcached,
            self.redis,
            self.http,
            self.s3,
        ]
        .into_iter()
        .flatten()
    }
}

pub fn check(cx: &mut Ctxt, ident: &Ident, attrs: &StructAttrs, fields: &[FieldKey]) {
    check_fields_unique(cx, fields);

    let stores = Stores::find(attrs, fields);
    let has_field = |kind| fields.iter().any(|field| field.kind == kind);
    let field_spans = |kinds: &[FieldKind]| -> Vec<(&'static str, Span)> {
        fields
            .iter()
            .filter(|field| kinds.contains(&field.kind))
            .map(|field| (field.kind.name(), field.span))
            .collect()
    };

    if stores.present().next().is_none() {
        // A misspelled or malformed key was already reported; "no store" would only repeat it.
        if cx.has_errors() {
            return;
        }
        let hint = if attrs.pattern.is_some() || attrs.max_size.is_some() {
            "add `#[cache(dir)]` (the default directory) or `#[cache(dir = \"var/cache\")]`"
        } else if attrs.prefix.is_some()
            || attrs.timeout.is_some()
            || attrs.ignore_errors.is_some()
            || attrs.cluster.is_some()
        {
            "add `#[cache(memcached = \"memcache://host:11211\")]` or `#[cache(redis = \"redis://host:6379\")]`"
        } else {
            "add `#[cache(dir = \"var/cache\")]` for files, `#[cache(memory = \"64 MiB\")]` in process, or `#[cache(memcached = \"memcache://host:11211\")]` or `#[cache(redis = \"redis://host:6379\")]` to share it"
        };
        cx.error(
            ident.span(),
            format_args!("`#[derive(BytecodeCache)]` needs a store: {hint}"),
        );
        return;
    }

    if let (Some(_), Some(redis)) = (stores.memcached, stores.redis) {
        cx.error(
            redis,
            "`memcached` and `redis` cannot both be set: a cache has at most one network store; remove one of them",
        );
    }

    // One network store: memcached, Redis, or an object store.
    let network_stores = [
        ("memcached", stores.memcached),
        ("redis", stores.redis),
        ("http", stores.http),
        ("s3", stores.s3),
    ];
    let mut chosen = network_stores
        .iter()
        .filter_map(|(name, span)| Some((*name, (*span)?)));
    if let Some((first, _)) = chosen.next() {
        for (name, span) in chosen.filter(|(name, _)| !(first == "memcached" && *name == "redis")) {
            cx.error(
                span,
                format_args!("`{first}` and `{name}` cannot both be set: a cache has at most one network store; remove one of them"),
            );
        }
    }

    // A bare `memory` or `max_size` needs a field to take its size from.
    for (key, kind) in [
        (&attrs.memory, FieldKind::Memory),
        (&attrs.max_size, FieldKind::MaxSize),
    ] {
        let bare = key.as_ref().filter(|key| key.value.is_none());
        let rejected = attrs.rejected.iter().any(|name| name == kind.name());
        if let Some(key) = bare.filter(|_| !has_field(kind) && !rejected) {
            let name = kind.name();
            cx.error(
                key.span,
                format_args!(
                    "`{name}` needs a size: write e.g. `{name} = \"64 MiB\"`, or mark a `u64` field `#[cache({name})]`"
                ),
            );
        }
    }

    if stores.dir.is_none() {
        let keys = [
            attrs.pattern.as_ref().map(|key| ("pattern", key.span)),
            attrs.max_size.as_ref().map(|key| ("max_size", key.span)),
        ];
        let keys = keys
            .into_iter()
            .flatten()
            .chain(field_spans(&[FieldKind::MaxSize]));
        for (name, span) in keys {
            cx.error(
                span,
                format_args!("`{name}` belongs to the filesystem store; add `dir`, or remove it"),
            );
        }
    }

    let network = stores.memcached.is_some() || stores.redis.is_some();
    if !network {
        let keys = [
            attrs.prefix.as_ref().map(|key| ("prefix", key.span)),
            attrs.timeout.as_ref().map(|key| ("timeout", key.span)),
            attrs
                .ignore_errors
                .as_ref()
                .map(|key| ("ignore_errors", key.span)),
        ];
        let keys = keys
            .into_iter()
            .flatten()
            .chain(field_spans(&[FieldKind::Prefix, FieldKind::Timeout]));
        for (name, span) in keys {
            cx.error(
                span,
                format_args!(
                    "`{name}` belongs to a network store; add `memcached` or `redis`, or remove it"
                ),
            );
        }
    }

    if let Some(cluster) = attrs.cluster.as_ref().filter(|_| stores.redis.is_none()) {
        cx.error(
            cluster.span,
            "`cluster` belongs to the redis store; add `redis = \"redis://host:6379\"`, or remove it",
        );
    }

    // Compression and signatures wrap the dir and network tiers, never the memory one.
    let object = stores.http.is_some() || stores.s3.is_some();
    if stores.dir.is_none() && !network && !object {
        let keys = [
            attrs.compress.as_ref().map(|key| ("compress", key.span)),
            attrs
                .signing_key_env
                .as_ref()
                .map(|key| ("signing_key_env", key.span)),
        ];
        for (name, span) in keys.into_iter().flatten() {
            cx.error(
                span,
                format_args!(
                    "`{name}` applies to the `dir`, `memcached` and `redis` stores, not to `memory`; add one of them, or remove it"
                ),
            );
        }
    }

    if stores.memcached.is_some() {
        if let Some(prefix) = &attrs.prefix {
            value::check_memcached_prefix(cx, &prefix.value);
        }
        if let Some(timeout) = attrs
            .timeout
            .as_ref()
            .filter(|timeout| u64::from(timeout.value.secs) > MAX_TIMEOUT)
        {
            cx.error(
                timeout.value.span,
                format_args!(
                    "`timeout` must be at most {MAX_TIMEOUT} seconds (30 days), which memcached would read as a date"
                ),
            );
        }
    } else if stores.redis.is_some()
        && let Some(prefix) = &attrs.prefix
    {
        value::check_redis_prefix(cx, &prefix.value);
    }

    fn given<T>(key: &Option<Key<Option<T>>>) -> Option<Span> {
        key.as_ref()
            .filter(|key| key.value.is_some())
            .map(|key| key.span)
    }
    let struct_values = [
        (FieldKind::Memory, given(&attrs.memory)),
        (FieldKind::Dir, given(&attrs.dir)),
        (FieldKind::MaxSize, given(&attrs.max_size)),
        (FieldKind::Memcached, given(&attrs.memcached)),
        (FieldKind::Redis, given(&attrs.redis)),
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
