//! OpenAPI 3.0 Schema Objects (`schemaFormat:
//! application/vnd.oai.openapi;version=3.0.0`) as JSON Schema: they differ
//! in a few keywords, which are rewritten before types are generated and
//! examples checked.
//!
//! - `nullable: true` adds `null` to `type` (and to `enum`); OpenAPI 3.0.3
//!   gives it no effect without `type`;
//! - `exclusiveMinimum`/`exclusiveMaximum` are booleans that qualify
//!   `minimum`/`maximum` (draft-04), not bounds of their own;
//! - `example`, `xml`, `externalDocs`, `deprecated`, `readOnly`,
//!   `writeOnly` and the object form of `discriminator` only describe.

use serde_json::{Map, Value};

/// Members of an OpenAPI Schema Object that only describe.
const ANNOTATIONS: &[&str] = &[
    "example",
    "xml",
    "externalDocs",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// Rewrites one OpenAPI 3.0 Schema Object, not its sub-schemas, into the
/// JSON Schema that means the same.
pub fn to_json_schema(schema: &mut Map<String, Value>) {
    for key in ANNOTATIONS {
        schema.remove(*key);
    }
    if schema.get("discriminator").is_some_and(Value::is_object) {
        schema.remove("discriminator");
    }
    if schema.remove("nullable") == Some(Value::Bool(true)) {
        if let Some(Value::String(ty)) = schema.get("type") {
            let ty = ty.clone();
            schema.insert("type".into(), serde_json::json!([ty, "null"]));
            if let Some(Value::Array(values)) = schema.get_mut("enum") {
                if !values.contains(&Value::Null) {
                    values.push(Value::Null);
                }
            }
        }
    }
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Bool(exclusive)) = schema.get(flag).cloned() {
            schema.remove(flag);
            if exclusive {
                if let Some(limit) = schema.remove(bound) {
                    schema.insert(flag.into(), limit);
                }
            }
        }
    }
}

/// Rewrites every schema of a standalone schema (a bundle) whose schemas
/// are all OpenAPI 3.0 Schema Objects.
pub fn bundle_to_json_schema(value: &mut Value) {
    match value {
        Value::Object(map) => {
            to_json_schema(map);
            for (key, member) in map.iter_mut() {
                // `enum` and `default` hold values, not schemas.
                if key != "enum" && key != "default" && key != "const" {
                    bundle_to_json_schema(member);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(bundle_to_json_schema),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn openapi_keywords_become_json_schema() {
        let mut schema = json!({
            "type": "object",
            "example": {"a": 1},
            "discriminator": {"propertyName": "kind"},
            "properties": {
                "a": {"type": "string", "nullable": true, "enum": ["x"]},
                "n": {"type": "integer", "minimum": 1, "exclusiveMinimum": true, "maximum": 9, "exclusiveMaximum": false},
                "any": {"nullable": true}
            }
        });
        bundle_to_json_schema(&mut schema);
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "properties": {
                    "a": {"type": ["string", "null"], "enum": ["x", null]},
                    "n": {"type": "integer", "exclusiveMinimum": 1, "maximum": 9},
                    "any": {}
                }
            })
        );
    }
}
