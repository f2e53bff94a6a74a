//! What a channel's `ws` binding asks of the WebSocket handshake: its
//! `query` and `headers` schemas, read into typed fields that the generated
//! client writes into the URL and the request, and the generated server
//! reads and checks while it decides the handshake.

use super::read::array_member;
use super::{Docs, HandshakeField, HandshakeKind, HandshakePlace};
use crate::error::{Error, ErrorKind, Location, Result, Warning};
use crate::spec::Documents;
use serde_json::Value;

/// The fields of the `ws` binding of the channel at `location` (none
/// without one), and warnings for what they cannot say.
pub(super) fn fields(
    docs: &Documents,
    channel: &Value,
    location: &Location,
) -> Result<(Vec<HandshakeField>, Vec<Warning>)> {
    let mut fields = Vec::new();
    let mut warnings = Vec::new();
    if channel.get("bindings").is_none() {
        return Ok((fields, warnings));
    }
    let (bindings_loc, bindings) = docs.deref(&location.join("bindings"))?;
    if bindings.get("ws").is_none() {
        return Ok((fields, warnings));
    }
    let (ws_loc, ws) = docs.deref(&bindings_loc.join("ws"))?;
    for (key, place) in [
        ("query", HandshakePlace::Query),
        ("headers", HandshakePlace::Header),
    ] {
        if ws.get(key).is_none() {
            continue;
        }
        let (loc, schema) = docs.deref(&ws_loc.join(key))?;
        let required: Vec<&str> = array_member(schema, &loc, "required")?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        // Without properties (or not an object, which the document's
        // checks warn about) there is nothing to fill or read.
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for name in properties.keys() {
            let (at, property) = docs.deref(&loc.join("properties").join(name))?;
            let kind = match property.get("type").and_then(Value::as_str) {
                Some("boolean") if place == HandshakePlace::Query => HandshakeKind::Boolean,
                Some("integer") if place == HandshakePlace::Query => HandshakeKind::Integer,
                Some("number") if place == HandshakePlace::Query => HandshakeKind::Number,
                None | Some("string") => HandshakeKind::String,
                Some(other) => {
                    warnings.push(Warning::at(
                        &at.join("type"),
                        format!(
                            "a {} of type `{other}` is read and written as text: the generated \
                             code gives it as a `String`",
                            place.noun()
                        ),
                    ));
                    HandshakeKind::String
                }
            };
            let values: Vec<String> = array_member(property, &at, "enum")?
                .iter()
                .map(super::read::value_text)
                .collect();
            let pattern = match property.get("pattern") {
                None => None,
                Some(Value::String(p)) if regress::Regex::new(p).is_ok() => Some(p.clone()),
                Some(_) => {
                    return Err(Error::at(
                        ErrorKind::Invalid,
                        &at.join("pattern"),
                        "the pattern is no regular expression (ECMA-262, as regress reads it)",
                    ))
                }
            };
            fields.push(HandshakeField {
                name: name.clone(),
                place,
                kind,
                required: required.contains(&name.as_str()),
                values,
                pattern,
                default: property.get("default").map(super::read::value_text),
                docs: Docs::read(property),
                location: at,
            });
        }
    }
    Ok((fields, warnings))
}

impl HandshakePlace {
    /// What a field in this place is called.
    pub fn noun(self) -> &'static str {
        match self {
            HandshakePlace::Query => "query parameter",
            HandshakePlace::Header => "header",
        }
    }
}
