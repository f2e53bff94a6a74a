//! The contracts the showcase's generated modules embed (`CONTRACT`), as a
//! server serves them (`json_for`, `yaml_for`) at an address of its own:
//!
//! - the JSON and the YAML parse, and are the same document;
//! - every server points at the served address;
//! - the document passes the official AsyncAPI JSON Schema of its version
//!   (from `shared/corpus/spec-json-schemas`, beside the repository);
//! - apart from `servers`, it is the source document (for a document in
//!   one file: exactly; `kraken_2_0.yaml` takes its schemas from
//!   `kraken.yaml`, so its bundle has them under `components`);
//! - `@asyncapi/parser` parses it without an error or a warning when it
//!   parses the source so (skipped when the parser is not installed,
//!   unless `ASYNCAPI_REAL_CLIENTS=require`).

#[path = "support/parser.rs"]
mod parser;

use asyncapi_runtime::contract::{Contract, Served};
use asyncapi_showcase::{chat, kraken, kraken_2_0, kraken_v2};
use serde_json::Value;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

const SERVED: Served<'static> = Served {
    scheme: "ws",
    host: "127.0.0.1:9100",
};

/// Each generated module's contract and the document it was made from.
fn contracts() -> [(Contract, &'static str); 4] {
    [
        (chat::CONTRACT, "chat.yaml"),
        (kraken::CONTRACT, "kraken.yaml"),
        (kraken_2_0::CONTRACT, "kraken_2_0.yaml"),
        (kraken_v2::CONTRACT, "kraken_v2.yaml"),
    ]
}

fn source(file: &str) -> Value {
    let path = Path::new(ROOT).join("specs").join(file);
    let text = std::fs::read_to_string(&path).expect("the spec is readable");
    serde_yaml::from_str(&text).expect("the spec is YAML")
}

fn official_validator(version: &str) -> jsonschema::Validator {
    let path = Path::new(ROOT)
        .join("../shared/corpus/spec-json-schemas/schemas")
        .join(format!("{version}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::draft7::options()
        .offline()
        .build(&schema)
        .unwrap_or_else(|e| panic!("the AsyncAPI {version} schema compiles: {e}"))
}

#[test]
fn served_contracts_point_at_the_served_address_and_are_the_source() {
    for (contract, file) in contracts() {
        let json: Value =
            serde_json::from_str(&contract.json_for(&SERVED)).expect("json_for writes JSON");
        let yaml: Value =
            serde_yaml::from_str(&contract.yaml_for(&SERVED)).expect("yaml_for writes YAML");
        assert_eq!(json, yaml, "{file}: the JSON and the YAML differ");

        let version = json["asyncapi"].as_str().expect("asyncapi is a string");
        let servers = json["servers"].as_object().expect("servers");
        assert!(!servers.is_empty(), "{file}: no servers");
        for (id, server) in servers {
            assert_eq!(server["protocol"], "ws", "{file}: server {id}");
            if version.starts_with("2.") {
                assert!(
                    server["url"]
                        .as_str()
                        .is_some_and(|url| url.starts_with("127.0.0.1:9100")),
                    "{file}: server {id}: {server}"
                );
            } else {
                assert_eq!(server["host"], "127.0.0.1:9100", "{file}: server {id}");
            }
        }

        let validator = official_validator(version);
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .take(10)
            .collect();
        assert!(
            errors.is_empty(),
            "{file}: the served document breaks the AsyncAPI {version} schema:\n  {}",
            errors.join("\n  ")
        );

        let mut source = source(file);
        let mut served = json.clone();
        source.as_object_mut().unwrap().remove("servers");
        served.as_object_mut().unwrap().remove("servers");
        if file == "kraken_2_0.yaml" {
            // Bundled: what kraken.yaml lent it is under components now.
            for member in ["asyncapi", "info", "id", "defaultContentType"] {
                assert_eq!(source.get(member), served.get(member), "{file}: {member}");
            }
            let channels = |doc: &Value| -> Vec<String> {
                doc["channels"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .cloned()
                    .collect()
            };
            assert_eq!(channels(&source), channels(&served), "{file}: channels");
        } else {
            assert!(
                source == served,
                "{file}: the served document is not the source apart from servers"
            );
        }
    }
}

#[test]
fn the_official_parser_accepts_the_served_contracts() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("served-contracts");
    std::fs::create_dir_all(&dir).expect("a directory for the documents");
    // kraken_2_0.yaml itself draws warnings from the parser (2.0 has no
    // `contact`, ...): the 3.0 documents must pass clean.
    let mut paths = Vec::new();
    for (contract, file) in contracts() {
        if file == "kraken_2_0.yaml" {
            continue;
        }
        for (extension, text) in [
            ("json", contract.json_for(&SERVED)),
            ("yaml", contract.yaml_for(&SERVED)),
        ] {
            let path = dir.join(format!("{file}.served.{extension}"));
            std::fs::write(&path, text).expect("the document is written");
            paths.push(path);
        }
    }
    parser::accepts("a served contract", &paths);
}
