//! One channel's connections and groups, typed by what the server sends on
//! it: [`ChannelHandle`].

use super::context::{lock, Conn, ConnectionId};
use super::error::SendError;
use crate::message::Message;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use tokio_tungstenite::tungstenite::Utf8Bytes;

/// The connections of one channel and its groups (rooms), for sending to
/// them from anywhere: a handler, a task, an HTTP handler. Cheap to clone;
/// every clone sees the same connections.
///
/// `Out` is the channel's `ServerMessage`: a message of another channel does
/// not compile.
///
/// (The showcase package's documentation tests that sending a Kraken
/// `private` message through the `public` channel's handle does not
/// compile.)
///
/// The generated `Service::new` makes one (`service.handle()`, of type
/// `Handle`), so it is there before the server runs; handlers reach it
/// through `ctx.channel()`.
pub struct ChannelHandle<Out> {
    shared: Arc<ChannelShared>,
    _out: PhantomData<fn(Out)>,
}

/// What the handles of one channel share.
#[derive(Default)]
pub(crate) struct ChannelShared {
    connections: Mutex<HashMap<ConnectionId, Arc<Conn>>>,
    groups: Mutex<HashMap<String, HashMap<ConnectionId, Arc<Conn>>>>,
}

impl<Out> Clone for ChannelHandle<Out> {
    fn clone(&self) -> Self {
        ChannelHandle {
            shared: self.shared.clone(),
            _out: PhantomData,
        }
    }
}

impl<Out> Default for ChannelHandle<Out> {
    fn default() -> Self {
        ChannelHandle {
            shared: Arc::default(),
            _out: PhantomData,
        }
    }
}

impl<Out> fmt::Debug for ChannelHandle<Out> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChannelHandle")
            .field("connections", &lock(&self.shared.connections).len())
            .field("groups", &lock(&self.shared.groups).len())
            .finish()
    }
}

/// Encodes a message once, for any number of connections.
pub(crate) fn encode<M: Message>(message: &M) -> Result<Utf8Bytes, SendError> {
    message
        .to_json()
        .map(Utf8Bytes::from)
        .map_err(|e| SendError::Encode(e.to_string()))
}

impl<Out> ChannelHandle<Out> {
    /// A channel without connections.
    pub fn new() -> Self {
        Self::default()
    }

    /// The open connections, in order of their ids.
    pub fn connections(&self) -> Vec<ConnectionId> {
        let mut ids: Vec<ConnectionId> = lock(&self.shared.connections).keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// How many connections are open.
    pub fn connection_count(&self) -> usize {
        lock(&self.shared.connections).len()
    }

    /// The groups with at least one member, sorted.
    pub fn groups(&self) -> Vec<String> {
        let mut groups: Vec<String> = lock(&self.shared.groups).keys().cloned().collect();
        groups.sort_unstable();
        groups
    }

    /// The members of `group`, in order of their ids (empty for a group
    /// nobody is in).
    pub fn members(&self, group: &str) -> Vec<ConnectionId> {
        let mut ids: Vec<ConnectionId> = lock(&self.shared.groups)
            .get(group)
            .map(|m| m.keys().copied().collect())
            .unwrap_or_default();
        ids.sort_unstable();
        ids
    }

    /// How many connections are in `group`.
    pub fn group_size(&self, group: &str) -> usize {
        lock(&self.shared.groups).get(group).map_or(0, HashMap::len)
    }

    pub(crate) fn register(&self, conn: &Arc<Conn>) {
        lock(&self.shared.connections).insert(conn.id, conn.clone());
    }

    /// Removes a connection that ended, from its groups too.
    pub(crate) fn deregister(&self, conn: &Conn) {
        let groups: Vec<String> = lock(&conn.groups).drain().collect();
        {
            let mut all = lock(&self.shared.groups);
            for group in groups {
                remove_member(&mut all, &group, conn.id);
            }
        }
        lock(&self.shared.connections).remove(&conn.id);
    }

    pub(crate) fn join(&self, conn: &Arc<Conn>, group: &str) {
        lock(&conn.groups).insert(group.to_owned());
        lock(&self.shared.groups)
            .entry(group.to_owned())
            .or_default()
            .insert(conn.id, conn.clone());
    }

    pub(crate) fn leave(&self, conn: &Conn, group: &str) {
        lock(&conn.groups).remove(group);
        remove_member(&mut lock(&self.shared.groups), group, conn.id);
    }

    /// Queues an encoded frame for the members of `group` but `except`;
    /// how many it was queued for.
    pub(crate) async fn broadcast_text(
        &self,
        group: &str,
        text: Utf8Bytes,
        except: Option<ConnectionId>,
    ) -> usize {
        let members: Vec<Arc<Conn>> = lock(&self.shared.groups)
            .get(group)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        let mut delivered = 0;
        for member in members {
            if Some(member.id) != except && member.push(text.clone()).await.is_ok() {
                delivered += 1;
            }
        }
        delivered
    }
}

fn remove_member(
    groups: &mut HashMap<String, HashMap<ConnectionId, Arc<Conn>>>,
    group: &str,
    id: ConnectionId,
) {
    if let Some(members) = groups.get_mut(group) {
        members.remove(&id);
        if members.is_empty() {
            groups.remove(group);
        }
    }
}

impl<Out: Message> ChannelHandle<Out> {
    /// Sends `message` to the connection `id`; [`SendError::Closed`] when it
    /// is not (or no longer) connected to this channel.
    pub async fn send_to(
        &self,
        id: ConnectionId,
        message: impl Into<Out>,
    ) -> Result<(), SendError> {
        let conn = lock(&self.shared.connections).get(&id).cloned();
        let conn = conn.ok_or(SendError::Closed)?;
        conn.push(encode(&message.into())?).await
    }

    /// Sends `message` to every connection in `group`, encoding it once;
    /// how many it was queued for.
    pub async fn broadcast(
        &self,
        group: &str,
        message: impl Into<Out>,
    ) -> Result<usize, SendError> {
        let text = encode(&message.into())?;
        Ok(self.broadcast_text(group, text, None).await)
    }

    /// Like [`ChannelHandle::broadcast`], leaving the connection `except`
    /// out (e.g. the sender of a "typing" notice).
    pub async fn broadcast_except(
        &self,
        group: &str,
        except: ConnectionId,
        message: impl Into<Out>,
    ) -> Result<usize, SendError> {
        let text = encode(&message.into())?;
        Ok(self.broadcast_text(group, text, Some(except)).await)
    }
}
