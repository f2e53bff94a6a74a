//! Every document in `specs/` parses with the official JavaScript parser,
//! `@asyncapi/parser` 3.x, without an error or a warning (its own
//! validation and Spectral rules, beyond the JSON Schema that
//! `spec_schema.rs` checks); see `support/parser.rs` for how it is
//! installed.

#[path = "support/parser.rs"]
mod parser;

#[test]
fn the_specs_pass_the_official_parser() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let specs = ["kraken_v2.yaml", "kraken.yaml", "chat.yaml"].map(|s| root.join("specs").join(s));
    parser::accepts("a spec", &specs);
}
