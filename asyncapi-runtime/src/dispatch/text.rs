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
//!
//! For the pre-selection, an array frame is also read element by element
//! from its start ([`Head`]) and from its end ([`TailRead`]: scalars read
//! backward, up to a container, of which only the type is known), without
//! the scan. On JSON text both reads find what the scan finds; on anything
//! else they stop, or find values that serde_json then rejects.

use super::plan::{First, Layout, Place};
use super::select::{lit_kind, show_str, Malformed, Num, Outcome, Probe};
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

    /// [`Val::at`], in place.
    #[inline]
    fn at_into(b: &[u8], at: usize, out: &mut Val) -> Result<(), Malformed> {
        let kind = kind_at(b, at)?;
        let (end, flag) = match kind {
            Kind::String => string_end(b, at)?,
            Kind::Object | Kind::Array => (at, false),
            Kind::Null | Kind::Bool | Kind::Number => (scalar_end(b, at), false),
        };
        out.start = offset(at)?;
        out.end = offset(end)?;
        out.len = 0;
        out.state = State::At;
        out.kind = kind;
        out.flag = flag;
        Ok(())
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
    /// The pre-selection's read of an array frame from its start.
    head: Head,
    /// The pre-selection's read of an array frame from its end.
    tail: TailRead,
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
            head: Head::NEW,
            tail: TailRead::NEW,
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
                self.walk_twos(slot.start(), firsts, &mut twos, false)?;
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
    /// that it holds: until all are found, or `to_end`, to its end. Where
    /// it ends (after its closing bracket), if the walk got there.
    fn walk_twos(
        &mut self,
        at: usize,
        firsts: &[First],
        twos: &mut Mask,
        to_end: bool,
    ) -> Result<Option<usize>, Malformed> {
        let b = self.bytes();
        let object = match b.get(at) {
            Some(b'{') => true,
            Some(b'[') => false,
            _ => return Ok(None),
        };
        let close = if object { b'}' } else { b']' };
        let mut i = skip_ws(b, at + 1);
        let mut index = 0;
        if b.get(i) == Some(&close) {
            return Ok(Some(i + 1));
        }
        // Until every path is found, or the member ends.
        while to_end || !twos.is_empty() {
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
                Some(&c) if c == close => return Ok(Some(i + 1)),
                _ => return Err(Malformed),
            }
        }
        Ok(None)
    }

    /// [`TextProbe::head_to`], with the common case (already there) inline.
    #[inline]
    fn head_reach(&mut self, k: usize) -> Reach {
        if self.head.started && self.head.index == k && !self.head.broken {
            Reach::There
        } else {
            self.head_to(k)
        }
    }

    /// Walks the element at the head (at `index`) to its end, settling every
    /// path of two steps through it at once; `None` if the frame cannot be
    /// read.
    fn walk_head(&mut self, index: usize) -> Option<()> {
        self.head.walked = true;
        let layout = self.layout;
        let list = layout
            .through
            .iter()
            .find(|(i, _)| *i == index)
            .map_or(&[][..], |(_, list)| list.as_slice());
        for &(_, path) in list {
            *self.slots.get_mut(path)? = Val::ABSENT;
        }
        let at = self.head.val.start();
        let walked = if list.len() <= 64 {
            self.walk_list(at, list)
        } else {
            let mut twos = Mask::empty(layout.indices.len());
            for (k, first) in layout.indices.iter().enumerate() {
                if first.steps == 2 && first.step == Seg::Index(index) {
                    twos.insert(k);
                }
            }
            self.walk_twos(at, &layout.indices, &mut twos, true)
        };
        match walked {
            Ok(end) => {
                self.head.end = end.unwrap_or(0);
                Some(())
            }
            Err(Malformed) => {
                self.head.broken = true;
                None
            }
        }
    }

    /// Walks the container at `at` to its end, member by member, settling
    /// the paths of `list` (at most 64: second step, path) that it holds;
    /// where it ends (`None` if it is no container).
    fn walk_list(&mut self, at: usize, list: &[(Seg, usize)]) -> Result<Option<usize>, Malformed> {
        let b = self.bytes();
        let text = self.text;
        let object = match b.get(at) {
            Some(b'{') => true,
            Some(b'[') => false,
            _ => return Ok(None),
        };
        let close = if object { b'}' } else { b']' };
        let mut i = skip_ws(b, at + 1);
        if b.get(i) == Some(&close) {
            return Ok(Some(i + 1));
        }
        let mut pending: u64 = match list.len() {
            64 => u64::MAX,
            n => (1 << n) - 1,
        };
        let mut index = 0;
        loop {
            let key = if object {
                let (key, value) = key_at(b, i)?;
                i = value;
                Some(key)
            } else {
                None
            };
            let mut scanned: Option<(usize, usize)> = None;
            let mut bits = pending;
            while bits != 0 {
                let k = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let Some(&(second, path)) = list.get(k) else {
                    continue;
                };
                let hit = match (second, key) {
                    (Seg::Key(want), Some((open, close, true))) => {
                        close - open - 1 == want.len()
                            && b.get(open + 1..close) == Some(want.as_bytes())
                    }
                    (Seg::Key(want), Some((open, close, false))) => {
                        unescape(
                            text,
                            RawStr {
                                open,
                                close,
                                plain: false,
                            },
                        )? == want
                    }
                    (Seg::Index(want), None) => want == index,
                    _ => false,
                };
                if !hit {
                    continue;
                }
                pending &= !(1 << k);
                match scanned {
                    Some((first, _)) => self.slots[path] = self.slots[first],
                    None => {
                        let end = Val::scan_into(b, i, &mut self.slots[path])?;
                        scanned = Some((path, end));
                    }
                }
            }
            let end = match scanned {
                Some((_, end)) => end,
                None => skip_value(b, i)?,
            };
            index += 1;
            i = skip_ws(b, end);
            match b.get(i) {
                Some(b',') => i = skip_ws(b, i + 1),
                Some(&c) if c == close => return Ok(Some(i + 1)),
                _ => return Err(Malformed),
            }
        }
    }

    /// Moves the head (see [`Head`]) to element `k` of the array frame.
    fn head_to(&mut self, k: usize) -> Reach {
        let b = self.bytes();
        loop {
            let head = &mut self.head;
            if head.broken {
                return Reach::Unknown;
            }
            if head.started && head.index >= k {
                return if head.index == k {
                    Reach::There
                } else {
                    Reach::Unknown
                };
            }
            if head.ended {
                return Reach::Absent;
            }
            let next = if head.started {
                let end = match head.val.kind {
                    Kind::String => head.val.end() + 1,
                    Kind::Null | Kind::Bool | Kind::Number => head.val.end(),
                    Kind::Object | Kind::Array => match head.end {
                        0 => match skip_container(b, head.val.start()) {
                            Ok(end) => end,
                            Err(Malformed) => {
                                head.broken = true;
                                return Reach::Unknown;
                            }
                        },
                        end => end,
                    },
                };
                let i = skip_ws(b, end);
                match b.get(i) {
                    Some(b',') => skip_ws(b, i + 1),
                    Some(b']') => {
                        head.ended = true;
                        head.len = head.index + 1;
                        return Reach::Absent;
                    }
                    _ => {
                        head.broken = true;
                        return Reach::Unknown;
                    }
                }
            } else {
                if b.get(self.root) != Some(&b'[') {
                    head.broken = true;
                    return Reach::Unknown;
                }
                let i = skip_ws(b, self.root + 1);
                if b.get(i) == Some(&b']') {
                    head.started = true;
                    head.ended = true;
                    head.len = 0;
                    return Reach::Absent;
                }
                i
            };
            if Val::at_into(b, next, &mut head.val).is_err() {
                head.broken = true;
                return Reach::Unknown;
            }
            head.index = if head.started { head.index + 1 } else { 0 };
            head.started = true;
            head.end = 0;
            head.walked = false;
            // Where the elements read from the end start: the length is known.
            let tail = &self.tail;
            if tail.scalars > 0 && next == tail.scalar_start {
                head.len = head.index + tail.scalars;
                head.met = true;
            }
        }
    }

    /// Moves the tail (see [`TailRead`]) to element `t` from the end (1:
    /// the last); whether it got there.
    fn tail_to(&mut self, t: usize) -> bool {
        let b = self.bytes();
        while self.tail.read < t {
            let tail = &mut self.tail;
            let end = match tail.next {
                TAIL_DONE => return false,
                TAIL_START => {
                    // The closing bracket of the array that starts at `root`.
                    let close = skip_ws_back(b, b.len()).wrapping_sub(1);
                    if close <= self.root
                        || b.get(close) != Some(&b']')
                        || b.get(self.root) != Some(&b'[')
                    {
                        tail.next = TAIL_DONE;
                        return false;
                    }
                    close
                }
                comma => comma,
            };
            tail.next = TAIL_DONE;
            if !element_before(b, self.root, end, &mut tail.val) {
                return false;
            }
            tail.read += 1;
            if !matches!(tail.val.kind, Kind::Object | Kind::Array) {
                tail.scalars = tail.read;
                tail.scalar_start = tail.val.start();
                // What comes before it: a comma, or the opening bracket.
                let before = skip_ws_back(b, tail.val.start());
                if before > self.root + 1 && b.get(before - 1) == Some(&b',') {
                    tail.next = before - 1;
                }
            }
        }
        self.tail.read == t
    }
}

