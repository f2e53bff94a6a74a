//! JSON Schema validation by the `jsonschema` crate, its errors turned into
//! [`Failure`]s that keep the shape of the schema: a `oneOf` or `anyOf`
//! that nothing matched keeps every branch's failures, from which
//! [`report`](super::report) picks the most specific one to show instead
//! of "matches none of the alternatives"; a member that
//! `additionalProperties: false` refuses knows which members the schema
//! names.
//!
//! Schemas are draft-07 (the official AsyncAPI schemas, and payload
//! schemas in the JSON Schema and AsyncAPI formats); beyond draft-07,
//! 2020-12's `prefixItems` (with `items: false`) is read as a tuple, as
//! payload schemas use it. `format`s are asserted.
//! Nothing is ever fetched: a `$ref` out of the schema fails to compile.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use jsonschema::{Draft, ValidationError};
use serde_json::Value;

/// One thing wrong with an instance.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    /// Where in the instance: unescaped reference tokens.
    pub path: Vec<String>,
    /// What is wrong.
    pub kind: Kind,
}

/// What is wrong at a place of an instance.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    /// Not of the JSON type(s) the schema names.
    Type {
        /// JSON type names (`object`, `integer`, …).
        expected: Vec<String>,
    },
    /// Not one of the values of `enum`.
    Enum {
        /// The allowed values.
        allowed: Vec<Value>,
    },
    /// Not the value of `const`.
    Const {
        /// The one allowed value.
        expected: Value,
    },
    /// A member that `required` (or `dependencies`) names is missing (the
    /// path is the object).
    Required {
        /// The missing member.
        property: String,
    },
    /// A member that neither `properties` nor `patternProperties` allows,
    /// under `additionalProperties: false` (the path is the member).
    Unexpected {
        /// The members the schema names, for the message.
        known: Vec<String>,
        /// Whether `x-` extensions are allowed.
        extensions: bool,
    },
    /// The schema `false`: no value is allowed here.
    False,
    /// A string that does not match `pattern`.
    Pattern {
        /// The pattern.
        pattern: String,
    },
    /// A string that is not of the `format`.
    Format {
        /// The format, e.g. `uri`.
        format: String,
    },
    /// Out of bounds: `minLength`, `maximum`, `minItems`, …
    Bound {
        /// The keyword.
        keyword: &'static str,
        /// Its value.
        limit: Value,
    },
    /// Items that `uniqueItems` wants distinct are not.
    UniqueItems,
    /// No item matches `contains`.
    Contains,
    /// A member name that `propertyNames` refuses (the path is the member).
    PropertyName {
        /// Why the name is refused.
        failures: Vec<Failure>,
    },
    /// Matches the schema of `not`.
    Not,
    /// Matches none of `oneOf`'s schemas.
    OneOfNone {
        /// Each branch's failures.
        branches: Vec<Vec<Failure>>,
    },
    /// Matches more than one of `oneOf`'s schemas.
    OneOfMany {
        /// The indices of the branches it matches.
        matched: Vec<usize>,
    },
    /// Matches none of `anyOf`'s schemas.
    AnyOf {
        /// Each branch's failures.
        branches: Vec<Vec<Failure>>,
    },
    /// Anything else the validator says (the schema cannot be checked
    /// here, a content encoding is wrong, …), in its words.
    Other {
        /// The validator's message.
        message: String,
    },
}

/// A compiled schema.
pub(crate) struct Checker {
    /// The schema, to read what a failure needs beyond the crate's error
    /// (the members `additionalProperties: false` leaves allowed).
    schema: Value,
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for Checker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checker").finish_non_exhaustive()
    }
}

impl Checker {
    /// Compiles `schema`, a root whose `$ref`s point into itself; the
    /// compiler's complaint if it is no schema.
    pub fn new(mut schema: Value) -> Result<Checker, String> {
        tuples_as_draft07(&mut schema);
        let validator = jsonschema::options()
            .with_draft(Draft::Draft7)
            .should_validate_formats(true)
            // Draft-07 has no `uuid` format; payload schemas use it.
            .with_format("uuid", is_uuid)
            .offline()
            .build(&schema)
            .map_err(|e| e.to_string())?;
        Ok(Checker { schema, validator })
    }

