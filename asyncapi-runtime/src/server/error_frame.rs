//! The document's error message as the answer to frames a server does not
//! handle ([`ErrorFrame`], generated from `x-asyncapi-rs-error`).

use super::error::FrameError;
use crate::message::Message;
use serde_json::{Map, Value};
use tracing::warn;

/// How to build a channel's error message: its constant members, where the
/// code, the human-readable message and the violations go (JSON pointers
/// into the frame), and which runtime code ([`FrameError::code`]) is
/// written as which value. Generated as a constant from the document's
/// `x-asyncapi-rs-error`; the generated `Handler::error_reply` uses it.
#[derive(Debug, Clone, Copy)]
pub struct ErrorFrame {
    /// The members every frame of the message has, as (pointer, JSON text).
    pub constants: &'static [(&'static str, &'static str)],
    /// Where the code goes.
    pub code: &'static str,
    /// Where the human-readable message goes, if anywhere.
    pub message: Option<&'static str>,
    /// Where the violations go (an array of `{"field", "reason"}`), if
    /// anywhere.
    pub errors: Option<&'static str>,
    /// Runtime code → the value written; a code not listed gets no reply.
    pub codes: &'static [(&'static str, &'static str)],
}

impl ErrorFrame {
    /// The value written at the code for `error`, if its code gets a reply.
    pub fn wire_code(&self, error: &FrameError) -> Option<&'static str> {
        let code = error.code();
        self.codes
            .iter()
            .find(|(runtime, _)| *runtime == code)
            .map(|(_, wire)| *wire)
    }

    /// The error message for `error` as JSON (without correlation id: the
    /// runtime copies the frame's in when it sends it), or `None` when its
    /// code gets no reply.
    pub fn to_value(&self, error: &FrameError) -> Option<Value> {
        let wire = self.wire_code(error)?;
        let mut frame = Value::Object(Map::new());
        for (pointer, json) in self.constants {
            let value = serde_json::from_str(json).unwrap_or(Value::Null);
            set(&mut frame, pointer, value);
        }
        set(&mut frame, self.code, Value::from(wire));
        if let Some(at) = self.message {
            set(&mut frame, at, Value::from(error.to_string()));
        }
        if let Some(at) = self.errors {
            let errors = error
                .violations()
                .iter()
                .map(|v| {
                    serde_json::json!({
                        "field": v.pointer,
                        "reason": v.reason,
                    })
                })
                .collect();
            set(&mut frame, at, Value::Array(errors));
        }
        Some(frame)
    }

    /// The error message for `error`, decoded as the channel's
    /// `ServerMessage`; `None` when its code gets no reply, or (logged) when
    /// what was built does not decode.
    pub fn reply<Out: Message>(&self, error: &FrameError) -> Option<Out> {
        let frame = self.to_value(error)?.to_string();
        match Out::from_json(&frame) {
            Ok(message) => Some(message),
            Err(decode) => {
                warn!(%decode, "the error message built for a frame does not decode: no reply");
                None
            }
        }
    }
}

/// Writes `new` at `pointer`, making the objects on the way.
fn set(frame: &mut Value, pointer: &str, new: Value) {
    let mut current = frame;
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, parents)) = tokens.split_last() else {
        *current = new;
        return;
    };
    for token in parents {
        if !current.is_object() {
            *current = Value::Object(Map::new());
        }
        let Value::Object(map) = current else {
            return;
        };
        current = map
            .entry(token.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if !current.is_object() {
        *current = Value::Object(Map::new());
    }
    if let Value::Object(map) = current {
        map.insert(last.clone(), new);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::error::FrameErrorKind;
    use crate::validate::Violation;

    const CHAT: ErrorFrame = ErrorFrame {
        constants: &[("/action", "\"error\"")],
        code: "/payload/code",
        message: Some("/payload/message"),
        errors: Some("/payload/errors"),
        codes: &[("invalid", "invalid"), ("unknown", "unknown_action")],
    };

    #[test]
    fn builds_the_frame_at_its_pointers() {
        let error = FrameError::new(
            FrameErrorKind::Invalid {
                message: "Chat",
                violations: vec![Violation {
                    pointer: "/payload/message".into(),
                    reason: "too short".into(),
                }],
            },
            None,
        );
        let value = CHAT.to_value(&error).unwrap();
        assert_eq!(value["action"], "error");
        assert_eq!(value["payload"]["code"], "invalid");
        assert_eq!(
            value["payload"]["errors"],
            serde_json::json!([{"field": "/payload/message", "reason": "too short"}])
        );
        assert!(value["payload"]["message"]
            .as_str()
            .unwrap()
            .contains("/payload/message: too short"));
        let binary = FrameError::new(FrameErrorKind::Binary { len: 3 }, None);
        assert_eq!(binary.code(), "malformed");
        assert!(CHAT.to_value(&binary).is_none(), "malformed is not mapped");
    }
}
