//! Deciding variants: the rules that tell the messages of an enum apart
//! (collected by the model, [`crate::ir::Rule`]), pruned to those worth
//! checking, then written as code by [`crate::selection`].
//! Structural tests (required keys, closed objects) are used only when
//! values leave a tie.

pub use crate::ir::{Rule, Seg, Test};
use serde_json::Value;

/// Whether a test is structural (used only to break ties).
fn is_structural(test: &Test) -> bool {
    matches!(test, Test::Has(_) | Test::Closed(_))
}

/// Whether no value satisfies both tests.
fn incompatible(a: &Test, b: &Test) -> bool {
    let matches_pattern = |pattern: &str, value: &Value| match value {
        Value::String(s) => regress::Regex::new(pattern).map_or(true, |r| r.find(s).is_some()),
        _ => false,
    };
    let kind_of = |value: &Value| match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    match (a, b) {
        (Test::Kind(x), Test::Kind(y)) => x != y,
        (Test::Len(x), Test::Len(y)) => x != y,
        (Test::Len(n), Test::LenRange(min, max)) | (Test::LenRange(min, max), Test::Len(n)) => {
            n < min || max.is_some_and(|m| *n > m)
        }
        (Test::OneOf(x), Test::OneOf(y) | Test::OneOfOrAbsent(y))
        | (Test::OneOfOrAbsent(y), Test::OneOf(x)) => !x.iter().any(|v| y.contains(v)),
        (Test::OneOf(x), Test::Pattern(p) | Test::PatternOrAbsent(p))
        | (Test::Pattern(p) | Test::PatternOrAbsent(p), Test::OneOf(x)) => {
            !x.iter().any(|v| matches_pattern(p, v))
        }
        (Test::Pattern(p), Test::OneOfOrAbsent(x)) | (Test::OneOfOrAbsent(x), Test::Pattern(p)) => {
            !x.iter().any(|v| matches_pattern(p, v))
        }
        (Test::Kind(k), Test::OneOf(x)) | (Test::OneOf(x), Test::Kind(k)) => {
            !x.iter().any(|v| kind_of(v) == *k)
        }
        _ => false,
    }
}

/// Whether some rule of `a` and some rule of `b` at the same path cannot
/// both hold.
fn separated(a: &[Rule], b: &[Rule]) -> bool {
    a.iter().any(|r| {
        b.iter()
            .any(|s| r.path == s.path && incompatible(&r.test, &s.test))
    })
}

/// Keeps the rules worth checking: value tests near the top of the frame
/// (found by the one scan of the frame that is made anyway) and structural
/// tests always; deeper value tests only for messages that the former do
/// not tell apart from some other message.
pub fn prune(variants: &mut [(String, Vec<Rule>)]) {
    let shallow = |rules: &[Rule]| -> Vec<Rule> {
        rules
            .iter()
            .filter(|r| r.path.len() <= 1 || is_structural(&r.test))
            .cloned()
            .collect()
    };
    let values_only = |rules: &[Rule]| -> Vec<Rule> {
        rules
            .iter()
            .filter(|r| !is_structural(&r.test))
            .cloned()
            .collect()
    };
    for (_, rules) in variants.iter_mut() {
        drop_redundant(rules);
    }
    let base: Vec<Vec<Rule>> = variants.iter().map(|(_, r)| shallow(r)).collect();
    for i in 0..variants.len() {
        let mine = values_only(&base[i]);
        let tied = (0..variants.len()).any(|j| j != i && !separated(&mine, &values_only(&base[j])));
        if !tied {
            variants[i].1 = base[i].clone();
        }
    }
}

/// Drops tests that another test of the same message implies: the JSON
/// type of a value pinned by `const`/`enum`/`pattern`, and the presence of
/// a key whose value is pinned.
fn drop_redundant(rules: &mut Vec<Rule>) {
    let pinned: Vec<Vec<Seg>> = rules
        .iter()
        .filter(|r| matches!(r.test, Test::OneOf(_) | Test::Pattern(_)))
        .map(|r| r.path.clone())
        .collect();
    rules.retain(|r| match &r.test {
        Test::Kind(_) => !pinned.contains(&r.path),
        Test::Has(key) => {
            let member = [r.path.as_slice(), &[Seg::Key(key.clone())]].concat();
            !pinned.contains(&member)
        }
        _ => true,
    });
}