    /// The schema compiled.
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Every failure of `instance`, in the order of the instance's members
    /// (an object's own failures before its members').
    pub fn failures(&self, instance: &Value) -> Vec<Failure> {
        if self.validator.is_valid(instance) {
            return Vec::new();
        }
        let errors: Vec<ValidationError<'_>> = self.validator.iter_errors(instance).collect();
        let mut failures = self.convert_all(&errors);
        failures.sort_by_cached_key(|f| position(instance, &f.path));
        failures
    }

    /// Failures for errors of one instance (or one branch).
    fn convert_all(&self, errors: &[ValidationError<'_>]) -> Vec<Failure> {
        let mut out = Vec::new();
        for error in errors {
            self.convert(error, &mut out);
        }
        // Nothing else can be said usefully about a value of the wrong
        // type.
        let wrong_type: Vec<Vec<String>> = out
            .iter()
            .filter(|f| matches!(f.kind, Kind::Type { .. }))
            .map(|f| f.path.clone())
            .collect();
        if !wrong_type.is_empty() {
            out.retain(|f| matches!(f.kind, Kind::Type { .. }) || !wrong_type.contains(&f.path));
        }
        out
    }

    /// Appends the failures one error stands for.
    fn convert(&self, error: &ValidationError<'_>, out: &mut Vec<Failure>) {
        let path: Vec<String> = error
            .instance_path()
            .iter()
            .map(|segment| match segment {
                LocationSegment::Property(name) => name.into_owned(),
                LocationSegment::Index(i) => i.to_string(),
            })
            .collect();
        let bound = |keyword: &'static str, limit: Value| Kind::Bound { keyword, limit };
        let branches = |context: &[Vec<ValidationError<'static>>]| -> Vec<Vec<Failure>> {
            context.iter().map(|b| self.convert_all(b)).collect()
        };
        let kind = match error.kind() {
            ValidationErrorKind::Type { kind } => Kind::Type {
                expected: match kind {
                    TypeKind::Single(t) => vec![t.as_str().to_string()],
                    // In the order the schema names them.
                    TypeKind::Multiple(set) => {
                        match self.schema.pointer(error.schema_path().as_str()) {
                            Some(Value::Array(names)) => names
                                .iter()
                                .filter_map(Value::as_str)
                                .map(str::to_string)
                                .collect(),
                            _ => set.iter().map(|t| t.as_str().to_string()).collect(),
                        }
                    }
                },
            },
            ValidationErrorKind::Enum { options } => Kind::Enum {
                allowed: match options.as_ref() {
                    Value::Array(values) => values.clone(),
                    other => vec![other.clone()],
                },
            },
            ValidationErrorKind::Constant { expected_value } => Kind::Const {
                expected: expected_value.as_ref().clone(),
            },
            ValidationErrorKind::Required { property } => Kind::Required {
                property: property
                    .as_str()
                    .map_or_else(|| property.to_string(), str::to_string),
            },
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let (known, extensions) = self.named_members(error.schema_path().as_str());
                for name in unexpected {
                    let mut at = path.clone();
                    at.push(name.clone());
                    out.push(Failure {
                        path: at,
                        kind: Kind::Unexpected {
                            known: known.clone(),
                            extensions,
                        },
                    });
                }
                return;
            }
            ValidationErrorKind::FalseSchema => Kind::False,
            ValidationErrorKind::Pattern { pattern } => Kind::Pattern {
                pattern: pattern.clone(),
            },
            ValidationErrorKind::Format { format } => Kind::Format {
                format: format.clone(),
            },
            ValidationErrorKind::MinLength { limit } => bound("minLength", (*limit).into()),
            ValidationErrorKind::MaxLength { limit } => bound("maxLength", (*limit).into()),
            ValidationErrorKind::MinItems { limit } => bound("minItems", (*limit).into()),
            ValidationErrorKind::MaxItems { limit } => bound("maxItems", (*limit).into()),
            ValidationErrorKind::AdditionalItems { limit } => bound("maxItems", (*limit).into()),
            ValidationErrorKind::MinProperties { limit } => bound("minProperties", (*limit).into()),
            ValidationErrorKind::MaxProperties { limit } => bound("maxProperties", (*limit).into()),
            ValidationErrorKind::Minimum { limit } => bound("minimum", limit.clone()),
            ValidationErrorKind::Maximum { limit } => bound("maximum", limit.clone()),
            ValidationErrorKind::ExclusiveMinimum { limit } => {
                bound("exclusiveMinimum", limit.clone())
            }
            ValidationErrorKind::ExclusiveMaximum { limit } => {
                bound("exclusiveMaximum", limit.clone())
            }
            ValidationErrorKind::MultipleOf { multiple_of } => {
                bound("multipleOf", serde_json::json!(multiple_of))
            }
            ValidationErrorKind::UniqueItems => Kind::UniqueItems,
            ValidationErrorKind::Contains => Kind::Contains,
            ValidationErrorKind::PropertyNames { error } => {
                let mut failures = Vec::new();
                self.convert(error, &mut failures);
                let mut at = path.clone();
                if let Value::String(name) = error.instance().as_ref() {
                    at.push(name.clone());
                }
                out.push(Failure {
                    path: at,
                    kind: Kind::PropertyName { failures },
                });
                return;
            }
            ValidationErrorKind::Not { .. } => Kind::Not,
            ValidationErrorKind::OneOfNotValid { context } => Kind::OneOfNone {
                branches: branches(context),
            },
            ValidationErrorKind::OneOfMultipleValid { context } => Kind::OneOfMany {
                matched: (0..context.len())
                    .filter(|&i| context[i].is_empty())
                    .collect(),
            },
            ValidationErrorKind::AnyOf { context } => Kind::AnyOf {
                branches: branches(context),
            },
            _ => Kind::Other {
                message: error.to_string(),
            },
        };
        out.push(Failure { path, kind });
    }

