//! The client side of a channel: connect (ws or wss), send messages, receive
//! messages as a stream, request/reply correlated by the messages'
//! correlation ids, and, opted into with [`ClientConfig::reconnect`],
//! reconnection that restores the live subscriptions.
//!
//! Generated code wraps this in a typed `Client` per channel; the pieces
//! here are what it drives:
//!
//! - [`connect`] opens the connection and starts the client's task, which
//!   reads frames, writes them (and WebSocket pings) and, with a
//!   [`ReconnectPolicy`], opens a new connection when one drops;
//! - [`Sender`] (cheap to clone, usable from many tasks at once) sends
//!   messages and makes requests;
//! - [`Receiver`] yields every message that is not the awaited reply of a
//!   request, an [`Error::Reconnected`] after each gap, then the reason the
//!   client ended.
//!
//! A request gets a fresh correlation id (1, 2, 3, … in the id's JSON type),
//! written into the message at its correlation path; the reader hands the
//! first message carrying that id to the request. Further messages with the
//! same id (Kraken answers a subscription to two pairs with two
//! `subscriptionStatus` frames) reach the [`Receiver`]. A request whose
//! message has no correlation id takes the first reply-typed message that
//! arrives while it waits. A request waiting when the connection drops
//! fails at once ([`Error::Interrupted`] while reconnecting).
//!
//! Modules: `config` (settings, the reconnection policy), `error`,
//! `connection` (one WebSocket connection), `session` (the client across
//! connections), `pending` (waiting requests and shared state),
//! `subscriptions` (the live feeds re-sent after reconnecting).

mod config;
mod connection;
mod error;
mod impls;
mod incoming;
mod pending;
mod session;
mod subscriptions;

pub use config::{ClientConfig, ReconnectPolicy, WhileReconnecting};
pub use error::Error;
pub use subscriptions::{Role, Subscription};

use crate::message::{encode_with_id, Message};
use crate::ws::Close;
use connection::{Outbound, CLOSE_HANDSHAKE};
use pending::{Key, Shared, Uncorrelated, Waiting};
use std::any::Any;
use std::fmt;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// The URL of a channel: `server_url` with the channel's `path` appended to
/// its path (`wss://ws.kraken.com` and `/` give `wss://ws.kraken.com/`).
pub fn channel_url(server_url: &str, path: &str) -> Result<String, Error> {
    let invalid = |reason: &str| Error::InvalidUrl {
        url: server_url.to_owned(),
        reason: reason.to_owned(),
    };
    let (scheme, rest) = server_url
        .split_once("://")
        .ok_or_else(|| invalid("it has no scheme; use ws:// or wss://"))?;
    if !scheme.eq_ignore_ascii_case("ws") && !scheme.eq_ignore_ascii_case("wss") {
        return Err(invalid(&format!("the scheme `{scheme}` is not ws or wss")));
    }
    if rest.is_empty() || rest.starts_with('/') {
        return Err(invalid("it has no host"));
    }
    let (authority_and_path, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    if path.is_empty() {
        return Ok(server_url.to_owned());
    }
    // An address with a query (`/stream?streams=a`): its query follows the
    // server URL's.
    let (path, path_query) = match path.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path, None),
    };
    let base = authority_and_path.trim_end_matches('/');
    let path = path.trim_start_matches('/');
    let mut url = format!("{scheme}://{base}/{path}");
    let queries: Vec<&str> = [query, path_query]
        .into_iter()
        .flatten()
        .filter(|q| !q.is_empty())
        .collect();
    if !queries.is_empty() {
        url.push('?');
        url.push_str(&queries.join("&"));
    }
    Ok(url)
}

/// Sends messages and makes requests on one client; clone it freely.
pub struct Sender<Out, In> {
    outbound: mpsc::Sender<Outbound>,
    shared: Arc<Shared<In>>,
    config: Arc<ClientConfig>,
    timeout: Duration,
    _out: std::marker::PhantomData<fn(Out)>,
}

impl<Out, In> Clone for Sender<Out, In> {
    fn clone(&self) -> Self {
        Sender {
            outbound: self.outbound.clone(),
            shared: self.shared.clone(),
            config: self.config.clone(),
            timeout: self.timeout,
            _out: std::marker::PhantomData,
        }
    }
}

impl<Out, In> fmt::Debug for Sender<Out, In> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("timeout", &self.timeout)
            .field("connected", &self.shared.connected.load(Ordering::Acquire))
            .field("ended", &self.shared.ended())
            .finish()
    }
}

