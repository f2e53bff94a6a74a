//! The example documents of the seeds (the Chanx documentation's generated
//! schema and its camelize example, completed where the documentation
//! elides parts; see the comments at the top of each document in `specs/`)
//! compile (`src/lib.rs`), and every example message they hold decodes,
//! through the generated enums, to its own message's variant and encodes to
//! a frame that decodes to the same value.
//!
//! Not under clippy, which does not see the generated code (`src/lib.rs`).

#![cfg(not(clippy))]

mod common;

use common::check;

#[test]
fn chanx_generated_schema_decodes_its_examples() {
    let checked = check(
        "chanx-chat.yaml",
        0,
        decoder!(asyncapi_conformance::doc_specs_chanx_chat_yaml),
    );
    assert_eq!(checked, 2);
    // The channel has no address: the server's URL is the channel's.
    use asyncapi_conformance::doc_specs_chanx_chat_yaml as chat;
    let frame = r#"{"action":"chat","payload":{"message":"hi","room_id":0}}"#;
    let e = chat::ServerMessage::from_json(frame)
        .unwrap_err()
        .to_string();
    assert!(e.contains("room_id"), "{e}");
}

#[test]
fn chanx_camelize_example_decodes_its_examples() {
    let checked = check(
        "chanx-camelize.yaml",
        0,
        decoder!(asyncapi_conformance::doc_specs_chanx_camelize_yaml),
    );
    assert_eq!(checked, 2);
}
