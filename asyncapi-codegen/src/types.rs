//! The `types` module: Rust types for every payload and header schema,
//! generated through typify.
//!
//! typify resolves `$ref` by the last segment of the reference only, so the
//! schemas are first gathered into one flat set of definitions with names
//! that are unique and stable: a schema under `components/schemas` keeps its
//! key, an inline payload is named after its message. Every `$ref` is
//! rewritten to point into that set.
//!
//! Properties (and tuple positions) whose schema is a `const` or a
//! one-value `enum` become unit structs in `types::consts` that always write
//! their value and check it when reading: users never write `"ping"`.

use crate::error::{Error, ErrorKind, Location, Result};
use crate::ir::{Api, SchemaDialect};
use crate::names::{self, Scope};
use crate::spec::Documents;
use indexmap::IndexMap;
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{Map, Value};
use std::collections::HashMap;
use typify::{TypeSpace, TypeSpaceImpl, TypeSpaceSettings};

/// The extension that marks a rewritten constant; its value names the type.
const CONST_MARKER: &str = "x-asyncapi-rs-const";

/// Keywords whose value is one schema.
const SCHEMA_KEYWORDS: &[&str] = &[
    "additionalProperties",
    "additionalItems",
    "not",
    "unevaluatedItems",
    "unevaluatedProperties",
];

/// Keywords that only validate, without changing the shape of the Rust
/// type, and that typify cannot read: left out of the types (the generated
/// types accept what the rest of the schema allows). `contains` and
/// conditionals (`if`/`then`/`else`, `dependencies`) narrow what an array or
/// object may hold; `propertyNames` narrows the keys of a map.
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
const SCHEMA_ARRAY_KEYWORDS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// Keywords whose value is a map of schemas.
const SCHEMA_MAP_KEYWORDS: &[&str] = &["properties", "patternProperties"];

/// Keywords that hold nested definitions; references into them are followed
/// like any other, so the maps themselves are not handed to typify.
const DEFINITION_KEYWORDS: &[&str] = &["definitions", "$defs"];

/// A generated `types` module and how to name each payload's type.
pub struct Types {
    /// The `types` module's contents.
    pub tokens: TokenStream,
    /// Per message index: the path of its payload type inside `types`
    /// (e.g. `Ping`), or `None` when it has no payload.
    pub payloads: Vec<Option<TokenStream>>,
}

/// Names the `types` module uses for what it imports: no schema may take
/// them.
const RESERVED_TYPE_NAMES: &[&str] = &["Serialize", "Deserialize"];

/// A constant property's marker type.
struct ConstType {
    name: String,
    value: Value,
    required: bool,
}

/// Gathers the schemas into a flat set of named definitions.
struct Collector<'d> {
    docs: &'d Documents,
    /// Definitions by where they are; the name and the rewritten schema.
    defs: IndexMap<Location, (String, Option<Value>)>,
    names: Scope,
    consts: IndexMap<String, ConstType>,
    const_names: Scope,
    const_keys: HashMap<(String, bool), String>,
    /// The dialect of the schemas being gathered (that of the payload or
    /// headers schema they are reached from).
    dialect: SchemaDialect,
}

impl<'d> Collector<'d> {
    fn new(docs: &'d Documents) -> Self {
        Collector {
            docs,
            defs: IndexMap::new(),
            names: Scope::with_reserved(RESERVED_TYPE_NAMES.iter().copied()),
            consts: IndexMap::new(),
            const_names: Scope::default(),
            const_keys: HashMap::new(),
            dialect: SchemaDialect::default(),
        }
    }

    /// The definition for the schema at `at`, written in `dialect`, named
    /// `hint` unless it is a reference, in which case the referenced
    /// schema's own name is used. (A schema reached from schemas of two
    /// dialects is read in the first.)
    fn root(&mut self, at: &Location, hint: &str, dialect: SchemaDialect) -> Result<String> {
        self.dialect = dialect;
        let value = self.docs.get(at)?;
        if is_pure_ref(value) {
            let (target, _) = self.docs.deref(at)?;
            let name = name_for(&target);
            return self.definition(&target, &name);
        }
        self.definition(at, hint)
    }

