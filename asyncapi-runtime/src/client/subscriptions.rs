//! The live subscriptions of a client, re-sent in order after it
//! reconnects: which outgoing messages start and stop a feed
//! ([`Subscription`]), and how a start and a stop pair up (equal values of
//! the properties that make the key).

use serde_json::Value;
use std::any::Any;
use std::sync::Arc;

/// Whether a message starts or stops a feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// It starts a feed (Kraken's `subscribe`).
    Start,
    /// It stops the feed started with the same key (Kraken's `unsubscribe`).
    Stop,
}

/// What an outgoing message does to the live subscriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subscription {
    /// Start or stop.
    pub role: Role,
    /// The top-level payload properties whose values name the feed: a stop
    /// ends the start with equal values (e.g. `["pair", "subscription"]`).
    /// Empty: the whole payload.
    pub key: &'static [&'static str],
}

impl Subscription {
    /// A message that starts the feed named by `key`.
    pub const fn start(key: &'static [&'static str]) -> Self {
        Subscription {
            role: Role::Start,
            key,
        }
    }

    /// A message that stops the feed named by `key`.
    pub const fn stop(key: &'static [&'static str]) -> Self {
        Subscription {
            role: Role::Stop,
            key,
        }
    }
}

/// Which outgoing messages start and stop feeds, type-erased (see
/// [`super::ClientConfig::with_subscriptions`]).
pub(crate) type SubscriptionHook = Arc<dyn Fn(&dyn Any) -> Option<Subscription> + Send + Sync>;

/// The feeds started and not stopped, in the order they were started: each
/// one's key and the frame that started it.
#[derive(Debug, Default)]
pub(crate) struct Live {
    feeds: Vec<(String, String)>,
}

impl Live {
    /// Takes note of `frame`, sent as `subscription` says.
    pub(crate) fn record(&mut self, subscription: Subscription, frame: &str) {
        let Some(key) = key_of(frame, subscription.key) else {
            return;
        };
        let at = self.feeds.iter().position(|(k, _)| *k == key);
        match (subscription.role, at) {
            (Role::Start, Some(i)) => self.feeds[i].1 = frame.to_owned(),
            (Role::Start, None) => self.feeds.push((key, frame.to_owned())),
            (Role::Stop, Some(i)) => {
                self.feeds.remove(i);
            }
            (Role::Stop, None) => {}
        }
    }

    /// The frames to re-send, in order.
    pub(crate) fn frames(&self) -> Vec<String> {
        self.feeds.iter().map(|(_, frame)| frame.clone()).collect()
    }
}

/// The key of a feed: the values of `properties` in `frame`, or the whole
/// payload when none are listed, as canonical JSON text.
fn key_of(frame: &str, properties: &[&str]) -> Option<String> {
    let value: Value = serde_json::from_str(frame).ok()?;
    let mut key = String::new();
    if properties.is_empty() {
        canonical(&value, &mut key);
        return Some(key);
    }
    let object = value.as_object()?;
    for property in properties {
        canonical(object.get(*property).unwrap_or(&Value::Null), &mut key);
        key.push('\n');
    }
    Some(key)
}

/// Writes `value` as JSON with the members of every object sorted, so that
/// equal values give equal text whatever their order (serde_json keeps the
/// order when its `preserve_order` feature is on).
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(object) => {
            let mut members: Vec<_> = object.iter().collect();
            members.sort_unstable_by_key(|(name, _)| name.as_str());
            out.push('{');
            for (i, (name, member)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(name.clone()).to_string());
                out.push(':');
                canonical(member, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[&str] = &["pair", "subscription"];

    #[test]
    fn starts_are_kept_in_order_until_their_stop() {
        let mut live = Live::default();
        let book =
            r#"{"event":"subscribe","pair":["XBT/USD"],"subscription":{"name":"book"},"reqid":1}"#;
        let ticker = r#"{"event":"subscribe","pair":["XBT/USD"],"subscription":{"name":"ticker"}}"#;
        let trade = r#"{"event":"subscribe","pair":["ETH/USD"],"subscription":{"name":"trade"}}"#;
        live.record(Subscription::start(KEY), book);
        live.record(Subscription::start(KEY), ticker);
        live.record(Subscription::start(KEY), trade);
        // A stop pairs with its start whatever its other properties, and
        // whatever the order of the key's object members.
        live.record(
            Subscription::stop(KEY),
            r#"{"subscription":{"name":"ticker"},"event":"unsubscribe","pair":["XBT/USD"],"reqid":9}"#,
        );
        assert_eq!(live.frames(), vec![book.to_string(), trade.to_string()]);
        // A stop of nothing live, and an undecodable frame, change nothing.
        live.record(
            Subscription::stop(KEY),
            r#"{"event":"unsubscribe","pair":["XBT/EUR"],"subscription":{"name":"book"}}"#,
        );
        live.record(Subscription::start(KEY), "not json");
        assert_eq!(live.frames().len(), 2);
        // Starting the same feed again keeps its place, with the new frame.
        let book_again = book.replace(r#""reqid":1"#, r#""reqid":2"#);
        live.record(Subscription::start(KEY), &book_again);
        assert_eq!(live.frames(), vec![book_again, trade.to_string()]);
    }

    #[test]
    fn an_empty_key_is_the_whole_payload() {
        let mut live = Live::default();
        live.record(Subscription::start(&[]), r#"{"a":1,"b":2}"#);
        live.record(Subscription::stop(&[]), r#"{"b":2,"a":1}"#);
        assert!(live.frames().is_empty());
    }
}
