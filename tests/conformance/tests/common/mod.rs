//! Decoding a document's examples through its generated enums: each to its
//! own message's variant, and encoded to a frame that decodes to the same
//! value.

use asyncapi_codegen::ir::{Api, Direction};

/// How a document's generated enums decode a frame: the variant name, and
/// whether encoding and decoding again gives the same message.
pub type Decode = fn(Direction, &str) -> Result<(&'static str, bool), String>;

/// Decodes `frame` with `decode`, names the variant, and checks the round
/// trip.
pub fn round_trip<T: serde::Serialize + PartialEq>(
    decode: impl Fn(&str) -> Result<T, asyncapi_runtime::DecodeError>,
    name: impl Fn(&T) -> &'static str,
    frame: &str,
) -> Result<(&'static str, bool), String> {
    let message = decode(frame).map_err(|e| e.to_string())?;
    let again = serde_json::to_string(&message).map_err(|e| e.to_string())?;
    let same = decode(&again).map_err(|e| format!("re-encoded as {again}: {e}"))? == message;
    Ok((name(&message), same))
}

/// The [`Decode`] of a generated module with one channel.
#[macro_export]
macro_rules! decoder {
    ($module:path) => {{
        use $module as m;
        fn decode(
            direction: asyncapi_codegen::ir::Direction,
            frame: &str,
        ) -> Result<(&'static str, bool), String> {
            match direction {
                asyncapi_codegen::ir::Direction::ClientToServer => $crate::common::round_trip(
                    m::ClientMessage::from_json,
                    |v| v.variant_name(),
                    frame,
                ),
                asyncapi_codegen::ir::Direction::ServerToClient => $crate::common::round_trip(
                    m::ServerMessage::from_json,
                    |v| v.variant_name(),
                    frame,
                ),
            }
        }
        decode as $crate::common::Decode
    }};
}

/// Checks every example of channel `channel` (its index) of the document
/// at `specs/<file>`; returns how many were checked.
pub fn check(file: &str, channel: usize, decode: Decode) -> usize {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("specs")
        .join(file);
    let api = Api::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    let mut checked = 0;
    for direction in [Direction::ClientToServer, Direction::ServerToClient] {
        for (m, variant) in api.enum_variants(channel, direction) {
            let message = &api.messages[m];
            for example in &message.examples {
                let Some(payload) = &example.payload else {
                    continue;
                };
                checked += 1;
                match decode(direction, &payload.to_string()) {
                    Ok((name, true)) if name == variant => {}
                    Ok((name, same)) => failures.push(format!(
                        "{}: decoded as {name} (expected {variant}); round trip equal: {same}",
                        example.location
                    )),
                    Err(e) => failures.push(format!("{}: {e}", example.location)),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    checked
}
