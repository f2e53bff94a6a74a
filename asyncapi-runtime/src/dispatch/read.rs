//! Reading the few values that decide a frame's message, without decoding
//! the frame: an object's members by key (through serde_json, skipping the
//! other members), and an array's elements from its end (a short backward
//! read, so that Kraken's `[channelID, {...}, "book-10", "XBT/USD"]` is
//! told by its last elements without reading its payload).
//!
//! Generated selection code asks these readers for [`Val`]s and matches on
//! them. Whatever they cannot read cheaply they leave to the slow path
//! (`None`), which parses the frame with serde_json.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// What a selection reads at one place of a frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    /// Nothing there: a missing member, or a position past the array's start.
    Absent,
    /// `null`
    Null,
    /// `true`/`false`
    Bool(bool),
    /// A number.
    Number(Num<'a>),
    /// A string, unescaped.
    Str(Cow<'a, str>),
    /// An array of this many elements.
    Array(usize),
    /// An object, and which of the keys asked about it has (`None`: not read).
    Object(Option<Keys>),
}

/// A number as read: its JSON text, or parsed by serde_json.
#[derive(Debug, Clone, PartialEq)]
pub enum Num<'a> {
    /// The number's text, read from the end of an array.
    Text(&'a str),
    /// The number as serde_json read it.
    Parsed(serde_json::Number),
}

impl Num<'_> {
    /// Whether it equals the number literal `lit` (by value: `1` and `1.0`
    /// are equal).
    pub fn equals(&self, lit: &crate::dispatch::Lit) -> bool {
        let number = match self {
            Num::Text(text) => match serde_json::from_str::<serde_json::Value>(text) {
                Ok(value) => value,
                Err(_) => return false,
            },
            Num::Parsed(number) => serde_json::Value::Number(number.clone()),
        };
        lit.matches(&number)
    }
}

/// Which of the keys a reader was asked about an object has (bit `i` for
/// the `i`-th key), and whether it has any other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Keys {
    /// Bit `i`: the object has the `i`-th key asked about.
    pub present: u64,
    /// The object has a key that was not asked about.
    pub other: bool,
}

impl Keys {
    /// Whether the object has no keys but those of the mask `allowed`.
    #[inline]
    pub fn only(&self, allowed: u64) -> bool {
        !self.other && self.present & !allowed == 0
    }

    fn note(&mut self, key: &str, asked: &[&str]) {
        match asked.iter().position(|k| *k == key) {
            Some(i) if i < 64 => self.present |= 1 << i,
            _ => self.other = true,
        }
    }
}

/// The first byte of the frame that is not whitespace (`0` if none): `{`
/// for an object, `[` for an array.
#[inline]
pub fn first_byte(frame: &str) -> u8 {
    frame.bytes().find(|b| !is_ws(*b)).unwrap_or_default()
}

#[inline]
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// Reads the members with the `asked` keys of an object frame, and which
/// keys it has; `None` if the frame is no object or serde_json finds fault
/// with it before its end (what follows the object is not checked: the
/// frame is decoded by serde_json afterwards anyway).
pub fn members<'a, const N: usize>(
    frame: &'a str,
    asked: &[&str; N],
) -> Option<([Val<'a>; N], Keys)> {
    let mut de = serde_json::Deserializer::from_str(frame);
    de.deserialize_map(MembersVisitor { asked }).ok()
}

struct MembersVisitor<'k, const N: usize> {
    asked: &'k [&'k str; N],
}

impl<'de, const N: usize> Visitor<'de> for MembersVisitor<'_, N> {
    type Value = ([Val<'de>; N], Keys);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut values = std::array::from_fn(|_| Val::Absent);
        let mut keys = Keys::default();
        while let Some(found) = map.next_key_seed(KeySeed { asked: self.asked })? {
            match found {
                Some(i) => {
                    keys.present |= 1 << i;
                    values[i] = map.next_value_seed(ValSeed)?;
                }
                None => {
                    keys.other = true;
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok((values, keys))
    }
}

/// A key, as its position among the asked keys (at most 64).
struct KeySeed<'k> {
    asked: &'k [&'k str],
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.asked.iter().take(64).position(|k| *k == key))
    }
}

/// Reads a value as a [`Val`] (containers skipped; arrays counted).
struct ValSeed;

