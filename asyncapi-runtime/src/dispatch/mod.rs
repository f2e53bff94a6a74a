//! Deciding which message of an enum a JSON frame is, by the values that
//! discriminate the messages, and decoding it.
//!
//! The generator describes each message enum as a [`Table`]: per message (a
//! [`Candidate`]) the [`Rule`]s a frame must satisfy, each a [`Test`] on the
//! value at a path. Decoding a frame:
//!
//! 1. *Value tests* ([`Test::Kind`], [`Test::Len`], [`Test::LenRange`],
//!    [`Test::OneOf`], [`Test::OneOfOrAbsent`], [`Test::Pattern`],
//!    [`Test::PatternOrAbsent`]) keep the candidates whose every value test
//!    holds.
//! 2. When more than one is left, *structural tests* ([`Test::Has`],
//!    [`Test::Closed`]) narrow them further.
//! 3. When exactly one is left, the frame is decoded into its type. When
//!    several are left, they are tried in order (most value tests satisfied
//!    by a present value first, then declaration order), and the first that
//!    decodes wins: structural trial is the last resort, never the first.
//! 4. When none is left, the error names the discriminating values the
//!    frame carried and, per candidate, the test that ruled it out.
//!
//! Step 1 checks every distinct value test of the table at most once per
//! frame (tests shared by several messages are checked once, and a failed
//! test rules out all its messages at once; see [`Prepared`]); the order
//! tests are checked in does not change which candidates are left.
//!
//! Lengths only serve to reject a frame once the other values single out a
//! message: an array frame whose values, read from its ends, leave one
//! candidate whose value tests all hold but for its length is decoded as
//! that candidate without counting its elements (a frame of another length
//! then fails to decode, as tuple types check their length). When the
//! chosen candidate fails to decode, every test is checked again, so the
//! error is the one the full selection gives: the frame was taken for the
//! message and failed to decode, or it is no message and why.
//!
//! Text frames are probed in place (a fast scan that finds the values at the
//! paths the table needs, without building a tree), then decoded once with
//! `serde_json` into the chosen type. Already-parsed [`serde_json::Value`]s
//! go through the same tables.

mod plan;
mod select;
mod text;
mod value;

pub use plan::Prepared;
pub(crate) use text::scalar_at;

use select::{Failure, Unmatched};
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

/// A string pattern (an ECMA-262 regular expression, as JSON Schema's
/// `pattern`), compiled on first use.
pub struct Pattern {
    /// The pattern as written in the document, for error messages.
    pub source: &'static str,
    /// Whether a string matches it (generated: a `regress` regex in a `OnceLock`).
    pub is_match: fn(&str) -> bool,
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.source)
    }
}

/// What a [`Rule`] checks of the value at its path.
#[derive(Debug, Clone, Copy)]
pub enum Test {
    /// The value is present and has this JSON type.
    Kind(Kind),
    /// The value is an array of exactly this many elements.
    Len(usize),
    /// The value is an array of at least `.0` and (if given) at most `.1` elements.
    LenRange(usize, Option<usize>),
    /// The value is present and equals one of these literals.
    OneOf(&'static [Lit]),
    /// The value is absent, or equals one of these literals (an optional
    /// property with `const`/`enum`).
    OneOfOrAbsent(&'static [Lit]),
    /// The value is a string matching the pattern.
    Pattern(&'static Pattern),
    /// The value is absent, or a string matching the pattern.
    PatternOrAbsent(&'static Pattern),
    /// Structural: the value is an object that has this key.
    Has(&'static str),
    /// Structural: the value is an object with no keys but these.
    Closed(&'static [&'static str]),
}

/// A test on the value at one of the table's paths.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Index into [`Table::paths`].
    pub path: usize,
    /// What must hold of the value there.
    pub test: Test,
}

/// One message of an enum: its variant name and its rules.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    /// The variant's name, e.g. `"Heartbeat"`.
    pub name: &'static str,
    /// Every rule must hold for a frame to be this message.
    pub rules: &'static [Rule],
}

/// How to tell apart the messages of one enum.
#[derive(Debug)]
pub struct Table {
    /// The enum's name, e.g. `"ServerMessage"`, for error messages.
    pub enum_name: &'static str,
    /// Every path a rule refers to (each resolved at most once per frame);
    /// the empty path is the frame itself.
    pub paths: &'static [&'static [Seg]],
    /// The messages, in declaration order (the variant index is the position).
    pub candidates: &'static [Candidate],
    /// What the table works out from the rules on first use:
    /// `Prepared::new()`.
    pub prepared: Prepared,
}

impl Table {
    /// Decodes a text frame: selects the candidate(s) by probing `frame`,
    /// then calls `decode(variant_index, frame)` for the chosen one (or, on
    /// ties, for each in turn until one succeeds).
    #[inline]
    pub fn decode_str<T>(
        &self,
        frame: &str,
        decode: impl Fn(usize, &str) -> Result<T, serde_json::Error>,
    ) -> Result<T, DecodeError> {
        let mut slots = text::Slots::new();
        let mut probe = text::TextProbe::new(self, frame, slots.take(self.paths.len()));
        let failure = match select::choose(self, &mut probe, true) {
            // The common case, written so that the message is not moved
            // from one `Result` to another.
            Ok(select::Chosen::One(i)) => match decode(i, frame) {
                Ok(message) => return Ok(message),
                Err(error) => Failure::Picked(i, error),
            },
            Ok(select::Chosen::Tied(scores)) => {
                match select::try_in_order(scores, |i| decode(i, frame)) {
                    Ok(message) => return Ok(message),
                    Err(failure) => failure,
                }
            }
            Err(failure) => failure,
        };
        self.text_failure(frame, probe, failure, &decode)
    }

