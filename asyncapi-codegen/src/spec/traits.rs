//! Applying message traits and operation traits: every object with a
//! `traits` list (a message or an operation) is replaced, in the loaded
//! documents, by the object with its traits merged in, so that everything
//! after loading sees the merged object.
//!
//! Merging is JSON Merge Patch (RFC 7386), trait by trait in order. Which
//! side wins depends on the version: in 2.x the traits are patched onto
//! the object, so a trait's field wins; in 3.x "a property on a trait MUST
//! NOT override the same property on the target object", so the object's
//! field wins. Where both sides hold an object (two `headers` schemas, one
//! behind a `$ref`), the objects are merged member by member.
//!
//! A trait written in another file than the object keeps working: its
//! relative `$ref`s are rewritten relative to the object's file.

use super::reference::{self, Reference};
use super::{canonical, Documents, DATA_KEYWORDS, NAME_MAPS};
use crate::error::{Error, ErrorKind, Location, Result};
use serde_json::{Map, Value};
use std::path::{Component, Path, PathBuf};

/// Members whose value is a schema: no traits in there.
const SCHEMA_MEMBERS: &[&str] = &["payload", "headers", "schema"];

/// Applies every trait list in the loaded files.
pub(crate) fn apply(docs: &mut Documents) -> Result<()> {
    let mut holders = Vec::new();
    for file in &docs.files {
        find_holders(
            &file.value,
            &Location::file(&file.path),
            false,
            &mut holders,
        );
    }
    let v3 = docs.version().major >= 3;
    for at in holders {
        let merged = Merger { docs, dest: &at }.merged(&at, v3)?;
        docs.replace(&at, merged)?;
    }
    Ok(())
}

/// The objects with a `traits` list, outer before inner.
fn find_holders(value: &Value, at: &Location, name_map: bool, out: &mut Vec<Location>) {
    match value {
        Value::Object(map) => {
            if !name_map && map.get("traits").is_some_and(Value::is_array) {
                out.push(at.clone());
            }
            for (key, member) in map {
                let k = key.as_str();
                if !name_map
                    && (DATA_KEYWORDS.contains(&k) || SCHEMA_MEMBERS.contains(&k) || k == "schemas")
                {
                    continue;
                }
                let names = !name_map && NAME_MAPS.contains(&k);
                find_holders(member, &at.join(key), names, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find_holders(item, &at.index(i), false, out);
            }
        }
        _ => {}
    }
}

/// Merges values into the file of `dest`.
struct Merger<'d> {
    docs: &'d Documents,
    /// The object being merged: its file is where the merged value goes.
    dest: &'d Location,
}

impl Merger<'_> {
    /// The object at `at` with its traits merged in, without `traits`.
    fn merged(&self, at: &Location, v3: bool) -> Result<Value> {
        let mut object = self.docs.get(at)?.clone();
        let count = match &mut object {
            Value::Object(map) => map
                .remove("traits")
                .and_then(|t| t.as_array().map(Vec::len))
                .unwrap_or(0),
            _ => 0,
        };
        let mut traits = Vec::new();
        for i in 0..count {
            let (trait_at, value) = self.docs.deref(&at.join("traits").index(i))?;
            if !value.is_object() {
                return Err(Error::at(
                    ErrorKind::Invalid,
                    &trait_at,
                    "a trait must be an object",
                ));
            }
            traits.push(self.rebase(value, &trait_at)?);
        }
        if v3 {
            let mut base = Value::Object(Map::new());
            for t in traits {
                base = self.merge(Some(base), t)?;
            }
            self.merge(Some(base), object)
        } else {
            traits
                .into_iter()
                .try_fold(object, |merged, t| self.merge(Some(merged), t))
        }
    }

    /// JSON Merge Patch of `patch` onto `target`; both sides' `$ref`s are
    /// followed where two objects meet.
    fn merge(&self, target: Option<Value>, patch: Value) -> Result<Value> {
        let Value::Object(patch) = patch else {
            return Ok(patch);
        };
        let Some(target @ Value::Object(_)) = target else {
            return Ok(Value::Object(patch));
        };
        let Value::Object(mut target) = self.followed(target)? else {
            return Ok(Value::Object(patch));
        };
        let Value::Object(patch) = self.followed(Value::Object(patch))? else {
            return Ok(Value::Object(target));
        };
        for (key, value) in patch {
            if value.is_null() {
                target.remove(&key);
            } else {
                let merged = self.merge(target.remove(&key), value)?;
                target.insert(key, merged);
            }
        }
        Ok(Value::Object(target))
    }

    /// `value` itself, or what it refers to if it is a `$ref` (relative to
    /// the destination file).
    fn followed(&self, value: Value) -> Result<Value> {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return Ok(value);
        };
        let base = Location::file(&self.dest.file);
        let target = self.docs.resolve_ref(&base, reference)?;
        let (target, resolved) = self.docs.deref(&target)?;
        self.rebase(resolved, &target)
    }

    /// `value`, found at `from`, with its relative `$ref`s rewritten to be
    /// relative to the destination file.
    fn rebase(&self, value: &Value, from: &Location) -> Result<Value> {
        if canonical(&from.file) == canonical(&self.dest.file) {
            return Ok(value.clone());
        }
        let mut value = value.clone();
        let dir = canonical(&self.dest.file)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        rewrite_refs(&mut value, from, &dir, false)?;
        Ok(value)
    }
}

/// Rewrites the `$ref`s in `value` (found at `at`) to be relative to the
/// directory `dir`.
fn rewrite_refs(value: &mut Value, at: &Location, dir: &Path, name_map: bool) -> Result<()> {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(text)) = map.get_mut("$ref") {
                let parsed = Reference::parse(text, at)?;
                let file = match &parsed.file {
                    Some(relative) => reference::join(&at.file, relative),
                    None => at.file.clone(),
                };
                let path = relative_path(dir, &canonical(&file));
                let fragment = text.split_once('#').map(|(_, f)| f.to_string());
                *text = encode_path(&path);
                if let Some(fragment) = fragment {
                    text.push('#');
                    text.push_str(&fragment);
                }
            }
            for (key, member) in map.iter_mut() {
                if !name_map && DATA_KEYWORDS.contains(&key.as_str()) {
                    continue;
                }
                let names = !name_map && NAME_MAPS.contains(&key.as_str());
                rewrite_refs(member, &at.join(key), dir, names)?;
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                rewrite_refs(item, &at.index(i), dir, false)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The path of `to` relative to the directory `from` (both absolute).
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for component in &to[common..] {
        out.push(component.as_os_str());
    }
    out
}

/// A path as the path part of a `$ref`: `/`-separated, with `%`, `#` and
/// `?` percent-encoded.
fn encode_path(path: &Path) -> String {
    let text: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    text.join("/")
        .replace('%', "%25")
        .replace('#', "%23")
        .replace('?', "%3F")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_path(Path::new("/a/b"), Path::new("/a/c/d.yaml")),
            Path::new("../c/d.yaml")
        );
        assert_eq!(
            relative_path(Path::new("/a"), Path::new("/a/x.yaml")),
            Path::new("x.yaml")
        );
        assert_eq!(
            encode_path(Path::new("../my dir/50%#1.yaml")),
            "../my dir/50%25%231.yaml"
        );
    }
}
