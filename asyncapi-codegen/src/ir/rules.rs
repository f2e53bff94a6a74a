//! The discriminating facts of a message: the tests a frame must pass to be
//! that message, read from its payload schema through the [walker](super::walk).
//!
//! Discriminating values are `const`/`enum`/`pattern` on object properties
//! (required or not) and on fixed positions of tuple arrays, the AsyncAPI
//! `discriminator` keyword, the JSON type of the frame and the length of
//! tuple arrays. Required keys and closed objects (`additionalProperties:
//! false`) are structural tests, which the back end uses only when values
//! leave a tie.

use super::schemas::{constant_value, Schemas};
use super::walk::Node;
use crate::error::{Error, ErrorKind, Location, Result};
use serde_json::Value;

/// How deep into a frame rules look (the frame itself is depth 0).
const MAX_DEPTH: usize = 2;

/// One step of a path into a frame.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
}

/// What a rule checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// The JSON type (`object`, `array`, `string`, `number`, `boolean`, `null`).
    Kind(&'static str),
    /// Exact array length.
    Len(usize),
    /// Array length bounds.
    LenRange(usize, Option<usize>),
    /// One of these values (present).
    OneOf(Vec<Value>),
    /// One of these values, or absent.
    OneOfOrAbsent(Vec<Value>),
    /// A string matching this pattern (present).
    Pattern(String),
    /// Absent, or a string matching this pattern.
    PatternOrAbsent(String),
    /// An object with this key.
    Has(String),
    /// An object with only these keys.
    Closed(Vec<String>),
}

/// A test on the value at a path.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Where in the frame.
    pub path: Vec<Seg>,
    /// What must hold there.
    pub test: Test,
}

/// The rules a frame must satisfy to be the message whose payload schema is
/// definition `payload`. A `pattern` that is no ECMA-262 regular expression
/// is an error, at its place.
pub(super) fn of(schemas: &Schemas, payload: usize) -> Result<Vec<Rule>> {
    let mut out = Vec::new();
    let mut visiting = Vec::new();
    collect(schemas, schemas.node(payload), &[], &mut out, &mut visiting)?;
    Ok(out)
}

/// The facts of a schema after following `$ref`s and merging `allOf`.
#[derive(Default)]
struct Facts<'a> {
    kind: Option<&'static str>,
    constant: Option<Vec<Value>>,
    pattern: Option<(String, Location)>,
    properties: Vec<(String, Node<'a>)>,
    required: Vec<String>,
    closed: bool,
    items: Vec<Node<'a>>,
    min_items: Option<usize>,
    max_items: Option<usize>,
    closed_items: bool,
    discriminator: Option<String>,
    /// The name of the component schema, for `discriminator` values.
    component: Option<String>,
}

fn facts<'a>(schemas: &'a Schemas, node: Node<'a>) -> Facts<'a> {
    let merged = schemas.merged(node);
    let mut facts = Facts::default();
    if let Some((items, closed)) = schemas.tuple(&merged) {
        facts.items = items;
        facts.closed_items = closed;
    }
    for node in &merged {
        let Some(map) = node.map() else { continue };
        if facts.component.is_none() {
            if let [.., schemas, name] = node.at.tokens().as_slice() {
                if schemas == "schemas" {
                    facts.component = Some(name.clone());
                }
            }
        }
        if let Some(Value::String(kind)) = map.get("type") {
            facts.kind = facts.kind.or(match kind.as_str() {
                "object" => Some("object"),
                "array" => Some("array"),
                "string" => Some("string"),
                "number" | "integer" => Some("number"),
                "boolean" => Some("boolean"),
                "null" => Some("null"),
                _ => None,
            });
        }
        if facts.constant.is_none() {
            if let Some(value) = constant_value(node.schema) {
                facts.constant = Some(vec![value]);
            } else if let Some(Value::Array(values)) = map.get("enum") {
                if !values.is_empty() && values.iter().all(|v| !v.is_array() && !v.is_object()) {
                    facts.constant = Some(values.clone());
                }
            }
        }
        if facts.pattern.is_none() {
            if let Some(Value::String(pattern)) = map.get("pattern") {
                facts.pattern = Some((pattern.clone(), node.at.join("pattern")));
            }
        }
        if let Some(Value::Object(props)) = map.get("properties") {
            for (key, schema) in props {
                if !facts.properties.iter().any(|(k, _)| k == key) {
                    let at = node.at.join("properties").join(key);
                    facts.properties.push((key.clone(), Node { schema, at }));
                }
            }
        }
        if let Some(Value::Array(required)) = map.get("required") {
            for key in required.iter().filter_map(Value::as_str) {
                if !facts.required.iter().any(|k| k == key) {
                    facts.required.push(key.to_string());
                }
            }
        }
        if map.get("additionalProperties") == Some(&Value::Bool(false))
            && map.get("patternProperties").is_none()
        {
            facts.closed = true;
        }
        let as_usize = |v: Option<&Value>| v.and_then(Value::as_u64).map(|n| n as usize);
        facts.min_items = facts.min_items.or(as_usize(map.get("minItems")));
        facts.max_items = facts.max_items.or(as_usize(map.get("maxItems")));
        let discriminator = match map.get("discriminator") {
            Some(Value::String(name)) => Some(name.as_str()),
            Some(Value::Object(d)) => d.get("propertyName").and_then(Value::as_str),
            _ => None,
        };
        if let Some(name) = discriminator {
            facts.discriminator.get_or_insert_with(|| name.to_string());
        }
    }
    facts
}

