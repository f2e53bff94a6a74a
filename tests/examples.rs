//! Every `examples` entry of every message in `specs/` (Kraken v2 has its
//! own test, `kraken_v2_examples.rs`) decodes, through the
//! generated enums, to its own message's variant, and re-encodes to equal
//! JSON.

use asyncapi_codegen::ir::{Api, Direction};
use asyncapi_showcase::{chat, kraken, kraken_2_0};
use serde_json::Value;

/// Decodes `frame` with the enum of `(document, channel, direction)`,
/// returning the variant name and the re-encoded JSON.
fn decode(
    document: &str,
    channel: &str,
    direction: Direction,
    frame: &str,
) -> Result<(&'static str, Value), String> {
    fn run<T: serde::Serialize>(
        decoded: Result<T, asyncapi_runtime::DecodeError>,
        name: impl Fn(&T) -> &'static str,
    ) -> Result<(&'static str, Value), String> {
        let message = decoded.map_err(|e| e.to_string())?;
        let json = serde_json::to_value(&message).map_err(|e| e.to_string())?;
        Ok((name(&message), json))
    }
    use kraken::channels::{private, public};
    use Direction::{ClientToServer as C, ServerToClient as S};
    match (document, channel, direction) {
        ("kraken", "public", C) => run(public::ClientMessage::from_json(frame), |m| {
            m.variant_name()
        }),
        ("kraken", "public", S) => run(public::ServerMessage::from_json(frame), |m| {
            m.variant_name()
        }),
        ("kraken", "private", C) => run(private::ClientMessage::from_json(frame), |m| {
            m.variant_name()
        }),
        ("kraken", "private", S) => run(private::ServerMessage::from_json(frame), |m| {
            m.variant_name()
        }),
        ("kraken_2_0", "/", C) => run(kraken_2_0::ClientMessage::from_json(frame), |m| {
            m.variant_name()
        }),
        ("kraken_2_0", "/", S) => run(kraken_2_0::ServerMessage::from_json(frame), |m| {
            m.variant_name()
        }),
        ("chat", "room", C) => run(chat::ClientMessage::from_json(frame), |m| m.variant_name()),
        ("chat", "room", S) => run(chat::ServerMessage::from_json(frame), |m| m.variant_name()),
        other => Err(format!(
            "no generated enum for {other:?}: add it to this test"
        )),
    }
}

#[test]
fn every_example_round_trips_through_its_own_variant() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    let mut checked = 0;
    for document in ["kraken", "kraken_2_0", "chat"] {
        let path = root.join("specs").join(format!("{document}.yaml"));
        let api = Api::load(&path).unwrap_or_else(|e| panic!("{e}"));
        for (c, channel) in api.channels.iter().enumerate() {
            for direction in [Direction::ClientToServer, Direction::ServerToClient] {
                for (m, variant) in api.enum_variants(c, direction) {
                    let message = &api.messages[m];
                    if message.examples.is_empty() {
                        failures.push(format!(
                            "{}: message {} has no example",
                            document, message.key
                        ));
                    }
                    for example in &message.examples {
                        let Some(payload) = &example.payload else {
                            continue;
                        };
                        let frame = payload.to_string();
                        checked += 1;
                        match decode(document, &channel.id, direction, &frame) {
                            Ok((name, json)) if name == variant && &json == payload => {}
                            Ok((name, json)) => failures.push(format!(
                                "{}: decoded as {name} (expected {variant}), re-encoded as {json}",
                                example.location
                            )),
                            Err(e) => failures.push(format!("{}: {e}", example.location)),
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 30, "only {checked} examples checked");
}
