//! The source document as one JSON document: what a served contract is.
//!
//! The root file is copied as written (before traits are applied: the
//! contract is the author's document, not the generator's reading of it),
//! and every `$ref` to another file is brought inside:
//!
//! - a `$ref` at a root slot (`channels/<id>`, `operations/<id>`,
//!   `servers/<id>`, `components/<kind>/<id>`) is replaced by its target, and
//!   that slot is where every other `$ref` to the same target points;
//! - a target that is a component in its own file
//!   (`.../components/<kind>/<name>`, or `.../definitions/<name>` and
//!   `.../$defs/<name>`, which are schemas) moves under the root's
//!   `components/<kind>/<name>` (a name already taken gets `_2`, `_3`, …;
//!   characters components names cannot hold become `_`), and the `$ref`
//!   points there;
//! - any other target is inlined where it is first referenced, and later
//!   `$ref`s to it (or into it) point to that place, so a part is copied
//!   once and recursive schemas stay recursive.
//!
//! `$ref`s into the root file stay internal (`#/...`); examples, defaults,
//! `const` and `enum` are data and copied as they are.

use crate::error::{Location, Result};
use crate::spec::{Documents, DATA_KEYWORDS, NAME_MAPS};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Component kinds of AsyncAPI 2.0 (every 2.x has them).
const KINDS_2: &[&str] = &[
    "schemas",
    "messages",
    "securitySchemes",
    "parameters",
    "correlationIds",
    "operationTraits",
    "messageTraits",
    "serverBindings",
    "channelBindings",
    "operationBindings",
    "messageBindings",
];

/// Component kinds of AsyncAPI 3.x.
const KINDS_3: &[&str] = &[
    "schemas",
    "servers",
    "channels",
    "operations",
    "messages",
    "securitySchemes",
    "serverVariables",
    "parameters",
    "correlationIds",
    "replies",
    "replyAddresses",
    "externalDocs",
    "tags",
    "operationTraits",
    "messageTraits",
    "serverBindings",
    "channelBindings",
    "operationBindings",
    "messageBindings",
];

/// The root document of `docs` with every `$ref` to another file brought
/// inside it (see the module documentation).
pub fn document(docs: &Documents) -> Result<Value> {
    let root = docs.root();
    let mut bundler = Bundler {
        docs,
        kinds: if docs.version().major >= 3 {
            KINDS_3
        } else {
            KINDS_2
        },
        placed: Vec::new(),
        moved: Vec::new(),
        taken: HashSet::new(),
    };
    let source = docs.source(&root).cloned().unwrap_or(Value::Null);
    bundler.find_homes(&source, &root)?;
    for (kind, names) in source
        .get("components")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for name in names.as_object().into_iter().flat_map(Map::keys) {
            bundler.taken.insert((kind.clone(), name.clone()));
        }
    }
    let mut out = bundler.copy(&source, &root, &mut String::new(), false)?;
    let mut next = 0;
    while next < bundler.moved.len() {
        let (kind, name, target) = bundler.moved[next].clone();
        let value = docs.source(&target).cloned().unwrap_or(Value::Null);
        let mut pointer = format!("/components/{}/{}", escape(&kind), escape(&name));
        let copied = bundler.copy(&value, &target, &mut pointer, false)?;
        if let Some(root) = out.as_object_mut() {
            let components = root
                .entry("components")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(components) = components.as_object_mut() {
                let kind_map = components
                    .entry(kind)
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Some(kind_map) = kind_map.as_object_mut() {
                    kind_map.insert(name, copied);
                }
            }
        }
        next += 1;
    }
    Ok(out)
}

struct Bundler<'d> {
    docs: &'d Documents,
    /// The component kinds of the document's version.
    kinds: &'static [&'static str],
    /// Targets in other files and the JSON pointer in the bundle where each
    /// is (or will be).
    placed: Vec<(Location, String)>,
    /// Targets moved under `components`: kind, name, where they are written.
    moved: Vec<(String, String, Location)>,
    /// Component names in use, by kind.
    taken: HashSet<(String, String)>,
}

