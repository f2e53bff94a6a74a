//! The selection algorithm, written once over a [`Probe`]: the in-place
//! scan of a text frame ([`super::text`]) and a parsed value
//! ([`super::value`]) answer the same questions.

use super::plan::Place;
use super::{Candidate, Kind, Lit, Pattern, Rule, Seg, Table, Test};
use std::fmt;
use std::ops::{Deref, DerefMut};

/// The probe found the frame not to be JSON.
#[derive(Debug, Clone, Copy)]
pub(super) struct Malformed;

/// What the selection asks of a frame. Paths are indices into
/// [`Table::paths`]; every method but [`Probe::get`] is asked only of a
/// value of the right kind.
pub(super) trait Probe {
    /// A value in the frame.
    type Val: Copy;
    /// The value at `path`, or `None` if it is absent (a missing key or
    /// index, or a step through a scalar).
    fn get(&mut self, path: usize) -> Result<Option<Self::Val>, Malformed>;
    /// Its JSON type.
    fn kind(&self, value: Self::Val) -> Kind;
    /// Whether it equals `lit` (of the same kind).
    fn equals(&self, value: Self::Val, lit: &Lit) -> Result<bool, Malformed>;
    /// Whether the string matches `pattern`.
    fn matches(&self, value: Self::Val, pattern: &Pattern) -> Result<bool, Malformed>;
    /// The number of elements of the array.
    fn len(&mut self, value: Self::Val) -> Result<usize, Malformed>;
    /// Whether the object has `key`.
    fn has(&self, value: Self::Val, key: &str) -> Result<bool, Malformed>;
    /// Whether the object has no keys but `allowed`.
    fn closed(&self, value: Self::Val, allowed: &[&str]) -> Result<bool, Malformed>;
    /// A key of the object that is not in `allowed` (error path).
    fn extra_key(&self, value: Self::Val, allowed: &[&str]) -> Result<Option<String>, Malformed>;
    /// The value, for error messages: scalars as (shortened) JSON, containers
    /// as `an object`/`an array`.
    fn show(&self, value: Self::Val) -> Result<String, Malformed>;
    /// How a value rule fares, when the probe can tell cheaply (a fast path
    /// that must agree with [`check`]); `None` to go through [`check`].
    #[inline]
    fn quick(&self, _rule: &Rule) -> Option<Outcome> {
        None
    }
    /// The JSON type of the frame (without scanning it; `None` if the text
    /// probe cannot tell).
    fn root_kind(&mut self) -> Option<Kind>;
    /// Pre-selection on an array frame (see [`super::plan::Plan::preselect`]):
    /// reads the value at `place`: its JSON type (`None` inside: absent),
    /// or `None` when the probe cannot tell (the text probe reads elements
    /// from the end backward over scalars, and the type of the container
    /// they end at, but not past it).
    fn pre_read(&mut self, place: Place) -> Option<Option<Kind>>;
    /// Whether `test` holds of the value at `place`, once read (as
    /// [`check`] decides, absent or not); `None` when the probe cannot tell.
    fn pre_holds(&mut self, place: Place, test: &Test) -> Option<bool>;
    /// Whether the length test `test` holds of the array frame.
    fn len_holds(&mut self, test: &Test) -> Option<bool>;
    /// Readies the probe before the rules are checked (the text probe
    /// scans the frame's top-level value).
    #[inline]
    fn prepare(&mut self) -> Result<(), Malformed> {
        Ok(())
    }
    /// The JSON type of the value at `path`, or `None` if it is absent.
    #[inline]
    fn kind_of(&mut self, path: usize) -> Result<Option<Kind>, Malformed> {
        let value = self.get(path)?;
        Ok(value.map(|value| self.kind(value)))
    }
    /// The length of the array at `path`, or `None` if it is no array.
    #[inline]
    fn array_len_of(&mut self, path: usize) -> Result<Option<usize>, Malformed> {
        match self.get(path)? {
            Some(value) if self.kind(value) == Kind::Array => Ok(Some(self.len(value)?)),
            _ => Ok(None),
        }
    }
}

