//! Turning failures into one message: pick the most specific failure (the
//! branch of a `oneOf`/`anyOf` the instance was meant to match, not "none
//! of the alternatives") and say what is wrong in plain words.

use super::failure::{Failure, Kind};
use serde_json::Value;

/// The failure to show first: the first of `failures`, refined into the
/// branch of a `oneOf`/`anyOf` that `instance` comes closest to matching.
pub(crate) fn best<'f>(failures: &'f [Failure], instance: &Value) -> Option<&'f Failure> {
    failures.first().map(|f| refine(f, instance))
}

fn refine<'f>(failure: &'f Failure, instance: &Value) -> &'f Failure {
    match &failure.kind {
        Kind::OneOfNone { branches } | Kind::AnyOf { branches } => {
            match intended(&failure.path, branches, instance) {
                Some(branch) => best(branch, instance).unwrap_or(failure),
                None => failure,
            }
        }
        _ => failure,
    }
}

/// The branch that the value at `path` was most likely written for.
fn intended<'f>(
    path: &[String],
    branches: &'f [Vec<Failure>],
    instance: &Value,
) -> Option<&'f Vec<Failure>> {
    let members = value_at(instance, path)
        .and_then(Value::as_object)
        .map_or(0, serde_json::Map::len);
    let scored: Vec<_> = branches
        .iter()
        .filter(|b| !b.is_empty())
        .map(|b| (score(path, b, members), b))
        .collect();
    let top = scored.iter().map(|(s, _)| *s).max()?;
    let mut best = scored.iter().filter(|(s, _)| *s == top);
    let (_, branch) = best.next()?;
    // A tie says nothing about which form was meant.
    (top.0 > 0 && best.next().is_none()).then_some(*branch)
}

/// How well a branch fits, higher is better: its rank (0: the value is not
/// even of the branch's type, or the branch is a `$ref` alternative; 1: a
/// discriminating value differs; 2: otherwise), the members of the value
/// the branch knows, fewer failures, deeper failures. A branch that is
/// itself a choice (a `oneOf` in a `oneOf`) fits as well as its best
/// alternative.
fn score(path: &[String], failures: &[Failure], members: usize) -> (u8, usize, i64, usize) {
    if let [Failure {
        path: at,
        kind: Kind::OneOfNone { branches } | Kind::AnyOf { branches },
    }] = failures
    {
        if at.as_slice() == path {
            if let Some(best) = branches
                .iter()
                .filter(|b| !b.is_empty())
                .map(|b| score(path, b, members))
                .max()
            {
                return best;
            }
        }
    }
    let here = |f: &&Failure| f.path.as_slice() == path;
    let wrong_kind = failures.iter().filter(here).any(|f| {
        matches!(&f.kind, Kind::Type { .. } | Kind::False)
            || matches!(&f.kind, Kind::Required { property } if property == "$ref")
    });
    let child = |f: &Failure| f.path.len() == path.len() + 1 && f.path.starts_with(path);
    let value_differs = failures.iter().any(|f| {
        matches!(f.kind, Kind::Const { .. } | Kind::Enum { .. }) && (here(&f) || child(f))
    });
    let rank = if wrong_kind {
        0
    } else if value_differs {
        1
    } else {
        2
    };
    let unexpected = failures
        .iter()
        .filter(|f| child(f) && matches!(f.kind, Kind::Unexpected { .. }))
        .count();
    let depth = failures.iter().map(|f| f.path.len()).max().unwrap_or(0);
    (
        rank,
        members.saturating_sub(unexpected),
        -(failures.len() as i64),
        depth,
    )
}

/// The value at `path` in `instance`.
pub(crate) fn value_at<'v>(instance: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(instance, |value, token| match value {
        Value::Object(map) => map.get(token),
        Value::Array(items) => items.get(token.parse::<usize>().ok()?),
        _ => None,
    })
}

