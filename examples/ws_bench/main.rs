//! A measurement, not a demo: the generated Kraken v1 client and the
//! runtime's server against a hand-written tokio-tungstenite client and
//! server, exchanging the same Kraken `ping`/`pong` and ticker frames
//! (issue 11).
//!
//! ```sh
//! ulimit -n 20000; cargo build --release --example ws_bench && \
//!   taskset -c 0 target/release/examples/ws_bench
//! ```
//!
//! Everything runs on loopback (127.0.0.1, ports from the OS) on a
//! single-threaded tokio runtime; `taskset -c 0` pins it (and the child
//! processes it starts) to one CPU, so that the VM's cross-CPU wake-ups do
//! not swamp the figures. Each pairing's round trips run in a fresh child
//! process, the pairings taking turns run after run.
//! Measured, for each of the four pairings of client (ours: the generated
//! `public::Client`; hand: a tokio-tungstenite loop) and server (ours: the
//! generated `public::Service` over a handler answering `ping`; hand: a
//! tokio-tungstenite loop that answers each `ping` with `send`):
//!
//! - sequential round trips/s: one `ping` at a time, each waiting for its
//!   `pong` (ours: `Sender::ping`; hand: `send`, then read until the `pong`
//!   with the same `reqid`);
//! - pipelined requests/s: 100 requests in flight (ours: 100 tasks, each
//!   calling `Sender::ping` in a loop; hand: one task that tops up to 100
//!   pings with `feed`, flushes once, and reads one `pong`);
//! - resident memory per idle connection: `VmRSS` from `/proc/self/status`
//!   before and after opening `WS_BENCH_IDLE` idle connections (default
//!   1000; each is a client and its server side, both in the process), in a
//!   fresh child process per pairing (freed memory is not given back to the
//!   OS, so one process cannot measure twice). Needs `ulimit -n` above twice
//!   the count. Then each side alone, `WS_BENCH_IDLE_ALONE` connections
//!   (default 10000; `ulimit -n` above it): our server and the hand-written
//!   one with the hand-written clients in another process, our client and
//!   the hand-written one with the hand-written server in another process;
//!   after each, the share of a CPU that side uses over the next
//!   `WS_BENCH_IDLE_CPU_SECS` seconds (default 10; `/proc/self/stat`) while
//!   its connections stay idle.
//!
//! - fan-out (`fanout.rs`): 500 clients (`WS_BENCH_FANOUT_CLIENTS`), each a
//!   raw tokio-tungstenite reader, on our server (`ChannelHandle::broadcast`
//!   to a group every connection joins) or a hand-written one (a loop over
//!   its connections' sending halves, `send` per frame and connection), 200
//!   ticker frames (`WS_BENCH_FANOUT_FRAMES`) broadcast to all: frames/s,
//!   p50 and p99 latency from broadcast to receipt and from when the frame
//!   was due (see `fanout.rs`), frames lost;
//! - an external load generator (`external.rs`): Python's `websockets`
//!   (`scripts/bench/ws_roundtrips.py`, `WS_BENCH_PYTHON`) driving `ping` →
//!   `pong` round trips against our server and the hand-written one.
//!
//! `WS_BENCH_ONLY=pingpong,fanout,external` (any of them) runs only those;
//! `WS_BENCH_FANOUT_ONLY=ours` (or `loop`, `forward`) runs one broadcaster's
//! back-to-back fan-out alone, for `perf`; `WS_BENCH_ROUND_TRIPS=ours:hand`
//! (client:server, each `ours` or `hand`; `ours:hand:pipelined` for 100 in
//! flight) one pairing's round trips alone (median of the runs), for
//! `perf`, and how the full run measures each pairing; `WS_BENCH_SERVE=ours` (or `hand`)
//! runs one ping/pong server alone, printing its URL, until stdin closes.
//!
//! Each client's loop runs in a spawned task; `WS_BENCH_BLOCK_ON=true` runs
//! it as the runtime's `block_on` future instead (as before issue 11's
//! request-path work; see `rate`).
//!
//! `WS_BENCH_RECORD=BENCHMARKS.md` writes the table into that file, between
//! its `<!-- ws_bench:begin -->` and `<!-- ws_bench:end -->` markers.
//!
//! `WS_BENCH_READ_BUF` and `WS_BENCH_WRITE_BUF` set the runtime's buffer
//! sizes ([`asyncapi_runtime::Buffers`], bytes) on both our sides,
//! `WS_BENCH_VALIDATE=false` turns off our server's schema validation
//! (`ServerConfig::validate`); unset, the runtime's defaults.
//!
//! Each throughput figure is the median of `WS_BENCH_RUNS` runs (default 3)
//! of `WS_BENCH_SECS` seconds (default 1). Defaults of both stacks: the
//! runtime's `ClientConfig::default()` / `ServerConfig::default()`, and
//! tungstenite's `WebSocketConfig::default()` for the hand-written loops.
//! Linux only (reads `/proc/self/status`).

