//! Loading AsyncAPI documents: the root file and every local file its
//! `$ref`s reach, parsed once into JSON values, with every `$ref` checked;
//! then the document checked against the official schema of its version
//! (`official`) and the rules that schema cannot express (`semantic`), and
//! its traits applied (`traits`).
//!
//! Everything after loading reads the documents through [`Documents`]: values
//! are addressed by [`Location`] (a file and a JSON pointer), and `$ref`s are
//! followed with [`Documents::deref`] and [`Documents::resolve_ref`].
//!
//! What a `$ref` may be: a JSON pointer into the same file (`#/a/b`), a
//! relative file path (`common/x.yaml`), or both (`../common/x.yaml#/a`).
//! The fragment is percent-decoded, then read as a JSON pointer (`~0` is `~`,
//! `~1` is `/`). Remote documents (`https://...`) are refused: a build never
//! uses the network.

mod bundle;
mod failure;
mod inline;
mod official;
mod parse;
pub(crate) mod reference;
pub(crate) mod report;
mod resolve;
mod semantic;
mod traits;
mod version;
mod yaml;

pub use version::{Version, SUPPORTED_VERSIONS};

use crate::error::{Error, ErrorKind, Location, Result, Warning};
pub(crate) use failure::{is_integer, Checker};
pub(crate) use reference::split_pointer;
use reference::Reference;
use resolve::{child, missing, not_loaded, ref_of, Chain, Resolver};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Members whose values are data (examples, defaults, constants), not parts of
/// the document: a `$ref` inside them is not a reference.
pub(crate) const DATA_KEYWORDS: &[&str] = &["examples", "example", "default", "const", "enum"];

/// Members whose keys are names chosen by the author (schema properties,
/// components, channels...), so that a member named `default` or `examples`
/// in them is not data.
pub(crate) const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "definitions",
    "$defs",
    "dependentSchemas",
    "dependencies",
    "channels",
    "operations",
    "servers",
    "messages",
    "schemas",
    "parameters",
    "securitySchemes",
    "correlationIds",
    "operationTraits",
    "messageTraits",
    "serverVariables",
    "variables",
    "serverBindings",
    "channelBindings",
    "operationBindings",
    "messageBindings",
    "replies",
    "replyAddresses",
    "externalDocs",
    "tags",
];

/// One file: where it is, as displayed, and what it holds.
#[derive(Debug)]
struct File {
    path: PathBuf,
    value: Value,
}

/// An AsyncAPI document: the root file and every local file its `$ref`s
/// reach, each read and parsed once. Immutable once loaded.
///
/// Every `$ref` in the files (outside examples, defaults, `const` and `enum`)
/// has been checked to resolve: to a file that was loaded and a place in it
/// that exists, without a cycle of `$ref`s.
#[derive(Debug)]
pub struct Documents {
    /// Root first, then the others in the order they were first referenced.
    files: Vec<File>,
    /// Every spelling met for a file (displayed path and the lexical paths
    /// `$ref`s led to) to its index.
    by_path: HashMap<PathBuf, usize>,
    /// Canonical path to index: one file, whatever the spelling.
    by_canonical: HashMap<PathBuf, usize>,
    version: Version,
    /// Every `$ref` object met while checking, to the first value its chain
    /// of `$ref`s leads to that is not a `$ref`.
    resolved: HashMap<Location, Location>,
    /// What loading found wrong without refusing the document.
    warnings: Vec<Warning>,
    /// Each file as written, before traits were applied (empty until
    /// then): what the bundled contract is made of.
    sources: Vec<Value>,
}

impl Documents {
    /// Loads the root document and every local file its `$ref`s reach, and
    /// checks them: every `$ref` resolves (no dangling target, no remote, no
    /// cycle of `$ref`s), `asyncapi` is a supported version, and the
    /// document, its `$ref`s resolved, follows the official AsyncAPI JSON
    /// Schema of that version.
    ///
    /// The root is displayed in errors as given; a referenced file as the
    /// directory of the file that refers to it joined with the `$ref`'s path,
    /// without `.` and `..`.
    pub fn load(root: impl AsRef<Path>) -> Result<Documents> {
        let root = root.as_ref();
        let text = read_root(root)?;
        // The official schema compiles on the side while the document is
        // read.
        official::prepare(&text);
        Self::from_root(root, &text)?.checked()
    }

