//! A table prepared for selection, once, on first use: where its paths
//! start (for the text probe's scan), and its distinct value tests with the
//! candidates that have each.
//!
//! Messages of one enum share most of their tests (`the frame is an
//! array`, `/0 is a number`, ...). Checking each candidate's rules in turn
//! checks the shared ones again for each; here every distinct test is
//! checked at most once per frame, and a failed test rules out every
//! candidate that has it at once:
//!
//! - phase A, the JSON type of the values at most one step down and the
//!   length of the frame: per path, the candidates that each type rules
//!   out are worked out beforehand, so a frame costs a look-up per path;
//! - phase B, every other value test, candidate by candidate among those
//!   left, cheapest first, each test at most once (a memo keeps outcomes).
//!
//! Which candidates are left does not depend on the order the tests are
//! checked in, so the outcome is that of checking every rule of every
//! candidate.
//!
//! Before that, a *pre-selection* ([`Plan::preselect`]) looks at array
//! frames without scanning them: the type of the frame, then the elements
//! read from the end (scalars, backward) and from the start (forward,
//! skipping or walking a container only when a candidate still left needs
//! what lies past or inside it), and the length last, only while several
//! candidates are left. Each place is read once; its type tests are decided
//! by a look-up, its literal and pattern tests one by one (with what a test
//! that holds implies for the others there worked out beforehand). It
//! settles the frame when no candidate is left, or one whose value tests
//! were all checked but for lengths; the phases above run otherwise, from
//! the candidates it left (it rules out only candidates that fail one of
//! their own tests).

use super::select::{cost, lit_kind, outcome, Buf, Malformed, Num, Outcome, Probe, Selected};
use super::{Candidate, Kind, Lit, Rule, Seg, Table, Test};
use std::fmt;
use std::sync::OnceLock;

/// What a [`Table`] works out from its rules on first use. Generated code
/// writes `Prepared::new()`; it has no other use.
pub struct Prepared(OnceLock<Ready>);

/// The prepared forms of a table.
struct Ready {
    layout: Layout,
    /// `None` for tables of more than 64 candidates, which are selected
    /// candidate by candidate.
    plan: Option<Plan>,
}

impl Prepared {
    /// Not prepared yet.
    pub const fn new() -> Self {
        Prepared(OnceLock::new())
    }

    fn ready(&self, table: &Table) -> &Ready {
        self.0.get_or_init(|| Ready {
            layout: Layout::new(table),
            plan: Plan::new(table),
        })
    }

    /// The plan of `table` (the table this belongs to).
    #[inline]
    pub(super) fn plan(&self, table: &Table) -> Option<&Plan> {
        self.ready(table).plan.as_ref()
    }

    /// The layout of `table`'s paths (the table this belongs to).
    #[inline]
    pub(super) fn layout(&self, table: &Table) -> &Layout {
        &self.ready(table).layout
    }
}

impl Default for Prepared {
    fn default() -> Self {
        Prepared::new()
    }
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.0.get() {
            None => "not yet",
            Some(Ready { plan: None, .. }) => "candidate by candidate",
            Some(Ready { plan: Some(_), .. }) => "by distinct tests",
        };
        write!(f, "Prepared({state})")
    }
}

/// Where a table's paths start.
pub(super) struct Layout {
    /// The paths whose first step is a key.
    pub(super) keys: Vec<First>,
    /// The paths whose first step is a position.
    pub(super) indices: Vec<First>,
    /// The empty paths (the frame itself).
    pub(super) roots: Vec<usize>,
    /// Per position, the paths of two steps through it: their second
    /// steps, and the paths.
    pub(super) through: Vec<(usize, Vec<(Seg, usize)>)>,
}

/// The first step of a path.
#[derive(Debug, Clone, Copy)]
pub(super) struct First {
    /// The path (index into [`Table::paths`]).
    pub(super) path: usize,
    /// Its first step.
    pub(super) step: Seg,
    /// How many steps it has.
    pub(super) steps: usize,
    /// Its second step, if it has exactly two.
    pub(super) second: Option<Seg>,
}