/// Why [`run`] found no message.
pub(super) enum Failure {
    /// The probe found the frame not to be JSON.
    Malformed,
    /// No candidate's rules hold.
    Unmatched,
    /// The chosen candidates, in the order tried, and their errors.
    Failed(Vec<(usize, serde_json::Error)>),
    /// The one candidate a lazy selection left (some of its tests not
    /// checked) failed to decode, with this error: [`confirm`] selects
    /// again, checking every test.
    Picked(usize, serde_json::Error),
}

impl From<Malformed> for Failure {
    fn from(_: Malformed) -> Self {
        Failure::Malformed
    }
}

/// The score of a candidate ruled out.
pub(super) const OUT: u32 = u32::MAX;

/// The candidate(s) a frame may be.
pub(super) enum Chosen {
    /// Exactly one.
    One(usize),
    /// Several: their scores (the others [`OUT`]), to try in order.
    Tied(Buf<u32, 32>),
}

/// Selects the candidate(s) of `table` that the probed frame may be: those
/// whose value tests all hold and, when that leaves several, whose
/// structural tests hold.
///
/// When `lazy`, tests are checked only until at most one candidate is
/// left: the frame's type and the values at the end of an array frame
/// first (before the frame is scanned), then the others. The one candidate
/// left may then be one whose other tests do not hold (the frame is no
/// message): decoding it decides, and when that fails, [`confirm`] checks
/// every test. Every candidate that a lazy selection rules out fails one
/// of its tests, so the candidates the strict selection leaves are among
/// those the lazy one leaves; when the lazy one leaves several, every test
/// of theirs has been checked, and they are the same.
#[inline]
pub(super) fn choose<P: Probe>(
    table: &Table,
    probe: &mut P,
    lazy: bool,
) -> Result<Chosen, Failure> {
    let candidates = table.candidates;
    let plan = table.prepared.plan(table);
    if let Some(plan) = plan {
        let mut alive = u64::MAX;
        if lazy {
            let settled;
            (alive, settled) = plan.preselect(probe);
            if settled {
                return match alive {
                    0 => Err(Failure::Unmatched),
                    _ => Ok(Chosen::One(alive.trailing_zeros() as usize)),
                };
            }
        }
        probe.prepare()?;
        // The common case: one candidate, no scores needed.
        if let Selected::One(i) = plan.select(probe, None, alive)? {
            return Ok(Chosen::One(i));
        }
    } else {
        probe.prepare()?;
    }
    let mut scores = Buf::<u32, 32>::new(candidates.len(), OUT);
    let mut left = 0;
    match plan {
        Some(plan) => match plan.select(probe, Some(&mut scores), u64::MAX)? {
            Selected::One(i) => return Ok(Chosen::One(i)),
            Selected::Several(n) => left = n,
        },
        None => {
            for (i, candidate) in candidates.iter().enumerate() {
                if let Some(score) = value_score(table, probe, candidate)? {
                    scores[i] = score;
                    left += 1;
                }
            }
        }
    }
    if left > 1 {
        for (i, candidate) in candidates.iter().enumerate() {
            if scores[i] != OUT && !structure_holds(probe, candidate)? {
                scores[i] = OUT;
                left -= 1;
            }
        }
    }
    match left {
        0 => Err(Failure::Unmatched),
        1 => Ok(Chosen::One(
            scores.iter().position(|&s| s != OUT).unwrap_or(0),
        )),
        _ => Ok(Chosen::Tied(scores)),
    }
}

/// What [`super::plan::Plan::select`] found.
pub(super) enum Selected {
    /// Exactly one candidate's value tests hold (no score needed).
    One(usize),
    /// This many (zero, or several, scored).
    Several(usize),
}

/// Decodes tied candidates in turn (most value tests satisfied by a present
/// value first, then by an absent one, then declaration order) until one
/// decodes.
pub(super) fn try_in_order<T>(
    mut scores: Buf<u32, 32>,
    mut decode: impl FnMut(usize) -> Result<T, serde_json::Error>,
) -> Result<T, Failure> {
    let mut tried = Vec::new();
    while let Some(i) = best(&scores) {
        match decode(i) {
            Ok(message) => return Ok(message),
            Err(error) => {
                tried.push((i, error));
                scores[i] = OUT;
            }
        }
    }
    Err(Failure::Failed(tried))
}

