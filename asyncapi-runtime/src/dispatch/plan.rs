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

use super::select::{cost, outcome, Buf, Malformed, Outcome, Probe, Selected};
use super::{Kind, Rule, Seg, Table, Test};
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
        }
        layout
    }
}

/// The distinct value tests of a table, and which candidates have which.
pub(super) struct Plan {
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
        for (i, candidate) in candidates.iter().enumerate() {
            let mut mine = Vec::new();
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
        Some(Plan {
            kinds,
            lens,
            shallow_rules,
            tests: order.iter().map(|&t| tests[t].0).collect(),
            users: order.iter().map(|&t| tests[t].2).collect(),
            of,
            all,
        })
    }

    /// Checks the candidates' value tests on the probed frame: the one
    /// candidate left, or how many are left, with their scores in `scores`
    /// if given (the tests held by a present value, then by an absent one;
    /// the others keep theirs, ruled out).
    #[inline]
    pub(super) fn select<P: Probe>(
        &self,
        probe: &mut P,
        scores: Option<&mut [u32]>,
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
        let mut alive = self.all & !dead;
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
    a.path == b.path
        && match (a.test, b.test) {
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
    use crate::dispatch::{Candidate, Lit, Seg};

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
}
