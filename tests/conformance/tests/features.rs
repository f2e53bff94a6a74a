//! Every example of our own `specs/features.yaml` (every schema feature the
//! generator supports, names chosen to collide) decodes, through the
//! generated enums, to its own message's variant, and encodes to a frame
//! that decodes to the same value.
//!
//! Not under clippy, which does not see the generated code (`src/lib.rs`).

#![cfg(not(clippy))]

use asyncapi_codegen::ir::{Api, Direction};
use asyncapi_conformance::doc_specs_features_yaml as features;
use serde_json::Value;

/// Decodes `frame` with the enum of `direction`; returns the variant name
/// and whether encoding and decoding again gives the same message.
fn round_trip(direction: Direction, frame: &str) -> Result<(&'static str, bool), String> {
    fn run<T: serde::Serialize + PartialEq>(
        decode: impl Fn(&str) -> Result<T, asyncapi_runtime::DecodeError>,
        name: impl Fn(&T) -> &'static str,
        frame: &str,
    ) -> Result<(&'static str, bool), String> {
        let message = decode(frame).map_err(|e| e.to_string())?;
        let again = serde_json::to_string(&message).map_err(|e| e.to_string())?;
        let same = decode(&again).map_err(|e| format!("re-encoded as {again}: {e}"))? == message;
        Ok((name(&message), same))
    }
    match direction {
        Direction::ClientToServer => run(
            features::ClientMessage::from_json,
            |m| m.variant_name(),
            frame,
        ),
        Direction::ServerToClient => run(
            features::ServerMessage::from_json,
            |m| m.variant_name(),
            frame,
        ),
    }
}

#[test]
fn every_example_round_trips_through_its_own_variant() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/features.yaml");
    let api = Api::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    let mut checked = 0;
    for direction in [Direction::ClientToServer, Direction::ServerToClient] {
        for (m, variant) in api.enum_variants(0, direction) {
            let message = &api.messages[m];
            assert!(
                !message.examples.is_empty(),
                "{} has no example",
                message.key
            );
            for example in &message.examples {
                let Some(payload) = &example.payload else {
                    continue;
                };
                checked += 1;
                match round_trip(direction, &payload.to_string()) {
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
    assert!(checked >= 15, "only {checked} examples checked");
}

#[test]
fn colliding_names_get_distinct_identifiers() {
    use features::{ClientMessage, ServerMessage};
    assert_eq!(
        ClientMessage::VARIANTS,
        ["Join", "Self_", "ClientMessage", "Legacy", "Ping"]
    );
    assert_eq!(
        ServerMessage::VARIANTS,
        ["Join", "JoinRoom", "JoinRoom2", "Type", "Tree", "Pong"]
    );
    // `join` and `Join` are distinct payload types, as are `joinRoom` and
    // `join_room`; `Serialize` does not shadow serde's.
    let _: features::types::Join2 =
        serde_json::from_str(r#"{"kind":"joined","user":"a"}"#).unwrap();
    let _: features::types::JoinRoom2 = serde_json::from_str(r#"{"kind":"join_room"}"#).unwrap();
    let _: features::types::Serialize2 = serde_json::from_str(r#""s""#).unwrap();
}

#[test]
fn schema_features_have_their_rust_shapes() {
    let join: features::types::Join = serde_json::from_value(serde_json::json!({
        "kind": "join", "user": "a@b.c", "nickname": null, "position": [1.0, 2.0], "range": [1, 2]
    }))
    .unwrap();
    // `type: [string, "null"]` is optional; tuples (`items` as a list, and
    // `prefixItems`) are tuples.
    assert_eq!(join.nickname, None);
    assert_eq!(join.position, Some((1.0, 2.0)));
    assert_eq!(join.range, Some((1, 2)));
    // A closed object refuses what it does not name; a tuple its extra items.
    for bad in [
        serde_json::json!({"kind": "join", "user": "a", "extra": 1}),
        serde_json::json!({"kind": "join", "user": "a", "range": [1, 2, 3]}),
    ] {
        assert!(serde_json::from_value::<features::types::Join>(bad).is_err());
    }
    // OpenAPI's `nullable` and boolean `exclusiveMinimum`.
    let legacy: features::types::Legacy =
        serde_json::from_str(r#"{"kind":"legacy","note":null,"score":1.5}"#).unwrap();
    assert_eq!(legacy.note, None);
    // The discriminated shape picks its variant by `shapeType`.
    let frame = r#"{"kind":"shape","shape":{"shapeType":"square","side":3}}"#;
    let decoded = features::ServerMessage::from_json(frame).unwrap();
    assert_eq!(decoded.variant_name(), "Type");
    // A recursive payload.
    let tree = r#"{"kind":"tree","root":{"value":1,"children":[{"value":2,"children":[]}]}}"#;
    match features::ServerMessage::from_json(tree).unwrap() {
        features::ServerMessage::Tree(t) => assert_eq!(t.root.children[0].value, 2),
        other => panic!("{other:?}"),
    }
    let _: Value = serde_json::to_value(&decoded).unwrap();
}

#[test]
fn traits_from_another_file_are_applied() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/features.yaml");
    let api = Api::load(&path).unwrap_or_else(|e| panic!("{e}"));
    for key in ["ping", "pong"] {
        let message = api.messages.iter().find(|m| m.key == key).unwrap();
        let correlation = message.correlation_id.as_ref().expect("from the trait");
        assert_eq!(correlation.payload_pointer(), Some("/id"));
        let headers = message.headers.as_ref().expect("from the trait");
        // Merged into the message, where the trait's `$ref` now points
        // from (rewritten relative to features.yaml).
        assert!(
            headers.to_string().ends_with(&format!(
                "specs/features.yaml#/components/messages/{key}/headers"
            )),
            "{headers}"
        );
    }
    let op = api
        .operations
        .iter()
        .find(|o| o.id == "receiveJoin")
        .unwrap();
    assert_eq!(
        op.docs.description.as_deref(),
        Some("Everything a client sends to join, talk and count.")
    );
    // The header type the trait's `$ref` (relative to the trait's file)
    // names.
    let headers: features::types::Correlation =
        serde_json::from_str(r#"{"replyTo":"me"}"#).unwrap();
    assert_eq!(headers.reply_to.as_deref(), Some("me"));
}
