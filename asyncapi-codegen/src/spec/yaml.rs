//! Reading YAML into JSON values, from the events of `saphyr-parser` (a
//! YAML 1.2 parser that passes the YAML test suite, where libyaml, behind
//! `serde_yaml` and its forks, refuses valid documents such as a folded
//! block scalar whose first line starts with a tab after its indentation).
//!
//! Building the values ourselves means knowing the JSON pointer of every
//! node: whatever has no JSON equivalent (tags, non-string keys, NaN,
//! duplicate keys) is reported where it is, and a syntax error names the
//! node it is in. Scalars are resolved by the YAML 1.2 core schema; merge
//! keys (`<<`) are applied; aliases are expanded within a budget (no
//! "billion laughs").

use crate::error::{Error, ErrorKind, Location, Result};
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};
use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use std::path::Path;

/// Nodes nested deeper than this are refused (as libyaml did).
const MAX_DEPTH: usize = 128;

/// How many values aliases may expand to, at least (the budget grows with
/// the size of the text).
const MIN_ALIAS_BUDGET: usize = 100_000;

/// The YAML 1.2 core tags, which only say what the value is anyway.
const CORE_TAGS: &[&str] = &["str", "int", "float", "bool", "null", "map", "seq"];

/// The handle `!!` resolves to.
const CORE_HANDLE: &str = "tag:yaml.org,2002:";

/// A node being built: a sequence or a mapping.
enum Open {
    Seq {
        items: Vec<Value>,
        at: Location,
        anchor: usize,
    },
    Map {
        map: Map<String, Value>,
        at: Location,
        anchor: usize,
        /// The key read, waiting for its value (`Merge` for `<<`).
        key: Option<Key>,
        /// The values of merge keys (`<<`), applied at the end.
        merges: Vec<(Value, Location)>,
    },
}

/// A mapping key read.
enum Key {
    Name(String),
    Merge,
}

/// Parses YAML `text`, the contents of `file`. `Ok(None)` for a stream
/// without a document (empty, or comments only).
pub(super) fn parse(file: &Path, text: &str) -> Result<Option<Value>> {
    let loader = Loader {
        file,
        stack: Vec::new(),
        anchors: HashMap::new(),
        budget: MIN_ALIAS_BUDGET.max(text.len().saturating_mul(10)),
        root: None,
        documents: 0,
    };
    loader.run(text)
}

struct Loader<'f> {
    file: &'f Path,
    stack: Vec<Open>,
    anchors: HashMap<usize, Value>,
    /// Values aliases may still expand to.
    budget: usize,
    root: Option<Value>,
    documents: usize,
}