impl<'de> DeserializeSeed<'de> for ValSeed {
    type Value = Val<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValSeed {
    type Value = Val<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Val::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Val::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Val::Number(Num::Parsed(v.into())))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Val::Number(Num::Parsed(v.into())))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Val::Null, |n| Val::Number(Num::Parsed(n))))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Val::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Val::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut len = 0;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            len += 1;
        }
        Ok(Val::Array(len))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Val::Object(None))
    }
}

/// Reads the elements of an array frame from its end backward, one at a
/// time: strings, scalars, and containers (counted, or with the keys asked
/// about) that it steps over.
///
/// The frame must be JSON for what it reads to be right; it is not
/// validated here, as the chosen message's decoding validates it.
pub struct Tail<'a> {
    text: &'a str,
    /// Everything before this byte is unread.
    end: usize,
    /// Whether an element was read (the next one is preceded by a comma).
    started: bool,
    /// The array's start was reached.
    done: bool,
}

impl<'a> Tail<'a> {
    /// A reader at the end of the array frame `frame` (`None` if it does
    /// not end with `]`).
    #[inline]
    pub fn new(frame: &'a str) -> Option<Self> {
        let end = frame.trim_end_matches([' ', '\n', '\r', '\t']).len();
        (end > 0 && frame.as_bytes()[end - 1] == b']').then_some(Tail {
            text: frame,
            end: end - 1,
            started: false,
            done: false,
        })
    }

    /// The next element from the end ([`Val::Absent`] once the array's
    /// start is reached); objects with which of `asked` keys they have.
    /// `None` where the reader gives up (a key with escapes, or text that is
    /// no JSON).
    #[inline]
    pub fn next(&mut self, asked: &[&str]) -> Option<Val<'a>> {
        if self.done {
            return Some(Val::Absent);
        }
        let bytes = self.text.as_bytes();
        let mut end = self.skip_ws(self.end);
        let before = *bytes.get(end.checked_sub(1)?)?;
        if before == b'[' {
            self.done = true;
            return Some(Val::Absent);
        }
        if self.started {
            if before != b',' {
                return None;
            }
            end = self.skip_ws(end - 1);
        }
        self.started = true;
        let last = *bytes.get(end.checked_sub(1)?)?;
        let (start, val) = match last {
            b'"' => {
                let open = opening_quote(bytes, end - 1)?;
                let raw = &self.text[open + 1..end - 1];
                let s = if raw.contains('\\') {
                    Cow::Owned(serde_json::from_str::<String>(&self.text[open..end]).ok()?)
                } else {
                    Cow::Borrowed(raw)
                };
                (open, Val::Str(s))
            }
            b']' | b'}' => container_start(self.text, end - 1, asked)?,
            _ => {
                let start = bytes[..end]
                    .iter()
                    .rposition(|b| matches!(b, b',' | b'[') || is_ws(*b))
                    .map_or(0, |i| i + 1);
                let token = &self.text[start..end];
                let val = match token {
                    "true" => Val::Bool(true),
                    "false" => Val::Bool(false),
                    "null" => Val::Null,
                    _ if token.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => {
                        Val::Number(Num::Text(token))
                    }
                    _ => return None,
                };
                (start, val)
            }
        };
        self.end = start;
        Some(val)
    }

    /// The index just past the last byte before `end` that is no whitespace.
    #[inline]
    fn skip_ws(&self, end: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut end = end;
        while end > 0 && is_ws(bytes[end - 1]) {
            end -= 1;
        }
        end
    }
}

/// The index of the quote that opens the string whose closing quote is at
/// `close`: the previous quote not escaped by an odd run of backslashes.
fn opening_quote(bytes: &[u8], close: usize) -> Option<usize> {
    let mut at = close;
    loop {
        at = bytes[..at].iter().rposition(|b| *b == b'"')?;
        let backslashes = bytes[..at]
            .iter()
            .rev()
            .take_while(|b| **b == b'\\')
            .count();
        if backslashes % 2 == 0 {
            return Some(at);
        }
    }
}

