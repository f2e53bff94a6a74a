//! The steps the selection's readers share over a frame's text: strings
//! (their closing quote found 8 bytes at a time), scalars, whitespace, and
//! containers stepped over.
//!
//! These readers are hand-written, not serde_json visitors: reading a
//! Kraken frame's few discriminating places, they take a fraction of the
//! instructions serde_json's `IgnoredAny` and `MapAccess` take
//! (BENCHMARKS.md). The strings they step over are short (prices,
//! timestamps, pairs): a loop over bytes, or `memchr` with its set-up per
//! call, costs two to three times the instructions of the 8-byte steps.
//!
//! What they read is right for JSON; other text they may misread or give
//! up on (`None`): the frame is decoded by serde_json afterwards, which
//! validates it.

use super::val::{is_ws, scalar, Val};
use std::borrow::Cow;

const ONES: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// The high bit of each byte of `word` that is `"` or `\`, and of no other.
#[inline]
fn hits(word: u64) -> u64 {
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    // A byte is zero iff adding 0x7f to its low 7 bits, or-ed with it,
    // leaves its high bit clear.
    let zero = |x: u64| !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
    zero(quote) | zero(backslash)
}

/// The index of the first `"` or `\` in `bytes` from `at` on.
#[inline]
pub(super) fn next_quote(bytes: &[u8], at: usize) -> Option<usize> {
    let mut at = at;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        let found = hits(word);
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = bytes.get(at..)?;
    rest.iter()
        .position(|b| matches!(b, b'"' | b'\\'))
        .map(|i| at + i)
}

/// The index of the last `"` or `\` in `bytes` before `end`.
#[inline]
pub(super) fn previous_quote(bytes: &[u8], end: usize) -> Option<usize> {
    let mut end = end.min(bytes.len());
    while end >= 8 {
        let word = u64::from_le_bytes(bytes[end - 8..end].try_into().ok()?);
        let found = hits(word);
        if found != 0 {
            return Some(end - 1 - (found.leading_zeros() / 8) as usize);
        }
        end -= 8;
    }
    bytes[..end].iter().rposition(|b| matches!(b, b'"' | b'\\'))
}

/// The index of the first byte from `at` on that is no whitespace.
#[inline]
pub(super) fn skip_ws(bytes: &[u8], at: usize) -> usize {
    let mut at = at;
    while at < bytes.len() && is_ws(bytes[at]) {
        at += 1;
    }
    at
}

/// The index just past the string whose opening quote is at `open`.
#[inline]
fn string_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut at = open + 1;
    loop {
        at = next_quote(bytes, at)?;
        if bytes[at] == b'"' {
            return Some(at + 1);
        }
        at += 2;
    }
}

/// The string whose opening quote is at `open`, unescaped, and the index
/// just past its closing quote.
#[inline]
pub(super) fn string(text: &str, open: usize) -> Option<(usize, Cow<'_, str>)> {
    let bytes = text.as_bytes();
    let stop = next_quote(bytes, open + 1)?;
    if bytes[stop] == b'"' {
        return Some((stop + 1, Cow::Borrowed(text.get(open + 1..stop)?)));
    }
    let mut strings = serde_json::Deserializer::from_str(text.get(open..)?).into_iter::<String>();
    let s = strings.next()?.ok()?;
    Some((open + strings.byte_offset(), Cow::Owned(s)))
}

/// The index just past the scalar (number, `true`, ...) that starts at `at`.
#[inline]
pub(super) fn token_end(bytes: &[u8], at: usize) -> usize {
    bytes
        .get(at..)
        .and_then(|rest| {
            rest.iter()
                .position(|b| matches!(b, b',' | b']' | b'}') || is_ws(*b))
        })
        .map_or(bytes.len(), |i| at + i)
}