/// Selects the candidate(s) of `table` that the probed frame may be, and
/// decodes: the one left, or each of several in turn until one decodes.
pub(super) fn run<P: Probe, T>(
    table: &Table,
    probe: &mut P,
    mut decode: impl FnMut(usize) -> Result<T, serde_json::Error>,
) -> Result<T, Failure> {
    match choose(table, probe, true)? {
        Chosen::One(i) => match decode(i) {
            Ok(message) => Ok(message),
            Err(error) => confirm(table, probe, i, error, decode),
        },
        Chosen::Tied(scores) => try_in_order(scores, decode),
    }
}

/// After the candidate `picked` by a lazy [`choose`] failed to decode with
/// `error`: selects again checking every test, as if no test had been
/// skipped, and settles the frame. The strict selection leaves `picked`
/// (the frame was taken for it, and failed to decode) or nothing (the
/// frame is no message, and the error says why); it is decoded otherwise,
/// to be safe.
#[cold]
#[inline(never)]
pub(super) fn confirm<P: Probe, T>(
    table: &Table,
    probe: &mut P,
    picked: usize,
    error: serde_json::Error,
    mut decode: impl FnMut(usize) -> Result<T, serde_json::Error>,
) -> Result<T, Failure> {
    match choose(table, probe, false)? {
        Chosen::One(i) if i == picked => Err(Failure::Failed(vec![(i, error)])),
        Chosen::One(i) => decode(i).map_err(|error| Failure::Failed(vec![(i, error)])),
        Chosen::Tied(scores) => try_in_order(scores, decode),
    }
}

/// The candidate with the highest score, the first of equals.
fn best(scores: &[u32]) -> Option<usize> {
    let mut best: Option<(usize, u32)> = None;
    for (i, &score) in scores.iter().enumerate() {
        if score != OUT && best.is_none_or(|(_, b)| score > b) {
            best = Some((i, score));
        }
    }
    best.map(|(i, _)| i)
}

/// Whether a test is structural (checked only to break ties).
fn is_structural(test: &Test) -> bool {
    matches!(test, Test::Has(_) | Test::Closed(_))
}

/// How a rule fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Outcome {
    Fail,
    /// Held of a present value.
    Present,
    /// Held because the value is absent.
    Absent,
}

/// How much it costs to check a rule, in classes checked in turn, so that
/// a candidate is ruled out by its cheapest failing test: values the scan
/// of the top-level value finds (and its length), then patterns, then the
/// lengths of members (a walk through the member unless the scan counted
/// it), then values deeper down (a walk through a member). `None` for
/// structural tests. Which tests hold does not depend on the order they
/// are checked in, so neither does the outcome.
pub(super) fn cost(table: &Table, rule: &Rule) -> Option<u8> {
    let depth = table.paths.get(rule.path).map_or(0, |segs| segs.len());
    match rule.test {
        Test::Has(_) | Test::Closed(_) => None,
        _ if depth > 1 => Some(3),
        Test::Pattern(_) | Test::PatternOrAbsent(_) => Some(1),
        Test::Len(_) | Test::LenRange(..) if depth == 1 => Some(2),
        _ => Some(0),
    }
}

/// The score of a candidate whose value tests all hold: the tests held by a
/// present value (high half) and by an absent one (low half); `None` if one
/// fails.
fn value_score<P: Probe>(
    table: &Table,
    probe: &mut P,
    candidate: &Candidate,
) -> Result<Option<u32>, Malformed> {
    let (mut present, mut absent) = (0u32, 0u32);
    let mut costly = false;
    for rule in candidate.rules {
        match cost(table, rule) {
            Some(0) => {}
            Some(_) => {
                costly = true;
                continue;
            }
            None => continue,
        }
        match outcome(probe, rule)? {
            Outcome::Fail => return Ok(None),
            Outcome::Present => present += 1,
            Outcome::Absent => absent += 1,
        }
    }
    if costly {
        for class in 1..=3 {
            for rule in candidate.rules {
                if cost(table, rule) != Some(class) {
                    continue;
                }
                match outcome(probe, rule)? {
                    Outcome::Fail => return Ok(None),
                    Outcome::Present => present += 1,
                    Outcome::Absent => absent += 1,
                }
            }
        }
    }
    Ok(Some(present.min(0x7fff) << 16 | absent.min(0xffff)))
}

