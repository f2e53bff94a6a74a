//! What the feed loops of the public faces (v1 public, v2 public, v2
//! level 3) share: a connection's subscriptions, and when to wake up next.
//! A connection with subscriptions ticks; one without sleeps until its next
//! heartbeat is due or a subscription arrives, so idle connections cost a
//! wake-up a heartbeat instead of ten.

use asyncapi_runtime::server::Context;
use asyncapi_runtime::Message;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// The subscriptions of one connection, as its feed loop reads them.
pub(crate) struct Subscriptions<T> {
    list: Mutex<Vec<T>>,
    added: Notify,
}

impl<T> Default for Subscriptions<T> {
    fn default() -> Self {
        Subscriptions {
            list: Mutex::new(Vec::new()),
            added: Notify::new(),
        }
    }
}

impl<T> Subscriptions<T> {
    /// The subscriptions (a poisoned lock is taken over: the list stays
    /// consistent, every change being one push or removal).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Vec<T>> {
        self.list.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a subscription and wakes the feed loop if it sleeps.
    pub(crate) fn push(&self, subscription: T) {
        self.lock().push(subscription);
        self.added.notify_one();
    }

    /// Waits for the feed loop's next turn: `tick` while there are
    /// subscriptions; else until `heartbeat_in` has passed or one is added.
    pub(crate) async fn next_turn(&self, tick: Duration, heartbeat_in: Duration) {
        let idle = self.lock().is_empty();
        if idle {
            tokio::select! {
                () = tokio::time::sleep(heartbeat_in) => {}
                () = self.added.notified() => {}
            }
        } else {
            tokio::time::sleep(tick).await;
        }
    }
}

/// Pushes the frames of a connection's subscriptions (`frames` of each, one
/// call a tick), and a `heartbeat` after `heartbeat_after` without frames,
/// until the connection closes.
pub(crate) async fn run<T, Out, P, I, H>(
    ctx: Context<Out, P>,
    connection: Arc<Subscriptions<T>>,
    tick: Duration,
    heartbeat_after: Duration,
    mut frames: impl FnMut(&mut T) -> I,
    heartbeat: impl Fn() -> H,
) where
    Out: Message,
    H: Into<Out>,
    I: IntoIterator<Item = Out>,
{
    let mut last_sent = Instant::now();
    loop {
        let heartbeat_in = heartbeat_after.saturating_sub(last_sent.elapsed());
        tokio::select! {
            () = ctx.closed() => return,
            () = connection.next_turn(tick, heartbeat_in) => {}
        }
        let due: Vec<Out> = connection.lock().iter_mut().flat_map(&mut frames).collect();
        if due.is_empty() && last_sent.elapsed() >= heartbeat_after {
            if ctx.send(heartbeat()).await.is_err() {
                return;
            }
            last_sent = Instant::now();
        }
        for frame in due {
            if ctx.send(frame).await.is_err() {
                return;
            }
            last_sent = Instant::now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Instant;

    #[tokio::test]
    async fn idle_sleeps_until_the_heartbeat_unless_a_subscription_arrives() {
        let subs = Arc::new(Subscriptions::<u8>::default());
        let (tick, heartbeat) = (Duration::from_millis(5), Duration::from_millis(200));
        let start = Instant::now();
        subs.next_turn(tick, heartbeat).await;
        assert!(start.elapsed() >= heartbeat, "{:?}", start.elapsed());

        // A subscription wakes the sleeping loop at once.
        let waker = Arc::clone(&subs);
        let start = Instant::now();
        let pushed = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            waker.push(1);
        });
        subs.next_turn(tick, Duration::from_secs(30)).await;
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
        pushed.await.unwrap();

        // With a subscription, the loop ticks.
        let start = Instant::now();
        subs.next_turn(tick, Duration::from_secs(30)).await;
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }
}
