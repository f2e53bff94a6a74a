//! The pick of an array frame: its elements read from the end, then from
//! the start.
//!
//! From the end, the runtime's `Tail` reads strings and scalars and names a
//! container by its last byte, and reads no further; from the start,
//! `Front` reads them too, names a container by its first byte (an object
//! with its first key), and steps over one container to read what follows
//! it. So Kraken's `[channelID, {"a": ...}, "book-10", "XBT/USD"]` is read
//! as its pair, its channel name, that its payload is an object (from the
//! end), its channel id, and its payload's first key (from the start),
//! whatever the payload's size. A message with a test that decoding does
//! not make left unread by these reads ([`super::needs`]) is left to the
//! slow path, with the messages after it.

use super::mask;
use super::needs::Needs;
use super::patterns::Patterns;
use super::place::{place_mask, AtPlace, Presence};
use super::SelectionInput;
use crate::dispatch::{Rule, Seg, Test};
use proc_macro2::TokenStream;
use quote::quote;

/// Which end of the array a read is from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Back,
    Front,
}

/// One read of an element.
struct Step<'r> {
    end: End,
    /// The element's position from that end (0: the last, or the first);
    /// the code reads in order, so only the tests' `plan_text` names it.
    #[cfg_attr(not(test), allow(dead_code))]
    at: usize,
    /// The keys asked about an object there.
    asked: Vec<&'r str>,
    /// The mask of the messages whose tests hold of what is there.
    place: Option<TokenStream>,
    /// The messages with a test that decoding does not make left unread,
    /// after this read.
    unread: u64,
}

/// A message's exact length, if it has one.
fn fixed_len(rules: &[Rule]) -> Option<usize> {
    rules
        .iter()
        .find_map(|r| match (&r.test, r.path.is_empty()) {
            (Test::Len(n), true) => Some(*n),
            _ => None,
        })
}

/// The tests of a message at its element `index`.
fn tests_at(rules: &[Rule], index: usize) -> impl Iterator<Item = &Test> {
    rules
        .iter()
        .filter(move |r| r.path.as_slice() == [Seg::Index(index)])
        .map(|r| &r.test)
}

/// Whether a message's element `index` may be a container, as far as its
/// tests say (`unknown`: what to assume when they say nothing).
fn may_be_container(rules: &[Rule], index: usize, unknown: bool) -> bool {
    let mut tests = tests_at(rules, index).peekable();
    if tests.peek().is_none() {
        return unknown;
    }
    !tests.any(|test| match test {
        Test::Kind(kind) => !matches!(*kind, "object" | "array"),
        Test::OneOf(_) | Test::OneOfOrAbsent(_) | Test::Pattern(_) | Test::PatternOrAbsent(_) => {
            true
        }
        _ => false,
    })
}

/// Which element of a message of length `len` (`None`: any length) a read
/// lands on: `Some(index)`, or `None` where it reads nothing of the message
/// (past its end, or from the end of an array of any length).
fn lands_on(end: End, at: usize, len: Option<usize>) -> Option<usize> {
    match (end, len) {
        (End::Back, Some(len)) => (at < len).then(|| len - 1 - at),
        (End::Back, None) => None,
        (End::Front, Some(len)) => (at < len).then_some(at),
        (End::Front, None) => Some(at),
    }
}

/// The reads, in order: from the end up to the first place that may hold a
/// container, then from the start likewise (and one container further).
fn plan(variants: &[(String, Vec<Rule>)], scope: u64) -> Vec<(End, usize)> {
    let in_scope: Vec<&Vec<Rule>> = variants
        .iter()
        .enumerate()
        .filter(|(i, _)| scope & (1 << i) != 0)
        .map(|(_, (_, rules))| rules)
        .collect();
    let depth = in_scope
        .iter()
        .filter_map(|rules| fixed_len(rules))
        .max()
        .unwrap_or(0);
    let front_depth = in_scope
        .iter()
        .filter(|rules| fixed_len(rules).is_none())
        .flat_map(|rules| rules.iter())
        .filter_map(|r| match r.path.as_slice() {
            [Seg::Index(i)] => Some(i + 1),
            _ => None,
        })
        .fold(depth, usize::max);
    // The last cheap read from the end: up to the first container.
    let back_cheap = (0..depth)
        .find(|&at| {
            in_scope.iter().any(|rules| {
                fixed_len(rules)
                    .and_then(|len| lands_on(End::Back, at, Some(len)))
                    .is_some_and(|index| may_be_container(rules, index, true))
            })
        })
        .unwrap_or(depth.saturating_sub(1));
    let front_cheap = (0..front_depth)
        .find(|&at| {
            in_scope.iter().any(|rules| {
                let len = fixed_len(rules);
                lands_on(End::Front, at, len)
                    .is_some_and(|index| may_be_container(rules, index, len.is_some()))
            })
        })
        .unwrap_or(front_depth.saturating_sub(1));
    let mut reads = Vec::new();
    if depth > 0 {
        reads.extend((0..=back_cheap).map(|at| (End::Back, at)));
    }
    // From the start, one container is stepped over (a byte loop in the
    // runtime) to tell apart the messages left after the other reads: that
    // costs less than decoding a message that fails past it.
    let front_last = (front_cheap + 1).min(front_depth.saturating_sub(1));
    if front_depth > 0 {
        reads.extend((0..=front_last).map(|at| (End::Front, at)));
    }
    reads
}

