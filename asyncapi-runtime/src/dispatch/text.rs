//! Probing a text frame in place: the values at the table's paths as byte
//! offsets into the frame, found by one lazy scan of the top-level container
//! (skipping nested values without looking into them), without building a
//! tree or allocating.
//!
//! The scan checks the structure it walks through (brackets, commas, colons,
//! quotes) but not what it skips; serde_json decodes the frame afterwards and
//! has the last word on syntax. It never panics, never reads out of bounds
//! and never recurses, whatever the input.

use super::select::{show_str, Buf, Malformed, Num, Probe};
use super::{Kind, Lit, Pattern, Seg};
use memchr::{memchr2, memchr3};

/// A string in the frame: the offsets of its quotes.
#[derive(Debug, Clone, Copy)]
struct RawStr {
    open: usize,
    close: usize,
    /// Without backslashes: the bytes between the quotes are the string.
    plain: bool,
}

/// A value in the frame.
#[derive(Debug, Clone, Copy)]
pub(super) struct Val {
    kind: Kind,
    /// Where it starts.
    start: usize,
    /// Strings: the offset of the closing quote; other scalars: where the
    /// token ends; containers: not known (`start`).
    end: usize,
    /// Strings: without backslashes.
    plain: bool,
}

impl Val {
    /// The value starting at `at` (scanning scalars to their end).
    fn at(b: &[u8], at: usize) -> Result<Val, Malformed> {
        let kind = kind_at(b, at)?;
        let (end, plain) = match kind {
            Kind::String => {
                let raw = string_at(b, at)?;
                (raw.close, raw.plain)
            }
            Kind::Object | Kind::Array => (at, true),
            Kind::Null | Kind::Bool | Kind::Number => (scalar_end(b, at), true),
        };
        Ok(Val {
            kind,
            start: at,
            end,
            plain,
        })
    }

    /// Where a scalar ends (after the closing quote of a string).
    fn scalar_end(self) -> Option<usize> {
        match self.kind {
            Kind::String => Some(self.end + 1),
            Kind::Object | Kind::Array => None,
            Kind::Null | Kind::Bool | Kind::Number => Some(self.end),
        }
    }

    fn raw_str(self) -> RawStr {
        RawStr {
            open: self.start,
            close: self.end,
            plain: self.plain,
        }
    }
}

/// What is known of the value at one of the table's paths.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// Not looked for yet.
    Unknown,
    /// Not there.
    Absent,
    /// The value at the first step of the (longer) path starts here.
    Prefix(usize),
    /// There.
    At(Val),
}

/// The scan of the top-level value.
#[derive(Debug, Clone, Copy)]
enum Scan {
    Unopened,
    Open(Walk),
    /// Scanned to the end: an array or object of this many members.
    Done(usize),
    /// The frame is a scalar.
    Scalar,
}

/// A text frame being probed.
pub(super) struct TextProbe<'a> {
    text: &'a str,
    paths: &'static [&'static [Seg]],
    /// Where the top-level value starts (the frame's length if it is blank).
    root: usize,
    scan: Scan,
    slots: Buf<Slot, 16>,
}