/// What is wrong, in plain words, for a failure of `instance`.
pub(crate) fn describe(failure: &Failure, instance: &Value) -> String {
    let value = value_at(instance, &failure.path);
    let found = value.map_or_else(|| "nothing".to_string(), shown);
    let name = failure.path.last().cloned().unwrap_or_default();
    match &failure.kind {
        Kind::Type { expected } => {
            let expected: Vec<String> = expected.iter().map(|t| type_phrase(t)).collect();
            format!("must be {}, found {found}", or_list(&expected))
        }
        Kind::Enum { allowed } => {
            let allowed: Vec<String> = allowed.iter().map(|v| format!("`{v}`")).collect();
            if allowed.len() == 1 {
                format!("must be {}, found {found}", allowed[0])
            } else {
                format!("must be one of {}, found {found}", or_list(&allowed))
            }
        }
        Kind::Const { expected } => format!("must be `{expected}`, found {found}"),
        Kind::Required { property } => format!("the required field `{property}` is missing"),
        Kind::Unexpected { known, extensions } => {
            let mut allowed: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            if *extensions {
                allowed.push("extensions named `x-…`".to_string());
            }
            if allowed.is_empty() {
                format!("`{name}` is not allowed here")
            } else {
                let typo = crate::names::closest(&name, known.iter().map(String::as_str))
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                format!(
                    "`{name}` is not a field allowed here{typo} (allowed: {})",
                    allowed.join(", ")
                )
            }
        }
        Kind::False => "no value is allowed here".to_string(),
        Kind::Pattern { pattern } => format!("{found} does not match the pattern `{pattern}`"),
        Kind::Format { format } => format!("{found} is not a valid `{format}`"),
        Kind::Bound { keyword, limit } => bound(keyword, limit, value, &found),
        Kind::UniqueItems => "must not repeat items, but some items are equal".to_string(),
        Kind::Contains => "has no item of the kind `contains` asks for".to_string(),
        Kind::PropertyName { failures } => {
            let why = failures
                .first()
                .map(|f| describe(f, &Value::String(name.clone())))
                .unwrap_or_default();
            format!("the name `{name}` is not allowed: it {why}")
        }
        Kind::Not => format!("{found} is of a kind that is excluded here (`not`)"),
        Kind::OneOfNone { branches } | Kind::AnyOf { branches } => {
            match required_alternatives(&failure.path, branches) {
                Some(fields) => {
                    let how = if matches!(failure.kind, Kind::AnyOf { .. }) {
                        "at least one"
                    } else {
                        "exactly one"
                    };
                    format!("must have {how} of the fields {}", or_list(&fields))
                }
                None => format!(
                    "{found} matches none of the {} forms allowed here",
                    branches.len()
                ),
            }
        }
        Kind::OneOfMany { matched } => {
            let forms: Vec<String> = matched.iter().map(|i| (i + 1).to_string()).collect();
            format!(
                "{found} matches more than one of the forms allowed here (forms {}), but must match exactly one",
                forms.join(" and ")
            )
        }
        Kind::Other { message } => message.clone(),
    }
}

/// The fields of alternatives that each only require a field (`anyOf:
/// [{required: [payload]}, {required: [headers]}]`), when they are that.
fn required_alternatives(path: &[String], branches: &[Vec<Failure>]) -> Option<Vec<String>> {
    branches
        .iter()
        .map(|branch| match branch.as_slice() {
            [Failure {
                path: at,
                kind: Kind::Required { property },
            }] if at.as_slice() == path => Some(format!("`{property}`")),
            _ => None,
        })
        .collect()
}

fn bound(keyword: &str, limit: &Value, value: Option<&Value>, found: &str) -> String {
    let count = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.chars().count(),
        Some(Value::Array(a)) => a.len(),
        Some(Value::Object(o)) => o.len(),
        _ => 0,
    };
    match keyword {
        "minLength" => format!(
            "must be at least {limit} characters long, found {} ({found})",
            count(value)
        ),
        "maxLength" => format!(
            "must be at most {limit} characters long, found {} ({found})",
            count(value)
        ),
        "minimum" => format!("must be at least {limit}, found {found}"),
        "maximum" => format!("must be at most {limit}, found {found}"),
        "exclusiveMinimum" => format!("must be greater than {limit}, found {found}"),
        "exclusiveMaximum" => format!("must be less than {limit}, found {found}"),
        "multipleOf" => format!("must be a multiple of {limit}, found {found}"),
        "minItems" => format!("must have at least {limit} items, found {}", count(value)),
        "maxItems" => format!("must have at most {limit} items, found {}", count(value)),
        "minProperties" => format!("must have at least {limit} members, found {}", count(value)),
        "maxProperties" => format!("must have at most {limit} members, found {}", count(value)),
        other => format!("breaks `{other}: {limit}`, found {found}"),
    }
}

