//! The generated Kraken v2 client: subscribe to a public channel and print
//! the typed updates. Books are kept locally and every checksum is checked;
//! the pair's price precision, which the v2 checksum needs, comes from the
//! `instrument` channel first.
//!
//! The client reconnects as Kraken asks (at once a few times, then no
//! faster than every 5 s, and straight to that pace after a `status` of
//! `maintenance`), re-sends its subscriptions, and rebuilds the books from
//! the new snapshots. `--no-reconnect` ends at the first drop instead.
//!
//! ```sh
//! # Kraken itself (needs the network):
//! cargo run --example kraken_v2_client -- --symbol BTC/USD --channel book --count 50
//! # the mock (cargo run --example kraken_mock_server -- --v2-listen 127.0.0.1:9011):
//! cargo run --example kraken_v2_client -- --url ws://127.0.0.1:9011 --symbol BTC/USD --channel book
//! ```

use asyncapi_runtime::client::{ClientConfig, Error, ReconnectPolicy};
use asyncapi_showcase::book::Side;
use asyncapi_showcase::book_v2::BookV2;
use asyncapi_showcase::kraken_v2::channels::public::{
    Client, ServerMessage, SubscribeReply, ADDRESS, SERVERS,
};
use asyncapi_showcase::kraken_v2::types;
use asyncapi_showcase::show_v2;
use std::collections::HashMap;