/// The messages received by one client that are not awaited replies, an
/// [`Error::Reconnected`] after each gap, then the reason it ended.
pub struct Receiver<In> {
    rx: incoming::Rx<Result<In, Error>>,
}

impl<In> fmt::Debug for Receiver<In> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

impl<In> Receiver<In> {
    /// The next message; an `Err` for a frame that is no message (the
    /// connection goes on) or a gap ([`Error::Reconnected`]: the client goes
    /// on), then a last `Err` saying how the client ended
    /// ([`Error::is_terminal`]), then `None`.
    pub async fn recv(&mut self) -> Option<Result<In, Error>> {
        self.rx.recv().await
    }
}

impl<In> futures_core::Stream for Receiver<In> {
    type Item = Result<In, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

/// Connects to `url` (`ws://` or `wss://`) and starts the client's task (on
/// the current tokio runtime). The first connection is not retried: its
/// failure is returned.
pub async fn connect<Out: Message, In: Message>(
    url: &str,
    config: ClientConfig,
) -> Result<(Sender<Out, In>, Receiver<In>), Error> {
    let socket = connection::open(url, &config)
        .await
        .map_err(|failed| failed.error)?;
    let (outbound, outbound_rx) = mpsc::channel(config.outgoing_capacity.max(1));
    let (incoming, incoming_rx) = incoming::channel(config.incoming_capacity.max(1));
    let shared = Arc::new(Shared::new());
    let timeout = config.request_timeout;
    let config = Arc::new(config);
    tokio::spawn(session::run::<In>(
        socket,
        url.to_owned(),
        config.clone(),
        shared.clone(),
        incoming,
        outbound_rx,
    ));
    Ok((
        Sender {
            outbound,
            shared,
            config,
            timeout,
            _out: std::marker::PhantomData,
        },
        Receiver { rx: incoming_rx },
    ))
}

/// How generated code describes a request to [`Sender::request`].
pub struct RequestSpec<In, R> {
    /// The request's name, for errors (e.g. `ping`).
    pub name: &'static str,
    /// Whether the reply is matched by correlation id (the request and every
    /// reply carry one); else by [`RequestSpec::accepts`].
    pub correlated: bool,
    /// Whether a message is one of the replies.
    pub accepts: fn(&In) -> bool,
    /// Takes the reply out of a message (giving back other messages).
    pub reply: fn(In) -> Result<R, In>,
}

impl<In, R> fmt::Debug for RequestSpec<In, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestSpec")
            .field("name", &self.name)
            .field("correlated", &self.correlated)
            .finish_non_exhaustive()
    }
}

impl<Out: Message, In: Message> Sender<Out, In> {
    /// Sends a message.
    pub async fn send(&self, message: &Out) -> Result<(), Error> {
        let text = message.to_json().map_err(|e| Error::Encode {
            message: message.variant_name(),
            reason: e.to_string(),
        })?;
        self.send_text(message, text).await
    }

    /// Queues `text`, the encoding of `message`, for the writer, and notes
    /// the subscription it starts or stops.
    async fn send_text(&self, message: &Out, text: String) -> Result<(), Error> {
        if let Some(ended) = self.shared.ended() {
            return Err(ended.error());
        }
        self.check_reconnecting()?;
        // Live subscriptions matter only to a client that reconnects.
        let subscription = self
            .config
            .subscriptions
            .as_ref()
            .filter(|_| self.config.reconnect.is_some())
            .and_then(|hook| hook(message as &dyn Any));
        if let Some(subscription) = subscription {
            self.shared.live().record(subscription, &text);
        }
        self.outbound
            .send(Outbound::Text(text))
            .await
            .map_err(|_| self.gone())
    }

    /// Fails when the client is reconnecting and its policy says sending
    /// then fails.
    fn check_reconnecting(&self) -> Result<(), Error> {
        let fails = self
            .config
            .reconnect
            .as_ref()
            .is_some_and(|policy| policy.while_reconnecting == WhileReconnecting::Fail);
        if fails && !self.shared.connected.load(Ordering::Acquire) {
            return Err(Error::Interrupted {
                reason: "the client is reconnecting".into(),
            });
        }
        Ok(())
    }

    fn gone(&self) -> Error {
        self.shared
            .ended()
            .map(|e| e.error())
            .unwrap_or_else(|| Error::Lost("the client's task stopped".into()))
    }