/// Whether the head got to an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// It is there.
    There,
    /// The array has no such element.
    Absent,
    /// The frame cannot be read that far.
    Unknown,
}

/// The pre-selection's forward read of an array frame, element by element:
/// scalars whole, containers skipped (or walked) only to go past them.
#[derive(Debug, Clone, Copy)]
struct Head {
    started: bool,
    /// The position of the element `val` (once started).
    index: usize,
    val: Val,
    /// Where the container `val` ends, once known (0: not yet).
    end: usize,
    /// Whether `val`'s paths of two steps are settled.
    walked: bool,
    /// Whether the array ends after `val` (`len` is then its length).
    ended: bool,
    /// Whether `val` is the farthest element read from the end (`len` is
    /// then the array's length).
    met: bool,
    len: usize,
    /// The frame cannot be read further.
    broken: bool,
}

impl Head {
    const NEW: Head = Head {
        started: false,
        index: 0,
        val: Val::ABSENT,
        end: 0,
        walked: false,
        ended: false,
        met: false,
        len: 0,
        broken: false,
    };
}

/// `TailRead::next` before the first element is read.
const TAIL_START: usize = 0;
/// `TailRead::next` when no more can be read.
const TAIL_DONE: usize = usize::MAX;

/// The pre-selection's backward read of an array frame: scalars, up to a
/// container (of which it knows the type only).
#[derive(Debug, Clone, Copy)]
struct TailRead {
    /// The offset of the comma after the next element to read (or
    /// [`TAIL_START`], [`TAIL_DONE`]).
    next: usize,
    /// How many elements are read; the last of them is `val`.
    read: usize,
    val: Val,
    /// How many scalars are read, and where the farthest starts.
    scalars: usize,
    scalar_start: usize,
}

