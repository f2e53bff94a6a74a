//! Correlation ids: where in a message's payload the id that pairs a
//! request with its reply is (`correlationId.location`, e.g.
//! `$message.payload#/reqid`), and what JSON type it has. A location that is
//! no payload pointer is an error at the correlation id.

use super::schemas::Schemas;
use super::walk::Node;
use super::CorrelationId;
use crate::error::{Error, ErrorKind, Result};

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

/// The correlation of a message with correlation id `id` and payload
/// schema definition `payload`, if the id is in its payload. An id in the
/// headers (`$message.header#/...`) is `None`: WebSocket frames carry only
/// the payload.
pub(super) fn of(
    schemas: &Schemas,
    id: &CorrelationId,
    payload: Option<usize>,
) -> Result<Option<Correlation>> {
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
    let mut schema: Option<Node<'_>> = payload.map(|def| schemas.node(def));
    let mut path = Vec::new();
    for token in tokens {
        let is_array = schema
            .clone()
            .and_then(|node| schemas.type_of(node))
            .is_some_and(|t| t == "array");
        let index = token.parse::<usize>().ok().filter(|_| is_array);
        schema = match (schema, index) {
            (Some(node), Some(i)) => schemas.item(node, i),
            (Some(node), None) => schemas.property(node, &token),
            (None, _) => None,
        };
        path.push(match index {
            Some(i) => Step::Index(i),
            None => Step::Key(token),
        });
    }
    let integer = schema
        .and_then(|node| schemas.type_of(node))
        .is_some_and(|t| t == "integer" || t == "number");
    Ok(Some(Correlation { path, integer }))
}