impl Loader<'_> {
    fn run(mut self, text: &str) -> Result<Option<Value>> {
        let mut parser = Parser::new_from_str(text);
        while let Some(next) = parser.next_event() {
            let (event, span) = next.map_err(|error| self.syntax(text, &error))?;
            let (line, column) = (span.start.line(), span.start.col() + 1);
            match event {
                Event::StreamEnd => break,
                Event::DocumentStart(_) => {
                    self.documents += 1;
                    if self.documents > 1 {
                        return Err(Error::at(
                            ErrorKind::Syntax,
                            &Location::file(self.file),
                            format!(
                                "{}:{line}:{column}: invalid YAML: a second document in the file, where an AsyncAPI file holds one",
                                self.file.display(),
                            ),
                        ));
                    }
                }
                Event::Scalar(raw, style, anchor, tag) => {
                    let merge = style == ScalarStyle::Plain && raw == "<<" && tag.is_none();
                    let at = self.place();
                    let value = scalar(&raw, style, tag.as_deref(), &at)?;
                    self.anchor(anchor, &value);
                    self.push(value, merge)?;
                }
                Event::Alias(id) => {
                    let at = self.place();
                    let value = self.anchors.get(&id).cloned().ok_or_else(|| {
                        Error::at(ErrorKind::Invalid, &at, "an alias to an unknown anchor")
                    })?;
                    let size = count(&value);
                    if size > self.budget {
                        return Err(Error::at(
                            ErrorKind::Invalid,
                            &at,
                            "aliases expand to too many values (a YAML \"billion laughs\"?)",
                        ));
                    }
                    self.budget -= size;
                    self.push(value, false)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    let at = self.open(tag.as_deref(), line)?;
                    self.stack.push(Open::Seq {
                        items: Vec::new(),
                        at,
                        anchor,
                    });
                }
                Event::MappingStart(anchor, tag) => {
                    let at = self.open(tag.as_deref(), line)?;
                    self.stack.push(Open::Map {
                        map: Map::new(),
                        at,
                        anchor,
                        key: None,
                        merges: Vec::new(),
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(open) = self.stack.pop() else {
                        continue;
                    };
                    let (value, anchor) = close(open)?;
                    self.anchor(anchor, &value);
                    self.push(value, false)?;
                }
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            }
        }
        // A document of nothing (`---` alone) is no document.
        Ok(self.root.filter(|root| !root.is_null()))
    }

    /// The place of the next node: the root, an item, or a key's value (a
    /// key itself is placed at its mapping).
    fn place(&self) -> Location {
        match self.stack.last() {
            None => Location::file(self.file),
            Some(Open::Seq { items, at, .. }) => at.index(items.len()),
            Some(Open::Map { key, at, .. }) => match key {
                Some(Key::Name(name)) => at.join(name),
                Some(Key::Merge) => at.join("<<"),
                None => at.clone(),
            },
        }
    }

    /// Checks a sequence or mapping about to start, at nesting `depth`;
    /// returns its place.
    fn open(&self, tag: Option<&Tag>, line: usize) -> Result<Location> {
        let at = self.place();
        if let Some(Open::Map { key: None, .. }) = self.stack.last() {
            return Err(bad_key(&at, "a sequence or a mapping"));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(Error::at(
                ErrorKind::Syntax,
                &at,
                format!(
                    "{}:{line}: invalid YAML: nodes are nested more than {MAX_DEPTH} levels deep",
                    self.file.display()
                ),
            ));
        }
        if let Some(tag) = tag {
            check_tag(tag, &at)?;
        }
        Ok(at)
    }

    fn anchor(&mut self, anchor: usize, value: &Value) {
        if anchor != 0 {
            self.anchors.insert(anchor, value.clone());
        }
    }

    /// Puts a finished node where it goes. `merge`: it is the plain
    /// scalar `<<`.
    fn push(&mut self, value: Value, merge: bool) -> Result<()> {
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Open::Seq { items, .. }) => items.push(value),
            Some(Open::Map {
                map,
                at,
                key,
                merges,
                ..
            }) => match key.take() {
                None if merge => *key = Some(Key::Merge),
                None => {
                    let name = key_string(&value, at)?;
                    if map.contains_key(&name) {
                        return Err(Error::at(
                            ErrorKind::Invalid,
                            &at.join(&name),
                            format!(
                                "duplicate key \"{}\" (once keys are turned into strings)",
                                name.escape_debug()
                            ),
                        ));
                    }
                    *key = Some(Key::Name(name));
                }
                Some(Key::Merge) => merges.push((value, at.join("<<"))),
                Some(Key::Name(name)) => {
                    map.insert(name, value);
                }
            },
        }
        Ok(())
    }

    /// A syntax error, at the node it is in, saying where to look.
    fn syntax(&self, text: &str, error: &ScanError) -> Error {
        let mark = error.marker();
        let (line, column) = (mark.line(), mark.col() + 1);
        let info = error.info();
        // The node being read; between the keys of a mapping, the last one
        // read (a misindented key usually follows it).
        let at = match self.stack.last() {
            Some(Open::Map {
                map, at, key: None, ..
            }) => map
                .keys()
                .next_back()
                .map_or_else(|| at.clone(), |k| at.join(k)),
            _ => self.place(),
        };
        let mut out = Error::at(
            ErrorKind::Syntax,
            &at,
            format!(
                "{}:{line}:{column}: invalid YAML: {info}",
                self.file.display()
            ),
        );
        if let Some(hint) = indentation_hint(text, info, line) {
            out = out.with_hint(hint);
        }
        out
    }
}

