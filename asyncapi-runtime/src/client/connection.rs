//! One WebSocket connection of a client: opening it (TCP, TLS, handshake),
//! then reading frames (decoded, routed to the waiting request or the
//! stream) and writing them (queued messages, pings, the close frame) until
//! it ends.

use super::config::ClientConfig;
use super::error::{Ended, Error};
use super::incoming;
use super::pending::{route, Shared};
use crate::message::Message;
use crate::ws::{BoxIo, Close};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::ServerName;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_rustls::TlsConnector;
use tokio_tungstenite::tungstenite::error::{TlsError, UrlError};
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest, Message as Frame};
use tokio_tungstenite::WebSocketStream;
use tracing::{debug, warn};

/// How long closing waits for the server's answer to our close frame.
pub(crate) const CLOSE_HANDSHAKE: Duration = Duration::from_secs(5);

/// An open connection.
pub(crate) type Socket = WebSocketStream<BoxIo>;

/// An open connection split into its writing and reading halves: the
/// socket (about 330 bytes, its stream boxed) lives on the heap, which the
/// halves share, so the client's task does not carry it.
pub(crate) type Halves = (SplitSink<Socket, Frame>, SplitStream<Socket>);

/// A frame for the writer. (The close frame is boxed: 24 bytes a slot
/// instead of 32, and the queue's first block of 32 slots is allocated with
/// the client.)
pub(crate) enum Outbound {
    Text(String),
    Close(Box<Close>),
}

/// Why a connection could not be opened.
pub(crate) struct OpenError {
    pub(crate) error: Error,
    /// The server answered the handshake with an HTTP error (e.g. 503): it
    /// is there, and does not want us now.
    pub(crate) refused: bool,
}

/// Opens a connection to `url` (`ws://` or `wss://`).
pub(crate) async fn open(url: &str, config: &ClientConfig) -> Result<Halves, OpenError> {
    let fail = |reason: String, refused| OpenError {
        error: Error::Connect {
            url: url.to_owned(),
            reason,
        },
        refused,
    };
    let invalid = |reason: String| OpenError {
        error: Error::InvalidUrl {
            url: url.to_owned(),
            reason,
        },
        refused: false,
    };
    let mut request = config
        .url_with_query(url)
        .into_client_request()
        .map_err(|e| invalid(e.to_string()))?;
    for (name, value) in config.headers() {
        let name = tungstenite::http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| invalid(format!("header name `{name}`: {e}")))?;
        let value = tungstenite::http::HeaderValue::from_str(value)
            .map_err(|e| invalid(format!("value of header `{name}`: {e}")))?;
        request.headers_mut().append(name, value);
    }
    let secure = url
        .split_once("://")
        .is_some_and(|(scheme, _)| scheme.eq_ignore_ascii_case("wss"));
    let tls = if secure {
        Some(match config.tls() {
            Some(tls) => tls.clone(),
            None => crate::tls::default_client_config().map_err(|e| fail(e.to_string(), false))?,
        })
    } else {
        None
    };
    let connecting = async {
        let io = connect_stream(&request, tls).await?;
        let ws = Some(config.limits.websocket_config(config.buffers));
        tokio_tungstenite::client_async_with_config(request, io, ws).await
    };
    match tokio::time::timeout(config.connect_timeout, connecting).await {
        Ok(Ok((socket, _response))) => {
            debug!(url, "connected");
            Ok(socket.split())
        }
        Ok(Err(e)) => Err(fail(
            connect_reason(&e),
            matches!(e, tungstenite::Error::Http(_)),
        )),
        Err(_) => Err(fail(
            format!("no connection within {:?}", config.connect_timeout),
            false,
        )),
    }
}

