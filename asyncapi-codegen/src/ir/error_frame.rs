//! The `x-asyncapi-rs-error` extension: the message a server answers a
//! frame with that it does not handle (not JSON, no message of the channel,
//! breaking its schema, or failed in its handler).
//!
//! ```yaml
//! messages:
//!   error:
//!     x-asyncapi-rs-error:
//!       code: /payload/code          # JSON pointers into the frame
//!       message: /payload/message    # optional
//!       errors: /payload/errors      # optional: an array of {field, reason}
//!       codes: {malformed: malformed, unknown: unknown_action, invalid: invalid}
//! ```
//!
//! `codes` maps the runtime's codes (`malformed`, `unknown`, `invalid`,
//! `handler`) to the values the frame carries; a code not listed gets no
//! reply; without `codes`, each is written as it is. The generated
//! `Handler::error_reply` builds the message from its constant members
//! (read from the payload schema) and these places.

use super::validation::standalone;
use super::{constant_value, Api};
use crate::error::{Error, ErrorKind, Location, Result};
use crate::spec::{split_pointer, Documents};
use serde_json::Value;

/// The extension's name.
pub const X_ERROR: &str = "x-asyncapi-rs-error";

/// The runtime's codes of frames not handled.
pub const RUNTIME_CODES: &[&str] = &["malformed", "unknown", "invalid", "handler"];

/// How to build a channel's error message (from `x-asyncapi-rs-error`).
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorFrame {
    /// Where the code goes (a JSON pointer into the frame).
    pub code: String,
    /// Where the human-readable message goes, if anywhere.
    pub message: Option<String>,
    /// Where the array of `{field, reason}` violations goes, if anywhere.
    pub errors: Option<String>,
    /// Runtime code → the value written at `code`, for the codes that get
    /// a reply.
    pub codes: Vec<(String, String)>,
    /// The members every frame of the message has (`const` or an `enum` of
    /// one), as (pointer, value): where building the message starts.
    pub constants: Vec<(String, Value)>,
    /// Where the extension is.
    pub location: Location,
}

