//! Fan-out: `WS_BENCH_FANOUT_CLIENTS` clients (default 500) on one server,
//! which broadcasts `WS_BENCH_FANOUT_FRAMES` ticker frames (default 200) to
//! all of them, as fast as it can.
//!
//! Ours: the runtime's server over the generated `public::Service`, whose
//! handler joins each connection to the group `ticker` in `on_connect`; the
//! frames go out through the service's `Handle` (`ChannelHandle::broadcast`:
//! encoded once, queued for each member, written by each connection's
//! writer task). Hand: a tokio-tungstenite server that keeps the sending
//! half of every connection in a list and, for each frame (encoded once),
//! loops over the list with `send` (one write and flush per frame and
//! connection), as a plain hand-written broadcast would.
//!
//! The clients are the same for both: raw tokio-tungstenite readers, one
//! task each. Each frame carries the time of its broadcast (nanoseconds
//! since the run began) as its `channelID`, so a reader's latency is its
//! receive time minus that. Frames/s: frames received over the time from
//! the first broadcast to the last frame received. Every frame is counted:
//! a reader that has not had all of them 30 s after the run began stops,
//! and what it missed is reported as lost.
//!
//! Latency is measured twice for every frame. *From its broadcast*: the
//! time stamped in the frame when the server was handed it. A server that
//! takes its time to accept the next frame (the loop writes frame k to every
//! connection before it takes frame k + 1) delays the stamp too, so its
//! queueing is not counted: the coordinated omission of a closed-loop
//! measure. *From when it was due*: the time the frame was ready to go —
//! for back-to-back runs the start of the burst (all frames exist at once,
//! as when an exchange publishes a burst of updates), for paced runs its
//! slot in the schedule (start + k × pace) — which counts every wait, the
//! way a user of the feed sees it. Frames reach a reader in order, so its
//! i-th frame is frame i of the schedule.

use crate::{env_or, hand_connect, Error, HandSocket, PingOnly};
use asyncapi_runtime::server::Server;
use asyncapi_showcase::kraken::channels::public::{self, ServerMessage};
use asyncapi_showcase::kraken::types;
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::WebSocketStream;

/// The group every connection joins.
const GROUP: &str = "ticker";

/// How long a run may take before readers stop and count what they missed.
const RUN_LIMIT: Duration = Duration::from_secs(30);

/// One fan-out run's results.
pub struct Fanout {
    /// Frames received per second.
    pub frames_per_sec: f64,
    /// The 99th percentile of broadcast-to-receipt latency.
    pub p99: Duration,
    /// The median of it.
    pub p50: Duration,
    /// The 99th percentile of the latency from when the frame was due.
    pub p99_due: Duration,
    /// The median of it.
    pub p50_due: Duration,
    /// Frames broadcast but not received.
    pub lost: u64,
}

/// A ticker frame as Kraken's documentation shows one (about 300 bytes of
/// JSON), its `channelID` the time of its broadcast.
fn ticker(sent_nanos: u64) -> types::Ticker {
    let level = |price: &str, whole: i64, volume: &str| {
        types::TickerBookLevel((price.into(), whole, volume.into()))
    };
    let pair = |today: &str, day: &str| types::TickerDecimals((today.into(), day.into()));
    types::Ticker((
        sent_nanos,
        types::TickerData {
            a: level("5525.40000", 1, "1.000"),
            b: level("5525.10000", 1, "1.000"),
            c: types::TickerLastTrade(("5525.10000".into(), "0.00398963".into())),
            h: pair("5783.00000", "5783.00000"),
            l: pair("5505.00000", "5505.00000"),
            o: pair("5760.70000", "5763.40000"),
            p: pair("5631.44067", "5653.78939"),
            t: types::TickerCounts((11493, 16267)),
            v: pair("2634.11501494", "3591.17907851"),
        },
        Default::default(),
        "XBT/USD".into(),
    ))
}

/// The `channelID` of a ticker frame (`[channelID, …]`); `None` for any
/// other frame.
fn sent_at(text: &str) -> Option<u64> {
    let rest = text.strip_prefix('[')?;
    let end = rest.find(|c: char| !c.is_ascii_digit())?;
    rest[..end].parse().ok()
}

/// What one reader saw: latencies in nanoseconds (from the broadcast, and
/// from when the frame was due), and when (nanoseconds since the run began)
/// its last frame came.
struct Seen {
    latencies: Vec<u64>,
    due: Vec<u64>,
    last: u64,
}

