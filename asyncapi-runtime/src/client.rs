//! The client side of a channel: connect (ws or wss), send messages, receive
//! messages as a stream, and request/reply correlated by the messages'
//! correlation ids.
//!
//! Generated code wraps this in a typed `Client` per channel; the pieces
//! here are what it drives:
//!
//! - [`connect`] opens the connection and starts two tasks, a writer (frames
//!   to send, WebSocket pings) and a reader (frames received);
//! - [`Sender`] (cheap to clone, usable from many tasks at once) sends
//!   messages and makes requests;
//! - [`Receiver`] yields every message that is not the awaited reply of a
//!   request, then the reason the connection ended.
//!
//! A request gets a fresh correlation id (1, 2, 3, … in the id's JSON type),
//! written into the message at its correlation path; the reader hands the
//! first message carrying that id to the request. Further messages with the
//! same id (Kraken answers a subscription to two pairs with two
//! `subscriptionStatus` frames) reach the [`Receiver`]. A request whose
//! message has no correlation id takes the first reply-typed message that
//! arrives while it waits.

use crate::dispatch::DecodeError;
use crate::message::{encode_with_id, CorrelationId, Message};
use crate::ws::{Close, Limits};
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest, Message as Frame};
use tokio_tungstenite::Connector;
use tracing::{debug, warn};

/// How long [`Sender::close`] waits for the server's answer.
const CLOSE_HANDSHAKE: Duration = Duration::from_secs(5);

/// How a client connects and behaves.
#[derive(Clone)]
pub struct ClientConfig {
    /// How long a request waits for its reply (default 30 s).
    pub request_timeout: Duration,
    /// How long connecting (TCP, TLS and the WebSocket handshake) may take
    /// (default 10 s).
    pub connect_timeout: Duration,
    /// What the server may send (default: 16 MiB messages, 4 MiB frames).
    pub limits: Limits,
    /// How often to send a WebSocket ping (default 30 s; `None`: never).
    pub ping_interval: Option<Duration>,
    /// After how long without any frame from the server (data, pong or
    /// otherwise) the connection counts as lost (default 90 s; `None`: never).
    pub idle_timeout: Option<Duration>,
    /// How many received messages wait for the application to take them from
    /// the [`Receiver`] (default 1024). When they are not taken, reading
    /// waits: replies to requests wait too, so read the receiver, or drop it.
    pub incoming_capacity: usize,
    /// How many frames wait to be written (default 256); `send` waits when
    /// they are this many.
    pub outgoing_capacity: usize,
    tls: Option<Arc<rustls::ClientConfig>>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            limits: Limits {
                max_message_size: 16 << 20,
                max_frame_size: 4 << 20,
            },
            ping_interval: Some(Duration::from_secs(30)),
            idle_timeout: Some(Duration::from_secs(90)),
            incoming_capacity: 1024,
            outgoing_capacity: 256,
            tls: None,
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("request_timeout", &self.request_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("limits", &self.limits)
            .field("ping_interval", &self.ping_interval)
            .field("idle_timeout", &self.idle_timeout)
            .field("incoming_capacity", &self.incoming_capacity)
            .field("outgoing_capacity", &self.outgoing_capacity)
            .field("custom_tls", &self.tls.is_some())
            .finish()
    }
}

impl ClientConfig {
    /// Sets how long a request waits for its reply.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets how long connecting may take.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets what the server may send.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets how often to send WebSocket pings (`None`: never).
    pub fn with_ping_interval(mut self, interval: Option<Duration>) -> Self {
        self.ping_interval = interval;
        self
    }

    /// Sets after how long without a frame the connection counts as lost.
    pub fn with_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Uses these TLS settings for `wss` URLs instead of trusting the
    /// Mozilla roots (e.g. [`crate::tls::client_config_trusting_pem`] for a
    /// test's own certificate).
    pub fn with_tls(mut self, tls: Arc<rustls::ClientConfig>) -> Self {
        self.tls = Some(tls);
        self
    }
}

/// What went wrong on a client connection.
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
    /// The connection failed without a close handshake.
    #[error("the connection was lost: {0}")]
    Lost(String),
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

    /// Whether the connection is over (closed or lost), as opposed to an
    /// error about one frame or one request.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Error::Closed(_) | Error::Lost(_) | Error::Connect { .. } | Error::InvalidUrl { .. }
        )
    }
}

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
    let base = authority_and_path.trim_end_matches('/');
    let path = path.trim_start_matches('/');
    let mut url = format!("{scheme}://{base}/{path}");
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    Ok(url)
}

/// How the connection ended, shared by everything that outlives it.
#[derive(Debug, Clone)]
enum Ended {
    Closed(Close),
    Lost(String),
}

