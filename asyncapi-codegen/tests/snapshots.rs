//! Every document in `specs/`, and the generator fixtures
//! `tests/fixtures/sides/{rooms,handshake,secured}.yaml`, generates exactly the checked-in code
//! in `tests/output/`. Review changes like code; regenerate with
//! `EXPECTORATE=overwrite cargo test -p asyncapi-codegen --test snapshots`.
//!
//! The showcase package builds the same documents from its `build.rs` under
//! `#![deny(warnings)]`, and its `snapshots_compile` test checks that what
//! it compiled is byte for byte these snapshots: so the snapshots compile.

use std::path::Path;

#[test]
fn every_spec_matches_its_snapshot() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let mut seen = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&specs)
        .expect("specs/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    entries.sort();
    for fixture in ["rooms.yaml", "handshake.yaml", "secured.yaml"] {
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