impl TailRead {
    const NEW: TailRead = TailRead {
        next: TAIL_START,
        read: 0,
        val: Val::ABSENT,
        scalars: 0,
        scalar_start: 0,
    };
}

/// Whether `test` holds of the value `val` (absent if its state says so),
/// as [`super::select::check`] decides; `None` when it takes more than the
/// value read (the length of a container, structure), or the value cannot
/// be unescaped.
#[inline]
fn holds_at(text: &str, val: &Val, test: &Test) -> Option<bool> {
    if val.state != State::At {
        return Some(matches!(
            test,
            Test::OneOfOrAbsent(_) | Test::PatternOrAbsent(_)
        ));
    }
    let kind = val.kind;
    Some(match *test {
        Test::Kind(want) => want == kind,
        Test::OneOf(lits) | Test::OneOfOrAbsent(lits) => {
            for lit in lits {
                if lit_kind(lit) == kind && equals_at(text, val, lit).ok()? {
                    return Some(true);
                }
            }
            false
        }
        Test::Pattern(pattern) | Test::PatternOrAbsent(pattern) => {
            kind == Kind::String && matches_at(text, val, pattern).ok()?
        }
        Test::Len(_) | Test::LenRange(..) if kind != Kind::Array => false,
        Test::Len(_) | Test::LenRange(..) | Test::Has(_) | Test::Closed(_) => return None,
    })
}

/// Whether the scalar `value` equals `lit` (of the same kind).
#[inline]
fn equals_at(text: &str, value: &Val, lit: &Lit) -> Result<bool, Malformed> {
    let b = text.as_bytes();
    Ok(match *lit {
        Lit::Str(want) if value.flag => {
            b.get(value.start() + 1..value.end()) == Some(want.as_bytes())
        }
        Lit::Str(want) => unescape(text, value.raw_str())? == want,
        Lit::Null => b.get(value.start()..value.end()) == Some(b"null"),
        Lit::Bool(true) => b.get(value.start()..value.end()) == Some(b"true"),
        Lit::Bool(false) => b.get(value.start()..value.end()) == Some(b"false"),
        Lit::Int(_) | Lit::UInt(_) | Lit::Float(_) => {
            let token = text.get(value.start()..value.end()).ok_or(Malformed)?;
            Num::parse(token).is_some_and(|n| n.equals(lit))
        }
    })
}

