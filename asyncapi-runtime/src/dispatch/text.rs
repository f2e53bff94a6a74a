//! Probing a text frame in place: the values at the table's paths as byte
//! offsets into the frame, found by one scan of the top-level value
//! (skipping what no path goes through without looking into it), without
//! building a tree, and without allocating unless the table has more than
//! 16 paths.
//!
//! The scan checks the structure it walks through (brackets, commas, colons,
//! quotes) but not what it skips; serde_json decodes the frame afterwards and
//! has the last word on syntax. It never panics, never reads out of bounds
//! and never recurses, whatever the input.

use super::plan::{First, Layout};
use super::select::{show_str, Malformed, Num, Outcome, Probe};
use super::{Kind, Lit, Pattern, Rule, Seg, Table, Test};

/// A string in the frame: the offsets of its quotes.
#[derive(Debug, Clone, Copy)]
struct RawStr {
    open: usize,
    close: usize,
    /// Without backslashes: the bytes between the quotes are the string.
    plain: bool,
}

/// How much is known of the value at a path (once the frame is scanned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum State {
    /// Not there (the zero value: a path the scan does not reach is absent).
    Absent,
    /// The value at the first step of a longer path starts at `start` (the
    /// rest of the path is walked when asked for).
    Prefix,
    /// There.
    At,
}

/// The value at one of the table's paths, or what is known of it: a plain
/// record of offsets (no enum around it, so that the hot path reads fields
/// rather than moving tagged unions through memory). Offsets are `u32`:
/// the probe declines frames of 4 GiB or more (as if malformed, which
/// sends them through a parsed value instead).
#[derive(Debug, Clone, Copy)]
#[repr(C, align(16))]
pub(super) struct Val {
    /// Where it starts.
    start: u32,
    /// Strings: the offset of the closing quote; other scalars: where the
    /// token ends; containers skipped or walked to their end: where they
    /// end (after the closing bracket); other containers: `start`.
    end: u32,
    /// Counted containers: how many members they have.
    len: u32,
    state: State,
    kind: Kind,
    /// Strings: without backslashes. Containers: counted (`len` is known;
    /// only the top-level container is).
    flag: bool,
    /// Makes sixteen bytes, copied whole.
    pad: u8,
}

impl Val {
    const ABSENT: Val = Val {
        start: 0,
        end: 0,
        len: 0,
        state: State::Absent,
        kind: Kind::Null,
        flag: false,
        pad: 0,
    };

    /// The first step of a longer path: its value starts at `at`.
    fn prefix(at: usize) -> Result<Val, Malformed> {
        Ok(Val {
            start: offset(at)?,
            state: State::Prefix,
            ..Val::ABSENT
        })
    }

    /// The value starting at `at`, scanning scalars to their end but not
    /// containers.
    fn at(b: &[u8], at: usize) -> Result<Val, Malformed> {
        let kind = kind_at(b, at)?;
        let (end, flag) = match kind {
            Kind::String => string_end(b, at)?,
            Kind::Object | Kind::Array => (at, false),
            Kind::Null | Kind::Bool | Kind::Number => (scalar_end(b, at), false),
        };
        Ok(Val {
            start: offset(at)?,
            end: offset(end)?,
            len: 0,
            state: State::At,
            kind,
            flag,
            pad: 0,
        })
    }

    fn start(self) -> usize {
        self.start as usize
    }

    fn end(self) -> usize {
        self.end as usize
    }

    /// Scans the value starting at `at` to its end whatever its kind into
    /// `slot` (in place: the scan's hot path moves no `Val`s); where the
    /// value ends.
    #[inline]
    fn scan_into(b: &[u8], at: usize, slot: &mut Val) -> Result<usize, Malformed> {
        let kind = kind_at(b, at)?;
        let (end, len, flag, next) = match kind {
            Kind::String => {
                let (close, plain) = string_end(b, at)?;
                (close, 0, plain, close + 1)
            }
            // Containers are skipped, not counted: a length at one step
            // down is seldom asked for, and then counted by a walk.
            Kind::Object | Kind::Array => {
                let end = skip_container(b, at)?;
                (end, 0, false, end)
            }
            Kind::Null | Kind::Bool | Kind::Number => {
                let end = scalar_end(b, at);
                (end, 0, false, end)
            }
        };
        slot.start = offset(at)?;
        slot.end = offset(end)?;
        slot.len = offset(len)?;
        slot.state = State::At;
        slot.kind = kind;
        slot.flag = flag;
        Ok(next)
    }

