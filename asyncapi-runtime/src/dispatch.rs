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
//! Text frames are probed in place (a fast scan that finds the values at the
//! paths the table needs, without building a tree), then decoded once with
//! `serde_json` into the chosen type. Already-parsed [`serde_json::Value`]s
//! go through the same tables.

// HELPER: implement everything marked HELPER below; keep the public types
// and signatures as they are (generated code is written against them).

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
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// The enum's name, e.g. `"ServerMessage"`, for error messages.
    pub enum_name: &'static str,
    /// Every path a rule refers to (each resolved at most once per frame);
    /// the empty path is the frame itself.
    pub paths: &'static [&'static [Seg]],
    /// The messages, in declaration order (the variant index is the position).
    pub candidates: &'static [Candidate],
}

impl Table {
    /// Decodes a text frame: selects the candidate(s) by probing `frame`,
    /// then calls `decode(variant_index, frame)` for the chosen one (or, on
    /// ties, for each in turn until one succeeds).
    pub fn decode_str<T>(
        &self,
        frame: &str,
        decode: impl Fn(usize, &str) -> Result<T, serde_json::Error>,
    ) -> Result<T, DecodeError> {
        let _ = (frame, decode);
        unimplemented!("HELPER")
    }

    /// Decodes an already-parsed value, with the same rules as
    /// [`Table::decode_str`]; `decode` gets the variant index and the value.
    pub fn decode_value<T>(
        &self,
        value: &serde_json::Value,
        decode: impl Fn(usize, &serde_json::Value) -> Result<T, serde_json::Error>,
    ) -> Result<T, DecodeError> {
        let _ = (value, decode);
        unimplemented!("HELPER")
    }
}

/// A frame that could not be decoded into a message enum: the frame, and why.
///
/// Its `Display` names the enum, quotes the frame (shortened when long), and
/// says what the frame carried and why each candidate was ruled out, e.g.
/// ``frame {"event":"pingx"} is no ServerMessage: /event is "pingx"; Ping: /event is not "ping"; Pong: ...``.
#[derive(Debug)]
pub struct DecodeError {
    // HELPER: fields of your choice; keep the whole frame (owned), the enum
    // name, and a reason (malformed JSON with serde_json's line/column; no
    // candidate matched, with the carried discriminating values and each
    // candidate's failed test; the chosen candidate(s) failed to decode,
    // with serde_json's error).
}

impl DecodeError {
    /// The frame as received (whole, not shortened).
    pub fn frame(&self) -> &str {
        unimplemented!("HELPER")
    }

    /// The name of the enum the frame was decoded into.
    pub fn enum_name(&self) -> &str {
        unimplemented!("HELPER")
    }

    /// Whether the frame is not even JSON (as opposed to JSON that is no
    /// message of the enum).
    pub fn is_malformed(&self) -> bool {
        unimplemented!("HELPER")
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
        unimplemented!("HELPER")
    }
}

impl std::error::Error for DecodeError {}
