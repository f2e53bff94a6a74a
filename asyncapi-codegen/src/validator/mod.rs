//! A JSON Schema (draft-07) validator: it checks documents against the
//! official AsyncAPI schemas and message examples against their payload
//! schemas.
//!
//! It is ours rather than a crate's so that a user's build script compiles
//! nothing beyond what the generator needs anyway (`regress` runs the
//! patterns), and so that failures keep the shape of the schema: a `oneOf`
//! or `anyOf` that nothing matched keeps every branch's failures, from
//! which [`report`] picks the most specific one to show instead of
//! "matches none of the alternatives".
//!
//! Schemas are interpreted as they are (no compilation step). `$ref`s are
//! JSON pointers into the root schema (`#/definitions/x`); a `$ref` makes
//! its siblings ignored, as in draft-07. `format`s are asserted (see
//! [`format`]). Beyond draft-07, `prefixItems` (with `items: false`) is read
//! as a tuple, because payload schemas use it.

mod format;
pub mod report;

use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;

/// How deep schemas may nest through `$ref`s at one place of an instance
/// before the schema is deemed to recurse forever.
const MAX_DEPTH: usize = 256;

/// One thing wrong with an instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// Where in the instance: unescaped reference tokens.
    pub path: Vec<String>,
    /// What is wrong.
    pub kind: Kind,
}

/// What is wrong at a place of an instance.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Not of the JSON type(s) the schema names.
    Type {
        /// JSON type names (`object`, `integer`, …).
        expected: Vec<String>,
    },
    /// Not one of the values of `enum`.
    Enum {
        /// The allowed values.
        allowed: Vec<Value>,
    },
    /// Not the value of `const`.
    Const {
        /// The one allowed value.
        expected: Value,
    },
    /// A member that `required` names is missing (the path is the object).
    Required {
        /// The missing member.
        property: String,
    },
    /// A member that neither `properties` nor `patternProperties` allows,
    /// under `additionalProperties: false` (the path is the member).
    Unexpected {
        /// The members the schema names, for the message.
        known: Vec<String>,
        /// Whether `x-` extensions are allowed.
        extensions: bool,
    },
    /// The schema `false`: no value is allowed here.
    False,
    /// A string that does not match `pattern`.
    Pattern {
        /// The pattern.
        pattern: String,
    },
    /// A string that is not of the `format`.
    Format {
        /// The format, e.g. `uri`.
        format: String,
    },
    /// Out of bounds: `minLength`, `maximum`, `minItems`, …
    Bound {
        /// The keyword.
        keyword: &'static str,
        /// Its value.
        limit: Value,
    },
    /// Items that `uniqueItems` wants distinct are not.
    UniqueItems,
    /// No item matches `contains`.
    Contains,
    /// `dependencies`: a member that requires another that is missing.
    Dependency {
        /// The member present.
        property: String,
        /// The member it requires.
        requires: String,
    },
    /// A member name that `propertyNames` refuses (the path is the member).
    PropertyName {
        /// Why the name is refused.
        failures: Vec<Failure>,
    },
    /// Matches the schema of `not`.
    Not,
    /// Matches none of `oneOf`'s schemas.
    OneOfNone {
        /// Each branch's failures.
        branches: Vec<Vec<Failure>>,
    },
    /// Matches more than one of `oneOf`'s schemas.
    OneOfMany {
        /// The indices of the branches it matches.
        matched: Vec<usize>,
    },
    /// Matches none of `anyOf`'s schemas.
    AnyOf {
        /// Each branch's failures.
        branches: Vec<Vec<Failure>>,
    },
    /// The schema itself is broken here (a `$ref` that resolves nowhere, a
    /// pattern that is no regular expression, recursion without end).
    BadSchema {
        /// What is wrong with it.
        reason: String,
    },
}

/// Validates instances against one root schema.
pub struct Validator<'s> {
    root: &'s Value,
    regexes: RefCell<HashMap<String, Option<regress::Regex>>>,
}

impl<'s> Validator<'s> {
    /// A validator for `root`, whose `$ref`s point into itself.
    pub fn new(root: &'s Value) -> Self {
        Validator {
            root,
            regexes: RefCell::new(HashMap::new()),
        }
    }

    /// Every failure of `instance` against the root schema, in the order of
    /// the instance's members.
    pub fn validate(&self, instance: &Value) -> Vec<Failure> {
        let mut run = Run {
            v: self,
            collect: true,
            out: Vec::new(),
        };
        let mut path = Vec::new();
        run.check(self.root, instance, &mut path, 0);
        run.out
    }

