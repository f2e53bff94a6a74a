//! Every `examples` entry of every message in `specs/kraken_v2.yaml`
//! decodes, through the generated enums of each channel that carries the
//! message, to its own message's variant, and re-encodes to equal JSON
//! (numbers compared as numbers: `0.0` and `0` are the same JSON number,
//! and v2 sends both). The `book` examples' checksums are Kraken's.

use asyncapi_codegen::ir::{Api, Direction};
use asyncapi_showcase::book_v2::BookV2;
use asyncapi_showcase::kraken_v2::{self, channels};
use serde_json::Value;

/// Equal JSON: numbers by value, everything else exactly.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y || (x.as_f64().is_some() && x.as_f64() == y.as_f64())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Decodes `frame` with the enum of `(channel, direction)`, returning the
/// variant name and the re-encoded JSON.
fn decode(
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
    use channels::{level3, private, public};
    use Direction::{ClientToServer as C, ServerToClient as S};
    match (channel, direction) {
        ("public", C) => run(public::ClientMessage::from_json(frame), |m| {
            m.variant_name()
        }),
        ("public", S) => run(public::ServerMessage::from_json(frame), |m| {
            m.variant_name()
        }),
        ("private", C) => run(private::ClientMessage::from_json(frame), |m| {
            m.variant_name()
        }),
        ("private", S) => run(private::ServerMessage::from_json(frame), |m| {
            m.variant_name()
        }),
        ("level3", C) => run(level3::ClientMessage::from_json(frame), |m| {
            m.variant_name()
        }),
        ("level3", S) => run(level3::ServerMessage::from_json(frame), |m| {
            m.variant_name()
        }),
        other => Err(format!(
            "no generated enum for {other:?}: add it to this test"
        )),
    }
}

#[test]
fn every_example_round_trips_through_its_own_variant() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/kraken_v2.yaml");
    let api = Api::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut messages = std::collections::BTreeSet::new();
    for (c, channel) in api.channels.iter().enumerate() {
        for direction in [Direction::ClientToServer, Direction::ServerToClient] {
            for (m, variant) in api.enum_variants(c, direction) {
                let message = &api.messages[m];
                messages.insert(message.key.clone());
                if message.examples.is_empty() {
                    failures.push(format!("message {} has no example", message.key));
                }
                for example in &message.examples {
                    let Some(payload) = &example.payload else {
                        failures.push(format!("{}: no payload", example.location));
                        continue;
                    };
                    let frame = payload.to_string();
                    checked += 1;
                    match decode(&channel.id, direction, &frame) {
                        Ok((name, json)) if name == variant && same(&json, payload) => {}
                        Ok((name, json)) => failures.push(format!(
                            "{} on channel {}: decoded as {name} (expected {variant}), re-encoded as {json}",
                            example.location, channel.id
                        )),
                        Err(e) => failures.push(format!("{} on channel {}: {e}", example.location, channel.id)),
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // 44 messages, most on several channels.
    assert_eq!(messages.len(), 44, "{messages:?}");
    assert!(checked >= 100, "only {checked} examples checked");
}

/// The `book` examples are one snapshot and the update that follows it;
/// a local book fed both checks both checksums (BTC/USD prices have one
/// decimal).
#[test]
fn the_book_examples_carry_kraken_checksums() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/kraken_v2.yaml");
    let api = Api::load(&path).unwrap();
    let book = api
        .messages
        .iter()
        .find(|m| m.key == "book")
        .expect("message book");
    let mut local = BookV2::new(10, 1);
    let mut applied = 0;
    for example in &book.examples {
        let frame: kraken_v2::types::Book =
            serde_json::from_value(example.payload.clone().unwrap()).unwrap();
        for data in &frame.data {
            local
                .apply(&frame.type_, data)
                .unwrap_or_else(|e| panic!("{}: {e}", example.location));
            applied += 1;
        }
    }
    assert_eq!(applied, 2);
    assert_eq!(local.checksum(), 999_057_546);
}