/// The TCP connection (TLS over it with `tls`) to the host of `request`,
/// as tokio-tungstenite's `connect_async_tls_with_config` makes it (default
/// ports 80 and 443, no Nagle delay), but boxed: a plain connection does
/// not carry the room of a TLS session for as long as it is open.
async fn connect_stream(
    request: &tungstenite::handshake::client::Request,
    tls: Option<Arc<rustls::ClientConfig>>,
) -> Result<BoxIo, tungstenite::Error> {
    let uri = request.uri();
    let host = uri
        .host()
        .ok_or(tungstenite::Error::Url(UrlError::NoHostName))?;
    // An IPv6 address without its brackets, as rustls and `connect` take it.
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let port = uri
        .port_u16()
        .unwrap_or(if tls.is_some() { 443 } else { 80 });
    let tcp = TcpStream::connect((host, port)).await?;
    tcp.set_nodelay(true)?;
    Ok(match tls {
        Some(tls) => {
            let name = ServerName::try_from(host.to_owned())
                .map_err(|_| tungstenite::Error::Tls(TlsError::InvalidDnsName))?;
            Box::new(TlsConnector::from(tls).connect(name, tcp).await?)
        }
        None => Box::new(tcp),
    })
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

/// What a connection task works with, across connections.
pub(crate) struct Io<'a, In> {
    pub(crate) incoming: &'a mut incoming::Tx<Result<In, Error>>,
    pub(crate) outbound: &'a mut mpsc::Receiver<Outbound>,
    pub(crate) shared: &'a Arc<Shared<In>>,
    pub(crate) config: &'a ClientConfig,
}

/// How a connection ended.
pub(crate) struct Outcome {
    pub(crate) ended: Ended,
    /// The application ended it (closed, or dropped every sender).
    pub(crate) by_user: bool,
    /// The server said it is going away for a while (maintenance, restart):
    /// reconnect slowly.
    pub(crate) slow: bool,
}

/// What the writer stopped for.
enum WriterEnd {
    /// The application's close frame is sent.
    Closing(Close),
    /// Writing failed.
    Failed(String),
}

/// What the reader stopped for.
struct ReaderEnd {
    ended: Ended,
    /// The close frame to answer a broken rule with (1007, 1009).
    answer: Option<Close>,
    slow: bool,
}

/// Serves a connection until it ends: first writes `resend` (the live
/// subscriptions, after a reconnection), then reads and writes.
pub(crate) async fn run<In: Message>(
    (mut sink, stream): Halves,
    resend: Vec<String>,
    io: &mut Io<'_, In>,
) -> Outcome {
    for frame in resend {
        if let Err(e) = sink.feed(Frame::text(frame)).await {
            return lost(format!("re-sending a subscription failed: {e}"));
        }
    }
    if let Err(e) = sink.flush().await {
        return lost(format!("re-sending the subscriptions failed: {e}"));
    }
    let (reader_end, by_user) = {
        let reader = read_frames(stream, &mut *io.incoming, io.shared, io.config);
        let writer = write_frames(&mut sink, io.outbound, io.config.ping_interval);
        tokio::pin!(reader, writer);
        tokio::select! {
            end = &mut reader => (end, io.shared.close.borrow().is_some()),
            end = &mut writer => {
                // Read on: the server's answer to our close frame, or the
                // error that made writing fail.
                let answer = tokio::time::timeout(CLOSE_HANDSHAKE, &mut reader).await;
                match (end, answer) {
                    (WriterEnd::Closing(_), Ok(end)) => (end, true),
                    (WriterEnd::Closing(close), Err(_)) => (reader_ended(Ended::Closed(close)), true),
                    (WriterEnd::Failed(_), Ok(end)) => (end, false),
                    (WriterEnd::Failed(e), Err(_)) => (reader_ended(Ended::Lost(e)), false),
                }
            }
        }
    };
    if let Some(close) = reader_end.answer {
        let _ = tokio::time::timeout(
            CLOSE_HANDSHAKE,
            sink.send(Frame::Close(Some(close.to_frame()))),
        )
        .await;
    }
    Outcome {
        ended: reader_end.ended,
        by_user,
        slow: reader_end.slow,
    }
}

fn lost(reason: String) -> Outcome {
    Outcome {
        ended: Ended::Lost(reason),
        by_user: false,
        slow: false,
    }
}

fn reader_ended(ended: Ended) -> ReaderEnd {
    ReaderEnd {
        ended,
        answer: None,
        slow: false,
    }
}

/// Close codes with which a server says it is going away for a while.
fn announces_downtime(close: &Close) -> bool {
    matches!(close.code, Close::GOING_AWAY | 1012 | 1013)
}

