//! Deciding which message of an enum a JSON frame is, and decoding it.
//!
//! The generator writes the decision as code, per message enum:
//!
//! - a *pick* function reads the few places that tell its messages apart
//!   (an object frame's members by key with [`members`], an array frame's
//!   elements from its end with [`Tail`] and from its start with [`Front`])
//!   and matches on what it finds there ([`Val`]): the result is the set
//!   of messages the frame may be, as a bit mask, less those that decoding
//!   alone could take wrongly ([`done`]);
//! - those are decoded in declaration order, and the first that decodes is
//!   the message ([`decode_str`]);
//! - when none does (or the pick could not tell), the slow path parses the
//!   frame into a [`serde_json::Value`] and runs the enum's generated
//!   *check* function ([`Selection::check`]), which states every
//!   discriminating test through a [`Checker`]: the messages whose value
//!   tests hold (then, on a tie, whose required keys and closed objects
//!   hold too) are decoded in declaration order, and if none is left or
//!   none decodes, the [`DecodeError`] says what the frame carried and why
//!   each message was ruled out. Parsed values ([`decode_value`]) take the
//!   slow path directly.
//!
//! Both paths give the same message: the first in declaration order whose
//! value tests hold and that decodes. Most tests are facts that the payload
//! types check too (a `const`, a pattern, a tuple's length), so a frame that
//! decodes as a message passes them. The others (a place that must be an
//! object, as serde's derive also reads a struct from an array; an array's
//! bounds, as a `Vec` takes any length) are read by the pick; the messages
//! from the first one with such a test unread on are left to the slow path
//! ([`done`]).

mod check;
mod front;
mod members;
mod scan;
mod tail;
mod val;

pub use check::{Checker, Miss, Phase};
pub use front::Front;
pub use members::members;
pub use tail::Tail;
pub use val::{done, first_byte, trim, Keys, Num, Val};

pub(crate) use check::Shortened;
use check::Unmatched;
use serde_json::Value;
use std::fmt;

/// A JSON literal that a discriminating value must equal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lit {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// An integer that fits `i64`.
    Int(i64),
    /// An integer above `i64::MAX`.
    UInt(u64),
    /// Any other number. Numbers compare by value: `1`, `1.0` and `1e0` are equal.
    Float(f64),
    /// A string (compared after JSON unescaping).
    Str(&'static str),
}

impl Lit {
    /// Whether `value` equals the literal (numbers by value).
    pub fn matches(&self, value: &Value) -> bool {
        match (*self, value) {
            (Lit::Null, Value::Null) => true,
            (Lit::Bool(a), Value::Bool(b)) => a == *b,
            (Lit::Str(a), Value::String(b)) => a == b,
            (lit, Value::Number(n)) => {
                let exact = n.as_i64().map(i128::from).or(n.as_u64().map(i128::from));
                match (lit, exact) {
                    (Lit::Int(i), Some(v)) => i128::from(i) == v,
                    (Lit::UInt(u), Some(v)) => i128::from(u) == v,
                    (Lit::Float(f), Some(v)) => {
                        f.fract() == 0.0 && f.abs() < 1e38 && f as i128 == v
                    }
                    (Lit::Float(f), None) => n.as_f64() == Some(f),
                    (Lit::Int(i), None) => {
                        n.as_f64() == Some(i as f64) && i.unsigned_abs() < 1 << 53
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }
}

impl fmt::Display for Lit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Lit::Null => f.write_str("null"),
            Lit::Bool(b) => write!(f, "{b}"),
            Lit::Int(i) => write!(f, "{i}"),
            Lit::UInt(u) => write!(f, "{u}"),
            Lit::Float(x) => write!(f, "{x}"),
            Lit::Str(s) => f.write_str(&check::json(s)),
        }
    }
}

/// One step of a path into a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg {
    /// The member of an object with this key.
    Key(&'static str),
    /// The element of an array at this position.
    Index(usize),
}

/// The JSON type of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `null`
    Null,
    /// `true`/`false`
    Bool,
    /// any number
    Number,
    /// a string
    String,
    /// an array
    Array,
    /// an object
    Object,
}

/// What the slow path needs of a message enum (generated as a constant).
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    /// The enum's name, e.g. `"ServerMessage"`.
    pub enum_name: &'static str,
    /// The variants' names, in declaration order.
    pub variants: &'static [&'static str],
    /// The places whose values tell the messages apart, for explanations.
    pub places: &'static [&'static [Seg]],
    /// Runs the tests of the variant at an index through the checker.
    pub check: fn(&mut Checker<'_>, usize) -> Result<(), Miss>,
}

/// The text frame's deserializer that generated decoding reads from.
pub type StrDeserializer<'a> = serde_json::Deserializer<serde_json::de::StrRead<'a>>;

