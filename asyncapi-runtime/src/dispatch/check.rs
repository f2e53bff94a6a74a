//! The slow path: every discriminating test of every message, checked on a
//! parsed [`serde_json::Value`], saying why a message is ruled out.
//!
//! Generated code writes one `check` function per message enum that calls
//! a [`Checker`] method per test of the message asked about; the checker
//! runs either the value tests or the structural ones ([`Phase`]).

use super::{Kind, Lit, Seg};
use serde_json::Value;
use std::fmt;

/// Which tests a [`Checker`] runs (the others hold).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Types, lengths, `const`/`enum` values and patterns.
    Values,
    /// Required keys and closed objects, which only break ties.
    Structure,
}

/// Why a frame is not some message: the test that failed, spelled out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Miss(String, bool);

impl Miss {
    /// Whether a member the message's shape needs is absent (its
    /// discriminating values held up to there).
    pub(super) fn is_absent_member(&self) -> bool {
        self.1
    }
}

impl fmt::Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks the tests of one message at a time on a parsed frame.
#[derive(Debug)]
pub struct Checker<'v> {
    root: &'v Value,
    phase: Phase,
    /// The message whose tests are checked, for the explanations.
    name: &'static str,
}

impl<'v> Checker<'v> {
    pub(super) fn new(root: &'v Value) -> Self {
        Checker {
            root,
            phase: Phase::Values,
            name: "",
        }
    }

    pub(super) fn set(&mut self, phase: Phase, name: &'static str) {
        self.phase = phase;
        self.name = name;
    }