    /// Whether `instance` is valid against `schema` (a part of the root).
    fn is_valid(&self, schema: &Value, instance: &Value, depth: usize) -> bool {
        let mut run = Run {
            v: self,
            collect: false,
            out: Vec::new(),
        };
        run.check(schema, instance, &mut Vec::new(), depth)
    }

    /// The failures of `instance` against `schema`, at `path`.
    fn failures(
        &self,
        schema: &Value,
        instance: &Value,
        path: &mut Vec<String>,
        depth: usize,
    ) -> Vec<Failure> {
        let mut run = Run {
            v: self,
            collect: true,
            out: Vec::new(),
        };
        run.check(schema, instance, path, depth);
        run.out
    }

    /// The schema a `$ref` names.
    fn resolve(&self, reference: &str) -> Option<&'s Value> {
        let pointer = reference.strip_prefix('#')?;
        let tokens = crate::spec::split_pointer(pointer).ok()?;
        let mut value = self.root;
        for token in &tokens {
            value = match value {
                Value::Object(map) => map.get(token)?,
                Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(value)
    }

    /// Whether `text` matches `pattern` (ECMA-262); `None` if the pattern
    /// is no regular expression.
    fn matches(&self, pattern: &str, text: &str) -> Option<bool> {
        let mut cache = self.regexes.borrow_mut();
        let regex = cache
            .entry(pattern.to_string())
            .or_insert_with(|| compile_pattern(pattern));
        regex.as_ref().map(|r| r.find(text).is_some())
    }
}

/// Compiles an ECMA-262 pattern, in Unicode mode when it allows it.
pub fn compile_pattern(pattern: &str) -> Option<regress::Regex> {
    regress::Regex::with_flags(pattern, "u")
        .or_else(|_| regress::Regex::new(pattern))
        .ok()
}

/// One validation: collecting failures, or stopping at the first.
struct Run<'v, 's> {
    v: &'v Validator<'s>,
    collect: bool,
    out: Vec<Failure>,
}

impl<'s> Run<'_, 's> {
    /// Records a failure; returns `false` (the instance is invalid).
    fn fail(&mut self, path: &[String], kind: Kind) -> bool {
        if self.collect {
            self.out.push(Failure {
                path: path.to_vec(),
                kind,
            });
        }
        false
    }

    /// Checks `instance` (at `path`) against `schema`.
    fn check(
        &mut self,
        schema: &'s Value,
        instance: &Value,
        path: &mut Vec<String>,
        depth: usize,
    ) -> bool {
        let map = match schema {
            Value::Bool(true) => return true,
            Value::Bool(false) => return self.fail(path, Kind::False),
            Value::Object(map) => map,
            // Not a schema: nothing to check against.
            _ => return true,
        };
        if depth > MAX_DEPTH {
            return self.fail(
                path,
                Kind::BadSchema {
                    reason: "the schema refers to itself without end".into(),
                },
            );
        }
        if let Some(Value::String(reference)) = map.get("$ref") {
            return match self.v.resolve(reference) {
                Some(target) => self.check(target, instance, path, depth + 1),
                None => self.fail(
                    path,
                    Kind::BadSchema {
                        reason: format!("`$ref` \"{reference}\" resolves to nothing"),
                    },
                ),
            };
        }
        let mut valid = true;
        macro_rules! step {
            ($e:expr) => {
                if !$e {
                    valid = false;
                    if !self.collect {
                        return false;
                    }
                }
            };
        }
        if let Some(types) = map.get("type") {
            if !type_matches(types, instance) {
                let expected = match types {
                    Value::String(t) => vec![t.clone()],
                    Value::Array(ts) => ts
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect(),
                    _ => Vec::new(),
                };
                // Nothing else can be said usefully about a value of the
                // wrong type.
                return self.fail(path, Kind::Type { expected });
            }
        }
        if let Some(Value::Array(allowed)) = map.get("enum") {
            if !allowed.iter().any(|a| json_equal(a, instance)) {
                step!(self.fail(
                    path,
                    Kind::Enum {
                        allowed: allowed.clone()
                    }
                ));
            }
        }
        if let Some(expected) = map.get("const") {
            if !json_equal(expected, instance) {
                step!(self.fail(
                    path,
                    Kind::Const {
                        expected: expected.clone()
                    }
                ));
            }
        }
        match instance {
            Value::Number(_) => step!(self.number(map, instance, path)),
            Value::String(s) => step!(self.string(map, s, path)),
            Value::Array(items) => step!(self.array(map, items, path, depth)),
            Value::Object(members) => step!(self.object(map, members, path, depth)),
            _ => {}
        }
        step!(self.combinators(map, instance, path, depth));
        valid
    }

