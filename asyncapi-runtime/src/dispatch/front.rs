//! Reading an array frame's elements from its start: Kraken's
//! `[channelID, {"a": ...}, ...]` is told a book update from a snapshot by
//! the first byte and first key of its payload, without reading the rest.

use super::scan::{container_end, skip_ws, string, token_end};
use super::val::{is_ws, scalar, Keys, Val};

/// Reads the elements of an array frame from its start, one at a time:
/// strings and scalars, and containers by their kind (an object with its
/// first key). A container is stepped over only if the element after it is
/// asked for.
///
/// The frame must be JSON for what it reads to be right; it is not
/// validated here, as the chosen message's decoding validates it.
pub struct Front<'a> {
    text: &'a str,
    /// The next byte to read.
    at: usize,
    /// Whether an element was read (the next one follows a comma).
    started: bool,
    /// The array's end was reached.
    done: bool,
    /// A container starts at `at` that was named, not stepped over.
    pending: bool,
}

impl<'a> Front<'a> {
    /// A reader at the start of the array frame `frame` (`None` if it does
    /// not start with `[`).
    #[inline]
    pub fn new(frame: &'a str) -> Option<Self> {
        let start = frame.bytes().position(|b| !is_ws(b))?;
        (frame.as_bytes()[start] == b'[').then_some(Front {
            text: frame,
            at: start + 1,
            started: false,
            done: false,
            pending: false,
        })
    }

    /// The next element ([`Val::Absent`] once the array's end is reached):
    /// an array as `Val::Array(None)` unless it is empty, an object with
    /// its first key among `asked` (its other keys not read). `None` where
    /// the reader gives up (text that is no JSON).
    #[inline]
    pub fn next(&mut self, asked: &[&str]) -> Option<Val<'a>> {
        if self.done {
            return Some(Val::Absent);
        }
        if self.pending {
            self.pending = false;
            self.at = container_end(self.text.as_bytes(), self.at)?.0;
        }
        let bytes = self.text.as_bytes();
        let mut at = skip_ws(bytes, self.at);
        let next = *bytes.get(at)?;
        if next == b']' {
            self.done = true;
            return Some(Val::Absent);
        }
        if self.started {
            if next != b',' {
                return None;
            }
            at = skip_ws(bytes, at + 1);
        }
        self.started = true;
        let (end, val) = match *bytes.get(at)? {
            b'"' => {
                let (end, s) = string(self.text, at)?;
                (end, Val::Str(s))
            }
            b'[' => {
                let inside = skip_ws(bytes, at + 1);
                if bytes.get(inside) == Some(&b']') {
                    (inside + 1, Val::Array(Some(0)))
                } else {
                    self.pending = true;
                    (at, Val::Array(None))
                }
            }
            b'{' => {
                let inside = skip_ws(bytes, at + 1);
                let mut keys = Keys::default();
                match *bytes.get(inside)? {
                    b'}' => {
                        keys.complete = true;
                        (inside + 1, Val::Object(Some(keys)))
                    }
                    b'"' => {
                        let (_, key) = string(self.text, inside)?;
                        keys.note(&key, asked);
                        self.pending = true;
                        (at, Val::Object(Some(keys)))
                    }
                    _ => return None,
                }
            }
            _ => {
                let end = token_end(bytes, at);
                (end, scalar(self.text.get(at..end)?)?)
            }
        };
        self.at = end;
        Some(val)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::Num;

    #[test]
    fn elements_are_read_from_the_start() {
        let frame = r#" [ 1234 , {"b":[["1","2"]],"c":"97"}, [], {"a\u0073" : 1}, ["x"], "p\"q", {}, -1.5e3,true,null ] "#;
        let mut front = Front::new(frame).unwrap();
        let asked = &["a", "b", "as"];
        assert_eq!(front.next(asked), Some(Val::Number(Num("1234"))));
        let first_key = Keys {
            present: 0b10,
            other: false,
            complete: false,
        };
        assert_eq!(front.next(asked), Some(Val::Object(Some(first_key))));
        assert_eq!(front.next(asked), Some(Val::Array(Some(0))));
        let escaped = Keys {
            present: 0b100,
            ..Keys::default()
        };
        assert_eq!(front.next(asked), Some(Val::Object(Some(escaped))));
        assert_eq!(front.next(asked), Some(Val::Array(None)));
        assert_eq!(front.next(asked), Some(Val::Str("p\"q".into())));
        let empty = Keys {
            complete: true,
            ..Keys::default()
        };
        assert_eq!(front.next(asked), Some(Val::Object(Some(empty))));
        assert_eq!(front.next(asked), Some(Val::Number(Num("-1.5e3"))));
        assert_eq!(front.next(asked), Some(Val::Bool(true)));
        assert_eq!(front.next(asked), Some(Val::Null));
        assert_eq!(front.next(asked), Some(Val::Absent));
        assert_eq!(front.next(asked), Some(Val::Absent));
        let mut front = Front::new("[]").unwrap();
        assert_eq!(front.next(&[]), Some(Val::Absent));
    }

    #[test]
    fn containers_are_stepped_over_strings_and_all() {
        let frame = r#"[{"a":[["]","\"}\\",{}]],"c":"9"},["x",[]],{} ,true]"#;
        let mut front = Front::new(frame).unwrap();
        assert!(matches!(front.next(&[]), Some(Val::Object(Some(_)))));
        assert_eq!(front.next(&[]), Some(Val::Array(None)));
        assert!(matches!(front.next(&[]), Some(Val::Object(Some(keys))) if keys.complete));
        assert_eq!(front.next(&[]), Some(Val::Bool(true)));
        assert_eq!(front.next(&[]), Some(Val::Absent));
    }

    #[test]
    fn what_is_no_json_is_given_up() {
        assert!(Front::new(r#"{"a":1}"#).is_none());
        assert!(Front::new("").is_none());
        for frame in [
            r#"[1 2]"#,
            r#"["a]"#,
            "[",
            "[1,",
            r#"[{"a":1]"#,
            "[nope]",
            "[{1}]",
            r#"[{"a":"\"}]"#,
            r#"[{"a":1}}]"#,
        ] {
            let mut front = Front::new(frame).unwrap();
            let read: Option<Vec<Val>> = (0..3).map(|_| front.next(&[])).collect();
            assert!(read.is_none(), "{frame}: {read:?}");
        }
    }
}
