//! One schema of the documents as a standalone value: the schema with every
//! schema it reaches through `$ref`s (across files, recursion included)
//! under `definitions`, and its `$ref`s rewritten to point there. What a
//! validator needs that knows nothing of files.

use super::{Documents, DATA_KEYWORDS, NAME_MAPS};
use crate::error::{Location, Result};
use indexmap::IndexMap;
use serde_json::{Map, Value};

impl Documents {
    /// The schema at `at` as a standalone schema: `{"$ref":
    /// "#/definitions/s0", "definitions": {...}}`.
    pub fn bundle(&self, at: &Location) -> Result<Value> {
        let mut names: IndexMap<Location, Option<Value>> = IndexMap::new();
        let (root, _) = self.deref(at)?;
        names.insert(root, None);
        let mut next = 0;
        while next < names.len() {
            let (location, _) = names.get_index(next).expect("in range");
            let location = location.clone();
            let value = self.get(&location)?.clone();
            let rewritten = self.rewrite(&value, &location, false, &mut names)?;
            *names.get_index_mut(next).expect("in range").1 = Some(rewritten);
            next += 1;
        }
        let definitions: Map<String, Value> = names
            .into_values()
            .enumerate()
            .map(|(i, schema)| (format!("s{i}"), schema.unwrap_or(Value::Bool(true))))
            .collect();
        Ok(serde_json::json!({
            "$ref": "#/definitions/s0",
            "definitions": definitions,
        }))
    }

    /// `value` (found at `at`) with its `$ref`s pointing into the bundle's
    /// definitions, adding the targets to `names`.
    fn rewrite(
        &self,
        value: &Value,
        at: &Location,
        name_map: bool,
        names: &mut IndexMap<Location, Option<Value>>,
    ) -> Result<Value> {
        Ok(match value {
            Value::Object(map) => {
                if !name_map && map.get("$ref").is_some_and(Value::is_string) {
                    let (target, _) = self.deref(at)?;
                    let index = match names.get_index_of(&target) {
                        Some(index) => index,
                        None => names.insert_full(target, None).0,
                    };
                    return Ok(serde_json::json!({ "$ref": format!("#/definitions/s{index}") }));
                }
                let mut out = Map::new();
                for (key, member) in map {
                    let copied = if !name_map && DATA_KEYWORDS.contains(&key.as_str()) {
                        member.clone()
                    } else {
                        let names_inside = !name_map && NAME_MAPS.contains(&key.as_str());
                        self.rewrite(member, &at.join(key), names_inside, names)?
                    };
                    out.insert(key.clone(), copied);
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.rewrite(item, &at.index(i), false, names))
                    .collect::<Result<_>>()?,
            ),
            scalar => scalar.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::spec::Documents;

    #[test]
    fn bundles_recursive_and_shared_schemas() {
        let docs = Documents::read_str(
            "mem/b.yaml",
            "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    Node:\n      type: object\n      properties:\n        next: {$ref: '#/components/schemas/Node'}\n        id: {$ref: '#/components/schemas/Id'}\n        properties: {const: {$ref: not-a-ref}}\n    Id: {type: integer}\n",
        )
        .unwrap();
        let node = docs.root().join("components").join("schemas").join("Node");
        let bundle = docs.bundle(&node).unwrap();
        assert_eq!(bundle["$ref"], "#/definitions/s0");
        let s0 = &bundle["definitions"]["s0"];
        assert_eq!(s0["properties"]["next"]["$ref"], "#/definitions/s0");
        assert_eq!(s0["properties"]["id"]["$ref"], "#/definitions/s1");
        assert_eq!(s0["properties"]["properties"]["const"]["$ref"], "not-a-ref");
        assert_eq!(bundle["definitions"]["s1"]["type"], "integer");
    }
}