impl Layout {
    fn new(table: &Table) -> Layout {
        let mut layout = Layout {
            keys: Vec::new(),
            indices: Vec::new(),
            roots: Vec::new(),
            through: Vec::new(),
        };
        for (path, segs) in table.paths.iter().enumerate() {
            let Some(&step) = segs.first() else {
                layout.roots.push(path);
                continue;
            };
            let first = First {
                path,
                step,
                steps: segs.len(),
                second: match segs {
                    [_, second] => Some(*second),
                    _ => None,
                },
            };
            match step {
                Seg::Key(_) => layout.keys.push(first),
                Seg::Index(_) => layout.indices.push(first),
            }
            if let [Seg::Index(index), second] = segs {
                match layout.through.iter_mut().find(|(i, _)| i == index) {
                    Some((_, list)) => list.push((*second, path)),
                    None => layout.through.push((*index, vec![(*second, path)])),
                }
            }
        }
        layout
    }
}

/// The distinct value tests of a table, and which candidates have which.
pub(super) struct Plan {
    /// Pre-selection: per JSON type of the frame (see [`code`]), the
    /// candidates that it rules out.
    root_kill: [u64; 7],
    /// Pre-selection: tests of array frames, by place, in the order of
    /// their [`Place`]s.
    groups: Vec<Group>,
    /// The candidates with tests in `groups`.
    pre_users: u64,
    /// The candidates with value tests other than lengths that the
    /// pre-selection does not check (on keys, deeper down, the frame's
    /// value): it cannot settle on one of them.
    unchecked: u64,
    /// Phase A: the paths whose type some candidate tests, and per path
    /// and type (see [`code`]) the candidates that the type rules out.
    kinds: Vec<(usize, [u64; 7])>,
    /// Phase A: tests of the frame's length (at a path, `min..=max`), and
    /// the candidates that have each.
    lens: Vec<(usize, usize, Option<usize>, u64)>,
    /// Per candidate: how many of its rules phase A checks (a rule written
    /// twice counts twice in the score, as it would rule by rule).
    shallow_rules: Vec<u32>,
    /// Phase B: every other value test, cheapest class first (see
    /// [`cost`]), then those that more candidates share.
    tests: Vec<Rule>,
    /// Per phase-B test: the candidates that have it, a bit each.
    users: Vec<u64>,
    /// Per candidate: its phase-B tests (indices into `tests`), in order
    /// (a rule written twice is there twice).
    of: Vec<Vec<usize>>,
    /// Every candidate.
    all: u64,
}

/// Where a pre-selection test looks in an array frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// The element this many places from the end (1: the last), read
    /// backward over the scalars after it.
    ///
    /// A rule of a candidate of `n` elements on position `k` is read from
    /// the end, as element `n - k` from the end, when that is nearer: for
    /// a frame of that length, it is the same element; for a frame of
    /// another length, the candidate is ruled out by its length anyway.
    /// So such a test that fails rules out its candidates exactly as their
    /// own rule would.
    FromEnd(usize),
    /// The element at this position, read forward (containers before it
    /// are skipped).
    At(usize),
    /// A value two steps down through the element at this position (the
    /// table path): the element is walked once for all of them.
    Through(usize, usize),
    /// The length of the frame (read forward until the elements read from
    /// the end), checked only while several candidates are left.
    Len,
}

impl Place {
    /// The order tests are checked in: from the end (cheap: scalars read
    /// backward), then forward position by position (each element before
    /// its inside), the length last.
    fn order(self) -> (u8, usize, u8) {
        match self {
            Place::FromEnd(from_end) => (0, from_end, 0),
            Place::At(index) => (1, index, 0),
            Place::Through(index, _) => (1, index, 1),
            Place::Len => (2, 0, 0),
        }
    }
}

/// A value test of the pre-selection, and the candidates that have it.
#[derive(Debug, Clone, Copy)]
struct PreTest {
    place: Place,
    test: Test,
    /// The candidates that have it, a bit each.
    users: u64,
    /// When it holds of a value (present): the candidates that other tests
    /// at the same place then rule out, and those tests (a bit per index
    /// into [`Group::tests`], the first 64), as worked out beforehand on
    /// literals (see [`implications`]).
    implies: (u64, u64),
}

