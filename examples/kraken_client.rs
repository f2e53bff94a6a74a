//! The generated Kraken client: subscribe to a public feed and print the
//! typed updates. Book updates are applied to a local book and checked
//! against Kraken's checksum.
//!
//! The client reconnects when the connection drops, as Kraken asks: at once
//! a few times, then no faster than once every 5 s (and straight to that
//! pace after a `systemStatus` of `maintenance` or a refused handshake). It
//! re-sends its subscription, and the books are rebuilt from the new
//! snapshots. `--no-reconnect` ends at the first drop instead.
//!
//! ```sh
//! # Kraken itself (needs the network):
//! cargo run --example kraken_client -- --pair XBT/USD --channel ticker
//! # the mock (cargo run --example kraken_mock_server -- --listen 127.0.0.1:9001):
//! cargo run --example kraken_client -- --url ws://127.0.0.1:9001 --pair XBT/USD --channel book --count 20
//! ```

use asyncapi_runtime::client::{ClientConfig, Error, ReconnectPolicy};
use asyncapi_showcase::book::Book;
use asyncapi_showcase::kraken::channels::public::{Client, ServerMessage, SubscribeReply, SERVERS};
use asyncapi_showcase::kraken::types;
use asyncapi_showcase::show;

const USAGE: &str = "usage: kraken_client [--url URL] --pair PAIR[,PAIR...] --channel NAME [--depth N] [--interval MIN] [--count N]

  --url URL        server URL (default wss://ws.kraken.com)
  --pair PAIRS     pairs in wsname form, e.g. XBT/USD,ETH/USD
  --channel NAME   ticker, ohlc, trade, spread or book
  --depth N        book depth: 10, 25, 100, 500 or 1000 (default 10)
  --interval MIN   ohlc interval in minutes (default 1)
  --count N        stop after N updates (default: run until the connection ends)
  --no-reconnect   end when the connection drops (default: reconnect)";

struct Args {
    url: String,
    pairs: Vec<String>,
    name: types::SubscriptionName,
    depth: Option<i64>,
    interval: Option<i64>,
    count: Option<usize>,
    reconnect: bool,
}

fn args() -> Result<Args, String> {
    let mut url = SERVERS[0].to_string();
    let (mut pairs, mut name, mut depth, mut interval, mut count) =
        (Vec::new(), None, None, None, None);
    let mut reconnect = true;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |text: String| {
            text.parse::<i64>()
                .map_err(|_| format!("`{text}` is not a number"))
        };
        match flag.as_str() {
            "--url" => url = value()?,
            "--pair" => pairs.extend(value()?.split(',').map(str::to_owned)),
            "--channel" => {
                let text = value()?;
                name = Some(match text.as_str() {
                    "ticker" => types::SubscriptionName::Ticker,
                    "ohlc" => types::SubscriptionName::Ohlc,
                    "trade" => types::SubscriptionName::Trade,
                    "spread" => types::SubscriptionName::Spread,
                    "book" => types::SubscriptionName::Book,
                    other => return Err(format!("unknown channel `{other}`")),
                })
            }
            "--depth" => depth = Some(number(value()?)?),
            "--interval" => interval = Some(number(value()?)?),
            "--count" => count = Some(number(value()?)?.max(0) as usize),
            "--no-reconnect" => reconnect = false,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let name = name.ok_or("--channel is required")?;
    if pairs.is_empty() {
        return Err("--pair is required".into());
    }
    Ok(Args {
        url,
        pairs,
        name,
        depth,
        interval,
        count,
        reconnect,
    })
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
    if let Err(e) = run(args).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = ClientConfig::default();
    if args.reconnect {
        let policy = ReconnectPolicy::default().slow_down_after(|m: &ServerMessage| {
            matches!(m, ServerMessage::SystemStatus(s) if s.status == types::SystemState::Maintenance)
        });
        config = config.reconnect(policy);
    }
    let mut client = Client::connect_with(&args.url, config).await?;
    println!("connected to {}", args.url);
    let depth = args.depth.map(types::BookDepth::try_from).transpose()?;
    let interval = args
        .interval
        .map(types::OhlcInterval::try_from)
        .transpose()?;
    let reply = client
        .subscribe(types::Subscribe {
            event: Default::default(),
            pair: args.pairs.clone(),
            reqid: None,
            subscription: types::SubscriptionRequest {
                name: args.name,
                depth,
                interval,
                consolidate_taker: None,
                ratecounter: None,
                snapshot: None,
                token: None,
            },
        })
        .await?;
    if let SubscribeReply::SubscriptionStatusError(e) = &reply {
        return Err(format!("subscription refused: {}", e.error_message).into());
    }
    // The subscription of each further pair has its own status.
    println!("{}", show::line(&ServerMessage::from(reply)));
    let mut books = std::collections::HashMap::<String, Book>::new();
    let book_depth = args.depth.unwrap_or(10) as usize;
    let mut updates = 0;
    while let Some(next) = client.recv().await {
        let message = match next {
            Ok(message) => message,
            // A gap: the books are rebuilt from the snapshots that follow
            // the re-sent subscription.
            Err(Error::Reconnected { after, attempt }) => {
                eprintln!("reconnected after {after:?} (attempt {attempt}): resubscribed");
                books.clear();
                continue;
            }
            // A frame that is no message: say so, and go on.
            Err(e) if !e.is_terminal() => {
                eprintln!("skipped: {e}");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if matches!(message, ServerMessage::Heartbeat(_)) {
            continue;
        }
        let mut text = show::line(&message);
        if let Some(pair) = book_pair(&message) {
            let book = books.entry(pair).or_insert_with(|| Book::new(book_depth));
            match book.apply_frame(&message) {
                Ok(_) => {
                    if let (Some(ask), Some(bid)) = (book.best_ask(), book.best_bid()) {
                        text +=
                            &format!(" | best bid {} ask {} | checksum ok", bid.price, ask.price);
                    }
                }
                Err(e) => text += &format!(" | {e}"),
            }
        }
        println!("{text}");
        updates += 1;
        if args.count.is_some_and(|count| updates >= count) {
            break;
        }
    }
    client.close().await.ok();
    Ok(())
}

fn book_pair(message: &ServerMessage) -> Option<String> {
    match message {
        ServerMessage::BookSnapshot(b) => Some(b.0 .3.clone()),
        ServerMessage::BookUpdate(b) => Some(b.0 .3.clone()),
        ServerMessage::BookUpdateBothSides(b) => Some(b.0 .4.clone()),
        _ => None,
    }
}