    /// The members the schema object holding the keyword at
    /// `keyword_pointer` names in `properties`, and whether its
    /// `patternProperties` allow `x-` extensions.
    fn named_members(&self, keyword_pointer: &str) -> (Vec<String>, bool) {
        let parent = keyword_pointer
            .rsplit_once('/')
            .map_or("", |(parent, _)| parent);
        let Some(schema) = self.schema.pointer(parent) else {
            return (Vec::new(), false);
        };
        let known = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        let extensions = schema
            .get("patternProperties")
            .and_then(Value::as_object)
            .is_some_and(|p| p.keys().any(|k| k.contains("x-")));
        (known, extensions)
    }
}

/// Where `path` lies in `instance`, as the index of each member among its
/// object's members, in order: sorting by it sorts places as they are
/// written.
fn position(instance: &Value, path: &[String]) -> Vec<usize> {
    let mut out = Vec::with_capacity(path.len());
    let mut value = Some(instance);
    for token in path {
        let (index, next) = match value {
            Some(Value::Object(map)) => match map.keys().position(|k| k == token) {
                Some(i) => (i, map.get(token)),
                None => (usize::MAX, None),
            },
            Some(Value::Array(items)) => match token.parse::<usize>() {
                Ok(i) => (i, items.get(i)),
                Err(_) => (usize::MAX, None),
            },
            _ => (usize::MAX, None),
        };
        out.push(index);
        value = next;
    }
    out
}

