//! Deciding variants: the values that tell the messages of an enum apart,
//! read from their payload schemas (written as code by
//! [`crate::selection`]).
//!
//! Discriminating values are `const`/`enum`/`pattern` on object properties
//! (required or not) and on fixed positions of tuple arrays, the AsyncAPI
//! `discriminator` keyword, the JSON type of the frame and the length of
//! tuple arrays. Required keys and closed objects (`additionalProperties:
//! false`) are structural tests, used only when values leave a tie.

use crate::error::{Error, ErrorKind, Location, Result};
use crate::spec::Documents;
use crate::types::constant_value;
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
/// at `payload`.
pub fn rules(docs: &Documents, payload: &Location) -> Result<Vec<Rule>> {
    let mut out = Vec::new();
    let mut visiting = Vec::new();
    collect(docs, payload, &[], &mut out, &mut visiting)?;
    Ok(out)
}

/// The facts of a schema after following `$ref`s and merging `allOf`.
#[derive(Default)]
struct Facts {
    kind: Option<&'static str>,
    constant: Option<Vec<Value>>,
    pattern: Option<(String, Location)>,
    properties: Vec<(String, Location)>,
    required: Vec<String>,
    closed: bool,
    items: Vec<Location>,
    min_items: Option<usize>,
    max_items: Option<usize>,
    closed_items: bool,
    discriminator: Option<String>,
    /// The name of the component schema, for `discriminator` values.
    component: Option<String>,
}