/// "Check the indentation around line L" where the error is of the kinds
/// that a misindented line causes.
fn indentation_hint(text: &str, info: &str, line: usize) -> Option<String> {
    const INDENTATION: &[&str] = &[
        "did not find expected key",
        "mapping values are not allowed",
        "did not find expected '-'",
        "tab",
        "indentation",
        "block mapping",
        "block sequence",
    ];
    if !INDENTATION.iter().any(|k| info.contains(k)) {
        return None;
    }
    // The error is often found on the line after the one misindented.
    let first = line.saturating_sub(1).max(1);
    let lines: Vec<&str> = text.lines().collect();
    let tab = lines
        .get(line.saturating_sub(1))
        .is_some_and(|l| l.trim_end().starts_with([' ', '\t']) && l.contains('\t'));
    let mut hint = if first == line {
        format!("check the indentation around line {line}")
    } else {
        format!("check the indentation around lines {first}-{line}")
    };
    hint += ": a key must line up with the other keys of its mapping, and its value be indented further";
    if tab {
        hint += "; YAML indents with spaces, not tabs";
    }
    Some(hint)
}

/// The finished value of an open node, and its anchor.
fn close(open: Open) -> Result<(Value, usize)> {
    match open {
        Open::Seq { items, anchor, .. } => Ok((Value::Array(items), anchor)),
        Open::Map {
            mut map,
            anchor,
            merges,
            ..
        } => {
            // Earlier merged mappings win over later ones; the mapping's
            // own keys over all.
            for (value, at) in merges {
                let sources: Vec<(Value, Location)> = match value {
                    Value::Object(_) => vec![(value, at)],
                    Value::Array(items) => items
                        .into_iter()
                        .enumerate()
                        .map(|(i, item)| (item, at.index(i)))
                        .collect(),
                    other => return Err(not_mergeable(&at, &other, "")),
                };
                for (source, source_at) in sources {
                    let Value::Object(entries) = source else {
                        return Err(not_mergeable(&source_at, &source, " in the list"));
                    };
                    for (key, value) in entries {
                        map.entry(key).or_insert(value);
                    }
                }
            }
            Ok((Value::Object(map), anchor))
        }
    }
}

fn not_mergeable(at: &Location, found: &Value, where_: &str) -> Error {
    Error::at(
        ErrorKind::Invalid,
        at,
        format!(
            "a merge key (`<<`) must be given a mapping or a list of mappings, found {}{where_}",
            super::version::describe(found)
        ),
    )
}

/// How many values `value` holds, itself included.
fn count(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(count).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(count).sum::<usize>(),
        _ => 1,
    }
}

fn bad_key(mapping: &Location, what: &str) -> Error {
    Error::at(
        ErrorKind::Invalid,
        mapping,
        format!("this mapping has a key that is {what}; keys must be strings (or integers or booleans, which are turned into strings)"),
    )
}

/// A mapping key as a JSON object key: strings as they are, integers and
/// booleans spelled out; anything else is an error at the mapping.
fn key_string(key: &Value, mapping: &Location) -> Result<String> {
    match key {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        other => Err(bad_key(mapping, &super::version::describe(other))),
    }
}

