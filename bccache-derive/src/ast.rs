//! The parsed model of a derive input: which backend, and where each of its values comes from.

use proc_macro2::Span;
use syn::{Data, DeriveInput, Generics, Ident, LitStr, Member, Type};

use crate::attr::{self, FieldKey, FieldKind};
use crate::ctxt::Ctxt;
use crate::valid;

/// A struct with a valid cache configuration.
pub struct Input<'a> {
    pub ident: &'a Ident,
    pub generics: &'a Generics,
    pub backend: Backend,
}

pub enum Backend {
    FileSystem {
        dir: Value<LitStr>,
        pattern: Option<LitStr>,
    },
    Memcached {
        /// The span of the key that chose this backend, for the feature guard.
        span: Span,
        servers: Value<LitStr>,
        prefix: Value<LitStr>,
        timeout: Value<u32>,
        ignore_errors: Option<bool>,
    },
}

/// Where a value comes from.
pub enum Value<T> {
    /// Not given: the backend's default.
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

impl Backend {
    /// Whether any value comes from a field: such a backend is looked up by its values.
    pub fn reads_fields(&self) -> bool {
        match self {
            Backend::FileSystem { dir, .. } => dir.is_field(),
            Backend::Memcached {
                servers,
                prefix,
                timeout,
                ..
            } => servers.is_field() || prefix.is_field() || timeout.is_field(),
        }
    }
}

impl<T> Value<T> {
    pub fn is_field(&self) -> bool {
        matches!(self, Value::Field(_))
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

        let field = |kind| {
            fields
                .iter()
                .find(|field: &&FieldKey| field.kind == kind)
                .map(|field| {
                    Box::new(FieldRef {
                        member: field.member.clone(),
                        ty: field.ty.clone(),
                        span: syn::spanned::Spanned::span(&field.ty),
                    })
                })
        };
        // A key given on the struct with a value, else a field, else the default.
        let value = |literal: Option<LitStr>, kind| {
            literal
                .map(Value::Literal)
                .or_else(|| field(kind).map(Value::Field))
                .unwrap_or(Value::Default)
        };
        let memcached_span = attrs.memcached.as_ref().map(|key| key.span).or_else(|| {
            fields
                .iter()
                .find(|field| field.kind == FieldKind::Memcached)
                .map(|field| field.span)
        });
        let backend = match memcached_span {
            None => Backend::FileSystem {
                dir: value(attrs.dir.and_then(|key| key.value), FieldKind::Dir),
                pattern: attrs.pattern.map(|key| key.value),
            },
            Some(span) => Backend::Memcached {
                span,
                servers: value(
                    attrs.memcached.and_then(|key| key.value),
                    FieldKind::Memcached,
                ),
                prefix: value(attrs.prefix.map(|key| key.value), FieldKind::Prefix),
                timeout: attrs
                    .timeout
                    .map(|key| Value::Literal(key.value))
                    .or_else(|| field(FieldKind::Timeout).map(Value::Field))
                    .unwrap_or(Value::Default),
                ignore_errors: attrs.ignore_errors.map(|key| key.value),
            },
        };
        Ok(Input {
            ident: &input.ident,
            generics: &input.generics,
            backend,
        })
    }
}