    /// The value at `path`, if there is one.
    pub(super) fn at(&self, path: &[Seg]) -> Option<&'v Value> {
        let mut value = self.root;
        for seg in path {
            value = match (seg, value) {
                (Seg::Key(key), Value::Object(map)) => map.get(*key)?,
                (Seg::Index(i), Value::Array(items)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(value)
    }

    fn miss(&self, path: &[Seg], expected: impl fmt::Display) -> Result<(), Miss> {
        Err(Miss(
            format!("{}, expected {expected}", self.is(path)),
            false,
        ))
    }

    /// Like `miss`, for a test of shape (a JSON type, a length) rather than
    /// of a discriminating value: a member that is absent marks the miss, so
    /// that a frame whose values all hold but that lacks a member is taken
    /// for the message all the same (and told what it lacks).
    fn shape_miss(&self, path: &[Seg], expected: impl fmt::Display) -> Result<(), Miss> {
        let absent = self.at(path).is_none();
        Err(Miss(
            format!("{}, expected {expected}", self.is(path)),
            absent,
        ))
    }

    /// `<place> is <value>`.
    fn is(&self, path: &[Seg]) -> String {
        match self.at(path) {
            Some(value) => format!("{} is {}", place(path), show(value)),
            None => format!("{} is absent", place(path)),
        }
    }

    /// The value at `path` has the JSON type `kind`.
    pub fn kind(&mut self, path: &[Seg], kind: Kind) -> Result<(), Miss> {
        if self.phase != Phase::Values || self.at(path).map(kind_of) == Some(kind) {
            return Ok(());
        }
        self.shape_miss(path, kind_name(kind))
    }

    /// The value at `path` is an array of `min` to `max` elements.
    pub fn len(&mut self, path: &[Seg], min: usize, max: Option<usize>) -> Result<(), Miss> {
        if self.phase != Phase::Values {
            return Ok(());
        }
        let expected = match max {
            Some(max) if max == min => format!("{min}"),
            Some(max) => format!("{min} to {max}"),
            None => format!("at least {min}"),
        };
        match self.at(path) {
            Some(Value::Array(items)) => {
                if items.len() >= min && max.is_none_or(|max| items.len() <= max) {
                    return Ok(());
                }
                Err(Miss(
                    format!(
                        "{} has {} elements, expected {expected}",
                        place(path),
                        items.len()
                    ),
                    false,
                ))
            }
            _ => self.shape_miss(path, format!("an array of {expected} elements")),
        }
    }

    /// The value at `path` equals one of `lits` (or, when `absent`, is
    /// absent or `null`: an optional property).
    pub fn one_of(&mut self, path: &[Seg], lits: &[Lit], absent: bool) -> Result<(), Miss> {
        if self.phase != Phase::Values {
            return Ok(());
        }
        match self.at(path) {
            None | Some(Value::Null) if absent => return Ok(()),
            Some(value) if lits.iter().any(|lit| lit.matches(value)) => return Ok(()),
            _ => {}
        }
        let shown: Vec<String> = lits.iter().map(Lit::to_string).collect();
        let expected = match shown.as_slice() {
            [one] => one.clone(),
            many => format!("one of {}", many.join(", ")),
        };
        let or_absent = if absent { " or absent" } else { "" };
        self.miss(path, format!("{expected}{or_absent}"))
    }

    /// The value at `path` is a string that matches the pattern `source`
    /// (or, when `absent`, is absent or `null`).
    pub fn pattern(
        &mut self,
        path: &[Seg],
        source: &str,
        is_match: fn(&str) -> bool,
        absent: bool,
    ) -> Result<(), Miss> {
        if self.phase != Phase::Values {
            return Ok(());
        }
        match self.at(path) {
            None | Some(Value::Null) if absent => return Ok(()),
            Some(Value::String(s)) if is_match(s) => return Ok(()),
            _ => {}
        }
        let or_absent = if absent { " or absent" } else { "" };
        self.miss(path, format!("a string matching {source}{or_absent}"))
    }

    /// The value at `path` is an object with the key `key`.
    pub fn has(&mut self, path: &[Seg], key: &str) -> Result<(), Miss> {
        if self.phase != Phase::Structure {
            return Ok(());
        }
        match self.at(path) {
            Some(Value::Object(map)) if map.contains_key(key) => Ok(()),
            Some(Value::Object(_)) => Err(Miss(
                format!(
                    "{} lacks key {}, which {} requires",
                    place(path),
                    json(key),
                    self.name
                ),
                false,
            )),
            _ => self.miss(path, format!("an object with key {}", json(key))),
        }
    }

    /// The value at `path` is an object with no keys but `allowed`.
    pub fn closed(&mut self, path: &[Seg], allowed: &[&str]) -> Result<(), Miss> {
        if self.phase != Phase::Structure {
            return Ok(());
        }
        match self.at(path) {
            Some(Value::Object(map)) => match map.keys().find(|k| !allowed.contains(&k.as_str())) {
                None => Ok(()),
                Some(key) => Err(Miss(
                    format!(
                        "{} has key {}, which {} does not allow",
                        place(path),
                        json(key),
                        self.name
                    ),
                    false,
                )),
            },
            _ => self.miss(path, "an object"),
        }
    }
}

/// The JSON type of a value.
fn kind_of(value: &Value) -> Kind {
    match value {
        Value::Null => Kind::Null,
        Value::Bool(_) => Kind::Bool,
        Value::Number(_) => Kind::Number,
        Value::String(_) => Kind::String,
        Value::Array(_) => Kind::Array,
        Value::Object(_) => Kind::Object,
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Null => "null",
        Kind::Bool => "a boolean",
        Kind::Number => "a number",
        Kind::String => "a string",
        Kind::Array => "an array",
        Kind::Object => "an object",
    }
}

/// A value for an explanation: scalars as (shortened) JSON, containers as
/// `an object`/`an array`.
pub(super) fn show(value: &Value) -> String {
    const MAX: usize = 60;
    match value {
        Value::String(s) => match s.char_indices().nth(MAX) {
            Some((cut, _)) => {
                let mut shown = json(&s[..cut]);
                shown.pop();
                shown.push_str("…\"");
                shown
            }
            None => json(s),
        },
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        scalar => scalar.to_string(),
    }
}

/// `s` as a JSON string.
pub(super) fn json(s: &str) -> String {
    Value::from(s).to_string()
}

/// A place in a frame: `the frame`, or a JSON pointer such as `/1/as`.
pub(super) fn place(path: &[Seg]) -> String {
    if path.is_empty() {
        return "the frame".to_owned();
    }
    crate::message::PathDisplay(path).to_string()
}

/// Why a frame is no message: what it carried at the discriminating
/// places, and per message the test that ruled it out.
#[derive(Debug, Default)]
pub(super) struct Unmatched {
    /// Pointer and JSON of the scalars at the discriminating places.
    pub(super) carried: Vec<(String, String)>,
    /// Per message, its name and why not.
    pub(super) ruled_out: Vec<(&'static str, Miss)>,
    /// The first message whose discriminating values the frame carries
    /// (ruled out by its required keys or closed objects), if any.
    pub(super) picked: Option<&'static str>,
}

impl fmt::Display for Unmatched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.carried.is_empty() {
            f.write_str("it carries none of the values that tell the messages apart")?;
        } else {
            f.write_str("it carries ")?;
            for (i, (at, value)) in self.carried.iter().enumerate() {
                let sep = if i == 0 { "" } else { ", " };
                write!(f, "{sep}{at} = {value}")?;
            }
        }
        if self.ruled_out.is_empty() {
            f.write_str("; the enum has no messages")?;
        }
        for (name, why) in &self.ruled_out {
            write!(f, "; {name}: {why}")?;
        }
        Ok(())
    }
}

/// A frame for an error message: control characters escaped, shortened to
/// 200 characters (with the full length noted).
pub(crate) struct Shortened<'a>(pub &'a str);

impl fmt::Display for Shortened<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 200;
        let frame = self.0;
        if frame.is_empty() {
            return f.write_str("(empty)");
        }
        for (i, c) in frame.chars().enumerate() {
            if i == MAX {
                return write!(f, "… ({} bytes)", frame.len());
            }
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}