    /// The number of members of a counted container.
    fn scanned_len(self) -> Option<usize> {
        let container = matches!(self.kind, Kind::Array | Kind::Object);
        (container && self.flag).then_some(self.len as usize)
    }

    fn raw_str(self) -> RawStr {
        RawStr {
            open: self.start(),
            close: self.end(),
            plain: self.flag,
        }
    }
}

/// An offset into a frame, as stored in a [`Val`].
#[inline]
fn offset(at: usize) -> Result<u32, Malformed> {
    u32::try_from(at).map_err(|_| Malformed)
}

/// The scan of the top-level value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    /// Not scanned yet.
    Unscanned,
    /// Scanned: every path of one step is settled.
    Done,
    /// The scan found the frame not to be JSON (or too long to probe).
    Malformed,
}

/// A set of indices (a bit each): the first 64 in a word, any others on
/// the heap.
struct Mask {
    word: u64,
    more: Vec<u64>,
}

impl Mask {
    /// `0..n`.
    #[inline]
    fn full(n: usize) -> Self {
        let mut mask = Mask::empty(n);
        mask.word = match n {
            0 => 0,
            1..=63 => (1 << n) - 1,
            _ => u64::MAX,
        };
        for (w, word) in mask.more.iter_mut().enumerate() {
            *word = match n - 64 * (w + 1) {
                rest @ 0..=63 => (1 << rest) - 1,
                _ => u64::MAX,
            };
        }
        mask
    }

    /// No index.
    #[inline]
    fn empty(n: usize) -> Self {
        Mask {
            word: 0,
            more: if n > 64 {
                vec![0; (n - 64).div_ceil(64)]
            } else {
                Vec::new()
            },
        }
    }

    #[inline]
    fn insert(&mut self, i: usize) {
        match i.checked_sub(64) {
            None => self.word |= 1 << i,
            Some(j) => {
                if let Some(word) = self.more.get_mut(j / 64) {
                    *word |= 1 << (j % 64);
                }
            }
        }
    }

    #[inline]
    fn is_empty(&self) -> bool {
        self.word == 0 && self.more.iter().all(|&word| word == 0)
    }

    /// How many words of 64 indices it has.
    #[inline]
    fn words(&self) -> usize {
        1 + self.more.len()
    }

    /// The indices `64 * w ..` (a bit each).
    #[inline]
    fn word(&self, w: usize) -> u64 {
        match w {
            0 => self.word,
            _ => self.more.get(w - 1).copied().unwrap_or(0),
        }
    }

    #[inline]
    fn remove(&mut self, i: usize) {
        match i.checked_sub(64) {
            None => self.word &= !(1 << i),
            Some(j) => {
                if let Some(word) = self.more.get_mut(j / 64) {
                    *word &= !(1 << (j % 64));
                }
            }
        }
    }
}

/// A key of an object member: the offsets of its quotes, and whether it
/// has no escapes.
type Key = (usize, usize, bool);

/// Whether the member with `key` (objects) at `index` is the step `seg`.
#[inline]
fn is_step(
    text: &str,
    seg: Option<&Seg>,
    key: Option<Key>,
    index: usize,
) -> Result<bool, Malformed> {
    Ok(match (seg, key) {
        (Some(Seg::Key(want)), Some((open, close, plain))) => {
            if plain {
                // Most keys differ in length: no call to compare bytes.
                close - open - 1 == want.len()
                    && text.as_bytes().get(open + 1..close) == Some(want.as_bytes())
            } else {
                unescape(text, RawStr { open, close, plain })? == *want
            }
        }
        (Some(Seg::Index(want)), None) => *want == index,
        _ => false,
    })
}

