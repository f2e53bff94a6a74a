//! Validation of frames against the payload schemas of the document, before
//! a handler sees them: [`Schemas`] (what generated code embeds for a
//! `ClientMessage`, compiled once on first use) and [`Violation`] (one
//! broken constraint, with its place in the frame).
//!
//! The generator embeds each message's payload schema as self-contained
//! JSON (the schemas it references under `$defs`, its `$ref`s rewritten to
//! point there, 2020-12 tuples written as draft-07 does) and checks at build
//! time that it compiles; the runtime compiles it with the `jsonschema`
//! crate as draft-07, formats checked, nothing fetched.

use crate::dispatch::DecodeError;
use crate::message::Message;
use crate::server::FrameErrorKind;
use serde_json::Value;
use std::fmt;
use std::sync::OnceLock;

/// One constraint a frame breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where, as a JSON pointer into the frame (e.g. `/payload/message`);
    /// for a missing required member, the member's own pointer; `""` for
    /// the frame as a whole.
    pub pointer: String,
    /// Why, e.g. `"" is shorter than 1 character`.
    pub reason: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(the frame)"
        } else {
            &self.pointer
        };
        write!(f, "{pointer}: {}", self.reason)
    }
}

/// The payload schemas of a message enum's variants (in the enum's order;
/// `None` for a variant without schema), compiled on first use.
///
/// Generated code holds one in a `static` per validated enum.
pub struct Schemas {
    sources: &'static [Option<&'static str>],
    compiled: OnceLock<Vec<Option<jsonschema::Validator>>>,
}

impl fmt::Debug for Schemas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Schemas")
            .field("variants", &self.sources.len())
            .field("compiled", &self.compiled.get().is_some())
            .finish()
    }
}

/// Compiles a payload schema: draft-07, formats checked (`uuid` too), no
/// remote references; the generator compiles every schema it embeds with
/// the same options, so that this does not fail.
fn compile(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        // Draft-07 has no `uuid` format; payload schemas use it.
        .with_format("uuid", is_uuid)
        .offline()
        .build(schema)
        .map_err(|e| e.to_string())
}

fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

impl Schemas {
    /// The schemas, as JSON text, one per variant.
    pub const fn new(sources: &'static [Option<&'static str>]) -> Self {
        Schemas {
            sources,
            compiled: OnceLock::new(),
        }
    }

    /// The compiled schema of the variant at `index`, if it has one. A
    /// schema that does not compile (the generator checked that it does,
    /// so only a mismatch of versions can cause it) is logged once and not
    /// used.
    fn validator(&self, index: usize) -> Option<&jsonschema::Validator> {
        let compiled = self.compiled.get_or_init(|| {
            self.sources
                .iter()
                .enumerate()
                .map(|(i, source)| {
                    let source = (*source)?;
                    let schema: Value = match serde_json::from_str(source) {
                        Ok(schema) => schema,
                        Err(error) => {
                            tracing::error!(variant = i, %error, "an embedded payload schema is not JSON: frames of this message are not validated");
                            return None;
                        }
                    };
                    match compile(&schema) {
                        Ok(validator) => Some(validator),
                        Err(error) => {
                            tracing::error!(variant = i, %error, "an embedded payload schema does not compile: frames of this message are not validated");
                            None
                        }
                    }
                })
                .collect()
        });
        compiled.get(index)?.as_ref()
    }

    /// Whether the variant at `index` has a schema to check frames against.
    pub fn has(&self, index: usize) -> bool {
        self.sources.get(index).is_some_and(Option::is_some)
    }

    /// Checks a frame (already parsed) against the schema of the variant at
    /// `index`: every violation, in the order the validator finds them
    /// (empty when the frame is valid or the variant has no schema).
    pub fn check(&self, index: usize, frame: &Value) -> Vec<Violation> {
        let Some(validator) = self.validator(index) else {
            return Vec::new();
        };
        if validator.is_valid(frame) {
            return Vec::new();
        }
        let mut violations = Vec::new();
        for error in validator.iter_errors(frame) {
            let at = error.instance_path().as_str();
            let reason = error.to_string();
            match error.kind() {
                // The missing member's own place.
                jsonschema::error::ValidationErrorKind::Required { property } => {
                    let name = property
                        .as_str()
                        .map_or_else(|| property.to_string(), str::to_owned);
                    violations.push(Violation {
                        pointer: format!("{at}/{}", escape(&name)),
                        reason,
                    });
                }
                // Each unexpected member at its own place.
                jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                    for name in unexpected {
                        violations.push(Violation {
                            pointer: format!("{at}/{}", escape(name)),
                            reason: format!("`{name}` is not allowed here ({reason})"),
                        });
                    }
                }
                _ => violations.push(Violation {
                    pointer: at.to_owned(),
                    reason,
                }),
            }
        }
        violations
    }

    /// Parses a text frame and checks it like [`Schemas::check`]; a frame
    /// that is not JSON is one violation at `""`.
    pub fn check_text(&self, index: usize, frame: &str) -> Vec<Violation> {
        if self.validator(index).is_none() {
            return Vec::new();
        }
        match serde_json::from_str::<Value>(frame) {
            Ok(value) => self.check(index, &value),
            Err(error) => vec![Violation {
                pointer: String::new(),
                reason: format!("not JSON: {error}"),
            }],
        }
    }
}

