//! `specs/lenient.yaml`: what real documents do that the specification does
//! not allow (an address with a query, properties whose names differ only
//! by case, a discriminator not in `required`) compiles (`src/lib.rs`), and
//! the generated code does what the document means. The warnings are
//! asserted by the generator's own tests (`asyncapi-codegen/tests/warnings.rs`).
//!
//! Not under clippy, which does not see the generated code (`src/lib.rs`).

#![cfg(not(clippy))]

mod common;

use asyncapi_conformance::doc_specs_lenient_yaml::channels::{pets, stream};
use common::check;

#[test]
fn every_example_decodes_to_its_own_message() {
    assert_eq!(check("lenient.yaml", 0, decoder!(stream)), 1);
    assert_eq!(check("lenient.yaml", 1, decoder!(pets)), 2);
}

#[test]
fn a_query_in_the_address_holds_the_parameters() {
    let parameters = stream::Parameters {
        streams: "bnbbtc@trade/ethbtc@trade".into(),
    };
    assert_eq!(
        parameters.path(),
        "/stream?streams=bnbbtc%40trade%2Fethbtc%40trade"
    );
    let url = asyncapi_runtime::__private::client::channel_url(
        "wss://stream.example.com:9443?timeUnit=MICROSECOND",
        &parameters.path(),
    )
    .unwrap();
    assert_eq!(
        url,
        "wss://stream.example.com:9443/stream?timeUnit=MICROSECOND&streams=bnbbtc%40trade%2Fethbtc%40trade"
    );
}

#[test]
fn properties_differing_by_case_are_distinct_fields() {
    let frame = r#"{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"T":1672515782999}"#;
    let stream::ServerMessage::Trade(trade) = stream::ServerMessage::from_json(frame).unwrap();
    assert_eq!(trade.e_2, 1672515782136);
    assert_eq!(trade.t, 12345);
    assert_eq!(trade.t_2, 1672515782999);
    let again: serde_json::Value = serde_json::to_value(&trade).unwrap();
    assert_eq!(
        again,
        serde_json::from_str::<serde_json::Value>(frame).unwrap()
    );
}

#[test]
fn an_optional_discriminator_tells_messages_apart_when_present() {
    let dog = r#"{"petType":"Dog","name":"Rex","huntingSkill":"none","packSize":1}"#;
    assert_eq!(
        pets::ServerMessage::from_json(dog).unwrap().variant_name(),
        "Dog"
    );
    let cat = r#"{"petType":"Cat","name":"Tom","huntingSkill":"lazy","packSize":1}"#;
    assert_eq!(
        pets::ServerMessage::from_json(cat).unwrap().variant_name(),
        "Cat"
    );
}

#[test]
fn a_tab_after_the_indentation_of_a_block_scalar_is_content() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/lenient.yaml");
    let api = asyncapi_codegen::ir::Api::load(&path).unwrap_or_else(|e| panic!("{e}"));
    // A more-indented line of a folded scalar keeps its line break.
    let description = api.description.unwrap();
    assert!(
        description
            .contains("Indented by a tab after the spaces: valid YAML 1.2.\nThe rest folds."),
        "{description:?}"
    );
}
