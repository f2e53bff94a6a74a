//! A payload schema as a readable table for the docs page: one row per
//! member (`payload/message`, `mentions[]`, tuple positions `[0]`), with
//! its type, whether it is required, its constraints and its description
//! (CommonMark, like every description of the page).
//! References are followed through the model's schema set; a schema that
//! contains itself is named, not expanded again.

use super::html::escape;
use super::markdown;
use crate::ir::{json_kind, Schemas};
use serde_json::Value;
use std::fmt::Write;

/// How deep the table goes into nested members.
const MAX_DEPTH: usize = 12;

/// Keywords shown as constraints, with their labels.
const CONSTRAINTS: &[(&str, &str)] = &[
    ("minLength", "min length"),
    ("maxLength", "max length"),
    ("pattern", "pattern"),
    ("format", "format"),
    ("minimum", "≥"),
    ("exclusiveMinimum", ">"),
    ("maximum", "≤"),
    ("exclusiveMaximum", "<"),
    ("multipleOf", "multiple of"),
    ("minItems", "min items"),
    ("maxItems", "max items"),
    ("uniqueItems", "unique items"),
    ("minProperties", "min members"),
    ("maxProperties", "max members"),
    ("default", "default"),
];

/// One row of the table.
struct Row {
    path: String,
    kind: String,
    required: bool,
    constraints: Vec<String>,
    description: String,
}

/// The schema definition `def` of `schemas` as an HTML table.
pub(super) fn table(schemas: &Schemas, def: usize) -> String {
    let mut rows = Vec::new();
    let mut walker = Walker {
        schemas,
        seen: vec![def],
        rows: &mut rows,
    };
    walker.walk(&schemas.defs[def].schema, "", true, 0);
    let mut out = String::from(
        "<table class=\"schema\"><thead><tr><th>Member</th><th>Type</th><th>Required</th><th>Constraints</th><th>Description</th></tr></thead><tbody>",
    );
    for row in rows {
        let path = if row.path.is_empty() {
            "(payload)".to_string()
        } else {
            row.path
        };
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&path),
            escape(&row.kind),
            if row.required { "yes" } else { "" },
            row.constraints
                .iter()
                .map(|c| format!("<code>{}</code>", escape(c)))
                .collect::<Vec<_>>()
                .join(" "),
            markdown::to_html(&row.description),
        );
    }
    out.push_str("</tbody></table>");
    out
}

struct Walker<'a> {
    schemas: &'a Schemas,
    /// The definitions being expanded (to name recursion instead).
    seen: Vec<usize>,
    rows: &'a mut Vec<Row>,
}

impl Walker<'_> {
    fn walk(&mut self, schema: &Value, path: &str, required: bool, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        if let Some(def) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| self.schemas.target(r))
        {
            if self.seen.contains(&def) {
                self.rows.push(Row {
                    path: path.to_string(),
                    kind: format!("{} (recursive)", self.schemas.defs[def].name),
                    required,
                    constraints: Vec::new(),
                    description: String::new(),
                });
                return;
            }
            self.seen.push(def);
            let target = &self.schemas.defs[def].schema;
            self.walk(target, path, required, depth);
            self.seen.pop();
            return;
        }
        let Some(map) = schema.as_object() else {
            if schema == &Value::Bool(false) {
                self.row(path, "nothing", required, schema);
            }
            return;
        };
        // `allOf` parts describe the same value: their members are listed
        // under the same path.
        if let Some(parts) = map.get("allOf").and_then(Value::as_array) {
            for part in parts {
                self.walk(part, path, required, depth + 1);
            }
        }
        let kind = kind_of(schema);
        let wrapper = kind.is_empty() && map.contains_key("allOf");
        if !wrapper && (!path.is_empty() || kind != "object") {
            let kind = if kind.is_empty() { "any" } else { &kind };
            self.row(path, kind, required, schema);
        }
        for keyword in ["oneOf", "anyOf"] {
            if let Some(options) = map.get(keyword).and_then(Value::as_array) {
                for (i, option) in options.iter().enumerate() {
                    let label = format!("{path} ‹option {}›", i + 1);
                    self.walk(option, label.trim_start(), required, depth + 1);
                }
            }
        }
        let required_members: Vec<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if let Some(properties) = map.get("properties").and_then(Value::as_object) {
            for (name, member) in properties {
                let member_path = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                let required = required_members.contains(&name.as_str());
                self.walk(member, &member_path, required, depth + 1);
            }
        }
        match map.get("items") {
            Some(Value::Array(positions)) => {
                for (i, position) in positions.iter().enumerate() {
                    self.walk(position, &format!("{path}[{i}]"), true, depth + 1);
                }
            }
            Some(items) => self.walk(items, &format!("{path}[]"), false, depth + 1),
            None => {}
        }
        if let Some(Value::Array(positions)) = map.get("prefixItems") {
            for (i, position) in positions.iter().enumerate() {
                self.walk(position, &format!("{path}[{i}]"), true, depth + 1);
            }
        }
        if let Some(values) = map.get("additionalProperties").filter(|v| v.is_object()) {
            self.walk(values, &format!("{path}.*"), false, depth + 1);
        }
    }

    fn row(&mut self, path: &str, kind: &str, required: bool, schema: &Value) {
        let mut constraints = Vec::new();
        if let Some(value) = schema.get("const") {
            constraints.push(format!("= {value}"));
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            let values: Vec<String> = values.iter().map(Value::to_string).collect();
            constraints.push(format!("one of {}", values.join(", ")));
        }
        for (keyword, label) in CONSTRAINTS {
            match schema.get(*keyword) {
                Some(Value::String(text)) => constraints.push(format!("{label} {text}")),
                Some(Value::Bool(true)) if *keyword == "uniqueItems" => {
                    constraints.push((*label).into())
                }
                Some(value) if !value.is_boolean() => constraints.push(format!("{label} {value}")),
                _ => {}
            }
        }
        if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
            constraints.push("no other members".into());
        }
        let description = ["description", "title"]
            .iter()
            .find_map(|k| schema.get(*k).and_then(Value::as_str))
            .unwrap_or("")
            .trim()
            .to_string();
        self.rows.push(Row {
            path: path.to_string(),
            kind: kind.to_string(),
            required,
            constraints,
            description,
        });
    }
}

/// A schema's type as a short phrase: `string`, `integer | null`,
/// `array`, `one of 2`, or empty when it says none.
fn kind_of(schema: &Value) -> String {
    let mut kind = match schema.get("type") {
        Some(Value::String(ty)) => ty.clone(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => String::new(),
    };
    for keyword in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(keyword).and_then(Value::as_array) {
            let phrase = format!("one of {} shapes", options.len());
            kind = if kind.is_empty() {
                phrase
            } else {
                format!("{kind}, {phrase}")
            };
        }
    }
    if kind.is_empty() {
        if schema.get("properties").is_some() {
            kind = "object".into();
        } else if schema.get("items").is_some() {
            kind = "array".into();
        } else if let Some(value) = schema.get("const") {
            kind = json_kind(value).into();
        } else if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            let mut kinds: Vec<&str> = values.iter().map(json_kind).collect();
            kinds.dedup();
            kind = kinds.join(" | ");
        }
    }
    kind
}
