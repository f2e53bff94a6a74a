//! What generated selection code reads at one place of a frame ([`Val`]),
//! and how it turns what it read into the messages picked ([`done`]).

use std::borrow::Cow;

/// What a selection reads at one place of a frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    /// Nothing there: a missing member, or a position past the array's end.
    Absent,
    /// `null`
    Null,
    /// `true`/`false`
    Bool(bool),
    /// A number.
    Number(Num<'a>),
    /// A string, unescaped.
    Str(Cow<'a, str>),
    /// An array, and how many elements it has (`None`: not counted).
    Array(Option<usize>),
    /// An object, and which of the keys asked about it has (`None`: not read).
    Object(Option<Keys>),
}

/// A number as read: its JSON text.
#[derive(Debug, Clone, PartialEq)]
pub struct Num<'a>(pub &'a str);

impl Num<'_> {
    /// Whether it equals the number literal `lit` (by value: `1` and `1.0`
    /// are equal).
    pub fn equals(&self, lit: &crate::dispatch::Lit) -> bool {
        serde_json::from_str::<serde_json::Value>(self.0).is_ok_and(|number| lit.matches(&number))
    }
}

/// Which of the keys a reader was asked about an object has (bit `i` for
/// the `i`-th key), whether it has any other, and whether that is all of
/// its keys or only the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Keys {
    /// Bit `i`: the object has the `i`-th key asked about.
    pub present: u64,
    /// The object has a key that was not asked about.
    pub other: bool,
    /// Every key of the object was read (else only its first).
    pub complete: bool,
}

impl Keys {
    /// Whether the object may have the key of the mask `key` (it does, or
    /// its other keys were not read).
    #[inline]
    pub fn has(&self, key: u64) -> bool {
        self.present & key != 0 || !self.complete
    }

    /// Whether the object may have no keys but those of the mask `allowed`
    /// (none read is another).
    #[inline]
    pub fn only(&self, allowed: u64) -> bool {
        !self.other && self.present & !allowed == 0
    }

    /// Notes that the object has `key`.
    pub(super) fn note(&mut self, key: &str, asked: &[&str]) {
        match position(asked, key) {
            Some(i) if i < 64 => self.present |= 1 << i,
            _ => self.other = true,
        }
    }
}

/// The position of `key` among `asked` (keys are short: compared byte by
/// byte rather than by a `memcmp` call each).
#[inline]
pub(super) fn position(asked: &[&str], key: &str) -> Option<usize> {
    let first = key.as_bytes().first();
    asked.iter().position(|k| {
        k.as_bytes().first() == first && k.len() == key.len() && k.bytes().eq(key.bytes())
    })
}

/// A number, `true`, `false` or `null` by its JSON text (`None` if it is
/// none of them).
#[inline]
pub(super) fn scalar(token: &str) -> Option<Val<'_>> {
    match token.as_bytes().first()? {
        b'-' | b'0'..=b'9' => Some(Val::Number(Num(token))),
        _ => match token {
            "true" => Some(Val::Bool(true)),
            "false" => Some(Val::Bool(false)),
            "null" => Some(Val::Null),
            _ => None,
        },
    }
}

/// The first byte of the frame that is not whitespace (`0` if none): `{`
/// for an object, `[` for an array.
#[inline]
pub fn first_byte(frame: &str) -> u8 {
    frame.bytes().find(|b| !is_ws(*b)).unwrap_or_default()
}

/// JSON whitespace.
#[inline]
pub(super) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// The message to decode, once reading on can tell no more, else `None`.
///
/// `m` is the mask of the messages the frame may be. Some messages have
/// tests that decoding their payload type does not make (a place that must
/// be an object: serde's derive also reads a struct from an array; an
/// array's bounds: a `Vec` takes any length). `unread` is the mask of the
/// messages with such a test not read yet, and `later` those of them whose
/// tests a later read of the selection reads. Reading on is over when no
/// message of `m` is in `later` and at most one message is left to decode:
/// those of `m` before the first one in `unread` ([`trim`]); the slow path,
/// which checks every test, finds the others.
#[inline]
pub fn done(m: u64, unread: u64, later: u64) -> Option<u64> {
    if m & later != 0 {
        return None;
    }
    let picked = trim(m, unread);
    (picked & picked.wrapping_sub(1) == 0).then_some(picked)
}

/// `m` without its messages from the first one in `unread` on.
#[inline]
pub fn trim(m: u64, unread: u64) -> u64 {
    let first = m & unread;
    if first == 0 {
        m
    } else {
        m & ((first & first.wrapping_neg()) - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_in_part_leave_required_keys_possible() {
        let first = Keys {
            present: 0b10,
            other: false,
            complete: false,
        };
        assert!(first.has(0b10) && first.has(0b1));
        assert!(first.only(0b110) && !first.only(0b1));
        let all = Keys {
            complete: true,
            ..first
        };
        assert!(all.has(0b10) && !all.has(0b1));
        let other = Keys {
            present: 0,
            other: true,
            complete: false,
        };
        assert!(!other.only(u64::MAX) && other.has(0b1));
    }

    #[test]
    fn messages_after_an_unread_test_are_left_to_the_slow_path() {
        assert_eq!(trim(0b1110, 0), 0b1110);
        assert_eq!(trim(0b1110, 0b0100), 0b0010);
        assert_eq!(trim(0b1110, 0b0001), 0b1110);
        assert_eq!(trim(0b0100, 0b0100), 0);
        // Still to be read later: not done.
        assert_eq!(done(0b0110, 0b0100, 0b0100), None);
        assert_eq!(done(0b0110, 0b0100, 0), Some(0b0010));
        // Two left.
        assert_eq!(done(0b0110, 0, 0), None);
        assert_eq!(done(0, 0, 0), Some(0));
    }
}