/// Decodes a text frame as a server does before handing it to a handler:
/// into the enum `M`, then (when `validate` and `M` has
/// [`Message::schemas`]) checked against the payload schema of the variant
/// it decoded as. What is refused: [`FrameErrorKind::Decode`] for a frame
/// that is not JSON or whose values match no message, and
/// [`FrameErrorKind::Invalid`] for one that breaks its message's schema or
/// whose discriminating values pick a message it does not decode as.
pub fn decode<M: Message>(frame: &str, validate: bool) -> Result<M, FrameErrorKind> {
    let message = match M::from_json(frame) {
        Ok(message) => message,
        Err(error) => return Err(refused::<M>(error, frame, validate)),
    };
    if validate {
        if let Some(schemas) = M::schemas() {
            let name = message.variant_name();
            let violations = schemas.check_text(variant_index::<M>(name), frame);
            if !violations.is_empty() {
                return Err(FrameErrorKind::Invalid {
                    message: name,
                    violations,
                });
            }
        }
    }
    Ok(message)
}

fn variant_index<M: Message>(name: &str) -> usize {
    M::variants()
        .iter()
        .position(|v| *v == name)
        .unwrap_or(usize::MAX)
}

/// A frame that did not decode: invalid when its discriminating values
/// pick a message (with the violations of that message's schema when
/// `validate`, else the decoding error at the frame as a whole), else a
/// decoding error.
#[cold]
fn refused<M: Message>(error: DecodeError, frame: &str, validate: bool) -> FrameErrorKind {
    let Some(message) = error.picked() else {
        return FrameErrorKind::Decode(error);
    };
    let mut violations = match (validate, M::schemas()) {
        (true, Some(schemas)) => schemas.check_text(variant_index::<M>(message), frame),
        _ => Vec::new(),
    };
    if violations.is_empty() {
        let reason = match error.json_error() {
            Some(json_error) => format!("does not decode as {message}: {json_error}"),
            None => format!("does not decode as {message}: {error}"),
        };
        violations.push(Violation {
            pointer: String::new(),
            reason,
        });
    }
    FrameErrorKind::Invalid {
        message,
        violations,
    }
}

/// A member name as a JSON pointer token.
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    static SCHEMAS: Schemas = Schemas::new(&[
        Some(
            r##"{"type":"object","required":["action","payload"],"properties":{"action":{"const":"chat"},"payload":{"$ref":"#/$defs/s1"}},"$defs":{"s1":{"type":"object","required":["message"],"additionalProperties":false,"properties":{"message":{"type":"string","minLength":1},"mentions":{"type":"array","maxItems":1,"items":{"type":"string","pattern":"^[a-z]+$"}}}}}}"##,
        ),
        None,
    ]);

    fn pointers(frame: &str) -> Vec<String> {
        SCHEMAS
            .check_text(0, frame)
            .into_iter()
            .map(|v| v.pointer)
            .collect()
    }

    #[test]
    fn violations_point_into_the_frame() {
        assert!(pointers(r#"{"action":"chat","payload":{"message":"hi"}}"#).is_empty());
        assert_eq!(
            pointers(r#"{"action":"chat","payload":{"message":""}}"#),
            ["/payload/message"]
        );
        assert_eq!(
            pointers(r#"{"action":"chat","payload":{}}"#),
            ["/payload/message"]
        );
        assert_eq!(
            pointers(r#"{"action":"chat","payload":{"message":"a","mentions":["x","Y"]}}"#),
            ["/payload/mentions", "/payload/mentions/1"]
        );
        let extra = SCHEMAS.check_text(0, r#"{"action":"chat","payload":{"message":"a","a/b":1}}"#);
        assert_eq!(extra.len(), 1);
        assert_eq!(extra[0].pointer, "/payload/a~1b");
        assert!(
            extra[0].reason.contains("`a/b` is not allowed"),
            "{}",
            extra[0]
        );
        let reason = &SCHEMAS.check_text(0, r#"{"action":"chat","payload":{"message":""}}"#)[0];
        assert_eq!(
            reason.to_string(),
            r#"/payload/message: "" is shorter than 1 character"#
        );
    }

    #[test]
    fn a_variant_without_schema_passes() {
        assert!(!SCHEMAS.has(1));
        assert!(SCHEMAS.check_text(1, "not json").is_empty());
        assert!(SCHEMAS.check_text(7, "{}").is_empty());
        assert_eq!(pointers("nope"), [""]);
    }
}