impl Ended {
    fn error(&self) -> Error {
        match self {
            Ended::Closed(close) => Error::Closed(close.clone()),
            Ended::Lost(reason) => Error::Lost(reason.clone()),
        }
    }
}

/// A frame for the writer.
enum Outbound {
    Text(String),
    Close(Close),
}

type ReplyTx<In> = oneshot::Sender<Result<In, Error>>;

/// A request waiting for a message that carries no id it could be matched by.
struct Uncorrelated<In> {
    token: u64,
    accepts: fn(&In) -> bool,
    tx: ReplyTx<In>,
}

struct Pending<In> {
    by_id: HashMap<CorrelationId, ReplyTx<In>>,
    uncorrelated: Vec<Uncorrelated<In>>,
}

struct Shared<In> {
    pending: Mutex<Pending<In>>,
    next_id: AtomicU64,
    ended: watch::Sender<Option<Ended>>,
}

impl<In> Shared<In> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Pending<In>> {
        // A panic while holding the lock leaves the map usable.
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn ended(&self) -> Option<Ended> {
        self.ended.borrow().clone()
    }
}

/// Sends messages and makes requests on one connection; clone it freely.
pub struct Sender<Out, In> {
    outbound: mpsc::Sender<Outbound>,
    shared: Arc<Shared<In>>,
    timeout: Duration,
    _out: std::marker::PhantomData<fn(Out)>,
}

impl<Out, In> Clone for Sender<Out, In> {
    fn clone(&self) -> Self {
        Sender {
            outbound: self.outbound.clone(),
            shared: self.shared.clone(),
            timeout: self.timeout,
            _out: std::marker::PhantomData,
        }
    }
}

impl<Out, In> fmt::Debug for Sender<Out, In> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("timeout", &self.timeout)
            .field("ended", &self.shared.ended())
            .finish()
    }
}

/// The messages received on one connection that are not awaited replies,
/// then the reason it ended.
pub struct Receiver<In> {
    rx: mpsc::Receiver<Result<In, Error>>,
}

impl<In> fmt::Debug for Receiver<In> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

