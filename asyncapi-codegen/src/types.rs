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
use crate::ir::Api;
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
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
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
    /// Per message index: the path of its headers type inside `types`.
    #[allow(dead_code)] // Not read yet: for typed headers in generated code.
    pub headers: Vec<Option<TokenStream>>,
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
        }
    }

    /// The definition for the schema at `at`, named `hint` unless it is a
    /// reference, in which case the referenced schema's own name is used.
    fn root(&mut self, at: &Location, hint: &str) -> Result<String> {
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
            let name = self.definition(&target, &name_for(&target))?;
            return Ok(serde_json::json!({ "$ref": format!("#/definitions/{name}") }));
        }
        let mut out = Map::new();
        for (key, member) in map {
            let member_at = at.join(key);
            let key = key.as_str();
            let rewritten = if DEFINITION_KEYWORDS.contains(&key) || key.starts_with("x-") {
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
            } else if key == "dependencies" || key == "dependentSchemas" {
                // Conditional schemas do not change the shape typify gives a
                // type; dropped.
                continue;
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
        normalise_tuple(&mut out);
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
    let mut header_defs = Vec::new();
    for message in &api.messages {
        payload_defs.push(match &message.payload {
            Some(at) => Some(collector.root(at, &message.key)?),
            None => None,
        });
        header_defs.push(match &message.headers {
            Some(at) => Some(collector.root(at, &format!("{}Headers", message.key))?),
            None => None,
        });
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
        let schema: schemars::schema::Schema = serde_json::from_value(schema).map_err(|e| {
            Error::at(
                ErrorKind::Schema,
                location,
                format!("this schema cannot be read as JSON Schema: {e}"),
            )
        })?;
        defs.push((location.clone(), name.clone(), schema));
    }

    let mut space = TypeSpace::new(&settings);
    let all = defs
        .iter()
        .map(|(_, name, schema)| (name.clone(), schema.clone()))
        .collect::<Vec<_>>();
    typify_call(|| space.add_ref_types(all)).map_err(|reason| {
        // typify does not say which definition failed: find the first that
        // fails on its own, with every other definition standing in as any
        // value.
        let culprit = (0..defs.len()).find(|&i| {
            let alone = defs
                .iter()
                .enumerate()
                .map(|(j, (_, name, schema))| {
                    let schema = if i == j {
                        schema.clone()
                    } else {
                        schemars::schema::Schema::Bool(true)
                    };
                    (name.clone(), schema)
                })
                .collect::<Vec<_>>();
            typify_call(|| TypeSpace::new(&settings).add_ref_types(alone)).is_err()
        });
        let location = culprit.map_or_else(|| docs.root(), |i| defs[i].0.clone());
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
    let headers = header_defs
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
    Ok(Types {
        tokens,
        payloads,
        headers,
    })
}

/// Runs a typify call, turning its errors and panics into messages.
fn typify_call<T>(f: impl FnOnce() -> Result<T, typify::Error>) -> std::result::Result<T, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
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
