//! Warnings about likely mistakes that would otherwise compile silently and
//! change what the generated code does: a misspelt keyword (`minLenght`,
//! ignored), a property written outside `properties` (then ignored, and
//! the field it was meant for unconstrained), a `required` name that no
//! property has (the property it was meant for then optional), a property
//! without `type` whose keywords are of one type (it becomes
//! `serde_json::Value`, unchecked), and a correlation id location that
//! names no field of the message (every request would time out).

use super::schemas::Schemas;
use super::Api;
use crate::error::{Location, Result, Warning};
use crate::names::closest;
use crate::spec::Documents;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// The keywords of JSON Schema (draft-07 to 2020-12), of the AsyncAPI
/// Schema Object, and of OpenAPI 3.0's Schema Object.
const KNOWN: &[&str] = &[
    "$id",
    "$schema",
    "$ref",
    "$comment",
    "$defs",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$vocabulary",
    "$recursiveRef",
    "$recursiveAnchor",
    "title",
    "description",
    "default",
    "examples",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
    "type",
    "enum",
    "const",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "format",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "items",
    "additionalItems",
    "prefixItems",
    "maxItems",
    "minItems",
    "uniqueItems",
    "contains",
    "maxContains",
    "minContains",
    "unevaluatedItems",
    "properties",
    "patternProperties",
    "additionalProperties",
    "unevaluatedProperties",
    "required",
    "maxProperties",
    "minProperties",
    "propertyNames",
    "dependencies",
    "dependentSchemas",
    "dependentRequired",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "definitions",
    "discriminator",
    "externalDocs",
    "nullable",
    "xml",
];

/// Keywords whose presence makes an object look like a schema.
const SCHEMA_LIKE: &[&str] = &[
    "type",
    "$ref",
    "properties",
    "items",
    "enum",
    "const",
    "oneOf",
    "anyOf",
    "allOf",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
];

/// Keywords that apply to values of one JSON type only, and that type.
const TYPED: &[(&str, &str)] = &[
    ("minLength", "string"),
    ("maxLength", "string"),
    ("pattern", "string"),
    ("format", "string"),
    ("minimum", "number"),
    ("maximum", "number"),
    ("exclusiveMinimum", "number"),
    ("exclusiveMaximum", "number"),
    ("multipleOf", "number"),
    ("minItems", "array"),
    ("maxItems", "array"),
    ("uniqueItems", "array"),
    ("items", "array"),
    ("minProperties", "object"),
    ("maxProperties", "object"),
    ("required", "object"),
    ("additionalProperties", "object"),
];

/// Keywords that say what a schema's values are, other than `type`.
const SHAPING: &[&str] = &[
    "type",
    "$ref",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "enum",
    "const",
    "properties",
    "patternProperties",
    "if",
];

/// Every lint warning about the messages of `api`.
pub(super) fn check(docs: &Documents, api: &Api) -> Result<Vec<Warning>> {
    let mut warnings = Vec::new();
    let mut seen = HashSet::new();
    for message in &api.messages {
        for schema in [&message.payload, &message.headers].into_iter().flatten() {
            schema_lints(docs, schema, false, false, &mut seen, &mut warnings)?;
        }
        correlation(api, message, &mut warnings);
    }
    Ok(warnings)
}