impl<In> Receiver<In> {
    /// The next message; an `Err` for a frame that is no message (the
    /// connection goes on), then a last `Err` saying how the connection
    /// ended ([`Error::is_terminal`]), then `None`.
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

/// Connects to `url` (`ws://` or `wss://`) and starts the connection's tasks
/// (on the current tokio runtime).
pub async fn connect<Out: Message, In: Message>(
    url: &str,
    config: ClientConfig,
) -> Result<(Sender<Out, In>, Receiver<In>), Error> {
    let request = url.into_client_request().map_err(|e| Error::InvalidUrl {
        url: url.to_owned(),
        reason: e.to_string(),
    })?;
    let secure = url
        .split_once("://")
        .is_some_and(|(scheme, _)| scheme.eq_ignore_ascii_case("wss"));
    let connector = if secure {
        let tls = match &config.tls {
            Some(tls) => tls.clone(),
            None => crate::tls::default_client_config().map_err(|e| Error::Connect {
                url: url.to_owned(),
                reason: e.to_string(),
            })?,
        };
        Connector::Rustls(tls)
    } else {
        Connector::Plain
    };
    let connecting = tokio_tungstenite::connect_async_tls_with_config(
        request,
        Some(config.limits.websocket_config()),
        true,
        Some(connector),
    );
    let (socket, _response) = match tokio::time::timeout(config.connect_timeout, connecting).await {
        Ok(Ok(connected)) => connected,
        Ok(Err(e)) => {
            return Err(Error::Connect {
                url: url.to_owned(),
                reason: connect_reason(&e),
            })
        }
        Err(_) => {
            return Err(Error::Connect {
                url: url.to_owned(),
                reason: format!("no connection within {:?}", config.connect_timeout),
            })
        }
    };
    debug!(url, "connected");
    let (sink, stream) = socket.split();
    let (outbound, outbound_rx) = mpsc::channel(config.outgoing_capacity.max(1));
    let (incoming, incoming_rx) = mpsc::channel(config.incoming_capacity.max(1));
    let (ended, _) = watch::channel(None);
    let shared = Arc::new(Shared {
        pending: Mutex::new(Pending {
            by_id: HashMap::new(),
            uncorrelated: Vec::new(),
        }),
        next_id: AtomicU64::new(1),
        ended,
    });
    tokio::spawn(write_frames(
        sink,
        outbound_rx,
        config.ping_interval,
        shared.ended.subscribe(),
    ));
    tokio::spawn(read_frames::<In, _>(
        stream,
        incoming,
        shared.clone(),
        config.idle_timeout,
    ));
    Ok((
        Sender {
            outbound,
            shared,
            timeout: config.request_timeout,
            _out: std::marker::PhantomData,
        },
        Receiver { rx: incoming_rx },
    ))
}

fn connect_reason(error: &tungstenite::Error) -> String {
    match error {
        tungstenite::Error::Http(response) => format!(
            "the server refused the WebSocket handshake with HTTP {}{}",
            response.status(),
            response
                .body()
                .as_ref()
                .and_then(|b| std::str::from_utf8(b).ok())
                .filter(|b| !b.is_empty())
                .map(|b| format!(": {b}"))
                .unwrap_or_default()
        ),
        other => other.to_string(),
    }
}

async fn write_frames<S>(
    mut sink: S,
    mut outbound: mpsc::Receiver<Outbound>,
    ping_interval: Option<Duration>,
    mut ended: watch::Receiver<Option<Ended>>,
) where
    S: futures_util::Sink<Frame, Error = tungstenite::Error> + Unpin,
{
    let mut ping = crate::ws::Pinger::new(ping_interval);
    loop {
        let tick = ping.due();
        tokio::select! {
            next = outbound.recv() => match next {
                Some(Outbound::Text(text)) => {
                    if let Err(e) = sink.send(Frame::text(text)).await {
                        debug!(error = %e, "writing a frame failed");
                        break;
                    }
                }
                Some(Outbound::Close(close)) => {
                    let _ = sink.send(Frame::Close(Some(close.to_frame()))).await;
                    break;
                }
                // Every sender is gone: close normally.
                None => {
                    let _ = sink.send(Frame::Close(Some(Close::new(Close::NORMAL, "").to_frame()))).await;
                    break;
                }
            },
            () = tick => {
                if let Err(e) = sink.send(Frame::Ping(Default::default())).await {
                    debug!(error = %e, "writing a ping failed");
                    break;
                }
            }
            () = crate::ws::until_set(&mut ended) => break,
        }
    }
    let _ = sink.close().await;
}

async fn read_frames<In: Message, S>(
    mut stream: S,
    incoming: mpsc::Sender<Result<In, Error>>,
    shared: Arc<Shared<In>>,
    idle_timeout: Option<Duration>,
) where
    S: futures_util::Stream<Item = Result<Frame, tungstenite::Error>> + Unpin,
{
    let mut close = None;
    let ended = loop {
        let next = match idle_timeout {
            Some(limit) => match tokio::time::timeout(limit, stream.next()).await {
                Ok(next) => next,
                Err(_) => break Ended::Lost(format!("no frame from the server for {limit:?}")),
            },
            None => stream.next().await,
        };
        let frame = match next {
            Some(Ok(frame)) => frame,
            Some(Err(tungstenite::Error::ConnectionClosed)) | None => {
                break match close.take() {
                    Some(close) => Ended::Closed(close),
                    None => Ended::Lost("the connection ended without a close frame".into()),
                }
            }
            Some(Err(e)) => {
                break match close.take() {
                    Some(close) => Ended::Closed(close),
                    None => Ended::Lost(e.to_string()),
                }
            }
        };
        let item = match frame {
            Frame::Text(text) => match In::from_json(text.as_str()) {
                Ok(message) => match route(&shared, message, text.as_str()) {
                    Some(message) => Ok(message),
                    None => continue,
                },
                Err(e) => {
                    warn!(error = %e, "undecodable frame");
                    Err(Error::Decode(Arc::new(e)))
                }
            },
            Frame::Binary(data) => Err(Error::BinaryFrame { len: data.len() }),
            Frame::Close(frame) => {
                close = Some(
                    frame
                        .as_ref()
                        .map(Close::from_frame)
                        .unwrap_or_else(|| Close::new(1005, "")),
                );
                continue;
            }
            Frame::Ping(_) | Frame::Pong(_) | Frame::Frame(_) => continue,
        };
        // A closed receiver means the application does not want the stream.
        let _ = incoming.send(item).await;
    };
    debug!(?ended, "connection ended");
    // `send_replace` stores the value even when nobody watches at this moment
    // (`send` would drop it, and `close()` would wait in vain).
    shared.ended.send_replace(Some(ended.clone()));
    let (by_id, uncorrelated) = {
        let mut pending = shared.lock();
        (
            std::mem::take(&mut pending.by_id),
            std::mem::take(&mut pending.uncorrelated),
        )
    };
    for tx in by_id.into_values() {
        let _ = tx.send(Err(ended.error()));
    }
    for waiter in uncorrelated {
        let _ = waiter.tx.send(Err(ended.error()));
    }
    let _ = incoming.send(Err(ended.error())).await;
}

/// Hands `message` to the request waiting for it, if any; otherwise gives
/// it back for the stream.
fn route<In: Message>(shared: &Shared<In>, message: In, frame: &str) -> Option<In> {
    let mut pending = shared.lock();
    let mut waiter = None;
    if !pending.by_id.is_empty() {
        if let Some(id) = message
            .correlation()
            .and_then(|c| CorrelationId::find(frame, c.path))
        {
            waiter = pending.by_id.remove(&id);
        }
    }
    if waiter.is_none() {
        if let Some(i) = pending
            .uncorrelated
            .iter()
            .position(|w| (w.accepts)(&message))
        {
            waiter = Some(pending.uncorrelated.remove(i).tx);
        }
    }
    drop(pending);
    match waiter {
        // The request may have given up (timeout, cancelled) meanwhile.
        Some(tx) => match tx.send(Ok(message)) {
            Ok(()) => None,
            Err(Ok(message)) => Some(message),
            Err(Err(_)) => None,
        },
        None => Some(message),
    }
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

/// Removes a request's entry when the request ends, however it ends.
struct Waiting<'a, In> {
    shared: &'a Shared<In>,
    key: Key,
}

enum Key {
    Id(CorrelationId),
    Token(u64),
}

impl<In> Drop for Waiting<'_, In> {
    fn drop(&mut self) {
        let mut pending = self.shared.lock();
        match &self.key {
            Key::Id(id) => {
                pending.by_id.remove(id);
            }
            Key::Token(token) => pending.uncorrelated.retain(|w| w.token != *token),
        }
    }
}

