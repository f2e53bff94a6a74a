//! Calling typify: its panics caught and reported as errors, and its
//! failures located at the smallest schema that causes them.

use crate::error::{Error, ErrorKind, Location, Result};
use serde_json::{Map, Value};
use typify::{TypeSpace, TypeSpaceSettings};

/// One definition handed to typify.
pub(super) struct Definition {
    pub(super) location: Location,
    pub(super) name: String,
    /// The schema as rewritten, as JSON.
    pub(super) json: Value,
    /// The same, as typify reads it.
    pub(super) schema: schemars::schema::Schema,
}

pub(super) fn read_schema(schema: &Value, location: &Location) -> Result<schemars::schema::Schema> {
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
pub(super) fn locate_failure(
    settings: &TypeSpaceSettings,
    defs: &[Definition],
) -> Option<(Location, String)> {
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
pub(super) fn first_line(reason: &str) -> String {
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
pub(super) fn typify_call<T>(
    f: impl FnOnce() -> Result<T, typify::Error>,
) -> std::result::Result<T, String> {
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
}