/// When frames are due: the first broadcast's time (nanoseconds since the
/// run began, set once before it) and the pace (zero: all at once).
#[derive(Clone)]
struct Schedule {
    start: Arc<AtomicU64>,
    pace: Duration,
}

impl Schedule {
    /// When frame `k` was due, in nanoseconds since the run began.
    fn due(&self, k: usize) -> u64 {
        self.start.load(Ordering::Acquire) + (self.pace * k as u32).as_nanos() as u64
    }
}

/// Reads `frames` ticker frames (or until `deadline`), timing each.
async fn reader(
    mut ws: HandSocket,
    frames: usize,
    epoch: Instant,
    schedule: Schedule,
    deadline: tokio::time::Instant,
) -> Result<Seen, Error> {
    let mut seen = Seen {
        latencies: Vec::with_capacity(frames),
        due: Vec::with_capacity(frames),
        last: 0,
    };
    while seen.latencies.len() < frames {
        let Ok(next) = tokio::time::timeout_at(deadline, ws.next()).await else {
            break;
        };
        let frame = next.ok_or("the server hung up")??;
        let Frame::Text(text) = frame else { continue };
        let Some(sent) = sent_at(text.as_str()) else {
            continue;
        };
        let now = epoch.elapsed().as_nanos() as u64;
        seen.due
            .push(now.saturating_sub(schedule.due(seen.latencies.len())));
        seen.latencies.push(now.saturating_sub(sent));
        seen.last = now;
    }
    Ok(seen)
}

type HandSink = SplitSink<WebSocketStream<TcpStream>, Frame>;

/// Which server broadcasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Broadcaster {
    /// The runtime's server, `ChannelHandle::broadcast`.
    Ours,
    /// A hand-written loop over the connections' sending halves, `send`
    /// (write and flush) per frame and connection.
    HandLoop,
    /// tokio-tungstenite's own broadcast example (`examples/server.rs`): an
    /// unbounded channel per connection, `forward`ed into its sending half
    /// by a task (which flushes when the channel is momentarily empty).
    HandForward,
}

impl Broadcaster {
    /// Its name in the log.
    pub fn name(self) -> &'static str {
        match self {
            Broadcaster::Ours => "ours",
            Broadcaster::HandLoop => "hand (loop, send per frame)",
            Broadcaster::HandForward => "hand (channel + forward per connection)",
        }
    }
}

/// A hand-written server on a port of the OS's choosing: each accepted
/// connection (no Nagle delay, handshake done) is handed to `serve` in a
/// task of its own.
async fn hand_server<F, Fut>(serve: F) -> Result<SocketAddr, Error>
where
    F: Fn(WebSocketStream<TcpStream>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let serve = Arc::new(serve);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let serve = serve.clone();
            tokio::spawn(async move {
                let _ = tcp.set_nodelay(true);
                if let Ok(ws) = tokio_tungstenite::accept_async(tcp).await {
                    serve(ws).await;
                }
            });
        }
    });
    Ok(addr)
}

/// The hand-written broadcasting server: the sending halves of its
/// connections, in a list; each connection's reading half is drained by a
/// task of its own (so that pings and closes are answered).
async fn hand_loop_server() -> Result<(SocketAddr, Arc<tokio::sync::Mutex<Vec<HandSink>>>), Error> {
    let sinks = Arc::new(tokio::sync::Mutex::new(Vec::new()));
    let list = sinks.clone();
    let addr = hand_server(move |ws| {
        let list = list.clone();
        async move {
            let (sink, mut stream) = ws.split();
            list.lock().await.push(sink);
            while let Some(Ok(_)) = stream.next().await {}
        }
    })
    .await?;
    Ok((addr, sinks))
}

type Senders = Arc<std::sync::Mutex<Vec<mpsc::UnboundedSender<Frame>>>>;

/// The hand-written server in the style of tokio-tungstenite's example:
/// per connection an unbounded channel (its sender in the list) and a task
/// forwarding it into the socket.
async fn hand_forward_server() -> Result<(SocketAddr, Senders), Error> {
    let senders = Senders::default();
    let list = senders.clone();
    let addr = hand_server(move |ws| {
        let list = list.clone();
        async move {
            let (sink, mut stream) = ws.split();
            let (tx, rx) = mpsc::unbounded_channel();
            if let Ok(mut list) = list.lock() {
                list.push(tx);
            }
            let frames = futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|frame| (Ok(frame), rx))
            });
            tokio::spawn(frames.forward(sink));
            while let Some(Ok(_)) = stream.next().await {}
        }
    })
    .await?;
    Ok((addr, senders))
}

