//! A connection as handlers see it ([`Context`]): who it is, the channel
//! parameters, sending to it at any time, its channel's groups and
//! broadcasts; and the server as a whole ([`ServerHandle`]).

use super::channel::{encode, ChannelHandle};
use super::error::SendError;
use super::{ServerConfig, WhenFull};
use crate::message::{encode_with_id, CorrelationId, Message};
use crate::ws::Close;
use std::collections::HashSet;
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Utf8Bytes;
use tracing::warn;

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves the data usable.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// A connection's number, unique within a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(pub u64);

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// One connection's sending side, shared by its context, its groups and
/// its writer.
pub(crate) struct Conn {
    pub(crate) id: ConnectionId,
    pub(crate) peer: SocketAddr,
    queue: mpsc::Sender<Utf8Bytes>,
    when_full: WhenFull,
    pub(crate) closing: watch::Sender<Option<Close>>,
    /// The groups of its channel it is in.
    pub(crate) groups: Mutex<HashSet<String>>,
    dropped: AtomicU64,
}

impl Conn {
    pub(crate) fn new(
        id: ConnectionId,
        peer: SocketAddr,
        config: &ServerConfig,
    ) -> (Arc<Conn>, mpsc::Receiver<Utf8Bytes>) {
        let (queue, rx) = mpsc::channel(config.outgoing_capacity.max(1));
        let (closing, _) = watch::channel(None);
        let conn = Arc::new(Conn {
            id,
            peer,
            queue,
            when_full: config.when_full,
            closing,
            groups: Mutex::new(HashSet::new()),
            dropped: AtomicU64::new(0),
        });
        (conn, rx)
    }

    /// Starts closing with `close` (the first close asked for wins).
    pub(crate) fn close(&self, close: Close) {
        self.closing.send_if_modified(|current| {
            if current.is_none() {
                *current = Some(close);
                true
            } else {
                false
            }
        });
    }

    pub(crate) fn is_closing(&self) -> bool {
        self.closing.borrow().is_some()
    }

    /// Queues a text frame, as the server's [`WhenFull`] policy says when
    /// the queue is full.
    pub(crate) async fn push(&self, text: Utf8Bytes) -> Result<(), SendError> {
        if self.is_closing() {
            return Err(SendError::Closed);
        }
        match self.when_full {
            WhenFull::Wait => self.queue.send(text).await.map_err(|_| SendError::Closed),
            WhenFull::Drop | WhenFull::Close => match self.queue.try_send(text) {
                Ok(()) => Ok(()),
                Err(mpsc::error::TrySendError::Closed(_)) => Err(SendError::Closed),
                Err(mpsc::error::TrySendError::Full(_)) if self.when_full == WhenFull::Drop => {
                    let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                    warn!(conn = %self.id, dropped, "outgoing queue full: message dropped");
                    Err(SendError::Dropped)
                }
                Err(mpsc::error::TrySendError::Full(_)) => {
                    warn!(conn = %self.id, "outgoing queue full: closing the connection (1008)");
                    self.close(Close::new(
                        Close::POLICY,
                        "outgoing queue full: the client does not read its messages",
                    ));
                    Err(SendError::Closed)
                }
            },
        }
    }
}

/// What all connections of a server share: their count, the next id,
/// the shutdown signal. (Connections and groups are per channel:
/// [`ChannelHandle`].)
pub(crate) struct ServerShared {
    pub(crate) config: ServerConfig,
    count: AtomicUsize,
    next_id: AtomicU64,
    pub(crate) shutdown: watch::Sender<bool>,
}

impl ServerShared {
    pub(crate) fn new(config: ServerConfig) -> Arc<Self> {
        Arc::new(ServerShared {
            config,
            count: AtomicUsize::new(0),
            next_id: AtomicU64::new(1),
            shutdown: watch::channel(false).0,
        })
    }

