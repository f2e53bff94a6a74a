//! Probing an already-parsed [`serde_json::Value`].

use super::plan::Place;
use super::select::{lit_kind, show_str, Malformed, Num, Probe};
use super::{Kind, Lit, Pattern, Seg, Test};
use serde_json::Value;

/// A parsed frame being probed. Paths are looked up on demand (a map or
/// vector lookup per step), so nothing is cached.
pub(super) struct ValueProbe<'a> {
    root: &'a Value,
    paths: &'static [&'static [Seg]],
}

impl<'a> ValueProbe<'a> {
    pub(super) fn new(paths: &'static [&'static [Seg]], root: &'a Value) -> Self {
        ValueProbe { root, paths }
    }
}

impl<'a> Probe for ValueProbe<'a> {
    type Val = &'a Value;

    fn get(&mut self, path: usize) -> Result<Option<&'a Value>, Malformed> {
        let mut value = self.root;
        for seg in self.paths.get(path).ok_or(Malformed)?.iter() {
            let next = match (seg, value) {
                (Seg::Key(key), Value::Object(map)) => map.get(*key),
                (Seg::Index(i), Value::Array(items)) => items.get(*i),
                _ => None,
            };
            match next {
                Some(next) => value = next,
                None => return Ok(None),
            }
        }
        Ok(Some(value))
    }

    fn root_kind(&mut self) -> Option<Kind> {
        Some(self.kind(self.root))
    }

    fn pre_read(&mut self, place: Place) -> Option<Option<Kind>> {
        let value = self.pre_value(place)?;
        Some(value.map(|value| self.kind(value)))
    }

    fn pre_holds(&mut self, place: Place, test: &Test) -> Option<bool> {
        let value = self.pre_value(place)?;
        self.holds(value, test)
    }

    fn len_holds(&mut self, test: &Test) -> Option<bool> {
        let Value::Array(items) = self.root else {
            return None;
        };
        let n = items.len();
        match *test {
            Test::Len(want) => Some(n == want),
            Test::LenRange(min, max) => Some(n >= min && max.is_none_or(|max| n <= max)),
            _ => None,
        }
    }

    fn kind(&self, value: &Value) -> Kind {
        match value {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Bool,
            Value::Number(_) => Kind::Number,
            Value::String(_) => Kind::String,
            Value::Array(_) => Kind::Array,
            Value::Object(_) => Kind::Object,
        }
    }

    fn equals(&self, value: &Value, lit: &Lit) -> Result<bool, Malformed> {
        Ok(match (value, lit) {
            (Value::Null, Lit::Null) => true,
            (Value::Bool(b), Lit::Bool(want)) => b == want,
            (Value::String(s), Lit::Str(want)) => s == want,
            (Value::Number(n), _) => {
                let num = match (n.as_i64(), n.as_u64()) {
                    (Some(i), _) => Some(Num::Int(i.into())),
                    (None, Some(u)) => Some(Num::Int(u.into())),
                    (None, None) => n.as_f64().map(Num::Float),
                };
                num.is_some_and(|num| num.equals(lit))
            }
            _ => false,
        })
    }

    fn matches(&self, value: &Value, pattern: &Pattern) -> Result<bool, Malformed> {
        Ok(value.as_str().is_some_and(|s| (pattern.is_match)(s)))
    }

    fn len(&mut self, value: &Value) -> Result<usize, Malformed> {
        Ok(value.as_array().map_or(0, Vec::len))
    }

    fn has(&self, value: &Value, key: &str) -> Result<bool, Malformed> {
        Ok(value.as_object().is_some_and(|map| map.contains_key(key)))
    }

    fn closed(&self, value: &Value, allowed: &[&str]) -> Result<bool, Malformed> {
        Ok(value
            .as_object()
            .is_some_and(|map| map.keys().all(|key| allowed.contains(&key.as_str()))))
    }

    fn extra_key(&self, value: &Value, allowed: &[&str]) -> Result<Option<String>, Malformed> {
        Ok(value.as_object().and_then(|map| {
            map.keys()
                .find(|key| !allowed.contains(&key.as_str()))
                .cloned()
        }))
    }

    fn show(&self, value: &Value) -> Result<String, Malformed> {
        Ok(match value {
            Value::String(s) => show_str(s),
            Value::Array(_) => "an array".to_owned(),
            Value::Object(_) => "an object".to_owned(),
            scalar => scalar.to_string(),
        })
    }
}

impl<'a> ValueProbe<'a> {
    /// The value at a pre-selection place (`None` inside: absent), or
    /// `None` where the text probe could not tell (see
    /// [`Probe::pre_read`]).
    fn pre_value(&self, place: Place) -> Option<Option<&'a Value>> {
        let Value::Array(items) = self.root else {
            return None;
        };
        match place {
            Place::FromEnd(from_end) => {
                // The text probe reads scalars backward, and the type of
                // the container they end at: no further.
                let i = items.len().checked_sub(from_end)?;
                let after = items.get(i + 1..)?;
                (from_end >= 1 && after.iter().all(is_scalar)).then(|| items.get(i))
            }
            Place::At(index) => Some(items.get(index)),
            Place::Through(_, path) => {
                let mut value = self.root;
                for seg in self.paths.get(path)?.iter() {
                    let next = match (seg, value) {
                        (Seg::Key(key), Value::Object(map)) => map.get(*key),
                        (Seg::Index(i), Value::Array(items)) => items.get(*i),
                        _ => None,
                    };
                    match next {
                        Some(next) => value = next,
                        None => return Some(None),
                    }
                }
                Some(Some(value))
            }
            Place::Len => None,
        }
    }

    /// Whether a value test holds of `value` (absent: `None`), as
    /// [`super::select::check`] decides; `None` for lengths of arrays and
    /// structure (not asked in pre-selection).
    fn holds(&self, value: Option<&'a Value>, test: &Test) -> Option<bool> {
        let Some(value) = value else {
            return Some(matches!(
                test,
                Test::OneOfOrAbsent(_) | Test::PatternOrAbsent(_)
            ));
        };
        Some(match *test {
            Test::Kind(want) => self.kind(value) == want,
            Test::OneOf(lits) | Test::OneOfOrAbsent(lits) => {
                let kind = self.kind(value);
                let mut any = false;
                for lit in lits {
                    if lit_kind(lit) == kind && self.equals(value, lit).ok()? {
                        any = true;
                        break;
                    }
                }
                any
            }
            Test::Pattern(pattern) | Test::PatternOrAbsent(pattern) => {
                self.matches(value, pattern).ok()?
            }
            Test::Len(_) | Test::LenRange(..) if !value.is_array() => false,
            Test::Len(_) | Test::LenRange(..) | Test::Has(_) | Test::Closed(_) => return None,
        })
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Object(_))
}