    /// The one candidate that [`Table::decode_str`] would decode `frame` as,
    /// if its values single one out (`None` when they leave several, none,
    /// or the frame is not JSON). Generated code decodes it in place, and
    /// goes through [`Table::decode_str`] when that fails (which then
    /// explains why): the message is built where it is returned, rather
    /// than moved out of the decoder's result.
    #[inline]
    pub fn pick_str(&self, frame: &str) -> Option<usize> {
        let mut slots = text::Slots::new();
        let mut probe = text::TextProbe::new(self, frame, slots.take(self.paths.len()));
        match select::choose(self, &mut probe, true) {
            Ok(select::Chosen::One(i)) => Some(i),
            _ => None,
        }
    }

    /// Decodes an already-parsed value, with the same rules as
    /// [`Table::decode_str`]; `decode` gets the variant index and the value.
    pub fn decode_value<T>(
        &self,
        value: &serde_json::Value,
        decode: impl Fn(usize, &serde_json::Value) -> Result<T, serde_json::Error>,
    ) -> Result<T, DecodeError> {
        let mut probe = value::ValueProbe::new(self.paths, value);
        match select::run(self, &mut probe, |i| decode(i, value)) {
            Ok(message) => Ok(message),
            Err(failure) => Err(self.value_failure(value, probe, failure)),
        }
    }

    /// The error path of [`Table::decode_str`]: tells a malformed frame from
    /// one that is no message, and explains which.
    #[cold]
    #[inline(never)]
    fn text_failure<T>(
        &self,
        frame: &str,
        mut probe: text::TextProbe<'_>,
        failure: Failure,
        decode: &dyn Fn(usize, &str) -> Result<T, serde_json::Error>,
    ) -> Result<T, DecodeError> {
        // The probe does not validate what it skips, nor what follows the
        // values it needed: serde_json has the last word on syntax.
        if let Err(error) = serde_json::from_str::<serde::de::IgnoredAny>(frame) {
            return Err(self.error(frame.to_owned(), Reason::Malformed(error)));
        }
        let failure = match failure {
            Failure::Picked(i, error) => {
                match select::confirm(self, &mut probe, i, error, |i| decode(i, frame)) {
                    Ok(message) => return Ok(message),
                    Err(failure) => failure,
                }
            }
            failure => failure,
        };
        let reason = match failure {
            Failure::Failed(tried) => Reason::Failed(self.named(tried)),
            // `confirm` settles these.
            Failure::Picked(i, error) => Reason::Failed(self.named(vec![(i, error)])),
            Failure::Unmatched => match select::explain(self, &mut probe) {
                Ok(unmatched) => Reason::Unmatched(unmatched),
                Err(select::Malformed) => return self.decode_parsed(frame, decode),
            },
            Failure::Malformed => return self.decode_parsed(frame, decode),
        };
        Err(self.error(frame.to_owned(), reason))
    }

    /// Selects through a parsed [`serde_json::Value`] instead of the probe
    /// (which found fault with a frame that serde_json accepts), then decodes
    /// the text as usual.
    fn decode_parsed<T>(
        &self,
        frame: &str,
        decode: &dyn Fn(usize, &str) -> Result<T, serde_json::Error>,
    ) -> Result<T, DecodeError> {
        let value: serde_json::Value = match serde_json::from_str(frame) {
            Ok(value) => value,
            Err(error) => return Err(self.error(frame.to_owned(), Reason::Malformed(error))),
        };
        let mut probe = value::ValueProbe::new(self.paths, &value);
        match select::run(self, &mut probe, |i| decode(i, frame)) {
            Ok(message) => Ok(message),
            Err(failure) => {
                let reason = self.reason(&mut probe, failure);
                Err(self.error(frame.to_owned(), reason))
            }
        }
    }

    /// The error path of [`Table::decode_value`].
    #[cold]
    #[inline(never)]
    fn value_failure(
        &self,
        value: &serde_json::Value,
        mut probe: value::ValueProbe<'_>,
        failure: Failure,
    ) -> DecodeError {
        let reason = self.reason(&mut probe, failure);
        self.error(value.to_string(), reason)
    }

    /// Why a frame that is JSON is no message.
    fn reason(&self, probe: &mut value::ValueProbe<'_>, failure: Failure) -> Reason {
        match failure {
            Failure::Failed(tried) => Reason::Failed(self.named(tried)),
            // `run` settles these.
            Failure::Picked(i, error) => Reason::Failed(self.named(vec![(i, error)])),
            // A parsed value is never malformed.
            Failure::Unmatched | Failure::Malformed => {
                Reason::Unmatched(select::explain(self, probe).unwrap_or_default())
            }
        }
    }

    fn named(
        &self,
        tried: Vec<(usize, serde_json::Error)>,
    ) -> Vec<(&'static str, serde_json::Error)> {
        tried
            .into_iter()
            .map(|(i, error)| (self.candidates.get(i).map_or("?", |c| c.name), error))
            .collect()
    }

    fn error(&self, frame: String, reason: Reason) -> DecodeError {
        DecodeError {
            inner: Box::new(Inner {
                frame,
                enum_name: self.enum_name,
                reason,
            }),
        }
    }
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

    /// Whether the frame is JSON whose discriminating values match no
    /// message of the enum (as opposed to a frame that is not JSON, or one
    /// that was taken for a message but did not decode as it).
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
            select::Shortened(&inner.frame),
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
