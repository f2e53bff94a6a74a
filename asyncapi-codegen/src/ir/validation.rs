//! The payload schemas a server validates frames against before its
//! handlers see them: each message clients send, as one self-contained JSON
//! schema (the schemas it references under `$defs`, its `$ref`s rewritten
//! to point there, OpenAPI 3.0 schemas converted, 2020-12 tuples written as
//! draft-07 does), compiled here once so that the runtime's compilation,
//! with the same options, cannot fail.

use super::{Api, SchemaDialect};
use crate::error::{Result, Warning};
use crate::spec::{Checker, Documents, DATA_KEYWORDS};
use serde_json::{Map, Value};

/// Fills [`Message::validation`](super::Message::validation) for every
/// message clients send; a schema that does not compile is a warning (its
/// frames are then not validated).
pub(super) fn embed(docs: &Documents, api: &mut Api) -> Result<Vec<Warning>> {
    let mut warnings = Vec::new();
    let mut incoming: Vec<usize> = api
        .channels
        .iter()
        .flat_map(|c| c.client_messages.iter().copied())
        .collect();
    incoming.sort_unstable();
    incoming.dedup();
    for index in incoming {
        let message = &api.messages[index];
        let Some(at) = &message.payload else { continue };
        let mut bundle = docs.bundle(at)?;
        if message.payload_dialect == SchemaDialect::OpenApi3 {
            crate::openapi::bundle_to_json_schema(&mut bundle);
        }
        let mut schema = standalone(bundle);
        strip_annotations(&mut schema);
        match Checker::new(schema) {
            Ok(checker) => {
                let text = serde_json::to_string(checker.schema()).expect("a JSON value encodes");
                api.messages[index].validation = Some(text);
            }
            Err(why) => warnings.push(Warning::at(
                at,
                format!(
                    "the payload schema of message `{}` does not compile ({why}): servers do not validate its frames",
                    message.key
                ),
            )),
        }
    }
    Ok(warnings)
}

/// A bundle (`{"$ref": "#/definitions/s0", "definitions": {...}}`) as the
/// schema `s0` itself, the others under its `$defs`, references to `s0`
/// written `#`.
pub(super) fn standalone(bundle: Value) -> Value {
    let Value::Object(mut bundle) = bundle else {
        return bundle;
    };
    let Some(Value::Object(definitions)) = bundle.remove("definitions") else {
        return Value::Object(bundle);
    };
    let mut definitions: Vec<(String, Value)> = definitions.into_iter().collect();
    for (_, schema) in &mut definitions {
        rewrite_refs(schema);
    }
    let mut definitions = definitions.into_iter();
    let Some((_, root)) = definitions.next() else {
        return Value::Bool(true);
    };
    let Value::Object(mut root) = root else {
        return root;
    };
    let defs: Map<String, Value> = definitions.collect();
    if !defs.is_empty() {
        root.insert("$defs".into(), Value::Object(defs));
    }
    Value::Object(root)
}

/// Keywords that only annotate (no value is refused for them): left out of
/// the embedded schemas, which stay lean.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "examples",
    "example",
    "default",
    "$comment",
    "deprecated",
    "readOnly",
    "writeOnly",
    "discriminator",
    "externalDocs",
    "xml",
];

/// Keywords whose value is a map of schemas (their keys are names, not
/// keywords).
const SCHEMA_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "dependencies",
];

/// Removes annotations (and `x-` extensions) from every schema in `schema`.
fn strip_annotations(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            map.retain(|key, _| !ANNOTATIONS.contains(&key.as_str()) && !key.starts_with("x-"));
            for (key, member) in map.iter_mut() {
                match key.as_str() {
                    "const" | "enum" | "required" | "type" => {}
                    key if SCHEMA_MAPS.contains(&key) => {
                        if let Value::Object(schemas) = member {
                            schemas.values_mut().for_each(strip_annotations);
                        }
                    }
                    _ => strip_annotations(member),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_annotations),
        _ => {}
    }
}

/// Points the bundle's `$ref`s at `#` (the root) and `#/$defs/<name>`.
fn rewrite_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref") {
                if let Some(name) = reference.strip_prefix("#/definitions/") {
                    *reference = if name == "s0" {
                        "#".into()
                    } else {
                        format!("#/$defs/{name}")
                    };
                }
            }
            for (key, member) in map.iter_mut() {
                if !DATA_KEYWORDS.contains(&key.as_str()) {
                    rewrite_refs(member);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_root_definition_becomes_the_schema() {
        let bundle = json!({
            "$ref": "#/definitions/s0",
            "definitions": {
                "s0": {"type": "object", "properties": {
                    "next": {"$ref": "#/definitions/s0"},
                    "id": {"$ref": "#/definitions/s1"},
                    "c": {"const": {"$ref": "#/definitions/s1"}}
                }},
                "s1": {"type": "integer"}
            }
        });
        assert_eq!(
            standalone(bundle),
            json!({"type": "object", "properties": {
                "next": {"$ref": "#"},
                "id": {"$ref": "#/$defs/s1"},
                "c": {"const": {"$ref": "#/definitions/s1"}}
            }, "$defs": {"s1": {"type": "integer"}}})
        );
        assert_eq!(
            standalone(json!({"$ref": "#/definitions/s0", "definitions": {"s0": true}})),
            json!(true)
        );
    }

    #[test]
    fn annotations_go_and_property_names_stay() {
        let mut schema = json!({
            "description": "d", "x-note": 1, "type": "object",
            "properties": {"description": {"type": "string", "title": "t", "examples": ["a"]}},
            "items": [{"default": 1, "minimum": 0}],
            "enum": [{"description": "kept: a value"}]
        });
        strip_annotations(&mut schema);
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "properties": {"description": {"type": "string"}},
                "items": [{"minimum": 0}],
                "enum": [{"description": "kept: a value"}]
            })
        );
    }
}
