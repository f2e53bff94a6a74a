//! Warnings about what a document gets wrong without stopping generation:
//! message examples that do not fit their own payload or headers schema,
//! and schemas that no value can satisfy. Real documents have such
//! mistakes; users should hear of them, with the place. They are found
//! while the model is built, against the documents themselves.

use super::{Api, Message, SchemaDialect};
use crate::error::{Location, Result, Warning};
use crate::spec::Documents;
use crate::spec::{report, Checker};
use serde_json::Value;
use std::collections::HashSet;

/// Every warning about the messages of `api`.
pub(super) fn check(docs: &Documents, api: &Api) -> Result<Vec<Warning>> {
    let mut warnings = Vec::new();
    let mut seen = HashSet::new();
    for message in &api.messages {
        for (part, schema, dialect) in [
            ("payload", &message.payload, message.payload_dialect),
            ("headers", &message.headers, message.headers_dialect),
        ] {
            let Some(schema) = schema else { continue };
            examples(docs, message, part, schema, dialect, &mut warnings)?;
            unsatisfiable(docs, schema, &mut seen, &mut warnings)?;
        }
    }
    Ok(warnings)
}

/// Warns about each example of `message` whose `part` (`payload` or
/// `headers`) does not fit the schema at `schema`.
fn examples(
    docs: &Documents,
    message: &Message,
    part: &str,
    schema: &Location,
    dialect: SchemaDialect,
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    let values: Vec<(usize, &Value)> = message
        .examples
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let value = if part == "payload" {
                e.payload.as_ref()
            } else {
                e.headers.as_ref()
            };
            value.map(|v| (i, v))
        })
        .collect();
    if values.is_empty() {
        return Ok(());
    }
    let mut bundle = docs.bundle(schema)?;
    if dialect == SchemaDialect::OpenApi3 {
        crate::openapi::bundle_to_json_schema(&mut bundle);
    }
    let checker = match Checker::new(bundle) {
        Ok(checker) => checker,
        Err(why) => {
            warnings.push(Warning::at(
                schema,
                format!(
                    "the examples of message `{}` cannot be checked: its {part} schema does not compile ({why})",
                    message.key
                ),
            ));
            return Ok(());
        }
    };
    for (i, value) in values {
        let failures = checker.failures(value);
        let Some(best) = report::best(&failures, value) else {
            continue;
        };
        let example = &message.examples[i];
        let at = best
            .path
            .iter()
            .fold(example.location.join(part), |at, t| at.join(t));
        let name = match &example.name {
            Some(name) => format!("`{name}`"),
            None => format!("#{i}"),
        };
        warnings.push(Warning::at(
            &at,
            format!(
                "example {name} of message `{}` does not fit its {part} schema ({schema}): {}",
                message.key,
                report::describe(best, value)
            ),
        ));
    }
    Ok(())
}

/// Warns about schemas reachable from `schema` that no value satisfies.
fn unsatisfiable(
    docs: &Documents,
    schema: &Location,
    seen: &mut HashSet<Location>,
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    let (at, value) = docs.deref(schema)?;
    if !seen.insert(at.clone()) {
        return Ok(());
    }
    if let Some(why) = super::schemas::unsatisfiable(value) {
        warnings.push(Warning::at(&at, why));
    }
    let Some(map) = value.as_object() else {
        return Ok(());
    };
    for (key, member) in map {
        let member_at = at.join(key);
        match (key.as_str(), member) {
            ("properties" | "patternProperties" | "definitions" | "$defs", Value::Object(m)) => {
                for name in m.keys() {
                    unsatisfiable(docs, &member_at.join(name), seen, warnings)?;
                }
            }
            ("items" | "allOf" | "anyOf" | "oneOf" | "prefixItems", Value::Array(items)) => {
                for i in 0..items.len() {
                    unsatisfiable(docs, &member_at.index(i), seen, warnings)?;
                }
            }
            (
                "items"
                | "additionalItems"
                | "additionalProperties"
                | "not"
                | "contains"
                | "if"
                | "then"
                | "else",
                Value::Object(_),
            ) => unsatisfiable(docs, &member_at, seen, warnings)?,
            _ => {}
        }
    }
    Ok(())
}
