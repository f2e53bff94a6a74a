//! The schemas of the payloads and headers, gathered once into one flat set
//! of named definitions in which every `$ref` points into the set itself
//! (`#/definitions/<name>`): what the types back end hands typify, and what
//! the [walker](super::walk) reads discriminating values and correlation ids
//! from. Nothing after this module follows a reference into the documents.
//!
//! A schema under `components/schemas` keeps its key as its name, an inline
//! payload is named after its message (`<key>Headers` for headers); names
//! are unique and stable. Keywords that only validate values (`not` with a
//! reference, `contains`, conditionals, `x-` extensions) and nested
//! definition maps are left out: message examples are checked against the
//! documents themselves while the model is built.

use super::SchemaDialect;
use crate::error::{Error, ErrorKind, Location, Result};
use crate::names::{self, Scope};
use crate::spec::Documents;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Keywords whose value is one schema.
pub(crate) const SCHEMA_KEYWORDS: &[&str] = &[
    "additionalProperties",
    "additionalItems",
    "not",
    "unevaluatedItems",
    "unevaluatedProperties",
];

/// Keywords that only validate, without changing the shape of the Rust
/// type, and that typify cannot read: left out of the gathered schemas (the
/// generated types accept what the rest of the schema allows). `contains`
/// and conditionals (`if`/`then`/`else`, `dependencies`) narrow what an
/// array or object may hold; `propertyNames` narrows the keys of a map.
const VALIDATION_ONLY: &[&str] = &[
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "dependencies",
    "dependentSchemas",
    "dependentRequired",
];

/// Keywords whose value is an array of schemas.
pub(crate) const SCHEMA_ARRAY_KEYWORDS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// Keywords whose value is a map of schemas.
pub(crate) const SCHEMA_MAP_KEYWORDS: &[&str] = &["properties", "patternProperties"];

/// Keywords that hold nested definitions; references into them are followed
/// like any other, so the maps themselves are not kept.
const DEFINITION_KEYWORDS: &[&str] = &["definitions", "$defs"];

/// Names the generated `types` module uses for what it imports: no schema
/// may take them.
const RESERVED_TYPE_NAMES: &[&str] = &["Serialize", "Deserialize"];

/// One named schema of the flat set.
#[derive(Debug, Clone)]
pub struct SchemaDef {
    /// Its name, unique in the set: the name of its Rust type.
    pub name: String,
    /// Where it is defined.
    pub location: Location,
    /// The language it is written in (that of the first payload or headers
    /// schema it is reached from).
    pub dialect: SchemaDialect,
    /// The schema, its references rewritten to `#/definitions/<name>`.
    pub schema: Value,
}

/// Every payload and headers schema of the document, and what they
/// reference, as a flat set of named definitions.
#[derive(Debug, Clone, Default)]
pub struct Schemas {
    /// The definitions, in the order they were first reached.
    pub defs: Vec<SchemaDef>,
    by_name: HashMap<String, usize>,
}

impl Schemas {
    /// The definition named `name`.
    pub fn named(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The definition a rewritten `$ref` (`#/definitions/<name>`) names.
    pub fn target(&self, reference: &str) -> Option<usize> {
        self.named(reference.strip_prefix("#/definitions/")?)
    }
}

/// Gathers schemas out of the documents into [`Schemas`].
pub(super) struct Gatherer<'d> {
    docs: &'d Documents,
    by_location: HashMap<Location, usize>,
    names: Scope,
    dialect: SchemaDialect,
    out: Schemas,
}

impl<'d> Gatherer<'d> {
    pub(super) fn new(docs: &'d Documents) -> Self {
        Gatherer {
            docs,
            by_location: HashMap::new(),
            names: Scope::with_reserved(RESERVED_TYPE_NAMES.iter().copied()),
            dialect: SchemaDialect::default(),
            out: Schemas::default(),
        }
    }

    pub(super) fn finish(self) -> Schemas {
        self.out
    }

    /// The definition for the payload or headers schema at `at`, written in
    /// `dialect`, named `hint` unless it is a reference, in which case the
    /// referenced schema's own name is used.
    pub(super) fn root(
        &mut self,
        at: &Location,
        hint: &str,
        dialect: SchemaDialect,
    ) -> Result<usize> {
        self.dialect = dialect;
        let value = self.docs.get(at)?;
        if is_pure_ref(value) {
            let (target, _) = self.docs.deref(at)?;
            let name = name_for(&target);
            return self.definition(&target, &name);
        }
        self.definition(at, hint)
    }

    /// The definition at `at`, gathered on first use.
    fn definition(&mut self, at: &Location, hint: &str) -> Result<usize> {
        if let Some(&index) = self.by_location.get(at) {
            return Ok(index);
        }
        let name = self.names.claim(names::type_name(hint));
        let index = self.out.defs.len();
        self.by_location.insert(at.clone(), index);
        self.out.by_name.insert(name.clone(), index);
        self.out.defs.push(SchemaDef {
            name,
            location: at.clone(),
            dialect: self.dialect,
            schema: Value::Bool(true),
        });
        let value = self.docs.get(at)?;
        let schema = self.rewrite(value, at)?;
        self.out.defs[index].schema = schema;
        Ok(index)
    }