    /// The name of the definition at `at`, converting it on first use.
    fn definition(&mut self, at: &Location, hint: &str) -> Result<String> {
        if let Some((name, _)) = self.defs.get(at) {
            return Ok(name.clone());
        }
        let name = self.names.claim(names::type_name(hint));
        self.defs.insert(at.clone(), (name.clone(), None));
        let value = self.docs.get(at)?;
        let schema = self.rewrite(value, at)?;
        self.defs.get_mut(at).expect("inserted above").1 = Some(schema);
        Ok(name)
    }

    /// Copies a schema with its `$ref`s pointing into the flat set and its
    /// constant properties replaced by marker schemas.
    fn rewrite(&mut self, value: &Value, at: &Location) -> Result<Value> {
        let converted;
        let map = match value {
            Value::Object(map) if self.dialect == SchemaDialect::OpenApi3 => {
                let mut map = map.clone();
                crate::openapi::to_json_schema(&mut map);
                converted = map;
                &converted
            }
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
            let name = self.definition(&target, &name_for(&target))?;
            return Ok(serde_json::json!({ "$ref": format!("#/definitions/{name}") }));
        }
        let mut out = Map::new();
        for (key, member) in map {
            let member_at = at.join(key);
            let key = key.as_str();
            let rewritten = if DEFINITION_KEYWORDS.contains(&key)
                || key.starts_with("x-")
                || VALIDATION_ONLY.contains(&key)
                || (key == "not" && !typify_reads_not(map))
            {
                continue;
            } else if key == "discriminator" || key == "externalDocs" || key == "deprecated" {
                // AsyncAPI schema keywords typify does not know; the
                // discriminator is read by the dispatch rules instead.
                continue;
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
                    let schema_at = member_at.join(name);
                    let rewritten = if key == "properties" {
                        let required = is_required(map, name);
                        match self.constant(schema, required)? {
                            Some(marker) => marker,
                            None => self.rewrite(schema, &schema_at)?,
                        }
                    } else {
                        self.rewrite(schema, &schema_at)?
                    };
                    props.insert(name.clone(), rewritten);
                }
                Value::Object(props)
            } else if key == "items" {
                match member {
                    Value::Array(items) => {
                        let mut out_items = Vec::new();
                        for (i, item) in items.iter().enumerate() {
                            let item_at = member_at.index(i);
                            out_items.push(match self.constant(item, true)? {
                                Some(marker) => marker,
                                None => self.rewrite(item, &item_at)?,
                            });
                        }
                        Value::Array(out_items)
                    }
                    Value::Object(_) => self.rewrite(member, &member_at)?,
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
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            out.push(self.rewrite(item, &at.index(i))?);
        }
        Ok(Value::Array(out))
    }

    /// The marker schema for a constant property schema, if it is one.
    fn constant(&mut self, schema: &Value, required: bool) -> Result<Option<Value>> {
        let nullable = schema.get("nullable") == Some(&Value::Bool(true));
        if self.dialect == SchemaDialect::OpenApi3 && nullable {
            return Ok(None);
        }
        let Some(value) = constant_value(schema) else {
            return Ok(None);
        };
        let key = (value.to_string(), required);
        let name = match self.const_keys.get(&key) {
            Some(name) => name.clone(),
            None => {
                let base = match &value {
                    Value::String(s) => names::type_name(s),
                    Value::Bool(b) => names::type_name(&b.to_string()),
                    Value::Null => "Null".to_string(),
                    Value::Number(n) => {
                        let text = n.to_string().replace('-', "Minus").replace('.', "Dot");
                        format!("N{text}")
                    }
                    _ => unreachable!("constant_value only returns scalars"),
                };
                let base = if required {
                    base
                } else {
                    format!("{base}OrAbsent")
                };
                let name = self.const_names.claim(base);
                self.const_keys.insert(key, name.clone());
                self.consts.insert(
                    name.clone(),
                    ConstType {
                        name: name.clone(),
                        value: value.clone(),
                        required,
                    },
                );
                name
            }
        };
        let mut marker = Map::new();
        marker.insert("const".into(), value);
        marker.insert(CONST_MARKER.into(), Value::String(name));
        if let Some(description) = schema.get("description") {
            marker.insert("description".into(), description.clone());
        }
        Ok(Some(Value::Object(marker)))
    }
}

/// The scalar a schema pins its value to (`const`, or an `enum` of one),
/// for schemas that say nothing else about the value.
pub fn constant_value(schema: &Value) -> Option<Value> {
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

fn is_required(schema: &Map<String, Value>, property: &str) -> bool {
    schema
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|list| list.iter().any(|v| v.as_str() == Some(property)))
}

fn is_pure_ref(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|m| m.get("$ref").is_some_and(Value::is_string))
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

/// The JSON type name of a value (`integer` for whole numbers).
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) if crate::spec::is_integer(value) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether `value` is of the JSON type named `ty` (an integer is a number).
fn is_of_type(value: &Value, ty: &str) -> bool {
    let kind = json_kind(value);
    kind == ty || (ty == "number" && kind == "integer")
}

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
/// values are the more explicit of the two, and `lint` warns), `const`
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