fn type_phrase(t: &str) -> String {
    match t {
        "object" => "an object (a mapping)".to_string(),
        "array" => "an array (a sequence)".to_string(),
        "string" => "a string".to_string(),
        "integer" => "an integer".to_string(),
        "number" => "a number".to_string(),
        "boolean" => "a boolean".to_string(),
        "null" => "null".to_string(),
        other => format!("of type `{other}`"),
    }
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => "nothing".to_string(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// A short rendering of a value for messages.
fn shown(value: &Value) -> String {
    const MAX: usize = 60;
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => {
            let text = Value::String(s.clone()).to_string();
            if text.chars().count() > MAX {
                let cut: String = text.chars().take(MAX).collect();
                format!("the string {cut}…\"")
            } else {
                format!("the string {text}")
            }
        }
        Value::Array(items) => format!("an array of {} items", items.len()),
        Value::Object(map) if map.is_empty() => "an empty object".to_string(),
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().take(5).map(|k| format!("`{k}`")).collect();
            let more = if map.len() > 5 { ", …" } else { "" };
            format!("an object with {}{more}", keys.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::failure::Checker;
    use serde_json::json;

    fn message(schema: Value, instance: Value) -> (Vec<String>, String) {
        let failures = Checker::new(schema).unwrap().failures(&instance);
        let best = best(&failures, &instance).expect("a failure");
        (best.path.clone(), describe(best, &instance))
    }

    #[test]
    fn picks_the_branch_the_value_was_written_for() {
        let schema = json!({
            "definitions": {
                "Reference": {"type": "object", "required": ["$ref"], "properties": {"$ref": {"type": "string"}}},
                "list": {"type": "object", "required": ["oneOf"], "additionalProperties": false,
                         "properties": {"oneOf": {"type": "array"}}},
                "server": {"type": "object", "required": ["host", "protocol"], "additionalProperties": false,
                           "properties": {"host": {"type": "string"}, "protocol": {"type": "string"}, "description": {}}},
                "key": {"type": "object", "required": ["type", "name"],
                        "properties": {"type": {"const": "httpApiKey"}, "name": {"type": "string"}}},
                "basic": {"type": "object", "required": ["type"], "properties": {"type": {"const": "http"}}}
            },
            "properties": {
                "s": {"oneOf": [{"$ref": "#/definitions/Reference"},
                                {"oneOf": [{"$ref": "#/definitions/list"}, {"$ref": "#/definitions/server"}]}]},
                "k": {"oneOf": [{"$ref": "#/definitions/basic"}, {"$ref": "#/definitions/key"}]}
            }
        });
        let (path, text) = message(
            schema.clone(),
            json!({"s": {"url": "x", "protocol": "mqtt"}}),
        );
        assert_eq!(path, ["s"]);
        assert_eq!(text, "the required field `host` is missing");
        let (path, text) = message(
            schema.clone(),
            json!({"s": {"host": 1, "protocol": "mqtt"}}),
        );
        assert_eq!(path, ["s", "host"]);
        assert_eq!(text, "must be a string, found the number 1");
        let (path, text) = message(schema, json!({"k": {"type": "httpApiKey"}}));
        assert_eq!(path, ["k"]);
        assert_eq!(text, "the required field `name` is missing");
    }

    #[test]
    fn says_what_is_wrong() {
        let (path, text) = message(
            json!({"additionalProperties": false, "properties": {"a": {}}, "patternProperties": {"^x-": {}}}),
            json!({"b": 1}),
        );
        assert_eq!(path, ["b"]);
        assert_eq!(
            text,
            "`b` is not a field allowed here (allowed: `a`, extensions named `x-…`)"
        );
        assert_eq!(
            message(json!({"enum": ["send", "receive"]}), json!("reply")).1,
            "must be one of `\"send\"` or `\"receive\"`, found the string \"reply\""
        );
        assert_eq!(
            message(json!({"format": "uri"}), json!("no uri")).1,
            "the string \"no uri\" is not a valid `uri`"
        );
        assert_eq!(
            message(json!({"minItems": 2}), json!([1])).1,
            "must have at least 2 items, found 1"
        );
        assert_eq!(
            message(
                json!({"anyOf": [{"required": ["payload"]}, {"required": ["headers"]}]}),
                json!({"name": "x"})
            ),
            (
                vec![],
                "must have at least one of the fields `payload` or `headers`".to_string()
            )
        );
    }
}