mod external;
mod fanout;
mod idle;

use asyncapi_runtime::client::ClientConfig;
use asyncapi_runtime::server::{HandlerError, Replies, Server, ServerConfig};
use asyncapi_runtime::Buffers;
use asyncapi_showcase::kraken::channels::public::{
    self, Context, Handler, SubscribeReply, UnsubscribeReply,
};
use asyncapi_showcase::kraken::types;
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Requests in flight in the pipelined measure.
const IN_FLIGHT: usize = 100;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Which implementation plays a side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ours,
    Hand,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Ours => "ours",
            Kind::Hand => "hand",
        }
    }

    fn parse(text: &str) -> Result<Kind, Error> {
        match text {
            "ours" => Ok(Kind::Ours),
            "hand" => Ok(Kind::Hand),
            other => Err(format!("unknown side `{other}` (ours or hand)").into()),
        }
    }
}

const PAIRINGS: [(Kind, Kind); 4] = [
    (Kind::Ours, Kind::Ours),
    (Kind::Hand, Kind::Hand),
    (Kind::Ours, Kind::Hand),
    (Kind::Hand, Kind::Ours),
];

// ---- the hand-written side: the frames as a hand-written loop types them ----

#[derive(Serialize)]
struct PingOut {
    event: &'static str,
    reqid: u64,
}

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(borrow)]
    event: &'a str,
    reqid: Option<u64>,
}

#[derive(Serialize)]
struct PongOut {
    event: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reqid: Option<u64>,
}

type HandSocket = WebSocketStream<MaybeTlsStream<TcpStream>>;

fn ping_frame(reqid: u64) -> Result<Frame, Error> {
    let text = serde_json::to_string(&PingOut {
        event: "ping",
        reqid,
    })?;
    Ok(Frame::text(text))
}

/// The `reqid` of a `pong` frame; `None` for any other frame.
fn pong_reqid(frame: &Frame) -> Option<Option<u64>> {
    let Frame::Text(text) = frame else {
        return None;
    };
    let event: Event = serde_json::from_str(text.as_str()).ok()?;
    (event.event == "pong").then_some(event.reqid)
}

/// The hand-written server: one task per connection, each `ping` answered
/// with a `pong` carrying its `reqid` (`send`: one flush per frame).
async fn hand_server() -> Result<SocketAddr, Error> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = tcp.set_nodelay(true);
                let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                while let Some(Ok(frame)) = ws.next().await {
                    let Frame::Text(text) = frame else { continue };
                    let Ok(event) = serde_json::from_str::<Event>(text.as_str()) else {
                        continue;
                    };
                    if event.event != "ping" {
                        continue;
                    }
                    let pong = PongOut {
                        event: "pong",
                        reqid: event.reqid,
                    };
                    let Ok(text) = serde_json::to_string(&pong) else {
                        return;
                    };
                    if ws.send(Frame::text(text)).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok(addr)
}

async fn hand_connect(addr: SocketAddr) -> Result<HandSocket, Error> {
    let url = format!("ws://{addr}/");
    let (ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true).await?;
    Ok(ws)
}