    /// Loads a root document from `text` as if it had been read from `path`
    /// (which names it in errors, tells JSON from YAML by its extension, and
    /// is where relative `$ref`s start from), and checks it as
    /// [`Documents::load`] does. Files it references are read from disk.
    pub fn load_str(path: impl AsRef<Path>, text: &str) -> Result<Documents> {
        official::prepare(text);
        Self::read_str(path, text)?.checked()
    }

    /// Reads the root document and every local file its `$ref`s reach,
    /// checking the `$ref`s and the version but not the rest of the
    /// document: for tools that look at documents that need not follow the
    /// AsyncAPI schema.
    pub fn read(root: impl AsRef<Path>) -> Result<Documents> {
        let root = root.as_ref();
        Self::from_root(root, &read_root(root)?)
    }

    /// [`Documents::read`] for a root document given as `text`, as if read
    /// from `path`.
    pub fn read_str(path: impl AsRef<Path>, text: &str) -> Result<Documents> {
        Self::from_root(path.as_ref(), text)
    }

    /// The checks of [`Documents::load`] beyond reading.
    fn checked(mut self) -> Result<Documents> {
        let mut inlined = inline::Inlined::build(&self);
        official::check(&self, &mut inlined)?;
        self.warnings = semantic::check(&self, &inlined)?;
        self.sources = self.files.iter().map(|f| f.value.clone()).collect();
        traits::apply(&mut self)?;
        Ok(self)
    }

    /// Replaces the value at `at` (which must exist) by `value`, forgetting
    /// what was remembered about `$ref`s in or to the old value.
    fn replace(&mut self, at: &Location, value: Value) -> Result<()> {
        let index = self
            .file_index(&at.file)
            .ok_or_else(|| not_loaded(at, &at.file))?;
        let place = self.files[index]
            .value
            .pointer_mut(&at.pointer)
            .ok_or_else(|| Error::at(ErrorKind::Invalid, at, "there is nothing here"))?;
        *place = value;
        let inside = |loc: &Location| {
            (loc.pointer == at.pointer || loc.pointer.starts_with(&format!("{}/", at.pointer)))
                && self.file_index(&loc.file) == Some(index)
        };
        let stale: Vec<Location> = self
            .resolved
            .iter()
            .filter(|(from, to)| inside(from) || inside(to))
            .map(|(from, _)| from.clone())
            .collect();
        for from in stale {
            self.resolved.remove(&from);
        }
        Ok(())
    }

    /// What loading found wrong without refusing the document (see
    /// [`Warning`]).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    fn from_root(path: &Path, text: &str) -> Result<Documents> {
        let whole = Location::file(path);
        let value = parse::parse(path, text)?.ok_or_else(|| {
            Error::at(
                ErrorKind::Invalid,
                &whole,
                format!(
                    "`{}` is empty; an AsyncAPI document is a mapping with at least `asyncapi` and `info`",
                    path.display()
                ),
            )
        })?;
        if !value.is_object() {
            return Err(Error::at(
                ErrorKind::Invalid,
                &whole,
                format!(
                    "the top level of the AsyncAPI document `{}` must be a mapping, found {}",
                    path.display(),
                    version::describe(&value)
                ),
            ));
        }
        let version = Version::of_document(&value, &whole)?;
        let mut docs = Documents {
            files: Vec::new(),
            by_path: HashMap::new(),
            by_canonical: HashMap::new(),
            version,
            resolved: HashMap::new(),
            warnings: Vec::new(),
            sources: Vec::new(),
        };
        docs.add(path.to_path_buf(), canonical(path), value);

        // Read every file that a `$ref` names, breadth first.
        let mut references = Vec::new();
        let mut next = 0;
        while next < docs.files.len() {
            let mut found = Vec::new();
            let file = &docs.files[next];
            collect_refs(
                &file.value,
                &file.path,
                &mut String::new(),
                false,
                &mut found,
            );
            for (at, reference) in found {
                let parsed = Reference::parse(&reference, &at)?;
                if let Some(relative) = &parsed.file {
                    docs.load_referenced(&at, &reference, relative)?;
                }
                references.push(at);
            }
            next += 1;
        }

