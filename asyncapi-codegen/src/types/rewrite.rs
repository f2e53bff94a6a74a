//! The gathered schemas as typify reads them: constant properties replaced
//! by marker types, keywords typify does not know left out, and shapes it
//! cannot reconcile normalised (each without changing what the schema
//! accepts, except where a warning says so).

use super::consts::ConstType;
use crate::ir::{
    alternatives_stand_alone, constant_value, is_of_type, json_kind, required_names_are_own,
    SchemaDialect, SCHEMA_ARRAY_KEYWORDS, SCHEMA_KEYWORDS, SCHEMA_MAP_KEYWORDS,
};
use crate::names::{self, Scope};
use indexmap::IndexMap;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The extension that marks a rewritten constant; its value names the type.
pub(super) const CONST_MARKER: &str = "x-asyncapi-rs-const";

/// The definition a rewritten constant refers to: the constant's position
/// among [`Rewriter::consts`] after this prefix. typify is told to use the
/// marker type for it (`with_replacement`, looked up by name) rather than
/// generate it; a conversion per constant (`with_conversion`) would have
/// every schema typify reads compared with every constant's, which made
/// typify's share quadratic in the size of the document.
///
/// The constant properties of an object that is itself an alternative of a
/// `oneOf`/`anyOf` stay inline (`{"const": …}` with the marker extension)
/// and are converted: typify reads them there to make a tagged enum
/// (`#[serde(tag = "action")]`), which it cannot see through a `$ref`.
pub(super) const CONST_DEFINITION: &str = "AsyncapiRsConst";

/// Rewrites the gathered schemas for typify, collecting the marker types
/// of their constant properties.
pub(super) struct Rewriter {
    /// The marker types, by name.
    pub(super) consts: IndexMap<String, ConstType>,
    /// The constants written inline (see [`CONST_DEFINITION`]), whose
    /// marker schemas typify must convert.
    pub(super) inline: indexmap::IndexSet<String>,
    const_names: Scope,
    const_keys: HashMap<(String, bool), String>,
    /// The dialect of the definition being rewritten.
    dialect: SchemaDialect,
}

impl Rewriter {
    pub(super) fn new() -> Self {
        Rewriter {
            consts: IndexMap::new(),
            inline: indexmap::IndexSet::new(),
            const_names: Scope::default(),
            const_keys: HashMap::new(),
            dialect: SchemaDialect::default(),
        }
    }

    /// A gathered definition, written in `dialect`, as typify reads it.
    pub(super) fn definition(&mut self, schema: &Value, dialect: SchemaDialect) -> Value {
        self.dialect = dialect;
        self.rewrite(schema)
    }

    /// Copies a schema with its constant properties replaced by marker
    /// schemas and what typify cannot read left out.
    fn rewrite(&mut self, value: &Value) -> Value {
        self.rewrite_schema(value, false)
    }