/// Whether a schema pins no value: `enum` values none of which is of the
/// schema's `type`. The message says why, for a warning.
pub fn unsatisfiable(schema: &Value) -> Option<String> {
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
    Some(format!(
        "no value satisfies this schema: `type` is {} but the `enum` values are of type {}; \
         the generated type takes the `enum` values",
        types
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(" or "),
        kinds
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(" or "),
    ))
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

/// Generates the `types` module contents for every payload and header
/// schema of `api`.
pub fn generate(docs: &Documents, api: &Api) -> Result<Types> {
    let mut collector = Collector::new(docs);
    let mut payload_defs = Vec::new();
    for message in &api.messages {
        payload_defs.push(match &message.payload {
            Some(at) => Some(collector.root(at, &message.key, message.payload_dialect)?),
            None => None,
        });
        // Headers get types too (WebSocket frames carry only the payload,
        // but applications may use them, e.g. for handshake headers).
        if let Some(at) = &message.headers {
            collector.root(
                at,
                &format!("{}Headers", message.key),
                message.headers_dialect,
            )?;
        }
    }

    let mut settings = TypeSpaceSettings::default();
    settings.with_derive("PartialEq".to_string());
    for constant in collector.consts.values() {
        let schema: schemars::schema::SchemaObject = serde_json::from_value(serde_json::json!({
            "const": constant.value,
            CONST_MARKER: constant.name,
        }))
        .map_err(|e| {
            Error::new(
                ErrorKind::Schema,
                None,
                format!("internal: constant marker schema: {e}"),
            )
        })?;
        settings.with_conversion(
            schema,
            format!("consts::{}", constant.name),
            [TypeSpaceImpl::Default].into_iter(),
        );
    }

    let mut defs = Vec::new();
    for (location, (name, schema)) in &collector.defs {
        let schema = schema.clone().expect("every definition is converted");
        defs.push(Definition {
            location: location.clone(),
            name: name.clone(),
            schema: read_schema(&schema, location)?,
            json: schema,
        });
    }

    let mut space = TypeSpace::new(&settings);
    let all = defs
        .iter()
        .map(|d| (d.name.clone(), d.schema.clone()))
        .collect::<Vec<_>>();
    typify_call(|| space.add_ref_types(all)).map_err(|reason| {
        let (location, reason) =
            locate_failure(&settings, &defs).unwrap_or_else(|| (docs.root(), first_line(&reason)));
        Error::at(
            ErrorKind::Schema,
            &location,
            format!("typify cannot turn this schema into Rust types: {reason}"),
        )
        .with_hint("simplify the schema, or report it with the document attached")
    })?;

    let mut type_path = |name: &Option<String>| -> Result<Option<TokenStream>> {
        let Some(name) = name else { return Ok(None) };
        let reference = schemars::schema::Schema::new_ref(format!("#/definitions/{name}"));
        let id = typify_call(|| space.add_type(&reference)).map_err(|reason| {
            Error::new(
                ErrorKind::Schema,
                None,
                format!("internal: type `{name}` was not generated: {reason}"),
            )
        })?;
        let ty = space.get_type(&id).map_err(|e| {
            Error::new(
                ErrorKind::Schema,
                None,
                format!("internal: type `{name}`: {e}"),
            )
        })?;
        Ok(Some(ty.ident()))
    };
    let payloads = payload_defs
        .iter()
        .map(&mut type_path)
        .collect::<Result<Vec<_>>>()?;

    let types = typify_call(|| Ok::<_, typify::Error>(space.to_stream()))
        .and_then(through_runtime)
        .map_err(|reason| {
            Error::new(
                ErrorKind::Schema,
                Some(docs.root()),
                format!("typify failed to write the types: {reason}"),
            )
        })?;
    let consts = collector.consts.values().map(const_type);
    let tokens = quote! {
        #[allow(unused_imports)]
        use ::asyncapi_runtime::__private::serde::{Deserialize, Serialize};

        #types

        /// Types of properties whose value is fixed by the schema (`const`,
        /// or an `enum` of one value): each always writes its value, and
        /// reading checks it.
        pub mod consts {
            #(#consts)*
        }
    };
    Ok(Types { tokens, payloads })
}

/// One definition handed to typify.
struct Definition {
    location: Location,
    name: String,
    /// The schema as rewritten, as JSON.
    json: Value,
    /// The same, as typify reads it.
    schema: schemars::schema::Schema,
}

fn read_schema(schema: &Value, location: &Location) -> Result<schemars::schema::Schema> {
    serde_json::from_value(schema.clone()).map_err(|e| {
        Error::at(
            ErrorKind::Schema,
            location,
            format!("this schema cannot be read as JSON Schema: {e}"),
        )
    })
}

/// Where typify fails, and why: typify does not say which definition it
/// failed on, so the first definition that fails on its own (every other
/// one standing in as any value) is taken, and within it the deepest
/// sub-schema whose replacement by any value makes the failure go away.
fn locate_failure(settings: &TypeSpaceSettings, defs: &[Definition]) -> Option<(Location, String)> {
    let fails = |i: usize, schema: &Value| -> Option<String> {
        let schema = serde_json::from_value::<schemars::schema::Schema>(schema.clone()).ok()?;
        let alone = defs
            .iter()
            .enumerate()
            .map(|(j, d)| {
                let schema = if i == j {
                    schema.clone()
                } else {
                    schemars::schema::Schema::Bool(true)
                };
                (d.name.clone(), schema)
            })
            .collect::<Vec<_>>();
        typify_call(|| TypeSpace::new(settings).add_ref_types(alone)).err()
    };
    let (i, mut reason) = (0..defs.len()).find_map(|i| fails(i, &defs[i].json).map(|r| (i, r)))?;
    let mut schema = defs[i].json.clone();
    let mut path: Vec<String> = Vec::new();
    'deeper: loop {
        for child in subschema_paths(schema.pointer(&pointer(&path))?) {
            let full: Vec<String> = path.iter().cloned().chain(child).collect();
            let mut without = schema.clone();
            *without.pointer_mut(&pointer(&full))? = Value::Object(Map::new());
            if fails(i, &without).is_none() {
                path = full;
                continue 'deeper;
            }
        }
        break;
    }
    // What fails at the place found, alone.
    if let Some(alone) = schema.pointer(&pointer(&path)).cloned() {
        schema = alone;
        if let Some(why) = fails(i, &schema) {
            reason = why;
        }
    }
    let location = path
        .iter()
        .fold(defs[i].location.clone(), |at, t| at.join(t));
    Some((location, first_line(&reason)))
}

