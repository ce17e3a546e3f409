//! The parsed model of a derive input: which stores, with which values, and where each value
//! comes from.

use proc_macro2::Span;
use syn::{Data, DeriveInput, Generics, Ident, LitStr, Member, Type};

use crate::attr::{self, FieldKey, FieldKind, Key, StructAttrs};
use crate::ctxt::Ctxt;
use crate::valid::{self, Stores};
use crate::value::ChecksumKind;

/// A struct with a valid cache configuration.
pub struct Input<'a> {
    pub ident: &'a Ident,
    pub generics: &'a Generics,
    pub cache: Cache,
}

/// Every store of the cache, and what applies to all of them. At least one store is present.
pub struct Cache {
    pub checksum: Option<ChecksumKind>,
    pub memory: Option<Memory>,
    pub dir: Option<Dir>,
    pub network: Option<Network>,
    /// An HTTP or S3 store (in place of memcached or Redis).
    pub object: Option<ObjectStore>,
    /// The zstd level, and the key's span for the feature guard.
    pub compress: Option<Key<i32>>,
    pub signing_key_env: Option<Key<LitStr>>,
}

pub struct Memory {
    /// The key that chose this store, for the feature guard.
    pub span: Span,
    pub max_bytes: Value<u64>,
}

pub struct Dir {
    pub dir: Value<LitStr>,
    pub pattern: Option<LitStr>,
    /// The bound, and the key's span for the guard.
    pub max_size: Option<(Span, Value<u64>)>,
}

/// An object store, from its URL or location (a literal).
pub struct ObjectStore {
    /// `true`: S3; `false`: HTTP.
    pub s3: bool,
    pub span: Span,
    pub url: LitStr,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum NetworkKind {
    Memcached,
    Redis,
}

pub struct Network {
    pub kind: NetworkKind,
    /// The key that chose this store, for the feature guard.
    pub span: Span,
    pub servers: Value<LitStr>,
    pub cluster: bool,
    pub prefix: Value<LitStr>,
    pub timeout: Value<u32>,
    pub ignore_errors: Option<bool>,
}

/// Where a value comes from.
pub enum Value<T> {
    /// Not given: the store's default.
    Default,
    /// Written in the struct's attribute.
    Literal(T),
    /// Read from a field at run time.
    Field(Box<FieldRef>),
}

pub struct FieldRef {
    pub member: Member,
    pub ty: Type,
    /// Where a type that cannot supply the value is reported: the field's type.
    pub span: Span,
}

impl Cache {
    /// Every value read from a field, with the `__private` trait its type must implement.
    pub fn fields(&self) -> Vec<(&FieldRef, FieldUse)> {
        let mut out: Vec<(Option<&FieldRef>, FieldUse)> = Vec::new();
        if let Some(memory) = &self.memory {
            out.push((memory.max_bytes.field(), FieldUse::Size));
        }
        if let Some(dir) = &self.dir {
            out.push((dir.dir.field(), FieldUse::Path));
            if let Some((_, max_size)) = &dir.max_size {
                out.push((max_size.field(), FieldUse::Size));
            }
        }
        if let Some(network) = &self.network {
            out.push((network.servers.field(), FieldUse::Str));
            out.push((network.prefix.field(), FieldUse::Str));
            out.push((network.timeout.field(), FieldUse::Timeout));
        }
        out.into_iter()
            .filter_map(|(field, usage)| Some((field?, usage)))
            .collect()
    }

