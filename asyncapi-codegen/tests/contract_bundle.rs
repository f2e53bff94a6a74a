//! The bundled document every generated module embeds in `CONTRACT`, for
//! every document in `specs/`, the multi-file fixture, and the corpus's
//! documents split over files:
//!
//! - it holds no `$ref` to another file, and every `$ref` in it resolves
//!   inside it;
//! - it passes the official AsyncAPI JSON Schema of its version (the
//!   schemas embedded in the generator, `schemas/`);
//! - it says what its source says: both, with every `$ref` replaced by its
//!   target (recursion marked where a target contains itself), are equal;
//! - `@asyncapi/parser` finds no error or warning in it that it does not
//!   find in the source (installed by `scripts/asyncapi-parser/check.sh
//!   --install-only`; without it that part says it skipped, unless
//!   `ASYNCAPI_REAL_CLIENTS=require`).

#[path = "support/specs.rs"]
mod specs;

use asyncapi_codegen::contract::bundle;
use asyncapi_codegen::spec::Documents;
use asyncapi_codegen::Location;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

/// Members whose values are data, not parts of the document.
const DATA: &[&str] = &["examples", "example", "default", "const", "enum"];

/// The documents of `specs/`, and fixtures split over several files.
fn documents() -> Vec<PathBuf> {
    let mut paths = specs::documents();
    paths.push(Path::new(MANIFEST).join("tests/fixtures/contract/split/api.yaml"));
    paths
}

fn bundled(path: &Path) -> Value {
    let docs = Documents::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    bundle::document(&docs).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Percent-decodes a URI fragment; panics on an escape that is no `%` and
/// two hex digits, or bytes that are no UTF-8 (the bundle writes neither).
fn percent_decode(text: &str) -> String {
    let malformed = text.split('%').skip(1).any(|rest| {
        !rest
            .as_bytes()
            .get(..2)
            .is_some_and(|digits| digits.iter().all(u8::is_ascii_hexdigit))
    });
    assert!(!malformed, "`{text}` has a malformed escape");
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .unwrap_or_else(|e| panic!("`{text}` is no UTF-8: {e}"))
        .into_owned()
}

/// Every `$ref` outside data members: (JSON pointer of its object, value).
fn refs(value: &Value, pointer: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                out.push((pointer.to_string(), reference.clone()));
            }
            for (key, member) in map {
                if !DATA.contains(&key.as_str()) {
                    let token = key.replace('~', "~0").replace('/', "~1");
                    refs(member, &format!("{pointer}/{token}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                refs(item, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// `value` (at `at` in the source documents) with every `$ref` replaced
/// by its target; a `$ref` to a place being expanded becomes
/// `{"$recursion": true}`.
fn expand_source(docs: &Documents, at: &Location, chain: &mut Vec<Location>) -> Value {
    let value = docs.get(at).unwrap_or_else(|e| panic!("{e}"));
    if let Some(reference) = value.get("$ref").and_then(Value::as_str) {
        let target = docs
            .resolve_ref(at, reference)
            .unwrap_or_else(|e| panic!("{e}"));
        if chain.contains(&target) {
            return json!({"$recursion": true});
        }
        return expand_source(docs, &target, chain);
    }
    chain.push(at.clone());
    let expanded = match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, member)| {
                    let member = if DATA.contains(&key.as_str()) {
                        member.clone()
                    } else {
                        expand_source(docs, &at.join(key), chain)
                    };
                    (key.clone(), member)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            (0..items.len())
                .map(|i| expand_source(docs, &at.index(i), chain))
                .collect(),
        ),
        scalar => scalar.clone(),
    };
    chain.pop();
    expanded
}

/// The same for the bundle, where every `$ref` is `#<pointer>`.
fn expand_bundle(bundle: &Value, pointer: &str, chain: &mut Vec<String>) -> Value {
    let value = bundle
        .pointer(pointer)
        .unwrap_or_else(|| panic!("nothing at {pointer} in the bundle"));
    if let Some(reference) = value.get("$ref").and_then(Value::as_str) {
        let target = percent_decode(
            reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("`{reference}` at {pointer} leaves the bundle")),
        );
        if chain.contains(&target) {
            return json!({"$recursion": true});
        }
        return expand_bundle(bundle, &target, chain);
    }
    chain.push(pointer.to_string());
    let expanded = match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, member)| {
                    let member = if DATA.contains(&key.as_str()) {
                        member.clone()
                    } else {
                        let token = key.replace('~', "~0").replace('/', "~1");
                        expand_bundle(bundle, &format!("{pointer}/{token}"), chain)
                    };
                    (key.clone(), member)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            (0..items.len())
                .map(|i| expand_bundle(bundle, &format!("{pointer}/{i}"), chain))
                .collect(),
        ),
        scalar => scalar.clone(),
    };
    chain.pop();
    expanded
}

