//! Reading an array frame's elements from its end backward, without
//! decoding the frame, so that Kraken's
//! `[channelID, {...}, "book-10", "XBT/USD"]` is told by its last elements
//! without reading its payload.

use super::scan::previous_quote;
use super::val::{is_ws, scalar, Keys, Val};
use std::borrow::Cow;

/// Reads the elements of an array frame from its end backward, one at a
/// time: strings and scalars, and containers by their kind, read from
/// their last byte. What precedes a container is not read: the reader
/// gives up there (the generated pick reads no further from the end than
/// the first place that may hold a container).
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
    /// The element that ends at `end` is a container that was named, not
    /// stepped over.
    pending: bool,
}

impl<'a> Tail<'a> {
    /// A reader at the end of the array frame `frame` (`None` if it does
    /// not end with `]`).
    #[inline]
    pub fn new(frame: &'a str) -> Option<Self> {
        let end = skip_ws_back(frame.as_bytes(), frame.len());
        (end > 0 && frame.as_bytes()[end - 1] == b']').then_some(Tail {
            text: frame,
            end: end - 1,
            started: false,
            done: false,
            pending: false,
        })
    }

    /// The next element from the end ([`Val::Absent`] once the array's
    /// start is reached): a container only by its kind (`Val::Array(None)`,
    /// `Val::Object(None)`, unless it is empty). `None` where the reader
    /// gives up: text that is no JSON, or an element before a non-empty
    /// container.
    #[inline]
    pub fn next_kind(&mut self) -> Option<Val<'a>> {
        if self.done {
            return Some(Val::Absent);
        }
        if self.pending {
            return None;
        }
        let bytes = self.text.as_bytes();
        let mut end = skip_ws_back(bytes, self.end);
        let before = *bytes.get(end.checked_sub(1)?)?;
        if before == b'[' {
            self.done = true;
            return Some(Val::Absent);
        }
        if self.started {
            if before != b',' {
                return None;
            }
            end = skip_ws_back(bytes, end - 1);
        }
        self.started = true;
        let last = *bytes.get(end.checked_sub(1)?)?;
        let (start, val) = match last {
            b'"' => {
                // The previous quote opens the string if no backslash comes
                // between or before it; else the string has escapes.
                let close = end - 1;
                match previous_quote(bytes, close) {
                    Some(open) if bytes[open] == b'"' && open > 0 && bytes[open - 1] != b'\\' => (
                        open,
                        Val::Str(Cow::Borrowed(self.text.get(open + 1..close)?)),
                    ),
                    _ => {
                        let open = opening_quote(bytes, close)?;
                        let s = serde_json::from_str::<String>(self.text.get(open..end)?).ok()?;
                        (open, Val::Str(Cow::Owned(s)))
                    }
                }
            }
            b']' | b'}' => {
                let inside = skip_ws_back(bytes, end - 1);
                let empty = inside > 0 && matches!(bytes[inside - 1], b'[' | b'{');
                self.pending = !empty;
                let val = match (last, empty) {
                    (b']', true) => Val::Array(Some(0)),
                    (b']', false) => Val::Array(None),
                    (_, true) => Val::Object(Some(Keys {
                        complete: true,
                        ..Keys::default()
                    })),
                    (_, false) => Val::Object(None),
                };
                (if empty { inside - 1 } else { end }, val)
            }
            _ => {
                let start = bytes[..end]
                    .iter()
                    .rposition(|b| matches!(b, b',' | b'[') || is_ws(*b))
                    .map_or(0, |i| i + 1);
                (start, scalar(&self.text[start..end])?)
            }
        };
        self.end = start;
        Some(val)
    }
}

/// The index just past the last byte before `end` that is no whitespace.
#[inline]
fn skip_ws_back(bytes: &[u8], end: usize) -> usize {
    let mut end = end;
    while end > 0 && is_ws(bytes[end - 1]) {
        end -= 1;
    }
    end
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::Num;

    fn tail(frame: &str, n: usize) -> Option<Vec<Val<'_>>> {
        let mut t = Tail::new(frame)?;
        (0..n).map(|_| t.next_kind()).collect()
    }

    #[test]
    fn tails_are_read_backward() {
        let frame = r#"[1234, "a\\",true,null,[] , {}, -1.5e3 ,"book-10" , "XBT\/USD"] "#;
        let empty = Keys {
            complete: true,
            ..Keys::default()
        };
        assert_eq!(
            tail(frame, 10).unwrap(),
            [
                Val::Str("XBT/USD".to_owned().into()),
                Val::Str("book-10".into()),
                Val::Number(Num("-1.5e3")),
                Val::Object(Some(empty)),
                Val::Array(Some(0)),
                Val::Null,
                Val::Bool(true),
                Val::Str("a\\".to_owned().into()),
                Val::Number(Num("1234")),
                Val::Absent,
            ]
        );
        assert_eq!(tail("[]", 2).unwrap(), [Val::Absent, Val::Absent]);
        assert!(tail("{}", 1).is_none());
        assert!(tail(r#"[1 2]"#, 2).is_none());
        assert!(tail(r#"["a]"#, 1).is_none());
        assert!(tail("}]", 2).is_none());
    }

    #[test]
    fn containers_are_named_by_their_last_byte_and_never_crossed() {
        let frame = r#"[1, {"a":["]"]} ,[2,3],"book-10"]"#;
        let mut t = Tail::new(frame).unwrap();
        assert_eq!(t.next_kind(), Some(Val::Str("book-10".into())));
        assert_eq!(t.next_kind(), Some(Val::Array(None)));
        assert_eq!(t.next_kind(), None);
        let mut t = Tail::new(r#"[1, {"a":1}]"#).unwrap();
        assert_eq!(t.next_kind(), Some(Val::Object(None)));
        assert_eq!(t.next_kind(), None);
    }
}