    /// Whether any value comes from a field: such a backend is looked up by its values.
    pub fn reads_fields(&self) -> bool {
        !self.fields().is_empty()
    }
}

/// What a field supplies, for the bounds of a generic struct.
#[derive(Clone, Copy)]
pub enum FieldUse {
    Path,
    Str,
    Timeout,
    Size,
}

impl<T> Value<T> {
    pub fn field(&self) -> Option<&FieldRef> {
        match self {
            Value::Field(field) => Some(field),
            _ => None,
        }
    }
}

impl<'a> Input<'a> {
    pub fn from_syn(input: &'a DeriveInput) -> syn::Result<Self> {
        let mut cx = Ctxt::default();
        let fields = match &input.data {
            Data::Struct(data) => Some(&data.fields),
            Data::Enum(data) => {
                cx.error(
                    data.enum_token.span,
                    "`BytecodeCache` cannot be derived for an enum; derive it on a struct holding the cache's configuration",
                );
                None
            }
            Data::Union(data) => {
                cx.error(
                    data.union_token.span,
                    "`BytecodeCache` cannot be derived for a union; derive it on a struct holding the cache's configuration",
                );
                None
            }
        };
        let attrs = attr::struct_attrs(&mut cx, &input.attrs);
        let fields = fields.map(|fields| attr::field_keys(&mut cx, fields));
        if let Some(fields) = &fields {
            valid::check(&mut cx, &input.ident, &attrs, fields);
        }
        cx.check()?;
        let fields = fields.unwrap_or_default();
        Ok(Input {
            ident: &input.ident,
            generics: &input.generics,
            cache: model(attrs, &fields),
        })
    }
}

/// The model of a configuration that passed every check.
fn model(attrs: StructAttrs, fields: &[FieldKey]) -> Cache {
    let stores = Stores::find(&attrs, fields);

    let memory = stores.memory.map(|span| Memory {
        span,
        max_bytes: value(
            attrs.memory.and_then(|key| key.value),
            fields,
            FieldKind::Memory,
        ),
    });
    let max_size_span = attrs
        .max_size
        .as_ref()
        .map(|key| key.span)
        .or_else(|| field_span(fields, FieldKind::MaxSize));
    let dir = stores.dir.map(|_| Dir {
        dir: value(attrs.dir.and_then(|key| key.value), fields, FieldKind::Dir),
        pattern: attrs.pattern.map(|key| key.value),
        max_size: max_size_span.map(|span| {
            (
                span,
                value(
                    attrs.max_size.and_then(|key| key.value),
                    fields,
                    FieldKind::MaxSize,
                ),
            )
        }),
    });
    let (kind, span, servers) = match (stores.memcached, stores.redis) {
        (Some(span), _) => (
            NetworkKind::Memcached,
            Some(span),
            attrs.memcached.and_then(|key| key.value),
        ),
        (None, Some(span)) => (
            NetworkKind::Redis,
            Some(span),
            attrs.redis.and_then(|key| key.value),
        ),
        (None, None) => (NetworkKind::Memcached, None, None),
    };
    let network = span.map(|span| Network {
        kind,
        span,
        servers: value(
            servers,
            fields,
            match kind {
                NetworkKind::Memcached => FieldKind::Memcached,
                NetworkKind::Redis => FieldKind::Redis,
            },
        ),
        cluster: attrs.cluster.is_some_and(|key| key.value),
        prefix: value(attrs.prefix.map(|key| key.value), fields, FieldKind::Prefix),
        timeout: value(
            attrs.timeout.map(|key| key.value.secs),
            fields,
            FieldKind::Timeout,
        ),
        ignore_errors: attrs.ignore_errors.map(|key| key.value),
    });
    let object = match (attrs.http, attrs.s3) {
        (Some(key), _) => Some(ObjectStore {
            s3: false,
            span: key.span,
            url: key.value,
        }),
        (None, Some(key)) => Some(ObjectStore {
            s3: true,
            span: key.span,
            url: key.value,
        }),
        (None, None) => None,
    };
    Cache {
        checksum: attrs.checksum.map(|key| key.value),
        memory,
        dir,
        network,
        object,
        compress: attrs.compress,
        signing_key_env: attrs.signing_key_env,
    }
}

/// A key given on the struct with a value, else a field, else the default.
fn value<T>(literal: Option<T>, fields: &[FieldKey], kind: FieldKind) -> Value<T> {
    let field = fields.iter().find(|field| field.kind == kind).map(|field| {
        Box::new(FieldRef {
            member: field.member.clone(),
            ty: field.ty.clone(),
            span: syn::spanned::Spanned::span(&field.ty),
        })
    });
    literal
        .map(Value::Literal)
        .or_else(|| field.map(Value::Field))
        .unwrap_or(Value::Default)
}

fn field_span(fields: &[FieldKey], kind: FieldKind) -> Option<Span> {
    fields
        .iter()
        .find(|field| field.kind == kind)
        .map(|field| field.span)
}
