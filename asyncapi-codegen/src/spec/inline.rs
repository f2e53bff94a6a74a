//! The document with its `$ref`s replaced by what they point to, as one
//! JSON value, and a map from places in that value back to the file and
//! JSON pointer they came from.
//!
//! The official schemas describe resolved documents (a message where a
//! message is, not a `$ref` that may or may not lead to one), so the
//! document is checked in this form; errors are then reported where the
//! offending part is written, across files.
//!
//! A `$ref` that leads back into the value being inlined (a recursive
//! schema) is left as it is, as is every `$ref` once the inlined value has
//! grown past [`MAX_VALUES`] (documents that reuse parts very many times).

use super::{Documents, DATA_KEYWORDS, NAME_MAPS};
use crate::error::Location;
use serde_json::{Map, Value};

/// How many JSON values the inlined document may hold before `$ref`s are
/// left in place.
const MAX_VALUES: usize = 2_000_000;

/// The inlined document.
pub(crate) struct Inlined {
    /// The document, `$ref`s replaced.
    pub value: Value,
    /// Where each inlined `$ref` target starts in `value` (reference
    /// tokens), and where it came from; a path inside such a place came
    /// from the same place in the target.
    origins: Vec<(Vec<String>, Location)>,
    root: Location,
}

impl Inlined {
    /// Inlines the root document of `docs`.
    pub fn build(docs: &Documents) -> Inlined {
        let root = docs.root();
        let mut builder = Builder {
            docs,
            stack: Vec::new(),
            budget: MAX_VALUES,
            origins: Vec::new(),
        };
        let value = match docs.get(&root) {
            Ok(value) => builder.inline(value, &root, &mut Vec::new(), false),
            Err(_) => Value::Null,
        };
        Inlined {
            value,
            origins: builder.origins,
            root,
        }
    }

    /// The place in the documents that `path` (reference tokens into
    /// [`Inlined::value`]) came from.
    pub fn origin(&self, path: &[String]) -> Location {
        let best = self
            .origins
            .iter()
            .filter(|(start, _)| path.starts_with(start))
            .max_by_key(|(start, _)| start.len());
        let (base, rest) = match best {
            Some((start, location)) => (location.clone(), &path[start.len()..]),
            None => (self.root.clone(), path),
        };
        rest.iter().fold(base, |at, token| at.join(token))
    }

    /// Whether the value at `path` is a `$ref` that was left in place (see
    /// the module documentation).
    pub fn is_reference(&self, path: &[String]) -> bool {
        super::report::value_at(&self.value, path)
            .is_some_and(|v| v.get("$ref").is_some_and(Value::is_string))
    }
}

struct Builder<'d> {
    docs: &'d Documents,
    /// The targets being inlined, innermost last.
    stack: Vec<Location>,
    budget: usize,
    origins: Vec<(Vec<String>, Location)>,
}

impl Builder<'_> {
    /// `value`, found at `at`, with its `$ref`s inlined; `path` is where it
    /// goes in the result. `name_map`: the keys of `value` are names.
    fn inline(
        &mut self,
        value: &Value,
        at: &Location,
        path: &mut Vec<String>,
        name_map: bool,
    ) -> Value {
        self.budget = self.budget.saturating_sub(1);
        match value {
            Value::Object(map) => {
                if map.get("$ref").is_some_and(Value::is_string) && self.budget > 0 {
                    if let Ok((target, target_value)) = self.docs.deref(at) {
                        if !self.stack.contains(&target) {
                            self.origins.push((path.clone(), target.clone()));
                            self.stack.push(target.clone());
                            let inlined = self.inline(target_value, &target, path, false);
                            self.stack.pop();
                            return inlined;
                        }
                    }
                    return value.clone();
                }
                let mut out = Map::new();
                for (key, member) in map {
                    let copied = if !name_map && DATA_KEYWORDS.contains(&key.as_str()) {
                        member.clone()
                    } else {
                        let names = !name_map && NAME_MAPS.contains(&key.as_str());
                        path.push(key.clone());
                        let inlined = self.inline(member, &at.join(key), path, names);
                        path.pop();
                        inlined
                    };
                    out.insert(key.clone(), copied);
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        path.push(i.to_string());
                        let inlined = self.inline(item, &at.index(i), path, false);
                        path.pop();
                        inlined
                    })
                    .collect(),
            ),
            scalar => scalar.clone(),
        }
    }
}
