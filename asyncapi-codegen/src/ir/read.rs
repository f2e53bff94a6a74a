//! Reading members of document objects, with errors that name the place.

use crate::error::{Error, ErrorKind, Location, Result};
use serde_json::Value;

/// Reads an optional member that must be an object when present.
pub(super) fn object_member<'v>(
    value: &'v Value,
    location: &Location,
    key: &str,
) -> Result<Option<&'v serde_json::Map<String, Value>>> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(Error::at(
            ErrorKind::Invalid,
            &location.join(key),
            format!("`{key}` must be an object"),
        )),
    }
}

/// Reads an optional member that must be an array when present.
pub(super) fn array_member<'v>(
    value: &'v Value,
    location: &Location,
    key: &str,
) -> Result<&'v [Value]> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(Error::at(
            ErrorKind::Invalid,
            &location.join(key),
            format!("`{key}` must be an array"),
        )),
    }
}

/// Reads an optional member that must be a string when present.
pub(super) fn string_member(
    value: &Value,
    location: &Location,
    key: &str,
) -> Result<Option<String>> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::at(
            ErrorKind::Invalid,
            &location.join(key),
            format!("`{key}` must be a string"),
        )),
    }
}

/// The key of `location` when it is `…/<collection>/<key>`.
pub(super) fn key_in(location: &Location, collection: &str) -> Option<String> {
    let tokens = location.tokens();
    match tokens.as_slice() {
        [.., c, key] if c == collection => Some(key.clone()),
        _ => None,
    }
}

/// A scalar's text (strings unquoted), for parameter values.
pub(super) fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
