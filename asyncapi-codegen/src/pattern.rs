//! Matchers for simple patterns, written out as Rust so that the dispatch
//! of a frame need not run a regex engine.
//!
//! Two shapes of anchored pattern (`^…$`) are compiled:
//!
//! - a finite set of strings: literals, groups of alternatives (`(a|b)`,
//!   `(?:a|b)`), small character classes and `?`, e.g.
//!   `^book-(10|25|100|500|1000)$`, becomes
//!   `matches!(value, "book-10" | "book-25" | …)`;
//! - one ASCII character class repeated, e.g. `^[0-9]+$` or
//!   `^[A-Z]{3,4}$`, becomes a length check and a test of every byte.
//!
//! Anything else (and any pattern whose compiled form disagrees with
//! regress on a set of probe strings, checked here at generation time)
//! keeps the regress matcher. The language is ECMA-262's, as JSON Schema's
//! `pattern`: `$` matches only at the very end, `\d` is ASCII digits.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use std::collections::BTreeSet;

/// At most this many strings in a finite set.
const MAX_STRINGS: usize = 64;
/// At most this many bytes per string of a finite set.
const MAX_LEN: usize = 256;

/// Rust code (an expression over `value: &str`) that is true when `value`
/// matches `pattern`, for the patterns this module compiles; `None` for
/// the rest.
pub fn matcher(pattern: &str) -> Option<TokenStream> {
    let body = anchored_body(pattern)?;
    let regex = regress::Regex::new(pattern).ok()?;
    let matches = |s: &str| regex.find(s).is_some();
    if let Some(run) = ClassRun::parse(body) {
        return run.agrees_with(matches).then(|| run.tokens());
    }
    let set = finite_set(body)?;
    agrees(&set, matches).then(|| {
        let strings = set.iter();
        quote!(::std::matches!(value, #(#strings)|*))
    })
}

/// The pattern between `^` and `$`, when it is anchored at both ends.
fn anchored_body(pattern: &str) -> Option<&str> {
    let body = pattern.strip_prefix('^')?.strip_suffix('$')?;
    // `\$` at the end is a literal dollar, not the anchor.
    let trailing = body.bytes().rev().take_while(|&b| b == b'\\').count();
    (trailing % 2 == 0).then_some(body)
}

/// Inclusive ASCII byte ranges.
type Ranges = Vec<(u8, u8)>;

/// `^[class]{min,max}$`.
#[derive(Debug, PartialEq)]
struct ClassRun {
    ranges: Ranges,
    min: usize,
    max: Option<usize>,
}

impl ClassRun {
    fn parse(body: &str) -> Option<ClassRun> {
        let mut chars = Parser::new(body);
        let ranges = chars.class()?;
        let (min, max) = match chars.next() {
            Some('+') => (1, None),
            Some('*') => (0, None),
            Some('{') => chars.braces()?,
            _ => return None,
        };
        if chars.peek().is_some() || max.is_some_and(|max| max < min) {
            return None;
        }
        Some(ClassRun { ranges, min, max })
    }

    /// Whether `s` matches, by the same rule as [`ClassRun::tokens`].
    fn is_match(&self, s: &str) -> bool {
        let n = s.len();
        n >= self.min
            && self.max.is_none_or(|max| n <= max)
            && s.bytes()
                .all(|b| self.ranges.iter().any(|&(lo, hi)| lo <= b && b <= hi))
    }

    fn tokens(&self) -> TokenStream {
        let ranges = self.ranges.iter().map(|&(lo, hi)| {
            let byte = Literal::byte_character;
            if lo == hi {
                let lo = byte(lo);
                quote!(#lo)
            } else {
                let (lo, hi) = (byte(lo), byte(hi));
                quote!(#lo..=#hi)
            }
        });
        let bytes = quote!(value.bytes().all(|b| ::std::matches!(b, #(#ranges)|*)));
        // Non-ASCII bytes are in no class, so bytes count characters.
        let mut checks = Vec::new();
        if self.min > 0 {
            let min = self.min;
            checks.push(quote!(value.len() >= #min));
        }
        if let Some(max) = self.max {
            checks.push(quote!(value.len() <= #max));
        }
        checks.push(bytes);
        quote!(#(#checks)&&*)
    }

    /// Whether regress agrees on strings around the class's edges and the
    /// run's bounds.
    fn agrees_with(&self, matches: impl Fn(&str) -> bool) -> bool {
        let mut probes: Vec<char> = Vec::new();
        for &(lo, hi) in &self.ranges {
            probes.extend([lo, hi].map(char::from));
            probes.extend(
                [lo.checked_sub(1), hi.checked_add(1)]
                    .into_iter()
                    .flatten()
                    .map(char::from),
            );
        }
        probes.extend(['a', 'Z', '0', '9', '-', '_', ' ', '\n', 'é', '٣']);
        let lengths = [
            Some(0),
            Some(1),
            Some(2),
            self.min.checked_sub(1),
            Some(self.min),
            Some(self.min + 1),
            self.max,
            self.max.map(|max| max + 1),
        ];
        let inside = char::from(self.ranges.first().map_or(b'a', |r| r.0));
        for len in lengths.into_iter().flatten().filter(|&len| len <= MAX_LEN) {
            for &c in &probes {
                let same: String = std::iter::repeat_n(c, len).collect();
                let mut mixed: String = std::iter::repeat_n(inside, len).collect();
                if len > 0 {
                    mixed.pop();
                    mixed.push(c);
                }
                for s in [same, mixed, c.to_string()] {
                    if matches(&s) != self.is_match(&s) {
                        return false;
                    }
                }
            }
        }
        true
    }
}

/// The strings a pattern body (without anchors) matches exactly, when they
/// are few: literals, groups of alternatives, classes and `?`.
fn finite_set(body: &str) -> Option<BTreeSet<String>> {
    let mut parser = Parser::new(body);
    let set = parser.sequence()?;
    parser.peek().is_none().then_some(set)
}

/// Whether regress agrees with set membership on the strings of `set` and
/// near misses of each.
fn agrees(set: &BTreeSet<String>, matches: impl Fn(&str) -> bool) -> bool {
    let mut probes: Vec<String> = vec![String::new(), "\n".to_owned()];
    for s in set {
        probes.push(s.clone());
        for extra in ["x", "0", "-", "\n", " "] {
            probes.push(format!("{s}{extra}"));
            probes.push(format!("{extra}{s}"));
        }
        let mut shorter = s.clone();
        if shorter.pop().is_some() {
            probes.push(shorter);
        }
        if let Some(first) = s.chars().next() {
            probes.push(s[first.len_utf8()..].to_owned());
        }
    }
    probes.iter().all(|p| matches(p) == set.contains(p))
}

/// A cursor over a pattern body.
struct Parser<'a> {
    rest: std::iter::Peekable<std::str::Chars<'a>>,
}

impl<'a> Parser<'a> {
    fn new(body: &'a str) -> Self {
        Parser {
            rest: body.chars().peekable(),
        }
    }

    fn next(&mut self) -> Option<char> {
        self.rest.next()
    }

    fn peek(&mut self) -> Option<char> {
        self.rest.peek().copied()
    }

    /// A sequence of items, up to `|`, `)` or the end.
    fn sequence(&mut self) -> Option<BTreeSet<String>> {
        let mut set = BTreeSet::from([String::new()]);
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let mut item = self.item()?;
            if self.peek() == Some('?') {
                self.next();
                item.insert(String::new());
            }
            if matches!(self.peek(), Some('?' | '*' | '+' | '{')) {
                return None;
            }
            let mut product = BTreeSet::new();
            for head in &set {
                for tail in &item {
                    let s = format!("{head}{tail}");
                    if s.len() > MAX_LEN {
                        return None;
                    }
                    product.insert(s);
                }
            }
            if product.len() > MAX_STRINGS {
                return None;
            }
            set = product;
        }
        Some(set)
    }

    /// One item: a literal, a group or a class.
    fn item(&mut self) -> Option<BTreeSet<String>> {
        match self.peek()? {
            '(' => {
                self.next();
                if self.peek() == Some('?') {
                    self.next();
                    // Only non-capturing groups; no lookaround, no names.
                    if self.next() != Some(':') {
                        return None;
                    }
                }
                let mut set = BTreeSet::new();
                loop {
                    set.extend(self.sequence()?);
                    if set.len() > MAX_STRINGS {
                        return None;
                    }
                    match self.next()? {
                        '|' => continue,
                        ')' => return Some(set),
                        _ => return None,
                    }
                }
            }
            '[' | '\\' if self.starts_class() => {
                let ranges = self.class()?;
                let count: usize = ranges
                    .iter()
                    .map(|&(lo, hi)| usize::from(hi - lo) + 1)
                    .sum();
                if count > MAX_STRINGS {
                    return None;
                }
                Some(
                    ranges
                        .iter()
                        .flat_map(|&(lo, hi)| lo..=hi)
                        .map(|b| char::from(b).to_string())
                        .collect(),
                )
            }
            '\\' => {
                self.next();
                let c = self.next()?;
                is_escapable(c).then(|| BTreeSet::from([c.to_string()]))
            }
            c if is_literal(c) => {
                self.next();
                Some(BTreeSet::from([c.to_string()]))
            }
            _ => None,
        }
    }

    /// Whether a class (`[…]` or `\d`) starts here.
    fn starts_class(&self) -> bool {
        let mut ahead = self.rest.clone();
        match ahead.next() {
            Some('[') => true,
            Some('\\') => ahead.next() == Some('d'),
            _ => false,
        }
    }

    /// A class of ASCII characters: `\d`, or `[…]` of characters, ranges
    /// and `\d` (not negated).
    fn class(&mut self) -> Option<Ranges> {
        match self.next()? {
            '\\' => (self.next()? == 'd').then(|| vec![(b'0', b'9')]),
            '[' => {
                let mut ranges = Vec::new();
                if matches!(self.peek(), Some('^' | ']')) {
                    return None;
                }
                loop {
                    let lo = match self.next()? {
                        ']' => break,
                        '\\' => match self.next()? {
                            'd' => {
                                ranges.push((b'0', b'9'));
                                continue;
                            }
                            c if is_escapable(c) => c,
                            _ => return None,
                        },
                        '[' => return None,
                        c => c,
                    };
                    let lo = u8::try_from(lo).ok().filter(u8::is_ascii)?;
                    let mut ahead = self.rest.clone();
                    if ahead.next() == Some('-') && !matches!(ahead.next(), Some(']') | None) {
                        self.next();
                        let hi = match self.next()? {
                            '\\' => self.next().filter(|&c| is_escapable(c))?,
                            '[' => return None,
                            c => c,
                        };
                        let hi = u8::try_from(hi).ok().filter(u8::is_ascii)?;
                        if hi < lo {
                            return None;
                        }
                        ranges.push((lo, hi));
                    } else {
                        ranges.push((lo, lo));
                    }
                }
                (!ranges.is_empty()).then_some(ranges)
            }
            _ => None,
        }
    }

    /// The bounds of `{n}`, `{n,}` or `{n,m}` (after the `{`).
    fn braces(&mut self) -> Option<(usize, Option<usize>)> {
        let mut inside = String::new();
        loop {
            match self.next()? {
                '}' => break,
                c => inside.push(c),
            }
        }
        let number = |s: &str| {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<usize>().ok())
                .flatten()
        };
        match inside.split_once(',') {
            None => number(&inside).map(|n| (n, Some(n))),
            Some((min, "")) => number(min).map(|n| (n, None)),
            Some((min, max)) => Some((number(min)?, Some(number(max)?))),
        }
    }
}

/// A character that stands for itself outside classes (printable ASCII
/// only: beyond it, ECMA-262 patterns count UTF-16 code units).
fn is_literal(c: char) -> bool {
    (c.is_ascii_graphic() || c == ' ')
        && !matches!(
            c,
            '\\' | '^' | '$' | '.' | '|' | '?' | '*' | '+' | '(' | ')' | '[' | ']' | '{' | '}'
        )
}

/// A character that `\` makes literal (punctuation only: `\d`, `\w`, `\b`
/// and the like are classes or assertions).
fn is_escapable(c: char) -> bool {
    c.is_ascii_punctuation()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(pattern: &str) -> Option<String> {
        matcher(pattern).map(|tokens| tokens.to_string())
    }

    #[test]
    fn finite_sets() {
        let set = |p: &str| finite_set(anchored_body(p).unwrap());
        assert_eq!(
            set("^book-(10|25|100|500|1000)$").unwrap(),
            ["book-10", "book-100", "book-1000", "book-25", "book-500"]
                .map(String::from)
                .into()
        );
        assert_eq!(
            set("^(?:a|b)c?$").unwrap(),
            ["a", "ac", "b", "bc"].map(String::from).into()
        );
        assert_eq!(set("^r$").unwrap(), ["r"].map(String::from).into());
        assert_eq!(
            set(r"^v\.[12]$").unwrap(),
            ["v.1", "v.2"].map(String::from).into()
        );
        for open in [
            "^a*$",
            "^a+$",
            "^.$",
            "^(?=a)a$",
            "^a{2}$",
            "^[^a]$",
            "^[a-z]{2}$",
        ] {
            assert_eq!(set(open), None, "{open}");
        }
    }

    #[test]
    fn class_runs() {
        let run = |p: &str| ClassRun::parse(anchored_body(p).unwrap());
        assert_eq!(
            run("^[0-9]+$"),
            Some(ClassRun {
                ranges: vec![(b'0', b'9')],
                min: 1,
                max: None
            })
        );
        assert_eq!(
            run(r"^[A-Z_\d]{3,4}$"),
            Some(ClassRun {
                ranges: vec![(b'A', b'Z'), (b'_', b'_'), (b'0', b'9')],
                min: 3,
                max: Some(4)
            })
        );
        assert_eq!(run(r"^\d*$").map(|r| (r.min, r.max)), Some((0, None)));
        for other in ["^[0-9]+x$", "^[^0-9]+$", "^[0-9]{4,2}$", "^[é]+$"] {
            assert_eq!(run(other), None, "{other}");
        }
    }

    #[test]
    fn compiles_or_keeps_regress() {
        assert_eq!(
            compiled("^ohlc-(1|5)$").as_deref(),
            Some(r#":: std :: matches ! (value , "ohlc-1" | "ohlc-5")"#)
        );
        assert_eq!(
            compiled("^[0-9]+$").as_deref(),
            Some("value . len () >= 1usize && value . bytes () . all (| b | :: std :: matches ! (b , b'0' ..= b'9'))")
        );
        // Unanchored, top-level alternation (the anchors bind to the
        // alternatives), escapes of classes, a literal `$` at the end:
        // regress decides.
        for kept in ["book-10", "^a|b$", r"^\w+$", r"^a\$", "^(a|b)*$", "^a.c$"] {
            assert_eq!(compiled(kept), None, "{kept}");
        }
    }

    #[test]
    fn agrees_with_regress() {
        for pattern in [
            "^book-(10|25|100|500|1000)$",
            "^ohlc-(1|5|15|30|60|240|1440|10080|21600)$",
            "^[0-9]+$",
            "^r$",
            r"^[a-f\d]{2,}$",
            "^x(y|z)?$",
        ] {
            let regex = regress::Regex::new(pattern).unwrap();
            let body = anchored_body(pattern).unwrap();
            let fast: Box<dyn Fn(&str) -> bool> = match ClassRun::parse(body) {
                Some(run) => Box::new(move |s| run.is_match(s)),
                None => {
                    let set = finite_set(body).unwrap();
                    Box::new(move |s| set.contains(s))
                }
            };
            for s in [
                "",
                "book-10",
                "book-1000",
                "book-10 ",
                "book-100\n",
                "ohlc-5",
                "ohlc-21600",
                "ohlc-2",
                "0",
                "974942666",
                "97494266a",
                "٣",
                "r",
                "rr",
                "ab",
                "a",
                "xy",
                "x",
                "xyz",
                "ff0",
            ] {
                assert_eq!(regex.find(s).is_some(), fast(s), "{pattern} on {s:?}");
            }
        }
    }
}