impl Bundler<'_> {
    /// Records, for each root slot that is a `$ref` to another file, that
    /// its target lives there.
    fn find_homes(&mut self, root_value: &Value, root: &Location) -> Result<()> {
        let mut slots: Vec<(Location, String)> = Vec::new();
        for section in ["servers", "channels", "operations"] {
            for key in root_value
                .get(section)
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(Map::keys)
            {
                slots.push((
                    root.join(section).join(key),
                    format!("/{}/{}", escape(section), escape(key)),
                ));
            }
        }
        for (kind, names) in root_value
            .get("components")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            for key in names.as_object().into_iter().flat_map(Map::keys) {
                slots.push((
                    root.join("components").join(kind).join(key),
                    format!("/components/{}/{}", escape(kind), escape(key)),
                ));
            }
        }
        for (at, pointer) in slots {
            let Some(reference) = self
                .docs
                .source(&at)
                .and_then(|v| v.get("$ref"))
                .and_then(Value::as_str)
            else {
                continue;
            };
            let target = self.docs.resolve_ref(&at, reference)?;
            if target.file != root.file && self.lookup(&target).is_none() {
                self.placed.push((target, pointer));
            }
        }
        Ok(())
    }

    /// Where `target` (in another file) is in the bundle, if it was placed:
    /// the place of the longest placed prefix, extended by the rest.
    fn lookup(&self, target: &Location) -> Option<String> {
        self.placed
            .iter()
            .filter(|(at, _)| {
                at.file == target.file
                    && (target.pointer == at.pointer
                        || target.pointer.starts_with(&format!("{}/", at.pointer)))
            })
            .max_by_key(|(at, _)| at.pointer.len())
            .map(|(at, pointer)| format!("{pointer}{}", &target.pointer[at.pointer.len()..]))
    }

    /// `value`, written at `at`, as it goes at `out` (a JSON pointer into
    /// the bundle). `name_map`: its keys are names, not keywords.
    fn copy(
        &mut self,
        value: &Value,
        at: &Location,
        out: &mut String,
        name_map: bool,
    ) -> Result<Value> {
        match value {
            Value::Object(map) => {
                if !name_map {
                    if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                        return self.reference(map, reference, at, out);
                    }
                }
                let mut copied = Map::new();
                for (key, member) in map {
                    let member = if !name_map && DATA_KEYWORDS.contains(&key.as_str()) {
                        member.clone()
                    } else {
                        let names = !name_map && NAME_MAPS.contains(&key.as_str());
                        let len = out.len();
                        out.push('/');
                        out.push_str(&escape(key));
                        let member = self.copy(member, &at.join(key), out, names)?;
                        out.truncate(len);
                        member
                    };
                    copied.insert(key.clone(), member);
                }
                Ok(Value::Object(copied))
            }
            Value::Array(items) => {
                let mut copied = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let len = out.len();
                    out.push_str(&format!("/{i}"));
                    copied.push(self.copy(item, &at.index(i), out, false)?);
                    out.truncate(len);
                }
                Ok(Value::Array(copied))
            }
            scalar => Ok(scalar.clone()),
        }
    }

    /// The object `map` at `at`, whose `$ref` is `reference`, as it goes
    /// at `out`.
    fn reference(
        &mut self,
        map: &Map<String, Value>,
        reference: &str,
        at: &Location,
        out: &mut String,
    ) -> Result<Value> {
        let root = self.docs.root();
        let target = self.docs.resolve_ref(at, reference)?;
        let pointing = |pointer: String| {
            let mut copied = map.clone();
            copied.insert("$ref".into(), Value::String(fragment(&pointer)));
            Value::Object(copied)
        };
        if target.file == root.file {
            if at.file == root.file {
                return Ok(Value::Object(map.clone()));
            }
            return Ok(pointing(target.pointer));
        }
        if let Some(pointer) = self.lookup(&target) {
            if pointer != *out {
                return Ok(pointing(pointer));
            }
        } else if let Some((kind, name)) = self.component(&target) {
            let pointer = format!("/components/{}/{}", escape(&kind), escape(&name));
            self.placed.push((target.clone(), pointer.clone()));
            self.moved.push((kind, name, target));
            return Ok(pointing(pointer));
        } else {
            self.placed.push((target.clone(), out.clone()));
        }
        let value = self.docs.source(&target).cloned().unwrap_or(Value::Null);
        self.copy(&value, &target, out, false)
    }

    /// The component kind and a free name for `target` when it is a
    /// component of its own file.
    fn component(&mut self, target: &Location) -> Option<(String, String)> {
        let tokens = target.tokens();
        let [.., parent, kind, name] = tokens.as_slice() else {
            return match tokens.as_slice() {
                [kind, name] if kind == "definitions" || kind == "$defs" => {
                    Some(self.claim("schemas", name))
                }
                _ => None,
            };
        };
        if parent == "components" && self.kinds.contains(&kind.as_str()) {
            Some(self.claim(kind, name))
        } else if kind == "definitions" || kind == "$defs" {
            Some(self.claim("schemas", name))
        } else {
            None
        }
    }

    /// A name for a component of `kind` like `wanted`, not yet taken.
    fn claim(&mut self, kind: &str, wanted: &str) -> (String, String) {
        let base: String = wanted
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let base = if base.is_empty() { "part".into() } else { base };
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&(kind.to_string(), name.clone())) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.taken.insert((kind.to_string(), name.clone()));
        (kind.to_string(), name)
    }
}

/// A `$ref` to the JSON pointer `pointer` of the same document: `#` and
/// the pointer, percent-encoding what a URI fragment cannot hold (`{`, `}`,
/// spaces, `%`, non-ASCII), so that it is a valid `uri-reference`.
fn fragment(pointer: &str) -> String {
    let mut out = String::from("#");
    for byte in pointer.bytes() {
        let allowed = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&byte);
        if allowed {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `token` escaped for a JSON pointer.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