/// Reads the extension on every message, checking its pointers against the
/// payload schema and that only messages the server sends carry it (and at
/// most one per channel).
pub(super) fn read(docs: &Documents, api: &mut Api) -> Result<()> {
    for index in 0..api.messages.len() {
        let location = api.messages[index].location.clone();
        let value = docs.get(&location)?;
        let Some(extension) = value.get(X_ERROR) else {
            continue;
        };
        let at = location.join(X_ERROR);
        let sent = api
            .channels
            .iter()
            .any(|c| c.server_messages.contains(&index));
        if !sent {
            return Err(Error::at(
                ErrorKind::Invalid,
                &at,
                format!(
                    "`{X_ERROR}` marks message `{}`, which the server never sends",
                    api.messages[index].key
                ),
            )
            .with_hint("mark a message of a `send` operation (2.x: `subscribe`)"));
        }
        let payload = match &api.messages[index].payload {
            Some(payload) => standalone(docs.bundle(payload)?),
            None => {
                return Err(Error::at(
                    ErrorKind::Invalid,
                    &at,
                    "the error message has no payload to put the code in",
                ))
            }
        };
        let frame = parse(extension, &at, &payload)?;
        api.messages[index].error_frame = Some(frame);
    }
    for channel in &api.channels {
        let marked: Vec<&str> = channel
            .server_messages
            .iter()
            .filter(|&&m| api.messages[m].error_frame.is_some())
            .map(|&m| api.messages[m].key.as_str())
            .collect();
        if marked.len() > 1 {
            return Err(Error::at(
                ErrorKind::Invalid,
                &channel.location,
                format!(
                    "channel `{}` has several error messages (`{X_ERROR}`): {}; mark one",
                    channel.id,
                    marked.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn parse(extension: &Value, at: &Location, payload: &Value) -> Result<ErrorFrame> {
    let invalid = |at: &Location, message: String| {
        Error::at(ErrorKind::Invalid, at, message).with_hint(
            "write `{code: /payload/code, message: /payload/message, errors: /payload/errors, \
             codes: {invalid: invalid, ...}}` with JSON pointers into the frame",
        )
    };
    let Value::Object(map) = extension else {
        return Err(invalid(at, format!("`{X_ERROR}` must be an object")));
    };
    for key in map.keys() {
        if !["code", "message", "errors", "codes"].contains(&key.as_str()) {
            return Err(invalid(
                &at.join(key),
                format!("`{X_ERROR}` has no member `{key}`"),
            ));
        }
    }
    let place = |key: &str| -> Result<Option<(String, &Value)>> {
        let Some(value) = map.get(key) else {
            return Ok(None);
        };
        let key_at = at.join(key);
        let Some(pointer) = value.as_str() else {
            return Err(invalid(&key_at, format!("`{key}` must be a JSON pointer")));
        };
        let tokens = split_pointer(pointer).map_err(|why| invalid(&key_at, why))?;
        if tokens.is_empty() {
            return Err(invalid(
                &key_at,
                format!("`{key}` must point at a member of the frame, not the whole frame"),
            ));
        }
        let mut schema = payload;
        for (i, token) in tokens.iter().enumerate() {
            schema = member(payload, schema, token).ok_or_else(|| {
                let so_far = tokens[..i]
                    .iter()
                    .map(|t| format!("/{t}"))
                    .collect::<String>();
                invalid(
                    &key_at,
                    format!(
                        "`{pointer}` is no place of the message: the payload schema has no \
                         property `{token}` at `{so_far}`"
                    ),
                )
            })?;
        }
        Ok(Some((pointer.to_owned(), schema)))
    };
    let (code, code_schema) = place("code")?
        .ok_or_else(|| invalid(at, format!("`{X_ERROR}` needs `code`, a JSON pointer")))?;
    let message = place("message")?.map(|(p, _)| p);
    let errors = match place("errors")? {
        Some((pointer, schema)) => {
            let ty = resolve(payload, schema).get("type");
            if ty.is_some_and(|t| {
                t != "array"
                    && !t
                        .as_array()
                        .is_some_and(|ts| ts.iter().any(|t| t == "array"))
            }) {
                return Err(invalid(
                    &at.join("errors"),
                    format!("`{pointer}` is no array in the payload schema: the violations are written there as an array of `{{field, reason}}`"),
                ));
            }
            let item = resolve(payload, schema)
                .get("items")
                .map(|item| resolve(payload, item));
            if let Some(Value::Object(properties)) = item.and_then(|i| i.get("properties")) {
                for needed in ["field", "reason"] {
                    if !properties.contains_key(needed) {
                        return Err(invalid(
                            &at.join("errors"),
                            format!("the items at `{pointer}` have no property `{needed}`: each violation is written as `{{field, reason}}`"),
                        ));
                    }
                }
            }
            Some(pointer)
        }
        None => None,
    };
    let allowed: Option<Vec<String>> = match resolve(payload, code_schema).get("enum") {
        Some(Value::Array(values)) => Some(
            values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
        ),
        _ => None,
    };
    let codes = match map.get("codes") {
        None => RUNTIME_CODES
            .iter()
            .map(|c| (c.to_string(), c.to_string()))
            .filter(|(_, wire)| allowed.as_ref().is_none_or(|a| a.contains(wire)))
            .collect(),
        Some(Value::Object(codes)) => {
            let mut out = Vec::new();
            for (runtime, wire) in codes {
                let code_at = at.join("codes").join(runtime);
                if !RUNTIME_CODES.contains(&runtime.as_str()) {
                    return Err(invalid(
                        &code_at,
                        format!(
                            "`{runtime}` is no code of the runtime: those are {}",
                            RUNTIME_CODES.join(", ")
                        ),
                    ));
                }
                let Some(wire) = wire.as_str() else {
                    return Err(invalid(
                        &code_at,
                        format!("the code written for `{runtime}` must be a string"),
                    ));
                };
                if let Some(allowed) = &allowed {
                    if !allowed.iter().any(|a| a == wire) {
                        return Err(invalid(
                            &code_at,
                            format!(
                                "`{wire}` is not one of the values the payload schema allows at `{code}`: {}",
                                allowed.join(", ")
                            ),
                        ));
                    }
                }
                out.push((runtime.clone(), wire.to_owned()));
            }
            out
        }
        Some(_) => {
            return Err(invalid(
                &at.join("codes"),
                "`codes` must map runtime codes to the values written".into(),
            ))
        }
    };
    let mut constants = Vec::new();
    collect_constants(payload, payload, "", &mut constants);
    Ok(ErrorFrame {
        code,
        message,
        errors,
        codes,
        constants,
        location: at.clone(),
    })
}

/// `schema` with a `$ref` of the standalone schema `root` followed.
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    let mut schema = schema;
    for _ in 0..32 {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let target = match reference {
            "#" => Some(root),
            other => other
                .strip_prefix("#/$defs/")
                .and_then(|name| root.get("$defs")?.get(name)),
        };
        match target {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}

/// The schema of the property `name` of `schema` (its own `properties`,
/// then those of its `allOf`/`anyOf`/`oneOf` branches).
fn member<'a>(root: &'a Value, schema: &'a Value, name: &str) -> Option<&'a Value> {
    let schema = resolve(root, schema);
    if let Some(found) = schema.get("properties").and_then(|p| p.get(name)) {
        return Some(found);
    }
    ["allOf", "anyOf", "oneOf"]
        .iter()
        .filter_map(|k| schema.get(*k)?.as_array())
        .flatten()
        .find_map(|branch| member(root, branch, name))
}

/// The constant members of `schema` (at `pointer`), and those of its
/// required object members, in order.
fn collect_constants(root: &Value, schema: &Value, pointer: &str, out: &mut Vec<(String, Value)>) {
    let schema = resolve(root, schema);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(Value::Object(properties)) = schema.get("properties") {
        for (name, property) in properties {
            let at = format!("{pointer}/{}", name.replace('~', "~0").replace('/', "~1"));
            let property = resolve(root, property);
            if let Some(value) = constant_value(property) {
                out.push((at, value));
            } else if required.contains(&name.as_str()) {
                collect_constants(root, property, &at, out);
            }
        }
    }
    if let Some(Value::Array(branches)) = schema.get("allOf") {
        for branch in branches {
            collect_constants(root, branch, pointer, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::error::Result;
    use crate::ir::{Api, Perspective};
    use crate::spec::Documents;
    use serde_json::json;

    fn build(extension: &str, sent: bool) -> Result<Api> {
        let action = if sent { "send" } else { "receive" };
        let text = format!(
            r#"
asyncapi: 3.0.0
info: {{title: T, version: "1"}}
channels:
  room:
    address: /
    messages:
      error:
        x-asyncapi-rs-error: {extension}
        payload:
          type: object
          required: [action, payload]
          properties:
            action: {{const: error}}
            payload:
              type: object
              required: [code, kind]
              properties:
                kind: {{const: frame}}
                code: {{type: string, enum: [invalid, unknown_action]}}
                text: {{type: string}}
                errors:
                  type: array
                  items: {{$ref: '#/components/schemas/item'}}
components:
  schemas:
    item:
      type: object
      properties:
        field: {{type: string}}
        reason: {{type: string}}
operations:
  error:
    action: {action}
    channel: {{$ref: '#/channels/room'}}
    messages: [{{$ref: '#/channels/room/messages/error'}}]
"#
        );
        let docs = Documents::load_str("t.yaml", &text)?;
        Api::build(&docs, Perspective::Server)
    }

    fn error(extension: &str, sent: bool) -> String {
        build(extension, sent).unwrap_err().to_string()
    }

    #[test]
    fn places_codes_and_constants_are_read() {
        let api = build(
            "{code: /payload/code, message: /payload/text, errors: /payload/errors, codes: {unknown: unknown_action, invalid: invalid}}",
            true,
        )
        .unwrap();
        let frame = api.messages[0].error_frame.as_ref().unwrap();
        assert_eq!(frame.code, "/payload/code");
        assert_eq!(frame.message.as_deref(), Some("/payload/text"));
        assert_eq!(frame.errors.as_deref(), Some("/payload/errors"));
        assert_eq!(
            frame.codes,
            [
                ("unknown".to_string(), "unknown_action".to_string()),
                ("invalid".to_string(), "invalid".to_string())
            ]
        );
        assert_eq!(
            frame.constants,
            [
                ("/action".to_string(), json!("error")),
                ("/payload/kind".to_string(), json!("frame"))
            ]
        );
        // Without `codes`: the runtime's codes the schema allows, as they are.
        let api = build("{code: /payload/code}", true).unwrap();
        let frame = api.messages[0].error_frame.as_ref().unwrap();
        assert_eq!(
            frame.codes,
            [("invalid".to_string(), "invalid".to_string())]
        );
    }

    #[test]
    fn bad_places_and_codes_are_errors_at_their_pointer() {
        let e = error("{code: /payload/kode}", true);
        assert!(
            e.contains("t.yaml#/channels/room/messages/error/x-asyncapi-rs-error/code")
                && e.contains("no property `kode` at `/payload`"),
            "{e}"
        );
        let e = error("{code: payload/code}", true);
        assert!(e.contains("does not start with `/`"), "{e}");
        let e = error("{code: /payload/code, codes: {oops: invalid}}", true);
        assert!(
            e.contains("x-asyncapi-rs-error/codes/oops")
                && e.contains("`oops` is no code of the runtime"),
            "{e}"
        );
        let e = error("{code: /payload/code, codes: {invalid: bad}}", true);
        assert!(
            e.contains("`bad` is not one of the values the payload schema allows"),
            "{e}"
        );
        let e = error("{code: /payload/code, errors: /payload/text}", true);
        assert!(e.contains("x-asyncapi-rs-error/errors"), "{e}");
        let e = error("{message: /payload/text}", true);
        assert!(e.contains("needs `code`"), "{e}");
        let e = error("{code: /payload/code}", false);
        assert!(e.contains("which the server never sends"), "{e}");
    }
}