fn collect<'a>(
    schemas: &'a Schemas,
    node: Node<'a>,
    path: &[Seg],
    out: &mut Vec<Rule>,
    visiting: &mut Vec<Location>,
) -> Result<()> {
    let resolved = schemas.resolve(node.clone()).at;
    if visiting.contains(&resolved) {
        return Ok(());
    }
    visiting.push(resolved);
    let f = facts(schemas, node);
    let here = |test| Rule {
        path: path.to_vec(),
        test,
    };
    if let Some(kind) = f.kind {
        out.push(here(Test::Kind(kind)));
    }
    if path.is_empty() {
        if let Some(values) = &f.constant {
            out.push(here(Test::OneOf(values.clone())));
        }
    }
    let deeper = path.len() < MAX_DEPTH;
    match f.kind {
        Some("object") | None if deeper && !f.properties.is_empty() => {
            for (key, prop) in &f.properties {
                let required = f.required.contains(key);
                let pf = facts(schemas, prop.clone());
                let prop_path = [path, &[Seg::Key(key.clone())]].concat();
                let discriminated = (f.discriminator.as_deref() == Some(key.as_str()))
                    .then(|| f.component.clone().map(|c| vec![Value::String(c)]))
                    .flatten();
                value_rule(&pf, discriminated, &prop_path, required, out)?;
                // A required member is there to look into.
                if required {
                    collect(schemas, prop.clone(), &prop_path, out, visiting)?;
                }
            }
            for key in &f.required {
                out.push(here(Test::Has(key.clone())));
            }
            if f.closed {
                out.push(here(Test::Closed(
                    f.properties.iter().map(|(k, _)| k.clone()).collect(),
                )));
            }
        }
        Some("array") if !f.items.is_empty() => {
            let len = f.items.len();
            let min = f.min_items.unwrap_or(if f.closed_items { len } else { 0 });
            let max = f.max_items.or(f.closed_items.then_some(len));
            if Some(min) == max {
                out.push(here(Test::Len(min)));
            } else if min > 0 || max.is_some() {
                out.push(here(Test::LenRange(min, max)));
            }
            if deeper {
                for (i, item) in f.items.iter().enumerate() {
                    let item_path = [path, &[Seg::Index(i)]].concat();
                    let itf = facts(schemas, item.clone());
                    // Positions a frame may lack are tested only when present.
                    let present = i < min;
                    value_rule(&itf, None, &item_path, present, out)?;
                    if present {
                        collect(schemas, item.clone(), &item_path, out, visiting)?;
                    }
                }
            }
        }
        Some("array") if f.min_items.is_some() || f.max_items.is_some() => {
            out.push(here(Test::LenRange(f.min_items.unwrap_or(0), f.max_items)));
        }
        _ => {}
    }
    visiting.pop();
    Ok(())
}

/// The value test (`const`/`enum`/discriminator value, else `pattern`) for
/// a member, if its schema pins its value.
fn value_rule(
    f: &Facts<'_>,
    discriminated: Option<Vec<Value>>,
    path: &[Seg],
    present: bool,
    out: &mut Vec<Rule>,
) -> Result<()> {
    let test = if let Some(values) = f.constant.clone().or(discriminated) {
        if present {
            Test::OneOf(values)
        } else {
            Test::OneOfOrAbsent(values)
        }
    } else if let Some((pattern, pattern_at)) = &f.pattern {
        check_pattern(pattern, pattern_at)?;
        if present {
            Test::Pattern(pattern.clone())
        } else {
            Test::PatternOrAbsent(pattern.clone())
        }
    } else {
        return Ok(());
    };
    out.push(Rule {
        path: path.to_vec(),
        test,
    });
    Ok(())
}

fn check_pattern(pattern: &str, at: &Location) -> Result<()> {
    regress::Regex::new(pattern).map(|_| ()).map_err(|e| {
        Error::at(
            ErrorKind::Invalid,
            at,
            format!("`{pattern}` is not a valid ECMA-262 regular expression: {e}"),
        )
    })
}