/// The key of the object member whose opening quote is at `i`, and where
/// its value starts.
#[inline]
fn key_at(b: &[u8], i: usize) -> Result<(Key, usize), Malformed> {
    if b.get(i) != Some(&b'"') {
        return Err(Malformed);
    }
    let (close, plain) = string_end(b, i)?;
    let colon = skip_ws(b, close + 1);
    if b.get(colon) != Some(&b':') {
        return Err(Malformed);
    }
    Ok(((i, close, plain), skip_ws(b, colon + 1)))
}

/// Room for the values at a table's paths: on the stack for up to 16.
pub(super) struct Slots {
    inline: [Val; 16],
    heap: Vec<Val>,
}

impl Slots {
    #[inline]
    pub(super) fn new() -> Self {
        Slots {
            inline: [Val::ABSENT; 16],
            heap: Vec::new(),
        }
    }

    /// Room for `n` values, every one absent.
    #[inline]
    pub(super) fn take(&mut self, n: usize) -> &mut [Val] {
        if n <= self.inline.len() {
            &mut self.inline[..n]
        } else {
            self.heap = vec![Val::ABSENT; n];
            &mut self.heap
        }
    }
}

/// A text frame being probed.
///
/// It is scanned once, before the first question: the members of the
/// top-level container that are a path's first step are recorded (the
/// values of paths of one step scanned to their end, containers counted),
/// the others skipped, and the container counted. A question about a
/// longer path walks the member it goes through once (for every path of
/// two steps through it at once, the generator's tables looking no
/// deeper); every other question is a look-up.
pub(super) struct TextProbe<'a> {
    text: &'a str,
    paths: &'static [&'static [Seg]],
    layout: &'a Layout,
    /// Where the top-level value starts (the frame's length if it is blank).
    root: usize,
    scan: Scan,
    /// Per path: the value there, once scanned (absent until then).
    slots: &'a mut [Val],
}