/// Whether the string `value` matches `pattern`.
#[inline]
fn matches_at(text: &str, value: &Val, pattern: &Pattern) -> Result<bool, Malformed> {
    Ok(match plain(text, value.raw_str()) {
        Some(s) => (pattern.is_match)(s),
        None => (pattern.is_match)(&unescape(text, value.raw_str())?),
    })
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
    fn root_kind(&mut self) -> Option<Kind> {
        kind_at(self.bytes(), self.root).ok()
    }

    #[inline]
    fn pre_read(&mut self, place: Place) -> Option<Option<Kind>> {
        match place {
            Place::FromEnd(from_end) => {
                let there = self.tail.read == from_end || self.tail_to(from_end);
                there.then_some(Some(self.tail.val.kind))
            }
            Place::At(index) => match self.head_reach(index) {
                Reach::There => Some(Some(self.head.val.kind)),
                Reach::Absent => Some(None),
                Reach::Unknown => None,
            },
            Place::Through(index, path) => {
                match self.head_reach(index) {
                    Reach::There => {}
                    Reach::Absent => return Some(None),
                    Reach::Unknown => return None,
                }
                if !self.head.walked {
                    self.walk_head(index)?;
                }
                let slot = self.slots.get(path)?;
                Some((slot.state == State::At).then_some(slot.kind))
            }
            Place::Len => None,
        }
    }

    #[inline]
    fn pre_holds(&mut self, place: Place, test: &Test) -> Option<bool> {
        let val = match place {
            Place::FromEnd(_) => &self.tail.val,
            Place::At(index) if self.head.started && self.head.index == index => &self.head.val,
            Place::At(_) => &Val::ABSENT,
            Place::Through(_, path) => self.slots.get(path)?,
            Place::Len => return None,
        };
        holds_at(self.text, val, test)
    }

    fn len_holds(&mut self, test: &Test) -> Option<bool> {
        loop {
            let head = &self.head;
            if head.broken {
                return None;
            }
            if head.started && (head.ended || head.met) {
                let n = head.len;
                return match *test {
                    Test::Len(want) => Some(n == want),
                    Test::LenRange(min, max) => Some(n >= min && max.is_none_or(|max| n <= max)),
                    _ => None,
                };
            }
            let next = if head.started { head.index + 1 } else { 0 };
            self.head_to(next);
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
        equals_at(self.text, &value, lit)
    }

    fn matches(&self, value: Val, pattern: &Pattern) -> Result<bool, Malformed> {
        matches_at(self.text, &value, pattern)
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

/// Where the whitespace that ends at `end` (exclusive) starts.
#[inline]
fn skip_ws_back(b: &[u8], mut end: usize) -> usize {
    while let Some(i) = end.checked_sub(1) {
        if !matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            break;
        }
        end = i;
    }
    end
}

/// The offset of the nearest quote or backslash before `end` and after
/// `open` (eight bytes at a time, while there are eight).
#[inline]
fn quote_or_backslash_before(b: &[u8], open: usize, mut end: usize) -> Option<usize> {
    while end >= open + 9 {
        let word = b.get(end - 8..end)?;
        let word = u64::from_le_bytes(<[u8; 8]>::try_from(word).ok()?);
        let flags = bytes_equal_exact(word, b'"') | bytes_equal_exact(word, b'\\');
        if flags != 0 {
            return Some(end - 8 + (63 - flags.leading_zeros() as usize) / 8);
        }
        end -= 8;
    }
    while end > open + 1 {
        end -= 1;
        if matches!(b.get(end), Some(b'"' | b'\\')) {
            return Some(end);
        }
    }
    None
}

/// The bytes of `word` equal to `byte`, flagged by their high bit, every
/// flag exact (unlike [`bytes_equal`]: no borrow crosses bytes), so that the
/// highest may be taken.
#[inline]
fn bytes_equal_exact(word: u64, byte: u8) -> u64 {
    const LOWS: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ (0x0101_0101_0101_0101 * u64::from(byte));
    !(((x & LOWS).wrapping_add(LOWS)) | x) & !LOWS
}

/// Whether a byte may be part of a number, `true`, `false` or `null`.
#[inline]
fn is_token_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')
}

/// Reads into `out` the element of the array that starts at `open` whose
/// value ends just before `delimiter` (the offset of the comma or closing
/// bracket after it, whitespace between), backward: a scalar (as
/// [`Val::at`] finds it when the frame is JSON), or a container, of which
/// only the type is known (no offsets: nothing else may be asked of it).
/// `false` if the bytes there are no value. Never reads before `open`.
///
/// A string is read back to the nearest quote before its closing quote
/// that is preceded by an even number of backslashes: in JSON text, a quote
/// within a string is escaped (an odd number), and the quote that opens it
/// follows a comma, bracket or whitespace (none).
fn element_before(b: &[u8], open: usize, delimiter: usize, out: &mut Val) -> bool {
    let Some(last) = skip_ws_back(b, delimiter).checked_sub(1) else {
        return false;
    };
    if last <= open {
        return false;
    }
    let (start, end, kind, flag) = match b.get(last) {
        Some(b'}') => (0, 0, Kind::Object, false),
        Some(b']') => (0, 0, Kind::Array, false),
        Some(b'"') => {
            let mut plain = true;
            let mut i = last;
            loop {
                // The nearest quote or backslash before `i`, after `open`.
                let Some(at) = quote_or_backslash_before(b, open, i) else {
                    return false;
                };
                i = at;
                if b.get(i) == Some(&b'\\') {
                    plain = false;
                    continue;
                }
                let mut run = i;
                while run > open && b.get(run - 1) == Some(&b'\\') {
                    run -= 1;
                }
                if (i - run) % 2 == 0 {
                    break;
                }
                plain = false;
            }
            (i, last, Kind::String, plain)
        }
        Some(&c) if is_token_byte(c) => {
            let mut i = last;
            while i > open + 1 && b.get(i - 1).is_some_and(|&c| is_token_byte(c)) {
                i -= 1;
            }
            match kind_at(b, i) {
                Ok(kind @ (Kind::Number | Kind::Bool | Kind::Null)) => (i, last + 1, kind, false),
                _ => return false,
            }
        }
        _ => return false,
    };
    let (Ok(start), Ok(end)) = (offset(start), offset(end)) else {
        return false;
    };
    out.start = start;
    out.end = end;
    out.len = 0;
    out.state = State::At;
    out.kind = kind;
    out.flag = flag;
    true
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

    /// A probe of `frame` for a table with no paths.
    fn with_probe<R>(frame: &str, f: impl FnOnce(&mut TextProbe<'_>) -> R) -> R {
        use crate::dispatch::{Prepared, Table};
        static TABLE: Table = Table {
            enum_name: "T",
            paths: &[],
            candidates: &[],
            prepared: Prepared::new(),
        };
        let mut slots = Slots::new();
        let mut probe = TextProbe::new(&TABLE, frame, slots.take(0));
        f(&mut probe)
    }

    /// What the probe read at `val`: its kind, and for a scalar its JSON
    /// text.
    fn read(frame: &str, val: &Val) -> Read {
        let scalar = match val.kind {
            Kind::Object | Kind::Array => None,
            Kind::String => frame.get(val.start()..val.end() + 1).map(str::to_owned),
            _ => frame.get(val.start()..val.end()).map(str::to_owned),
        };
        (val.kind, scalar)
    }

    /// The elements read backward, until the reader stops.
    fn backward(frame: &str) -> Vec<Read> {
        with_probe(frame, |probe| {
            let mut out = Vec::new();
            for t in 1..=12 {
                if !probe.tail_to(t) {
                    break;
                }
                out.push(read(frame, &probe.tail.val));
            }
            out
        })
    }

    /// An element read: its kind, and for a scalar its JSON text.
    type Read = (Kind, Option<String>);

    /// The elements read forward (`None`: absent; stops at the first
    /// element it cannot tell).
    fn forward(frame: &str) -> Vec<Option<Read>> {
        with_probe(frame, |probe| {
            let mut out = Vec::new();
            for k in 0..12 {
                match probe.head_to(k) {
                    Reach::There => out.push(Some(read(frame, &probe.head.val))),
                    Reach::Absent => out.push(None),
                    Reach::Unknown => break,
                }
            }
            out
        })
    }

    fn s(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    #[test]
    fn finds_quotes_backward() {
        let s = br#"["ab\"cdefghij","klmnopqrstuvwxyz"]"#;
        let open = 0;
        // Every quote and backslash, from the end, down to `open`.
        let mut found = Vec::new();
        let mut end = s.len();
        while let Some(at) = quote_or_backslash_before(s, open, end) {
            found.push(at);
            end = at;
        }
        let expected: Vec<usize> = (open + 1..s.len())
            .rev()
            .filter(|&i| matches!(s[i], b'"' | b'\\'))
            .collect();
        assert_eq!(found, expected);
        for byte in 0..=255u8 {
            let word = u64::from_le_bytes([byte, b'"', 0, 0x22 ^ 0x80, b'\\', 0xff, b'"', 1]);
            let flags = bytes_equal_exact(word, b'"');
            assert_eq!(flags, 0x0080_0000_0000_8000 | u64::from(byte == b'"') << 7);
        }
    }

    #[test]
    fn reads_arrays_backward() {
        use Kind::*;
        assert_eq!(
            backward(r#"[1,"a","b"]"#),
            [
                (String, s(r#""b""#)),
                (String, s(r#""a""#)),
                (Number, s("1"))
            ]
        );
        // Whitespace anywhere, escapes (quotes and backslashes at either
        // end of a string), non-ASCII.
        assert_eq!(
            backward(" [ -1.5e3 ,\t\"a\\\"]\" ,\n\"x\\\\\"\r, \"\\\"\" , \"日本é\" ] \n"),
            [
                (String, s("\"日本é\"")),
                (String, s(r#""\"""#)),
                (String, s(r#""x\\""#)),
                (String, s(r#""a\"]""#)),
                (Number, s("-1.5e3")),
            ]
        );
        assert_eq!(
            backward("[true,false,null]"),
            [(Null, s("null")), (Bool, s("false")), (Bool, s("true"))]
        );
        // Up to a container, whose type only is read.
        assert_eq!(
            backward(r#"[1,{"a":"]"},"book-10","XBT/USD"]"#),
            [
                (String, s(r#""XBT/USD""#)),
                (String, s(r#""book-10""#)),
                (Object, None)
            ]
        );
        assert_eq!(backward(r#"[[1,"]"]]"#), [(Array, None)]);
        // Nothing to read.
        for frame in [
            "",
            " ",
            "[",
            "]",
            "[]",
            "[ ]",
            "[,]",
            "[1,]",
            "{}",
            r#"{"a":1}"#,
            "1",
            "\"a\"",
            r#"["a"#,
            r#"[a"]"#,
            r#"["\"]"#,
            r#""a"]"#,
            r#"[1 2"#,
            "[1]x",
        ] {
            let read = backward(frame);
            assert!(read.len() <= 1, "{frame:?}: {read:?}");
            if let [(_, Some(text))] = read.as_slice() {
                assert!(frame.contains(text.as_str()), "{frame:?}");
            }
        }
        // A string whose opening quote would be the array's bracket.
        assert_eq!(backward(r#"["]"#), []);
        // Garbage before a value ends the read after it.
        assert_eq!(backward(r#"[1 "a"]"#), [(String, s(r#""a""#))]);
    }

    #[test]
    fn reads_arrays_forward() {
        use Kind::*;
        let frame = r#"[ 42 , {"a":[1,"}"]} ,"b\"c", [] ,null]"#;
        let read = forward(frame);
        assert_eq!(
            read[..6],
            [
                Some((Number, s("42"))),
                Some((Object, None)),
                Some((String, s(r#""b\"c""#))),
                Some((Array, None)),
                Some((Null, s("null"))),
                None,
            ]
        );
        assert_eq!(forward("[]")[..2], [None, None]);
        // Not an array, or unreadable from some element on.
        assert!(forward(r#"{"a":1}"#).is_empty());
        assert_eq!(
            forward(r#"[1,{"a":]"#),
            [Some((Number, s("1"))), Some((Object, None))]
        );
        assert_eq!(forward("[1 2]"), [Some((Number, s("1")))]);
    }

    #[test]
    fn lengths_where_the_reads_meet() {
        let len = |frame: &str| {
            with_probe(frame, |probe| {
                // Read from the end first, as the pre-selection does.
                probe.tail_to(3);
                probe
                    .len_holds(&Test::LenRange(0, None))
                    .map(|_| probe.head.len)
            })
        };
        assert_eq!(len(r#"[1,{"a":[]},"book-10","XBT/USD"]"#), Some(4));
        assert_eq!(len(r#"[1,{"a":[]},{"b":[]},"book-10","XBT/USD"]"#), Some(5));
        assert_eq!(len(r#"[1, 2, 3]"#), Some(3));
        assert_eq!(len(r#"[[],[]]"#), Some(2));
        assert_eq!(len("[]"), Some(0));
        assert_eq!(len("[1,]"), None);
        assert_eq!(len("{}"), None);
    }

    /// Checks the backward and forward reads of `frame` against
    /// serde_json's reading, when it is JSON; never panics either way.
    fn agrees(frame: &str) {
        let back = backward(frame);
        let fwd = forward(frame);
        let len = with_probe(frame, |probe| {
            probe.tail_to(4);
            probe
                .len_holds(&Test::LenRange(0, None))
                .map(|_| probe.head.len)
        });
        let Ok(serde_json::Value::Array(items)) = serde_json::from_str(frame) else {
            return;
        };
        let same = |(kind, text): &Read, item: &serde_json::Value| {
            let kind_ok = match item {
                serde_json::Value::Null => *kind == Kind::Null,
                serde_json::Value::Bool(_) => *kind == Kind::Bool,
                serde_json::Value::Number(_) => *kind == Kind::Number,
                serde_json::Value::String(_) => *kind == Kind::String,
                serde_json::Value::Array(_) => *kind == Kind::Array,
                serde_json::Value::Object(_) => *kind == Kind::Object,
            };
            kind_ok
                && text.as_ref().is_none_or(|text| {
                    serde_json::from_str::<serde_json::Value>(text)
                        .ok()
                        .as_ref()
                        == Some(item)
                })
        };
        // From the end: every scalar, up to and with the first container.
        let reachable = items
            .iter()
            .rev()
            .position(|item| item.is_array() || item.is_object())
            .map_or(items.len(), |i| i + 1)
            .min(12);
        assert_eq!(back.len(), reachable, "{frame:?}: {back:?}");
        for (read, item) in back.iter().zip(items.iter().rev()) {
            assert!(same(read, item), "{frame:?}: {read:?} / {item}");
        }
        // From the start: every element, then absent.
        assert_eq!(fwd.len(), 12, "{frame:?}: {fwd:?}");
        for (k, read) in fwd.iter().enumerate() {
            match (read, items.get(k)) {
                (Some(read), Some(item)) => assert!(same(read, item), "{frame:?}: {read:?}"),
                (None, None) => {}
                _ => panic!("{frame:?}: element {k} read as {read:?}"),
            }
        }
        assert_eq!(len, Some(items.len()), "{frame:?}");
    }

    #[test]
    fn reads_never_panic_and_agree_with_serde_json() {
        let seeds = [
            r#"[1234,{"a":[["5541.30000","2.50700000","1534614248.456738"]],"c":"974942666"},"book-10","XBT/USD"]"#,
            r#"[0,{"as":[],"bs":[]},"book-100","XBT/USD"]"#,
            r#"[ 1 , "a\"]" , "x\\" , "\\\"" , "日本é" , true , null , -0.5e-3 ]"#,
            r#"[[1,"]"],{"}":"{"},"\u0041",[],{}]"#,
            "[\"\\\\\\\"\",\"\\\\\"]",
            "\t[\n\"a\"\r,\r\n2\t]\n",
        ];
        let mut checked = 0;
        for seed in seeds {
            agrees(seed);
            for (i, _) in seed.char_indices() {
                agrees(&seed[..i]);
                agrees(&seed[i..]);
                // One character left out.
                let mut cut = seed.to_owned();
                cut.remove(i);
                agrees(&cut);
                checked += 3;
            }
        }
        // Random text from JSON's punctuation.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let alphabet = "[]{}\",:\\ \t1-eaé日";
        let chars: Vec<char> = alphabet.chars().collect();
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = (x % 16) as usize;
            let mut frame = String::from("[");
            let mut y = x;
            for _ in 0..n {
                y = y
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                frame.push(chars[(y >> 33) as usize % chars.len()]);
            }
            if x & 1 == 0 {
                frame.push(']');
            }
            agrees(&frame);
            checked += 1;
        }
        assert!(checked > 20_000);
    }
}
