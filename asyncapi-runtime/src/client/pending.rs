//! What a client's handles and its connection task share: the requests
//! waiting for replies, how the client ended, whether it is connected, and
//! its live subscriptions.

use super::error::{Ended, Error};
use super::subscriptions::Live;
use crate::message::{CorrelationId, Message};
use crate::ws::Close;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Mutex, MutexGuard};
use tokio::sync::{oneshot, watch};

pub(crate) type ReplyTx<In> = oneshot::Sender<Result<In, Error>>;

/// A request waiting for a message that carries no id it could be matched by.
pub(crate) struct Uncorrelated<In> {
    pub(crate) token: u64,
    pub(crate) accepts: fn(&In) -> bool,
    pub(crate) tx: ReplyTx<In>,
}

/// The requests waiting for their replies.
pub(crate) struct Pending<In> {
    pub(crate) by_id: HashMap<CorrelationId, ReplyTx<In>>,
    pub(crate) uncorrelated: Vec<Uncorrelated<In>>,
}

/// Shared by a client's [`super::Sender`]s and its connection task.
pub(crate) struct Shared<In> {
    pending: Mutex<Pending<In>>,
    live: Mutex<Live>,
    pub(crate) next_id: AtomicU64,
    /// Set once, when the client is over for good.
    pub(crate) ended: watch::Sender<Option<Ended>>,
    /// Set when the application closes the client.
    pub(crate) close: watch::Sender<Option<Close>>,
    /// Whether a connection is open (false while reconnecting).
    pub(crate) connected: AtomicBool,
}

/// Locks `mutex`; a panic while holding the lock leaves the data usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl<In> Shared<In> {
    pub(crate) fn new() -> Self {
        Shared {
            pending: Mutex::new(Pending {
                by_id: HashMap::new(),
                uncorrelated: Vec::new(),
            }),
            live: Mutex::new(Live::default()),
            next_id: AtomicU64::new(1),
            ended: watch::channel(None).0,
            close: watch::channel(None).0,
            connected: AtomicBool::new(true),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Pending<In>> {
        lock(&self.pending)
    }

    pub(crate) fn live(&self) -> MutexGuard<'_, Live> {
        lock(&self.live)
    }

    /// How the client ended, if it has.
    pub(crate) fn ended(&self) -> Option<Ended> {
        self.ended.borrow().clone()
    }

    /// Fails every waiting request with `error`.
    pub(crate) fn fail_all(&self, error: &Error) {
        let (by_id, uncorrelated) = {
            let mut pending = self.lock();
            (
                std::mem::take(&mut pending.by_id),
                std::mem::take(&mut pending.uncorrelated),
            )
        };
        for tx in by_id.into_values() {
            let _ = tx.send(Err(error.clone()));
        }
        for waiter in uncorrelated {
            let _ = waiter.tx.send(Err(error.clone()));
        }
    }
}

/// Hands `message` to the request waiting for it, if any; otherwise gives
/// it back for the stream.
pub(crate) fn route<In: Message>(shared: &Shared<In>, message: In, frame: &str) -> Option<In> {
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

/// How a request is found when its reply comes.
pub(crate) enum Key {
    Id(CorrelationId),
    Token(u64),
}

/// Removes a request's entry when the request ends, however it ends
/// (`key` is `None` once the entry is known to be gone: answered).
pub(crate) struct Waiting<'a, In> {
    pub(crate) shared: &'a Shared<In>,
    pub(crate) key: Option<Key>,
}

impl<In> Drop for Waiting<'_, In> {
    fn drop(&mut self) {
        let Some(key) = &self.key else { return };
        let mut pending = self.shared.lock();
        match key {
            Key::Id(id) => {
                pending.by_id.remove(id);
            }
            Key::Token(token) => pending.uncorrelated.retain(|w| w.token != *token),
        }
    }
}
