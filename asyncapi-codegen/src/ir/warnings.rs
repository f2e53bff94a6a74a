//! Warnings about what a document gets wrong without stopping generation:
//! message examples that do not fit their own payload or headers schema,
//! and schemas that no value can satisfy. Real documents have such
//! mistakes; users should hear of them, with the place. They are found
//! while the model is built, against the documents themselves.

use super::{Api, Message, SchemaDialect};
use crate::error::{Location, Result, Warning};
use crate::spec::Documents;
use crate::validator::{report, Validator};
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
    let validator = Validator::new(&bundle);
    for (i, value) in values {
        let failures = validator.validate(value);
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

#[cfg(test)]
mod tests {
    use crate::ir::{Api, Perspective};
    use crate::spec::Documents;
    use crate::validator::Validator;
    use std::path::{Path, PathBuf};

    fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                files_under(&path, out);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            ) {
                out.push(path);
            }
        }
    }

    /// Our validator and the `jsonschema` crate agree on every message
    /// example of the corpus, checked against its bundled payload schema.
    #[test]
    fn agrees_with_the_jsonschema_crate_on_the_corpus_examples() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
        assert!(corpus.is_dir(), "no corpus at {}", corpus.display());
        let mut files = Vec::new();
        files_under(&corpus, &mut files);
        let (mut compared, mut invalid) = (0, 0);
        let mut disagreements = Vec::new();
        for path in files {
            let Ok(docs) = Documents::load(&path) else {
                continue;
            };
            let Ok(api) = Api::build(&docs, Perspective::Server) else {
                continue;
            };
            for message in &api.messages {
                let Some(schema) = &message.payload else {
                    continue;
                };
                let bundle = docs.bundle(schema).unwrap();
                let theirs = jsonschema::draft7::options()
                    .should_validate_formats(true)
                    .build(&bundle)
                    .unwrap_or_else(|e| panic!("{schema}: {e}"));
                for example in &message.examples {
                    let Some(payload) = &example.payload else {
                        continue;
                    };
                    let ours = Validator::new(&bundle).validate(payload).is_empty();
                    compared += 1;
                    invalid += usize::from(!ours);
                    if ours != theirs.is_valid(payload) {
                        disagreements
                            .push(format!("{}: ours says valid = {ours}", example.location));
                    }
                }
            }
        }
        assert!(
            compared > 150 && invalid > 10,
            "{compared} examples compared, {invalid} invalid"
        );
        assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    }
}