impl<'a> TextProbe<'a> {
    #[inline]
    pub(super) fn new(paths: &'static [&'static [Seg]], text: &'a str) -> Self {
        TextProbe {
            text,
            paths,
            root: skip_ws(text.as_bytes(), 0),
            scan: Scan::Unopened,
            slots: Buf::new(paths.len(), Slot::Unknown),
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The value at `path`, if present, when not known yet.
    #[inline(never)]
    fn resolve(&mut self, path: usize) -> Result<Option<Val>, Malformed> {
        let b = self.bytes();
        let segs = self.paths.get(path).copied().ok_or(Malformed)?;
        loop {
            match self.slots[path] {
                Slot::Absent => return Ok(None),
                Slot::At(val) => return Ok(Some(val)),
                Slot::Prefix(at) => {
                    let found = walk(self.text, at, segs.get(1..).unwrap_or(&[]))?;
                    self.slots[path] = match found {
                        Some(at) => Slot::At(Val::at(b, at)?),
                        None => Slot::Absent,
                    };
                }
                Slot::Unknown => {
                    let object = match segs.first() {
                        Some(Seg::Key(_)) => true,
                        Some(Seg::Index(_)) => false,
                        None => {
                            self.slots[path] = Slot::At(Val::at(b, self.root)?);
                            continue;
                        }
                    };
                    if self.open_root(b)? != Some(object) || !self.step_root()? {
                        self.slots[path] = Slot::Absent;
                    }
                }
            }
        }
    }

    /// Opens the scan of the top-level value if not yet; whether it is an
    /// object (`Some(true)`), an array, or a scalar (`None`).
    fn open_root(&mut self, b: &[u8]) -> Result<Option<bool>, Malformed> {
        if let Scan::Unopened = self.scan {
            self.scan = match b.get(self.root) {
                Some(b'{') => Scan::Open(Walk::new(self.root, true)),
                Some(b'[') => Scan::Open(Walk::new(self.root, false)),
                Some(_) => Scan::Scalar,
                None => return Err(Malformed),
            };
        }
        Ok(match b.get(self.root) {
            Some(b'{') => Some(true),
            Some(b'[') => Some(false),
            _ => None,
        })
    }

    /// Scans the next member of the top-level container, recording it for
    /// the paths whose first step it is; `false` when there is none.
    fn step_root(&mut self) -> Result<bool, Malformed> {
        let b = self.bytes();
        let Scan::Open(walk) = &mut self.scan else {
            return Ok(false);
        };
        let Some(member) = walk.next(b)? else {
            self.scan = Scan::Done(walk.index);
            return Ok(false);
        };
        let mut val = None;
        let mut unescaped = None;
        for (slot, segs) in self.slots.iter_mut().zip(self.paths) {
            if !matches!(slot, Slot::Unknown) {
                continue;
            }
            let hit = match (segs.first(), member.key) {
                (Some(Seg::Key(want)), Some(key)) => key_is(self.text, key, want, &mut unescaped)?,
                (Some(Seg::Index(want)), None) => *want == member.index,
                _ => false,
            };
            if hit {
                *slot = if segs.len() == 1 {
                    let val = match val {
                        Some(val) => val,
                        None => *val.insert(Val::at(b, member.value)?),
                    };
                    Slot::At(val)
                } else {
                    Slot::Prefix(member.value)
                };
            }
        }
        // A scalar just read to its end need not be skipped again.
        if let (Some(end), Scan::Open(walk)) = (val.and_then(Val::scalar_end), &mut self.scan) {
            walk.skipped_to(end);
        }
        Ok(true)
    }
}

impl Probe for TextProbe<'_> {
    type Val = Val;

    #[inline]
    fn get(&mut self, path: usize) -> Result<Option<Val>, Malformed> {
        match self.slots.get(path) {
            Some(Slot::At(val)) => Ok(Some(*val)),
            Some(Slot::Absent) => Ok(None),
            _ => self.resolve(path),
        }
    }

    #[inline]
    fn kind(&self, value: Val) -> Kind {
        value.kind
    }

    #[inline]
    fn equals(&self, value: Val, lit: &Lit) -> Result<bool, Malformed> {
        let b = self.bytes();
        Ok(match *lit {
            Lit::Str(want) if value.plain => {
                b.get(value.start + 1..value.end) == Some(want.as_bytes())
            }
            Lit::Str(want) => unescape(self.text, value.raw_str())? == want,
            Lit::Null => b.get(value.start..value.end) == Some(b"null"),
            Lit::Bool(true) => b.get(value.start..value.end) == Some(b"true"),
            Lit::Bool(false) => b.get(value.start..value.end) == Some(b"false"),
            Lit::Int(_) | Lit::UInt(_) | Lit::Float(_) => {
                let token = self.text.get(value.start..value.end).ok_or(Malformed)?;
                Num::parse(token).is_some_and(|n| n.equals(lit))
            }
        })
    }

    fn matches(&self, value: Val, pattern: &Pattern) -> Result<bool, Malformed> {
        Ok(match plain(self.text, value.raw_str()) {
            Some(s) => (pattern.is_match)(s),
            None => (pattern.is_match)(&unescape(self.text, value.raw_str())?),
        })
    }