    fn number(&mut self, map: &Map<String, Value>, instance: &Value, path: &[String]) -> bool {
        let x = instance.as_f64().unwrap_or(0.0);
        let mut valid = true;
        let mut bound = |run: &mut Self, keyword: &'static str, ok: bool, limit: &Value| {
            if !ok {
                valid = false;
                run.fail(
                    path,
                    Kind::Bound {
                        keyword,
                        limit: limit.clone(),
                    },
                );
            }
        };
        if let Some(limit) = map.get("minimum").filter(|l| l.is_number()) {
            let exclusive = map.get("exclusiveMinimum") == Some(&Value::Bool(true));
            let m = limit.as_f64().unwrap_or(f64::MIN);
            let keyword = if exclusive {
                "exclusiveMinimum"
            } else {
                "minimum"
            };
            bound(self, keyword, if exclusive { x > m } else { x >= m }, limit);
        }
        if let Some(limit) = map.get("maximum").filter(|l| l.is_number()) {
            let exclusive = map.get("exclusiveMaximum") == Some(&Value::Bool(true));
            let m = limit.as_f64().unwrap_or(f64::MAX);
            let keyword = if exclusive {
                "exclusiveMaximum"
            } else {
                "maximum"
            };
            bound(self, keyword, if exclusive { x < m } else { x <= m }, limit);
        }
        if let Some(limit) = map.get("exclusiveMinimum").filter(|l| l.is_number()) {
            bound(
                self,
                "exclusiveMinimum",
                x > limit.as_f64().unwrap_or(f64::MIN),
                limit,
            );
        }
        if let Some(limit) = map.get("exclusiveMaximum").filter(|l| l.is_number()) {
            bound(
                self,
                "exclusiveMaximum",
                x < limit.as_f64().unwrap_or(f64::MAX),
                limit,
            );
        }
        if let Some(limit) = map.get("multipleOf").filter(|l| l.is_number()) {
            let m = limit.as_f64().unwrap_or(1.0);
            let ok = m <= 0.0 || {
                let q = x / m;
                (q - q.round()).abs() <= 1e-9 * q.abs().max(1.0)
            };
            bound(self, "multipleOf", ok, limit);
        }
        valid
    }

    fn string(&mut self, map: &Map<String, Value>, s: &str, path: &[String]) -> bool {
        let mut valid = true;
        let len = s.chars().count() as u64;
        if let Some(limit) = map.get("minLength") {
            if limit.as_u64().is_some_and(|m| len < m) {
                valid = self.fail(
                    path,
                    Kind::Bound {
                        keyword: "minLength",
                        limit: limit.clone(),
                    },
                );
            }
        }
        if let Some(limit) = map.get("maxLength") {
            if limit.as_u64().is_some_and(|m| len > m) {
                valid = self.fail(
                    path,
                    Kind::Bound {
                        keyword: "maxLength",
                        limit: limit.clone(),
                    },
                );
            }
        }
        if let Some(Value::String(pattern)) = map.get("pattern") {
            match self.v.matches(pattern, s) {
                Some(true) => {}
                Some(false) => {
                    valid = self.fail(
                        path,
                        Kind::Pattern {
                            pattern: pattern.clone(),
                        },
                    )
                }
                None => {
                    valid = self.fail(
                        path,
                        Kind::BadSchema {
                            reason: format!("`{pattern}` is not an ECMA-262 regular expression"),
                        },
                    )
                }
            }
        }
        if let Some(Value::String(name)) = map.get("format") {
            if !format::is_valid(name, s) {
                valid = self.fail(
                    path,
                    Kind::Format {
                        format: name.clone(),
                    },
                );
            }
        }
        valid
    }

    fn array(
        &mut self,
        map: &'s Map<String, Value>,
        items: &[Value],
        path: &mut Vec<String>,
        depth: usize,
    ) -> bool {
        let mut valid = true;
        for (keyword, ok) in [
            (
                "minItems",
                map.get("minItems")
                    .and_then(Value::as_u64)
                    .is_none_or(|m| items.len() as u64 >= m),
            ),
            (
                "maxItems",
                map.get("maxItems")
                    .and_then(Value::as_u64)
                    .is_none_or(|m| items.len() as u64 <= m),
            ),
        ] {
            if !ok {
                valid = self.fail(
                    path,
                    Kind::Bound {
                        keyword,
                        limit: map[keyword].clone(),
                    },
                );
                if !self.collect {
                    return false;
                }
            }
        }
        if map.get("uniqueItems") == Some(&Value::Bool(true)) {
            let repeated = (0..items.len())
                .any(|i| (i + 1..items.len()).any(|j| json_equal(&items[i], &items[j])));
            if repeated {
                valid = self.fail(path, Kind::UniqueItems);
                if !self.collect {
                    return false;
                }
            }
        }
        // Positional schemas: `items` as an array (draft-07) or
        // `prefixItems`; the rest by `additionalItems` (or, after
        // `prefixItems`, `items`).
        let (positional, rest) = match (map.get("prefixItems"), map.get("items")) {
            (Some(Value::Array(prefix)), rest) => (Some(prefix), rest),
            (_, Some(Value::Array(tuple))) => (Some(tuple), map.get("additionalItems")),
            (_, items) => (None, items),
        };
        let skip = positional.map_or(0, Vec::len);
        if let Some(schemas) = positional {
            for (i, (schema, item)) in schemas.iter().zip(items).enumerate() {
                path.push(i.to_string());
                let ok = self.check(schema, item, path, depth + 1);
                path.pop();
                if !ok {
                    valid = false;
                    if !self.collect {
                        return false;
                    }
                }
            }
        }
        if let Some(rest) = rest {
            if rest == &Value::Bool(false) && items.len() > skip {
                valid = self.fail(
                    path,
                    Kind::Bound {
                        keyword: "maxItems",
                        limit: skip.into(),
                    },
                );
                if !self.collect {
                    return false;
                }
            } else {
                for (i, item) in items.iter().enumerate().skip(skip) {
                    path.push(i.to_string());
                    let ok = self.check(rest, item, path, depth + 1);
                    path.pop();
                    if !ok {
                        valid = false;
                        if !self.collect {
                            return false;
                        }
                    }
                }
            }
        }
        if let Some(contains) = map.get("contains") {
            if !items
                .iter()
                .any(|i| self.v.is_valid(contains, i, depth + 1))
            {
                valid = self.fail(path, Kind::Contains);
            }
        }
        valid
    }

    fn object(
        &mut self,
        map: &'s Map<String, Value>,
        members: &Map<String, Value>,
        path: &mut Vec<String>,
        depth: usize,
    ) -> bool {
        let mut valid = true;
        if let Some(Value::Array(required)) = map.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if !members.contains_key(name) {
                    valid = self.fail(
                        path,
                        Kind::Required {
                            property: name.to_string(),
                        },
                    );
                    if !self.collect {
                        return false;
                    }
                }
            }
        }
        for (keyword, count) in [
            ("minProperties", members.len()),
            ("maxProperties", members.len()),
        ] {
            if let Some(limit) = map.get(keyword).and_then(Value::as_u64) {
                let ok = if keyword == "minProperties" {
                    count as u64 >= limit
                } else {
                    count as u64 <= limit
                };
                if !ok {
                    valid = self.fail(
                        path,
                        Kind::Bound {
                            keyword,
                            limit: limit.into(),
                        },
                    );
                    if !self.collect {
                        return false;
                    }
                }
            }
        }
        if let Some(Value::Object(dependencies)) = map.get("dependencies") {
            for (name, dependency) in dependencies {
                if !members.contains_key(name) {
                    continue;
                }
                match dependency {
                    Value::Array(needed) => {
                        for need in needed.iter().filter_map(Value::as_str) {
                            if !members.contains_key(need) {
                                valid = self.fail(
                                    path,
                                    Kind::Dependency {
                                        property: name.clone(),
                                        requires: need.to_string(),
                                    },
                                );
                                if !self.collect {
                                    return false;
                                }
                            }
                        }
                    }
                    schema => {
                        let object = Value::Object(members.clone());
                        if !self.check(schema, &object, path, depth + 1) {
                            valid = false;
                            if !self.collect {
                                return false;
                            }
                        }
                    }
                }
            }
        }
        let properties = map.get("properties").and_then(Value::as_object);
        let patterns = map.get("patternProperties").and_then(Value::as_object);
        let additional = map.get("additionalProperties");
        let names = map.get("propertyNames");
        for (name, member) in members {
            path.push(name.clone());
            let mut matched = false;
            if let Some(schema) = properties.and_then(|p| p.get(name)) {
                matched = true;
                if !self.check(schema, member, path, depth + 1) {
                    valid = false;
                }
            }
            for (pattern, schema) in patterns.into_iter().flatten() {
                if self.v.matches(pattern, name) == Some(true) {
                    matched = true;
                    if !self.check(schema, member, path, depth + 1) {
                        valid = false;
                    }
                }
            }
            if !matched {
                match additional {
                    Some(Value::Bool(false)) => {
                        let known = properties
                            .map(|p| p.keys().cloned().collect())
                            .unwrap_or_default();
                        let extensions =
                            patterns.is_some_and(|p| p.keys().any(|k| k.contains("x-")));
                        valid = self.fail(path, Kind::Unexpected { known, extensions });
                    }
                    Some(schema) if !self.check(schema, member, path, depth + 1) => {
                        valid = false;
                    }
                    _ => {}
                }
            }
            if let Some(names) = names {
                let failures = self.v.failures(
                    names,
                    &Value::String(name.clone()),
                    &mut Vec::new(),
                    depth + 1,
                );
                if !failures.is_empty() {
                    valid = self.fail(path, Kind::PropertyName { failures });
                }
            }
            path.pop();
            if !valid && !self.collect {
                return false;
            }
        }
        valid
    }

    fn combinators(
        &mut self,
        map: &'s Map<String, Value>,
        instance: &Value,
        path: &mut Vec<String>,
        depth: usize,
    ) -> bool {
        let mut valid = true;
        if let Some(Value::Array(all)) = map.get("allOf") {
            for schema in all {
                if !self.check(schema, instance, path, depth + 1) {
                    valid = false;
                    if !self.collect {
                        return false;
                    }
                }
            }
        }
        if let Some(Value::Array(any)) = map.get("anyOf") {
            if !any.iter().any(|s| self.v.is_valid(s, instance, depth + 1)) {
                let branches = if self.collect {
                    any.iter()
                        .map(|s| self.v.failures(s, instance, path, depth + 1))
                        .collect()
                } else {
                    Vec::new()
                };
                valid = self.fail(path, Kind::AnyOf { branches });
                if !self.collect {
                    return false;
                }
            }
        }
        if let Some(Value::Array(one)) = map.get("oneOf") {
            let matched: Vec<usize> = (0..one.len())
                .filter(|&i| self.v.is_valid(&one[i], instance, depth + 1))
                .collect();
            if matched.is_empty() {
                let branches = if self.collect {
                    one.iter()
                        .map(|s| self.v.failures(s, instance, path, depth + 1))
                        .collect()
                } else {
                    Vec::new()
                };
                valid = self.fail(path, Kind::OneOfNone { branches });
            } else if matched.len() > 1 {
                valid = self.fail(path, Kind::OneOfMany { matched });
            }
            if !valid && !self.collect {
                return false;
            }
        }
        if let Some(not) = map.get("not") {
            if self.v.is_valid(not, instance, depth + 1) {
                valid = self.fail(path, Kind::Not);
                if !self.collect {
                    return false;
                }
            }
        }
        if let Some(condition) = map.get("if") {
            let branch = if self.v.is_valid(condition, instance, depth + 1) {
                map.get("then")
            } else {
                map.get("else")
            };
            if let Some(branch) = branch {
                if !self.check(branch, instance, path, depth + 1) {
                    valid = false;
                }
            }
        }
        valid
    }
}

