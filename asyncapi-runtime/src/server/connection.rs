//! Serving one connection: its writer (queued frames, pings, the close
//! frame) and its reader (frames decoded and handed to the service one at a
//! time, replies correlated, errors answered).

use super::context::{Conn, Context, ServerShared};
use super::error::{Disconnect, FrameError, FrameErrorKind};
use super::{Ctx, Service};
use crate::message::{CorrelationId, Message};
use crate::ws::Close;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::error::{CapacityError, ProtocolError};
use tokio_tungstenite::tungstenite::{self, Message as Frame, Utf8Bytes};
use tokio_tungstenite::WebSocketStream;
use tracing::{debug, info, warn};

/// How long queued frames may take to be written before a close frame.
const FLUSH_BEFORE_CLOSE: Duration = Duration::from_secs(1);
/// How long to wait for the client's answer to our close frame.
const CLOSE_HANDSHAKE: Duration = Duration::from_secs(2);

/// A connection's socket split into its writing and reading halves.
pub(crate) type Halves<Io> = (
    SplitSink<WebSocketStream<Io>, Frame>,
    SplitStream<WebSocketStream<Io>>,
);

/// Serves a connection that completed its handshake, until it ends.
pub(crate) async fn serve<S, Io>(
    service: Arc<S>,
    (sink, mut stream): Halves<Io>,
    conn: Arc<Conn>,
    queue: mpsc::Receiver<Utf8Bytes>,
    params: S::Params,
    identity: S::Identity,
    shared: Arc<ServerShared>,
) where
    S: Service,
    Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let writer = tokio::spawn(write_frames(
        sink,
        queue,
        conn.closing.subscribe(),
        shared.config.ping_interval,
    ));
    let channel = service.channel().clone();
    shared.register(&conn, &channel);
    let ctx: Ctx<S> = Context::new(
        conn.clone(),
        params,
        identity,
        shared.clone(),
        channel.clone(),
    );
    info!("connected");

    let mut disconnect = None;
    // `on_connect` and `on_disconnect` are boxed: run once each, their
    // futures would otherwise make every connection's task bigger.
    if let Err(error) = Box::pin(service.on_connect(&ctx)).await {
        warn!(%error, "on_connect failed: closing (1011)");
        let close = error
            .close()
            .cloned()
            .unwrap_or_else(|| Close::new(Close::INTERNAL_ERROR, error.message()));
        conn.close(close.clone());
        disconnect = Some(Disconnect::Server(close));
    }

    let mut closing = conn.closing.subscribe();
    let mut shutdown = shared.shutdown.subscribe();
    let mut idle = crate::ws::IdleLimit::new(shared.config.idle_timeout);
    let mut client_close = None;
    while disconnect.is_none() {
        let next = tokio::select! {
            next = next_frame(&mut stream, &mut idle) => next,
            () = crate::ws::until_set(&mut closing) => {
                let close = closing.borrow().clone().unwrap_or_else(|| Close::new(Close::NORMAL, ""));
                disconnect = Some(Disconnect::Server(close));
                break;
            }
            () = crate::ws::until(&mut shutdown, |down| *down) => {
                conn.close(Close::new(Close::GOING_AWAY, "the server is shutting down"));
                disconnect = Some(Disconnect::Shutdown);
                break;
            }
        };
        let frame = match next {
            Ok(Some(frame)) => frame,
            Ok(None) => {
                disconnect = Some(Disconnect::Client(client_close.take()));
                break;
            }
            Err(end) => {
                disconnect = Some(end);
                break;
            }
        };
        match frame {
            // Boxed, each frame's work (decoding, the handler, the
            // replies: about 2.3 KiB of future for Kraken's `public`
            // channel) is allocated while it runs instead of being part of
            // every connection's future, idle or not.
            Frame::Text(text) => {
                Box::pin(on_text(
                    &*service,
                    &ctx,
                    text.as_str(),
                    shared.config.validate,
                ))
                .await;
            }
            Frame::Binary(data) => {
                Box::pin(on_error(
                    &*service,
                    &ctx,
                    FrameErrorKind::Binary { len: data.len() },
                    None,
                ))
                .await;
            }
            Frame::Close(frame) => client_close = frame.as_ref().map(Close::from_frame),
            Frame::Ping(_) | Frame::Pong(_) | Frame::Frame(_) => {}
        }
    }
    let disconnect = disconnect.unwrap_or(Disconnect::Client(None));
    if let Disconnect::Server(close) = &disconnect {
        conn.close(close.clone());
    }
    if conn.is_closing() {
        // Let the writer send the close frame, then read the client's answer
        // (tungstenite completes the handshake as it reads).
        let _ = tokio::time::timeout(CLOSE_HANDSHAKE, async {
            while let Some(Ok(_)) = stream.next().await {}
        })
        .await;
    }
    info!(%disconnect, "disconnected");
    shared.deregister(&conn, &channel);
    Box::pin(service.on_disconnect(&ctx, &disconnect)).await;
    // Ends the writer if nothing closed the queue yet.
    conn.close(Close::new(Close::NORMAL, ""));
    let _ = tokio::time::timeout(CLOSE_HANDSHAKE, writer).await;
}