async fn hand_sequential(addr: SocketAddr, secs: Duration) -> Result<u64, Error> {
    let mut ws = hand_connect(addr).await?;
    let start = Instant::now();
    let mut done = 0u64;
    while start.elapsed() < secs {
        ws.send(ping_frame(done)?).await?;
        loop {
            let frame = ws.next().await.ok_or("the server hung up")??;
            if pong_reqid(&frame) == Some(Some(done)) {
                break;
            }
        }
        done += 1;
    }
    Ok(done)
}

async fn hand_pipelined(addr: SocketAddr, secs: Duration) -> Result<u64, Error> {
    let mut ws = hand_connect(addr).await?;
    let start = Instant::now();
    let (mut sent, mut done) = (0u64, 0u64);
    while start.elapsed() < secs {
        while sent - done < IN_FLIGHT as u64 {
            ws.feed(ping_frame(sent)?).await?;
            sent += 1;
        }
        ws.flush().await?;
        let frame = ws.next().await.ok_or("the server hung up")??;
        if pong_reqid(&frame).is_some() {
            done += 1;
        }
    }
    Ok(done)
}

// ---- our side: the generated client and server ----

/// A `public` handler that answers `ping` and nothing else; with a group,
/// it puts every connection in it (for the fan-out's broadcasts).
pub(crate) struct PingOnly {
    pub(crate) join: Option<&'static str>,
}

impl Handler for PingOnly {
    async fn on_connect(&self, ctx: &Context) -> Result<(), HandlerError> {
        if let Some(group) = self.join {
            ctx.join(group);
        }
        Ok(())
    }

    async fn ping(
        &self,
        _ctx: &Context,
        _message: types::Ping,
    ) -> Result<Replies<types::Pong>, HandlerError> {
        Ok(types::Pong {
            event: Default::default(),
            reqid: None,
        }
        .into())
    }

    async fn subscribe(
        &self,
        _ctx: &Context,
        _message: types::Subscribe,
    ) -> Result<Replies<SubscribeReply>, HandlerError> {
        Err(HandlerError::new("this benchmark serves ping only"))
    }

    async fn unsubscribe(
        &self,
        _ctx: &Context,
        _message: types::Unsubscribe,
    ) -> Result<Replies<UnsubscribeReply>, HandlerError> {
        Err(HandlerError::new("this benchmark serves ping only"))
    }
}

/// The runtime's buffer sizes, from the environment or its defaults.
fn our_buffers() -> Result<Buffers, Error> {
    let defaults = Buffers::default();
    Ok(Buffers {
        read: env_or("WS_BENCH_READ_BUF", defaults.read)?,
        write: env_or("WS_BENCH_WRITE_BUF", defaults.write)?,
    })
}

/// The runtime's server configuration: its defaults, the buffers and
/// whether frames are validated (`WS_BENCH_VALIDATE=false`) from the
/// environment.
fn our_server_config() -> Result<ServerConfig, Error> {
    Ok(ServerConfig {
        buffers: our_buffers()?,
        validate: env_or("WS_BENCH_VALIDATE", ServerConfig::default().validate)?,
        ..ServerConfig::default()
    })
}

async fn our_server() -> Result<SocketAddr, Error> {
    let config = our_server_config()?;
    let server = Server::builder()
        .config(config)
        .channel(public::Service::new(PingOnly { join: None }))
        .bind("127.0.0.1:0")
        .await?;
    let addr = server.local_addr();
    tokio::spawn(server.run());
    Ok(addr)
}

async fn our_connect(addr: SocketAddr) -> Result<public::Client, Error> {
    let url = format!("ws://{addr}/");
    let config = ClientConfig::default().with_buffers(our_buffers()?);
    Ok(public::Client::connect_url(&url, config).await?)
}

fn ping() -> types::Ping {
    types::Ping {
        event: Default::default(),
        reqid: None,
    }
}

