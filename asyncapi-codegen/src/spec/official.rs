//! Checking a document against the official AsyncAPI JSON Schema of its
//! version, embedded in the crate (see `schemas/README.md`).
//!
//! The document is checked with its `$ref`s resolved ([`Inlined`]), so a
//! problem is found wherever it is written, in whichever file, and
//! reported there. Of all the problems, the first is reported, as
//! specifically as the schema allows: the member that is missing or
//! unexpected, the value that is wrong, inside the branch of a `oneOf` that
//! the object was written for.

use super::failure::{Checker, Failure, Kind};
use super::inline::Inlined;
use super::report;
use super::{Documents, Version};
use crate::error::{Error, ErrorKind, Result};
use serde_json::Value;
use std::sync::OnceLock;

/// The embedded schemas: (major, minor, text).
const SCHEMAS: [(u64, u64, &str); 9] = [
    (2, 0, include_str!("../../schemas/2.0.0-without-$id.json")),
    (2, 1, include_str!("../../schemas/2.1.0-without-$id.json")),
    (2, 2, include_str!("../../schemas/2.2.0-without-$id.json")),
    (2, 3, include_str!("../../schemas/2.3.0-without-$id.json")),
    (2, 4, include_str!("../../schemas/2.4.0-without-$id.json")),
    (2, 5, include_str!("../../schemas/2.5.0-without-$id.json")),
    (2, 6, include_str!("../../schemas/2.6.0-without-$id.json")),
    (3, 0, include_str!("../../schemas/3.0.0-without-$id.json")),
    (3, 1, include_str!("../../schemas/3.1.0-without-$id.json")),
];

/// Each schema, adapted to resolved documents and compiled, on first use;
/// `None` if it does not compile (it always does: a test says so).
static COMPILED: [OnceLock<Option<Checker>>; 9] = [const { OnceLock::new() }; 9];

/// Each version's Schema Object alone, compiled on first use, for the
/// payloads of 2.0.0 and 2.1.0 (see [`payload_failures`]).
static SCHEMA_OBJECTS: [OnceLock<Option<Checker>>; 9] = [const { OnceLock::new() }; 9];

/// The index of `version` in [`SCHEMAS`].
fn index_of(version: &Version) -> Option<usize> {
    SCHEMAS
        .iter()
        .position(|(major, minor, _)| *major == version.major && *minor == version.minor)
}

/// Starts compiling, on a thread of its own, the official schema of the
/// version a root document's `text` seems to be written in, so that it is
/// ready once the document has been read: a guess from the text of its
/// `asyncapi` field, without parsing. A wrong guess only costs a compile on
/// the side; [`checker_for`] compiles the right one (or waits for this one).
pub(crate) fn prepare(text: &str) {
    let Some(version) = sniff(text) else {
        return;
    };
    if index_of(&version).is_some_and(|i| COMPILED[i].get().is_none()) {
        // No thread (a sandbox's limit) only means no head start.
        let _ = std::thread::Builder::new()
            .name("asyncapi-official-schema".into())
            .spawn(move || {
                checker_for(&version);
            });
    }
}

/// The version in the first `asyncapi: 2.6.0` (YAML, quoted or not) or
/// `"asyncapi": "3.0.0"` (JSON) of `text`.
fn sniff(text: &str) -> Option<Version> {
    let at = text.find("asyncapi")?;
    let rest = text[at + "asyncapi".len()..].trim_start_matches(['"', '\'']);
    let rest = rest.trim_start().strip_prefix(':')?;
    let rest = rest.trim_start().trim_start_matches(['"', '\'']);
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    Version::parse(&rest[..end])
}

/// The official schema for documents of `version`, adapted to resolved
/// documents and compiled; `None` for a version without one.
pub(crate) fn checker_for(version: &Version) -> Option<&'static Checker> {
    let index = index_of(version)?;
    COMPILED[index]
        .get_or_init(|| {
            let mut schema: Value = serde_json::from_str(SCHEMAS[index].2).ok()?;
            if version.major >= 3 {
                accept_resolved_references(&mut schema);
            }
            Checker::new(schema).ok()
        })
        .as_ref()
}

