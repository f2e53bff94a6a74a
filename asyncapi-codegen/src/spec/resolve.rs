//! Following `$ref`s: the chain of reference objects being followed (to
//! report cycles), and the resolver that walks JSON pointers through the
//! loaded files, following `$ref`s met on the way.

use super::reference::Reference;
use super::Documents;
use crate::error::{Error, ErrorKind, Location, Result};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// How many `$ref`s may have to be followed inside the JSON pointers of other
/// `$ref`s, one within the other, to resolve one `$ref`.
const MAX_NESTED_REFS: usize = 64;

/// The `$ref` string of a reference object.
pub(super) fn ref_of(value: &Value) -> Option<&str> {
    value.as_object()?.get("$ref")?.as_str()
}

/// The member `token` of an object, or the item it numbers of an array.
pub(super) fn child<'v>(value: &'v Value, token: &str) -> Option<&'v Value> {
    match value {
        Value::Object(map) => map.get(token),
        Value::Array(items) => items.get(array_index(token)?),
        _ => None,
    }
}

/// An array index as RFC 6901 writes it: digits, no leading zero.
fn array_index(token: &str) -> Option<usize> {
    let digits = !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit());
    if !digits || (token.len() > 1 && token.starts_with('0')) {
        return None;
    }
    token.parse().ok()
}

/// Why `token` leads nowhere from `value`, found at `at`.
pub(super) fn missing(at: &Location, value: &Value, token: &str) -> String {
    let token = token.escape_debug();
    match value {
        Value::Object(map) if map.is_empty() => {
            format!("{at} is an empty mapping, with no member \"{token}\"")
        }
        Value::Object(map) => {
            const SHOWN: usize = 12;
            let mut names: Vec<String> = map
                .keys()
                .take(SHOWN)
                .map(|k| format!("\"{}\"", k.escape_debug()))
                .collect();
            if map.len() > SHOWN {
                names.push(format!("and {} more", map.len() - SHOWN));
            }
            format!(
                "{at} has no member \"{token}\" (it has {})",
                names.join(", ")
            )
        }
        Value::Array(items) => format!(
            "{at} is a sequence of {} item{}, with no item \"{token}\"",
            items.len(),
            if items.len() == 1 { "" } else { "s" }
        ),
        other => format!(
            "{at} is {}, which has no member \"{token}\"",
            super::version::describe(other)
        ),
    }
}

pub(super) fn not_loaded(at: &Location, file: &Path) -> Error {
    Error::at(
        ErrorKind::Invalid,
        at,
        format!(
            "`{}` is not one of the files loaded with the document",
            file.display()
        ),
    )
}

/// The `$ref` objects being followed, in order.
#[derive(Default)]
pub(super) struct Chain {
    order: Vec<Location>,
    members: HashSet<Location>,
}

impl Chain {
    fn push(&mut self, at: Location) {
        self.members.insert(at.clone());
        self.order.push(at);
    }

    /// The error for meeting `again`, already in the chain, once more.
    fn cycle(&self, again: &Location, through: Option<(&Location, &str)>) -> Error {
        let start = self.order.iter().position(|l| l == again).unwrap_or(0);
        let mut names: Vec<String> = self.order[start..]
            .iter()
            .map(ToString::to_string)
            .collect();
        names.push(again.to_string());
        let mut message = format!("`$ref`s form a cycle: {}", names.join(" → "));
        if let Some((base, reference)) = through {
            message += &format!(
                " (the JSON pointer of `$ref` \"{}\" at {base} goes through {again}, which is a `$ref` still being resolved)",
                reference.escape_debug()
            );
        }
        Error::at(ErrorKind::RefCycle, again, message)
            .with_hint("a chain of `$ref`s must end at a value that is not itself a `$ref`")
    }
}

/// Follows `$ref`s, remembering where each chain ended.
pub(super) struct Resolver<'d> {
    docs: &'d Documents,
    pub(super) done: HashMap<Location, Location>,
    nested: usize,
}

impl<'d> Resolver<'d> {
    pub(super) fn new(docs: &'d Documents) -> Self {
        Resolver {
            docs,
            done: HashMap::new(),
            nested: 0,
        }
    }

    /// The first location from `start` on, following `$ref`s, that does not
    /// hold a `$ref`.
    pub(super) fn deref(&mut self, start: Location, chain: &mut Chain) -> Result<Location> {
        let mark = chain.order.len();
        let mut current = start;
        let target = loop {
            if let Some(target) = self
                .done
                .get(&current)
                .or_else(|| self.docs.resolved.get(&current))
            {
                break target.clone();
            }
            let value = self.docs.get(&current)?;
            let Some(reference) = ref_of(value) else {
                break current;
            };
            if chain.members.contains(&current) {
                return Err(chain.cycle(&current, None));
            }
            chain.push(current.clone());
            current = self.resolve(&current, reference, chain)?;
        };
        for at in chain.order.drain(mark..) {
            chain.members.remove(&at);
            self.done.insert(at, target.clone());
        }
        Ok(target)
    }

    /// The location that `reference`, the `$ref` of the object at `base`,
    /// names.
    pub(super) fn resolve(
        &mut self,
        base: &Location,
        reference: &str,
        chain: &mut Chain,
    ) -> Result<Location> {
        let parsed = Reference::parse(reference, base)?;
        let file = match &parsed.file {
            None => {
                let index = self
                    .docs
                    .file_index(&base.file)
                    .ok_or_else(|| not_loaded(base, &base.file))?;
                self.docs.files[index].path.as_path()
            }
            Some(relative) => self.docs.referenced_file(base, reference, relative)?,
        };
        let mut current = Location::file(file);
        let mut value = self.docs.get(&current)?;
        for token in &parsed.tokens {
            loop {
                if let Some(next) = child(value, token) {
                    current = current.join(token);
                    value = next;
                    break;
                }
                if ref_of(value).is_none() {
                    let mut target = Location::file(file);
                    for token in &parsed.tokens {
                        target = target.join(token);
                    }
                    return Err(Error::at(
                        ErrorKind::DanglingRef,
                        base,
                        format!(
                            "`$ref` \"{}\" points nowhere: there is nothing at {target}, because {}",
                            reference.escape_debug(),
                            missing(&current, value, token)
                        ),
                    ));
                }
                // The pointer goes through another `$ref`: follow it.
                if chain.members.contains(&current) {
                    return Err(chain.cycle(&current, Some((base, reference))));
                }
                if self.nested >= MAX_NESTED_REFS {
                    return Err(Error::at(
                        ErrorKind::UnsupportedRef,
                        base,
                        format!(
                            "resolving `$ref` \"{}\" means following `$ref`s inside the JSON pointers of \
                             other `$ref`s more than {MAX_NESTED_REFS} levels deep",
                            reference.escape_debug()
                        ),
                    ));
                }
                self.nested += 1;
                let through = self.deref(current.clone(), chain);
                self.nested -= 1;
                current = through?;
                value = self.docs.get(&current)?;
            }
        }
        Ok(current)
    }
}