const USAGE: &str = "usage: kraken_v2_client [--url URL] [--symbol SYMBOL[,SYMBOL...]] [--channel NAME] [--depth N] [--interval MIN] [--count N]

  --url URL        server URL (default wss://ws.kraken.com; /v2 is appended unless the URL ends with it)
  --symbol LIST    symbols, e.g. BTC/USD,ETH/USD (default BTC/USD)
  --channel NAME   ticker, book, trade, ohlc or instrument (default book)
  --depth N        book depth: 10, 25, 100, 500 or 1000 (default 10)
  --interval MIN   ohlc interval in minutes (default 1)
  --count N        stop after N updates (default: run until the connection ends)
  --no-reconnect   end when the connection drops (default: reconnect)";

struct Args {
    url: String,
    symbols: Vec<String>,
    channel: types::Channel,
    depth: i64,
    interval: Option<i64>,
    count: Option<usize>,
    reconnect: bool,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        url: SERVERS[0].to_string(),
        symbols: Vec::new(),
        channel: types::Channel::Book,
        depth: 10,
        interval: None,
        count: None,
        reconnect: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |text: String| {
            text.parse::<i64>()
                .map_err(|_| format!("`{text}` is not a number"))
        };
        match flag.as_str() {
            "--url" => args.url = value()?,
            "--symbol" => args.symbols.extend(value()?.split(',').map(str::to_owned)),
            "--channel" => {
                let text = value()?;
                args.channel = match text.as_str() {
                    "ticker" => types::Channel::Ticker,
                    "book" => types::Channel::Book,
                    "trade" => types::Channel::Trade,
                    "ohlc" => types::Channel::Ohlc,
                    "instrument" => types::Channel::Instrument,
                    other => return Err(format!("unknown public channel `{other}`")),
                }
            }
            "--depth" => args.depth = number(value()?)?,
            "--interval" => args.interval = Some(number(value()?)?),
            "--count" => args.count = Some(number(value()?)?.max(0) as usize),
            "--no-reconnect" => args.reconnect = false,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if args.symbols.is_empty() {
        args.symbols.push("BTC/USD".into());
    }
    Ok(args)
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let args = match args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{message}\n");
            }
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    match run(args).await {
        Ok(0) => {}
        Ok(mismatches) => {
            eprintln!("{mismatches} checksum mismatches");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

/// Subscribes; an error for a refusal, with Kraken's text.
async fn subscribe(
    client: &Client,
    params: types::SubscriptionParams,
) -> Result<(), Box<dyn std::error::Error>> {
    match client.subscribe(types::Subscribe::new(params)).await? {
        SubscribeReply::SubscribeAck(ack) => {
            println!("{}", show_v2::line(&ServerMessage::SubscribeAck(ack)));
            Ok(())
        }
        SubscribeReply::SubscribeError(e) => {
            Err(format!("subscription refused: {}", *e.error).into())
        }
    }
}

/// Runs until the count or the end of the connection; the number of
/// checksum mismatches.
async fn run(args: Args) -> Result<usize, Box<dyn std::error::Error>> {
    let mut config = ClientConfig::default();
    if args.reconnect {
        let policy = ReconnectPolicy::default().slow_down_after(|m: &ServerMessage| {
            matches!(m, ServerMessage::Status(s) if s.data.iter().any(|d| d.system == types::SystemState::Maintenance))
        });
        config = config.reconnect(policy);
    }
    // Kraken documents the endpoint with its path (`wss://ws.kraken.com/v2`):
    // such a URL is used as it is, a bare server URL gets the channel's address.
    let mut client = if args.url.trim_end_matches('/').ends_with(ADDRESS) {
        Client::connect_url(&args.url, config).await?
    } else {
        Client::connect_with(&args.url, config).await?
    };
    println!("connected to {}", args.url);
    let mut precisions = HashMap::<String, usize>::new();
    let book = args.channel == types::Channel::Book;
    if book {
        // The price precision of each symbol, for the checksums.
        subscribe(
            &client,
            types::SubscriptionParams::new(types::Channel::Instrument),
        )
        .await?;
    } else {
        subscribe(&client, channel_params(&args)?).await?;
    }
    let mut books = HashMap::<String, BookV2>::new();
    let (mut updates, mut checked, mut mismatches) = (0, 0, 0);
    while let Some(next) = client.recv().await {
        let message = match next {
            Ok(message) => message,
            // A gap: the books are rebuilt from the snapshots that follow
            // the re-sent subscriptions.
            Err(Error::Reconnected { after, attempt }) => {
                eprintln!("reconnected after {after:?} (attempt {attempt}): resubscribed");
                books.clear();
                continue;
            }
            Err(e) if !e.is_terminal() => {
                eprintln!("skipped: {e}");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let mut text = show_v2::line(&message);
        match &message {
            ServerMessage::Heartbeat(_) => continue,
            ServerMessage::Instrument(frame) if book => {
                if precisions.is_empty() {
                    for pair in &frame.data.pairs {
                        precisions.insert(
                            pair.symbol.to_string(),
                            pair.price_precision.max(0) as usize,
                        );
                    }
                    subscribe(&client, channel_params(&args)?).await?;
                }
                if args.channel != types::Channel::Instrument {
                    println!("{text}");
                    continue;
                }
            }
            ServerMessage::Book(frame) => {
                for data in &frame.data {
                    let symbol = data.symbol.to_string();
                    let Some(&precision) = precisions.get(&symbol) else {
                        text += &format!(
                            " | {symbol} is not in the instrument list: checksum not checked"
                        );
                        continue;
                    };
                    let local = books
                        .entry(symbol)
                        .or_insert_with(|| BookV2::new(args.depth as usize, precision));
                    match local.apply(&frame.type_, data) {
                        Ok(()) => {
                            checked += 1;
                            let best = |side| {
                                local
                                    .top(side, 1)
                                    .first()
                                    .map(|(p, _)| p.to_string())
                                    .unwrap_or_default()
                            };
                            text += &format!(
                                " | best bid {} ask {} | checksum ok",
                                best(Side::Bid),
                                best(Side::Ask)
                            );
                        }
                        Err(e) => {
                            mismatches += 1;
                            text += &format!(" | {e}");
                        }
                    }
                }
            }
            _ => {}
        }
        println!("{text}");
        updates += 1;
        if args.count.is_some_and(|count| updates >= count) {
            break;
        }
    }
    if book {
        println!("{checked} book frames checked, {mismatches} checksum mismatches");
    }
    client.close().await.ok();
    Ok(mismatches)
}

fn channel_params(args: &Args) -> Result<types::SubscriptionParams, Box<dyn std::error::Error>> {
    let mut params = types::SubscriptionParams::new(args.channel);
    if args.channel != types::Channel::Instrument {
        params.symbol = args.symbols.iter().map(|s| s.clone().into()).collect();
    }
    if args.channel == types::Channel::Book {
        params.depth = Some(types::BookDepth::try_from(args.depth)?);
    }
    params.interval = args
        .interval
        .map(types::OhlcInterval::try_from)
        .transpose()?;
    if args.channel == types::Channel::Trade {
        params.snapshot = Some(true);
    }
    Ok(params)
}