async fn our_sequential(addr: SocketAddr, secs: Duration) -> Result<u64, Error> {
    let client = our_connect(addr).await?;
    let start = Instant::now();
    let mut done = 0u64;
    while start.elapsed() < secs {
        client.ping(ping()).await?;
        done += 1;
    }
    Ok(done)
}

async fn our_pipelined(addr: SocketAddr, secs: Duration) -> Result<u64, Error> {
    let client = our_connect(addr).await?;
    let start = Instant::now();
    let workers: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let sender = client.sender();
            tokio::spawn(async move {
                let mut done = 0u64;
                while start.elapsed() < secs {
                    sender.ping(ping()).await?;
                    done += 1;
                }
                Ok::<u64, Error>(done)
            })
        })
        .collect();
    let mut total = 0;
    for worker in workers {
        total += worker.await??;
    }
    Ok(total)
}

// ---- measuring ----

async fn server(kind: Kind) -> Result<SocketAddr, Error> {
    match kind {
        Kind::Ours => our_server().await,
        Kind::Hand => hand_server().await,
    }
}

/// Requests per second of `client` against `server`, the median of `runs`.
async fn rate(
    client: Kind,
    server_kind: Kind,
    pipelined: bool,
    secs: Duration,
    runs: usize,
) -> Result<f64, Error> {
    let addr = server(server_kind).await?;
    let mut rates = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let one = async move {
            match (client, pipelined) {
                (Kind::Ours, false) => our_sequential(addr, secs).await,
                (Kind::Ours, true) => our_pipelined(addr, secs).await,
                (Kind::Hand, false) => hand_sequential(addr, secs).await,
                (Kind::Hand, true) => hand_pipelined(addr, secs).await,
            }
        };
        // In a task of its own, as an application's would be: a `block_on`
        // future woken by another task (our client's connection task hands
        // it the reply) makes tokio poll the driver once more before
        // running it (one `epoll_wait` with no timeout a round trip), which
        // a loop woken by its socket does not pay.
        let done = if env_or("WS_BENCH_BLOCK_ON", false)? {
            one.await?
        } else {
            tokio::spawn(one).await??
        };
        rates.push(done as f64 / start.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    Ok(rates[rates.len() / 2])
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> Result<T, Error> {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .map_err(|_| format!("{name}={text} is not a valid value").into()),
        Err(_) => Ok(default),
    }
}

fn ratio(ours: f64, hand: f64) -> String {
    format!("{:.2}×", ours / hand)
}

fn main() -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let count: usize = env_or("WS_BENCH_IDLE", 1000)?;
    if let Ok(role) = std::env::var("WS_BENCH_PEER") {
        return runtime.block_on(idle::peer(&role, count));
    }
    if let Ok(kind) = std::env::var("WS_BENCH_SERVE") {
        // One server alone (`ours` or `hand`), for an outside client or a
        // profiler: prints its address, serves until stdin closes.
        let kind = Kind::parse(&kind)?;
        return runtime.block_on(async {
            println!("ws://{}/", server(kind).await?);
            let (done, ended) = tokio::sync::oneshot::channel::<()>();
            std::thread::spawn(move || {
                for line in std::io::stdin().lines() {
                    if line.is_err() {
                        break;
                    }
                }
                drop(done);
            });
            let _ = ended.await;
            Ok(())
        });
    }
    if let Ok(which) = std::env::var("WS_BENCH_SIDE") {
        let (side, kind) = which.split_once(':').ok_or("WS_BENCH_SIDE=side:kind")?;
        let cpu_secs = env_or("WS_BENCH_IDLE_CPU_SECS", 10.0)?;
        let (kib, cpu) =
            runtime.block_on(idle::side_kib(side, Kind::parse(kind)?, count, cpu_secs))?;
        println!("{kib:.2} {cpu:.4}");
        return Ok(());
    }
    if let Ok(pairing) = std::env::var("WS_BENCH_CHILD") {
        let (client, server_kind) = pairing
            .split_once(':')
            .ok_or("WS_BENCH_CHILD=client:server")?;
        let (client, server_kind) = (Kind::parse(client)?, Kind::parse(server_kind)?);
        let kib = runtime.block_on(idle::idle_kib(client, server_kind, count))?;
        println!("{kib:.2}");
        return Ok(());
    }
    let secs = Duration::from_secs_f64(env_or("WS_BENCH_SECS", 1.0)?);
    let runs: usize = env_or::<usize>("WS_BENCH_RUNS", 3)?.max(1);
    if let Ok(who) = std::env::var("WS_BENCH_FANOUT_ONLY") {
        // One broadcaster alone, back to back, for profiling (no table).
        use fanout::Broadcaster::{HandForward, HandLoop, Ours};
        let who = match who.as_str() {
            "ours" => Ours,
            "loop" => HandLoop,
            "forward" => HandForward,
            other => {
                return Err(format!("WS_BENCH_FANOUT_ONLY={other}: ours, loop or forward").into())
            }
        };
        runtime.block_on(fanout::median(who, false, runs))?;
        return Ok(());
    }
    if let Ok(pairing) = std::env::var("WS_BENCH_ROUND_TRIPS") {
        // One pairing's round trips alone (`ours:hand`: our client against
        // the hand-written server; `ours:hand:pipelined`: 100 in flight),
        // for profiling, and how the full run measures each pairing.
        let mut parts = pairing.split(':');
        let usage = "WS_BENCH_ROUND_TRIPS=client:server[:pipelined]";
        let client = Kind::parse(parts.next().ok_or(usage)?)?;
        let server_kind = Kind::parse(parts.next().ok_or(usage)?)?;
        let pipelined = match parts.next() {
            None => false,
            Some("pipelined") => true,
            Some(_) => return Err(usage.into()),
        };
        let rate = runtime.block_on(rate(client, server_kind, pipelined, secs, runs))?;
        println!("{rate:.0} round trips/s");
        return Ok(());
    }
    let only = std::env::var("WS_BENCH_ONLY").unwrap_or_else(|_| SECTIONS.join(","));
    let sections: Vec<&str> = only.split(',').map(str::trim).collect();
    if let Some(unknown) = sections.iter().find(|s| !SECTIONS.contains(s)) {
        return Err(format!("WS_BENCH_ONLY: unknown section `{unknown}` (of {SECTIONS:?})").into());
    }
    let mut rows = Vec::new();
    if sections.contains(&"pingpong") {
        rows.extend(ping_pong(secs, runs, count)?);
    }
    if sections.contains(&"fanout") {
        use fanout::Broadcaster::{HandForward, HandLoop, Ours};
        let measure = |paced| -> Result<[fanout::Fanout; 3], Error> {
            Ok([
                runtime.block_on(fanout::median(Ours, paced, runs))?,
                runtime.block_on(fanout::median(HandLoop, paced, runs))?,
                runtime.block_on(fanout::median(HandForward, paced, runs))?,
            ])
        };
        let burst = measure(false)?;
        let paced = measure(true)?;
        rows.extend(fanout::rows(&burst, &paced)?);
    }
    if sections.contains(&"external") {
        let (ours, hand) = runtime.block_on(external::round_trips(runs))?;
        rows.push(format!(
            "| sequential round trips/s, Python `websockets` client ({}) | {ours:.0} | {hand:.0} | {} |",
            external::describe()?,
            ratio(ours, hand)
        ));
    }
    let mut table =
        String::from("| measure | ours | hand-written | ratio |\n|---|---:|---:|---:|\n");
    for row in rows {
        table.push_str(&row);
        table.push('\n');
    }
    print!("{table}");
    record(&table)
}

