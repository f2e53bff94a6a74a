//! The queue of a client's stream ([`super::Receiver`]), made when the first
//! item is queued.
//!
//! tokio's bounded `mpsc` allocates its first block of 32 slots when it is
//! made; a slot holds a decoded message (448 bytes for Kraken's
//! `ServerMessage`), so a client that is never streamed anything would hold
//! 14 KiB for nothing. Here the connection task makes the `mpsc` (same
//! capacity, same order, same waiting when it is full) on its first item and
//! hands its receiving half to the [`Rx`] through a `oneshot`: nothing per
//! item beyond the `mpsc` itself.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tokio::sync::{mpsc, oneshot};

/// A bounded queue of `capacity` items, allocated on its first item.
pub(crate) fn channel<T>(capacity: usize) -> (Tx<T>, Rx<T>) {
    let (handoff, handed) = oneshot::channel();
    (
        Tx {
            capacity: capacity.max(1),
            state: TxState::Unopened(handoff),
        },
        Rx {
            state: RxState::Unopened(handed),
        },
    )
}

/// The sending half (one: the client's connection task).
pub(crate) struct Tx<T> {
    capacity: usize,
    state: TxState<T>,
}

enum TxState<T> {
    Unopened(oneshot::Sender<mpsc::Receiver<T>>),
    Open(mpsc::Sender<T>),
    /// The receiving half is gone.
    Closed,
}

impl<T> Tx<T> {
    /// Queues `item`, waiting while the queue is full; gives it back when
    /// the receiving half is gone.
    pub(crate) async fn send(&mut self, item: T) -> Result<(), T> {
        match self.reserve().await {
            Some(permit) => {
                permit.send(item);
                Ok(())
            }
            None => Err(item),
        }
    }

    /// Queues `item` if there is room: `Err(Some(item))` when the queue is
    /// full, `Err(None)` when the receiving half is gone (the item dropped).
    pub(crate) fn try_send(&mut self, item: T) -> Result<(), Option<T>> {
        self.open();
        match &self.state {
            TxState::Open(tx) => tx.try_send(item).map_err(|e| match e {
                mpsc::error::TrySendError::Full(item) => Some(item),
                mpsc::error::TrySendError::Closed(_) => None,
            }),
            TxState::Unopened(_) | TxState::Closed => Err(None),
        }
    }

    /// Waits for room for one item (as `mpsc::Sender::reserve`); `None`
    /// when the receiving half is gone.
    pub(crate) async fn reserve(&mut self) -> Option<mpsc::Permit<'_, T>> {
        self.open();
        match &self.state {
            TxState::Open(tx) => tx.reserve().await.ok(),
            TxState::Unopened(_) | TxState::Closed => None,
        }
    }

    /// Makes the queue if it is not made yet.
    fn open(&mut self) {
        if matches!(self.state, TxState::Unopened(_)) {
            self.state = match std::mem::replace(&mut self.state, TxState::Closed) {
                TxState::Unopened(handoff) => {
                    let (tx, rx) = mpsc::channel(self.capacity);
                    match handoff.send(rx) {
                        Ok(()) => TxState::Open(tx),
                        Err(_) => TxState::Closed,
                    }
                }
                other => other,
            };
        }
    }
}

/// The receiving half.
pub(crate) struct Rx<T> {
    state: RxState<T>,
}

enum RxState<T> {
    Unopened(oneshot::Receiver<mpsc::Receiver<T>>),
    Open(mpsc::Receiver<T>),
    /// The sending half ended before queuing anything.
    Done,
}

impl<T> Rx<T> {
    /// The next item; `None` once the sending half is gone and the queue is
    /// empty. Cancel-safe, as `mpsc::Receiver::recv` is.
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        loop {
            match &mut self.state {
                RxState::Unopened(handed) => match ready!(Pin::new(handed).poll(cx)) {
                    Ok(rx) => self.state = RxState::Open(rx),
                    Err(_) => self.state = RxState::Done,
                },
                RxState::Open(rx) => return rx.poll_recv(cx),
                RxState::Done => return Poll::Ready(None),
            }
        }
    }

    /// See [`Rx::poll_recv`].
    pub(crate) async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn items_arrive_in_order_and_the_end_follows_them() {
        let (mut tx, mut rx) = channel(2);
        tx.send(1).await.unwrap();
        tx.send(2).await.unwrap();
        drop(tx);
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.recv().await, Some(2));
        assert_eq!(rx.recv().await, None);
    }

    #[tokio::test]
    async fn a_full_queue_makes_the_sender_wait() {
        let (mut tx, mut rx) = channel(1);
        tx.send(1).await.unwrap();
        let second = tokio::time::timeout(std::time::Duration::from_millis(50), tx.send(2));
        assert!(
            second.await.is_err(),
            "the second item went into a full queue"
        );
        assert_eq!(rx.recv().await, Some(1));
        tx.send(3).await.unwrap();
        assert_eq!(rx.recv().await, Some(3));
    }

    #[tokio::test]
    async fn try_send_says_full_and_closed() {
        let (mut tx, mut rx) = channel(1);
        assert_eq!(tx.try_send(1), Ok(()));
        assert_eq!(tx.try_send(2), Err(Some(2)));
        assert_eq!(rx.recv().await, Some(1));
        drop(rx);
        assert_eq!(tx.try_send(3), Err(None));
    }

    #[tokio::test]
    async fn a_sender_that_never_sent_ends_the_receiver() {
        let (tx, mut rx) = channel::<u8>(4);
        drop(tx);
        assert_eq!(rx.recv().await, None);
    }

    #[tokio::test]
    async fn items_come_back_once_the_receiver_is_gone() {
        let (mut tx, rx) = channel(4);
        drop(rx);
        assert_eq!(tx.send(7).await, Err(7));
        let (mut tx, mut rx) = channel(4);
        tx.send(1).await.unwrap();
        assert_eq!(rx.recv().await, Some(1));
        drop(rx);
        assert_eq!(tx.send(8).await, Err(8));
    }

    #[tokio::test]
    async fn the_receiver_waits_for_the_first_item() {
        let (mut tx, mut rx) = channel(4);
        let waiting = tokio::spawn(async move { rx.recv().await });
        tokio::task::yield_now().await;
        tx.send(5).await.unwrap();
        assert_eq!(waiting.await.unwrap(), Some(5));
    }
}
