//! A connection as handlers see it ([`Context`]): who it is, the channel
//! parameters, sending to it at any time, groups and broadcasts; and the
//! server as a whole ([`ServerHandle`]).

use super::error::SendError;
use super::{ServerConfig, WhenFull};
use crate::message::{encode_with_id, CorrelationId, Message};
use crate::ws::Close;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Utf8Bytes;
use tracing::warn;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
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
    groups: Mutex<HashSet<String>>,
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

/// What all connections of a server share: groups, the connection list,
/// the shutdown signal.
pub(crate) struct ServerShared {
    pub(crate) config: ServerConfig,
    groups: Mutex<HashMap<String, HashMap<ConnectionId, Arc<Conn>>>>,
    connections: Mutex<HashMap<ConnectionId, Arc<Conn>>>,
    count: AtomicUsize,
    next_id: AtomicU64,
    pub(crate) shutdown: watch::Sender<bool>,
}

impl ServerShared {
    pub(crate) fn new(config: ServerConfig) -> Arc<Self> {
        Arc::new(ServerShared {
            config,
            groups: Mutex::new(HashMap::new()),
            connections: Mutex::new(HashMap::new()),
            count: AtomicUsize::new(0),
            next_id: AtomicU64::new(1),
            shutdown: watch::channel(false).0,
        })
    }

    pub(crate) fn next_id(&self) -> ConnectionId {
        ConnectionId(self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    pub(crate) fn register(&self, conn: &Arc<Conn>) {
        lock(&self.connections).insert(conn.id, conn.clone());
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn deregister(&self, conn: &Conn) {
        let groups: Vec<String> = lock(&conn.groups).drain().collect();
        {
            let mut all = lock(&self.groups);
            for group in groups {
                if let Some(members) = all.get_mut(&group) {
                    members.remove(&conn.id);
                    if members.is_empty() {
                        all.remove(&group);
                    }
                }
            }
        }
        if lock(&self.connections).remove(&conn.id).is_some() {
            self.count.fetch_sub(1, Ordering::Relaxed);
        }
    }

    fn join(&self, conn: &Arc<Conn>, group: &str) {
        lock(&conn.groups).insert(group.to_owned());
        lock(&self.groups)
            .entry(group.to_owned())
            .or_default()
            .insert(conn.id, conn.clone());
    }

    fn leave(&self, conn: &Conn, group: &str) {
        lock(&conn.groups).remove(group);
        let mut all = lock(&self.groups);
        if let Some(members) = all.get_mut(group) {
            members.remove(&conn.id);
            if members.is_empty() {
                all.remove(group);
            }
        }
    }

    fn members(&self, group: &str) -> Vec<Arc<Conn>> {
        lock(&self.groups)
            .get(group)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    async fn broadcast_text(
        &self,
        group: &str,
        text: Utf8Bytes,
        except: Option<ConnectionId>,
    ) -> usize {
        let mut delivered = 0;
        for member in self.members(group) {
            if Some(member.id) != except && member.push(text.clone()).await.is_ok() {
                delivered += 1;
            }
        }
        delivered
    }
}

fn encode<M: Message>(message: &M) -> Result<Utf8Bytes, SendError> {
    message
        .to_json()
        .map(Utf8Bytes::from)
        .map_err(|e| SendError::Encode(e.to_string()))
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
    pub(crate) fn new(conn: Arc<Conn>, params: P, identity: I, server: Arc<ServerShared>) -> Self {
        Context {
            conn,
            params: Arc::new(params),
            identity: Arc::new(identity),
            state: Arc::new(S::default()),
            server,
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
        let message = message.into();
        let text = match (message.correlation(), &self.correlation) {
            (Some(correlation), Some(id)) => encode_with_id(&message, correlation, id)
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

    /// Adds this connection to the group `group` (made on first use).
    pub fn join(&self, group: &str) {
        self.server.join(&self.conn, group);
    }

    /// Removes this connection from `group`.
    pub fn leave(&self, group: &str) {
        self.server.leave(&self.conn, group);
    }

    /// The groups this connection is in.
    pub fn groups(&self) -> Vec<String> {
        let mut groups: Vec<String> = lock(&self.conn.groups).iter().cloned().collect();
        groups.sort();
        groups
    }

    /// Sends `message` to every connection in `group` (this one included,
    /// if it is a member), encoding it once; how many it was queued for.
    pub async fn broadcast(
        &self,
        group: &str,
        message: impl Into<Out>,
    ) -> Result<usize, SendError> {
        let text = encode(&message.into())?;
        Ok(self.server.broadcast_text(group, text, None).await)
    }

    /// Like [`Context::broadcast`], leaving this connection out.
    pub async fn broadcast_others(
        &self,
        group: &str,
        message: impl Into<Out>,
    ) -> Result<usize, SendError> {
        let text = encode(&message.into())?;
        Ok(self
            .server
            .broadcast_text(group, text, Some(self.conn.id))
            .await)
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

    /// The server, for broadcasts to any group and for shutting down.
    pub fn server(&self) -> ServerHandle {
        ServerHandle {
            shared: self.server.clone(),
        }
    }
}

/// The server as a whole: broadcasts, connection counts, shutdown. Cheap to
/// clone.
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
    /// Sends `message` to every connection in `group`, encoding it once;
    /// how many it was queued for. Send each group messages of the channel
    /// its members are connected to.
    pub async fn broadcast<M: Message>(
        &self,
        group: &str,
        message: &M,
    ) -> Result<usize, SendError> {
        let text = encode(message)?;
        Ok(self.shared.broadcast_text(group, text, None).await)
    }

    /// How many connections are open.
    pub fn connection_count(&self) -> usize {
        self.shared.count.load(Ordering::Relaxed)
    }

    /// How many connections are in `group`.
    pub fn group_size(&self, group: &str) -> usize {
        lock(&self.shared.groups).get(group).map_or(0, HashMap::len)
    }

    /// Starts a graceful shutdown: no new connections; open ones are closed
    /// with 1001 (going away) and get the server's grace period to finish.
    pub fn shutdown(&self) {
        self.shared.shutdown.send_replace(true);
    }
}