    /// [`Self::rewrite`], for a schema that is (`alternative`) or is not an
    /// alternative of a `oneOf`/`anyOf` (its own constant properties then
    /// stay inline, see [`CONST_DEFINITION`]).
    fn rewrite_schema(&mut self, value: &Value, alternative: bool) -> Value {
        let converted;
        let map = match value {
            Value::Object(map) if self.dialect == SchemaDialect::OpenApi3 => {
                let mut map = map.clone();
                crate::openapi::to_json_schema(&mut map);
                converted = map;
                &converted
            }
            Value::Object(map) => map,
            // Booleans, and (never, after gathering) other values.
            _ => return value.clone(),
        };
        if map.get("$ref").is_some() {
            // Gathering left references pure, pointing into the set.
            return value.clone();
        }
        let mut out = Map::new();
        for (key, member) in map {
            let key = key.as_str();
            let rewritten = if key.starts_with("x-") || (key == "not" && !typify_reads_not(map)) {
                continue;
            } else if key == "discriminator" || key == "externalDocs" || key == "deprecated" {
                // AsyncAPI schema keywords typify does not know; the
                // discriminator is read by the dispatch rules instead.
                continue;
            } else if SCHEMA_KEYWORDS.contains(&key) {
                match member {
                    Value::Object(_) => self.rewrite(member),
                    other => other.clone(),
                }
            } else if SCHEMA_ARRAY_KEYWORDS.contains(&key) {
                let alternatives = matches!(key, "anyOf" | "oneOf");
                let mut rewritten = self.rewrite_array(member, alternatives);
                if alternatives && alternatives_stand_alone(map) {
                    if let Value::Array(items) = &mut rewritten {
                        for item in items.iter_mut().filter_map(Value::as_object_mut) {
                            normalise_required(item);
                        }
                    }
                }
                rewritten
            } else if SCHEMA_MAP_KEYWORDS.contains(&key) {
                let Value::Object(members) = member else {
                    continue;
                };
                let mut props = Map::new();
                for (name, schema) in members {
                    let rewritten = if key == "properties" {
                        let required = is_required(map, name);
                        let place = names::type_name(name);
                        match self.constant(schema, required, &place, alternative) {
                            Some(marker) => marker,
                            None => self.rewrite(schema),
                        }
                    } else {
                        self.rewrite(schema)
                    };
                    props.insert(name.clone(), rewritten);
                }
                Value::Object(props)
            } else if key == "items" {
                match member {
                    Value::Array(items) => Value::Array(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, item)| {
                                match self.constant(item, true, &format!("#{i}"), false) {
                                    Some(marker) => marker,
                                    None => self.rewrite(item),
                                }
                            })
                            .collect(),
                    ),
                    Value::Object(_) => self.rewrite(member),
                    other => other.clone(),
                }
            } else if key == "default" {
                // typify would make a defaulted field non-optional and then
                // always encode it, so a frame would not re-encode as it was
                // received and a client would send values it never set. The
                // field stays optional; its rustdoc names the default.
                continue;
            } else {
                member.clone()
            };
            out.insert(key.to_string(), rewritten);
        }
        // Constant properties are always written by their marker type, so
        // they are required as far as Rust is concerned.
        let constant_props: Vec<String> = out
            .get("properties")
            .and_then(Value::as_object)
            .map(|props| {
                props
                    .iter()
                    .filter(|(_, s)| s.get(CONST_MARKER).is_some())
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default();
        if !constant_props.is_empty() {
            let required = out
                .entry("required")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = required {
                for prop in constant_props {
                    if !list.iter().any(|v| v.as_str() == Some(prop.as_str())) {
                        list.push(Value::String(prop));
                    }
                }
            }
        }
        if let Some(default) = map.get("default") {
            let note = format!("Defaults to `{default}` when absent.");
            let description = match out.get("description").and_then(Value::as_str) {
                Some(text) => format!("{}\n\n{note}", text.trim_end()),
                None => note,
            };
            out.insert("description".into(), Value::String(description));
        }
        normalise_prefix_items(&mut out);
        normalise_tuple(&mut out);
        normalise_values(&mut out);
        normalise_combinators(&mut out);
        Value::Object(out)
    }

    /// The schemas of an array keyword rewritten; `alternatives` for
    /// `oneOf`/`anyOf`.
    fn rewrite_array(&mut self, member: &Value, alternatives: bool) -> Value {
        match member {
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.rewrite_schema(i, alternatives))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// The marker schema for a constant property schema, if it is one.
    /// `place`: the property's name in UpperCamelCase, or `#<index>` for a
    /// tuple position (see [`super::consts`] for the naming). `inline`:
    /// written as the constant itself, not as a reference (see
    /// [`CONST_DEFINITION`]).
    fn constant(
        &mut self,
        schema: &Value,
        required: bool,
        place: &str,
        inline: bool,
    ) -> Option<Value> {
        let nullable = schema.get("nullable") == Some(&Value::Bool(true));
        if self.dialect == SchemaDialect::OpenApi3 && nullable {
            return None;
        }
        let value = constant_value(schema)?;
        let key = (format!("{place} {value}"), required);
        let (index, name) = match self.const_keys.get(&key) {
            Some(name) => (self.consts.get_index_of(name)?, name.clone()),
            None => {
                let base = match &value {
                    Value::String(s) => names::type_name(s),
                    Value::Bool(b) => names::type_name(&b.to_string()),
                    Value::Null => "Null".to_string(),
                    Value::Number(n) => {
                        let text = n.to_string().replace('-', "Minus").replace('.', "Dot");
                        format!("N{text}")
                    }
                    // constant_value only returns scalars.
                    Value::Array(_) | Value::Object(_) => return None,
                };
                let base = match place.strip_prefix('#') {
                    Some(index) => format!("{base}At{index}"),
                    None => format!("{place}{base}"),
                };
                let name = self.const_names.claim(base);
                self.const_keys.insert(key, name.clone());
                let (index, _) = self.consts.insert_full(
                    name.clone(),
                    ConstType {
                        name: name.clone(),
                        value: value.clone(),
                        required,
                    },
                );
                (index, name)
            }
        };
        let mut marker = Map::new();
        if inline {
            marker.insert("const".into(), value);
            self.inline.insert(name.clone());
        } else {
            marker.insert(
                "$ref".into(),
                Value::String(format!("#/definitions/{CONST_DEFINITION}{index}")),
            );
        }
        marker.insert(CONST_MARKER.into(), Value::String(name));
        if let Some(description) = schema.get("description") {
            marker.insert("description".into(), description.clone());
        }
        Some(Value::Object(marker))
    }
}

fn is_required(schema: &Map<String, Value>, property: &str) -> bool {
    schema
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|list| list.iter().any(|v| v.as_str() == Some(property)))
}

