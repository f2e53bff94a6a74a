//! What the client and the server need of a generated message enum: the
//! [`Message`] trait, and correlation ids ([`Correlation`],
//! [`CorrelationId`]) that pair a request with its reply.

use crate::dispatch::{DecodeError, Seg};
use serde::Deserialize;
use serde_json::Value;
use std::fmt;

/// A message enum generated for one direction of a channel (a
/// `ClientMessage` or a `ServerMessage`): decoded from and encoded to JSON
/// text frames.
pub trait Message: Sized + Send + Sync + fmt::Debug + 'static {
    /// The enum's name, e.g. `"ServerMessage"`.
    const ENUM_NAME: &'static str;

    /// Every distinct place where the enum's messages carry a correlation
    /// id, for reading the id of a frame that decodes as none of them (so an
    /// error reply can still carry it).
    const CORRELATION_PATHS: &'static [&'static [Seg]];

    /// Decodes a text frame into the right variant.
    fn from_json(frame: &str) -> Result<Self, DecodeError>;

    /// Encodes the message as a JSON text frame.
    fn to_json(&self) -> Result<String, serde_json::Error>;

    /// Encodes the message as a JSON value.
    fn to_value(&self) -> Result<Value, serde_json::Error>;

    /// The name of this message's variant, e.g. `"Heartbeat"`.
    fn variant_name(&self) -> &'static str;

    /// Where this message carries its correlation id, if it has one.
    fn correlation(&self) -> Option<Correlation>;

    /// The names of the variants, in order (what [`Message::schemas`] is
    /// indexed by; generated enums list theirs, the default is none).
    fn variants() -> &'static [&'static str] {
        &[]
    }

    /// The payload schemas of the variants, in order, that a server checks
    /// frames against before its handler sees them (generated for a
    /// channel's `ClientMessage` when the server side is; `None`: frames
    /// are not validated).
    fn schemas() -> Option<&'static crate::validate::Schemas> {
        None
    }
}

/// Where a message carries its correlation id (AsyncAPI's `correlationId`
/// with a `$message.payload#/...` location), and what kind of JSON value the
/// id is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Correlation {
    /// The path to the id inside the payload, e.g. `[Key("reqid")]`.
    pub path: &'static [Seg],
    /// The JSON type of ids the client allocates.
    pub kind: IdKind,
}

/// The JSON type of a correlation id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// A JSON integer (Kraken's `reqid`).
    Integer,
    /// A JSON string.
    String,
}

impl IdKind {
    /// The id numbered `n` as a JSON value of this kind.
    pub fn id(self, n: u64) -> CorrelationId {
        match self {
            IdKind::Integer => CorrelationId(n.to_string()),
            IdKind::String => CorrelationId(format!("\"{n}\"")),
        }
    }
}

/// A correlation id as found in a frame: a JSON scalar, kept as canonical
/// JSON text (`42`, `"a1"`), so that ids compare by value whatever their type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CorrelationId(String);

impl CorrelationId {
    /// Reads the id at `path` of a text frame, without parsing the rest of it.
    pub fn find(frame: &str, path: &[Seg]) -> Option<CorrelationId> {
        // Canonical form: numbers and strings written the way serde_json
        // writes them, whatever escapes or exponents the sender used.
        let mut de = serde_json::Deserializer::from_str(frame);
        match serde::de::DeserializeSeed::deserialize(At(path), &mut de).ok()?? {
            Value::Null | Value::Array(_) | Value::Object(_) => None,
            scalar => Some(CorrelationId(scalar.to_string())),
        }
    }

    /// Reads the id of a frame that may carry it at any of `paths` (the
    /// first found).
    pub fn find_any(frame: &str, paths: &[&[Seg]]) -> Option<CorrelationId> {
        paths.iter().find_map(|path| Self::find(frame, path))
    }

    /// The id as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }

    /// The id as JSON text, e.g. `42` or `"a1"`.
    pub fn as_json(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads the value at a path of a frame through serde_json, skipping the
/// rest (`None` inside: no such place).
struct At<'p>(&'p [Seg]);

impl<'de> serde::de::DeserializeSeed<'de> for At<'_> {
    type Value = Option<Value>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        match self.0.first() {
            None => Value::deserialize(deserializer).map(Some),
            Some(Seg::Key(_)) => deserializer.deserialize_map(self),
            Some(Seg::Index(_)) => deserializer.deserialize_seq(self),
        }
    }
}