/// Whether `instance` is of the type(s) `types` names.
fn type_matches(types: &Value, instance: &Value) -> bool {
    let one = |t: &str| match t {
        "object" => instance.is_object(),
        "array" => instance.is_array(),
        "string" => instance.is_string(),
        "boolean" => instance.is_boolean(),
        "null" => instance.is_null(),
        "number" => instance.is_number(),
        "integer" => is_integer(instance),
        // An unknown type name allows nothing; the meta-schema says so.
        _ => false,
    };
    match types {
        Value::String(t) => one(t),
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).any(one),
        _ => true,
    }
}

/// Whether a value is an integer (a number without a fractional part).
pub fn is_integer(value: &Value) -> bool {
    match value {
        Value::Number(n) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

/// Equality as JSON Schema defines it: numbers by value (`1` equals `1.0`).
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                x == y
            } else if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                x == y
            } else {
                x.as_f64() == y.as_f64()
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn failures(schema: Value, instance: Value) -> Vec<Failure> {
        Validator::new(&schema).validate(&instance)
    }

    fn valid(schema: Value, instance: Value) -> bool {
        failures(schema, instance).is_empty()
    }

    #[test]
    fn types_and_values() {
        assert!(valid(json!({"type": "integer"}), json!(3.0)));
        assert!(!valid(json!({"type": "integer"}), json!(3.5)));
        assert!(valid(json!({"type": ["string", "null"]}), json!(null)));
        assert!(valid(json!({"enum": [1, "a"]}), json!(1.0)));
        assert!(!valid(json!({"const": {"a": [1]}}), json!({"a": [2]})));
        assert!(valid(
            json!({"minimum": 1, "exclusiveMaximum": 3}),
            json!(2)
        ));
        assert!(!valid(
            json!({"minimum": 1, "exclusiveMinimum": true}),
            json!(1)
        ));
        assert!(valid(json!({"multipleOf": 0.1}), json!(0.3)));
        assert!(!valid(json!({"maxLength": 2}), json!("é!!")));
        assert!(valid(
            json!({"pattern": "^x-[\\w\\d\\.\\x2d_]+$"}),
            json!("x-a.b-c")
        ));
        assert!(!valid(json!({"pattern": "^a"}), json!("ba")));
        assert!(valid(
            json!({"format": "uri"}),
            json!("https://example.com/a?b#c")
        ));
        assert!(!valid(json!({"format": "uri"}), json!("not a uri")));
    }

    #[test]
    fn objects_arrays_and_references() {
        let schema = json!({
            "type": "object",
            "required": ["a"],
            "properties": {"a": {"$ref": "#/definitions/n"}},
            "patternProperties": {"^x-": {}},
            "additionalProperties": false,
            "definitions": {"n": {"type": "number"}}
        });
        assert!(valid(schema.clone(), json!({"a": 1, "x-b": true})));
        let f = failures(schema.clone(), json!({"b": 1}));
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(
            f[0].kind,
            Kind::Required {
                property: "a".into()
            }
        );
        assert_eq!(f[1].path, ["b"]);
        assert!(matches!(
            f[1].kind,
            Kind::Unexpected {
                extensions: true,
                ..
            }
        ));
        let f = failures(schema, json!({"a": "s"}));
        assert_eq!(f[0].path, ["a"]);
        assert_eq!(
            f[0].kind,
            Kind::Type {
                expected: vec!["number".into()]
            }
        );
        let tuple = json!({"prefixItems": [{"type": "integer"}, {"const": "t"}], "items": false});
        assert!(valid(tuple.clone(), json!([1, "t"])));
        assert!(!valid(tuple.clone(), json!([1, "t", 3])));
        assert_eq!(failures(tuple, json!([1, "u"]))[0].path, ["1"]);
        assert!(valid(
            json!({"items": [{"type": "integer"}], "additionalItems": {"type": "string"}}),
            json!([1, "a"])
        ));
        assert!(!valid(json!({"uniqueItems": true}), json!([1, 1.0])));
        assert!(!valid(json!({"contains": {"const": 2}}), json!([1])));
        assert!(!valid(
            json!({"dependencies": {"a": ["b"]}}),
            json!({"a": 1})
        ));
        assert!(!valid(
            json!({"propertyNames": {"maxLength": 1}}),
            json!({"ab": 1})
        ));
        assert!(matches!(
            failures(json!({"$ref": "#/nowhere"}), json!(1))[0].kind,
            Kind::BadSchema { .. }
        ));
        assert!(
            !valid(json!({"$ref": "#"}), json!(1)),
            "endless recursion is reported"
        );
    }

    #[test]
    fn combinators_keep_their_branches() {
        let schema = json!({"oneOf": [{"type": "string"}, {"required": ["a"]}]});
        let f = failures(schema.clone(), json!({"b": 1}));
        match &f[0].kind {
            Kind::OneOfNone { branches } => {
                assert_eq!(branches.len(), 2);
                assert!(matches!(branches[0][0].kind, Kind::Type { .. }));
                assert_eq!(
                    branches[1][0].kind,
                    Kind::Required {
                        property: "a".into()
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            failures(json!({"oneOf": [{}, {"type": "number"}]}), json!(1))[0].kind,
            Kind::OneOfMany { .. }
        ));
        assert!(valid(
            json!({"anyOf": [{}, {"type": "number"}]}),
            json!("s")
        ));
        assert!(!valid(json!({"not": {"type": "string"}}), json!("s")));
        let conditional =
            json!({"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": false});
        assert!(valid(conditional.clone(), json!({"a": 1, "b": 2})));
        assert!(!valid(conditional.clone(), json!({"a": 1})));
        assert!(!valid(conditional, json!({})));
    }
}