/// Removes from `bundle` the components that bundling added (the parts of
/// other files moved under `components`), which `source` does not have.
fn drop_added_components(bundle: &mut Value, source: &Value) {
    let Some(components) = bundle.get_mut("components").and_then(Value::as_object_mut) else {
        return;
    };
    let in_source = source.get("components");
    components.retain(|kind, _| in_source.is_some_and(|c| c.get(kind).is_some()));
    for (kind, names) in components.iter_mut() {
        if let Some(names) = names.as_object_mut() {
            names.retain(|name, _| in_source.is_some_and(|c| c[kind].get(name).is_some()));
        }
    }
    if in_source.is_none() {
        bundle.as_object_mut().map(|root| root.remove("components"));
    }
}

/// The JSON pointer of the first place where `a` and `b` differ.
fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, member) in x {
                let token = key.replace('~', "~0").replace('/', "~1");
                match y.get(key) {
                    Some(other) => {
                        if let Some(d) = first_difference(member, other, format!("{at}/{token}")) {
                            return Some(d);
                        }
                    }
                    None => return Some(format!("{at}/{token}")),
                }
            }
            y.keys()
                .find(|k| !x.contains_key(*k))
                .map(|k| format!("{at}/{k}"))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, format!("{at}/{i}"))),
        _ => (a != b).then_some(at),
    }
}

fn official_validator(version: &str) -> jsonschema::Validator {
    let path = Path::new(MANIFEST).join(format!("schemas/{version}-without-$id.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("no official schema for {version}: {e}"));
    let schema: Value = serde_json::from_str(&text).expect("the official schema is JSON");
    jsonschema::draft7::options()
        .build(&schema)
        .unwrap_or_else(|e| panic!("the {version} schema compiles: {e}"))
}

#[test]
fn every_bundle_is_one_valid_document_saying_what_its_source_says() {
    let mut validators = HashMap::new();
    for path in documents() {
        let docs = Documents::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        check_bundle(&path, &docs, &mut validators);
    }
}

/// The documents of the corpus (beside the repository) that `$ref` other
/// files and that load: the AsyncAPI examples split over files
/// (`social-media`, in 2.6.0, 3.0.0 and 3.1.0) and the compatibility
/// suites' external references.
#[test]
fn corpus_documents_split_over_files_bundle_too() {
    let corpus = Path::new(MANIFEST).join("../../shared/corpus");
    let mut files = Vec::new();
    collect_files(&corpus.join("asyncapi-spec-examples"), &mut files);
    collect_files(&corpus.join("tck"), &mut files);
    files.sort();
    let mut validators = HashMap::new();
    let mut checked = 0;
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let external = text.lines().any(|line| {
            line.split_once("$ref")
                .map(|(_, rest)| {
                    let target = rest.trim_start_matches(['"', '\'', ':', ' ']);
                    !target.starts_with('#')
                        && (target.contains(".yaml")
                            || target.contains(".yml")
                            || target.contains(".json"))
                })
                .unwrap_or(false)
        });
        if !external || !text.contains("asyncapi") {
            continue;
        }
        // Documents the generator refuses (the suites' invalid cases) have
        // no contract.
        let Ok(docs) = Documents::load(&path) else {
            continue;
        };
        check_bundle(&path, &docs, &mut validators);
        checked += 1;
    }
    assert!(
        checked >= 10,
        "expected the corpus's documents split over files, checked {checked}"
    );
}

/// Every file under `dir`, recursively.
fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(path);
        }
    }
}

