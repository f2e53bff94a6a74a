//! The selection code generated for tricky tables: what it reads and how
//! it decides. (How it behaves on frames is tested on compiled code, in
//! the showcase's `tests/selection.rs` and `tests/discrimination.rs`.)

use super::array::plan_text;
use super::{selection_items, SelectionInput};
use crate::dispatch::{Rule, Seg, Test};
use serde_json::json;

fn key(k: &str) -> Seg {
    Seg::Key(k.to_owned())
}

fn rule(path: Vec<Seg>, test: Test) -> Rule {
    Rule { path, test }
}

fn object(rules: Vec<Rule>) -> Vec<Rule> {
    let mut all = vec![rule(vec![], Test::Kind("object"))];
    all.extend(rules);
    all
}

fn tuple(len: usize, rules: Vec<Rule>) -> Vec<Rule> {
    let mut all = vec![
        rule(vec![], Test::Kind("array")),
        rule(vec![], Test::Len(len)),
    ];
    all.extend(rules);
    all
}

fn at(index: usize, test: Test) -> Rule {
    rule(vec![Seg::Index(index)], test)
}

fn strings(values: &[&str]) -> Vec<serde_json::Value> {
    values.iter().map(|v| json!(v)).collect()
}

/// The generated items, without whitespace.
fn generated(variants: Vec<(&str, Vec<Rule>)>) -> String {
    let input = SelectionInput {
        enum_name: "Message",
        variants: variants
            .into_iter()
            .map(|(name, rules)| (name.to_owned(), rules))
            .collect(),
    };
    selection_items(&input)
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn has(code: &str, part: &str) -> bool {
    code.contains(&part.replace(' ', ""))
}

/// Kraken's public market data, as far as selection is concerned.
fn kraken_like() -> Vec<(&'static str, Vec<Rule>)> {
    let book = || at(2, Test::Pattern("^book-(10|25)$".into()));
    vec![
        (
            "Ticker",
            tuple(
                4,
                vec![
                    at(0, Test::Kind("number")),
                    at(1, Test::Kind("object")),
                    rule(vec![Seg::Index(1)], Test::Has("a".into())),
                    at(2, Test::OneOf(strings(&["ticker"]))),
                    at(3, Test::Kind("string")),
                ],
            ),
        ),
        (
            "Trade",
            tuple(
                4,
                vec![
                    at(0, Test::Kind("number")),
                    at(1, Test::Kind("array")),
                    at(2, Test::OneOf(strings(&["trade"]))),
                    at(3, Test::Kind("string")),
                ],
            ),
        ),
        (
            "BookSnapshot",
            tuple(
                4,
                vec![
                    at(0, Test::Kind("number")),
                    at(1, Test::Kind("object")),
                    at(1, Test::Has("as".into())),
                    at(1, Test::Closed(vec!["as".into(), "bs".into()])),
                    book(),
                    at(3, Test::Kind("string")),
                ],
            ),
        ),
        (
            "BookUpdate",
            tuple(
                4,
                vec![
                    at(0, Test::Kind("number")),
                    at(1, Test::Kind("object")),
                    at(1, Test::Closed(vec!["a".into(), "b".into(), "c".into()])),
                    book(),
                    at(3, Test::Kind("string")),
                ],
            ),
        ),
        (
            "BookUpdateBothSides",
            tuple(
                5,
                vec![
                    at(0, Test::Kind("number")),
                    at(1, Test::Kind("object")),
                    at(1, Test::Has("a".into())),
                    at(1, Test::Closed(vec!["a".into(), "c".into()])),
                    at(2, Test::Kind("object")),
                    at(2, Test::Has("b".into())),
                    at(2, Test::Closed(vec!["b".into(), "c".into()])),
                    at(3, Test::Pattern("^book-(10|25)$".into())),
                    at(4, Test::Kind("string")),
                ],
            ),
        ),
    ]
}

#[test]
fn arrays_are_read_from_the_end_then_the_start_without_crossing_payloads() {
    let variants: Vec<(String, Vec<Rule>)> = kraken_like()
        .into_iter()
        .map(|(n, r)| (n.to_owned(), r))
        .collect();
    // The pair, the channel name, the payload's kind (from the end); the
    // channel id, the payload's kind and first key (from the start); what
    // follows a book update's payload, when its first key does not tell
    // (serde_json steps over it). Never a read backward over a payload.
    assert_eq!(
        plan_text(&variants, 0b11111),
        ["back 0", "back 1", "back 2", "front 0", "front 1", "front 2"]
    );
    let code = generated(kraken_like());
    assert!(has(&code, "tail.next_kind()"), "{code}");
    assert!(!has(&code, "tail.next(&["), "{code}");
    // The first key tells a snapshot from an update.
    assert!(
        has(&code, r#"front.next(&["a", "as", "bs", "b", "c"])"#),
        "{code}"
    );
    // Channel names: literals are arms, the book pattern a test.
    assert!(has(&code, r#""ticker" => 0b1"#), "{code}");
    assert!(has(&code, r#""trade" => 0b10"#), "{code}");
    assert!(
        has(
            &code,
            "if Self::__pattern_0(&string) { 0b11100 } else { 0 }"
        ),
        "{code}"
    );
}

#[test]
fn an_object_between_containers_is_left_to_the_slow_path() {
    // `[n, {a}, {b}, {c}, {d}, "wide"]`: the middle objects are seen neither
    // from the end nor from the start without crossing two containers, and
    // serde's derive would read a struct from an array there: a frame that
    // may be `Wide` (and what comes after it) goes to the slow path.
    let mut rules = vec![
        at(0, Test::Kind("number")),
        at(5, Test::OneOf(strings(&["wide"]))),
    ];
    rules.extend((1..5).map(|i| at(i, Test::Kind("object"))));
    let wide = tuple(6, rules);
    let narrow = tuple(
        2,
        vec![
            at(0, Test::Kind("number")),
            at(1, Test::OneOf(strings(&["narrow"]))),
        ],
    );
    let variants = vec![
        ("Wide".to_owned(), wide.clone()),
        ("Narrow".to_owned(), narrow.clone()),
    ];
    assert_eq!(
        plan_text(&variants, 0b11),
        ["back 0", "back 1", "front 0", "front 1", "front 2"]
    );
    let code = generated(vec![("Wide", wide), ("Narrow", narrow)]);
    assert!(!has(&code, "tail.next(&["), "{code}");
    assert!(has(&code, "rt::dispatch::trim(m, 0b1)"), "{code}");
}

#[test]
fn a_bounded_list_and_the_messages_after_it_are_left_to_the_slow_path() {
    // A `Vec` decodes from an array of any length: its bounds are not read
    // by the pick, so it is never decoded on the pick's word, nor is what
    // comes after it.
    let numbers = vec![
        rule(vec![], Test::Kind("array")),
        rule(vec![], Test::LenRange(5, None)),
    ];
    let flag = tuple(1, vec![at(0, Test::OneOf(vec![json!(true)]))]);
    let code = generated(vec![("Numbers", numbers.clone()), ("Flag", flag.clone())]);
    assert!(has(&code, "rt::dispatch::trim(m, 0b1)"), "{code}");
    // Last, it leaves the others be.
    let code = generated(vec![("Flag", flag), ("Numbers", numbers)]);
    assert!(has(&code, "rt::dispatch::trim(m, 0b10)"), "{code}");
}

#[test]
fn an_object_member_that_must_be_an_object_is_read_with_the_members() {
    let subscribe = object(vec![
        rule(vec![key("event")], Test::OneOf(strings(&["subscribe"]))),
        rule(vec![key("subscription")], Test::Kind("object")),
        rule(vec![], Test::Has("subscription".into())),
    ]);
    let code = generated(vec![("Subscribe", subscribe)]);
    assert!(has(&code, "Val::Object(_) => 0b1"), "{code}");
    assert!(!has(&code, "trim"), "{code}");
    // Deeper than the members: never read by the pick.
    let deep = object(vec![
        rule(vec![key("event")], Test::OneOf(strings(&["deep"]))),
        rule(vec![key("x"), key("y")], Test::Kind("object")),
    ]);
    let code = generated(vec![("Deep", deep)]);
    assert!(has(&code, "rt::dispatch::trim(m, 0b1)"), "{code}");
}

#[test]
fn string_values_with_shared_prefixes_are_whole_arms() {
    let code = generated(vec![
        (
            "Ping",
            object(vec![rule(
                vec![key("kind")],
                Test::OneOf(strings(&["ping"])),
            )]),
        ),
        (
            "PingPong",
            object(vec![rule(
                vec![key("kind")],
                Test::OneOf(strings(&["ping-pong"])),
            )]),
        ),
    ]);
    assert!(has(&code, r#""ping" => 0b1,"#), "{code}");
    assert!(has(&code, r#""ping-pong" => 0b10,"#), "{code}");
    // Anything else, another string included, is neither.
    assert!(has(&code, "_ => 0b0,"), "{code}");
}

#[test]
fn a_literal_that_a_pattern_matches_picks_both_in_order() {
    let code = generated(vec![
        (
            "Five",
            object(vec![rule(
                vec![key("kind")],
                Test::OneOf(strings(&["ohlc-5"])),
            )]),
        ),
        (
            "Any",
            object(vec![rule(
                vec![key("kind")],
                Test::Pattern("^ohlc-[0-9]+$".into()),
            )]),
        ),
    ]);
    assert!(has(&code, r#""ohlc-5" => 0b11,"#), "{code}");
    assert!(
        has(&code, "if Self::__pattern_0(&string) { 0b10 } else { 0 }"),
        "{code}"
    );
}

#[test]
fn an_optional_discriminator_may_be_absent_or_null() {
    let code = generated(vec![
        (
            "Note",
            object(vec![rule(
                vec![key("tag")],
                Test::OneOfOrAbsent(strings(&["note"])),
            )]),
        ),
        (
            "Quiet",
            object(vec![rule(
                vec![key("tag")],
                Test::OneOf(strings(&["quiet"])),
            )]),
        ),
    ]);
    assert!(has(&code, "Val::Absent | Val::Null => 0b1"), "{code}");
    assert!(has(&code, r#""note" => 0b1,"#), "{code}");
    assert!(has(&code, r#""quiet" => 0b10,"#), "{code}");
}

#[test]
fn a_frame_that_matches_nothing_picks_nothing() {
    let code = generated(vec![
        (
            "Said",
            object(vec![rule(
                vec![key("action")],
                Test::OneOf(strings(&["said"])),
            )]),
        ),
        (
            "Pair",
            tuple(
                2,
                vec![
                    at(0, Test::Kind("number")),
                    at(1, Test::OneOf(strings(&["pair"]))),
                ],
            ),
        ),
    ]);
    // A string that is no message's value, a scalar frame, another type.
    assert!(has(&code, r#""said" => 0b1, _ => 0b0,"#), "{code}");
    assert!(has(&code, "_ => 0b0,"), "{code}");
    // The slow path explains, from `__check`.
    assert!(
        has(
            &code,
            r#"checker.one_of(&[Key("action")], &[Lit::Str("said")], false)?;"#
        ),
        "{code}"
    );
}