/// The pre-selection's tests at one place.
struct Group {
    place: Place,
    /// Every candidate with a test here.
    users: u64,
    /// Per JSON type of the value here (see [`code`]; 0: absent), the
    /// candidates whose type tests it rules out.
    kind_kill: [u64; 7],
    /// The other tests here, those with the most candidates first.
    tests: Vec<PreTest>,
}

/// A test not checked yet, in [`Plan::select`]'s memo.
const UNCHECKED: u8 = 0;

/// The type of a value as a small number (0: absent).
#[inline]
fn code(kind: Option<Kind>) -> usize {
    match kind {
        None => 0,
        Some(Kind::Null) => 1,
        Some(Kind::Bool) => 2,
        Some(Kind::Number) => 3,
        Some(Kind::String) => 4,
        Some(Kind::Array) => 5,
        Some(Kind::Object) => 6,
    }
}

impl Plan {
    fn new(table: &Table) -> Option<Plan> {
        let candidates = table.candidates;
        if candidates.len() > 64 {
            return None;
        }
        let depth = |path: usize| table.paths.get(path).map_or(usize::MAX, |segs| segs.len());
        let mut kinds: Vec<(usize, [u64; 7])> = Vec::new();
        let mut lens: Vec<(usize, usize, Option<usize>, u64)> = Vec::new();
        let mut shallow_rules = vec![0u32; candidates.len()];
        let mut tests: Vec<(Rule, u8, u64)> = Vec::new();
        let mut of = Vec::with_capacity(candidates.len());
        let mut root_kill = [0u64; 7];
        let mut pre: Vec<PreTest> = Vec::new();
        let mut unchecked = 0u64;
        for (i, candidate) in candidates.iter().enumerate() {
            let mut mine = Vec::new();
            let len = fixed_len(table, candidate);
            for rule in candidate.rules {
                let segs = table.paths.get(rule.path).copied().unwrap_or(&[]);
                let place = match (segs, rule.test) {
                    ([], Test::Len(_) | Test::LenRange(..)) => Place::Len,
                    // Other lengths may go unchecked, and structure is
                    // checked only to break ties.
                    (_, Test::Len(_) | Test::LenRange(..) | Test::Has(_) | Test::Closed(_)) => {
                        continue
                    }
                    ([], Test::Kind(want)) => {
                        for (code_, kill) in root_kill.iter_mut().enumerate() {
                            if code_ != code(Some(want)) {
                                *kill |= 1 << i;
                            }
                        }
                        continue;
                    }
                    ([Seg::Index(k)], _) => match len {
                        Some(n) if *k < n && n - k <= *k => Place::FromEnd(n - k),
                        _ => Place::At(*k),
                    },
                    ([Seg::Index(k), _], _) => Place::Through(*k, rule.path),
                    _ => {
                        unchecked |= 1 << i;
                        continue;
                    }
                };
                match pre
                    .iter_mut()
                    .find(|t| t.place == place && same_test(&t.test, &rule.test))
                {
                    Some(t) => t.users |= 1 << i,
                    None => pre.push(PreTest {
                        place,
                        test: rule.test,
                        users: 1 << i,
                        implies: (0, 0),
                    }),
                }
            }
            for rule in candidate.rules {
                let Some(class) = cost(table, rule) else {
                    continue;
                };
                match rule.test {
                    Test::Kind(want) if depth(rule.path) <= 1 => {
                        let k = match kinds.iter().position(|(p, _)| *p == rule.path) {
                            Some(k) => k,
                            None => {
                                kinds.push((rule.path, [0; 7]));
                                kinds.len() - 1
                            }
                        };
                        for (code_, kill) in kinds[k].1.iter_mut().enumerate() {
                            if code_ != code(Some(want)) {
                                *kill |= 1 << i;
                            }
                        }
                        shallow_rules[i] += 1;
                        continue;
                    }
                    Test::Len(n) if depth(rule.path) == 0 => {
                        add_len(&mut lens, rule.path, n, Some(n), i);
                        shallow_rules[i] += 1;
                        continue;
                    }
                    Test::LenRange(min, max) if depth(rule.path) == 0 => {
                        add_len(&mut lens, rule.path, min, max, i);
                        shallow_rules[i] += 1;
                        continue;
                    }
                    _ => {}
                }
                let t = match tests.iter().position(|(r, _, _)| same(r, rule)) {
                    Some(t) => t,
                    None => {
                        tests.push((*rule, class, 0));
                        tests.len() - 1
                    }
                };
                tests[t].2 |= 1 << i;
                mine.push(t);
            }
            of.push(mine);
        }
        // Phase B's order: cheap first, and among equals the most shared
        // first (ruling out the most at once); ties keep the table's order.
        let mut order: Vec<usize> = (0..tests.len()).collect();
        order.sort_by_key(|&t| (tests[t].1, u32::MAX - tests[t].2.count_ones()));
        let mut rank = vec![0; tests.len()];
        for (r, &t) in order.iter().enumerate() {
            rank[t] = r;
        }
        for mine in &mut of {
            for t in mine.iter_mut() {
                *t = rank[*t];
            }
            mine.sort_unstable();
        }
        let all = match candidates.len() {
            64 => u64::MAX,
            n => (1u64 << n) - 1,
        };
        // A stable sort: ties keep the table's order.
        pre.sort_by_key(|t| t.place.order());
        let mut groups: Vec<Group> = Vec::new();
        for t in pre {
            let group = match groups.last_mut() {
                Some(group) if group.place == t.place => group,
                _ => {
                    groups.push(Group {
                        place: t.place,
                        users: 0,
                        kind_kill: [0; 7],
                        tests: Vec::new(),
                    });
                    groups.last_mut().expect("just pushed")
                }
            };
            group.users |= t.users;
            match t.test {
                Test::Kind(want) => {
                    for (code_, kill) in group.kind_kill.iter_mut().enumerate() {
                        if code_ != code(Some(want)) {
                            *kill |= t.users;
                        }
                    }
                }
                _ => group.tests.push(t),
            }
        }
        for group in &mut groups {
            // The most shared first (what it decides, it decides for the
            // most); literals before patterns.
            group.tests.sort_by_key(|t| {
                let literal = matches!(t.test, Test::OneOf(_) | Test::OneOfOrAbsent(_));
                (u32::MAX - t.users.count_ones(), !literal)
            });
            implications(&mut group.tests);
        }
        Some(Plan {
            root_kill,
            pre_users: groups.iter().fold(0, |users, g| users | g.users),
            groups,
            unchecked,
            kinds,
            lens,
            shallow_rules,
            tests: order.iter().map(|&t| tests[t].0).collect(),
            users: order.iter().map(|&t| tests[t].2).collect(),
            of,
            all,
        })
    }