/// The Schema Object of `version`'s official schema, as a root schema of
/// its own (its `$ref`s point into the whole official schema, so the
/// official `definitions` come along).
fn schema_object_for(version: &Version) -> Option<&'static Checker> {
    let index = index_of(version)?;
    SCHEMA_OBJECTS[index]
        .get_or_init(|| {
            let official = checker_for(version)?.schema();
            let schema_object = official.pointer("/definitions/schema")?;
            let mut wrapped = serde_json::Map::new();
            wrapped.insert("definitions".into(), official.get("definitions")?.clone());
            wrapped.insert("allOf".into(), Value::Array(vec![schema_object.clone()]));
            Checker::new(Value::Object(wrapped)).ok()
        })
        .as_ref()
}

/// In 3.x, some fields must be `$ref`s (an operation's `channel` and
/// `messages`, a reply's `channel` and `messages`, a channel's `servers`).
/// Resolved, they hold the objects referred to; the schema is changed to
/// accept exactly those objects there, as the AsyncAPI parser does. That
/// they were `$ref`s to the right kind of object is checked when the model
/// is built.
fn accept_resolved_references(schema: &mut Value) {
    for (definition, pointer, target) in [
        ("channel", "/properties/servers/items", "server"),
        ("operation", "/properties/channel", "channel"),
        ("operation", "/properties/messages/items", "messageObject"),
        ("operationReply", "/properties/channel", "channel"),
        (
            "operationReply",
            "/properties/messages/items",
            "messageObject",
        ),
    ] {
        let Some(place) = schema
            .get_mut("definitions")
            .and_then(|d| d.get_mut(definition))
            .and_then(|d| d.pointer_mut(pointer))
        else {
            continue;
        };
        *place = serde_json::json!({ "$ref": format!("#/definitions/{target}") });
    }
}

/// Checks the root document of `docs` (with everything it references)
/// against the official schema of its version.
/// `inlined` is left as it was found.
pub(crate) fn check(docs: &Documents, inlined: &mut Inlined) -> Result<()> {
    let version = docs.version();
    let Some(checker) = checker_for(version) else {
        return Ok(());
    };
    // The schema names one version; `2.6.1` and `2.0.0-rc2` follow it too.
    // The version is swapped in for the check and back out after (the
    // document is not copied).
    let official = Value::String(format!("{}.{}.0", version.major, version.minor));
    let written = match &mut inlined.value {
        Value::Object(root) => root
            .get_mut("asyncapi")
            .map(|v| std::mem::replace(v, official)),
        _ => None,
    };
    let failures = checker.failures(&inlined.value);
    if let (Some(written), Value::Object(root)) = (written, &mut inlined.value) {
        root.insert("asyncapi".into(), written);
    }
    let inlined = &*inlined;
    let mut failures = without_kept_references(failures, inlined);
    if failures.is_empty() && version.major == 2 {
        failures = payload_failures(version, inlined);
    }
    let Some(best) = report::best(&failures, &inlined.value) else {
        return Ok(());
    };
    let location = inlined.origin(&best.path);
    let mut error = Error::at(
        ErrorKind::Invalid,
        &location,
        format!(
            "{} (the official AsyncAPI {}.{}.0 schema says so)",
            report::describe(best, &inlined.value),
            version.major,
            version.minor
        ),
    );
    if let Some(hint) = hint(best) {
        error = error.with_hint(hint);
    }
    Err(error)
}