/// The places of the sub-schemas that are parts of a schema's value
/// (properties, items), as reference tokens. The members of `allOf`,
/// `anyOf` and `oneOf` are not: typify reads them together, so a failure
/// among them is the combination's.
fn subschema_paths(schema: &Value) -> Vec<Vec<String>> {
    let Some(map) = schema.as_object() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, member) in map {
        match (key.as_str(), member) {
            ("properties" | "patternProperties", Value::Object(members)) => {
                out.extend(members.keys().map(|k| vec![key.clone(), k.clone()]));
            }
            ("items", Value::Array(members)) => {
                out.extend((0..members.len()).map(|i| vec![key.clone(), i.to_string()]));
            }
            ("items" | "additionalItems" | "additionalProperties", Value::Object(_)) => {
                out.push(vec![key.clone()]);
            }
            _ => {}
        }
    }
    out
}

/// A JSON pointer from reference tokens.
fn pointer(tokens: &[String]) -> String {
    tokens
        .iter()
        .map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// The first line of a typify message (its panics append whole schemas).
fn first_line(reason: &str) -> String {
    let line = reason.lines().next().unwrap_or_default().trim();
    let line = line.trim_end_matches([':', ' ', '{', '(']);
    let line = line.strip_suffix(" Object").unwrap_or(line);
    const MAX: usize = 200;
    if line.chars().count() > MAX {
        format!("{}…", line.chars().take(MAX).collect::<String>())
    } else {
        line.to_string()
    }
}

thread_local! {
    /// Whether this thread is inside [`typify_call`], whose panics are
    /// caught and reported as errors rather than printed.
    static IN_TYPIFY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs a typify call, turning its errors and panics into messages. typify
/// panics on schemas it does not handle; the panic is caught, and the panic
/// hook stays quiet about it (panics elsewhere are printed as before).
fn typify_call<T>(f: impl FnOnce() -> Result<T, typify::Error>) -> std::result::Result<T, String> {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_TYPIFY.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let was = IN_TYPIFY.with(|flag| flag.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    IN_TYPIFY.with(|flag| flag.set(was));
    match result {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "typify panicked".to_string())),
    }
}

/// A literal of the runtime's `Lit` type for a scalar JSON value.
pub fn lit_tokens(value: &Value) -> TokenStream {
    let lit = quote!(::asyncapi_runtime::__private::dispatch::Lit);
    match value {
        Value::Null => quote!(#lit::Null),
        Value::Bool(b) => quote!(#lit::Bool(#b)),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                quote!(#lit::Int(#i))
            } else if let Some(u) = n.as_u64() {
                quote!(#lit::UInt(#u))
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                quote!(#lit::Float(#f))
            }
        }
        Value::String(s) => quote!(#lit::Str(#s)),
        // Only scalars are discriminating values.
        Value::Array(_) | Value::Object(_) => quote!(#lit::Null),
    }
}

fn const_type(constant: &ConstType) -> TokenStream {
    let ident = names::ident(&constant.name);
    let lit = lit_tokens(&constant.value);
    let required = constant.required;
    let shown = constant.value.to_string();
    let doc = if required {
        format!("Always `{shown}`.")
    } else {
        format!("Always `{shown}` when written; may be absent when read.")
    };
    quote! {
        #[doc = #doc]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct #ident;

        impl #ident {
            /// The value.
            pub const VALUE: ::asyncapi_runtime::__private::dispatch::Lit = #lit;
        }

        impl ::asyncapi_runtime::__private::serde::Serialize for #ident {
            fn serialize<S>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error>
            where
                S: ::asyncapi_runtime::__private::serde::Serializer,
            {
                ::asyncapi_runtime::__private::constant::serialize(&Self::VALUE, serializer)
            }
        }

        impl<'de> ::asyncapi_runtime::__private::serde::Deserialize<'de> for #ident {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::asyncapi_runtime::__private::serde::Deserializer<'de>,
            {
                static VALUE: ::asyncapi_runtime::__private::dispatch::Lit = #lit;
                ::asyncapi_runtime::__private::constant::deserialize(&VALUE, #required, deserializer)
                    .map(|()| #ident)
            }
        }
    }
}

/// The crates typify's output names that generated code reaches through
/// `asyncapi_runtime::__private` instead, so that users need not depend on
/// them.
const RUNTIME_CRATES: &[&str] = &["serde", "serde_json", "regress", "chrono", "uuid"];

/// Rewrites typify's output so that it names serde, regress, chrono, uuid
/// and serde_json through the runtime's re-export module.
fn through_runtime(tokens: TokenStream) -> std::result::Result<TokenStream, String> {
    use syn::visit_mut::VisitMut;

    struct Rewrite;

    /// Reroutes `::crate::…` paths; returns how many segments were added.
    fn reroute(path: &mut syn::Path) -> usize {
        let first = path.segments.first().map(|s| s.ident.to_string());
        if path.leading_colon.is_some()
            && first.is_some_and(|f| RUNTIME_CRATES.contains(&f.as_str()))
        {
            let rest = std::mem::take(&mut path.segments);
            let mut segments: syn::punctuated::Punctuated<syn::PathSegment, syn::Token![::]> =
                syn::parse_quote!(asyncapi_runtime::__private);
            let added = segments.len();
            segments.extend(rest);
            path.segments = segments;
            added
        } else {
            0
        }
    }

    /// Reroutes paths written inside string literals of `#[serde(...)]`
    /// attributes (`skip_serializing_if = "::serde_json::Map::is_empty"`).
    fn reroute_strings(attr: &syn::Attribute) -> Option<syn::Attribute> {
        let text = quote!(#attr).to_string();
        let mut rewritten = text.clone();
        for krate in RUNTIME_CRATES {
            rewritten = rewritten.replace(
                &format!("\"::{krate}::"),
                &format!("\"::asyncapi_runtime::__private::{krate}::"),
            );
        }
        if rewritten == text {
            return None;
        }
        syn::parse::Parser::parse_str(syn::Attribute::parse_outer, &rewritten)
            .ok()
            .and_then(|mut attrs| attrs.pop())
    }

    impl VisitMut for Rewrite {
        fn visit_expr_path_mut(&mut self, expr: &mut syn::ExprPath) {
            let added = reroute(&mut expr.path);
            if let Some(qself) = &mut expr.qself {
                qself.position += added;
            }
            syn::visit_mut::visit_expr_path_mut(self, expr);
        }

        fn visit_type_path_mut(&mut self, ty: &mut syn::TypePath) {
            let added = reroute(&mut ty.path);
            if let Some(qself) = &mut ty.qself {
                qself.position += added;
            }
            syn::visit_mut::visit_type_path_mut(self, ty);
        }

        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            reroute(path);
            syn::visit_mut::visit_path_mut(self, path);
        }

        fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
            if attr.path().is_ident("derive") {
                if let Ok(paths) = attr.parse_args_with(
                    syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
                ) {
                    let paths = paths.into_iter().map(|mut p| {
                        reroute(&mut p);
                        p
                    });
                    attr.meta = syn::parse_quote!(derive(#(#paths),*));
                }
            } else if attr.path().is_ident("serde") {
                if let Some(rewritten) = reroute_strings(attr) {
                    *attr = rewritten;
                }
            }
        }

        fn visit_item_struct_mut(&mut self, item: &mut syn::ItemStruct) {
            syn::visit_mut::visit_item_struct_mut(self, item);
            mark_serde_crate(&mut item.attrs);
        }

        fn visit_item_enum_mut(&mut self, item: &mut syn::ItemEnum) {
            syn::visit_mut::visit_item_enum_mut(self, item);
            mark_serde_crate(&mut item.attrs);
        }
    }

    /// Tells serde's derives where serde is, on items that derive it.
    fn mark_serde_crate(attrs: &mut Vec<syn::Attribute>) {
        let derives_serde = attrs.iter().any(|attr| {
            attr.path().is_ident("derive") && {
                let text = quote!(#attr).to_string();
                text.contains("Serialize") || text.contains("Deserialize")
            }
        });
        if derives_serde {
            attrs.push(syn::parse_quote!(#[serde(crate = "::asyncapi_runtime::__private::serde")]));
        }
    }

    let mut file: syn::File = syn::parse2(tokens).map_err(|e| e.to_string())?;
    Rewrite.visit_file_mut(&mut file);
    Ok(quote!(#file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typify_failure_is_located_at_the_smallest_schema() {
        // typify panics on a `false` among `oneOf` alternatives (which the
        // rewrite removes; handed to typify as it is here).
        let json = serde_json::json!({
            "type": "object",
            "properties": {
                "a": {"type": "string"},
                "b": {"oneOf": [{"enum": ["x"]}, false]}
            }
        });
        let at = Location::file("x.yaml")
            .join("components")
            .join("schemas")
            .join("S");
        let defs = vec![Definition {
            location: at.clone(),
            name: "S".into(),
            schema: read_schema(&json, &at).unwrap(),
            json,
        }];
        let (location, reason) = locate_failure(&TypeSpaceSettings::default(), &defs).unwrap();
        assert_eq!(
            location.to_string(),
            "x.yaml#/components/schemas/S/properties/b"
        );
        assert_eq!(reason, "not yet implemented");
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