    /// Pre-selection, before the frame is scanned: the candidates that the
    /// JSON type of the frame and the elements at the ends of an array
    /// frame (see [`PosTest`]) leave, and whether that settles it: no
    /// candidate is left, or one whose value tests, but for lengths, were
    /// all checked. Every candidate it rules out fails one of its own value
    /// tests.
    #[inline]
    pub(super) fn preselect<P: Probe>(&self, probe: &mut P) -> (u64, bool) {
        let kind = probe.root_kind();
        let mut alive = self.all & !self.root_kill.get(code(kind)).copied().unwrap_or(0);
        let mut unsure = self.unchecked;
        if kind == Some(Kind::Array) {
            for group in &self.groups {
                if group.users & alive == 0 {
                    continue;
                }
                if group.place == Place::Len {
                    // Lengths tell candidates apart, and need not be checked
                    // otherwise.
                    if alive & alive.wrapping_sub(1) == 0 {
                        break;
                    }
                    for pre in &group.tests {
                        match probe.len_holds(&pre.test) {
                            Some(true) => {}
                            Some(false) => alive &= !pre.users,
                            None => unsure |= pre.users,
                        }
                    }
                    continue;
                }
                let Some(kind) = probe.pre_read(group.place) else {
                    unsure |= group.users;
                    continue;
                };
                alive &= !group.kind_kill.get(code(kind)).copied().unwrap_or(0);
                // The tests decided by others (see `PreTest::implies`).
                let mut done = 0u64;
                for (t, pre) in group.tests.iter().enumerate() {
                    if pre.users & alive == 0 || done >> (t & 63) & 1 != 0 {
                        continue;
                    }
                    match probe.pre_holds(group.place, &pre.test) {
                        Some(true) => {
                            let (kill, decided) = pre.implies;
                            alive &= !kill;
                            done |= decided;
                        }
                        Some(false) => alive &= !pre.users,
                        None => unsure |= pre.users,
                    }
                }
            }
        } else {
            unsure |= self.pre_users;
        }
        let settled = alive & alive.wrapping_sub(1) == 0 && alive & unsure == 0;
        (alive, settled)
    }

