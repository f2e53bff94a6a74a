//! What handlers return and what the runtime tells them about: replies,
//! handler errors, frames that are no message, and why a connection ended.

use crate::dispatch::{DecodeError, Shortened};
use crate::message::CorrelationId;
use crate::validate::Violation;
use crate::ws::Close;
use std::fmt;

/// The replies a handler returns for a request: usually one, possibly none
/// or several (Kraken answers a subscription to two pairs with two
/// `subscriptionStatus` frames). The runtime sends each with the request's
/// correlation id copied into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Replies<T>(Vec<T>);

impl<T> Replies<T> {
    /// No reply.
    pub fn none() -> Self {
        Replies(Vec::new())
    }

    /// One reply.
    pub fn one(reply: T) -> Self {
        Replies(vec![reply])
    }

    /// Several replies, sent in order.
    pub fn many(replies: impl IntoIterator<Item = T>) -> Self {
        Replies(replies.into_iter().collect())
    }

    /// The replies, in order.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<T> From<T> for Replies<T> {
    fn from(reply: T) -> Self {
        Replies::one(reply)
    }
}

impl<T> FromIterator<T> for Replies<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Replies::many(iter)
    }
}

impl<T> IntoIterator for Replies<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// A handler's failure: the runtime logs it, answers with the error reply
/// the handler configures ([`FrameError`]), and keeps the connection open
/// unless the error asks to close it.
///
/// Any `std::error::Error` converts into it, so `?` works in handlers.
pub struct HandlerError {
    message: String,
    close: Option<Close>,
}