/// Waits until `ready` says all clients are there (at most 10 s).
async fn wait_for(mut ready: impl AsyncFnMut() -> bool) -> Result<(), Error> {
    let give_up = Instant::now() + Duration::from_secs(10);
    while !ready().await {
        if Instant::now() > give_up {
            return Err("the clients did not all register within 10 s".into());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Ok(())
}

/// The server of a run, for broadcasting.
enum Sending {
    Ours(public::Handle),
    HandLoop(Arc<tokio::sync::Mutex<Vec<HandSink>>>),
    HandForward(Senders),
}

/// One fan-out run against a fresh server: `frames` frames to `clients`
/// clients, back to back (`pace` `None`) or one every `pace`.
pub async fn run(
    who: Broadcaster,
    clients: usize,
    frames: usize,
    pace: Option<Duration>,
) -> Result<Fanout, Error> {
    let (addr, sending) = match who {
        Broadcaster::Ours => {
            let service = public::Service::new(PingOnly { join: Some(GROUP) });
            let handle = service.handle();
            let server = Server::builder()
                .config(crate::our_server_config()?)
                .channel(service)
                .bind("127.0.0.1:0")
                .await?;
            let addr = server.local_addr();
            tokio::spawn(server.run());
            (addr, Sending::Ours(handle))
        }
        Broadcaster::HandLoop => {
            let (addr, sinks) = hand_loop_server().await?;
            (addr, Sending::HandLoop(sinks))
        }
        Broadcaster::HandForward => {
            let (addr, senders) = hand_forward_server().await?;
            (addr, Sending::HandForward(senders))
        }
    };
    let epoch = Instant::now();
    let deadline =
        tokio::time::Instant::now() + RUN_LIMIT + pace.unwrap_or_default() * frames as u32;
    let schedule = Schedule {
        start: Arc::new(AtomicU64::new(0)),
        pace: pace.unwrap_or_default(),
    };
    let mut readers = Vec::with_capacity(clients);
    for _ in 0..clients {
        let ws = hand_connect(addr).await?;
        readers.push(tokio::spawn(reader(
            ws,
            frames,
            epoch,
            schedule.clone(),
            deadline,
        )));
    }
    match &sending {
        Sending::Ours(handle) => wait_for(async || handle.group_size(GROUP) == clients).await?,
        Sending::HandLoop(sinks) => wait_for(async || sinks.lock().await.len() == clients).await?,
        Sending::HandForward(senders) => {
            wait_for(async || senders.lock().map_or(0, |l| l.len()) == clients).await?
        }
    }
    let start = tokio::time::Instant::now();
    let first = epoch.elapsed().as_nanos() as u64;
    schedule.start.store(first, Ordering::Release);
    let mut hand_sinks = match &sending {
        Sending::HandLoop(sinks) => Some(sinks.lock().await),
        _ => None,
    };
    for k in 0..frames {
        if let Some(pace) = pace {
            tokio::time::sleep_until(start + pace * k as u32).await;
        }
        let sent = epoch.elapsed().as_nanos() as u64;
        match &sending {
            Sending::Ours(handle) => {
                let queued = handle
                    .broadcast(GROUP, ServerMessage::Ticker(ticker(sent)))
                    .await?;
                if queued != clients {
                    return Err(format!("a broadcast was queued for {queued} of {clients}").into());
                }
            }
            Sending::HandLoop(_) => {
                let frame = Frame::text(serde_json::to_string(&ticker(sent))?);
                for sink in hand_sinks.iter_mut().flat_map(|s| s.iter_mut()) {
                    sink.send(frame.clone()).await?;
                }
            }
            Sending::HandForward(senders) => {
                let frame = Frame::text(serde_json::to_string(&ticker(sent))?);
                let list = senders.lock().map_err(|_| "the list's lock is poisoned")?;
                for tx in list.iter() {
                    tx.send(frame.clone())
                        .map_err(|_| "a connection's writer ended")?;
                }
            }
        }
    }
    drop(hand_sinks.take());
    let mut latencies = Vec::with_capacity(clients * frames);
    let mut due = Vec::with_capacity(clients * frames);
    let mut last = 0;
    for reader in readers {
        let seen = reader.await??;
        latencies.extend(seen.latencies);
        due.extend(seen.due);
        last = last.max(seen.last);
    }
    let received = latencies.len() as u64;
    let lost = (clients * frames) as u64 - received;
    if latencies.is_empty() {
        return Err("no frame was received".into());
    }
    latencies.sort_unstable();
    due.sort_unstable();
    let at = |sorted: &[u64], q: f64| {
        Duration::from_nanos(sorted[((sorted.len() - 1) as f64 * q) as usize])
    };
    Ok(Fanout {
        frames_per_sec: received as f64 / Duration::from_nanos(last - first).as_secs_f64(),
        p99: at(&latencies, 0.99),
        p50: at(&latencies, 0.5),
        p99_due: at(&due, 0.99),
        p50_due: at(&due, 0.5),
        lost,
    })
}

/// The fan-out's settings: clients, frames, and the pace of the paced
/// measure.
pub fn settings() -> Result<(usize, usize, Duration), Error> {
    Ok((
        env_or("WS_BENCH_FANOUT_CLIENTS", 500)?,
        env_or("WS_BENCH_FANOUT_FRAMES", 200)?,
        Duration::from_micros(env_or("WS_BENCH_FANOUT_PACE_US", 20_000)?),
    ))
}

/// The median (of frames/s, p50 and p99 each) of `runs` runs.
pub async fn median(who: Broadcaster, paced: bool, runs: usize) -> Result<Fanout, Error> {
    let (clients, frames, pace) = settings()?;
    let pace = paced.then_some(pace);
    let mut all = Vec::with_capacity(runs);
    for _ in 0..runs {
        let run = run(who, clients, frames, pace).await?;
        eprintln!(
            "fan-out{}, {} server, {clients} clients × {frames} frames: {:.0} frames/s, p50 {:.2} ms, p99 {:.2} ms (from when due: p50 {:.2} ms, p99 {:.2} ms), {} lost",
            if paced { " (paced)" } else { "" },
            who.name(),
            run.frames_per_sec,
            run.p50.as_secs_f64() * 1e3,
            run.p99.as_secs_f64() * 1e3,
            run.p50_due.as_secs_f64() * 1e3,
            run.p99_due.as_secs_f64() * 1e3,
            run.lost
        );
        all.push(run);
        // Let the closed connections of the run go before the next.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mid = all.len() / 2;
    let mut rates: Vec<f64> = all.iter().map(|r| r.frames_per_sec).collect();
    rates.sort_by(f64::total_cmp);
    let median_of = |get: fn(&Fanout) -> Duration| {
        let mut all: Vec<Duration> = all.iter().map(get).collect();
        all.sort_unstable();
        all[mid]
    };
    Ok(Fanout {
        frames_per_sec: rates[mid],
        p99: median_of(|r| r.p99),
        p50: median_of(|r| r.p50),
        p99_due: median_of(|r| r.p99_due),
        p50_due: median_of(|r| r.p50_due),
        lost: all.iter().map(|r| r.lost).sum(),
    })
}

/// The table's fan-out rows: `[ours, hand loop, hand forward]`, back to
/// back and paced.
pub fn rows(burst: &[Fanout; 3], paced: &[Fanout; 3]) -> Result<Vec<String>, Error> {
    let (clients, frames, pace) = settings()?;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mut rows = Vec::new();
    for (what, set) in [("back to back", burst), ("paced", paced)] {
        let what = if what == "paced" {
            format!("one broadcast every {:.0} ms", ms(pace))
        } else {
            what.to_owned()
        };
        let [ours, hand, forward] = set;
        rows.push(format!(
            "| fan-out {what}, {clients} clients × {frames} ticker frames, frames/s | {:.0} | {:.0} | {:.2}× (forward: {:.0}, {:.2}×) |",
            ours.frames_per_sec,
            hand.frames_per_sec,
            ours.frames_per_sec / hand.frames_per_sec,
            forward.frames_per_sec,
            ours.frames_per_sec / forward.frames_per_sec
        ));
        for (name, get) in [
            (
                "p99 latency, from when due",
                (|f: &Fanout| f.p99_due) as fn(&Fanout) -> Duration,
            ),
            ("p50 latency, from when due", |f: &Fanout| f.p50_due),
            ("p99 latency, from the broadcast", |f: &Fanout| f.p99),
            ("p50 latency, from the broadcast", |f: &Fanout| f.p50),
        ] {
            rows.push(format!(
                "| … {name} | {:.2} ms | {:.2} ms | {:.2}× (forward: {:.2} ms, {:.2}×) |",
                ms(get(ours)),
                ms(get(hand)),
                ms(get(ours)) / ms(get(hand)),
                ms(get(forward)),
                ms(get(ours)) / ms(get(forward))
            ));
        }
        rows.push(format!(
            "| … frames lost (all runs) | {} | {} | (forward: {}) |",
            ours.lost, hand.lost, forward.lost
        ));
    }
    Ok(rows)
}