        // Check that each `$ref` leads somewhere, and remember where.
        let resolved = {
            let mut resolver = Resolver::new(&docs);
            for at in references {
                resolver.deref(at, &mut Chain::default())?;
            }
            resolver.done
        };
        docs.resolved = resolved;
        Ok(docs)
    }

    fn add(&mut self, path: PathBuf, canonical: PathBuf, value: Value) -> usize {
        let index = self.files.len();
        self.by_path.insert(path.clone(), index);
        self.by_canonical.insert(canonical, index);
        self.files.push(File { path, value });
        index
    }

    /// Reads the file that `reference` (the `$ref` at `at`) names by the
    /// relative path `relative`, unless it was read already.
    fn load_referenced(
        &mut self,
        at: &Location,
        reference: &str,
        relative: &Path,
    ) -> Result<usize> {
        let path = reference::join(&at.file, relative);
        if let Some(&index) = self.by_path.get(&path) {
            return Ok(index);
        }
        let unreadable = |e: std::io::Error| {
            Error::at(
                ErrorKind::DanglingRef,
                at,
                format!(
                    "`$ref` \"{}\" names the file `{}`, which cannot be read: {e}",
                    reference.escape_debug(),
                    path.display()
                ),
            )
            .with_hint(format!(
                "a relative path is resolved against the directory of the file that holds the `$ref` (`{}`)",
                directory_of(&at.file).display()
            ))
            .with_source(e)
        };
        let canonical = std::fs::canonicalize(&path).map_err(unreadable)?;
        if let Some(&index) = self.by_canonical.get(&canonical) {
            self.by_path.insert(path, index);
            return Ok(index);
        }
        let referenced_by = format!("`{}` is referenced by the `$ref` at {at}", path.display());
        let text = read_text(&path).map_err(|e| match e {
            ReadError::Io(e) => unreadable(e),
            ReadError::NotUtf8(e) => add_note(e, &referenced_by),
        })?;
        let value = parse::parse(&path, &text)
            .map_err(|e| add_note(e, &referenced_by))?
            .ok_or_else(|| {
                Error::at(
                    ErrorKind::Invalid,
                    &Location::file(&path),
                    format!(
                        "`{}` is empty, but the `$ref` at {at} refers to it",
                        path.display()
                    ),
                )
            })?;
        Ok(self.add(path, canonical, value))
    }

    /// The root document's location (its file, empty pointer).
    pub fn root(&self) -> Location {
        Location::file(&self.files[0].path)
    }

    /// The declared AsyncAPI version.
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// Every file read, root first, as displayed in errors (for
    /// `cargo:rerun-if-changed`).
    pub fn files(&self) -> Vec<&Path> {
        self.files.iter().map(|f| f.path.as_path()).collect()
    }

    /// The index of the loaded file that `file` names, in any spelling.
    fn file_index(&self, file: &Path) -> Option<usize> {
        if let Some(&index) = self.by_path.get(file) {
            return Some(index);
        }
        let canonical = std::fs::canonicalize(file).ok()?;
        self.by_canonical.get(&canonical).copied()
    }

    /// The value at a location, without following `$ref`s. Error (kind
    /// Invalid) if the pointer does not exist.
    pub fn get(&self, loc: &Location) -> Result<&Value> {
        let index = self
            .file_index(&loc.file)
            .ok_or_else(|| not_loaded(loc, &loc.file))?;
        let tokens = split_pointer(&loc.pointer).map_err(|why| {
            Error::at(
                ErrorKind::Invalid,
                loc,
                format!("not a valid JSON pointer: {why}"),
            )
        })?;
        let mut value = &self.files[index].value;
        for (i, token) in tokens.iter().enumerate() {
            value = match child(value, token) {
                Some(child) => child,
                None => {
                    let mut parent = Location::file(&loc.file);
                    for token in &tokens[..i] {
                        parent = parent.join(token);
                    }
                    return Err(Error::at(
                        ErrorKind::Invalid,
                        loc,
                        format!("there is nothing here: {}", missing(&parent, value, token)),
                    ));
                }
            };
        }
        Ok(value)
    }

    /// The value at a location as its file is written, before traits were
    /// applied, without following `$ref`s; `None` if there is nothing there.
    pub(crate) fn source(&self, loc: &Location) -> Option<&Value> {
        let index = self.file_index(&loc.file)?;
        let mut value = self.sources.get(index).unwrap_or(&self.files[index].value);
        for token in split_pointer(&loc.pointer).ok()? {
            value = child(value, &token)?;
        }
        Some(value)
    }

    /// The target of the `$ref` string `reference` found at `base` (the
    /// object holding the `$ref`); relative file paths resolve against
    /// base's file. `$ref`s met on the way along the JSON pointer are
    /// followed, so the location returned holds the target itself.
    pub fn resolve_ref(&self, base: &Location, reference: &str) -> Result<Location> {
        Resolver::new(self).resolve(base, reference, &mut Chain::default())
    }

    /// If the value at `loc` is an object with a string `$ref`, follows it
    /// (repeatedly) to the first value that is not a reference; returns that
    /// value's location and the value. Otherwise returns `loc` and its value.
    pub fn deref(&self, loc: &Location) -> Result<(Location, &Value)> {
        if let Some(target) = self.resolved.get(loc) {
            return Ok((target.clone(), self.get(target)?));
        }
        let value = self.get(loc)?;
        if ref_of(value).is_none() {
            return Ok((loc.clone(), value));
        }
        let target = Resolver::new(self).deref(loc.clone(), &mut Chain::default())?;
        let value = self.get(&target)?;
        Ok((target, value))
    }

    /// The file a relative `$ref` path written in `base`'s file names, as
    /// loaded.
    fn referenced_file(&self, base: &Location, reference: &str, relative: &Path) -> Result<&Path> {
        let path = reference::join(&base.file, relative);
        match self.file_index(&path) {
            Some(index) => Ok(&self.files[index].path),
            None => Err(Error::at(
                ErrorKind::DanglingRef,
                base,
                format!(
                    "`$ref` \"{}\" names the file `{}`, which was not loaded with the document",
                    reference.escape_debug(),
                    path.display()
                ),
            )),
        }
    }
}