async fn write_frames<S>(
    sink: &mut S,
    outbound: &mut mpsc::Receiver<Outbound>,
    ping_interval: Option<Duration>,
) -> WriterEnd
where
    S: futures_util::Sink<Frame, Error = tungstenite::Error> + Unpin,
{
    let mut ping = crate::ws::Pinger::new(ping_interval);
    loop {
        let tick = ping.due();
        tokio::select! {
            next = outbound.recv() => {
                // Writes what is queued now, in order, with one flush.
                let mut next = next;
                let mut written = 0;
                loop {
                    match next {
                        Some(Outbound::Text(text)) => {
                            if let Err(e) = sink.feed(Frame::text(text)).await {
                                debug!(error = %e, "writing a frame failed");
                                return WriterEnd::Failed(e.to_string());
                            }
                        }
                        // Sending the close frame flushes the frames before it.
                        Some(Outbound::Close(close)) => {
                            let close = *close;
                            let _ = sink.send(Frame::Close(Some(close.to_frame()))).await;
                            return WriterEnd::Closing(close);
                        }
                        // Every sender is gone: close normally.
                        None => {
                            let close = Close::new(Close::NORMAL, "");
                            let _ = sink.send(Frame::Close(Some(close.to_frame()))).await;
                            return WriterEnd::Closing(close);
                        }
                    }
                    written += 1;
                    if written == crate::ws::BATCH {
                        break;
                    }
                    next = match outbound.try_recv() {
                        Ok(queued) => Some(queued),
                        Err(mpsc::error::TryRecvError::Empty) => break,
                        Err(mpsc::error::TryRecvError::Disconnected) => None,
                    };
                }
                if let Err(e) = sink.flush().await {
                    debug!(error = %e, "writing frames failed");
                    return WriterEnd::Failed(e.to_string());
                }
            }
            () = tick => {
                if let Err(e) = sink.send(Frame::Ping(Default::default())).await {
                    debug!(error = %e, "writing a ping failed");
                    return WriterEnd::Failed(e.to_string());
                }
            }
        }
    }
}

async fn read_frames<In: Message, S>(
    mut stream: S,
    incoming: &mut incoming::Tx<Result<In, Error>>,
    shared: &Shared<In>,
    config: &ClientConfig,
) -> ReaderEnd
where
    S: futures_util::Stream<Item = Result<Frame, tungstenite::Error>> + Unpin,
{
    let slow_down = config.reconnect.as_ref().and_then(|p| p.slow_down.clone());
    let mut slow = false;
    let mut close = None;
    let mut idle = crate::ws::IdleLimit::new(config.idle_timeout);
    let end = |ended: Ended, answer: Option<Close>, slow: bool| ReaderEnd {
        ended,
        answer,
        slow,
    };
    loop {
        let Some(next) = idle.next(&mut stream).await else {
            let limit = idle.limit().unwrap_or_default();
            let reason = format!("no frame from the server for {limit:?}");
            warn!(%reason, "the connection is dead");
            return end(Ended::Lost(reason), None, slow);
        };
        let frame = match next {
            Some(Ok(frame)) => frame,
            Some(Err(tungstenite::Error::ConnectionClosed)) | None => {
                return match close.take() {
                    Some(close) => {
                        let slow = slow || announces_downtime(&close);
                        end(Ended::Closed(close), None, slow)
                    }
                    None => end(
                        Ended::Lost("the connection ended without a close frame".into()),
                        None,
                        slow,
                    ),
                };
            }
            Some(Err(tungstenite::Error::Utf8(e))) => {
                warn!(error = %e, "a text frame is not UTF-8: closing (1007)");
                let answer = Close::new(Close::INVALID_DATA, "a text frame is not valid UTF-8");
                let reason = "the server sent a text frame that is not UTF-8".into();
                return end(Ended::Lost(reason), Some(answer), slow);
            }
            Some(Err(tungstenite::Error::Capacity(e))) => {
                warn!(error = %e, "a message is too big: closing (1009)");
                let answer = Close::new(Close::TOO_BIG, e.to_string());
                return end(Ended::Lost(e.to_string()), Some(answer), slow);
            }
            Some(Err(e)) => {
                return match close.take() {
                    Some(close) => end(Ended::Closed(close), None, slow),
                    None => end(Ended::Lost(e.to_string()), None, slow),
                };
            }
        };
        let item = match frame {
            Frame::Text(text) => match In::from_json(text.as_str()) {
                Ok(message) => {
                    if slow_down.as_ref().is_some_and(|says| says(&message)) {
                        debug!("the server announced downtime");
                        slow = true;
                    }
                    match route(shared, message, text.as_str()) {
                        Some(message) => Ok(message),
                        None => continue,
                    }
                }
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
        if let Err(Some(item)) = incoming.try_send(item) {
            // The queue is full (the application lags): wait for room in a
            // box, so that the reader's future does not keep room for a
            // message (448 bytes for Kraken's) while it waits for frames.
            let _ = Box::pin(incoming.send(item)).await;
        }
    }
}