fn facts(docs: &Documents, at: &Location, facts: &mut Facts, depth: usize) -> Result<()> {
    if depth > 16 {
        return Ok(());
    }
    let (location, schema) = docs.deref(at)?;
    let Some(map) = schema.as_object() else {
        return Ok(());
    };
    if facts.component.is_none() {
        let tokens = location.tokens();
        if let [.., schemas, name] = tokens.as_slice() {
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
        if let Some(value) = constant_value(schema) {
            facts.constant = Some(vec![value]);
        } else if let Some(Value::Array(values)) = map.get("enum") {
            if !values.is_empty() && values.iter().all(|v| !v.is_array() && !v.is_object()) {
                facts.constant = Some(values.clone());
            }
        }
    }
    if facts.pattern.is_none() {
        if let Some(Value::String(pattern)) = map.get("pattern") {
            facts.pattern = Some((pattern.clone(), location.join("pattern")));
        }
    }
    if let Some(Value::Object(props)) = map.get("properties") {
        for key in props.keys() {
            if !facts.properties.iter().any(|(k, _)| k == key) {
                facts
                    .properties
                    .push((key.clone(), location.join("properties").join(key)));
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
    if let Some(Value::Array(items)) = map.get("items").or_else(|| map.get("prefixItems")) {
        if facts.items.is_empty() {
            let key = if map.get("items").is_some() {
                "items"
            } else {
                "prefixItems"
            };
            facts.items = (0..items.len())
                .map(|i| location.join(key).index(i))
                .collect();
            facts.closed_items = map.get("additionalItems") == Some(&Value::Bool(false))
                || (key == "prefixItems" && map.get("items") == Some(&Value::Bool(false)));
        }
    }
    let as_usize = |v: Option<&Value>| v.and_then(Value::as_u64).map(|n| n as usize);
    facts.min_items = facts.min_items.or(as_usize(map.get("minItems")));
    facts.max_items = facts.max_items.or(as_usize(map.get("maxItems")));
    if let Some(Value::String(discriminator)) = map.get("discriminator") {
        facts
            .discriminator
            .get_or_insert_with(|| discriminator.clone());
    }
    if let Some(Value::Object(discriminator)) = map.get("discriminator") {
        if let Some(Value::String(name)) = discriminator.get("propertyName") {
            facts.discriminator.get_or_insert_with(|| name.clone());
        }
    }
    if let Some(Value::Array(all)) = map.get("allOf") {
        for i in 0..all.len() {
            self::facts(docs, &location.join("allOf").index(i), facts, depth + 1)?;
        }
    }
    Ok(())
}

fn collect(
    docs: &Documents,
    at: &Location,
    path: &[Seg],
    out: &mut Vec<Rule>,
    visiting: &mut Vec<Location>,
) -> Result<()> {
    let (resolved, _) = docs.deref(at)?;
    if visiting.contains(&resolved) {
        return Ok(());
    }
    visiting.push(resolved);
    let mut f = Facts::default();
    facts(docs, at, &mut f, 0)?;
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
            for (key, prop_at) in &f.properties {
                let required = f.required.contains(key);
                let mut pf = Facts::default();
                facts(docs, prop_at, &mut pf, 0)?;
                let prop_path = [path, &[Seg::Key(key.clone())]].concat();
                let discriminated = (f.discriminator.as_deref() == Some(key.as_str()))
                    .then(|| f.component.clone().map(|c| vec![Value::String(c)]))
                    .flatten();
                value_rule(&pf, discriminated, &prop_path, required, out)?;
                // A required member is there to look into.
                if required {
                    collect(docs, prop_at, &prop_path, out, visiting)?;
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
                for (i, item_at) in f.items.iter().enumerate() {
                    let item_path = [path, &[Seg::Index(i)]].concat();
                    let mut itf = Facts::default();
                    facts(docs, item_at, &mut itf, 0)?;
                    // Positions a frame may lack are tested only when present.
                    let present = i < min;
                    value_rule(&itf, None, &item_path, present, out)?;
                    if present {
                        collect(docs, item_at, &item_path, out, visiting)?;
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
    f: &Facts,
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

/// Whether a test is structural (used only to break ties).
fn is_structural(test: &Test) -> bool {
    matches!(test, Test::Has(_) | Test::Closed(_))
}

/// Whether no value satisfies both tests.
fn incompatible(a: &Test, b: &Test) -> bool {
    let matches_pattern = |pattern: &str, value: &Value| match value {
        Value::String(s) => regress::Regex::new(pattern).map_or(true, |r| r.find(s).is_some()),
        _ => false,
    };
    let kind_of = |value: &Value| match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    match (a, b) {
        (Test::Kind(x), Test::Kind(y)) => x != y,
        (Test::Len(x), Test::Len(y)) => x != y,
        (Test::Len(n), Test::LenRange(min, max)) | (Test::LenRange(min, max), Test::Len(n)) => {
            n < min || max.is_some_and(|m| *n > m)
        }
        (Test::OneOf(x), Test::OneOf(y) | Test::OneOfOrAbsent(y))
        | (Test::OneOfOrAbsent(y), Test::OneOf(x)) => !x.iter().any(|v| y.contains(v)),
        (Test::OneOf(x), Test::Pattern(p) | Test::PatternOrAbsent(p))
        | (Test::Pattern(p) | Test::PatternOrAbsent(p), Test::OneOf(x)) => {
            !x.iter().any(|v| matches_pattern(p, v))
        }
        (Test::Pattern(p), Test::OneOfOrAbsent(x)) | (Test::OneOfOrAbsent(x), Test::Pattern(p)) => {
            !x.iter().any(|v| matches_pattern(p, v))
        }
        (Test::Kind(k), Test::OneOf(x)) | (Test::OneOf(x), Test::Kind(k)) => {
            !x.iter().any(|v| kind_of(v) == *k)
        }
        _ => false,
    }
}

/// Whether some rule of `a` and some rule of `b` at the same path cannot
/// both hold.
fn separated(a: &[Rule], b: &[Rule]) -> bool {
    a.iter().any(|r| {
        b.iter()
            .any(|s| r.path == s.path && incompatible(&r.test, &s.test))
    })
}

/// Keeps the rules worth checking: value tests near the top of the frame
/// (found by the one scan of the frame that is made anyway) and structural
/// tests always; deeper value tests only for messages that the former do
/// not tell apart from some other message.
pub fn prune(variants: &mut [(String, Vec<Rule>)]) {
    let shallow = |rules: &[Rule]| -> Vec<Rule> {
        rules
            .iter()
            .filter(|r| r.path.len() <= 1 || is_structural(&r.test))
            .cloned()
            .collect()
    };
    let values_only = |rules: &[Rule]| -> Vec<Rule> {
        rules
            .iter()
            .filter(|r| !is_structural(&r.test))
            .cloned()
            .collect()
    };
    for (_, rules) in variants.iter_mut() {
        drop_redundant(rules);
    }
    let base: Vec<Vec<Rule>> = variants.iter().map(|(_, r)| shallow(r)).collect();
    for i in 0..variants.len() {
        let mine = values_only(&base[i]);
        let tied = (0..variants.len()).any(|j| j != i && !separated(&mine, &values_only(&base[j])));
        if !tied {
            variants[i].1 = base[i].clone();
        }
    }
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

/// Drops tests that another test of the same message implies: the JSON
/// type of a value pinned by `const`/`enum`/`pattern`, and the presence of
/// a key whose value is pinned.
fn drop_redundant(rules: &mut Vec<Rule>) {
    let pinned: Vec<Vec<Seg>> = rules
        .iter()
        .filter(|r| matches!(r.test, Test::OneOf(_) | Test::Pattern(_)))
        .map(|r| r.path.clone())
        .collect();
    rules.retain(|r| match &r.test {
        Test::Kind(_) => !pinned.contains(&r.path),
        Test::Has(key) => {
            let member = [r.path.as_slice(), &[Seg::Key(key.clone())]].concat();
            !pinned.contains(&member)
        }
        _ => true,
    });
}