/// Whether a `schemaFormat` is one whose schemas are JSON Schema: the
/// AsyncAPI schema format (a superset of JSON Schema draft-07) or JSON
/// Schema itself.
pub(crate) fn is_json_schema_format(format: &str) -> bool {
    let format = format.to_ascii_lowercase();
    format.starts_with("application/vnd.aai.asyncapi")
        || format.starts_with("application/schema+json")
        || format.starts_with("application/schema+yaml")
}

/// The directory a relative `$ref` in `file` starts from, for messages.
fn directory_of(file: &Path) -> &Path {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// `error` with `note` added to its hint.
fn add_note(error: Error, note: &str) -> Error {
    let hint = match error.hint() {
        Some(hint) => format!("{hint}; {note}"),
        None => note.to_string(),
    };
    error.with_hint(hint)
}

/// Every `$ref` string in `value` (found in `file` at the JSON pointer
/// `pointer`) with the location of the object holding it, in document
/// order, skipping data members. `name_map`: the keys of `value` are names,
/// not keywords.
fn collect_refs(
    value: &Value,
    file: &Path,
    pointer: &mut String,
    name_map: bool,
    out: &mut Vec<(Location, String)>,
) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                let at = Location {
                    file: file.to_path_buf(),
                    pointer: pointer.clone(),
                };
                out.push((at, reference.clone()));
            }
            for (key, member) in map {
                if !name_map && DATA_KEYWORDS.contains(&key.as_str()) {
                    continue;
                }
                let names = !name_map && NAME_MAPS.contains(&key.as_str());
                if member.is_object() || member.is_array() {
                    let len = pointer.len();
                    reference::push_token(pointer, key);
                    collect_refs(member, file, pointer, names, out);
                    pointer.truncate(len);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if item.is_object() || item.is_array() {
                    let len = pointer.len();
                    reference::push_index(pointer, i);
                    collect_refs(item, file, pointer, false, out);
                    pointer.truncate(len);
                }
            }
        }
        _ => {}
    }
}

/// The canonical path of `path`, or its absolute lexical form if it has none
/// (a document given as text for a file that does not exist).
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        reference::normalize(&absolute)
    })
}

enum ReadError {
    Io(std::io::Error),
    NotUtf8(Error),
}

/// The text of the root document at `root`.
fn read_root(root: &Path) -> Result<String> {
    read_text(root).map_err(|e| match e {
        ReadError::Io(e) => Error::io(
            ErrorKind::Io,
            root,
            &format!("cannot read the AsyncAPI document `{}`", root.display()),
            e,
        ),
        ReadError::NotUtf8(e) => e,
    })
}

fn read_text(path: &Path) -> std::result::Result<String, ReadError> {
    let bytes = std::fs::read(path).map_err(ReadError::Io)?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count()
            + 1;
        ReadError::NotUtf8(Error::at(
            ErrorKind::Syntax,
            &Location::file(path),
            format!(
                "{}:{line}:{column}: the file is not UTF-8 text",
                path.display()
            ),
        ))
    })
}

#[cfg(test)]
mod tests;