/// How a value rule fares: the probe's fast path, else [`check`].
#[inline(always)]
pub(super) fn outcome<P: Probe>(probe: &mut P, rule: &Rule) -> Result<Outcome, Malformed> {
    match probe.quick(rule) {
        Some(outcome) => Ok(outcome),
        None => check(probe, rule),
    }
}

fn structure_holds<P: Probe>(probe: &mut P, candidate: &Candidate) -> Result<bool, Malformed> {
    for rule in candidate.rules.iter().filter(|r| is_structural(&r.test)) {
        if check(probe, rule)? == Outcome::Fail {
            return Ok(false);
        }
    }
    Ok(true)
}

pub(super) fn lit_kind(lit: &Lit) -> Kind {
    match lit {
        Lit::Null => Kind::Null,
        Lit::Bool(_) => Kind::Bool,
        Lit::Int(_) | Lit::UInt(_) | Lit::Float(_) => Kind::Number,
        Lit::Str(_) => Kind::String,
    }
}

/// How a rule fares.
pub(super) fn check<P: Probe>(probe: &mut P, rule: &Rule) -> Result<Outcome, Malformed> {
    let held = |yes: bool| if yes { Outcome::Present } else { Outcome::Fail };
    let Some(value) = probe.get(rule.path)? else {
        return Ok(match rule.test {
            Test::OneOfOrAbsent(_) | Test::PatternOrAbsent(_) => Outcome::Absent,
            _ => Outcome::Fail,
        });
    };
    let kind = probe.kind(value);
    Ok(match rule.test {
        Test::Kind(want) => held(want == kind),
        Test::Len(n) if kind == Kind::Array => held(probe.len(value)? == n),
        Test::LenRange(min, max) if kind == Kind::Array => {
            let n = probe.len(value)?;
            held(n >= min && max.is_none_or(|max| n <= max))
        }
        Test::OneOf(lits) | Test::OneOfOrAbsent(lits) => {
            for lit in lits {
                if lit_kind(lit) == kind && probe.equals(value, lit)? {
                    return Ok(Outcome::Present);
                }
            }
            Outcome::Fail
        }
        Test::Pattern(pattern) | Test::PatternOrAbsent(pattern) if kind == Kind::String => {
            held(probe.matches(value, pattern)?)
        }
        Test::Has(key) if kind == Kind::Object => held(probe.has(value, key)?),
        Test::Closed(allowed) if kind == Kind::Object => held(probe.closed(value, allowed)?),
        _ => Outcome::Fail,
    })
}

