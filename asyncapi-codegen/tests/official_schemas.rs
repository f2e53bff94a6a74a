//! The official AsyncAPI JSON Schemas vendored in `schemas/` (from the npm
//! package `@asyncapi/specs`, see `schemas/README.md`) are the ones
//! published in asyncapi/spec-json-schemas, as copied into the corpus
//! beside the repository: identical for 2.0.0 and 2.6.0; for 3.0.0 and
//! 3.1.0 different only inside `examples` annotations, which validation
//! does not read.

use serde_json::Value;
use std::path::{Path, PathBuf};

fn corpus_schemas() -> PathBuf {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/spec-json-schemas/schemas");
    assert!(
        dir.is_dir(),
        "no corpus at {}: the comparison needs ../shared/corpus beside the repository",
        dir.display()
    );
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The places where two JSON values differ, as JSON pointers.
fn differences(a: &Value, b: &Value, at: String, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let (Some(v), Some(w)) = (x.get(key), y.get(key)) else {
                    out.push(format!("{at}/{key}"));
                    continue;
                };
                differences(v, w, format!("{at}/{key}"), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differences(v, w, format!("{at}/{i}"), out);
            }
        }
        _ if a == b => {}
        _ => out.push(at),
    }
}

/// Whether a difference lies inside an `examples` annotation (a list of
/// example values).
fn in_examples(pointer: &str) -> bool {
    let tokens: Vec<&str> = pointer.split('/').collect();
    tokens
        .windows(2)
        .any(|w| w[0] == "examples" && w[1].bytes().all(|b| b.is_ascii_digit()))
}

#[test]
fn vendored_schemas_are_the_published_ones() {
    let corpus = corpus_schemas();
    let vendored = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    for version in ["2.0.0", "2.6.0", "3.0.0", "3.1.0"] {
        let file = format!("{version}-without-$id.json");
        let ours = read(&vendored.join(&file));
        let theirs = read(&corpus.join(&file));
        if ours == theirs {
            continue;
        }
        let ours: Value = serde_json::from_str(&ours).unwrap();
        let theirs: Value = serde_json::from_str(&theirs).unwrap();
        let mut found = Vec::new();
        differences(&ours, &theirs, String::new(), &mut found);
        assert!(!found.is_empty());
        let outside: Vec<&String> = found.iter().filter(|p| !in_examples(p)).collect();
        assert!(
            outside.is_empty(),
            "{file} differs from the corpus outside `examples`: {outside:?}"
        );
        assert!(
            version.starts_with('3'),
            "{file} should be identical to the corpus copy; differs at {found:?}"
        );
    }
}

#[test]
fn every_supported_version_has_its_schema_and_the_licence_ships_with_them() {
    let vendored = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    for version in [
        "2.0.0", "2.1.0", "2.2.0", "2.3.0", "2.4.0", "2.5.0", "2.6.0", "3.0.0", "3.1.0",
    ] {
        let schema: Value =
            serde_json::from_str(&read(&vendored.join(format!("{version}-without-$id.json"))))
                .unwrap();
        assert!(
            schema["$schema"]
                .as_str()
                .is_some_and(|s| s.starts_with("http://json-schema.org/draft-07/schema")),
            "{version}"
        );
    }
    assert!(read(&vendored.join("LICENSE")).contains("Apache License"));
    assert!(read(&vendored.join("NOTICE")).contains("AsyncAPI Initiative"));
    assert!(read(&vendored.join("README.md")).contains("@asyncapi/specs"));
}