impl HandlerError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        HandlerError {
            message: message.into(),
            close: None,
        }
    }

    /// An error that also closes the connection with `close`.
    pub fn closing(message: impl Into<String>, close: Close) -> Self {
        HandlerError {
            message: message.into(),
            close: Some(close),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The close frame, when the error closes the connection.
    pub fn close(&self) -> Option<&Close> {
        self.close.as_ref()
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for HandlerError {
    fn from(error: E) -> Self {
        HandlerError::new(error.to_string())
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerError")
            .field("message", &self.message)
            .field("close", &self.close)
            .finish()
    }
}

/// A frame that did not end in replies: it is no message of the channel, it
/// is binary, it breaks its message's schema, or its handler failed. The
/// runtime logs it and sends the handler's `error_reply` for it, if any.
#[derive(Debug)]
pub struct FrameError {
    kind: FrameErrorKind,
    correlation: Option<CorrelationId>,
    /// The text of an invalid frame (a decoding error holds its own).
    frame: Option<String>,
}

/// What went wrong with a frame.
#[derive(Debug)]
#[non_exhaustive]
pub enum FrameErrorKind {
    /// A text frame that is not JSON, or JSON that is no message of the
    /// channel (see [`DecodeError::is_malformed`], [`DecodeError::is_unmatched`]).
    Decode(DecodeError),
    /// A frame that the discriminators take for a message but that breaks
    /// the message's payload schema, or does not decode as it: its handler
    /// is not called.
    Invalid {
        /// The message's variant, e.g. `"Chat"`.
        message: &'static str,
        /// Every broken constraint, with its place in the frame (at least
        /// one).
        violations: Vec<Violation>,
    },
    /// A binary frame, where the API exchanges JSON text frames.
    Binary {
        /// Its length in bytes.
        len: usize,
    },
    /// The handler of a message returned an error.
    Handler {
        /// The message's variant.
        message: &'static str,
        /// The error.
        error: HandlerError,
    },
}

impl FrameError {
    pub(crate) fn new(kind: FrameErrorKind, correlation: Option<CorrelationId>) -> Self {
        FrameError {
            kind,
            correlation,
            frame: None,
        }
    }

    /// The error with the frame's text (kept for invalid frames).
    pub(crate) fn with_frame(mut self, frame: Option<&str>) -> Self {
        if matches!(self.kind, FrameErrorKind::Invalid { .. }) {
            self.frame = frame.map(str::to_owned);
        }
        self
    }

    /// The text frame as received, for frames that are no message or break
    /// their schema (not for binary frames and handler errors).
    pub fn frame(&self) -> Option<&str> {
        match &self.kind {
            FrameErrorKind::Decode(e) => Some(e.frame()),
            _ => self.frame.as_deref(),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &FrameErrorKind {
        &self.kind
    }

    /// The decoding error, for frames that are no message.
    pub fn decode_error(&self) -> Option<&DecodeError> {
        match &self.kind {
            FrameErrorKind::Decode(e) => Some(e),
            _ => None,
        }
    }

    /// The handler's error, for messages whose handler failed.
    pub fn handler_error(&self) -> Option<&HandlerError> {
        match &self.kind {
            FrameErrorKind::Handler { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The correlation id the frame carried, if any; the runtime copies it
    /// into the error reply.
    pub fn correlation_id(&self) -> Option<&CorrelationId> {
        self.correlation.as_ref()
    }

    /// The broken constraints of an invalid frame (empty for other errors).
    pub fn violations(&self) -> &[Violation] {
        match &self.kind {
            FrameErrorKind::Invalid { violations, .. } => violations,
            _ => &[],
        }
    }

    /// What kind of error it is, as error frames name it: `malformed` (not
    /// JSON, or a binary frame), `unknown` (JSON that is no message of the
    /// channel), `invalid` (a message that breaks its schema or does not
    /// decode), `handler` (its handler failed).
    pub fn code(&self) -> &'static str {
        match &self.kind {
            FrameErrorKind::Decode(e) if e.is_malformed() => FrameError::MALFORMED,
            FrameErrorKind::Decode(e) if e.picked().is_some() => FrameError::INVALID,
            FrameErrorKind::Decode(_) => FrameError::UNKNOWN,
            FrameErrorKind::Binary { .. } => FrameError::MALFORMED,
            FrameErrorKind::Invalid { .. } => FrameError::INVALID,
            FrameErrorKind::Handler { .. } => FrameError::HANDLER,
        }
    }

    /// [`FrameError::code`] of a frame that is not JSON, or binary.
    pub const MALFORMED: &'static str = "malformed";
    /// [`FrameError::code`] of JSON that is no message of the channel.
    pub const UNKNOWN: &'static str = "unknown";
    /// [`FrameError::code`] of a message that breaks its schema.
    pub const INVALID: &'static str = "invalid";
    /// [`FrameError::code`] of a message whose handler failed.
    pub const HANDLER: &'static str = "handler";
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            FrameErrorKind::Decode(e) => fmt::Display::fmt(e, f),
            FrameErrorKind::Binary { len } => write!(
                f,
                "a binary frame of {len} bytes, but this API exchanges JSON text frames"
            ),
            FrameErrorKind::Invalid {
                message,
                violations,
            } => {
                match &self.frame {
                    Some(frame) => write!(f, "frame {} ", Shortened(frame))?,
                    None => f.write_str("the frame ")?,
                }
                write!(f, "breaks the schema of message {message}: ")?;
                for (i, violation) in violations.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "; " };
                    write!(f, "{sep}{violation}")?;
                }
                Ok(())
            }
            FrameErrorKind::Handler { message, error } => {
                write!(f, "the handler of {message} failed: {error}")
            }
        }
    }
}

/// Why a connection ended, as told to `on_disconnect`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Disconnect {
    /// The client closed it (with this close frame, if it sent one with a code).
    Client(Option<Close>),
    /// This side closed it (a handler, a full queue, an oversized message).
    Server(Close),
    /// The server is shutting down.
    Shutdown,
    /// The connection failed without a close handshake.
    Lost(String),
}

impl fmt::Display for Disconnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Disconnect::Client(Some(close)) => write!(f, "closed by the client ({close})"),
            Disconnect::Client(None) => f.write_str("closed by the client"),
            Disconnect::Server(close) => write!(f, "closed by the server ({close})"),
            Disconnect::Shutdown => f.write_str("the server is shutting down"),
            Disconnect::Lost(reason) => write!(f, "lost: {reason}"),
        }
    }
}

/// Why a message could not be queued for a connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The connection is closed (or closing).
    #[error("the connection is closed")]
    Closed,
    /// The connection's queue is full and the policy is to drop the message.
    #[error("the connection's outgoing queue is full; the message was dropped")]
    Dropped,
    /// The message could not be encoded.
    #[error("cannot encode the message: {0}")]
    Encode(String),
}
