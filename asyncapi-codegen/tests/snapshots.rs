//! Every document in `specs/`, and the generator fixtures
//! `tests/fixtures/sides/{rooms,handshake,secured,validated}.yaml`, generate exactly the checked-in code
//! in `tests/output/`. Review changes like code; regenerate with
//! `EXPECTORATE=overwrite cargo test -p asyncapi-codegen --test snapshots`.
//!
//! The showcase package builds the same documents from its `build.rs` under
//! `#![deny(warnings)]`, and its `snapshots_compile` test checks that what
//! it compiled is byte for byte these snapshots: so the snapshots compile.

#[path = "support/specs.rs"]
mod specs;

use std::path::Path;

#[test]
fn every_spec_matches_its_snapshot() {
    let mut seen = 0;
    let mut entries = specs::documents();
    for fixture in [
        "rooms.yaml",
        "handshake.yaml",
        "secured.yaml",
        "validated.yaml",
    ] {
        entries.push(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/sides")
                .join(fixture),
        );
    }
    for path in entries {
        let generator = asyncapi_codegen::Generator::new(&path);
        let text = generator
            .generate_string()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        expectorate::assert_contents(format!("tests/output/{}", generator.file_name()), &text);
        seen += 1;
    }
    assert!(
        seen >= 3,
        "expected the documents of specs/ and the fixture, found {seen}"
    );
}
