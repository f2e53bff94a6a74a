//! The tests that the pick must read itself: those that decoding a
//! message's payload type does not make.
//!
//! Most discriminating tests are facts that the payload type checks when it
//! decodes (a `const`, a pattern, a tuple's length, required keys, closed
//! objects), so a message whose test fails at a place the pick did not read
//! fails to decode, and trying it costs time, not correctness. Two are not:
//!
//! - a place that must be an object: serde's derive also reads a struct
//!   from an array (`[1,["x"]]` decodes as `(i64, struct { a: String })`);
//! - an array's bounds (`minItems`/`maxItems` of a list): a `Vec` takes any
//!   length.
//!
//! A message with such a test that the pick has not read (its *unread*
//! mask) cannot be decoded on the pick's word; nor can the messages after
//! it, as it might come first. The runtime's `done` and `trim` leave them to
//! the slow path, which checks every test.

use crate::dispatch::{Rule, Seg, Test};

/// A test that decoding does not make, at a place.
struct Need<'r> {
    path: &'r [Seg],
    /// An array's bounds (read only by counting); else, that it is an
    /// object (read from its first byte).
    count: bool,
    /// The pick has read it.
    read: bool,
}

/// The tests that decoding does not make, per message, and which the pick
/// has read so far.
pub(super) struct Needs<'r> {
    /// Per message: bit, and its needs.
    messages: Vec<(u64, Vec<Need<'r>>)>,
}

impl<'r> Needs<'r> {
    /// The needs of the messages of `scope` (bit `i` for variant `i`). The
    /// root's type is known from the frame's first byte, so only deeper
    /// places (and the root's length) need reading.
    pub(super) fn new(variants: &'r [(String, Vec<Rule>)], scope: u64) -> Self {
        let messages = variants
            .iter()
            .enumerate()
            .filter(|(i, _)| scope & (1 << i) != 0)
            .map(|(i, (_, rules))| {
                let needs = rules
                    .iter()
                    .filter_map(|rule| match rule.test {
                        Test::Kind("object") if !rule.path.is_empty() => Some(Need {
                            path: &rule.path,
                            count: false,
                            read: false,
                        }),
                        Test::LenRange(..) => Some(Need {
                            path: &rule.path,
                            count: true,
                            read: false,
                        }),
                        _ => None,
                    })
                    .collect();
                (1 << i, needs)
            })
            .collect();
        Needs { messages }
    }

    /// Notes that the pick read the type of the place `path` of the
    /// message `bit` (not an array's length: array picks count nothing).
    pub(super) fn read(&mut self, bit: u64, path: &[Seg]) {
        for (_, needs) in self.messages.iter_mut().filter(|(b, _)| *b == bit) {
            for need in needs.iter_mut() {
                if need.path == path && !need.count {
                    need.read = true;
                }
            }
        }
    }

    /// Notes that the pick read the members of an object frame: the
    /// values of every key with a rule, arrays counted.
    pub(super) fn read_members(&mut self) {
        for (_, needs) in &mut self.messages {
            for need in needs.iter_mut() {
                if let [Seg::Key(_)] = need.path {
                    need.read = true;
                }
            }
        }
    }

    /// The messages with a test not read yet.
    pub(super) fn unread(&self) -> u64 {
        self.messages
            .iter()
            .filter(|(_, needs)| needs.iter().any(|need| !need.read))
            .fold(0, |m, (bit, _)| m | bit)
    }
}

/// `m` without its messages from the first one in `unread` on (as the
/// runtime's `trim`).
pub(super) fn trim(m: u64, unread: u64) -> u64 {
    let first = m & unread;
    if first == 0 {
        m
    } else {
        m & ((first & first.wrapping_neg()) - 1)
    }
}
