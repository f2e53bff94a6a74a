//! What the client and the server share about WebSocket connections: close
//! frames, the limits on what a peer may send, and buffer sizes.

use std::fmt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};

/// A WebSocket close frame: a status code (RFC 6455 §7.4) and a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Close {
    /// The status code, e.g. 1000 (normal), 1001 (going away), 1007 (invalid
    /// data), 1008 (policy violation), 1009 (message too big), 1011 (internal error).
    pub code: u16,
    /// The reason given, possibly empty.
    pub reason: String,
}

impl Close {
    /// 1000: the purpose of the connection is fulfilled.
    pub const NORMAL: u16 = 1000;
    /// 1001: the endpoint is going away (a server shutting down).
    pub const GOING_AWAY: u16 = 1001;
    /// 1003: the endpoint cannot accept this kind of data.
    pub const UNSUPPORTED: u16 = 1003;
    /// 1007: a message's data is not of its type (a text frame that is not
    /// UTF-8).
    pub const INVALID_DATA: u16 = 1007;
    /// 1008: the peer broke a policy (e.g. it does not read what it is sent).
    pub const POLICY: u16 = 1008;
    /// 1009: a message was too big to process.
    pub const TOO_BIG: u16 = 1009;
    /// 1011: the endpoint met an unexpected condition.
    pub const INTERNAL_ERROR: u16 = 1011;

    /// A close frame with `code` and `reason`.
    pub fn new(code: u16, reason: impl Into<String>) -> Self {
        Close {
            code,
            reason: reason.into(),
        }
    }

    pub(crate) fn to_frame(&self) -> CloseFrame {
        // A close reason may hold at most 123 bytes (RFC 6455 §5.5).
        let mut reason = self.reason.as_str();
        while reason.len() > 123 {
            let mut cut = 123;
            while !reason.is_char_boundary(cut) {
                cut -= 1;
            }
            reason = &reason[..cut];
        }
        CloseFrame {
            code: CloseCode::from(self.code),
            reason: reason.into(),
        }
    }

    pub(crate) fn from_frame(frame: &CloseFrame) -> Self {
        Close {
            code: frame.code.into(),
            reason: frame.reason.as_str().to_owned(),
        }
    }
}

impl fmt::Display for Close {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.reason.is_empty() {
            write!(f, "code {}", self.code)
        } else {
            write!(f, "code {}: {}", self.code, self.reason)
        }
    }
}

/// A connection stream: TCP, TLS over TCP, an upgraded HTTP connection or
/// an in-memory pipe.
pub(crate) trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A boxed connection stream: a plain TCP connection does not carry the
/// room of a TLS session (about 1 KiB) for as long as it is open.
pub(crate) type BoxIo = Box<dyn Io>;

/// How many queued frames a writer writes before one flush, at most: it
/// writes what is queued when it wakes up (at least one frame) and flushes
/// once, instead of flushing after every frame; the cap keeps pings and
/// closing on time while senders keep the queue full.
pub(crate) const BATCH: usize = 128;

/// When to send the next WebSocket ping, if pings are sent at all.
pub(crate) struct Pinger(Option<tokio::time::Interval>);

impl Pinger {
    /// Pings every `every` (the first after one interval), or never.
    pub(crate) fn new(every: Option<std::time::Duration>) -> Self {
        Pinger(every.map(|every| {
            let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticker
        }))
    }

    /// Resolves when the next ping is due (never, without pings).
    pub(crate) async fn due(&mut self) {
        match &mut self.0 {
            Some(ticker) => {
                ticker.tick().await;
            }
            None => std::future::pending::<()>().await,
        }
    }
}

/// A limit on how long a read may wait for the peer's next frame, with one
/// timer for the whole connection: each [`IdleLimit::next`] gives up when
/// the limit passes from its call without an item, like a fresh
/// `tokio::time::timeout` around each read, but the timer is re-armed only
/// when it fires early (not registered and cancelled for every frame).
pub(crate) struct IdleLimit {
    limit: Option<(std::time::Duration, std::pin::Pin<Box<tokio::time::Sleep>>)>,
    /// When the read now waiting began.
    since: tokio::time::Instant,
}

impl IdleLimit {
    /// Reads give up after `limit` (never, without one).
    pub(crate) fn new(limit: Option<std::time::Duration>) -> Self {
        let since = tokio::time::Instant::now();
        IdleLimit {
            limit: limit.map(|limit| (limit, Box::pin(tokio::time::sleep_until(since + limit)))),
            since,
        }
    }

    /// The limit.
    pub(crate) fn limit(&self) -> Option<std::time::Duration> {
        self.limit.as_ref().map(|(limit, _)| *limit)
    }

    /// The stream's next item; `None` when the limit passed first.
    pub(crate) async fn next<St>(&mut self, stream: &mut St) -> Option<Option<St::Item>>
    where
        St: futures_util::Stream + Unpin,
    {
        use futures_util::StreamExt;
        let Some((limit, sleep)) = &mut self.limit else {
            return Some(stream.next().await);
        };
        self.since = tokio::time::Instant::now();
        loop {
            tokio::select! {
                biased;
                item = stream.next() => return Some(item),
                () = sleep.as_mut() => {
                    // Set for an earlier read: wait on until this one's limit.
                    let due = self.since + *limit;
                    if tokio::time::Instant::now() >= due {
                        return None;
                    }
                    sleep.as_mut().reset(due);
                }
            }
        }
    }
}