/// Why a frame is no candidate: what it carried at the table's paths, and
/// per candidate the first test that ruled it out.
#[derive(Debug, Default)]
pub(super) struct Unmatched {
    /// The scalars at the table's paths: pointer and JSON.
    carried: Vec<(String, String)>,
    /// Per candidate, its name and the failed test, spelled out.
    ruled_out: Vec<(&'static str, String)>,
}

/// Explains why no candidate of `table` holds for the probed frame (error
/// path only: this allocates and formats).
pub(super) fn explain<P: Probe>(table: &Table, probe: &mut P) -> Result<Unmatched, Malformed> {
    let mut carried = Vec::new();
    for (path, segs) in table.paths.iter().enumerate() {
        if segs.is_empty() {
            continue;
        }
        if let Some(value) = probe.get(path)? {
            if let Kind::Null | Kind::Bool | Kind::Number | Kind::String = probe.kind(value) {
                carried.push((pointer(segs), probe.show(value)?));
            }
        }
    }
    let mut ruled_out = Vec::new();
    for candidate in table.candidates {
        let mut failed = None;
        for structural in [false, true] {
            for rule in candidate.rules {
                if is_structural(&rule.test) == structural
                    && failed.is_none()
                    && check(probe, rule)? == Outcome::Fail
                {
                    failed = Some(rule);
                }
            }
        }
        let why = match failed {
            Some(rule) => describe(table, probe, candidate.name, rule)?,
            None => "every test holds, yet it was not chosen".to_owned(),
        };
        ruled_out.push((candidate.name, why));
    }
    Ok(Unmatched { carried, ruled_out })
}

/// Says how `rule` fails for the probed frame.
fn describe<P: Probe>(
    table: &Table,
    probe: &mut P,
    name: &str,
    rule: &Rule,
) -> Result<String, Malformed> {
    let path = rule.path;
    let segs = table.paths.get(path).copied().unwrap_or(&[]);
    let at = if segs.is_empty() {
        "the frame".to_owned()
    } else {
        pointer(segs)
    };
    let value = probe.get(path)?;
    let kind = value.map(|value| probe.kind(value));
    let is = match value {
        Some(value) => format!("{at} is {}", probe.show(value)?),
        None => format!("{at} is absent"),
    };
    Ok(match rule.test {
        Test::Kind(want) => format!("{is}, expected {}", kind_name(want)),
        Test::Len(n) if kind == Some(Kind::Array) => {
            let len = value.map_or(Ok(0), |value| probe.len(value))?;
            format!("{at} has {len} elements, expected {n}")
        }
        Test::Len(n) => format!("{is}, expected an array of {n} elements"),
        Test::LenRange(min, max) => {
            let expected = match max {
                Some(max) => format!("{min} to {max} elements"),
                None => format!("at least {min} elements"),
            };
            if let (Some(value), Some(Kind::Array)) = (value, kind) {
                let len = probe.len(value)?;
                format!("{at} has {len} elements, expected {expected}")
            } else {
                format!("{is}, expected an array of {expected}")
            }
        }
        Test::OneOf(lits) => format!("{is}, expected {}", one_of(lits)),
        Test::OneOfOrAbsent(lits) => format!("{is}, expected {} or absent", one_of(lits)),
        Test::Pattern(pattern) => format!("{is}, expected a string matching {}", pattern.source),
        Test::PatternOrAbsent(pattern) => {
            format!(
                "{is}, expected a string matching {} or absent",
                pattern.source
            )
        }
        Test::Has(key) if kind == Some(Kind::Object) => {
            format!("{at} lacks key {}, which {name} requires", json(key))
        }
        Test::Has(key) => format!("{is}, expected an object with key {}", json(key)),
        Test::Closed(allowed) if kind == Some(Kind::Object) => {
            let extra = match value {
                Some(value) => probe.extra_key(value, allowed)?,
                None => None,
            };
            match extra {
                Some(key) => format!("{at} has key {}, which {name} does not allow", json(&key)),
                None => format!("{at} has only keys that {name} allows"),
            }
        }
        Test::Closed(_) => format!("{is}, expected an object"),
    })
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Null => "null",
        Kind::Bool => "a boolean",
        Kind::Number => "a number",
        Kind::String => "a string",
        Kind::Array => "an array",
        Kind::Object => "an object",
    }
}

fn one_of(lits: &[Lit]) -> String {
    let shown: Vec<String> = lits.iter().map(show_lit).collect();
    match shown.as_slice() {
        [] => "nothing".to_owned(),
        [one] => one.clone(),
        many => format!("one of {}", many.join(", ")),
    }
}

fn show_lit(lit: &Lit) -> String {
    match *lit {
        Lit::Null => "null".to_owned(),
        Lit::Bool(b) => b.to_string(),
        Lit::Int(i) => i.to_string(),
        Lit::UInt(u) => u.to_string(),
        Lit::Float(f) => f.to_string(),
        Lit::Str(s) => json(s),
    }
}