/// Decodes a whole text frame with `decode`, as `serde_json::from_str` does.
fn from_str<'a, T>(
    frame: &'a str,
    decode: impl FnOnce(&mut StrDeserializer<'a>) -> Result<T, serde_json::Error>,
) -> Result<T, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(frame);
    let value = decode(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// Decodes a text frame: the variants of the mask `picked` first, in
/// order; then, if none decoded, the slow path.
///
/// `decode(index, deserializer)` decodes the variant at `index`.
#[inline(always)]
pub fn decode_str<'a, T>(
    frame: &'a str,
    mut picked: u64,
    selection: &Selection,
    decode: impl Fn(usize, &mut StrDeserializer<'a>) -> Result<T, serde_json::Error>,
) -> Result<T, DecodeError> {
    while picked != 0 {
        let index = picked.trailing_zeros() as usize;
        // As `from_str`, without moving the message once more (a message
        // enum is large: each move is a `memcpy`).
        let mut deserializer = serde_json::Deserializer::from_str(frame);
        if let Ok(message) = decode(index, &mut deserializer) {
            if deserializer.end().is_ok() {
                return Ok(message);
            }
        }
        picked &= picked - 1;
    }
    slow_str(frame, selection, &|index| {
        from_str(frame, |de| decode(index, de))
    })
}

#[cold]
#[inline(never)]
fn slow_str<T>(
    frame: &str,
    selection: &Selection,
    decode: &dyn Fn(usize) -> Result<T, serde_json::Error>,
) -> Result<T, DecodeError> {
    let value: Value = match serde_json::from_str(frame) {
        Ok(value) => value,
        Err(error) => {
            return Err(DecodeError::new(
                frame.to_owned(),
                selection,
                Reason::Malformed(error),
            ))
        }
    };
    select(&value, selection, decode)
        .map_err(|reason| DecodeError::new(frame.to_owned(), selection, reason))
}

/// Decodes an already-parsed value, by the slow path.
///
/// `decode(index, value)` decodes the variant at `index`.
pub fn decode_value<T>(
    value: &Value,
    selection: &Selection,
    decode: impl Fn(usize, &Value) -> Result<T, serde_json::Error>,
) -> Result<T, DecodeError> {
    select(value, selection, &|index| decode(index, value))
        .map_err(|reason| DecodeError::new(value.to_string(), selection, reason))
}

/// The slow path: the messages whose tests hold, decoded in order.
fn select<T>(
    value: &Value,
    selection: &Selection,
    decode: &dyn Fn(usize) -> Result<T, serde_json::Error>,
) -> Result<T, Reason> {
    let mut checker = Checker::new(value);
    let mut left = Vec::new();
    let mut ruled_out = Vec::new();
    for (index, name) in selection.variants.iter().enumerate() {
        checker.set(Phase::Values, name);
        match (selection.check)(&mut checker, index) {
            Ok(()) => left.push(index),
            Err(miss) => ruled_out.push((index, miss)),
        }
    }
    // Required keys and closed objects: the messages that fail them would
    // not decode (their types check the same), and are explained by them.
    let mut structured = Vec::new();
    let mut misses = Vec::new();
    for &index in &left {
        checker.set(Phase::Structure, selection.variants[index]);
        match (selection.check)(&mut checker, index) {
            Ok(()) => structured.push(index),
            Err(miss) => misses.push((index, miss)),
        }
    }
    let mut tried = Vec::new();
    for &index in &left {
        match decode(index) {
            Ok(message) => return Ok(message),
            Err(error) if structured.contains(&index) => {
                tried.push((selection.variants[index], error))
            }
            Err(_) => {}
        }
    }
    if tried.is_empty() {
        ruled_out.extend(misses);
        ruled_out.sort_by_key(|(index, _)| *index);
        let carried = selection
            .places
            .iter()
            .filter(|path| !path.is_empty())
            .filter_map(|path| {
                let found = checker.at(path)?;
                (!found.is_array() && !found.is_object())
                    .then(|| (check::place(path), check::show(found)))
            })
            .collect();
        let ruled_out: Vec<(&'static str, check::Miss)> = ruled_out
            .into_iter()
            .map(|(index, miss)| (selection.variants[index], miss))
            .collect();
        // The first whose values held; else the first that lacks a member
        // its shape needs (`{"action":"chat"}` without its `payload`): the
        // frame is taken for that message and told what it lacks.
        let picked = left
            .first()
            .map(|&index| selection.variants[index])
            .or_else(|| {
                ruled_out
                    .iter()
                    .find(|(_, miss)| miss.is_absent_member())
                    .map(|(name, _)| *name)
            });
        return Err(Reason::Unmatched(Unmatched {
            carried,
            ruled_out,
            picked,
        }));
    }
    Err(Reason::Failed(tried))
}

/// A frame that could not be decoded into a message enum: the frame, and why.
///
/// Its `Display` names the enum, quotes the frame (shortened when long), and
/// says what the frame carried and why each candidate was ruled out, e.g.
/// ``frame {"event":"pingx"} is no ServerMessage: it carries /event = "pingx"; Ping: /event is "pingx", expected "ping"; Pong: ...``.
#[derive(Debug)]
pub struct DecodeError {
    // Boxed: `Result<Message, DecodeError>` stays as small as the message.
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    frame: String,
    enum_name: &'static str,
    reason: Reason,
}

#[derive(Debug)]
enum Reason {
    /// Not JSON: serde_json's error, with line and column.
    Malformed(serde_json::Error),
    /// JSON, but no candidate's rules hold.
    Unmatched(Unmatched),
    /// The chosen candidates, in the order tried, and how each failed.
    Failed(Vec<(&'static str, serde_json::Error)>),
}

impl DecodeError {
    fn new(frame: String, selection: &Selection, reason: Reason) -> Self {
        DecodeError {
            inner: Box::new(Inner {
                frame,
                enum_name: selection.enum_name,
                reason,
            }),
        }
    }

    /// The frame as received (whole, not shortened).
    pub fn frame(&self) -> &str {
        &self.inner.frame
    }

    /// The name of the enum the frame was decoded into.
    pub fn enum_name(&self) -> &str {
        self.inner.enum_name
    }

    /// Whether the frame is not even JSON (as opposed to JSON that is no
    /// message of the enum).
    pub fn is_malformed(&self) -> bool {
        matches!(self.inner.reason, Reason::Malformed(_))
    }

    /// Whether the frame is JSON that no message of the enum decodes (as
    /// opposed to a frame that is not JSON, or one that was taken for a
    /// message but did not decode as it); see [`DecodeError::picked`] for
    /// whether its discriminating values picked a message all the same.
    pub fn is_unmatched(&self) -> bool {
        matches!(self.inner.reason, Reason::Unmatched(_))
    }

    /// The messages the frame was taken for, in the order they were tried,
    /// each with serde_json's error decoding it (empty unless the frame
    /// matched some message but decoded as none).
    pub fn tried(&self) -> impl Iterator<Item = (&str, &serde_json::Error)> + '_ {
        let tried: &[(&'static str, serde_json::Error)] = match &self.inner.reason {
            Reason::Failed(tried) => tried,
            _ => &[],
        };
        tried.iter().map(|(name, error)| (*name, error))
    }

    /// The message the frame's discriminating values pick, when it is JSON
    /// that did not decode as that message (a required member missing, a
    /// value of the wrong type or out of bounds): the first message tried,
    /// or the first whose values held but whose required keys or closed
    /// objects did not. `None` for a frame that is not JSON, or whose
    /// values match no message.
    pub fn picked(&self) -> Option<&'static str> {
        match &self.inner.reason {
            Reason::Malformed(_) => None,
            Reason::Unmatched(unmatched) => unmatched.picked,
            Reason::Failed(tried) => tried.first().map(|(name, _)| *name),
        }
    }

    /// serde_json's error, if there is one: the syntax error of a malformed
    /// frame, or the error decoding the first message the frame was taken for.
    pub fn json_error(&self) -> Option<&serde_json::Error> {
        match &self.inner.reason {
            Reason::Malformed(error) => Some(error),
            Reason::Failed(tried) => tried.first().map(|(_, error)| error),
            Reason::Unmatched(_) => None,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        write!(
            f,
            "frame {} is no {}: ",
            Shortened(&inner.frame),
            inner.enum_name
        )?;
        match &inner.reason {
            Reason::Malformed(error) => write!(f, "it is not JSON ({error})"),
            Reason::Unmatched(unmatched) => fmt::Display::fmt(unmatched, f),
            Reason::Failed(tried) => match tried.as_slice() {
                [(name, error)] => {
                    write!(
                        f,
                        "it was taken for {name}, which failed to decode: {error}"
                    )
                }
                _ => {
                    f.write_str("it was taken for ")?;
                    for (i, (name, _)) in tried.iter().enumerate() {
                        let sep = match i {
                            0 => "",
                            i if i + 1 == tried.len() => " and ",
                            _ => ", ",
                        };
                        write!(f, "{sep}{name}")?;
                    }
                    f.write_str(", none of which decoded")?;
                    for (name, error) in tried {
                        write!(f, "; {name}: {error}")?;
                    }
                    Ok(())
                }
            },
        }
    }
}

// No `source`: `Display` already includes serde_json's error.
impl std::error::Error for DecodeError {}