/// The checks of a bundle (see the file's documentation); `validators`
/// caches the official schemas by version.
fn check_bundle(
    path: &Path,
    docs: &Documents,
    validators: &mut HashMap<String, jsonschema::Validator>,
) {
    let name = path.display();
    let bundle = bundle::document(docs).unwrap_or_else(|e| panic!("{name}: {e}"));

    let mut found = Vec::new();
    refs(&bundle, "", &mut found);
    for (at, reference) in &found {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{name}: `$ref` `{reference}` at {at} leaves the bundle"));
        assert!(
            bundle.pointer(&percent_decode(pointer)).is_some(),
            "{name}: `$ref` `{reference}` at {at} leads nowhere in the bundle"
        );
    }

    let version = bundle["asyncapi"]
        .as_str()
        .expect("asyncapi is a string")
        .to_string();
    let validator = validators
        .entry(version.clone())
        .or_insert_with(|| official_validator(&version));
    let errors: Vec<String> = validator
        .iter_errors(&bundle)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .take(10)
        .collect();
    assert!(
        errors.is_empty(),
        "{name}: the bundle breaks the AsyncAPI {version} schema:\n  {}",
        errors.join("\n  ")
    );

    let source = Documents::read(path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let expanded_source = expand_source(&source, &source.root(), &mut Vec::new());
    let mut expanded_bundle = expand_bundle(&bundle, "", &mut Vec::new());
    drop_added_components(&mut expanded_bundle, &expanded_source);
    // The checks can fail: a broken copy fails both.
    let mut broken = bundle.clone();
    broken["info"]["title"] = json!(["not", "a", "title"]);
    assert!(
        !validator.is_valid(&broken),
        "{name}: a broken bundle passed"
    );
    let broken = expand_bundle(&broken, "", &mut Vec::new());
    assert_eq!(
        first_difference(&expanded_source, &broken, String::new()).as_deref(),
        Some("/info/title")
    );

    if let Some(at) = first_difference(&expanded_source, &expanded_bundle, String::new()) {
        panic!(
            "{name}: the bundle does not say what the source says at {at}: {} in the source, {} in the bundle",
            expanded_source.pointer(&at).unwrap_or(&Value::Null),
            expanded_bundle.pointer(&at).unwrap_or(&Value::Null)
        );
    }
}

#[test]
fn external_parts_move_under_components_and_are_copied_once() {
    let path = Path::new(MANIFEST).join("tests/fixtures/contract/split/api.yaml");
    let bundle = bundled(&path);
    // A channel written in another file lives at its root slot, and the
    // operation's `$ref` into that file points there.
    assert_eq!(bundle["channels"]["room"]["address"], "/rooms/{room}");
    assert_eq!(
        bundle["operations"]["say"]["channel"]["$ref"],
        "#/channels/room"
    );
    assert_eq!(
        bundle["operations"]["say"]["messages"][0]["$ref"],
        "#/channels/room/messages/say"
    );
    // Schemas of another file move under components/schemas, a taken
    // name gets a suffix, and recursion stays recursion.
    let schemas = &bundle["components"]["schemas"];
    assert_eq!(schemas["Text"]["type"], "object", "the root's own Text");
    assert_eq!(schemas["Text_2"]["maxLength"], 1000);
    assert_eq!(
        schemas["Node"]["properties"]["children"]["items"]["$ref"],
        "#/components/schemas/Node"
    );
    // Examples are data: a `$ref` in them is copied as written.
    assert_eq!(
        bundle["channels"]["room"]["messages"]["say"]["examples"][0]["payload"]["$ref"],
        "not/a/reference.yaml"
    );
}

/// The installed `@asyncapi/parser`, or `None` (after saying so) when the
/// test may skip.
fn parser() -> Option<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(MANIFEST).join("../target"));
    let modules = target.join("asyncapi-parser/node_modules");
    if modules.join("@asyncapi/parser/package.json").exists() {
        return Some(modules);
    }
    let message = format!(
        "@asyncapi/parser is not installed ({} is missing): run scripts/asyncapi-parser/check.sh --install-only",
        modules.display()
    );
    if std::env::var("ASYNCAPI_REAL_CLIENTS").as_deref() == Ok("require") {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
    None
}

/// The `severity code` of every error and warning the parser printed for
/// `path`, and whether it said `ok`.
fn diagnostics(stdout: &str, path: &Path) -> (BTreeSet<String>, bool) {
    let prefix = path.display().to_string();
    let mut found = BTreeSet::new();
    let mut ok = false;
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix(&prefix) else {
            continue;
        };
        if rest.starts_with(": ok") {
            ok = true;
        }
        let verdict = rest.split_once(": ").map_or("", |(_, v)| v);
        if verdict.starts_with("error ") || verdict.starts_with("warning ") {
            let mut words = verdict.split_whitespace();
            let severity = words.next().unwrap_or_default();
            let code = words.next().unwrap_or_default().trim_end_matches(':');
            found.insert(format!("{severity} {code}"));
        }
    }
    (found, ok)
}

#[test]
fn the_official_parser_finds_nothing_new_in_the_bundles() {
    let Some(modules) = parser() else {
        return;
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("contract-bundles");
    std::fs::create_dir_all(&dir).expect("a directory for the bundles");
    let mut pairs = Vec::new();
    for path in documents() {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let out = dir.join(format!("{stem}.bundled.json"));
        std::fs::write(&out, serde_json::to_string(&bundled(&path)).unwrap())
            .expect("the bundle is written");
        pairs.push((path, out));
    }
    let mut command = Command::new("node");
    command
        .arg(Path::new(MANIFEST).join("../scripts/asyncapi-parser/parse.js"))
        .env("NODE_PATH", &modules);
    for (source, bundle) in &pairs {
        command.arg(source).arg(bundle);
    }
    let output = command.output().expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    for (source, bundle) in &pairs {
        let (in_source, source_ok) = diagnostics(&stdout, source);
        let (in_bundle, bundle_ok) = diagnostics(&stdout, bundle);
        let new: Vec<&String> = in_bundle.difference(&in_source).collect();
        assert!(
            new.is_empty(),
            "{}: the parser finds in the bundle what it does not in the source: {new:?}\n{stdout}",
            source.display()
        );
        assert!(
            bundle_ok || !source_ok,
            "{}: the source parses, its bundle does not:\n{stdout}\n{}",
            source.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