/// The reads of an array frame that tell something, with what they tell,
/// and the messages with a test decoding does not make before any read.
fn steps<'r>(
    variants: &'r [(String, Vec<Rule>)],
    scope: u64,
    patterns: &mut Patterns,
) -> (Vec<Step<'r>>, u64) {
    let in_scope = |i: usize| scope & (1 << i) != 0;
    let mut needs = Needs::new(variants, scope);
    let unread_at_start = needs.unread();
    let mut steps: Vec<Step> = Vec::new();
    for (end, at) in plan(variants, scope) {
        let mut asked: Vec<&str> = Vec::new();
        let mut here = Vec::new();
        for (i, (_, rules)) in variants.iter().enumerate() {
            if !in_scope(i) {
                continue;
            }
            let bit = 1 << i;
            let len = fixed_len(rules);
            let place = match lands_on(end, at, len) {
                None if end == End::Back && len.is_none() => AtPlace {
                    bit,
                    presence: Presence::Any,
                    tests: Vec::new(),
                },
                None => AtPlace {
                    bit,
                    presence: Presence::Absent,
                    tests: Vec::new(),
                },
                Some(index) => {
                    needs.read(bit, &[Seg::Index(index)]);
                    let tests: Vec<&Test> = tests_at(rules, index).collect();
                    // Named from its last byte, an object's keys are not read.
                    let keys_read = end == End::Front;
                    for test in tests.iter().filter(|_| keys_read) {
                        let named: Vec<&String> = match test {
                            Test::Has(k) => vec![k],
                            Test::Closed(ks) => ks.iter().collect(),
                            _ => vec![],
                        };
                        for k in named {
                            if !asked.contains(&k.as_str()) {
                                asked.push(k);
                            }
                        }
                    }
                    AtPlace {
                        bit,
                        presence: if len.is_some() {
                            Presence::Present
                        } else {
                            Presence::Any
                        },
                        tests,
                    }
                }
            };
            here.push(place);
        }
        if asked.len() > 64 {
            break;
        }
        let place = place_mask(&quote!(value), &here, &asked, patterns);
        steps.push(Step {
            end,
            at,
            asked,
            place,
            unread: needs.unread(),
        });
    }
    // Reads that tell nothing, and are followed by none that does from
    // their end, are not made.
    for end in [End::Back, End::Front] {
        while let Some(s) = steps.iter().rposition(|step| step.end == end) {
            if steps[s].place.is_some() {
                break;
            }
            steps.remove(s);
        }
    }
    (steps, unread_at_start)
}

/// The reads of an array frame, as `back 2` or `front 1`.
#[cfg(test)]
pub(super) fn plan_text(variants: &[(String, Vec<Rule>)], scope: u64) -> Vec<String> {
    let (steps, _) = steps(variants, scope, &mut Patterns::default());
    steps
        .iter()
        .map(|step| {
            let end = match step.end {
                End::Back => "back",
                End::Front => "front",
            };
            format!("{end} {}", step.at)
        })
        .collect()
}

/// The pick of an array frame (see the module's documentation).
pub(super) fn array_pick(
    input: &SelectionInput<'_>,
    scope: u64,
    patterns: &mut Patterns,
) -> TokenStream {
    let rt = quote!(rt::dispatch);
    let (steps, unread_at_start) = steps(&input.variants, scope, patterns);
    let final_unread = steps.last().map_or(unread_at_start, |step| step.unread);
    let scope_mask = mask(scope);
    if steps.is_empty() {
        return mask(super::needs::trim(scope, final_unread));
    }
    let mut code = Vec::new();
    for (s, step) in steps.iter().enumerate() {
        let before = if s == 0 {
            unread_at_start
        } else {
            steps[s - 1].unread
        };
        let asked = &step.asked;
        let call = match step.end {
            End::Back => quote!(tail.next_kind()),
            End::Front => quote!(front.next(&[#(#asked),*])),
        };
        let give_up = picked(&rt, before);
        let Some(place) = &step.place else {
            code.push(quote! {
                if #call.is_none() {
                    return #give_up;
                }
            });
            continue;
        };
        code.push(quote! {
            let ::std::option::Option::Some(value) = #call else {
                return #give_up;
            };
            m &= #place;
        });
        if s + 1 < steps.len() {
            let unread = mask(step.unread);
            let later = mask(step.unread & !final_unread);
            code.push(quote! {
                if let ::std::option::Option::Some(picked) = #rt::done(m, #unread, #later) {
                    return picked;
                }
            });
        }
    }
    let last = picked(&rt, final_unread);
    let tail = steps
        .iter()
        .any(|step| step.end == End::Back)
        .then(|| quote!(let ::std::option::Option::Some(mut tail) = #rt::Tail::new(frame) else { return 0; };));
    let front = steps
        .iter()
        .any(|step| step.end == End::Front)
        .then(|| quote!(let ::std::option::Option::Some(mut front) = #rt::Front::new(frame) else { return 0; };));
    quote! {{
        #tail
        #front
        let mut m: u64 = #scope_mask;
        #(#code)*
        #last
    }}
}

/// The messages picked, `m` less those from the first with a test in
/// `unread` on.
fn picked(rt: &TokenStream, unread: u64) -> TokenStream {
    if unread == 0 {
        quote!(m)
    } else {
        let unread = mask(unread);
        quote!(#rt::trim(m, #unread))
    }
}