    /// Checks the candidates' value tests on the probed frame: the one
    /// candidate left, or how many are left, with their scores in `scores`
    /// if given (the tests held by a present value, then by an absent one;
    /// the others keep theirs, ruled out). Only the candidates in `alive`
    /// are considered.
    #[inline]
    pub(super) fn select<P: Probe>(
        &self,
        probe: &mut P,
        scores: Option<&mut [u32]>,
        alive: u64,
    ) -> Result<Selected, Malformed> {
        // Phase A.
        let mut dead = 0u64;
        for (path, kill) in &self.kinds {
            let kind = probe.kind_of(*path)?;
            dead |= kill.get(code(kind)).copied().unwrap_or(0);
        }
        for &(path, min, max, users) in &self.lens {
            let len = probe.array_len_of(path)?;
            if !len.is_some_and(|n| n >= min && max.is_none_or(|max| n <= max)) {
                dead |= users;
            }
        }
        let mut alive = alive & self.all & !dead;
        // Phase B.
        let mut memo = Buf::<u8, 64>::new(self.tests.len(), UNCHECKED);
        let mut next = alive;
        while next != 0 {
            let i = next.trailing_zeros() as usize;
            next &= next - 1;
            if alive & (1 << i) == 0 {
                continue;
            }
            for &t in self.of.get(i).map_or(&[][..], Vec::as_slice) {
                let known = memo.get(t).copied().unwrap_or(UNCHECKED);
                if known == UNCHECKED {
                    let rule = self.tests.get(t).ok_or(Malformed)?;
                    let outcome = outcome(probe, rule)?;
                    memo[t] = outcome as u8 + 1;
                    if outcome == Outcome::Fail {
                        alive &= !self.users.get(t).copied().unwrap_or(1 << i);
                        break;
                    }
                } else if known == Outcome::Fail as u8 + 1 {
                    alive &= !(1 << i);
                    break;
                }
            }
        }
        if alive.count_ones() == 1 {
            return Ok(Selected::One(alive.trailing_zeros() as usize));
        }
        let Some(scores) = scores else {
            return Ok(Selected::Several(alive.count_ones() as usize));
        };
        let mut bits = alive;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            // Every test of a candidate left was checked, and held: phase A's
            // by present values.
            let mut present = self.shallow_rules.get(i).copied().unwrap_or(0);
            let mut absent = 0u32;
            for &t in self.of.get(i).map_or(&[][..], Vec::as_slice) {
                match memo.get(t).map(|&m| m.wrapping_sub(1)) {
                    Some(m) if m == Outcome::Present as u8 => present += 1,
                    Some(m) if m == Outcome::Absent as u8 => absent += 1,
                    _ => {}
                }
            }
            if let Some(score) = scores.get_mut(i) {
                *score = present.min(0x7fff) << 16 | absent.min(0xffff);
            }
        }
        Ok(Selected::Several(alive.count_ones() as usize))
    }
}

/// Works out [`PreTest::implies`] for the tests at one place: when a
/// `OneOf` holds, the value is one of its literals, and every other test is
/// decided by checking it on them; when a pattern holds, every `OneOf` none
/// of whose literals matches it fails.
fn implications(tests: &mut [PreTest]) {
    if tests.len() > 64 {
        return;
    }
    for i in 0..tests.len() {
        let (mut kill, mut done) = (0u64, 0u64);
        for (j, other) in tests.iter().enumerate() {
            if j == i {
                continue;
            }
            let outcomes: Vec<Option<bool>> = match (tests[i].test, other.test) {
                (Test::OneOf(lits), _) => {
                    lits.iter().map(|lit| lit_holds(&other.test, lit)).collect()
                }
                // The value matches the pattern: it is none of the
                // literals that do not.
                (Test::Pattern(_), Test::OneOf(lits) | Test::OneOfOrAbsent(lits)) => lits
                    .iter()
                    .map(|lit| match lit_holds(&tests[i].test, lit) {
                        Some(false) => Some(false),
                        _ => None,
                    })
                    .collect(),
                _ => continue,
            };
            if outcomes.iter().all(|o| *o == Some(false)) {
                kill |= other.users;
                done |= 1 << j;
            } else if outcomes.iter().all(|o| *o == Some(true)) {
                done |= 1 << j;
            }
        }
        tests[i].implies = (kill, done);
    }
}

