//! A measurement, not a demo: how much memory the server holds while clients
//! subscribe to fast feeds and then never read, and whether a client that
//! does read keeps being served meanwhile.
//!
//! ```sh
//! cargo run --release --example slow_readers -- [SLOW_CLIENTS] [SECONDS] [QUEUE_POLICY]
//! ```
//!
//! `QUEUE_POLICY` is `close` (the default: a connection whose queue of
//! 1,024 frames is full is closed with 1008), `drop` (its frames are dropped)
//! or `wait` (the feed waits). The mock Kraken (one process, loopback,
//! ports from the OS) pushes book, trade and ticker frames every
//! millisecond; each slow client subscribes to all three on 3 pairs and
//! stops reading. The process's resident memory (`VmRSS`) is sampled every
//! 100 ms. Printed: memory before, at its peak and at the end, how many slow
//! connections the server still holds, and how many frames the reading
//! client got. Linux only (reads `/proc/self/status`).

use asyncapi_runtime::server::{ServerConfig, WhenFull};
use asyncapi_showcase::kraken::channels::public::{Client, ServerMessage};
use asyncapi_showcase::kraken::types;
use asyncapi_showcase::mock::{KrakenMock, MockConfig};
use futures_util::SinkExt;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message as Frame;

const PAIRS: [&str; 3] = ["XBT/USD", "ETH/USD", "XBT/EUR"];

/// The process's resident memory in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let slow: usize = args.next().map_or(Ok(200), |a| a.parse())?;
    let seconds: u64 = args.next().map_or(Ok(10), |a| a.parse())?;
    let when_full = match args.next().as_deref() {
        None | Some("close") => WhenFull::Close,
        Some("drop") => WhenFull::Drop,
        Some("wait") => WhenFull::Wait,
        Some(other) => return Err(format!("unknown queue policy `{other}`").into()),
    };
    let mock = KrakenMock::new(MockConfig {
        tick: Duration::from_millis(1),
        ..MockConfig::default()
    });
    let config = ServerConfig {
        when_full,
        ..ServerConfig::default()
    };
    let server = mock.public_server("127.0.0.1:0", config).await?;
    let url = format!("ws://{}", server.local_addr());
    let handle = server.handle();
    tokio::spawn(server.run());
    let before = rss_kib();

    // The client that reads, counting what it gets.
    let mut reader = Client::connect(&url).await?;
    let ticker = types::SubscriptionRequest::new(types::SubscriptionName::Ticker);
    let subscribe = types::Subscribe::new(ticker).with_pair(vec!["XBT/USD".to_owned()]);
    reader.subscribe(subscribe).await?;
    let counting = tokio::spawn(async move {
        let mut frames = 0u64;
        while let Some(message) = reader.recv().await {
            if matches!(message, Ok(ServerMessage::Ticker(_))) {
                frames += 1;
            }
        }
        frames
    });

    // The clients that subscribe and never read again.
    let mut sockets = Vec::new();
    for _ in 0..slow {
        let (mut socket, _) = tokio_tungstenite::connect_async(url.as_str()).await?;
        for name in [
            r#"{"name":"book","depth":100}"#,
            r#"{"name":"trade"}"#,
            r#"{"name":"ticker"}"#,
        ] {
            let frame = format!(
                r#"{{"event":"subscribe","pair":{},"subscription":{name}}}"#,
                serde_json::to_string(&PAIRS)?
            );
            socket.send(Frame::text(frame)).await?;
        }
        sockets.push(socket);
    }

    let start = Instant::now();
    let mut peak = rss_kib();
    while start.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        peak = peak.max(rss_kib());
    }
    let end = rss_kib();
    let held = handle.connection_count().saturating_sub(1);
    handle.shutdown();
    let frames = tokio::time::timeout(Duration::from_secs(5), counting).await??;
    drop(sockets);
    println!(
        "slow clients:            {slow} (book-100, trade, ticker on {} pairs; tick 1 ms)",
        PAIRS.len()
    );
    println!("queue policy:            {when_full:?}, 1,024 frames a connection");
    println!("resident memory:         {before} KiB before, {peak} KiB at peak, {end} KiB after {seconds} s");
    println!(
        "per slow client at peak: {} KiB",
        peak.saturating_sub(before) / slow.max(1) as u64
    );
    println!("slow connections held:   {held} of {slow}");
    println!("ticker frames the reading client got meanwhile: {frames}");
    Ok(())
}
