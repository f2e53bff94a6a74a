//! The document with its `$ref`s replaced by what they point to, as one
//! JSON value, and a map from places in that value back to the file and
//! JSON pointer they came from.
//!
//! The official schemas describe resolved documents (a message where a
//! message is, not a `$ref` that may or may not lead to one), so the
//! document is checked in this form; errors are then reported where the
//! offending part is written, across files.
//!
//! Each part is inlined once: a `$ref` is left as it is when its target is
//! checked anyway, where it is written (a root document's channel,
//! operation, server or component, which the official schema checks in
//! place) or where it was inlined before. Otherwise documents that reuse
//! parts would grow many times over (a 3.x operation refers to its whole
//! channel, messages and schemas included: Kraken's document, 2,500 values,
//! grew to 64,000 when every `$ref` was inlined). Failures about `$ref`s
//! left in place are not reported: they stand for values checked elsewhere.
//!
//! A `$ref` that leads back into the value being inlined (a recursive
//! schema) is left as it is too, as is every `$ref` once the inlined value
//! has grown past [`MAX_VALUES`].

use super::reference::{push_index, push_token, split_pointer};
use super::{Documents, DATA_KEYWORDS, NAME_MAPS};
use crate::error::Location;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::path::Path;

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
            done: HashSet::new(),
            root: &root.file,
        };
        let value = match docs.get(&root) {
            Ok(value) => builder.inline(
                value,
                &root.file,
                &mut root.pointer.clone(),
                &mut String::new(),
                false,
            ),
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
    /// The targets inlined so far.
    done: HashSet<Location>,
    /// The root document's file.
    root: &'d Path,
}

impl Builder<'_> {
    /// Whether the value at `target` is checked without being inlined
    /// where a `$ref` names it: it was inlined before, or it is a channel,
    /// operation, server or component of the root document.
    fn checked_elsewhere(&self, target: &Location) -> bool {
        if self.done.contains(target) {
            return true;
        }
        if target.file != self.root {
            return false;
        }
        let mut tokens = target.pointer.split('/').skip(1);
        matches!(
            (tokens.next(), tokens.next(), tokens.next(), tokens.next()),
            (
                Some("channels" | "operations" | "servers"),
                Some(_),
                None,
                None
            ) | (Some("components"), Some(_), Some(_), None)
        )
    }

    /// `value`, found in `file` at the JSON pointer `from`, with its
    /// `$ref`s inlined; `to` is the JSON pointer where it goes in the
    /// result. `name_map`: the keys of `value` are names. Both pointers are
    /// grown and truncated back on the way down, so that no location is
    /// built for a value that is no `$ref`.
    fn inline(
        &mut self,
        value: &Value,
        file: &Path,
        from: &mut String,
        to: &mut String,
        name_map: bool,
    ) -> Value {
        self.budget = self.budget.saturating_sub(1);
        match value {
            Value::Object(map) => {
                if map.get("$ref").is_some_and(Value::is_string) && self.budget > 0 {
                    let at = Location {
                        file: file.to_path_buf(),
                        pointer: from.clone(),
                    };
                    if let Ok((target, target_value)) = self.docs.deref(&at) {
                        if !self.stack.contains(&target) && !self.checked_elsewhere(&target) {
                            self.done.insert(target.clone());
                            let path = split_pointer(to).unwrap_or_default();
                            self.origins.push((path, target.clone()));
                            let mut target_from = target.pointer.clone();
                            self.stack.push(target);
                            let target_file = self.stack[self.stack.len() - 1].file.clone();
                            let inlined = self.inline(
                                target_value,
                                &target_file,
                                &mut target_from,
                                to,
                                false,
                            );
                            self.stack.pop();
                            return inlined;
                        }
                    }
                    return value.clone();
                }
                let mut out = Map::with_capacity(map.len());
                for (key, member) in map {
                    let copied = if !name_map && DATA_KEYWORDS.contains(&key.as_str()) {
                        member.clone()
                    } else if !member.is_object() && !member.is_array() {
                        self.budget = self.budget.saturating_sub(1);
                        member.clone()
                    } else {
                        let names = !name_map && NAME_MAPS.contains(&key.as_str());
                        let (from_len, to_len) = (from.len(), to.len());
                        push_token(from, key);
                        push_token(to, key);
                        let inlined = self.inline(member, file, from, to, names);
                        from.truncate(from_len);
                        to.truncate(to_len);
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
                        if !item.is_object() && !item.is_array() {
                            self.budget = self.budget.saturating_sub(1);
                            return item.clone();
                        }
                        let (from_len, to_len) = (from.len(), to.len());
                        push_index(from, i);
                        push_index(to, i);
                        let inlined = self.inline(item, file, from, to, false);
                        from.truncate(from_len);
                        to.truncate(to_len);
                        inlined
                    })
                    .collect(),
            ),
            scalar => scalar.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_part_is_inlined_once() {
        let text = "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\n\
            channels:\n  c:\n    address: c\n    messages:\n      m: {$ref: '#/components/messages/m'}\n\
            operations:\n  o:\n    action: send\n    channel: {$ref: '#/channels/c'}\n    messages: [{$ref: '#/channels/c/messages/m'}]\n\
            components:\n  messages:\n    m:\n      payload: {$ref: '#/x-shared/point'}\n      headers: {$ref: '#/x-shared/point'}\n\
            x-shared:\n  point: {type: object, properties: {x: {type: number}}}\n";
        let docs = Documents::read_str("x.yaml", text).unwrap();
        let inlined = Inlined::build(&docs);
        let at = |p: &str| inlined.value.pointer(p).cloned().unwrap_or_default();
        // Checked where they are written: left as `$ref`s.
        assert_eq!(at("/operations/o/channel/$ref"), "#/channels/c");
        assert_eq!(at("/channels/c/messages/m/$ref"), "#/components/messages/m");
        // Elsewhere: inlined the first time, left the next.
        assert_eq!(at("/components/messages/m/payload/type"), "object");
        assert_eq!(
            at("/components/messages/m/headers/$ref"),
            "#/x-shared/point"
        );
        assert_eq!(
            inlined.origin(&[
                "components".into(),
                "messages".into(),
                "m".into(),
                "payload".into(),
                "properties".into()
            ]),
            Location {
                file: "x.yaml".into(),
                pointer: "/x-shared/point/properties".into()
            }
        );
    }
}