/// Whether `test` holds of a value equal to `lit` (as [`super::select::check`]
/// decides for such a value); `None` when it depends on more.
fn lit_holds(test: &Test, lit: &Lit) -> Option<bool> {
    let kind = lit_kind(lit);
    Some(match *test {
        Test::Kind(want) => want == kind,
        Test::OneOf(lits) | Test::OneOfOrAbsent(lits) => lits
            .iter()
            .any(|other| lit_kind(other) == kind && lits_equal(lit, other)),
        Test::Pattern(pattern) | Test::PatternOrAbsent(pattern) => match lit {
            Lit::Str(s) => (pattern.is_match)(s),
            _ => false,
        },
        Test::Len(_) | Test::LenRange(..) => false,
        Test::Has(_) | Test::Closed(_) => return None,
    })
}

/// Whether two literals of the same kind are equal, as a probe compares a
/// value with a literal (numbers by value).
fn lits_equal(a: &Lit, b: &Lit) -> bool {
    match (*a, *b) {
        (Lit::Str(x), Lit::Str(y)) => x == y,
        (Lit::Null, Lit::Null) => true,
        (Lit::Bool(x), Lit::Bool(y)) => x == y,
        (Lit::Int(i), _) => Num::Int(i.into()).equals(b),
        (Lit::UInt(u), _) => Num::Int(u.into()).equals(b),
        (Lit::Float(f), _) => Num::Float(f).equals(b),
        _ => false,
    }
}

/// The length of the array frames a candidate takes, if fixed.
fn fixed_len(table: &Table, candidate: &Candidate) -> Option<usize> {
    let mut lens = candidate.rules.iter().filter_map(|rule| match rule.test {
        Test::Len(n)
            if table
                .paths
                .get(rule.path)
                .is_some_and(|segs| segs.is_empty()) =>
        {
            Some(n)
        }
        _ => None,
    });
    let n = lens.next()?;
    // No frame has two lengths: such a candidate is never left.
    lens.all(|m| m == n).then_some(n)
}

/// Notes that candidate `i` tests the length of the value at `path`.
fn add_len(
    lens: &mut Vec<(usize, usize, Option<usize>, u64)>,
    path: usize,
    min: usize,
    max: Option<usize>,
    i: usize,
) {
    match lens
        .iter_mut()
        .find(|(p, lo, hi, _)| *p == path && *lo == min && *hi == max)
    {
        Some(len) => len.3 |= 1 << i,
        None => lens.push((path, min, max, 1 << i)),
    }
}

/// Whether two value rules test the same thing at the same path.
fn same(a: &Rule, b: &Rule) -> bool {
    a.path == b.path && same_test(&a.test, &b.test)
}

