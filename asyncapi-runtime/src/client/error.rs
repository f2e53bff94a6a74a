//! What goes wrong on a client connection ([`Error`]), and how a connection
//! ended ([`Ended`], shared by everything that outlives it).

use crate::dispatch::DecodeError;
use crate::ws::Close;
use std::sync::Arc;
use std::time::Duration;

/// What went wrong on a client connection, or happened to it.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The URL is not a `ws://` or `wss://` URL.
    #[error("invalid URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The connection could not be opened.
    #[error("cannot connect to {url}: {reason}")]
    Connect {
        /// The URL.
        url: String,
        /// Why (DNS, TCP, TLS or the WebSocket handshake).
        reason: String,
    },
    /// The server closed the connection (or it was closed by this side).
    #[error("the connection is closed ({0})")]
    Closed(Close),
    /// The connection failed without a close handshake (and, with a
    /// [`super::ReconnectPolicy`], reconnecting gave up).
    #[error("the connection was lost: {0}")]
    Lost(String),
    /// The connection dropped and the client is reconnecting: a request
    /// waiting for its reply when it dropped fails with this at once, and so
    /// does a request or message sent meanwhile when the policy says
    /// [`super::WhileReconnecting::Fail`]. The client goes on.
    #[error("the connection dropped ({reason}); the client is reconnecting")]
    Interrupted {
        /// Why the connection dropped.
        reason: String,
    },
    /// Not a failure: a gap in the stream. The connection dropped and the
    /// client reconnected (and re-sent its live subscriptions): messages sent
    /// by the server meanwhile are lost, so rebuild state (e.g. an order
    /// book) from what follows.
    #[error("reconnected after {after:?} (attempt {attempt})")]
    Reconnected {
        /// How long the client was without a connection.
        after: Duration,
        /// How many connection attempts it took (1: the first one).
        attempt: u32,
    },
    /// A frame that is no message of the channel; the connection goes on.
    #[error(transparent)]
    Decode(Arc<DecodeError>),
    /// A binary frame, where the API exchanges JSON text frames; the
    /// connection goes on.
    #[error(
        "the server sent a binary frame of {len} bytes, but this API exchanges JSON text frames"
    )]
    BinaryFrame {
        /// Its length in bytes.
        len: usize,
    },
    /// A request got no reply in time.
    #[error("no reply to {request} within {after:?}")]
    Timeout {
        /// The request, e.g. `ping`.
        request: &'static str,
        /// How long it waited.
        after: Duration,
    },
    /// A message could not be encoded.
    #[error("cannot encode {message}: {reason}")]
    Encode {
        /// The message's variant.
        message: &'static str,
        /// serde_json's error.
        reason: String,
    },
    /// The message carrying a request's correlation id is not one of the
    /// request's replies (e.g. an error message).
    #[error("{request} was answered by {variant}, which is not one of its replies: {frame}")]
    UnexpectedReply {
        /// The request.
        request: &'static str,
        /// The variant of the message received.
        variant: &'static str,
        /// The message, as debug text.
        frame: String,
    },
}

impl Error {
    /// The close frame, when the connection was closed with one.
    pub fn close(&self) -> Option<&Close> {
        match self {
            Error::Closed(close) => Some(close),
            _ => None,
        }
    }

    /// Whether the connection is over for good (closed, lost, or never
    /// opened), as opposed to an error about one frame or one request, or a
    /// gap the client recovered from ([`Error::Reconnected`]).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Error::Closed(_) | Error::Lost(_) | Error::Connect { .. } | Error::InvalidUrl { .. }
        )
    }
}

/// How a connection ended.
#[derive(Debug, Clone)]
pub(crate) enum Ended {
    /// With a close frame (the server's, or the answer to ours).
    Closed(Close),
    /// Without one.
    Lost(String),
}

impl Ended {
    /// The error that tells the application.
    pub(crate) fn error(&self) -> Error {
        match self {
            Ended::Closed(close) => Error::Closed(close.clone()),
            Ended::Lost(reason) => Error::Lost(reason.clone()),
        }
    }

    /// Why, in a few words (for [`Error::Interrupted`]).
    pub(crate) fn reason(&self) -> String {
        match self {
            Ended::Closed(close) => format!("closed by the server with {close}"),
            Ended::Lost(reason) => reason.clone(),
        }
    }
}
