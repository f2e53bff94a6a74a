//! The `x-asyncapi-rs-subscription` extension: which operations start and
//! stop a feed, so that a generated client that reconnects re-sends the
//! live ones.
//!
//! ```yaml
//! operations:
//!   publicSubscribe:
//!     action: receive
//!     x-asyncapi-rs-subscription: {role: start, key: [pair, subscription]}
//!   publicUnsubscribe:
//!     action: receive
//!     x-asyncapi-rs-subscription: {role: stop, key: [pair, subscription]}
//! ```
//!
//! A stop ends the start whose payload has equal values of the `key`
//! properties; `start` or `stop` alone means the whole payload is the key.

use super::read::array_member;
use crate::error::{Error, ErrorKind, Location, Result};
use serde_json::Value;

/// The extension's name.
pub const X_SUBSCRIPTION: &str = "x-asyncapi-rs-subscription";

/// Whether an operation's messages start or stop a feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionRole {
    /// They start one (Kraken's `subscribe`).
    Start,
    /// They stop the one started with the same key (`unsubscribe`).
    Stop,
}

/// What an operation's messages do to a client's live subscriptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Start or stop.
    pub role: SubscriptionRole,
    /// The top-level payload properties that name the feed; empty: the
    /// whole payload.
    pub key: Vec<String>,
}

impl Subscription {
    /// Reads the extension on the operation `op`, at `location`.
    pub(super) fn read(op: &Value, location: &Location) -> Result<Option<Subscription>> {
        let at = location.join(X_SUBSCRIPTION);
        let invalid = |at: &Location, message: String| {
            Error::at(ErrorKind::Invalid, at, message)
                .with_hint("write `start`, `stop`, or `{role: start, key: [property, ...]}`")
        };
        let role = |value: &Value, at: &Location| match value.as_str() {
            Some("start") => Ok(SubscriptionRole::Start),
            Some("stop") => Ok(SubscriptionRole::Stop),
            _ => Err(invalid(
                at,
                format!("`{X_SUBSCRIPTION}` must say `start` or `stop`, not {value}"),
            )),
        };
        match op.get(X_SUBSCRIPTION) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(object)) => {
                let role_at = at.join("role");
                let role = role(object.get("role").unwrap_or(&Value::Null), &role_at)?;
                let value = Value::Object(object.clone());
                let key = array_member(&value, &at, "key")?
                    .iter()
                    .enumerate()
                    .map(|(i, property)| match property {
                        Value::String(name) => Ok(name.clone()),
                        other => Err(invalid(
                            &at.join("key").index(i),
                            format!("a key property must be a name, not {other}"),
                        )),
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(Some(Subscription { role, key }))
            }
            Some(value) => Ok(Some(Subscription {
                role: role(value, &at)?,
                key: Vec::new(),
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(op: Value) -> Result<Option<Subscription>> {
        Subscription::read(
            &op,
            &Location::file("kraken.yaml").join("operations").join("sub"),
        )
    }

    #[test]
    fn the_extension_is_read_in_both_forms() {
        assert_eq!(read(json!({"action": "receive"})).unwrap(), None);
        assert_eq!(
            read(json!({X_SUBSCRIPTION: "stop"})).unwrap(),
            Some(Subscription {
                role: SubscriptionRole::Stop,
                key: Vec::new()
            })
        );
        assert_eq!(
            read(json!({X_SUBSCRIPTION: {"role": "start", "key": ["pair", "subscription"]}}))
                .unwrap(),
            Some(Subscription {
                role: SubscriptionRole::Start,
                key: vec!["pair".into(), "subscription".into()]
            })
        );
    }

    #[test]
    fn bad_values_name_their_place() {
        let e = read(json!({X_SUBSCRIPTION: "begin"})).unwrap_err();
        assert!(
            e.to_string()
                .contains("/operations/sub/x-asyncapi-rs-subscription"),
            "{e}"
        );
        assert!(e.to_string().contains("`start` or `stop`"), "{e}");
        let e = read(json!({X_SUBSCRIPTION: {"key": ["pair"]}})).unwrap_err();
        assert!(
            e.to_string().contains("x-asyncapi-rs-subscription/role"),
            "{e}"
        );
        let e = read(json!({X_SUBSCRIPTION: {"role": "stop", "key": ["pair", 3]}})).unwrap_err();
        assert!(
            e.to_string().contains("x-asyncapi-rs-subscription/key/1"),
            "{e}"
        );
        let e = read(json!({X_SUBSCRIPTION: {"role": "stop", "key": "pair"}})).unwrap_err();
        assert!(e.to_string().contains("must be an array"), "{e}");
    }
}