impl<Out: Message, In: Message> Sender<Out, In> {
    /// Sends a message.
    pub async fn send(&self, message: &Out) -> Result<(), Error> {
        let text = message.to_json().map_err(|e| Error::Encode {
            message: message.variant_name(),
            reason: e.to_string(),
        })?;
        self.send_text(text).await
    }

    async fn send_text(&self, text: String) -> Result<(), Error> {
        if let Some(ended) = self.shared.ended() {
            return Err(ended.error());
        }
        self.outbound
            .send(Outbound::Text(text))
            .await
            .map_err(|_| self.gone())
    }

    fn gone(&self) -> Error {
        self.shared
            .ended()
            .map(|e| e.error())
            .unwrap_or_else(|| Error::Lost("the connection's writer stopped".into()))
    }

    /// Sends `message` as a request and waits for its reply, as `spec`
    /// says: the first message carrying the request's correlation id (a
    /// fresh one, written into `message`) when `spec.correlated`, else the
    /// first message `spec.accepts`; turned into the reply by `spec.reply`.
    pub async fn request<R>(&self, spec: &RequestSpec<In, R>, message: Out) -> Result<R, Error> {
        let (tx, rx) = oneshot::channel();
        let n = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let encode_error = |e: serde_json::Error| Error::Encode {
            message: message.variant_name(),
            reason: e.to_string(),
        };
        let correlation = message.correlation().filter(|_| spec.correlated);
        let (text, key) = match correlation {
            Some(correlation) => {
                let id = correlation.kind.id(n);
                let text = encode_with_id(&message, correlation, &id).map_err(encode_error)?;
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
        let waiting = Waiting {
            shared: &self.shared,
            key,
        };
        self.send_text(text).await?;
        let answer = match tokio::time::timeout(self.timeout, rx).await {
            Ok(Ok(answer)) => answer,
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

    /// Closes the connection with `close` and waits (at most 5 s) for the
    /// server to answer the close handshake; the [`Receiver`] then ends.
    pub async fn close(&self, close: Close) -> Result<(), Error> {
        if let Some(ended) = self.shared.ended() {
            return Err(ended.error());
        }
        self.outbound
            .send(Outbound::Close(close))
            .await
            .map_err(|_| self.gone())?;
        let _ = tokio::time::timeout(CLOSE_HANDSHAKE, self.closed()).await;
        Ok(())
    }

    /// Whether the connection has ended.
    pub fn is_closed(&self) -> bool {
        self.shared.ended().is_some()
    }

    /// Waits until the connection has ended; how it ended.
    pub async fn closed(&self) -> Error {
        let mut ended = self.shared.ended.subscribe();
        crate::ws::until_set(&mut ended).await;
        let ended = ended.borrow().clone();
        ended
            .map(|e| e.error())
            .unwrap_or_else(|| Error::Lost("the connection's reader stopped".into()))
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
        let e = channel_url("http://h", "/").unwrap_err();
        assert!(e.to_string().contains("`http` is not ws or wss"), "{e}");
        assert!(channel_url("ws.kraken.com", "/").is_err());
        assert!(channel_url("ws://", "/").is_err());
    }
}
