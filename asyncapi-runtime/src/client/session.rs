//! A client's life across connections: serve the open one; when it drops,
//! fail the requests in flight and, with a [`ReconnectPolicy`], connect
//! again (immediately a few times, then slowly), re-send the live
//! subscriptions and tell the stream about the gap; otherwise, or when
//! reconnecting gives up, end the client.

use super::config::{random_fraction, ClientConfig, ReconnectPolicy};
use super::connection::{self, Halves, Io, Outbound};
use super::error::{Ended, Error};
use super::incoming;
use super::pending::Shared;
use crate::message::Message;
use crate::ws::Close;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tracing::{debug, info, warn};

/// Runs the client from its first connection, `socket`, to its end.
pub(crate) async fn run<In: Message>(
    socket: Halves,
    url: String,
    config: Arc<ClientConfig>,
    shared: Arc<Shared<In>>,
    mut incoming: incoming::Tx<Result<In, Error>>,
    mut outbound: mpsc::Receiver<Outbound>,
) {
    let mut io = Io {
        incoming: &mut incoming,
        outbound: &mut outbound,
        shared: &shared,
        config: &config,
    };
    let mut socket = socket;
    let mut resend = Vec::new();
    let ended = loop {
        shared.connected.store(true, Ordering::Release);
        let outcome = connection::run(socket, resend, &mut io).await;
        shared.connected.store(false, Ordering::Release);
        let policy = match &config.reconnect {
            Some(policy) if !outcome.by_user && !io.outbound.is_closed() => policy,
            _ => break outcome.ended,
        };
        let reason = outcome.ended.reason();
        warn!(%reason, "the connection dropped: reconnecting");
        shared.fail_all(&Error::Interrupted {
            reason: reason.clone(),
        });
        let dropped = Instant::now();
        // Boxed: connecting (TCP, TLS, the handshake) is a big future that
        // an open connection's task would otherwise carry all its life.
        match Box::pin(reconnect(&url, &config, policy, outcome.slow, &shared)).await {
            Ok((new, attempt)) => {
                let after = dropped.elapsed();
                info!(?after, attempt, "reconnected");
                socket = new;
                resend = shared.live().frames();
                let _ = io
                    .incoming
                    .send(Err(Error::Reconnected { after, attempt }))
                    .await;
            }
            Err(ended) => break ended,
        }
    };
    debug!(?ended, "the client ended");
    // `send_replace` stores the value even when nobody watches at this
    // moment (`send` would drop it, and `close()` would wait in vain).
    shared.ended.send_replace(Some(ended.clone()));
    shared.fail_all(&ended.error());
    let _ = incoming.send(Err(ended.error())).await;
}

/// Connects again as `policy` says; the new connection and the number of
/// attempts it took, or how the client ends (it gave up, or the
/// application closed it meanwhile).
async fn reconnect<In>(
    url: &str,
    config: &ClientConfig,
    policy: &ReconnectPolicy,
    slow: bool,
    shared: &Shared<In>,
) -> Result<(Halves, u32), Ended> {
    let mut closing = shared.close.subscribe();
    let mut immediate = if slow { 0 } else { policy.immediate_attempts };
    let mut step = 0;
    let mut attempt = 0u32;
    loop {
        if let Some(close) = closing.borrow().clone() {
            return Err(Ended::Closed(close));
        }
        let delay = if immediate > 0 {
            immediate -= 1;
            Duration::ZERO
        } else {
            let delay = policy.slow_delay(step, random_fraction());
            step += 1;
            delay
        };
        attempt += 1;
        let opened = tokio::select! {
            opened = async {
                tokio::time::sleep(delay).await;
                connection::open(url, config).await
            } => opened,
            () = crate::ws::until_set(&mut closing) => {
                let close = closing.borrow().clone().unwrap_or_else(|| Close::new(Close::NORMAL, ""));
                return Err(Ended::Closed(close));
            }
        };
        match opened {
            Ok(socket) => return Ok((socket, attempt)),
            Err(failed) => {
                debug!(attempt, ?delay, error = %failed.error, "reconnecting failed");
                if failed.refused {
                    // The server is up and says no: no more immediate tries.
                    immediate = 0;
                }
                if policy.give_up_after.is_some_and(|most| attempt >= most) {
                    return Err(Ended::Lost(format!(
                        "gave up reconnecting after {attempt} attempts: {}",
                        failed.error
                    )));
                }
            }
        }
    }
}
