//! The one schema walker: follows `$ref`s inside the gathered [`Schemas`],
//! merges `allOf`, and finds the schema of a property or of a position of
//! `items`/`prefixItems`. Dispatch rules and correlation ids are read
//! through it; nothing else re-implements these steps.

use super::schemas::Schemas;
use crate::error::Location;
use serde_json::Value;

/// How many references or nested `allOf`s are followed before giving up
/// (a cycle, which only references can make, ends there).
const MAX_DEPTH: usize = 32;

/// A schema of the gathered set and where it is defined.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    /// The schema (after the references rewritten into the set).
    pub schema: &'a Value,
    /// Where it is in the documents.
    pub at: Location,
}

impl<'a> Node<'a> {
    /// A member of this schema that is itself a schema.
    fn child(&self, key: &str) -> Option<Node<'a>> {
        Some(Node {
            schema: self.schema.get(key)?,
            at: self.at.join(key),
        })
    }

    /// An element of an array member of this schema.
    fn element(&self, key: &str, index: usize) -> Option<Node<'a>> {
        Some(Node {
            schema: self.schema.get(key)?.as_array()?.get(index)?,
            at: self.at.join(key).index(index),
        })
    }

    /// The schema as an object, if it is one.
    pub fn map(&self) -> Option<&'a serde_json::Map<String, Value>> {
        self.schema.as_object()
    }
}

impl Schemas {
    /// The definition `def` as a node.
    pub fn node(&self, def: usize) -> Node<'_> {
        let def = &self.defs[def];
        Node {
            schema: &def.schema,
            at: def.location.clone(),
        }
    }

    /// `node` after following its references.
    pub fn resolve<'a>(&'a self, mut node: Node<'a>) -> Node<'a> {
        for _ in 0..MAX_DEPTH {
            let Some(target) = node
                .schema
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| self.target(r))
            else {
                break;
            };
            node = self.node(target);
        }
        node
    }

    /// `node` resolved, then the members of its `allOf` (resolved, with
    /// theirs), depth first: the schemas whose facts together are `node`'s.
    pub fn merged<'a>(&'a self, node: Node<'a>) -> Vec<Node<'a>> {
        let mut out = Vec::new();
        self.merge_into(node, 0, &mut out);
        out
    }

    fn merge_into<'a>(&'a self, node: Node<'a>, depth: usize, out: &mut Vec<Node<'a>>) {
        if depth > MAX_DEPTH {
            return;
        }
        let node = self.resolve(node);
        let count = node
            .schema
            .get("allOf")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let members: Vec<Node<'a>> = (0..count)
            .filter_map(|i| node.element("allOf", i))
            .collect();
        out.push(node);
        for member in members {
            self.merge_into(member, depth + 1, out);
        }
    }

    /// The schema of property `key` of `node` (looking into `allOf`).
    pub fn property<'a>(&'a self, node: Node<'a>, key: &str) -> Option<Node<'a>> {
        self.merged(node).into_iter().find_map(|n| {
            let props = n.child("properties")?;
            Some(Node {
                schema: props.schema.get(key)?,
                at: props.at.join(key),
            })
        })
    }

    /// The names of the properties of `node` (looking into `allOf`), in
    /// order.
    pub fn property_names<'a>(&'a self, node: Node<'a>) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for n in self.merged(node) {
            let Some(Value::Object(props)) = n.schema.get("properties") else {
                continue;
            };
            for name in props.keys() {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        }
        names
    }

    /// The schema of position `index` of an array `node`: its entry in a
    /// list of `items` (or `prefixItems`), or the one `items` schema
    /// (looking into `allOf`).
    pub fn item<'a>(&'a self, node: Node<'a>, index: usize) -> Option<Node<'a>> {
        self.merged(node)
            .into_iter()
            .find_map(|n| match tuple_keyword(&n) {
                Some(key) => n.element(key, index),
                None => n.child("items").filter(|items| items.schema.is_object()),
            })
    }

    /// The schemas of the positions of a tuple `node` (its first list of
    /// `items` or `prefixItems`, looking into `allOf`), with whether no
    /// other items may follow them.
    pub fn tuple<'a>(&'a self, merged: &[Node<'a>]) -> Option<(Vec<Node<'a>>, bool)> {
        merged.iter().find_map(|n| {
            let key = tuple_keyword(n)?;
            let len = n.schema.get(key)?.as_array()?.len();
            let items = (0..len).filter_map(|i| n.element(key, i)).collect();
            let closed = n.schema.get("additionalItems") == Some(&Value::Bool(false))
                || (key == "prefixItems" && n.schema.get("items") == Some(&Value::Bool(false)));
            Some((items, closed))
        })
    }

    /// The `type` of `node` (looking into `allOf`), when it names one.
    pub fn type_of<'a>(&'a self, node: Node<'a>) -> Option<&'a str> {
        self.merged(node)
            .into_iter()
            .find_map(|n| n.schema.get("type").and_then(Value::as_str))
    }
}

/// The keyword holding a list of position schemas: `items` when it is one
/// (draft-07), else `prefixItems` (2020-12, where `items` is then the
/// schema of the items after them).
fn tuple_keyword(node: &Node<'_>) -> Option<&'static str> {
    match (node.schema.get("items"), node.schema.get("prefixItems")) {
        (Some(Value::Array(_)), _) => Some("items"),
        (_, Some(Value::Array(_))) => Some("prefixItems"),
        _ => None,
    }
}
