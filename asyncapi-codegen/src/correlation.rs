//! Correlation ids: where in a message's payload the id that pairs a
//! request with its reply is (`correlationId.location`, e.g.
//! `$message.payload#/reqid`), and what JSON type it has, for the runtime's
//! `Correlation`.

use crate::error::{Error, ErrorKind, Location, Result};
use crate::ir::Message;
use crate::spec::Documents;
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

/// One step of the path to a correlation id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
}

/// Where a message carries its correlation id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Correlation {
    /// The path inside the payload.
    pub path: Vec<Step>,
    /// Whether the id is a JSON integer (else a string).
    pub integer: bool,
}

impl Correlation {
    /// The runtime's `&[Seg]` for the path.
    pub fn path_tokens(&self) -> TokenStream {
        let rt = quote!(::asyncapi_runtime::__private::dispatch);
        let steps = self.path.iter().map(|step| match step {
            Step::Key(key) => quote!(#rt::Seg::Key(#key)),
            Step::Index(i) => quote!(#rt::Seg::Index(#i)),
        });
        quote!(&[#(#steps),*])
    }

    /// The runtime's `Correlation` value.
    pub fn tokens(&self) -> TokenStream {
        let rt = quote!(::asyncapi_runtime::__private::message);
        let path = self.path_tokens();
        let kind = if self.integer {
            quote!(#rt::IdKind::Integer)
        } else {
            quote!(#rt::IdKind::String)
        };
        quote!(#rt::Correlation { path: #path, kind: #kind })
    }
}

/// The correlation id of `message`, if it has one in its payload. An id in
/// the headers (`$message.header#/...`) is `None`: WebSocket frames carry
/// only the payload.
pub fn of(docs: &Documents, message: &Message) -> Result<Option<Correlation>> {
    let Some(id) = &message.correlation_id else {
        return Ok(None);
    };
    let expression = id.expression.trim();
    if expression.starts_with("$message.header#") {
        return Ok(None);
    }
    let Some(pointer) = expression.strip_prefix("$message.payload#") else {
        return Err(Error::at(
            ErrorKind::Invalid,
            &id.location,
            format!(
                "correlation id location `{expression}` is not a runtime expression of the form `$message.payload#/json/pointer`"
            ),
        )
        .with_hint("write e.g. `location: $message.payload#/reqid`"));
    };
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Err(Error::at(
            ErrorKind::Invalid,
            &id.location,
            format!("correlation id location `{expression}`: the part after `#` must be a JSON pointer starting with `/`"),
        ));
    }
    let tokens = crate::error::pointer_tokens(pointer);
    if tokens.is_empty() {
        return Err(Error::at(
            ErrorKind::Unsupported,
            &id.location,
            "a correlation id that is the whole payload cannot be written into a message",
        ));
    }
    let mut schema = message.payload.clone();
    let mut path = Vec::new();
    for token in tokens {
        let is_array = schema
            .as_ref()
            .and_then(|at| schema_type(docs, at))
            .is_some_and(|t| t == "array");
        let index = token.parse::<usize>().ok().filter(|_| is_array);
        schema = match (&schema, index) {
            (Some(at), Some(i)) => member(docs, at, "items", Some(i)),
            (Some(at), None) => member(docs, at, &token, None),
            (None, _) => None,
        };
        path.push(match index {
            Some(i) => Step::Index(i),
            None => Step::Key(token),
        });
    }
    let integer = schema
        .as_ref()
        .and_then(|at| schema_type(docs, at))
        .is_some_and(|t| t == "integer" || t == "number");
    Ok(Some(Correlation { path, integer }))
}

/// The `type` of the schema at `at` (after `$ref`s, looking into `allOf`).
fn schema_type(docs: &Documents, at: &Location) -> Option<String> {
    let (at, schema) = docs.deref(at).ok()?;
    if let Some(Value::String(t)) = schema.get("type") {
        return Some(t.clone());
    }
    let all = schema.get("allOf")?.as_array()?;
    (0..all.len()).find_map(|i| schema_type(docs, &at.join("allOf").index(i)))
}

/// The schema of a property (`index` `None`) or tuple position of the
/// schema at `at`, looking into `allOf`.
fn member(docs: &Documents, at: &Location, key: &str, index: Option<usize>) -> Option<Location> {
    let (at, schema) = docs.deref(at).ok()?;
    let found = match index {
        Some(i) => match schema.get("items").or_else(|| schema.get("prefixItems")) {
            Some(Value::Array(items)) if i < items.len() => {
                let keyword = if schema.get("items").is_some() {
                    "items"
                } else {
                    "prefixItems"
                };
                Some(at.join(keyword).index(i))
            }
            Some(Value::Object(_)) => Some(at.join("items")),
            _ => None,
        },
        None => schema
            .get("properties")
            .and_then(|p| p.get(key))
            .map(|_| at.join("properties").join(key)),
    };
    found.or_else(|| {
        let all = schema.get("allOf")?.as_array()?;
        (0..all.len()).find_map(|i| member(docs, &at.join("allOf").index(i), key, index))
    })
}