/// Steps backward over the container whose closing bracket is at `close`:
/// where it starts, and what it is (an array with its length, an object
/// with which of `asked` keys it has).
fn container_start<'a>(text: &'a str, close: usize, asked: &[&str]) -> Option<(usize, Val<'a>)> {
    let bytes = text.as_bytes();
    let object = bytes[close] == b'}';
    let mut depth = 0usize;
    let mut keys = Keys::default();
    let mut commas = 0usize;
    let mut empty = true;
    // The last byte read that is no whitespace: what follows, in the text.
    let mut after = 0u8;
    let mut at = close + 1;
    while at > 0 {
        at -= 1;
        let b = bytes[at];
        match b {
            b'"' => {
                let open = opening_quote(bytes, at)?;
                if depth == 1 {
                    empty = false;
                    if object && after == b':' {
                        let key = &text[open + 1..at];
                        if key.contains('\\') {
                            return None;
                        }
                        keys.note(key, asked);
                    }
                }
                at = open;
            }
            b']' | b'}' => {
                if depth == 1 {
                    empty = false;
                }
                depth += 1;
            }
            b'[' | b'{' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    let val = if object {
                        Val::Object(Some(keys))
                    } else {
                        Val::Array(if empty { 0 } else { commas + 1 })
                    };
                    return Some((at, val));
                }
            }
            b',' if depth == 1 => commas += 1,
            b if is_ws(b) => continue,
            _ if depth == 1 => empty = false,
            _ => {}
        }
        after = b;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tail(frame: &str, n: usize, asked: &[&str]) -> Option<Vec<Val<'static>>> {
        let frame: &'static str = Box::leak(frame.to_owned().into_boxed_str());
        let mut t = Tail::new(frame)?;
        (0..n).map(|_| t.next(asked)).collect()
    }

    #[test]
    fn tails_are_read_backward() {
        let frame =
            r#"[1234, {"a":[["5541.3","2.5","1.4","r"]],"c":"97"} ,"book-10" , "XBT\/USD"] "#;
        let vals = tail(frame, 5, &["a", "b", "c"]).unwrap();
        assert_eq!(vals[0], Val::Str("XBT/USD".to_owned().into()));
        assert_eq!(vals[1], Val::Str("book-10".into()));
        assert_eq!(
            vals[2],
            Val::Object(Some(Keys {
                present: 0b101,
                other: false
            }))
        );
        assert_eq!(vals[3], Val::Number(Num::Text("1234")));
        assert_eq!(vals[4], Val::Absent);
        let vals = tail(r#"[[1,[2,3],{"x":"]"}],"a\\",true,null,[]]"#, 6, &[]).unwrap();
        assert_eq!(vals[0], Val::Array(0));
        assert_eq!(vals[1], Val::Null);
        assert_eq!(vals[2], Val::Bool(true));
        assert_eq!(vals[3], Val::Str("a\\".to_owned().into()));
        assert_eq!(vals[4], Val::Array(3));
        assert_eq!(vals[5], Val::Absent);
        let vals = tail(r#"[{"k":"v\"}","z":{"a":2}}]"#, 2, &["z"]).unwrap();
        assert_eq!(vals[1], Val::Absent);
        assert!(matches!(
            vals[0],
            Val::Object(Some(Keys {
                present: 1,
                other: true
            }))
        ));
        // Keys with escapes are left to the slow path.
        assert!(tail(r#"[{"k\"}":1}]"#, 1, &[]).is_none());
        assert_eq!(tail("[]", 2, &[]).unwrap(), [Val::Absent, Val::Absent]);
        assert!(tail("{}", 1, &[]).is_none());
        assert!(tail(r#"[1 2]"#, 2, &[]).is_none());
        assert!(tail(r#"["a]"#, 1, &[]).is_none());
    }

    #[test]
    fn members_are_read_by_key() {
        let (vals, keys) = members(
            r#"{"x":[1,2],"event":"p\u0069ng","n":1.5,"o":{"a":1}}"#,
            &["event", "x", "o", "none"],
        )
        .unwrap();
        assert_eq!(vals[0], Val::Str("ping".into()));
        assert_eq!(vals[1], Val::Array(2));
        assert_eq!(vals[2], Val::Object(None));
        assert_eq!(vals[3], Val::Absent);
        assert_eq!(
            keys,
            Keys {
                present: 0b111,
                other: true
            }
        );
        assert!(members("[1]", &["a"]).is_none());
        assert!(members(r#"{"a":}"#, &["a"]).is_none());
        assert_eq!(first_byte(" \n[1]"), b'[');
        assert_eq!(first_byte("  "), 0);
    }
}