/// The next frame; `Ok(None)` when the client ended the connection, `Err`
/// with the reason when it failed.
async fn next_frame<St>(
    stream: &mut St,
    idle: &mut crate::ws::IdleLimit,
) -> Result<Option<Frame>, Disconnect>
where
    St: futures_util::Stream<Item = Result<Frame, tungstenite::Error>> + Unpin,
{
    let Some(next) = idle.next(stream).await else {
        let limit = idle.limit().unwrap_or_default();
        return Err(Disconnect::Server(Close::new(
            Close::POLICY,
            format!("no frame for {}s", limit.as_secs()),
        )));
    };
    match next {
        Some(Ok(frame)) => Ok(Some(frame)),
        None | Some(Err(tungstenite::Error::ConnectionClosed)) => Ok(None),
        Some(Err(tungstenite::Error::Capacity(CapacityError::MessageTooLong {
            size,
            max_size,
        }))) => {
            warn!(size, max_size, "message too big: closing (1009)");
            Err(Disconnect::Server(Close::new(
                Close::TOO_BIG,
                format!("message of {size} bytes is over the limit of {max_size}"),
            )))
        }
        Some(Err(tungstenite::Error::Capacity(other))) => {
            warn!(error = %other, "frame too big: closing (1009)");
            Err(Disconnect::Server(Close::new(
                Close::TOO_BIG,
                other.to_string(),
            )))
        }
        Some(Err(tungstenite::Error::Protocol(ProtocolError::ResetWithoutClosingHandshake))) => {
            Err(Disconnect::Lost(
                "the client went away without a close handshake".into(),
            ))
        }
        Some(Err(tungstenite::Error::Utf8(e))) => {
            warn!(error = %e, "a text frame is not UTF-8: closing (1007)");
            Err(Disconnect::Server(Close::new(
                Close::INVALID_DATA,
                "a text frame is not valid UTF-8",
            )))
        }
        Some(Err(tungstenite::Error::Protocol(e))) => {
            warn!(error = %e, "protocol error: closing (1002)");
            Err(Disconnect::Server(Close::new(1002, e.to_string())))
        }
        Some(Err(e)) => Err(Disconnect::Lost(e.to_string())),
    }
}

async fn on_text<S: Service>(service: &S, ctx: &Ctx<S>, text: &str, validate: bool) {
    let message = match crate::validate::decode::<S::Incoming>(text, validate) {
        Ok(message) => message,
        Err(kind) => {
            let correlation = CorrelationId::find_any(text, S::Incoming::CORRELATION_PATHS);
            let ctx = ctx.for_request(correlation);
            on_error(service, &ctx, kind, Some(text)).await;
            return;
        }
    };
    let correlation = message
        .correlation()
        .and_then(|c| CorrelationId::find(text, c.path));
    let ctx = ctx.for_request(correlation);
    let name = message.variant_name();
    debug!(message = name, "received");
    match service.handle(&ctx, message).await {
        Ok(replies) => {
            for reply in replies {
                if let Err(error) = ctx.reply(reply).await {
                    debug!(%error, "reply not sent");
                }
            }
        }
        Err(error) => {
            let close = error.close().cloned();
            let kind = FrameErrorKind::Handler {
                message: name,
                error,
            };
            on_error(service, &ctx, kind, None).await;
            if let Some(close) = close {
                ctx.close(close);
            }
        }
    }
}

/// Logs a frame that did not end in replies and sends the service's error
/// reply for it (with the frame's correlation id, which `ctx` carries).
async fn on_error<S: Service>(
    service: &S,
    ctx: &Ctx<S>,
    kind: FrameErrorKind,
    frame: Option<&str>,
) {
    let error = FrameError::new(kind, ctx.correlation_id().cloned()).with_frame(frame);
    warn!(%error, "frame not handled");
    if let Some(reply) = service.error_reply(ctx, &error) {
        if let Err(error) = ctx.reply(reply).await {
            debug!(%error, "error reply not sent");
        }
    }
}

async fn write_frames<Si>(
    mut sink: Si,
    mut queue: mpsc::Receiver<Utf8Bytes>,
    mut closing: watch::Receiver<Option<Close>>,
    ping_interval: Option<Duration>,
) where
    Si: futures_util::Sink<Frame, Error = tungstenite::Error> + Unpin,
{
    let mut ping = crate::ws::Pinger::new(ping_interval);
    loop {
        let tick = ping.due();
        tokio::select! {
            biased;
            () = crate::ws::until_set(&mut closing) => break,
            next = queue.recv() => {
                let Some(mut text) = next else { break };
                // Writes what is queued now, in order, with one flush; a
                // close stops the batch as it stopped single frames.
                let mut written = 0;
                loop {
                    if let Err(error) = sink.feed(Frame::Text(text)).await {
                        debug!(%error, "writing failed");
                        return;
                    }
                    written += 1;
                    if written == crate::ws::BATCH || closing.borrow().is_some() {
                        break;
                    }
                    text = match queue.try_recv() {
                        Ok(queued) => queued,
                        Err(_) => break,
                    };
                }
                if let Err(error) = sink.flush().await {
                    debug!(%error, "writing failed");
                    return;
                }
            }
            () = tick => {
                if sink.send(Frame::Ping(Default::default())).await.is_err() {
                    return;
                }
            }
        }
    }
    let close = closing.borrow().clone();
    if let Some(close) = close {
        // A full queue means the client does not read: do not wait for it.
        if close.code != Close::POLICY {
            let _ = tokio::time::timeout(FLUSH_BEFORE_CLOSE, async {
                while let Ok(text) = queue.try_recv() {
                    if sink.feed(Frame::Text(text)).await.is_err() {
                        return;
                    }
                }
                let _ = sink.flush().await;
            })
            .await;
        }
        let _ = tokio::time::timeout(
            FLUSH_BEFORE_CLOSE,
            sink.send(Frame::Close(Some(close.to_frame()))),
        )
        .await;
    }
}