/// `; did you mean `x`?` for the closest candidate, or nothing.
fn did_you_mean<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> String {
    closest(name, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// Lints the schema at `schema` and those inside it. `property`: it is
/// the schema of an object property; `part`: it is (inside) a part of a
/// combination or condition (`allOf`, `then`, …), which other parts
/// complete, so that a `required` name or a property's `type` may be
/// elsewhere.
fn schema_lints(
    docs: &Documents,
    schema: &Location,
    property: bool,
    part: bool,
    seen: &mut HashSet<Location>,
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    let (at, value) = docs.deref(schema)?;
    if !seen.insert(at.clone()) {
        return Ok(());
    }
    let Some(map) = value.as_object() else {
        return Ok(());
    };
    keywords(map, &at, warnings);
    if !part {
        required(map, &at, warnings);
        if property {
            untyped(map, &at, warnings);
        }
    }
    for (key, member) in map {
        let member_at = at.join(key);
        match (key.as_str(), member) {
            ("properties", Value::Object(m)) => {
                for name in m.keys() {
                    schema_lints(docs, &member_at.join(name), true, part, seen, warnings)?;
                }
            }
            (
                "patternProperties" | "definitions" | "$defs" | "dependentSchemas",
                Value::Object(m),
            ) => {
                let part = part || key == "dependentSchemas";
                for name in m.keys() {
                    schema_lints(docs, &member_at.join(name), false, part, seen, warnings)?;
                }
            }
            ("items" | "allOf" | "anyOf" | "oneOf" | "prefixItems", Value::Array(items)) => {
                let alternatives = matches!(key.as_str(), "anyOf" | "oneOf");
                if alternatives && alternatives_stand_alone(map) {
                    // Nothing else defines what an alternative requires
                    // (but another part of an `allOf` this schema is in:
                    // rare enough to warn about).
                    for i in 0..items.len() {
                        let (at, value) = docs.deref(&member_at.index(i))?;
                        if let Some(member) = value.as_object() {
                            required(member, &at, warnings);
                        }
                    }
                }
                let part = part || !matches!(key.as_str(), "items" | "prefixItems");
                for i in 0..items.len() {
                    schema_lints(docs, &member_at.index(i), false, part, seen, warnings)?;
                }
            }
            (
                "items"
                | "additionalItems"
                | "additionalProperties"
                | "propertyNames"
                | "unevaluatedItems"
                | "unevaluatedProperties",
                Value::Object(_),
            ) => schema_lints(docs, &member_at, false, part, seen, warnings)?,
            ("not" | "contains" | "if" | "then" | "else", Value::Object(_)) => {
                schema_lints(docs, &member_at, false, true, seen, warnings)?
            }
            _ => {}
        }
    }
    Ok(())
}

/// Members that are no keyword: misspelt keywords, and properties written
/// outside `properties`.
fn keywords(map: &Map<String, Value>, at: &Location, warnings: &mut Vec<Warning>) {
    for (key, member) in map {
        if KNOWN.contains(&key.as_str()) || key.starts_with("x-") {
            continue;
        }
        let looks_like_schema = member
            .as_object()
            .is_some_and(|m| m.keys().any(|k| SCHEMA_LIKE.contains(&k.as_str())));
        let message = if looks_like_schema && closest(key, KNOWN.iter().copied()).is_none() {
            format!(
                "`{key}` is no JSON Schema keyword, so this schema ignores it, but its value \
                 looks like a schema: if `{key}` is a property, it belongs under `properties` \
                 (check its indentation)"
            )
        } else {
            format!(
                "`{key}` is no JSON Schema keyword, so it has no effect{}",
                did_you_mean(key, KNOWN.iter().copied())
            )
        };
        warnings.push(Warning::at(&at.join(key), message));
    }
}

/// Whether every `required` name of `schema` must be one of its own
/// `properties`: it has some, and no combination or `$ref` that may define
/// the others.
pub(crate) fn required_names_are_own(schema: &Map<String, Value>) -> bool {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty())
        && !["allOf", "anyOf", "oneOf", "$ref"]
            .iter()
            .any(|k| schema.contains_key(*k))
}

/// Whether the `oneOf`/`anyOf` alternatives of `schema` stand alone: it has
/// nothing (`properties`, `allOf`, a `$ref`) that may define a property an
/// alternative requires.
pub(crate) fn alternatives_stand_alone(schema: &Map<String, Value>) -> bool {
    !["properties", "patternProperties", "allOf", "$ref"]
        .iter()
        .any(|k| schema.contains_key(*k))
}

/// `required` names that are no property of a schema with `properties`.
fn required(map: &Map<String, Value>, at: &Location, warnings: &mut Vec<Warning>) {
    let (Some(Value::Object(properties)), Some(Value::Array(required))) =
        (map.get("properties"), map.get("required"))
    else {
        return;
    };
    if !required_names_are_own(map) {
        return;
    }
    for (i, name) in required.iter().enumerate() {
        let Some(name) = name.as_str() else { continue };
        if properties.contains_key(name) {
            continue;
        }
        let close = closest(name, properties.keys().map(String::as_str));
        let consequence = match close {
            Some(close) => format!("; did you mean `{close}`? As written, `{close}` is optional"),
            None => String::new(),
        };
        warnings.push(Warning::at(
            &at.join("required").index(i),
            format!(
                "`{name}` is required but is not one of the `properties` of this schema{consequence}"
            ),
        ));
    }
}

/// A property schema without `type` (or anything else that says what its
/// values are) whose keywords all apply to one type: it accepts any value
/// and becomes `serde_json::Value`, its keywords unchecked.
fn untyped(map: &Map<String, Value>, at: &Location, warnings: &mut Vec<Warning>) {
    if SHAPING.iter().any(|k| map.contains_key(*k)) {
        return;
    }
    let typed: Vec<(&str, &str)> = TYPED
        .iter()
        .copied()
        .filter(|(k, _)| map.contains_key(*k))
        .collect();
    let Some(&(keyword, ty)) = typed.first() else {
        return;
    };
    if typed.iter().any(|(_, t)| *t != ty) {
        return;
    }
    let ty_written = if ty == "number" {
        "number` (or `integer"
    } else {
        ty
    };
    warnings.push(Warning::at(
        at,
        format!(
            "this property has no `type`, so it accepts any JSON value and its field is a \
             `serde_json::Value`; `{keyword}` applies only to {ty}s and is not checked. \
             Add `type: {ty_written}`"
        ),
    ));
}

/// A correlation id location in the payload that names no field of it.
fn correlation(api: &Api, message: &super::Message, warnings: &mut Vec<Warning>) {
    let (Some(id), Some(def)) = (&message.correlation_id, message.payload_schema) else {
        return;
    };
    let Some(pointer) = id.expression.trim().strip_prefix("$message.payload#") else {
        return;
    };
    let schemas: &Schemas = &api.schemas;
    let mut node = schemas.node(def);
    for token in crate::error::pointer_tokens(pointer) {
        let next = match token.parse::<usize>() {
            Ok(i) if schemas.type_of(node.clone()).is_some_and(|t| t == "array") => {
                schemas.item(node.clone(), i)
            }
            _ => schemas.property(node.clone(), &token),
        };
        match next {
            Some(next) => node = next,
            None => {
                let names: Vec<String> = schemas.property_names(node.clone());
                if names.is_empty() && schemas.type_of(node.clone()).is_none() {
                    // An open schema: any member may be there.
                    return;
                }
                let hint = did_you_mean(&token, names.iter().map(String::as_str));
                warnings.push(Warning::at(
                    &id.location.join("location"),
                    format!(
                        "the correlation id location `{}` names `{token}`, which is no field of \
                         the payload of message `{}` ({}){hint}: no reply would be paired with its \
                         request, and every request would time out",
                        id.expression.trim(),
                        message.key,
                        node.at
                    ),
                ));
                return;
            }
        }
    }
}
