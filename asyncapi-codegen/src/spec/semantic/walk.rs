//! Finding the places the rules look at: lists of tags, runtime
//! expressions, schemas with a `discriminator`, `ws` channel bindings.

use super::super::{DATA_KEYWORDS, NAME_MAPS};
use serde_json::Value;
use std::borrow::Cow;

/// What a rule looks at.
pub(super) enum Found {
    /// A list of tags.
    Tags,
    /// A runtime expression.
    Expression,
    /// A schema with a `discriminator`.
    Discriminator,
    /// A `ws` channel binding.
    WsChannelBinding,
}

/// Where in the document a value is, as far as [`walk`] needs to know.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Place {
    /// Anywhere outside schemas.
    Document,
    /// Inside a schema.
    Schema,
    /// A map whose keys are names (outside schemas).
    Names,
    /// A map of schemas.
    Schemas,
}

/// Members whose value is a schema.
const SCHEMA_MEMBERS: &[&str] = &["payload", "headers", "schema"];

/// Finds the places the rules look at.
///
/// `at` borrows the member names from the document (an array index is
/// the only token written out), so that walking allocates only for what
/// it finds.
pub(super) fn walk<'v>(
    value: &'v Value,
    at: &mut Vec<Cow<'v, str>>,
    place: Place,
    out: &mut Vec<(Vec<String>, Found)>,
) {
    match value {
        Value::Object(map) => {
            if place == Place::Schema && map.get("discriminator").is_some_and(Value::is_string) {
                out.push((owned(at), Found::Discriminator));
            }
            for (key, member) in map {
                let k = key.as_str();
                let inner = match place {
                    Place::Names => Place::Document,
                    Place::Schemas => Place::Schema,
                    Place::Schema => {
                        if DATA_KEYWORDS.contains(&k) {
                            continue;
                        }
                        Place::Schema
                    }
                    Place::Document => {
                        if DATA_KEYWORDS.contains(&k) {
                            continue;
                        }
                        if k == "tags" && member.is_array() {
                            out.push((with(at, k), Found::Tags));
                            continue;
                        }
                        if k == "location" && member.is_string() && expression_holder(at) {
                            out.push((with(at, k), Found::Expression));
                            continue;
                        }
                        if k == "ws" && channel_bindings(at) {
                            out.push((with(at, k), Found::WsChannelBinding));
                            continue;
                        }
                        if k == "schemas" {
                            Place::Schemas
                        } else if SCHEMA_MEMBERS.contains(&k) {
                            Place::Schema
                        } else if NAME_MAPS.contains(&k) {
                            Place::Names
                        } else {
                            Place::Document
                        }
                    }
                };
                at.push(Cow::Borrowed(key));
                walk(member, at, inner, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                at.push(Cow::Owned(i.to_string()));
                let inner = if place == Place::Names {
                    Place::Document
                } else {
                    place
                };
                walk(item, at, inner, out);
                at.pop();
            }
        }
        _ => {}
    }
}

/// The tokens of `at`, owned.
pub(super) fn owned<T: AsRef<str>>(at: &[T]) -> Vec<String> {
    at.iter().map(|t| t.as_ref().to_string()).collect()
}

/// The tokens of `at` and then `key`, owned.
pub(super) fn with<T: AsRef<str>>(at: &[T], key: &str) -> Vec<String> {
    let mut out = owned(at);
    out.push(key.to_string());
    out
}

/// Whether the object at `at` holds a runtime expression in `location`: a
/// correlation id, a channel parameter, a reply address.
fn expression_holder(at: &[Cow<'_, str>]) -> bool {
    let parent = at
        .len()
        .checked_sub(2)
        .and_then(|i| at.get(i))
        .map(|t| t.as_ref());
    let last = at.last().map(|t| t.as_ref());
    matches!(last, Some("correlationId" | "address"))
        || matches!(
            parent,
            Some("correlationIds" | "parameters" | "replyAddresses")
        )
}

/// Whether the `bindings` at `at` are a channel's.
fn channel_bindings(at: &[Cow<'_, str>]) -> bool {
    // Only paths of two or three tokens can be; most are longer.
    if !(2..=3).contains(&at.len()) {
        return false;
    }
    let tokens: Vec<&str> = at.iter().map(|t| t.as_ref()).collect();
    matches!(
        tokens.as_slice(),
        ["channels", _, "bindings"]
            | ["components", "channels", _, "bindings"]
            | ["components", "channelBindings", _]
    )
}
