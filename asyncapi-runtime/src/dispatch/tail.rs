//! Reading an array frame's elements from its end backward, without
//! decoding the frame, so that Kraken's
//! `[channelID, {...}, "book-10", "XBT/USD"]` is told by its last elements
//! without reading its payload.

use super::scan::previous_quote;
use super::val::{is_ws, scalar, Keys, Val};
use std::borrow::Cow;

/// Reads the elements of an array frame from its end backward, one at a
/// time: strings, scalars, and containers, which it either steps over
/// (counted, or with the keys asked about: [`Tail::next`]) or only names
/// ([`Tail::next_kind`], stepping over them only if asked for the element
/// before them).
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
        let bytes = frame.as_bytes();
        let mut end = bytes.len();
        while end > 0 && is_ws(bytes[end - 1]) {
            end -= 1;
        }
        (end > 0 && bytes[end - 1] == b']').then_some(Tail {
            text: frame,
            end: end - 1,
            started: false,
            done: false,
            pending: false,
        })
    }

    /// The next element from the end ([`Val::Absent`] once the array's
    /// start is reached): arrays counted, objects with which of `asked`
    /// keys they have. `None` where the reader gives up (a key with
    /// escapes, or text that is no JSON).
    #[inline]
    pub fn next(&mut self, asked: &[&str]) -> Option<Val<'a>> {
        self.read(Some(asked))
    }

    /// The next element from the end, like [`Tail::next`], but a container
    /// only by its kind (`Val::Array(None)`, `Val::Object(None)`, unless it
    /// is empty), read from its last byte: what precedes it is not read
    /// unless asked for.
    #[inline]
    pub fn next_kind(&mut self) -> Option<Val<'a>> {
        self.read(None)
    }

    #[inline]
    fn read(&mut self, asked: Option<&[&str]>) -> Option<Val<'a>> {
        if self.done {
            return Some(Val::Absent);
        }
        if self.pending {
            self.pending = false;
            self.end = container_start(self.text, self.end.checked_sub(1)?, &[])?.0;
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
            b']' | b'}' => match asked {
                Some(asked) => container_start(self.text, end - 1, asked)?,
                None => {
                    let inside = self.skip_ws(end - 1);
                    let empty = inside > 0 && matches!(bytes[inside - 1], b'[' | b'{');
                    let val = match (last, empty) {
                        (b']', true) => Val::Array(Some(0)),
                        (b']', false) => Val::Array(None),
                        (_, true) => Val::Object(Some(Keys {
                            complete: true,
                            ..Keys::default()
                        })),
                        (_, false) => Val::Object(None),
                    };
                    if empty {
                        (inside - 1, val)
                    } else {
                        self.pending = true;
                        (end, val)
                    }
                }
            },
            _ => {
                let start = bytes[..end]
                    .iter()
                    .rposition(|b| matches!(b, b',' | b'[') || is_ws(*b))
                    .map_or(0, |i| i + 1);
                let token = &self.text[start..end];
                let val = scalar(token)?;
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
    let mut keys = Keys {
        complete: true,
        ..Keys::default()
    };
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
                        Val::Array(Some(if empty { 0 } else { commas + 1 }))
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
    use crate::dispatch::Num;

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
                other: false,
                complete: true,
            }))
        );
        assert_eq!(vals[3], Val::Number(Num("1234")));
        assert_eq!(vals[4], Val::Absent);
        let vals = tail(r#"[[1,[2,3],{"x":"]"}],"a\\",true,null,[]]"#, 6, &[]).unwrap();
        assert_eq!(vals[0], Val::Array(Some(0)));
        assert_eq!(vals[1], Val::Null);
        assert_eq!(vals[2], Val::Bool(true));
        assert_eq!(vals[3], Val::Str("a\\".to_owned().into()));
        assert_eq!(vals[4], Val::Array(Some(3)));
        assert_eq!(vals[5], Val::Absent);
        let vals = tail(r#"[{"k":"v\"}","z":{"a":2}}]"#, 2, &["z"]).unwrap();
        assert_eq!(vals[1], Val::Absent);
        assert!(matches!(
            vals[0],
            Val::Object(Some(Keys {
                present: 1,
                other: true,
                complete: true,
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
    fn containers_are_named_by_their_last_byte() {
        let frame = r#"[1, {"a":["]"]} ,{"b":[1]}, [ ] ,[2,3],"book-10","XBT/USD"]"#;
        let mut t = Tail::new(frame).unwrap();
        assert_eq!(t.next_kind(), Some(Val::Str("XBT/USD".into())));
        assert_eq!(t.next_kind(), Some(Val::Str("book-10".into())));
        assert_eq!(t.next_kind(), Some(Val::Array(None)));
        assert_eq!(t.next_kind(), Some(Val::Array(Some(0))));
        assert_eq!(t.next_kind(), Some(Val::Object(None)));
        // Stepped over when the element before is asked for.
        assert!(matches!(t.next(&["a"]), Some(Val::Object(Some(keys))) if keys.present == 1));
        assert_eq!(t.next_kind(), Some(Val::Number(Num("1"))));
        assert_eq!(t.next_kind(), Some(Val::Absent));
        let mut t = Tail::new("[{}]").unwrap();
        assert!(
            matches!(t.next_kind(), Some(Val::Object(Some(keys))) if keys.complete && keys.present == 0)
        );
        assert_eq!(t.next_kind(), Some(Val::Absent));
        // Not JSON: the reader gives up.
        let mut t = Tail::new(r#"[{"a":1}}]"#).unwrap();
        assert_eq!(t.next_kind(), Some(Val::Object(None)));
        assert_eq!(t.next_kind(), None);
    }
}