    /// Copies a schema with its `$ref`s pointing into the flat set.
    fn rewrite(&mut self, value: &Value, at: &Location) -> Result<Value> {
        let map = match value {
            Value::Object(map) => map,
            Value::Bool(_) => return Ok(value.clone()),
            _ => {
                return Err(Error::at(
                    ErrorKind::Invalid,
                    at,
                    "a schema must be an object or a boolean",
                ))
            }
        };
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            let target = self.docs.resolve_ref(at, reference)?;
            let (target, _) = self.docs.deref(&target)?;
            let index = self.definition(&target, &name_for(&target))?;
            let name = &self.out.defs[index].name;
            return Ok(serde_json::json!({ "$ref": format!("#/definitions/{name}") }));
        }
        let mut out = Map::new();
        for (key, member) in map {
            let member_at = at.join(key);
            let key = key.as_str();
            let rewritten = if DEFINITION_KEYWORDS.contains(&key)
                || key.starts_with("x-")
                || VALIDATION_ONLY.contains(&key)
            {
                continue;
            } else if key == "not" {
                // A `not` only validates; kept when it references nothing
                // (the types back end may read it), else left out.
                if mentions_ref(member) {
                    continue;
                }
                member.clone()
            } else if SCHEMA_KEYWORDS.contains(&key) {
                match member {
                    Value::Object(_) => self.rewrite(member, &member_at)?,
                    other => other.clone(),
                }
            } else if SCHEMA_ARRAY_KEYWORDS.contains(&key) {
                self.rewrite_array(member, &member_at)?
            } else if SCHEMA_MAP_KEYWORDS.contains(&key) {
                let Value::Object(members) = member else {
                    return Err(Error::at(
                        ErrorKind::Invalid,
                        &member_at,
                        format!("`{key}` must be an object of schemas"),
                    ));
                };
                let mut props = Map::new();
                for (name, schema) in members {
                    props.insert(name.clone(), self.rewrite(schema, &member_at.join(name))?);
                }
                Value::Object(props)
            } else if key == "items" {
                match member {
                    Value::Array(_) => self.rewrite_array(member, &member_at)?,
                    Value::Object(_) => self.rewrite(member, &member_at)?,
                    other => other.clone(),
                }
            } else {
                member.clone()
            };
            out.insert(key.to_string(), rewritten);
        }
        Ok(Value::Object(out))
    }

    fn rewrite_array(&mut self, member: &Value, at: &Location) -> Result<Value> {
        let Value::Array(items) = member else {
            return Err(Error::at(
                ErrorKind::Invalid,
                at,
                "this keyword takes an array of schemas",
            ));
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            out.push(self.rewrite(item, &at.index(i))?);
        }
        Ok(Value::Array(out))
    }
}

fn is_pure_ref(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|m| m.get("$ref").is_some_and(Value::is_string))
}

/// Whether a `$ref` appears anywhere in `value`.
fn mentions_ref(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.contains_key("$ref") || map.values().any(mentions_ref),
        Value::Array(items) => items.iter().any(mentions_ref),
        _ => false,
    }
}

/// A name for the schema at `location`: the key it is defined under, or for
/// inline payloads and headers, the message's key.
fn name_for(location: &Location) -> String {
    let tokens = location.tokens();
    match tokens.as_slice() {
        [.., messages, key, part] if messages == "messages" && part == "payload" => key.clone(),
        [.., messages, key, part] if messages == "messages" && part == "headers" => {
            format!("{key}Headers")
        }
        [.., parent, last] if last.chars().all(|c| c.is_ascii_digit()) => {
            format!("{parent}{last}")
        }
        [.., last] => last.clone(),
        [] => location
            .file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Schema".into()),
    }
}

/// The scalar a schema pins its value to (`const`, or an `enum` of one),
/// for schemas that say nothing else about the value.
pub(crate) fn constant_value(schema: &Value) -> Option<Value> {
    let map = schema.as_object()?;
    let value = match (map.get("const"), map.get("enum")) {
        (Some(c), _) => c.clone(),
        (None, Some(Value::Array(values))) if values.len() == 1 => values[0].clone(),
        _ => return None,
    };
    match value {
        Value::Array(_) | Value::Object(_) => None,
        scalar => Some(scalar),
    }
}

/// The JSON type name of a value (`integer` for whole numbers).
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) if crate::validator::is_integer(value) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether `value` is of the JSON type named `ty` (an integer is a number).
pub(crate) fn is_of_type(value: &Value, ty: &str) -> bool {
    let kind = json_kind(value);
    kind == ty || (ty == "number" && kind == "integer")
}

/// Whether a schema pins no value: `enum` values none of which is of the
/// schema's `type`. The message says why, for a warning.
pub(crate) fn unsatisfiable(schema: &Value) -> Option<String> {
    let map = schema.as_object()?;
    let Value::Array(values) = map.get("enum")? else {
        return None;
    };
    let types: Vec<&str> = match map.get("type")? {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    if values.is_empty()
        || values
            .iter()
            .any(|v| types.iter().any(|t| is_of_type(v, t)))
    {
        return None;
    }
    let kinds: std::collections::BTreeSet<&str> = values.iter().map(json_kind).collect();
    let list = |items: &mut dyn Iterator<Item = &str>| {
        items
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    Some(format!(
        "no value satisfies this schema: `type` is {} but the `enum` values are of type {}; \
         the generated type takes the `enum` values",
        list(&mut types.iter().copied()),
        list(&mut kinds.iter().copied()),
    ))
}
