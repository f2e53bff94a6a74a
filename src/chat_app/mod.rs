//! The chat service of `specs/chat.yaml`, written on the generated
//! [`chat::Handler`]: what `examples/chat_server.rs`, `examples/chat_demo.rs`
//! and the chat tests serve.
//!
//! - The handshake is authenticated by the document's security schemes (a
//!   bearer token or the `token` query parameter); the token names the
//!   member ([`Users`]), who becomes the connection's identity ([`Member`]).
//! - Connecting joins the room of the path (`/chat/{room}`, a group of the
//!   channel): everybody in it, the newcomer included, gets `user_joined`;
//!   leaving tells the others `user_left`.
//! - `chat` goes to every member, the sender included, and into the room's
//!   history; `typing` to the others; `history` answers with the room's last
//!   messages; announcements come from outside any connection
//!   ([`announce`]).
//! - Frames that break the document's schemas never reach these handlers:
//!   the runtime answers them with the document's `error` frame.

mod users;
pub mod web;

pub use users::{Users, UsersError};

use crate::chat::{self, types, Context, Handler, Parameters};
use asyncapi_runtime::security::Credential;
use asyncapi_runtime::server::{Disconnect, HandlerError, Handshake, Refusal, Replies, SendError};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// How many chat messages a room keeps for `history` (the most a request
/// may ask for).
pub const HISTORY: usize = 100;

/// A connection's identity: the member its token names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The member's name.
    pub name: String,
}

/// A room: its history, behind a lock that also orders its broadcasts (every
/// member sees the room's messages in the order of its history).
#[derive(Default)]
struct Room {
    history: tokio::sync::Mutex<VecDeque<types::ChatNotificationPayload>>,
}

/// The chat service: the members it admits and its rooms.
pub struct ChatApp {
    users: Users,
    rooms: Mutex<HashMap<String, Arc<Room>>>,
}

impl ChatApp {
    /// A chat service admitting `users`.
    pub fn new(users: Users) -> Self {
        ChatApp {
            users,
            rooms: Mutex::new(HashMap::new()),
        }
    }

    /// The members it admits.
    pub fn users(&self) -> &Users {
        &self.users
    }

    fn room(&self, name: &str) -> Arc<Room> {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        rooms.entry(name.to_owned()).or_default().clone()
    }
}

type Ctx = Context<Member, ()>;

fn user(ctx: &Ctx) -> Result<types::User, HandlerError> {
    types::User::try_from(ctx.identity().name.as_str()).map_err(HandlerError::from)
}

impl Handler for ChatApp {
    type Identity = Member;
    type State = ();

    async fn authenticate(
        &self,
        _handshake: &Handshake<'_>,
        _params: &Parameters,
        credential: Credential<'_>,
    ) -> Result<Member, Refusal> {
        match self.users.name_of(&credential.value) {
            Some(name) => Ok(Member {
                name: name.to_owned(),
            }),
            None => Err(Refusal::unauthorized(format!(
                "the token given by `{}` admits nobody",
                credential.scheme
            ))),
        }
    }

    async fn on_connect(&self, ctx: &Ctx) -> Result<(), HandlerError> {
        let room = &ctx.params().room;
        ctx.join(room);
        let joined = types::UserJoined::new(types::UserJoinedPayload::new(user(ctx)?));
        let order = self.room(room);
        let _order = order.history.lock().await;
        ctx.broadcast(room, joined).await?;
        Ok(())
    }

    async fn on_disconnect(&self, ctx: &Ctx, _reason: &Disconnect) {
        let room = &ctx.params().room;
        let Ok(user) = user(ctx) else { return };
        let left = types::UserLeft::new(types::UserLeftPayload::new(user));
        let order = self.room(room);
        let _order = order.history.lock().await;
        // The connection has left its groups already: this reaches the others.
        let _ = ctx.broadcast(room, left).await;
    }

    async fn ping(
        &self,
        _ctx: &Ctx,
        _message: types::Ping,
    ) -> Result<Replies<types::Pong>, HandlerError> {
        Ok(types::Pong::new().into())
    }

    async fn chat(&self, ctx: &Ctx, message: types::Chat) -> Result<(), HandlerError> {
        let room = &ctx.params().room;
        let said = message.payload;
        let mut payload = types::ChatNotificationPayload::new(
            types::ChatNotificationPayloadMessage::try_from(said.message.to_string())?,
            std::time::SystemTime::now().into(),
            user(ctx)?,
        );
        payload.mentions = said.mentions;
        let room = self.room(room);
        let mut history = room.history.lock().await;
        if history.len() == HISTORY {
            history.pop_front();
        }
        history.push_back(payload.clone());
        ctx.broadcast(&ctx.params().room, types::ChatNotification::new(payload))
            .await?;
        Ok(())
    }

    async fn typing(&self, ctx: &Ctx, _message: types::Typing) -> Result<(), HandlerError> {
        let typing = types::UserTyping::new(types::UserTypingPayload::new(user(ctx)?));
        ctx.broadcast_others(&ctx.params().room, typing).await?;
        Ok(())
    }

    async fn history(
        &self,
        ctx: &Ctx,
        message: types::History,
    ) -> Result<Replies<types::HistoryResult>, HandlerError> {
        let limit = usize::try_from(message.payload.limit.get()).unwrap_or(usize::MAX);
        let room = self.room(&ctx.params().room);
        let history = room.history.lock().await;
        let messages = history
            .iter()
            .skip(history.len().saturating_sub(limit))
            .cloned()
            .collect();
        Ok(
            types::HistoryResult::new(message.id, types::HistoryResultPayload::new(messages))
                .into(),
        )
    }
}

/// Sends an announcement to every member of `room`, from outside any
/// connection; how many members it was queued for.
pub async fn announce(
    channel: &chat::Handle,
    room: &str,
    text: &str,
) -> Result<usize, AnnounceError> {
    let text = types::AnnouncementPayloadText::try_from(text)
        .map_err(|e| AnnounceError::Invalid(e.to_string()))?;
    let announcement = types::Announcement::new(types::AnnouncementPayload::new(text));
    channel
        .broadcast(room, announcement)
        .await
        .map_err(AnnounceError::Send)
}

/// Why an announcement was not sent.
#[derive(Debug, thiserror::Error)]
pub enum AnnounceError {
    /// The text breaks the document's schema (it is empty).
    #[error("the announcement's text is invalid: {0}")]
    Invalid(String),
    /// It could not be sent.
    #[error(transparent)]
    Send(SendError),
}