    /// Sends `message` as a request and waits for its reply, as `spec`
    /// says: the first message carrying the request's correlation id (a
    /// fresh one, written into `message`) when `spec.correlated`, else the
    /// first message `spec.accepts`; turned into the reply by `spec.reply`.
    pub async fn request<R>(
        &self,
        spec: &RequestSpec<In, R>,
        mut message: Out,
    ) -> Result<R, Error> {
        let (tx, rx) = oneshot::channel();
        let n = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let variant = message.variant_name();
        let encode_error = |e: serde_json::Error| Error::Encode {
            message: variant,
            reason: e.to_string(),
        };
        let correlation = message.correlation().filter(|_| spec.correlated);
        let (text, key) = match correlation {
            Some(correlation) => {
                let id = correlation.kind.id(n);
                let text = encode_with_id(&mut message, correlation, &id).map_err(encode_error)?;
                self.shared.lock().by_id.insert(id.clone(), tx);
                (text, Key::Id(id))
            }
            None => {
                let text = message.to_json().map_err(encode_error)?;
                self.shared.lock().uncorrelated.push(Uncorrelated {
                    token: n,
                    accepts: spec.accepts,
                    tx,
                });
                (text, Key::Token(n))
            }
        };
        let mut waiting = Waiting {
            shared: &self.shared,
            key: Some(key),
        };
        self.send_text(&message, text).await?;
        let answer = match tokio::time::timeout(self.timeout, rx).await {
            Ok(Ok(answer)) => {
                // Whoever answered took the entry out.
                waiting.key = None;
                answer
            }
            Ok(Err(_)) => Err(self.gone()),
            Err(_) => Err(Error::Timeout {
                request: spec.name,
                after: self.timeout,
            }),
        };
        drop(waiting);
        (spec.reply)(answer?).map_err(|other| Error::UnexpectedReply {
            request: spec.name,
            variant: other.variant_name(),
            frame: format!("{other:?}"),
        })
    }

    /// This sender, with requests waiting `timeout` for their replies.
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        Sender {
            timeout,
            ..self.clone()
        }
    }

    /// Closes the client with `close` (after the messages queued before it)
    /// and waits (at most 5 s) for the server to answer the close handshake;
    /// the [`Receiver`] then ends. A client that is reconnecting stops.
    pub async fn close(&self, close: Close) -> Result<(), Error> {
        if let Some(ended) = self.shared.ended() {
            return Err(ended.error());
        }
        self.shared.close.send_replace(Some(close.clone()));
        let _ = tokio::time::timeout(CLOSE_HANDSHAKE, async {
            // While reconnecting, nothing reads the queue: the task sees
            // the close through `shared.close` instead.
            let _ = self.outbound.send(Outbound::Close(Box::new(close))).await;
            self.closed().await
        })
        .await;
        Ok(())
    }

    /// Whether the client has ended (it will not reconnect).
    pub fn is_closed(&self) -> bool {
        self.shared.ended().is_some()
    }

    /// Whether a connection is open now (false while reconnecting, and once
    /// the client has ended).
    pub fn is_connected(&self) -> bool {
        self.shared.ended().is_none() && self.shared.connected.load(Ordering::Acquire)
    }

    /// Waits until the client has ended; how it ended.
    pub async fn closed(&self) -> Error {
        let mut ended = self.shared.ended.subscribe();
        crate::ws::until_set(&mut ended).await;
        let ended = ended.borrow().clone();
        ended
            .map(|e| e.error())
            .unwrap_or_else(|| Error::Lost("the client's task stopped".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_urls() {
        assert_eq!(
            channel_url("wss://ws.kraken.com", "/").unwrap(),
            "wss://ws.kraken.com/"
        );
        assert_eq!(
            channel_url("ws://127.0.0.1:9001/", "/").unwrap(),
            "ws://127.0.0.1:9001/"
        );
        assert_eq!(
            channel_url("ws://h/api/", "/rooms/7").unwrap(),
            "ws://h/api/rooms/7"
        );
        assert_eq!(
            channel_url("ws://h/api?x=1", "/chat").unwrap(),
            "ws://h/api/chat?x=1"
        );
        // A channel without an address: the server URL as is.
        assert_eq!(channel_url("ws://h/api", "").unwrap(), "ws://h/api");
        assert_eq!(
            channel_url("ws://h/api?x=1", "/stream?streams=a%2Fb").unwrap(),
            "ws://h/api/stream?x=1&streams=a%2Fb"
        );
        assert_eq!(
            channel_url("ws://h", "/stream?s=1").unwrap(),
            "ws://h/stream?s=1"
        );
        let e = channel_url("http://h", "/").unwrap_err();
        assert!(e.to_string().contains("`http` is not ws or wss"), "{e}");
        assert!(channel_url("ws.kraken.com", "/").is_err());
        assert!(channel_url("ws://", "/").is_err());
    }
}