impl<'a> TextProbe<'a> {
    /// The probe of `text` for `table`, with `slots` (one per path of the
    /// table, all absent) to fill.
    #[inline]
    pub(super) fn new(table: &'a Table, text: &'a str, slots: &'a mut [Val]) -> Self {
        TextProbe {
            text,
            paths: table.paths,
            layout: table.prepared.layout(table),
            root: skip_ws(text.as_bytes(), 0),
            scan: Scan::Unscanned,
            slots,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// Scans the frame if not yet; whether it could.
    #[inline]
    fn scanned(&mut self) -> Result<(), Malformed> {
        if self.scan == Scan::Unscanned {
            self.scan = match self.scan_root() {
                Ok(()) => Scan::Done,
                Err(Malformed) => Scan::Malformed,
            };
        }
        match self.scan {
            Scan::Done => Ok(()),
            _ => Err(Malformed),
        }
    }

    /// The value at `path`, if present, when not known yet.
    #[cold]
    #[inline(never)]
    fn resolve(&mut self, path: usize) -> Result<Option<Val>, Malformed> {
        self.scanned()?;
        let slot = self.slots.get(path).copied().ok_or(Malformed)?;
        if slot.state == State::Prefix {
            let segs = self.paths.get(path).copied().ok_or(Malformed)?;
            if let [first, _] = segs {
                // Every path of two steps through the same member, at once.
                let layout = self.layout;
                let firsts: &[First] = match first {
                    Seg::Key(_) => &layout.keys,
                    Seg::Index(_) => &layout.indices,
                };
                let mut twos = Mask::empty(firsts.len());
                for (k, first) in firsts.iter().enumerate() {
                    let through = self
                        .slots
                        .get(first.path)
                        .is_some_and(|s| s.state == State::Prefix && s.start == slot.start);
                    if first.steps == 2 && through {
                        self.slots[first.path] = Val::ABSENT;
                        twos.insert(k);
                    }
                }
                self.walk_twos(slot.start(), firsts, &mut twos)?;
            } else {
                let found = walk(self.text, slot.start(), segs.get(1..).unwrap_or(&[]))?;
                self.slots[path] = match found {
                    Some(at) => Val::at(self.bytes(), at)?,
                    None => Val::ABSENT,
                };
            }
        }
        let slot = self.slots.get(path).copied().ok_or(Malformed)?;
        Ok((slot.state == State::At).then_some(slot))
    }

    /// Scans the top-level value, settling every path of one or two steps
    /// and noting where longer ones go through (every other path is
    /// absent).
    fn scan_root(&mut self) -> Result<(), Malformed> {
        let b = self.bytes();
        offset(b.len())?;
        let object = match b.get(self.root) {
            Some(b'{') => true,
            Some(b'[') => false,
            _ => {
                // A scalar (or nothing): only the empty path leads anywhere.
                let root = Val::at(b, self.root)?;
                for &path in &self.layout.roots {
                    self.slots[path] = root;
                }
                return Ok(());
            }
        };
        // The paths whose first step may be a member: keys into an object,
        // positions into an array.
        let firsts: &[First] = if object {
            &self.layout.keys
        } else {
            &self.layout.indices
        };
        let text = self.text;
        let mut pending = Mask::full(firsts.len());
        let close = if object { b'}' } else { b']' };
        let mut i = skip_ws(b, self.root + 1);
        let mut index = 0;
        let mut complete = true;
        if b.get(i) != Some(&close) {
            loop {
                let key = if object {
                    let (key, value) = key_at(b, i)?;
                    i = value;
                    Some(key)
                } else {
                    None
                };
                let at = i;
                if pending.is_empty() && object {
                    // Nothing left to find, and objects are not counted.
                    complete = false;
                    break;
                }
                // The paths that start here.
                let mut one = None;
                let mut more_ones = false;
                for w in 0..pending.words() {
                    let mut bits = pending.word(w);
                    while bits != 0 {
                        let k = 64 * w + bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        let Some(first) = firsts.get(k) else {
                            continue;
                        };
                        if !is_step(text, Some(&first.step), key, index)? {
                            continue;
                        }
                        pending.remove(k);
                        match first.steps {
                            1 if one.is_none() => one = Some(first.path),
                            1 => more_ones = true,
                            // Longer paths are walked when asked for.
                            _ => self.slots[first.path] = Val::prefix(at)?,
                        }
                    }
                }
                let end = match one {
                    // Recorded straight into the slot (a copy would wait
                    // for the fields just written).
                    Some(path) => Val::scan_into(b, at, &mut self.slots[path])?,
                    None => skip_value(b, at)?,
                };
                if let (Some(one), true) = (one, more_ones) {
                    let member = self.slots[one];
                    for first in firsts {
                        if first.steps == 1 && is_step(text, Some(&first.step), key, index)? {
                            self.slots[first.path] = member;
                        }
                    }
                }
                index += 1;
                i = skip_ws(b, end);
                match b.get(i) {
                    Some(b',') => i = skip_ws(b, i + 1),
                    Some(&c) if c == close => break,
                    _ => return Err(Malformed),
                }
            }
        }
        let root = Val {
            start: offset(self.root)?,
            end: offset(if complete { i + 1 } else { self.root })?,
            len: offset(index)?,
            state: State::At,
            kind: if object { Kind::Object } else { Kind::Array },
            flag: complete,
            pad: 0,
        };
        for &path in &self.layout.roots {
            self.slots[path] = root;
        }
        Ok(())
    }

    /// Walks the member value at `at` member by member, settling the paths
    /// of two steps in `twos` (indices into `firsts`, their slots absent)
    /// that it holds.
    fn walk_twos(&mut self, at: usize, firsts: &[First], twos: &mut Mask) -> Result<(), Malformed> {
        let b = self.bytes();
        let object = match b.get(at) {
            Some(b'{') => true,
            Some(b'[') => false,
            _ => return Ok(()),
        };
        let close = if object { b'}' } else { b']' };
        let mut i = skip_ws(b, at + 1);
        let mut index = 0;
        if b.get(i) != Some(&close) {
            // Until every path is found, or the member ends.
            while !twos.is_empty() {
                let key = if object {
                    let (key, value) = key_at(b, i)?;
                    i = value;
                    Some(key)
                } else {
                    None
                };
                let value = i;
                let mut scanned: Option<(usize, usize)> = None;
                for w in 0..twos.words() {
                    let mut bits = twos.word(w);
                    while bits != 0 {
                        let k = 64 * w + bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        let Some(first) = firsts.get(k) else {
                            continue;
                        };
                        if !is_step(self.text, first.second.as_ref(), key, index)? {
                            continue;
                        }
                        twos.remove(k);
                        if let Some((path, _)) = scanned {
                            self.slots[first.path] = self.slots[path];
                        } else {
                            let end = Val::scan_into(b, value, &mut self.slots[first.path])?;
                            scanned = Some((first.path, end));
                        }
                    }
                }
                let end = match scanned {
                    Some((_, end)) => end,
                    None => skip_value(b, value)?,
                };
                index += 1;
                i = skip_ws(b, end);
                match b.get(i) {
                    Some(b',') => i = skip_ws(b, i + 1),
                    Some(&c) if c == close => break,
                    _ => return Err(Malformed),
                }
            }
        }
        Ok(())
    }
}

impl Probe for TextProbe<'_> {
    type Val = Val;

    #[inline]
    fn get(&mut self, path: usize) -> Result<Option<Val>, Malformed> {
        match self.slots.get(path) {
            Some(val) if self.scan == Scan::Done && val.state != State::Prefix => {
                Ok((val.state == State::At).then_some(*val))
            }
            _ => self.resolve(path),
        }
    }

    #[inline]
    fn prepare(&mut self) -> Result<(), Malformed> {
        self.scanned()
    }

    #[inline]
    fn kind_of(&mut self, path: usize) -> Result<Option<Kind>, Malformed> {
        match self.slots.get(path) {
            Some(val) if self.scan == Scan::Done && val.state != State::Prefix => {
                Ok((val.state == State::At).then_some(val.kind))
            }
            _ => Ok(self.resolve(path)?.map(|val| val.kind)),
        }
    }

    #[inline]
    fn array_len_of(&mut self, path: usize) -> Result<Option<usize>, Malformed> {
        if let Some(val) = self.slots.get(path) {
            if self.scan == Scan::Done && val.state != State::Prefix {
                if val.state == State::Absent || val.kind != Kind::Array {
                    return Ok(None);
                }
                if val.flag {
                    return Ok(Some(val.len as usize));
                }
            }
        }
        match self.resolve(path)? {
            Some(val) if val.kind == Kind::Array => Ok(Some(self.len(val)?)),
            _ => Ok(None),
        }
    }

    /// The common value tests on scanned values, decided here without the
    /// general [`super::select::check`] (which this agrees with).
    #[inline]
    fn quick(&self, rule: &Rule) -> Option<Outcome> {
        let held = |yes: bool| if yes { Outcome::Present } else { Outcome::Fail };
        if self.scan != Scan::Done {
            return None;
        }
        let val = self.slots.get(rule.path)?;
        match val.state {
            State::At => {}
            State::Absent => {
                return Some(match rule.test {
                    Test::OneOfOrAbsent(_) | Test::PatternOrAbsent(_) => Outcome::Absent,
                    _ => Outcome::Fail,
                })
            }
            State::Prefix => return None,
        }
        match rule.test {
            Test::Kind(want) => Some(held(want == val.kind)),
            Test::Len(n) => match val.kind {
                Kind::Array => val.scanned_len().map(|len| held(len == n)),
                _ => Some(Outcome::Fail),
            },
            Test::LenRange(min, max) => match val.kind {
                Kind::Array => val
                    .scanned_len()
                    .map(|n| held(n >= min && max.is_none_or(|max| n <= max))),
                _ => Some(Outcome::Fail),
            },
            Test::OneOf(lits) | Test::OneOfOrAbsent(lits) => {
                if val.kind != Kind::String || !val.flag {
                    return None;
                }
                let s = self.bytes().get(val.start() + 1..val.end())?;
                Some(held(lits.iter().any(
                    |lit| matches!(lit, Lit::Str(want) if want.as_bytes() == s),
                )))
            }
            Test::Pattern(pattern) | Test::PatternOrAbsent(pattern) => match val.kind {
                Kind::String if val.flag => {
                    let s = self.text.get(val.start() + 1..val.end())?;
                    Some(held((pattern.is_match)(s)))
                }
                Kind::String => None,
                _ => Some(Outcome::Fail),
            },
            Test::Has(_) | Test::Closed(_) => None,
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
            Lit::Str(want) if value.flag => {
                b.get(value.start() + 1..value.end()) == Some(want.as_bytes())
            }
            Lit::Str(want) => unescape(self.text, value.raw_str())? == want,
            Lit::Null => b.get(value.start()..value.end()) == Some(b"null"),
            Lit::Bool(true) => b.get(value.start()..value.end()) == Some(b"true"),
            Lit::Bool(false) => b.get(value.start()..value.end()) == Some(b"false"),
            Lit::Int(_) | Lit::UInt(_) | Lit::Float(_) => {
                let token = self.text.get(value.start()..value.end()).ok_or(Malformed)?;
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
        if let Some(len) = value.scanned_len() {
            return Ok(len);
        }
        let mut walk = Walk::new(value.start(), false);
        while walk.next(self.bytes())?.is_some() {}
        Ok(walk.index)
    }

    fn has(&self, value: Val, key: &str) -> Result<bool, Malformed> {
        let mut walk = Walk::new(value.start(), true);
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
        let mut walk = Walk::new(value.start(), true);
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
        let mut walk = Walk::new(value.start(), true);
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
                let token = self.text.get(value.start()..value.end()).ok_or(Malformed)?;
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
    match kind_at(b, at).ok()? {
        Kind::Object | Kind::Array => None,
        _ => frame.get(at..skip_value(b, at).ok()?),
    }
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
            Step::Value(value) => {
                let i = skip_ws(b, skip_value(b, value)?);
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

#[inline]
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// The kind of the value starting at `at`, by its first byte.
#[inline]
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
        Kind::Object | Kind::Array => skip_container(b, at),
        Kind::Null | Kind::Bool | Kind::Number => Ok(scalar_end(b, at)),
    }
}

/// What a byte is to [`skip_container`] in an object: nothing (0), a quote
/// (1), an opening (2) or closing (3) brace.
const IN_OBJECT: [u8; 256] = classes(b'{', b'}');
/// The same in an array, with square brackets.
const IN_ARRAY: [u8; 256] = classes(b'[', b']');

const fn classes(open: u8, close: u8) -> [u8; 256] {
    let mut class = [0; 256];
    class[b'"' as usize] = 1;
    class[open as usize] = 2;
    class[close as usize] = 3;
    class
}

/// Where the container whose opening bracket is at `at` ends (after its
/// closing bracket). Only brackets of its own kind are counted (the other
/// kind nests in between in valid JSON, and serde_json judges the rest),
/// and strings are skipped (eight bytes at a time); any other byte costs a
/// table look-up. Market data is dense with short strings and brackets,
/// where jumping from one to the next with a search routine costs more
/// than it saves.
fn skip_container(b: &[u8], at: usize) -> Result<usize, Malformed> {
    let class = match b.get(at) {
        Some(b'{') => &IN_OBJECT,
        _ => &IN_ARRAY,
    };
    let mut depth = 0usize;
    let mut i = at;
    loop {
        let c = *b.get(i).ok_or(Malformed)?;
        match class[usize::from(c)] {
            0 => {}
            1 => i = string_end(b, i)?.0,
            2 => depth += 1,
            _ => {
                depth = depth.checked_sub(1).ok_or(Malformed)?;
                if depth == 0 {
                    return Ok(i + 1);
                }
            }
        }
        i += 1;
    }
}

/// Where the number, `true`, `false` or `null` starting at `at` ends.
#[inline]
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
#[inline]
fn string_at(b: &[u8], open: usize) -> Result<RawStr, Malformed> {
    let (close, plain) = string_end(b, open)?;
    Ok(RawStr { open, close, plain })
}

/// The offset of the closing quote of the string whose opening quote is at
/// `open`, and whether the string has no escapes.
#[inline]
fn string_end(b: &[u8], open: usize) -> Result<(usize, bool), Malformed> {
    let mut i = open + 1;
    let mut plain = true;
    loop {
        // Eight bytes at a time, while there are eight.
        while let Some(word) = b.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
            let word = u64::from_le_bytes(word);
            let flags = bytes_equal(word, b'"') | bytes_equal(word, b'\\');
            if flags != 0 {
                i += (flags.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
        match b.get(i) {
            Some(b'"') => return Ok((i, plain)),
            Some(b'\\') => {
                plain = false;
                i += 2;
            }
            Some(_) => i += 1,
            None => return Err(Malformed),
        }
    }
}

/// The bytes of `word` equal to `byte`, flagged by their high bit. The
/// lowest flag is exact; flags above it may be false (a borrow carries).
#[inline]
fn bytes_equal(word: u64, byte: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS
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
#[inline]
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
    fn ends_strings_and_containers() {
        // Escapes anywhere, also astride the eight-byte words.
        for (s, close, plain) in [
            (r#""""#, 1, true),
            (r#""abcdefgh""#, 9, true),
            (r#""abcdefg\"""#, 10, false),
            (r#""abcdefgh\\"x"#, 11, false),
            (r#""a\\\\\"bcdefghijklmnop""#, 23, false),
            (r#""0123456789abcdef0""#, 18, true),
        ] {
            assert_eq!(
                string_end(s.as_bytes(), 0).ok(),
                Some((close, plain)),
                "{s}"
            );
        }
        assert!(string_end(br#""abcdefghijk\""#, 0).is_err());
        for (s, end) in [
            ("[]", 2),
            ("[ ]", 3),
            ("{}", 2),
            ("[1]", 3),
            (r#"[1,"a,b",[2,3],{"c":[4,5]}]"#, 27),
            (r#"{"a":[1,2],"b":{"c":",]"}}"#, 26),
            (r#"{"a":"}","b":[{"c":"]"}]}x"#, 25),
        ] {
            assert_eq!(skip_container(s.as_bytes(), 0).ok(), Some(end), "{s}");
        }
    }

    #[test]
    fn scans_tables_of_many_paths() {
        use crate::dispatch::{Candidate, Kind, Prepared, Rule, Table, Test};
        // 70 paths (past the 64 of a mask word, the 16 slots on the stack),
        // one candidate per key.
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let paths: Vec<&'static [Seg]> = (0..70)
            .map(|k| &*Box::leak(vec![Seg::Key(leak(format!("k{k}")))].into_boxed_slice()))
            .collect();
        let paths: &'static [&'static [Seg]] = Box::leak(paths.into_boxed_slice());
        let candidates: Vec<Candidate> = (0..70)
            .map(|k| Candidate {
                name: leak(format!("K{k}")),
                rules: Box::leak(
                    vec![Rule {
                        path: k,
                        test: Test::Kind(Kind::Number),
                    }]
                    .into_boxed_slice(),
                ),
            })
            .collect();
        let table: &'static Table = Box::leak(Box::new(Table {
            enum_name: "Many",
            paths,
            candidates: Box::leak(candidates.into_boxed_slice()),
            prepared: Prepared::new(),
        }));
        for k in [0, 15, 16, 63, 64, 69] {
            let frame = format!(r#"{{"x":"{{","k{k}":2,"y":[1]}}"#);
            assert_eq!(
                table.decode_str(&frame, |i, _| Ok(i)).ok(),
                Some(k),
                "{frame}"
            );
        }
        assert!(table.decode_str(r#"{"k70":1}"#, |i, _| Ok(i)).is_err());
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