impl<'de> serde::de::Visitor<'de> for At<'_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (Some(Seg::Key(want)), rest) = (self.0.first(), &self.0[1..]) else {
            return Ok(None);
        };
        let mut found = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'_, str>>()? {
            if key == *want {
                found = map.next_value_seed(At(rest))?;
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let (Some(Seg::Index(want)), rest) = (self.0.first(), &self.0[1..]) else {
            return Ok(None);
        };
        let mut found = None;
        let mut i = 0;
        loop {
            let next = if i == *want {
                seq.next_element_seed(At(rest))?.map(|f| found = f)
            } else {
                seq.next_element::<serde::de::IgnoredAny>()?.map(drop)
            };
            if next.is_none() {
                return Ok(found);
            }
            i += 1;
        }
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// Encodes `message` with `id` written at its correlation path (creating the
/// member if the message does not have it).
pub fn encode_with_id<M: Message>(
    message: &M,
    correlation: Correlation,
    id: &CorrelationId,
) -> Result<String, serde_json::Error> {
    let mut value = message.to_value()?;
    if !set_at(&mut value, correlation.path, id.to_value()) {
        return Err(<serde_json::Error as serde::ser::Error>::custom(format!(
            "{} {} has no place for its correlation id at {}",
            M::ENUM_NAME,
            message.variant_name(),
            PathDisplay(correlation.path)
        )));
    }
    serde_json::to_string(&value)
}

/// Writes `new` at `path` in `value`; the last step may add an object
/// member. Whether there was a place for it.
fn set_at(value: &mut Value, path: &[Seg], new: Value) -> bool {
    let Some((last, parents)) = path.split_last() else {
        *value = new;
        return true;
    };
    let mut current = value;
    for seg in parents {
        let next = match (seg, current) {
            (Seg::Key(key), Value::Object(map)) => map.get_mut(*key),
            (Seg::Index(i), Value::Array(items)) => items.get_mut(*i),
            _ => None,
        };
        match next {
            Some(next) => current = next,
            None => return false,
        }
    }
    match (last, current) {
        (Seg::Key(key), Value::Object(map)) => {
            map.insert((*key).to_string(), new);
            true
        }
        (Seg::Index(i), Value::Array(items)) => match items.get_mut(*i) {
            Some(slot) => {
                *slot = new;
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// A path shown as a JSON pointer.
pub(crate) struct PathDisplay<'a>(pub &'a [Seg]);

impl fmt::Display for PathDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for seg in self.0 {
            match seg {
                Seg::Key(key) => write!(f, "/{}", key.replace('~', "~0").replace('/', "~1"))?,
                Seg::Index(i) => write!(f, "/{i}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQID: &[Seg] = &[Seg::Key("reqid")];

    #[test]
    fn ids_are_found_in_place_and_compared_by_value() {
        let a = CorrelationId::find(r#"{"event":"pong","reqid":42}"#, REQID).unwrap();
        let b = CorrelationId::find(r#"{ "reqid" : 42 , "event":"pong"}"#, REQID).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, IdKind::Integer.id(42));
        let s = CorrelationId::find(r#"{"reqid":"\u0061b"}"#, REQID).unwrap();
        assert_eq!(s.as_json(), r#""ab""#);
        assert_eq!(CorrelationId::find(r#"{"event":"pong"}"#, REQID), None);
        assert_eq!(CorrelationId::find(r#"{"reqid":null}"#, REQID), None);
        assert_eq!(CorrelationId::find(r#"{"reqid":{"a":1}}"#, REQID), None);
        assert_eq!(CorrelationId::find(r#"[1,2]"#, REQID), None);
        assert_eq!(CorrelationId::find("not json", REQID), None);
        let nested: &[Seg] = &[Seg::Key("meta"), Seg::Index(1)];
        assert_eq!(
            CorrelationId::find(r#"{"meta":[0,"x"]}"#, nested)
                .unwrap()
                .as_json(),
            r#""x""#
        );
    }

    #[test]
    fn set_at_adds_members_but_not_missing_parents() {
        let mut v = serde_json::json!({"event": "ping"});
        assert!(set_at(&mut v, REQID, Value::from(7)));
        assert_eq!(v, serde_json::json!({"event": "ping", "reqid": 7}));
        assert!(!set_at(
            &mut v,
            &[Seg::Key("a"), Seg::Key("b")],
            Value::from(1)
        ));
        let mut arr = serde_json::json!([1, 2]);
        assert!(!set_at(&mut arr, &[Seg::Index(2)], Value::from(1)));
        assert!(set_at(&mut arr, &[Seg::Index(1)], Value::from(5)));
        assert_eq!(arr, serde_json::json!([1, 5]));
        assert_eq!(
            PathDisplay(&[Seg::Key("a/b"), Seg::Index(3)]).to_string(),
            "/a~1b/3"
        );
    }
}