/// Whether typify can read the `not` of `schema`: when `not` is all the
/// schema says (besides prose) and excludes `true`, `false`, or a list of
/// values of one type (a type that refuses those values). Other `not`s are
/// left out of the types, which then accept what the rest of the schema
/// allows.
fn typify_reads_not(schema: &Map<String, Value>) -> bool {
    let alone = schema
        .keys()
        .all(|k| k == "not" || PROSE.contains(&k.as_str()) || k.starts_with("x-"));
    let readable = match schema.get("not") {
        Some(Value::Bool(_)) => true,
        Some(Value::Object(not)) => match not.get("enum") {
            Some(Value::Array(values)) => {
                let kinds: std::collections::BTreeSet<&str> =
                    values.iter().map(json_kind).collect();
                not.keys().all(|k| k == "enum" || k == "type")
                    && kinds.len() == 1
                    && !kinds.contains("null")
                    && !kinds.contains("array")
                    && !kinds.contains("object")
                    && not.get("type").is_none_or(Value::is_string)
            }
            _ => false,
        },
        _ => false,
    };
    alone && readable
}

/// Keywords that describe rather than constrain.
const PROSE: &[&str] = &["title", "description", "examples", "example", "$comment"];

/// `prefixItems` (JSON Schema 2020-12) as draft-07's `items` list, with
/// the 2020-12 `items` (the schema of the items after them) as
/// `additionalItems`.
fn normalise_prefix_items(schema: &mut Map<String, Value>) {
    let Some(prefix) = schema.remove("prefixItems") else {
        return;
    };
    if let Some(rest) = schema.remove("items") {
        schema.insert("additionalItems".into(), rest);
    }
    schema.insert("items".into(), prefix);
}