/// Whether two value tests test the same thing.
fn same_test(a: &Test, b: &Test) -> bool {
    match (*a, *b) {
        (Test::Kind(x), Test::Kind(y)) => x == y,
        (Test::Len(x), Test::Len(y)) => x == y,
        (Test::LenRange(a, b), Test::LenRange(c, d)) => a == c && b == d,
        (Test::OneOf(x), Test::OneOf(y)) | (Test::OneOfOrAbsent(x), Test::OneOfOrAbsent(y)) => {
            x == y
        }
        (Test::Pattern(x), Test::Pattern(y))
        | (Test::PatternOrAbsent(x), Test::PatternOrAbsent(y)) => std::ptr::eq(x, y),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::Seg;

    #[test]
    fn shares_tests_and_orders_them() {
        static TABLE: Table = Table {
            enum_name: "T",
            paths: &[&[], &[Seg::Key("event")], &[Seg::Key("a"), Seg::Key("b")]],
            candidates: &[
                Candidate {
                    name: "A",
                    rules: &[
                        Rule {
                            path: 2,
                            test: Test::Kind(Kind::Number),
                        },
                        Rule {
                            path: 1,
                            test: Test::OneOf(&[Lit::Str("a")]),
                        },
                        Rule {
                            path: 0,
                            test: Test::Kind(Kind::Object),
                        },
                    ],
                },
                Candidate {
                    name: "B",
                    rules: &[
                        Rule {
                            path: 0,
                            test: Test::Kind(Kind::Object),
                        },
                        Rule {
                            path: 0,
                            test: Test::Has("event"),
                        },
                        Rule {
                            path: 1,
                            test: Test::OneOf(&[Lit::Str("b")]),
                        },
                    ],
                },
            ],
            prepared: Prepared::new(),
        };
        let plan = TABLE.prepared.plan(&TABLE).expect("a plan");
        // Phase A: the type of the frame, once for both.
        assert_eq!(plan.kinds.len(), 1);
        let (path, kill) = plan.kinds[0];
        assert_eq!(path, 0);
        assert_eq!(kill[code(Some(Kind::Object))], 0);
        assert_eq!(kill[code(Some(Kind::Array))], 0b11);
        assert_eq!(kill[code(None)], 0b11);
        assert_eq!(plan.shallow_rules, [1, 1]);
        // Phase B: the values, the deep test last, no structural test.
        let paths: Vec<usize> = plan.tests.iter().map(|r| r.path).collect();
        assert_eq!(paths, [1, 1, 2]);
        assert_eq!(plan.users, [0b01, 0b10, 0b01]);
        assert_eq!(plan.of, [vec![0, 2], vec![1]]);
        assert_eq!(plan.all, 0b11);
        // The layout of the paths.
        let layout = TABLE.prepared.layout(&TABLE);
        assert_eq!(layout.roots, [0]);
        let keys: Vec<(usize, usize)> = layout.keys.iter().map(|f| (f.path, f.steps)).collect();
        assert_eq!(keys, [(1, 1), (2, 2)]);
        assert!(matches!(layout.keys[1].second, Some(Seg::Key("b"))));
        assert!(layout.indices.is_empty());
    }

    #[test]
    fn preselects_array_frames_from_their_ends() {
        use crate::dispatch::{Lit, Pattern};
        fn book(s: &str) -> bool {
            s.starts_with("book-")
        }
        fn digits(s: &str) -> bool {
            !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
        }
        static BOOK: Pattern = Pattern {
            source: "^book-",
            is_match: book,
        };
        static DIGITS: Pattern = Pattern {
            source: "^[0-9]+$",
            is_match: digits,
        };
        const fn rule(path: usize, test: Test) -> Rule {
            Rule { path, test }
        }
        static TABLE: Table = Table {
            enum_name: "T",
            paths: &[
                &[],
                &[Seg::Index(0)],
                &[Seg::Index(1)],
                &[Seg::Index(2)],
                &[Seg::Index(3)],
                &[Seg::Index(1), Seg::Key("as")],
                &[Seg::Index(1), Seg::Key("c")],
                &[Seg::Index(4)],
                &[Seg::Key("event")],
            ],
            candidates: &[
                Candidate {
                    name: "Ticker",
                    rules: &[
                        rule(0, Test::Kind(Kind::Array)),
                        rule(0, Test::Len(4)),
                        rule(1, Test::Kind(Kind::Number)),
                        rule(2, Test::Kind(Kind::Object)),
                        rule(3, Test::OneOf(&[Lit::Str("ticker")])),
                        rule(4, Test::Kind(Kind::String)),
                    ],
                },
                Candidate {
                    name: "Snapshot",
                    rules: &[
                        rule(0, Test::Kind(Kind::Array)),
                        rule(0, Test::Len(4)),
                        rule(1, Test::Kind(Kind::Number)),
                        rule(2, Test::Kind(Kind::Object)),
                        rule(5, Test::Kind(Kind::Array)),
                        rule(3, Test::Pattern(&BOOK)),
                        rule(4, Test::Kind(Kind::String)),
                    ],
                },
                Candidate {
                    name: "Update",
                    rules: &[
                        rule(0, Test::Kind(Kind::Array)),
                        rule(0, Test::Len(4)),
                        rule(2, Test::Kind(Kind::Object)),
                        rule(6, Test::PatternOrAbsent(&DIGITS)),
                        rule(3, Test::Pattern(&BOOK)),
                        rule(4, Test::Kind(Kind::String)),
                    ],
                },
                Candidate {
                    name: "BothSides",
                    rules: &[
                        rule(0, Test::Kind(Kind::Array)),
                        rule(0, Test::Len(5)),
                        rule(3, Test::Kind(Kind::Object)),
                        rule(4, Test::Pattern(&BOOK)),
                        rule(7, Test::Kind(Kind::String)),
                    ],
                },
                Candidate {
                    name: "Event",
                    rules: &[
                        rule(0, Test::Kind(Kind::Object)),
                        rule(8, Test::OneOf(&[Lit::Str("x")])),
                    ],
                },
            ],
            prepared: Prepared::new(),
        };
        let plan = TABLE.prepared.plan(&TABLE).expect("a plan");
        // Places in the order they are read: from the end, then from the
        // start (each element before its inside), the length last.
        let places: Vec<Place> = plan.groups.iter().map(|g| g.place).collect();
        assert_eq!(
            places,
            [
                Place::FromEnd(1),
                Place::FromEnd(2),
                Place::At(0),
                Place::At(1),
                Place::Through(1, 5),
                Place::Through(1, 6),
                Place::At(2),
                Place::Len,
            ]
        );
        // Two from the end: the shared pattern first, then the literal; each
        // decides the other when it holds.
        let tests = &plan.groups[1].tests;
        assert!(matches!(tests[0].test, Test::Pattern(_)));
        assert_eq!(tests[0].users, 0b1110);
        assert_eq!(tests[0].implies, (0b0001, 0b10));
        assert!(matches!(tests[1].test, Test::OneOf(_)));
        assert_eq!(tests[1].implies, (0b1110, 0b01));
        // Type tests are a look-up: the last element is a string for all.
        assert_eq!(plan.groups[0].kind_kill[code(Some(Kind::String))], 0);
        assert_eq!(plan.groups[0].kind_kill[code(Some(Kind::Object))], 0b1111);
        // The object candidate's key is not pre-selected.
        assert_eq!(plan.unchecked, 0b10000);

        let pick = |frame: &str| TABLE.pick_str(frame).map(|i| TABLE.candidates[i].name);
        let decoded = |frame: &str| {
            TABLE
                .decode_str(frame, |i, _| Ok(TABLE.candidates[i].name))
                .map_err(|e| e.to_string())
        };
        // Settled from the ends, without reading the payload.
        assert_eq!(pick(r#"[1,{"a":[1,2]},"ticker","X"]"#), Some("Ticker"));
        // The payload walked for the paths inside it, then the next element.
        assert_eq!(
            pick(r#"[1,{"a":[],"c":"12"},"book-10","X"]"#),
            Some("Update")
        );
        assert_eq!(
            pick(r#"[1,{"a":[]},{"b":[]},"book-10","X"]"#),
            Some("BothSides")
        );
        // Both book candidates hold: a tie, settled by the full selection.
        let snapshot = r#"[1,{"as":[],"bs":[]},"book-10","X"]"#;
        assert_eq!(pick(snapshot), None);
        assert_eq!(decoded(snapshot), Ok("Snapshot"));
        // Objects go through the full selection.
        assert_eq!(pick(r#"{"event":"x"}"#), Some("Event"));
        assert!(decoded(r#"{"event":"y"}"#).is_err());
        // A value test that fails rules out, wherever it is read.
        assert_eq!(pick(r#"["1",{},"ticker","X"]"#), None);
        assert_eq!(pick(r#"[1,{"c":"x"},"book-10","X"]"#), None);
        // Lengths are not counted once the values single out a message: a
        // ticker of five elements is taken for one (and fails to decode
        // into a tuple of four). When it fails, every test is checked, and
        // the error is the full selection's.
        let long = r#"[1,{},5,"ticker","X"]"#;
        assert_eq!(pick(long), Some("Ticker"));
        let error = TABLE
            .decode_str(long, |_, _| serde_json::from_str::<u8>("-1"))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("Ticker: the frame has 5 elements, expected 4"),
            "{error}"
        );
    }
}