/// Whether `text` is a UUID written as RFC 9562 says (`8-4-4-4-12` hex
/// digits).
fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Every 2020-12 tuple in `schema` (`prefixItems`, then `items` for the
/// items after them) as draft-07 writes it (`items` as a list, then
/// `additionalItems`). Values (`const`, `enum`, `default`, examples) are
/// left as they are.
fn tuples_as_draft07(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.get("prefixItems").is_some_and(Value::is_array) {
                if let Some(prefix) = map.remove("prefixItems") {
                    if let Some(rest) = map.remove("items") {
                        map.insert("additionalItems".into(), rest);
                    }
                    map.insert("items".into(), prefix);
                }
            }
            for (key, member) in map.iter_mut() {
                if !matches!(
                    key.as_str(),
                    "const" | "enum" | "default" | "examples" | "example"
                ) {
                    tuples_as_draft07(member);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(tuples_as_draft07),
        _ => {}
    }
}

/// Whether a value is an integer (a number without a fractional part).
pub(crate) fn is_integer(value: &Value) -> bool {
    match value {
        Value::Number(n) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn failures(schema: Value, instance: Value) -> Vec<Failure> {
        Checker::new(schema).unwrap().failures(&instance)
    }

    fn valid(schema: Value, instance: Value) -> bool {
        failures(schema, instance).is_empty()
    }

    #[test]
    fn types_values_and_formats() {
        assert!(valid(json!({"type": "integer"}), json!(3.0)));
        assert!(!valid(json!({"type": "integer"}), json!(3.5)));
        assert!(valid(json!({"type": ["string", "null"]}), json!(null)));
        assert!(valid(json!({"enum": [1, "a"]}), json!(1.0)));
        assert!(!valid(json!({"const": {"a": [1]}}), json!({"a": [2]})));
        assert!(valid(json!({"multipleOf": 0.1}), json!(0.3)));
        assert!(!valid(json!({"maxLength": 2}), json!("é!!")));
        assert!(valid(
            json!({"pattern": "^x-[\\w\\d\\.\\x2d_]+$"}),
            json!("x-a.b-c")
        ));
        assert!(valid(
            json!({"format": "uri"}),
            json!("https://example.com/a?b#c")
        ));
        for (format, bad) in [
            ("uri", "not a uri"),
            ("uri-reference", "a b"),
            ("date-time", "yesterday"),
            ("uuid", "123"),
            ("ipv4", "1.2.3"),
            ("email", "nobody"),
            ("regex", "(unclosed"),
            ("json-pointer", "no/slash"),
        ] {
            assert_eq!(
                failures(json!({"format": format}), json!(bad))
                    .first()
                    .map(|f| f.kind.clone()),
                Some(Kind::Format {
                    format: format.into()
                }),
                "{format}"
            );
        }
        let f = failures(json!({"type": "string", "enum": ["a"]}), json!(1));
        assert_eq!(f.len(), 1, "only the type is reported: {f:?}");
    }

    #[test]
    fn objects_in_member_order_and_tuples() {
        let schema = json!({
            "type": "object",
            "required": ["a"],
            "properties": {"a": {"$ref": "#/definitions/n"}, "c": {"type": "string"}},
            "patternProperties": {"^x-": {}},
            "additionalProperties": false,
            "definitions": {"n": {"type": "number"}}
        });
        assert!(valid(schema.clone(), json!({"a": 1, "x-b": true})));
        let f = failures(schema.clone(), json!({"c": 1, "b": 1}));
        assert_eq!(f.len(), 3, "{f:?}");
        assert_eq!(
            f[0].kind,
            Kind::Required {
                property: "a".into()
            }
        );
        assert_eq!(f[1].path, ["c"]);
        assert_eq!(f[2].path, ["b"]);
        assert_eq!(
            f[2].kind,
            Kind::Unexpected {
                known: vec!["a".into(), "c".into()],
                extensions: true
            }
        );
        let tuple = json!({"prefixItems": [{"type": "integer"}, {"const": "t"}], "items": false});
        assert!(valid(tuple.clone(), json!([1, "t"])));
        assert!(!valid(tuple.clone(), json!([1, "t", 3])));
        assert_eq!(failures(tuple, json!([1, "u"]))[0].path, ["1"]);
        let both = json!({"properties": {
            "a": {"items": [{"type": "number"}], "additionalItems": false},
            "b": {"prefixItems": [{"type": "integer"}], "items": false},
            "c": {"const": {"prefixItems": [1]}}
        }});
        assert!(valid(
            both.clone(),
            json!({"a": [1.5], "b": [1], "c": {"prefixItems": [1]}})
        ));
        assert_eq!(failures(both, json!({"a": [1.5, 2], "b": [1, 2]})).len(), 2);
        assert!(Checker::new(json!({"$ref": "https://example.com/s.json"})).is_err());
    }

    #[test]
    fn combinators_keep_their_branches() {
        let schema = json!({"oneOf": [{"type": "string"}, {"required": ["a"]}]});
        let f = failures(schema, json!({"b": 1}));
        match &f[0].kind {
            Kind::OneOfNone { branches } => {
                assert_eq!(branches.len(), 2);
                assert!(matches!(branches[0][0].kind, Kind::Type { .. }));
                assert_eq!(
                    branches[1][0].kind,
                    Kind::Required {
                        property: "a".into()
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            failures(json!({"oneOf": [{}, {"type": "number"}]}), json!(1))[0].kind,
            Kind::OneOfMany {
                matched: vec![0, 1]
            }
        );
        assert!(matches!(
            failures(json!({"propertyNames": {"maxLength": 1}}), json!({"ab": 1}))[0],
            Failure { ref path, kind: Kind::PropertyName { .. } } if path == &["ab"]
        ));
    }
}