/// The markers between which `WS_BENCH_RECORD` writes the table.
const RECORD_MARKERS: (&str, &str) = ("<!-- ws_bench:begin -->", "<!-- ws_bench:end -->");

/// With `WS_BENCH_RECORD=path` (e.g. `BENCHMARKS.md`): the table written
/// into that file between its markers (`<!-- ws_bench:begin -->` and
/// `<!-- ws_bench:end -->`), with the sections run, the load average and
/// the commit, replacing the table recorded before.
fn record(table: &str) -> Result<(), Error> {
    let Ok(path) = std::env::var("WS_BENCH_RECORD") else {
        return Ok(());
    };
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("WS_BENCH_RECORD={path}: {e}"))?;
    let (begin, end) = RECORD_MARKERS;
    let (Some(start), Some(stop)) = (text.find(begin), text.find(end)) else {
        return Err(format!("WS_BENCH_RECORD={path}: no `{begin}` … `{end}` in it").into());
    };
    if stop < start {
        return Err(format!("WS_BENCH_RECORD={path}: `{end}` before `{begin}`").into());
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    let commit = std::process::Command::new("git")
        .args(["describe", "--always", "--dirty"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned());
    let sections = std::env::var("WS_BENCH_ONLY").unwrap_or_else(|_| SECTIONS.join(","));
    let recorded = format!(
        "{begin}\n\nRecorded by `WS_BENCH_RECORD={path}` at commit `{commit}` \
         (sections: {sections}; load average at the end: {}):\n\n{table}\n{end}",
        load.join(" ")
    );
    let updated = format!("{}{recorded}{}", &text[..start], &text[stop + end.len()..]);
    std::fs::write(&path, updated).map_err(|e| format!("WS_BENCH_RECORD={path}: {e}"))?;
    eprintln!("recorded the table in {path}");
    Ok(())
}

/// Sequential and pipelined round trips/s of each pairing (in the order of
/// `PAIRINGS`), each run in a fresh child process (`WS_BENCH_ROUND_TRIPS`,
/// one run each), the pairings taking turns run after run so that a load
/// drifting over the measure slows them alike: the median of `runs` runs.
/// In one process, the pairings measured later ran beside the servers and
/// connections the earlier ones left, and single runs moved by ±15 %.
fn round_trips_in_children(secs: Duration, runs: usize) -> Result<(Vec<f64>, Vec<f64>), Error> {
    let mut seq = vec![Vec::with_capacity(runs); PAIRINGS.len()];
    let mut pipe = vec![Vec::with_capacity(runs); PAIRINGS.len()];
    for _ in 0..runs {
        for (i, (client, server_kind)) in PAIRINGS.into_iter().enumerate() {
            for (rates, mode) in [(&mut seq, ""), (&mut pipe, ":pipelined")] {
                let output = std::process::Command::new(std::env::current_exe()?)
                    .env(
                        "WS_BENCH_ROUND_TRIPS",
                        format!("{}:{}{mode}", client.name(), server_kind.name()),
                    )
                    .env("WS_BENCH_RUNS", "1")
                    .env("WS_BENCH_SECS", secs.as_secs_f64().to_string())
                    .output()?;
                let stdout = String::from_utf8_lossy(&output.stdout);
                let rate = stdout
                    .split_whitespace()
                    .next()
                    .and_then(|n| n.parse::<f64>().ok())
                    .filter(|_| output.status.success())
                    .ok_or_else(|| {
                        format!(
                            "the round-trip child failed: {stdout}{}",
                            String::from_utf8_lossy(&output.stderr)
                        )
                    })?;
                rates[i].push(rate);
            }
        }
    }
    let median = |mut runs: Vec<f64>| {
        runs.sort_by(f64::total_cmp);
        runs[runs.len() / 2]
    };
    Ok((
        seq.into_iter().map(median).collect(),
        pipe.into_iter().map(median).collect(),
    ))
}

/// The sections of the measure, all run unless `WS_BENCH_ONLY` (a comma-
/// separated list of them) says otherwise.
const SECTIONS: [&str; 3] = ["pingpong", "fanout", "external"];

/// The ping/pong rows: round trips, pipelined, idle memory.
fn ping_pong(secs: Duration, runs: usize, count: usize) -> Result<Vec<String>, Error> {
    let (seq, pipe) = round_trips_in_children(secs, runs)?;
    let mut idle = Vec::new();
    for (i, (client, server_kind)) in PAIRINGS.into_iter().enumerate() {
        let pairing = format!("{}:{}", client.name(), server_kind.name());
        let kib = idle::idle_in_child("WS_BENCH_CHILD", pairing, count)?;
        idle.push(*kib.first().ok_or("the idle-memory child printed nothing")?);
        eprintln!(
            "{} client, {} server: {:.0} round trips/s, {:.0} pipelined/s, {:.1} KiB/idle connection",
            client.name(),
            server_kind.name(),
            seq[i],
            pipe[i],
            idle.last().unwrap_or(&0.0),
        );
    }
    let alone_count: usize = env_or("WS_BENCH_IDLE_ALONE", 10_000)?;
    let (mut alone, mut alone_cpu) = (Vec::new(), Vec::new());
    for side in ["server", "client"] {
        for kind in [Kind::Ours, Kind::Hand] {
            let measured = idle::idle_in_child(
                "WS_BENCH_SIDE",
                format!("{side}:{}", kind.name()),
                alone_count,
            )?;
            let [kib, cpu] = measured[..] else {
                return Err(format!("the idle child printed {measured:?}").into());
            };
            alone.push(kib);
            alone_cpu.push(cpu);
        }
    }
    // PAIRINGS: [0] ours/ours, [1] hand/hand, [2] our client/hand server,
    // [3] hand client/our server.
    let mut rows = Vec::new();
    rows.push(format!(
        "| sequential round trips/s, whole stack | {:.0} | {:.0} | {} |",
        seq[0],
        seq[1],
        ratio(seq[0], seq[1])
    ));
    rows.push(format!(
        "| … our client alone (both against the hand-written server) | {:.0} | {:.0} | {} |",
        seq[2],
        seq[1],
        ratio(seq[2], seq[1])
    ));
    rows.push(format!(
        "| … our server alone (both with the hand-written client) | {:.0} | {:.0} | {} |",
        seq[3],
        seq[1],
        ratio(seq[3], seq[1])
    ));
    rows.push(format!(
        "| pipelined requests/s ({IN_FLIGHT} in flight), whole stack | {:.0} | {:.0} | {} |",
        pipe[0],
        pipe[1],
        ratio(pipe[0], pipe[1])
    ));
    rows.push(format!(
        "| … our client alone | {:.0} | {:.0} | {} |",
        pipe[2],
        pipe[1],
        ratio(pipe[2], pipe[1])
    ));
    rows.push(format!(
        "| … our server alone | {:.0} | {:.0} | {} |",
        pipe[3],
        pipe[1],
        ratio(pipe[3], pipe[1])
    ));
    rows.push(format!(
        "| KiB per idle connection ({count}; client + server side), whole stack | {:.1} | {:.1} | {} |",
        idle[0],
        idle[1],
        ratio(idle[0], idle[1])
    ));
    rows.push(format!(
        "| … our client side (against the hand-written server) | {:.1} | {:.1} | {} |",
        idle[2],
        idle[1],
        ratio(idle[2], idle[1])
    ));
    rows.push(format!(
        "| … our server side (with the hand-written client) | {:.1} | {:.1} | {} |",
        idle[3],
        idle[1],
        ratio(idle[3], idle[1])
    ));
    rows.push(format!(
        "| KiB per idle connection ({alone_count}), server side alone (hand-written clients in another process) | {:.1} | {:.1} | {} |",
        alone[0],
        alone[1],
        ratio(alone[0], alone[1])
    ));
    rows.push(format!(
        "| KiB per idle connection ({alone_count}), client side alone (hand-written server in another process) | {:.1} | {:.1} | {} |",
        alone[2],
        alone[3],
        ratio(alone[2], alone[3])
    ));
    let cpu_secs: f64 = env_or("WS_BENCH_IDLE_CPU_SECS", 10.0)?;
    for (i, side) in [(0, "server"), (2, "client")] {
        rows.push(format!(
            "| CPU at {alone_count} idle connections over {cpu_secs} s, {side} side alone | {:.1}% | {:.1}% | — |",
            alone_cpu[i] * 100.0,
            alone_cpu[i + 1] * 100.0,
        ));
    }
    Ok(rows)
}