/// Waits until the value watched is set (or its sender is gone).
pub(crate) async fn until_set<T>(rx: &mut tokio::sync::watch::Receiver<Option<T>>) {
    until(rx, Option::is_some).await;
}

/// Waits until the value watched satisfies `ready` (or its sender is gone).
/// The guard `wait_for` returns is not `Send`: here it never lives across
/// an `await`, so futures that wait this way can be spawned.
pub(crate) async fn until<T>(
    rx: &mut tokio::sync::watch::Receiver<T>,
    ready: impl FnMut(&T) -> bool,
) {
    let _ = rx.wait_for(ready).await;
}

/// How big a message (and each of its frames) a peer may send; bigger ones
/// close the connection with 1009.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest message, in bytes, after reassembling its frames.
    pub max_message_size: usize,
    /// The largest single frame, in bytes.
    pub max_frame_size: usize,
}

impl Limits {
    /// tungstenite's settings for these limits and `buffers`.
    pub(crate) fn websocket_config(&self, buffers: Buffers) -> WebSocketConfig {
        // tungstenite panics unless its write buffer's cap is above the
        // write buffer size; the cap stays unbounded (the outgoing queues
        // bound what waits to be written).
        let write = buffers.write.min(usize::MAX - 1);
        WebSocketConfig::default()
            .max_message_size(Some(self.max_message_size))
            .max_frame_size(Some(self.max_frame_size))
            .read_buffer_size(buffers.read)
            .write_buffer_size(write)
            .max_write_buffer_size(usize::MAX)
    }
}

/// How much memory a connection keeps for reading and writing frames.
/// Small buffers make an idle connection cheap; neither limits the size of
/// a message (see [`Limits`]), the buffers grow for bigger ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buffers {
    /// How many bytes are read from the socket at once (default 2 KiB;
    /// tungstenite's own default is 128 KiB, zero-filled before every read).
    /// A server's connection allocates this much on its first read; a
    /// client's keeps the buffer of its handshake (4 KiB) and reads at most
    /// this much into it at once.
    pub read: usize,
    /// How many bytes of written frames collect before they go to the
    /// socket, when frames are queued without a flush (default 4 KiB; 0:
    /// every frame is written at once). A flush writes them whatever their
    /// size.
    pub write: usize,
}

impl Default for Buffers {
    fn default() -> Self {
        Buffers {
            read: 2 << 10,
            write: 4 << 10,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn idle_limits_count_from_each_read() {
        use std::time::Duration;
        use tokio::time::{advance, Instant};
        let ms = Duration::from_millis;
        // Items 200 ms apart: each read waits less than the 300 ms limit,
        // though the first timer was set for 300 ms after the start.
        let (tx, rx) = tokio::sync::mpsc::channel::<u32>(1);
        let mut stream = tokio_stream_like(rx);
        tokio::spawn(async move {
            for n in 0..4 {
                tokio::time::sleep(ms(200)).await;
                let _ = tx.send(n).await;
            }
            // Then silence, with the sender kept.
            std::future::pending::<()>().await;
        });
        let mut idle = IdleLimit::new(Some(ms(300)));
        for n in 0..4 {
            assert_eq!(idle.next(&mut stream).await, Some(Some(n)));
        }
        let start = Instant::now();
        assert_eq!(idle.next(&mut stream).await, None);
        assert_eq!(start.elapsed(), ms(300));
        // A read that begins late still gets its whole limit.
        advance(ms(1000)).await;
        let start = Instant::now();
        assert_eq!(idle.next(&mut stream).await, None);
        assert_eq!(start.elapsed(), ms(300));
        // No limit: reads wait as long as it takes.
        let mut unlimited = IdleLimit::new(None);
        let (tx, rx) = tokio::sync::mpsc::channel::<u32>(1);
        let mut stream = tokio_stream_like(rx);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            let _ = tx.send(7).await;
        });
        assert_eq!(unlimited.next(&mut stream).await, Some(Some(7)));
    }

    /// A receiver as a stream.
    fn tokio_stream_like<T>(
        rx: tokio::sync::mpsc::Receiver<T>,
    ) -> impl futures_util::Stream<Item = T> + Unpin {
        Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        }))
    }

    #[test]
    fn long_reasons_are_cut_on_a_char_boundary() {
        let close = Close::new(Close::POLICY, "é".repeat(100));
        let frame = close.to_frame();
        assert!(frame.reason.len() <= 123);
        assert_eq!(u16::from(frame.code), 1008);
        assert_eq!(Close::from_frame(&frame).reason.chars().count(), 61);
        assert_eq!(Close::new(1000, "").to_string(), "code 1000");
    }

    #[test]
    fn buffer_sizes_reach_tungstenite_and_never_make_it_panic() {
        let limits = Limits {
            max_message_size: 1 << 20,
            max_frame_size: 1 << 16,
        };
        let config = limits.websocket_config(Buffers::default());
        assert_eq!(config.read_buffer_size, 2048);
        assert_eq!(config.write_buffer_size, 4096);
        assert_eq!(config.max_message_size, Some(1 << 20));
        assert_eq!(config.max_frame_size, Some(1 << 16));
        let huge = limits.websocket_config(Buffers {
            read: 1,
            write: usize::MAX,
        });
        assert!(huge.max_write_buffer_size > huge.write_buffer_size);
    }
}