/// The index just past the container whose opening bracket is at `open`,
/// and how many elements (or members) it has.
pub(super) fn container_end(bytes: &[u8], open: usize) -> Option<(usize, usize)> {
    let inside = skip_ws(bytes, open + 1);
    if matches!(bytes.get(inside), Some(b']' | b'}')) {
        return Some((inside + 1, 0));
    }
    let mut depth = 0usize;
    let mut commas = 0usize;
    let mut at = open;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'"' => {
                at = string_end(bytes, at)?;
                continue;
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some((at + 1, commas + 1));
                }
            }
            b',' if depth == 1 => commas += 1,
            _ => {}
        }
        at += 1;
    }
    None
}

/// The value that starts at `at` (no whitespace before it), and the index
/// just past it: strings unescaped, arrays counted, objects named.
pub(super) fn value(text: &str, at: usize) -> Option<(usize, Val<'_>)> {
    let bytes = text.as_bytes();
    match *bytes.get(at)? {
        b'"' => string(text, at).map(|(end, s)| (end, Val::Str(s))),
        b'[' => container_end(bytes, at).map(|(end, n)| (end, Val::Array(Some(n)))),
        b'{' => container_end(bytes, at).map(|(end, _)| (end, Val::Object(None))),
        _ => {
            let end = token_end(bytes, at);
            Some((end, scalar(text.get(at..end)?)?))
        }
    }
}

/// The index just past the value that starts at `at`, not read.
pub(super) fn value_end(bytes: &[u8], at: usize) -> Option<usize> {
    match *bytes.get(at)? {
        b'"' => string_end(bytes, at),
        b'[' | b'{' => container_end(bytes, at).map(|(end, _)| end),
        _ => Some(token_end(bytes, at)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_found_as_a_byte_loop_finds_them() {
        // Every position of a quote and a backslash among other bytes,
        // high ones included (UTF-8), in texts of every length up to 20.
        let filler = "aé\u{7f}\u{80}0\"\\";
        for len in 0..20 {
            for seed in 0..200usize {
                let text: Vec<u8> = (0..len)
                    .map(|i| {
                        let pick = (seed * 31 + i * 7 + seed / 7 * i) % 11;
                        *filler.as_bytes().get(pick).unwrap_or(&b'x')
                    })
                    .collect();
                for at in 0..=len {
                    let expected = text[at..]
                        .iter()
                        .position(|b| matches!(b, b'"' | b'\\'))
                        .map(|i| at + i);
                    assert_eq!(next_quote(&text, at), expected, "{text:?} from {at}");
                    let expected = text[..at].iter().rposition(|b| matches!(b, b'"' | b'\\'));
                    assert_eq!(previous_quote(&text, at), expected, "{text:?} before {at}");
                }
            }
        }
        assert_eq!(next_quote(b"abc", 4), None);
    }

    #[test]
    fn values_are_stepped_over() {
        let text = r#"[ {"a":[1,"]",{"b":"\"}"}],"c":2} , [ ] ,[[1],2,"x,y"],"q\"r" ,-1.5e3]"#;
        let bytes = text.as_bytes();
        assert_eq!(container_end(bytes, 0), Some((text.len(), 5)));
        let object = container_end(bytes, 2).unwrap();
        assert_eq!(&text[object.0..object.0 + 2], " ,");
        assert_eq!(object.1, 2);
        assert_eq!(value(text, 2).map(|(_, v)| v), Some(Val::Object(None)));
        let at = skip_ws(bytes, skip_ws(bytes, object.0) + 1);
        assert_eq!(value(text, at), Some((at + 3, Val::Array(Some(0)))));
        let at = text.find("[[").unwrap();
        assert_eq!(value(text, at).map(|(_, v)| v), Some(Val::Array(Some(3))));
        let at = text.find(r#""q"#).unwrap();
        assert_eq!(
            value(text, at).map(|(_, v)| v),
            Some(Val::Str("q\"r".into()))
        );
        assert_eq!(value_end(bytes, at), Some(at + 6));
        let at = text.find("-1").unwrap();
        assert_eq!(value_end(bytes, at), Some(text.len() - 1));
        // Not closed, or not JSON.
        assert_eq!(container_end(br#"[1,"]"#, 0), None);
        assert_eq!(container_end(b"[[1]", 0), None);
        assert_eq!(value("nope", 0), None);
    }
}
