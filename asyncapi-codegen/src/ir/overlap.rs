//! Warnings about messages of one enum that no value tells apart: a frame
//! goes to the first message, in declaration order, whose discriminating
//! tests pass and whose payload schema it fits. When an example of a
//! message would go to one declared before it (`{"action":"join"}` decoded
//! as `Leave`), the document should say what tells them apart.

use super::rules::{Rule, Seg, Test};
use super::{Api, Direction, Message, SchemaDialect};
use crate::error::{Result, Warning};
use crate::spec::{Checker, Documents};
use serde_json::Value;
use std::collections::HashMap;

/// Every warning about examples that an earlier message of their enum
/// would take.
pub(super) fn check(docs: &Documents, api: &Api) -> Result<Vec<Warning>> {
    let mut warnings = Vec::new();
    let mut checkers: HashMap<usize, Option<Checker>> = HashMap::new();
    for channel in &api.channels {
        for direction in [Direction::ClientToServer, Direction::ServerToClient] {
            let messages = channel.messages(direction);
            for (j, &later) in messages.iter().enumerate() {
                let message = &api.messages[later];
                for example in &message.examples {
                    let Some(payload) = &example.payload else {
                        continue;
                    };
                    for &earlier in &messages[..j] {
                        let first = &api.messages[earlier];
                        if !first.rules.iter().all(|rule| passes(rule, payload)) {
                            continue;
                        }
                        let checker = match checkers.get(&earlier) {
                            Some(checker) => checker,
                            None => {
                                let checker = checker_of(docs, first)?;
                                checkers.entry(earlier).or_insert(checker)
                            }
                        };
                        let Some(checker) = checker else { continue };
                        if !checker.failures(payload).is_empty() {
                            continue;
                        }
                        warnings.push(Warning::at(
                            &example.location.join("payload"),
                            format!(
                                "this example of message `{}` ({payload}) would be decoded as message \
                                 `{}`, declared before it on channel `{}`: it passes every test that \
                                 tells `{}` apart and fits its payload schema. Give the messages a \
                                 value that tells them apart (e.g. a `const` on a property both have, \
                                 required)",
                                message.key, first.key, channel.id, first.key
                            ),
                        ));
                        break;
                    }
                }
            }
        }
    }
    Ok(warnings)
}

/// The payload checker of `message`, if it has a payload schema that
/// compiles.
fn checker_of(docs: &Documents, message: &Message) -> Result<Option<Checker>> {
    let Some(schema) = &message.payload else {
        return Ok(None);
    };
    let mut bundle = docs.bundle(schema)?;
    if message.payload_dialect == SchemaDialect::OpenApi3 {
        crate::openapi::bundle_to_json_schema(&mut bundle);
    }
    Ok(Checker::new(bundle).ok())
}

/// The value at `path` in `frame`, if there is one.
fn at<'v>(frame: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    path.iter().try_fold(frame, |value, seg| match seg {
        Seg::Key(key) => value.get(key),
        Seg::Index(i) => value.get(i),
    })
}

/// Whether `frame` passes `rule`.
fn passes(rule: &Rule, frame: &Value) -> bool {
    let value = at(frame, &rule.path);
    let pattern = |p: &str, v: &Value| {
        v.as_str()
            .is_some_and(|s| regress::Regex::new(p).is_ok_and(|r| r.find(s).is_some()))
    };
    match (&rule.test, value) {
        (Test::Kind(kind), Some(v)) => {
            let found = super::json_kind(v);
            found == *kind || (*kind == "number" && found == "integer")
        }
        (Test::Len(n), Some(Value::Array(items))) => items.len() == *n,
        (Test::LenRange(min, max), Some(Value::Array(items))) => {
            items.len() >= *min && max.is_none_or(|max| items.len() <= max)
        }
        (Test::OneOf(values), Some(v)) | (Test::OneOfOrAbsent(values), Some(v)) => {
            values.contains(v)
        }
        (Test::OneOfOrAbsent(_) | Test::PatternOrAbsent(_), None) => true,
        (Test::Pattern(p) | Test::PatternOrAbsent(p), Some(v)) => pattern(p, v),
        (Test::Has(key), Some(Value::Object(map))) => map.contains_key(key),
        (Test::Closed(keys), Some(Value::Object(map))) => map.keys().all(|k| keys.contains(k)),
        _ => false,
    }
}