    pub(crate) fn next_id(&self) -> ConnectionId {
        ConnectionId(self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// A connection opened on `channel`.
    pub(crate) fn register<Out>(&self, conn: &Arc<Conn>, channel: &ChannelHandle<Out>) {
        channel.register(conn);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// A connection of `channel` ended: out of its groups too.
    pub(crate) fn deregister<Out>(&self, conn: &Conn, channel: &ChannelHandle<Out>) {
        channel.deregister(conn);
        self.count.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One connection, as its handlers see it: cheap to clone, and usable from
/// tasks the handlers spawn (sending fails with [`SendError::Closed`] once
/// the connection is gone).
///
/// The context a message's handler gets also knows the message's
/// correlation id: [`Context::reply`] copies it into what it sends, so a
/// handler can send its replies itself, in order with other messages
/// (Kraken's `subscriptionStatus` before the feed's first frame), from the
/// handler or from a task it spawns.
///
/// `Out` is the channel's `ServerMessage`; `P` its parameters; `I` who the
/// connection is (what the channel's `authenticate` returned, `()` for an
/// open channel); `S` the connection's own state (made with `Default` when
/// it opens).
pub struct Context<Out, P = (), I = (), S = ()> {
    conn: Arc<Conn>,
    params: Arc<P>,
    identity: Arc<I>,
    state: Arc<S>,
    server: Arc<ServerShared>,
    channel: ChannelHandle<Out>,
    correlation: Option<CorrelationId>,
    _out: std::marker::PhantomData<fn(Out)>,
}

impl<Out, P, I, S> Clone for Context<Out, P, I, S> {
    fn clone(&self) -> Self {
        Context {
            conn: self.conn.clone(),
            params: self.params.clone(),
            identity: self.identity.clone(),
            state: self.state.clone(),
            server: self.server.clone(),
            channel: self.channel.clone(),
            correlation: self.correlation.clone(),
            _out: std::marker::PhantomData,
        }
    }
}

impl<Out, P: fmt::Debug, I: fmt::Debug, S> fmt::Debug for Context<Out, P, I, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("id", &self.conn.id)
            .field("peer", &self.conn.peer)
            .field("params", &self.params)
            .field("identity", &self.identity)
            .field("correlation", &self.correlation)
            .finish()
    }
}

impl<Out: Message, P, I, S: Default> Context<Out, P, I, S> {
    pub(crate) fn new(
        conn: Arc<Conn>,
        params: P,
        identity: I,
        server: Arc<ServerShared>,
        channel: ChannelHandle<Out>,
    ) -> Self {
        Context {
            conn,
            params: Arc::new(params),
            identity: Arc::new(identity),
            state: Arc::new(S::default()),
            server,
            channel,
            correlation: None,
            _out: std::marker::PhantomData,
        }
    }
}

impl<Out: Message, P, I, S> Context<Out, P, I, S> {
    /// The context for handling a message that carried `correlation`.
    pub(crate) fn for_request(&self, correlation: Option<CorrelationId>) -> Self {
        Context {
            correlation,
            ..self.clone()
        }
    }

    /// The correlation id of the message this context was handed with, if
    /// it carried one.
    pub fn correlation_id(&self) -> Option<&CorrelationId> {
        self.correlation.as_ref()
    }

    /// Sends a reply to the message this context was handed with: like
    /// [`Context::send`], with the message's correlation id copied into the
    /// reply (when both have one).
    pub async fn reply(&self, message: impl Into<Out>) -> Result<(), SendError> {
        let mut message = message.into();
        let text = match (message.correlation(), &self.correlation) {
            (Some(correlation), Some(id)) => encode_with_id(&mut message, correlation, id)
                .map(Utf8Bytes::from)
                .map_err(|e| SendError::Encode(e.to_string()))?,
            _ => encode(&message)?,
        };
        self.conn.push(text).await
    }

    /// The connection's number, unique within the server.
    pub fn id(&self) -> ConnectionId {
        self.conn.id
    }

    /// The client's address.
    pub fn peer(&self) -> SocketAddr {
        self.conn.peer
    }

    /// The channel parameters, from the path the client connected to.
    pub fn params(&self) -> &P {
        &self.params
    }

    /// Who the client is: what the channel's `authenticate` returned for
    /// its handshake.
    pub fn identity(&self) -> &I {
        &self.identity
    }

    /// The connection's own state, shared by every handler call of the
    /// connection and the tasks they spawn (use interior mutability:
    /// atomics, a `Mutex`).
    pub fn state(&self) -> &S {
        &self.state
    }

    /// Sends a message to this connection, now (Kraken's heartbeats and
    /// market data are pushed, not requested). What happens when the
    /// client does not keep up is the server's [`WhenFull`] setting.
    pub async fn send(&self, message: impl Into<Out>) -> Result<(), SendError> {
        let text = encode(&message.into())?;
        self.conn.push(text).await
    }

    /// Sends an already encoded JSON text frame (e.g. one encoded once for
    /// many connections).
    pub async fn send_text(&self, text: impl Into<String>) -> Result<(), SendError> {
        self.conn.push(Utf8Bytes::from(text.into())).await
    }

    /// The channel this connection is on: its connections and groups, for
    /// sending to them (clone it into tasks).
    pub fn channel(&self) -> &ChannelHandle<Out> {
        &self.channel
    }

    /// Adds this connection to the channel's group `group` (made on first
    /// use).
    pub fn join(&self, group: &str) {
        self.channel.join(&self.conn, group);
    }

    /// Removes this connection from `group`.
    pub fn leave(&self, group: &str) {
        self.channel.leave(&self.conn, group);
    }

    /// The groups this connection is in.
    pub fn groups(&self) -> Vec<String> {
        let mut groups: Vec<String> = lock(&self.conn.groups).iter().cloned().collect();
        groups.sort();
        groups
    }

    /// Sends `message` to every connection in the channel's `group` (this
    /// one included, if it is a member), encoding it once; how many it was
    /// queued for.
    pub async fn broadcast(
        &self,
        group: &str,
        message: impl Into<Out>,
    ) -> Result<usize, SendError> {
        self.channel.broadcast(group, message).await
    }

    /// Like [`Context::broadcast`], leaving this connection out.
    pub async fn broadcast_others(
        &self,
        group: &str,
        message: impl Into<Out>,
    ) -> Result<usize, SendError> {
        self.channel
            .broadcast_except(group, self.conn.id, message)
            .await
    }

    /// Closes the connection with `close` (after the messages already
    /// queued, when they can be written within a second).
    pub fn close(&self, close: Close) {
        self.conn.close(close);
    }

    /// Whether the connection is closed or closing.
    pub fn is_closed(&self) -> bool {
        self.conn.is_closing() || self.conn.queue.is_closed()
    }

    /// Waits until the connection is closed or closing: for tasks that push
    /// to it, so they stop with it.
    pub async fn closed(&self) {
        let mut closing = self.conn.closing.subscribe();
        tokio::select! {
            () = crate::ws::until_set(&mut closing) => {}
            () = self.conn.queue.closed() => {}
        }
    }

    /// The server, for its connection count and for shutting down.
    pub fn server(&self) -> ServerHandle {
        ServerHandle {
            shared: self.server.clone(),
        }
    }
}

/// The server as a whole: its connection count, shutdown. Cheap to clone.
///
/// Groups and broadcasts are per channel, typed by the channel's messages:
/// [`ChannelHandle`] (`ServerHandle::broadcast`, which took any channel's
/// message for a group of any channel, is gone).
#[derive(Clone)]
pub struct ServerHandle {
    pub(crate) shared: Arc<ServerShared>,
}

impl fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerHandle")
            .field("connections", &self.connection_count())
            .finish()
    }
}

impl ServerHandle {
    /// How many connections are open, on every channel.
    pub fn connection_count(&self) -> usize {
        self.shared.count.load(Ordering::Relaxed)
    }

    /// Starts a graceful shutdown: no new connections; open ones are closed
    /// with 1001 (going away) and get the server's grace period to finish.
    pub fn shutdown(&self) {
        self.shared.shutdown.send_replace(true);
    }
}