/// 2.0.0 and 2.1.0 leave message payloads unchecked (later versions check
/// them against the Schema Object when `schemaFormat` names none other):
/// every payload in the JSON Schema or AsyncAPI format is checked against
/// the version's Schema Object here, as the AsyncAPI parser does. The
/// failures' paths are paths in the document.
fn payload_failures(version: &Version, inlined: &Inlined) -> Vec<Failure> {
    let Some(checker) = schema_object_for(version) else {
        return Vec::new();
    };
    let doc = &inlined.value;
    let mut messages: Vec<Vec<String>> = Vec::new();
    for (name, channel) in doc
        .get("channels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for action in ["publish", "subscribe"] {
            let Some(message) = channel.get(action).and_then(|o| o.get("message")) else {
                continue;
            };
            let base = vec![
                "channels".to_string(),
                name.clone(),
                action.into(),
                "message".into(),
            ];
            match message.get("oneOf").and_then(Value::as_array) {
                Some(list) => messages.extend((0..list.len()).map(|i| {
                    let mut p = base.clone();
                    p.extend(["oneOf".to_string(), i.to_string()]);
                    p
                })),
                None => messages.push(base),
            }
        }
    }
    let components = doc
        .pointer("/components/messages")
        .and_then(Value::as_object);
    for name in components.into_iter().flat_map(|m| m.keys()) {
        messages.push(vec!["components".into(), "messages".into(), name.clone()]);
    }
    let mut out = Vec::new();
    for at in messages {
        let Some(message) = report::value_at(doc, &at) else {
            continue;
        };
        let format = message.get("schemaFormat").and_then(Value::as_str);
        let Some(payload) = message.get("payload") else {
            continue;
        };
        if format.is_some_and(|f| !super::is_json_schema_format(f)) {
            continue;
        }
        let mut payload_at = at.clone();
        payload_at.push("payload".into());
        out.extend(checker.failures(payload).into_iter().map(|mut f| {
            f.path = payload_at.iter().cloned().chain(f.path).collect();
            f
        }));
        if !out.is_empty() {
            break;
        }
    }
    without_kept_references(out, inlined)
}

/// `failures` without those about `$ref`s that were left in place (see
/// [`Inlined`]): they stand for values that are checked where they are
/// defined. Inside a `oneOf`/`anyOf`, a branch that fails only because of
/// such `$ref`s is a branch the value matches, so the choice is dropped.
fn without_kept_references(failures: Vec<Failure>, inlined: &Inlined) -> Vec<Failure> {
    failures
        .into_iter()
        .filter(|f| !about_a_kept_reference(f, inlined))
        .filter_map(|mut failure| {
            if let Kind::OneOfNone { branches } | Kind::AnyOf { branches } = &mut failure.kind {
                for branch in branches.iter_mut() {
                    *branch = without_kept_references(std::mem::take(branch), inlined);
                }
                if branches.iter().any(Vec::is_empty) {
                    return None;
                }
            }
            Some(failure)
        })
        .collect()
}

/// Whether a failure is about a `$ref` that was left in place.
fn about_a_kept_reference(failure: &Failure, inlined: &Inlined) -> bool {
    if inlined.is_reference(&failure.path) {
        return true;
    }
    let parent = &failure.path[..failure.path.len().saturating_sub(1)];
    failure.path.last().is_some_and(|t| t == "$ref") && inlined.is_reference(parent)
}

/// What to do about a failure, where something helps.
fn hint(failure: &Failure) -> Option<String> {
    match &failure.kind {
        Kind::Pattern { pattern } if pattern.starts_with("^\\$message") => Some(
            "a runtime expression reads `$message.payload#/json/pointer` or \
             `$message.header#/json/pointer`, e.g. `$message.payload#/user/id`"
                .to_string(),
        ),
        Kind::Unexpected { .. } => Some(
            "check the spelling and the AsyncAPI version; fields of your own must start with `x-`"
                .to_string(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every official schema compiles, and so does each Schema Object.
    #[test]
    fn every_official_schema_compiles() {
        for (major, minor, _) in SCHEMAS {
            let version = Version {
                major,
                minor,
                patch: 0,
                raw: format!("{major}.{minor}.0"),
            };
            assert!(checker_for(&version).is_some(), "{major}.{minor}");
            assert!(schema_object_for(&version).is_some(), "{major}.{minor}");
        }
    }

    #[test]
    fn the_version_is_guessed_from_the_text() {
        let raw = |text: &str| sniff(text).map(|v| v.raw);
        assert_eq!(raw("asyncapi: 2.6.0\ninfo:").as_deref(), Some("2.6.0"));
        assert_eq!(raw("# doc\nasyncapi: '3.0.0'\n").as_deref(), Some("3.0.0"));
        assert_eq!(
            raw(r#"{"asyncapi" : "3.1.0", "info": {}}"#).as_deref(),
            Some("3.1.0")
        );
        assert_eq!(raw("info:\n  title: x\n"), None);
        assert_eq!(raw("asyncapi: latest"), None);
    }
}