/// `s` as a JSON string.
pub(super) fn json(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// `s` as a JSON string, shortened when long.
pub(super) fn show_str(s: &str) -> String {
    const MAX: usize = 60;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => {
            let mut shown = json(&s[..cut]);
            shown.pop();
            shown.push_str("…\"");
            shown
        }
        None => json(s),
    }
}

/// A path as a JSON pointer, e.g. `/1/as`.
pub(super) fn pointer(segs: &[Seg]) -> String {
    let mut out = String::new();
    for seg in segs {
        out.push('/');
        match seg {
            Seg::Key(key) => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Seg::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

impl fmt::Display for Unmatched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.carried.is_empty() {
            f.write_str("it carries none of the values that tell the messages apart")?;
        } else {
            f.write_str("it carries ")?;
            for (i, (at, value)) in self.carried.iter().enumerate() {
                let sep = if i == 0 { "" } else { ", " };
                write!(f, "{sep}{at} = {value}")?;
            }
        }
        if self.ruled_out.is_empty() {
            f.write_str("; the enum has no messages")?;
        }
        for (name, why) in &self.ruled_out {
            write!(f, "; {name}: {why}")?;
        }
        Ok(())
    }
}

/// A frame for an error message: control characters escaped, shortened to
/// 200 characters (with the full length noted).
pub(super) struct Shortened<'a>(pub &'a str);

impl fmt::Display for Shortened<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 200;
        let frame = self.0;
        if frame.is_empty() {
            return f.write_str("(empty)");
        }
        for (i, c) in frame.chars().enumerate() {
            if i == MAX {
                return write!(f, "… ({} bytes)", frame.len());
            }
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

/// A slice of `N` values on the stack, or on the heap when longer.
pub(super) struct Buf<T: Copy, const N: usize> {
    len: usize,
    inline: [T; N],
    heap: Vec<T>,
}

impl<T: Copy, const N: usize> Buf<T, N> {
    /// `len` copies of `fill`.
    pub(super) fn new(len: usize, fill: T) -> Self {
        Buf {
            len,
            inline: [fill; N],
            heap: if len > N { vec![fill; len] } else { Vec::new() },
        }
    }
}

impl<T: Copy, const N: usize> Deref for Buf<T, N> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        if self.len > N {
            &self.heap
        } else {
            &self.inline[..self.len]
        }
    }
}

impl<T: Copy, const N: usize> DerefMut for Buf<T, N> {
    fn deref_mut(&mut self) -> &mut [T] {
        if self.len > N {
            &mut self.heap
        } else {
            &mut self.inline[..self.len]
        }
    }
}

/// A number, for comparison by value.
#[derive(Debug, Clone, Copy)]
pub(super) enum Num {
    /// An integer (any `i64` or `u64`).
    Int(i128),
    /// Any other number.
    Float(f64),
}

impl Num {
    /// Reads a JSON number; `None` if it is none.
    pub(super) fn parse(token: &str) -> Option<Num> {
        let digits = token.strip_prefix('-').unwrap_or(token);
        if !digits.is_empty() && digits.len() <= 38 && digits.bytes().all(|c| c.is_ascii_digit()) {
            return token.parse().ok().map(Num::Int);
        }
        token
            .parse()
            .ok()
            .filter(|f: &f64| f.is_finite())
            .map(Num::Float)
    }

    /// Whether it equals a number literal (never a non-number one).
    pub(super) fn equals(self, lit: &Lit) -> bool {
        let lit = match *lit {
            Lit::Int(i) => Num::Int(i.into()),
            Lit::UInt(u) => Num::Int(u.into()),
            Lit::Float(f) => Num::Float(f),
            _ => return false,
        };
        match (self, lit) {
            (Num::Int(a), Num::Int(b)) => a == b,
            (Num::Float(a), Num::Float(b)) => a == b,
            (Num::Int(i), Num::Float(f)) | (Num::Float(f), Num::Int(i)) => {
                // Exact: `f` is integral and within the range where the
                // conversion does not saturate.
                f.fract() == 0.0 && f.abs() < 1e38 && f as i128 == i
            }
        }
    }
}
