//! What the client and the server need of a generated message enum: the
//! [`Message`] trait, and correlation ids ([`Correlation`],
//! [`CorrelationId`]) that pair a request with its reply.
//!
//! Modules: `id` (correlation ids, read from frames in place), `with_id`
//! (encoding a message with its id written in).

mod id;
mod with_id;

pub use id::CorrelationId;

use crate::dispatch::{DecodeError, Seg};
use std::fmt;

/// A message enum generated for one direction of a channel (a
/// `ClientMessage` or a `ServerMessage`): decoded from and encoded to JSON
/// text frames (serialized as the payload of its variant).
pub trait Message: serde::Serialize + Sized + Send + Sync + fmt::Debug + 'static {
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

    /// The name of this message's variant, e.g. `"Heartbeat"`.
    fn variant_name(&self) -> &'static str;

    /// Where this message carries its correlation id, if it has one.
    fn correlation(&self) -> Option<Correlation>;

    /// Writes `id` into the payload field that holds the message's
    /// correlation id, when the generated code knows that field (a member
    /// of the payload struct typed as an integer or a string, or an
    /// `Option` of one) and the id reads as its type. `false`: nothing was
    /// written, and [`encode_with_id`] writes the id while encoding.
    fn set_correlation_id(&mut self, id: &CorrelationId) -> bool {
        let _ = id;
        false
    }

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
            IdKind::Integer => CorrelationId::integer(n),
            IdKind::String => CorrelationId::string(n),
        }
    }
}

/// Encodes `message` with `id` written at its correlation path (in place of
/// the member there, or added to the object if the message does not write
/// it), straight to JSON text. Where the generated code knows the field
/// holding the id ([`Message::set_correlation_id`]), the id is written into
/// `message` and the message encoded as it is; otherwise it is written
/// while encoding, and `message` is left as it was.
#[inline]
pub fn encode_with_id<M: Message>(
    message: &mut M,
    correlation: Correlation,
    id: &CorrelationId,
) -> Result<String, serde_json::Error> {
    if message.set_correlation_id(id) {
        return message.to_json();
    }
    with_id::encode(&*message, correlation.path, id).map_err(|failure| match failure {
        with_id::Failure::Encode(error) => error,
        with_id::Failure::NoPlace => <serde_json::Error as serde::ser::Error>::custom(format!(
            "{} {} has no place for its correlation id at {}",
            M::ENUM_NAME,
            message.variant_name(),
            PathDisplay(correlation.path)
        )),
    })
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
mod tests;
