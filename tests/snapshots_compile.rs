//! The code this package compiled (under `#![deny(warnings)]`, see
//! `src/lib.rs`) is byte for byte the snapshot checked in under
//! `asyncapi-codegen/tests/output/`, for every document in `specs/` and for
//! the generator fixtures `rooms.yaml`, `handshake.yaml` and `secured.yaml`
//! (run by `tests/rooms.rs`, `tests/handshake.rs` and `tests/secured.rs`):
//! the snapshots compile.

use std::path::Path;

#[test]
fn compiled_code_is_the_snapshot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_dir = Path::new(env!("OUT_DIR"));
    let mut checked = 0;
    let mut paths: Vec<_> = std::fs::read_dir(root.join("specs"))
        .expect("specs/ is readable")
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    for fixture in ["rooms", "handshake", "secured"] {
        paths.push(root.join(format!(
            "asyncapi-codegen/tests/fixtures/sides/{fixture}.yaml"
        )));
    }
    for path in paths {
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if !matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            continue;
        }
        let built =
            std::fs::read_to_string(out_dir.join(format!("{stem}.rs"))).unwrap_or_else(|e| {
                panic!(
                    "build.rs did not generate {stem}.rs ({e}): add {} to build.rs",
                    path.display()
                )
            });
        let snapshot = std::fs::read_to_string(
            root.join("asyncapi-codegen/tests/output").join(format!("{stem}.rs")),
        )
        .unwrap_or_else(|e| panic!("no snapshot for {stem} ({e}): run the asyncapi-codegen snapshot test with EXPECTORATE=overwrite"));
        assert!(
            built == snapshot,
            "the code generated for {} differs from its snapshot: run `EXPECTORATE=overwrite cargo test -p asyncapi-codegen --test snapshots` and review the diff",
            path.display()
        );
        checked += 1;
    }
    assert!(
        checked >= 3,
        "expected the documents of specs/ and the fixture, checked {checked}"
    );
}