/// How a tag is written: `!!str` for the core schema's, else as given.
fn tag_name(tag: &Tag) -> String {
    if tag.handle == CORE_HANDLE {
        format!("!!{}", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

/// Refuses tags other than the core schema's.
fn check_tag(tag: &Tag, at: &Location) -> Result<()> {
    if tag.handle == CORE_HANDLE && CORE_TAGS.contains(&tag.suffix.as_str()) {
        return Ok(());
    }
    Err(Error::at(
        ErrorKind::Invalid,
        at,
        format!(
            "the YAML tag `{}` is not supported: an AsyncAPI document must be plain \
             JSON-compatible YAML",
            tag_name(tag)
        ),
    )
    .with_hint("remove the tag; types are given by schemas, not by YAML tags"))
}

/// A scalar as JSON: by its tag if it has one, else (plain scalars) by the
/// YAML 1.2 core schema; quoted and block scalars are strings.
fn scalar(raw: &str, style: ScalarStyle, tag: Option<&Tag>, at: &Location) -> Result<Value> {
    let kind = match tag {
        Some(tag) => {
            check_tag(tag, at)?;
            tag.suffix.as_str()
        }
        None if style == ScalarStyle::Plain => "",
        None => "str",
    };
    let wrong = |what: &str| {
        Error::at(
            ErrorKind::Invalid,
            at,
            format!("`{raw}` is not {what}, as its tag `!!{kind}` says"),
        )
    };
    Ok(match kind {
        "str" => Value::String(raw.to_string()),
        "null" => Value::Null,
        "bool" => Value::Bool(boolean(raw).ok_or_else(|| wrong("a boolean"))?),
        "int" => Value::Number(integer(raw, at)?.ok_or_else(|| wrong("an integer"))?),
        "float" => match float(raw) {
            Some(f) => Value::Number(finite(f, raw, at)?),
            None => match integer(raw, at)? {
                Some(n) => Value::Number(n),
                None => return Err(wrong("a number")),
            },
        },
        "map" | "seq" => return Err(wrong("a mapping or sequence")),
        _ => {
            if matches!(raw, "" | "~" | "null" | "Null" | "NULL") {
                Value::Null
            } else if let Some(b) = boolean(raw) {
                Value::Bool(b)
            } else if !may_be_number(raw) {
                Value::String(raw.to_string())
            } else if let Some(n) = integer(raw, at)? {
                Value::Number(n)
            } else if let Some(f) = float(raw) {
                Value::Number(finite(f, raw, at)?)
            } else {
                Value::String(raw.to_string())
            }
        }
    })
}

fn boolean(raw: &str) -> Option<bool> {
    match raw {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// A core-schema integer (`12`, `-3`, `0o17`, `0x1F`); too large for 64
/// bits, a float.
fn integer(raw: &str, at: &Location) -> Result<Option<Number>> {
    let parsed = if let Some(octal) = raw.strip_prefix("0o") {
        u64::from_str_radix(octal, 8).ok()
    } else if let Some(hex) = raw.strip_prefix("0x") {
        u64::from_str_radix(hex, 16).ok()
    } else {
        let digits = raw.strip_prefix(['-', '+']).unwrap_or(raw);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
        if let Ok(i) = raw.parse::<i64>() {
            return Ok(Some(i.into()));
        }
        if !raw.starts_with('-') {
            if let Ok(u) = digits.parse::<u64>() {
                return Ok(Some(u.into()));
            }
        }
        return raw
            .parse::<f64>()
            .ok()
            .map(|f| finite(f, raw, at))
            .transpose();
    };
    Ok(parsed.map(Number::from))
}

/// Whether a plain scalar can be a core-schema number at all: every
/// integer and float starts with a digit, a sign or a dot. Most plain
/// scalars of a document are words, and trying both number forms on each
/// cost 2 % of `generate()` in a build script on a 400 KB document.
fn may_be_number(raw: &str) -> bool {
    raw.as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.'))
}

/// A core-schema float (`1.5`, `-2e3`, `.5`, `.inf`, `.nan`).
fn float(raw: &str) -> Option<f64> {
    let unsigned = raw.strip_prefix(['-', '+']).unwrap_or(raw);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return Some(if raw.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if matches!(raw, ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN);
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok =
        (!whole.is_empty() || !fraction.is_empty()) && digits(whole) && digits(fraction);
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if !mantissa_ok || !exponent_ok || mantissa == "." {
        return None;
    }
    raw.parse().ok()
}

fn finite(f: f64, raw: &str, at: &Location) -> Result<Number> {
    Number::from_f64(f).ok_or_else(|| {
        Error::at(
            ErrorKind::Invalid,
            at,
            format!("`{raw}` is not a number JSON can represent (no NaN or infinity)"),
        )
    })
}