    fn len(&mut self, value: Val) -> Result<usize, Malformed> {
        let b = self.bytes();
        if value.start == self.root {
            // The top-level array: finish its scan (recording the paths on
            // the way) rather than scan it again.
            self.open_root(b)?;
            while self.step_root()? {}
            if let Scan::Done(len) = self.scan {
                return Ok(len);
            }
        }
        let mut walk = Walk::new(value.start, false);
        while walk.next(b)?.is_some() {}
        Ok(walk.index)
    }

    fn has(&self, value: Val, key: &str) -> Result<bool, Malformed> {
        let mut walk = Walk::new(value.start, true);
        while let Some(member) = walk.next(self.bytes())? {
            if let Some(raw) = member.key {
                if key_is(self.text, raw, key, &mut None)? {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    fn closed(&self, value: Val, allowed: &[&str]) -> Result<bool, Malformed> {
        let mut walk = Walk::new(value.start, true);
        while let Some(member) = walk.next(self.bytes())? {
            if let Some(raw) = member.key {
                let mut unescaped = None;
                let mut known = false;
                for key in allowed {
                    if key_is(self.text, raw, key, &mut unescaped)? {
                        known = true;
                        break;
                    }
                }
                if !known {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    fn extra_key(&self, value: Val, allowed: &[&str]) -> Result<Option<String>, Malformed> {
        let mut walk = Walk::new(value.start, true);
        while let Some(member) = walk.next(self.bytes())? {
            if let Some(raw) = member.key {
                let key = unescape(self.text, raw)?;
                if !allowed.contains(&key.as_str()) {
                    return Ok(Some(key));
                }
            }
        }
        Ok(None)
    }

    fn show(&self, value: Val) -> Result<String, Malformed> {
        Ok(match value.kind {
            Kind::String => show_str(&unescape(self.text, value.raw_str())?),
            Kind::Array => "an array".to_owned(),
            Kind::Object => "an object".to_owned(),
            Kind::Null | Kind::Bool | Kind::Number => {
                let token = self.text.get(value.start..value.end).ok_or(Malformed)?;
                match token.char_indices().nth(40) {
                    Some((cut, _)) => format!("{}…", &token[..cut]),
                    None => token.to_owned(),
                }
            }
        })
    }
}

/// The value at `segs` below the value starting at `at`.
fn walk(text: &str, mut at: usize, segs: &[Seg]) -> Result<Option<usize>, Malformed> {
    let b = text.as_bytes();
    for seg in segs {
        let object = matches!(seg, Seg::Key(_));
        if b.get(at) != Some(if object { &b'{' } else { &b'[' }) {
            return Ok(None);
        }
        let mut members = Walk::new(at, object);
        loop {
            let Some(member) = members.next(b)? else {
                return Ok(None);
            };
            let hit = match (seg, member.key) {
                (Seg::Key(want), Some(key)) => key_is(text, key, want, &mut None)?,
                (Seg::Index(want), None) => *want == member.index,
                _ => false,
            };
            if hit {
                at = member.value;
                break;
            }
        }
    }
    Ok(Some(at))
}

/// The JSON text of the scalar at `segs` in `frame` (e.g. `42` or
/// `"abc"`), if there is one: found by the same scan as the probe, without
/// parsing the rest of the frame. `None` for an absent value, a container,
/// or a frame the scan finds malformed.
pub(crate) fn scalar_at<'a>(frame: &'a str, segs: &[Seg]) -> Option<&'a str> {
    let b = frame.as_bytes();
    let at = walk(frame, skip_ws(b, 0), segs).ok()??;
    let end = Val::at(b, at).ok()?.scalar_end()?;
    frame.get(at..end)
}

/// A member of an array or object: its key (objects), position, and where
/// its value starts.
#[derive(Debug, Clone, Copy)]
struct Member {
    key: Option<RawStr>,
    index: usize,
    value: usize,
}

/// A walk through the members of an array or object, one at a time.
#[derive(Debug, Clone, Copy)]
struct Walk {
    object: bool,
    /// Members seen so far.
    index: usize,
    step: Step,
}

#[derive(Debug, Clone, Copy)]
enum Step {
    /// Just after the opening bracket.
    Start(usize),
    /// The last member's value starts here.
    Value(usize),
    /// The last member's value ends here.
    After(usize),
    Done,
}

impl Walk {
    /// The walk through the container whose opening bracket is at `open`.
    fn new(open: usize, object: bool) -> Self {
        Walk {
            object,
            index: 0,
            step: Step::Start(open.saturating_add(1)),
        }
    }

    /// Notes that the last member's value, a scalar, ends at `end`.
    fn skipped_to(&mut self, end: usize) {
        if let Step::Value(_) = self.step {
            self.step = Step::After(end);
        }
    }

    fn next(&mut self, b: &[u8]) -> Result<Option<Member>, Malformed> {
        let close = if self.object { b'}' } else { b']' };
        let mut i = match self.step {
            Step::Done => return Ok(None),
            Step::Start(i) => {
                let i = skip_ws(b, i);
                if b.get(i) == Some(&close) {
                    self.step = Step::Done;
                    return Ok(None);
                }
                i
            }
            Step::Value(_) | Step::After(_) => {
                let end = match self.step {
                    Step::After(end) => end,
                    Step::Value(value) => skip_value(b, value)?,
                    _ => return Err(Malformed),
                };
                let i = skip_ws(b, end);
                match b.get(i) {
                    Some(b',') => skip_ws(b, i + 1),
                    Some(&c) if c == close => {
                        self.step = Step::Done;
                        return Ok(None);
                    }
                    _ => return Err(Malformed),
                }
            }
        };
        let key = if self.object {
            if b.get(i) != Some(&b'"') {
                return Err(Malformed);
            }
            let key = string_at(b, i)?;
            i = skip_ws(b, key.close + 1);
            if b.get(i) != Some(&b':') {
                return Err(Malformed);
            }
            i = skip_ws(b, i + 1);
            Some(key)
        } else {
            None
        };
        kind_at(b, i)?;
        self.step = Step::Value(i);
        let index = self.index;
        self.index += 1;
        Ok(Some(Member {
            key,
            index,
            value: i,
        }))
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// The kind of the value starting at `at`, by its first byte.
fn kind_at(b: &[u8], at: usize) -> Result<Kind, Malformed> {
    Ok(match b.get(at) {
        Some(b'"') => Kind::String,
        Some(b'{') => Kind::Object,
        Some(b'[') => Kind::Array,
        Some(b'-' | b'0'..=b'9') => Kind::Number,
        Some(b't' | b'f') => Kind::Bool,
        Some(b'n') => Kind::Null,
        _ => return Err(Malformed),
    })
}

/// Where the value starting at `at` ends.
fn skip_value(b: &[u8], at: usize) -> Result<usize, Malformed> {
    match kind_at(b, at)? {
        Kind::String => Ok(string_at(b, at)?.close + 1),
        Kind::Object => skip_container(b, at, b'{', b'}'),
        Kind::Array => skip_container(b, at, b'[', b']'),
        Kind::Null | Kind::Bool | Kind::Number => Ok(scalar_end(b, at)),
    }
}

/// Where the container whose opening bracket is at `at` ends. Only its
/// own kind of bracket is counted (the other kind nests in between in
/// valid JSON), and strings are skipped.
fn skip_container(b: &[u8], at: usize, open: u8, close: u8) -> Result<usize, Malformed> {
    let mut depth = 0usize;
    let mut i = at;
    loop {
        let rest = b.get(i..).ok_or(Malformed)?;
        let j = i + memchr3(b'"', open, close, rest).ok_or(Malformed)?;
        match b[j] {
            b'"' => i = string_at(b, j)?.close + 1,
            c if c == open => {
                depth += 1;
                i = j + 1;
            }
            _ => {
                depth = depth.checked_sub(1).ok_or(Malformed)?;
                if depth == 0 {
                    return Ok(j + 1);
                }
                i = j + 1;
            }
        }
    }
}

/// Where the number, `true`, `false` or `null` starting at `at` ends.
fn scalar_end(b: &[u8], at: usize) -> usize {
    let mut i = at;
    while let Some(&c) = b.get(i) {
        if matches!(c, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
            break;
        }
        i += 1;
    }
    i
}

/// The string whose opening quote is at `open`.
fn string_at(b: &[u8], open: usize) -> Result<RawStr, Malformed> {
    let mut i = open + 1;
    // Most strings (keys, names, prices) are short: look at their first
    // bytes one by one before calling on memchr.
    let short = b.len().min(i + 16);
    while i < short {
        match b[i] {
            b'"' => {
                return Ok(RawStr {
                    open,
                    close: i,
                    plain: true,
                })
            }
            b'\\' => break,
            _ => i += 1,
        }
    }
    let mut plain = true;
    loop {
        let rest = b.get(i..).ok_or(Malformed)?;
        let j = i + memchr2(b'"', b'\\', rest).ok_or(Malformed)?;
        if b[j] == b'"' {
            return Ok(RawStr {
                open,
                close: j,
                plain,
            });
        }
        plain = false;
        i = j + 2;
    }
}

/// The string as is, when it has no escapes.
#[inline]
fn plain(text: &str, raw: RawStr) -> Option<&str> {
    if raw.plain {
        text.get(raw.open + 1..raw.close)
    } else {
        None
    }
}

/// The string, unescaped.
fn unescape(text: &str, raw: RawStr) -> Result<String, Malformed> {
    let quoted = text.get(raw.open..raw.close + 1).ok_or(Malformed)?;
    serde_json::from_str(quoted).map_err(|_| Malformed)
}

/// Whether the key `raw` is `want`; `unescaped` keeps the key unescaped
/// for further comparisons, when it has escapes.
fn key_is(
    text: &str,
    raw: RawStr,
    want: &str,
    unescaped: &mut Option<String>,
) -> Result<bool, Malformed> {
    if raw.plain {
        return Ok(text.as_bytes().get(raw.open + 1..raw.close) == Some(want.as_bytes()));
    }
    if unescaped.is_none() {
        *unescaped = Some(unescape(text, raw)?);
    }
    Ok(unescaped.as_deref() == Some(want))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip(s: &str) -> Result<usize, Malformed> {
        skip_value(s.as_bytes(), skip_ws(s.as_bytes(), 0))
    }

    #[test]
    fn skips_values() {
        for (s, end) in [
            (r#""abc""#, 5),
            (r#""a\"b""#, 6),
            (r#""a\\""#, 5),
            (r#"{"a":[1,{"b":"}"}],"c":"]"}x"#, 27),
            ("[[[]],[]] ", 9),
            ("-1.5e3,", 6),
            ("true]", 4),
            ("null", 4),
        ] {
            assert_eq!(skip(s).ok(), Some(end), "{s}");
        }
        for s in [
            "",
            "\"abc",
            "\"abc\\",
            "\"abc\\\"",
            "{\"a\":1",
            "[[]",
            "x",
            "}",
            "]",
            ",",
        ] {
            assert!(skip(s).is_err(), "{s}");
        }
    }

    #[test]
    fn walks_members() {
        let s = r#" { "a" : 1 , "b\u0063":[2,3],"d":{"e":"f"} } "#;
        let b = s.as_bytes();
        let mut walk = Walk::new(skip_ws(b, 0), true);
        let mut keys = Vec::new();
        while let Some(m) = walk.next(b).unwrap() {
            keys.push(unescape(s, m.key.unwrap()).unwrap());
        }
        assert_eq!(keys, ["a", "bc", "d"]);
        assert_eq!(walk.index, 3);
        for bad in [
            r#"{"a" 1}"#,
            r#"{"a":1,}"#,
            r#"{"a":1]"#,
            r#"{a:1}"#,
            "[1 2]",
            "[1,]",
        ] {
            let b = bad.as_bytes();
            let mut walk = Walk::new(0, bad.starts_with('{'));
            let mut result = Ok(None);
            for _ in 0..4 {
                result = walk.next(b);
                if !matches!(result, Ok(Some(_))) {
                    break;
                }
            }
            assert!(result.is_err(), "{bad}");
        }
    }

    #[test]
    fn finds_nested_paths() {
        let s = r#"[1,{"as":[["1","2"]],"bs":{"x":[true]}},"book-10"]"#;
        assert_eq!(
            walk(
                s,
                0,
                &[Seg::Index(1), Seg::Key("bs"), Seg::Key("x"), Seg::Index(0)]
            )
            .ok(),
            Some(Some(s.find("true").unwrap()))
        );
        assert_eq!(walk(s, 0, &[Seg::Index(3)]).ok(), Some(None));
        assert_eq!(walk(s, 0, &[Seg::Index(0), Seg::Key("a")]).ok(), Some(None));
        assert_eq!(walk(s, 0, &[Seg::Key("a")]).ok(), Some(None));
    }
}