/// Values typify cannot reconcile: `enum` values of another type than
/// `type` (no value could satisfy the schema; the `enum` is kept, as the
/// values are the more explicit of the two, and the model warns), `const`
/// together with `enum` (the `const` decides), and `uniqueItems` where
/// typify has no use for it (tuples, `false`).
pub fn normalise_values(schema: &mut Map<String, Value>) {
    if schema.contains_key("const") {
        schema.remove("enum");
    }
    if let (Some(Value::Array(values)), Some(ty)) = (schema.get("enum"), schema.get("type")) {
        let types: Vec<&str> = match ty {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !values.is_empty()
            && !values
                .iter()
                .any(|v| types.iter().any(|t| is_of_type(v, t)))
        {
            schema.remove("type");
            schema.retain(|k, _| !OBJECT_AND_ARRAY_KEYWORDS.contains(&k.as_str()));
        }
    }
    let tuple = schema.get("items").is_some_and(Value::is_array);
    if tuple || schema.get("uniqueItems") == Some(&Value::Bool(false)) {
        schema.remove("uniqueItems");
    }
}

/// Keywords that shape objects and arrays, meaningless for an enum of
/// scalars.
const OBJECT_AND_ARRAY_KEYWORDS: &[&str] = &[
    "properties",
    "patternProperties",
    "additionalProperties",
    "required",
    "items",
    "additionalItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
];

/// `true` members of `allOf`/`anyOf`/`oneOf` as `{}` (typify reads only
/// schema objects there), `allOf` without the members that add nothing,
/// and `anyOf`/`oneOf` without the members that match nothing (`false`),
/// all of which leave the schema's meaning as it was.
fn normalise_combinators(schema: &mut Map<String, Value>) {
    for key in ["allOf", "anyOf", "oneOf"] {
        let Some(Value::Array(members)) = schema.get_mut(key) else {
            continue;
        };
        for member in members.iter_mut() {
            if *member == Value::Bool(true) {
                *member = Value::Object(Map::new());
            }
        }
        let before = members.len();
        if key == "allOf" {
            members.retain(|m| m.as_object().is_none_or(|m| !m.is_empty()));
        } else {
            members.retain(|m| *m != Value::Bool(false));
        }
        if members.is_empty() && before > 0 && key == "allOf" {
            schema.remove(key);
        }
    }
}

/// `required` names that are none of the `properties` of `schema`, an
/// inline `oneOf`/`anyOf` alternative whose parent defines no property (a
/// misspelt name, which the lints warn about at its place): typify ignores
/// them in a struct, but asserts against them when an object of one
/// property and one required name could be an enum variant (the `oneOf:
/// [{properties: {manually}, required: [manual]}, …]` of a real document),
/// so they are left out. Not where combinators or a `$ref` of the
/// alternative may define the property.
fn normalise_required(schema: &mut Map<String, Value>) {
    if !required_names_are_own(schema) {
        return;
    }
    let names: Vec<String> = match schema.get("properties") {
        Some(Value::Object(properties)) => properties.keys().cloned().collect(),
        _ => return,
    };
    let Some(Value::Array(required)) = schema.get_mut("required") else {
        return;
    };
    required.retain(|name| name.as_str().is_some_and(|n| names.iter().any(|p| p == n)));
    if required.is_empty() {
        schema.remove("required");
    }
}

/// typify turns arrays whose `items` is a list of schemas into tuples only
/// when their length is fixed. A list with `additionalItems: false` and no
/// length bounds has a fixed length too; a tuple of variable length becomes
/// an array of its one item type when all items share it, and of any JSON
/// value otherwise.
fn normalise_tuple(schema: &mut Map<String, Value>) {
    let Some(Value::Array(items)) = schema.get("items") else {
        return;
    };
    let len = items.len() as u64;
    let min = schema.get("minItems").and_then(Value::as_u64);
    let max = schema.get("maxItems").and_then(Value::as_u64);
    let closed = schema.get("additionalItems") == Some(&Value::Bool(false));
    let (min, max) = match (min, max) {
        (Some(min), Some(max)) => (min, max),
        (None, None) if closed => (len, len),
        (Some(min), None) if closed => (min, len),
        (None, Some(max)) if closed => (len.min(max), max),
        (min, max) => (min.unwrap_or(0), max.unwrap_or(u64::MAX)),
    };
    if min == max && min > 0 {
        schema.insert("minItems".into(), min.into());
        schema.insert("maxItems".into(), max.into());
        return;
    }
    let types: Vec<Option<&Value>> = items.iter().map(|i| i.get("type")).collect();
    let shared = types
        .first()
        .copied()
        .flatten()
        .filter(|first| types.iter().all(|t| *t == Some(*first)))
        .cloned();
    let item = match shared {
        Some(ty) => serde_json::json!({ "type": ty }),
        None => serde_json::json!({}),
    };
    schema.insert("items".into(), item);
    schema.remove("additionalItems");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_are_references_but_in_alternatives() {
        let mut rewriter = Rewriter::new();
        let schema = serde_json::json!({
            "type": "object",
            "properties": {
                "kind": {"const": "order", "description": "Always order."},
                "leg": {"oneOf": [
                    {"type": "object", "required": ["side"], "properties": {
                        "side": {"const": "left"},
                        "inner": {"type": "object", "properties": {"deep": {"const": "yes"}}}
                    }},
                    {"type": "object", "required": ["side"], "properties": {"side": {"const": "right"}}}
                ]}
            }
        });
        let out = rewriter.definition(&schema, SchemaDialect::default());
        // A plain property: a reference typify replaces by the marker type,
        // required, its description kept.
        assert_eq!(
            out.pointer("/properties/kind"),
            Some(&serde_json::json!({
                "$ref": format!("#/definitions/{CONST_DEFINITION}0"),
                CONST_MARKER: "KindOrder",
                "description": "Always order.",
            }))
        );
        assert_eq!(out.get("required"), Some(&serde_json::json!(["kind"])));
        // An alternative's own: the constant itself, for typify's tagging.
        let side = out
            .pointer("/properties/leg/oneOf/0/properties/side")
            .unwrap();
        assert_eq!(side.get("const"), Some(&serde_json::json!("left")));
        assert_eq!(side.get("$ref"), None);
        // Deeper than the alternative: a reference again.
        let deep = out
            .pointer("/properties/leg/oneOf/0/properties/inner/properties/deep")
            .unwrap();
        assert!(deep.get("$ref").is_some(), "{deep}");
        let inline: Vec<&str> = rewriter.inline.iter().map(String::as_str).collect();
        assert_eq!(inline, ["SideLeft", "SideRight"]);
    }

    #[test]
    fn schemas_are_normalised_for_typify() {
        let mut tuple = serde_json::json!({"prefixItems": [{"type": "integer"}], "items": false})
            .as_object()
            .unwrap()
            .clone();
        normalise_prefix_items(&mut tuple);
        assert_eq!(
            Value::Object(tuple),
            serde_json::json!({"items": [{"type": "integer"}], "additionalItems": false})
        );
        let mut conflict = serde_json::json!({"type": "object", "properties": {}, "enum": ["a"]})
            .as_object()
            .unwrap()
            .clone();
        normalise_values(&mut conflict);
        assert_eq!(Value::Object(conflict), serde_json::json!({"enum": ["a"]}));
        let mut choices = serde_json::json!({"oneOf": [true, false], "allOf": [true]})
            .as_object()
            .unwrap()
            .clone();
        normalise_combinators(&mut choices);
        assert_eq!(Value::Object(choices), serde_json::json!({"oneOf": [{}]}));
        let mut misspelt = serde_json::json!({
            "type": "object", "properties": {"manually": {}, "id": {}}, "required": ["manual", "id"]
        })
        .as_object()
        .unwrap()
        .clone();
        normalise_required(&mut misspelt);
        assert_eq!(misspelt["required"], serde_json::json!(["id"]));
        let mut alone = serde_json::json!({"properties": {"manually": {}}, "required": ["manual"]})
            .as_object()
            .unwrap()
            .clone();
        normalise_required(&mut alone);
        assert_eq!(
            Value::Object(alone),
            serde_json::json!({"properties": {"manually": {}}})
        );
        // Another part of an `allOf` may define it.
        let combined = serde_json::json!({
            "properties": {"a": {}}, "required": ["b"], "allOf": [{"properties": {"b": {}}}]
        });
        let mut kept = combined.as_object().unwrap().clone();
        normalise_required(&mut kept);
        assert_eq!(Value::Object(kept), combined);
        assert!(typify_reads_not(
            serde_json::json!({"not": {"enum": ["a", "b"]}})
                .as_object()
                .unwrap()
        ));
        assert!(!typify_reads_not(
            serde_json::json!({"type": "string", "not": {"enum": ["a"]}})
                .as_object()
                .unwrap()
        ));
    }
}
