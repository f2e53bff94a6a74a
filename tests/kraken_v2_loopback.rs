//! The generated Kraken v2 client against the mock's v2 face (the
//! generated `kraken_v2` server traits, implemented), over loopback with
//! ports the OS picks: every public channel, books whose every checksum is
//! checked and that stay at their depth, 100 concurrent pings answered out
//! of order, refusals as error values carrying Kraken's text, a frame that
//! is no message answered with its method's error and `req_id`, and the
//! level-3 book. Every wait has a deadline.

use asyncapi_runtime::server::{HandlerError, Replies, Server, ServerConfig, ServerHandle};
use asyncapi_showcase::book::Side;
use asyncapi_showcase::book_v2::{self, BookV2};
use asyncapi_showcase::kraken_v2::channels::{level3, public};
use asyncapi_showcase::kraken_v2::types;
use asyncapi_showcase::mock::{KrakenMock, MockConfig};
use futures_util::{SinkExt, StreamExt};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message as Frame;

const TOKEN: &str = "test-token";
const DEADLINE: Duration = Duration::from_secs(20);

/// `future`, or a test failure naming `what` after the deadline.
async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(DEADLINE, future).await {
        Ok(value) => value,
        Err(_) => panic!("{what}: nothing within {DEADLINE:?}"),
    }
}

fn mock() -> Arc<KrakenMock> {
    KrakenMock::new(MockConfig {
        token: Some(TOKEN.into()),
        tick: Duration::from_millis(10),
        heartbeat_after: Duration::from_millis(300),
        ..MockConfig::default()
    })
}

/// Serves `server` in the background; its URL and handle.
fn spawn(server: Server) -> (String, ServerHandle) {
    let url = format!("ws://{}", server.local_addr());
    let handle = server.handle();
    tokio::spawn(server.run());
    (url, handle)
}

fn params(channel: types::Channel, symbols: &[&str]) -> types::SubscriptionParams {
    let mut params = types::SubscriptionParams::new(channel);
    params.symbol = symbols.iter().map(|s| s.to_string().into()).collect();
    params
}

/// The next message that is not a heartbeat.
async fn next(client: &mut public::Client) -> public::ServerMessage {
    loop {
        match within("a message", client.recv()).await {
            Some(Ok(public::ServerMessage::Heartbeat(_))) => continue,
            Some(Ok(message)) => return message,
            other => panic!("expected a message, got {other:?}"),
        }
    }
}

async fn subscribed(
    client: &public::Client,
    params: types::SubscriptionParams,
) -> types::SubscribeAck {
    match within("subscribe", client.subscribe(types::Subscribe::new(params))).await {
        Ok(public::SubscribeReply::SubscribeAck(ack)) => ack,
        other => panic!("expected a subscribe ack, got {other:?}"),
    }
}

#[tokio::test]
async fn every_public_channel_with_checked_books() {
    let server = mock()
        .v2_public_server("127.0.0.1:0", ServerConfig::default())
        .await
        .unwrap();
    let (url, _handle) = spawn(server);
    let mut client = within("connect", public::Client::connect(&url))
        .await
        .unwrap();
    // The status comes first, on connect.
    match next(&mut client).await {
        public::ServerMessage::Status(status) => {
            assert_eq!(status.data[0].system, types::SystemState::Online);
            assert_eq!(status.data[0].api_version, "v2");
        }
        other => panic!("expected status, got {other:?}"),
    }
    // The pair's price precision, for the checksums, from `instrument`.
    let ack = subscribed(&client, params(types::Channel::Instrument, &[])).await;
    assert_eq!(ack.result.channel, types::Channel::Instrument);
    let precision = loop {
        if let public::ServerMessage::Instrument(frame) = next(&mut client).await {
            assert_eq!(frame.type_, types::DataType::Snapshot);
            let pair = frame
                .data
                .pairs
                .iter()
                .find(|p| p.symbol.as_str() == "BTC/USD")
                .expect("BTC/USD listed");
            break pair.price_precision as usize;
        }
    };
    assert_eq!(precision, 1);

    let mut book = params(types::Channel::Book, &["BTC/USD"]);
    book.depth = Some(types::BookDepth::try_from(10).unwrap());
    let ack = subscribed(&client, book).await;
    assert_eq!(
        (
            ack.result.symbol.as_deref().map(String::as_str),
            ack.result.depth.as_deref()
        ),
        (Some("BTC/USD"), Some(&10))
    );
    let mut ohlc = params(types::Channel::Ohlc, &["ETH/USD"]);
    ohlc.interval = Some(types::OhlcInterval::try_from(5).unwrap());
    subscribed(&client, ohlc).await;
    subscribed(&client, params(types::Channel::Ticker, &["BTC/USD"])).await;
    let mut trade = params(types::Channel::Trade, &["BTC/USD"]);
    trade.snapshot = Some(true);
    subscribed(&client, trade).await;

    let mut local = BookV2::new(10, precision);
    let mut seen = BTreeSet::new();
    let (mut checked, mut deletions) = (0, 0);
    while checked < 200 || seen.len() < 4 {
        match next(&mut client).await {
            public::ServerMessage::Book(frame) => {
                seen.insert("book");
                assert_eq!(frame.data.len(), 1, "one symbol per frame");
                let data = &frame.data[0];
                deletions += data
                    .asks
                    .iter()
                    .chain(&data.bids)
                    .filter(|l| l.qty == 0.0)
                    .count();
                local
                    .apply(&frame.type_, data)
                    .unwrap_or_else(|e| panic!("frame {checked}: {e}"));
                for side in [Side::Ask, Side::Bid] {
                    assert_eq!(local.top(side, 10).len(), 10, "the book stays at its depth");
                }
                checked += 1;
            }
            public::ServerMessage::Ticker(frame) => {
                seen.insert("ticker");
                let t = &frame.data[0];
                assert!(t.bid < t.ask, "{t:?}");
            }
            public::ServerMessage::Trade(frame) => {
                if seen.insert("trade") {
                    assert_eq!(frame.type_, types::DataType::Snapshot);
                    assert!(frame.data.len() > 1);
                }
                assert!(frame
                    .data
                    .iter()
                    .all(|t| t.symbol.as_str() == "BTC/USD" && t.qty > 0.0));
            }
            public::ServerMessage::Ohlc(frame) => {
                seen.insert("ohlc");
                let candle = &frame.data[0];
                assert_eq!(*candle.interval, 5);
                assert!(candle.low <= candle.open && candle.open <= candle.high);
                assert!(
                    candle.interval_begin.ends_with(":00.000000000Z"),
                    "{}",
                    *candle.interval_begin
                );
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        deletions > 10,
        "levels were deleted and the book refilled ({deletions})"
    );

    // Unsubscribing stops a channel; a second unsubscribe is refused.
    let stop = params(types::Channel::Ticker, &["BTC/USD"]);
    match within(
        "unsubscribe",
        client.unsubscribe(types::Unsubscribe::new(stop.clone())),
    )
    .await
    .unwrap()
    {
        public::UnsubscribeReply::UnsubscribeAck(ack) => {
            assert_eq!(ack.result.channel, types::Channel::Ticker)
        }
        other => panic!("{other:?}"),
    }
    match within(
        "unsubscribe",
        client.unsubscribe(types::Unsubscribe::new(stop)),
    )
    .await
    .unwrap()
    {
        public::UnsubscribeReply::UnsubscribeError(e) => {
            assert_eq!(e.error.as_str(), "Subscription Not Found")
        }
        other => panic!("{other:?}"),
    }
    client.close().await.unwrap();
}

#[tokio::test]
async fn refusals_are_error_values_with_kraken_text() {
    let server = mock()
        .v2_public_server("127.0.0.1:0", ServerConfig::default())
        .await
        .unwrap();
    let (url, _handle) = spawn(server);
    let client = within("connect", public::Client::connect(&url))
        .await
        .unwrap();
    let mut private = params(types::Channel::Executions, &[]);
    private.token = Some(TOKEN.to_owned().into());
    match within(
        "subscribe",
        client.subscribe(types::Subscribe::new(private)),
    )
    .await
    .unwrap()
    {
        public::SubscribeReply::SubscribeError(e) => {
            assert_eq!(
                e.error.as_str(),
                "Private channel not available on this endpoint: executions"
            )
        }
        other => panic!("{other:?}"),
    }
    match within(
        "subscribe",
        client.subscribe(types::Subscribe::new(params(
            types::Channel::Ticker,
            &["btcusd"],
        ))),
    )
    .await
    .unwrap()
    {
        public::SubscribeReply::SubscribeError(e) => {
            assert_eq!(e.error.as_str(), "Currency pair not supported");
            assert_eq!(e.symbol.as_deref().map(String::as_str), Some("btcusd"));
        }
        other => panic!("{other:?}"),
    }
}

/// A raw connection: a frame that is no message but names a method gets
/// that method's error acknowledgement with its `req_id`.
#[tokio::test]
async fn a_bad_request_gets_its_method_error() {
    let server = mock()
        .v2_public_server("127.0.0.1:0", ServerConfig::default())
        .await
        .unwrap();
    let (url, _handle) = spawn(server);
    let (mut socket, _) = within(
        "raw connect",
        tokio_tungstenite::connect_async(format!("{url}/v2")),
    )
    .await
    .unwrap();
    let bad = r#"{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":42},"req_id":77}"#;
    socket.send(Frame::text(bad)).await.unwrap();
    loop {
        let Some(Ok(Frame::Text(text))) = within("a frame", socket.next()).await else {
            panic!("the connection ended");
        };
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        if value["method"] == "subscribe" {
            assert_eq!(value["success"], false, "{value}");
            assert_eq!(value["req_id"], 77, "{value}");
            // The runtime's validation names the refused argument.
            assert_eq!(
                value["error"], "EGeneral:Invalid arguments:depth",
                "{value}"
            );
            break;
        }
    }
}

#[tokio::test]
async fn a_hundred_concurrent_pings_each_get_their_own_pong() {
    /// Answers each ping after a delay that reverses their order, from a
    /// task: matching replies to requests by order would fail.
    struct Scrambler;

    impl public::Handler for Scrambler {
        async fn ping(
            &self,
            ctx: &public::Context,
            _message: types::Ping,
        ) -> Result<Replies<public::PingReply>, HandlerError> {
            let id: u64 = ctx
                .correlation_id()
                .and_then(|id| id.as_json().parse().ok())
                .unwrap_or(0);
            let ctx = ctx.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(300u64.saturating_sub(id * 3))).await;
                let _ = ctx.reply(types::Pong::new()).await;
            });
            Ok(Replies::none())
        }

        async fn subscribe(
            &self,
            _ctx: &public::Context,
            _message: types::Subscribe,
        ) -> Result<Replies<public::SubscribeReply>, HandlerError> {
            Err(HandlerError::new("not here"))
        }

        async fn unsubscribe(
            &self,
            _ctx: &public::Context,
            _message: types::Unsubscribe,
        ) -> Result<Replies<public::UnsubscribeReply>, HandlerError> {
            Err(HandlerError::new("not here"))
        }
    }

    for (name, server) in [
        (
            "mock",
            mock()
                .v2_public_server("127.0.0.1:0", ServerConfig::default())
                .await
                .unwrap(),
        ),
        (
            "scrambler",
            Server::builder()
                .channel(public::Service::new(Scrambler))
                .bind("127.0.0.1:0")
                .await
                .unwrap(),
        ),
    ] {
        let (url, _handle) = spawn(server);
        let client = public::Client::connect(&url).await.unwrap();
        // join_all polls in order on first poll: request i gets id i + 1.
        let requests = (0..100).map(|_| client.ping(types::Ping::new()));
        let pongs = within("100 pings", futures_util::future::join_all(requests)).await;
        for (i, pong) in pongs.into_iter().enumerate() {
            match pong.unwrap_or_else(|e| panic!("{name}: ping {i}: {e}")) {
                public::PingReply::Pong(pong) => {
                    assert_eq!(
                        pong.req_id.as_deref(),
                        Some(&(i as i64 + 1)),
                        "{name}: ping {i} got another's pong"
                    )
                }
                other => panic!("{name}: ping {i}: {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn the_level3_book_with_checksums() {
    let server = mock()
        .v2_level3_server("127.0.0.1:0", ServerConfig::default())
        .await
        .unwrap();
    let (url, _handle) = spawn(server);
    let mut client = within("connect", level3::Client::connect(&url))
        .await
        .unwrap();
    let mut request = params(types::Channel::Level3, &["BTC/USD"]);
    match within(
        "subscribe",
        client.subscribe(types::Subscribe::new(request.clone())),
    )
    .await
    .unwrap()
    {
        level3::SubscribeReply::SubscribeError(e) => {
            assert_eq!(e.error.as_str(), "ESession:Invalid session")
        }
        other => panic!("no token, yet {other:?}"),
    }
    request.token = Some(TOKEN.to_owned().into());
    match within(
        "subscribe",
        client.subscribe(types::Subscribe::new(request)),
    )
    .await
    .unwrap()
    {
        level3::SubscribeReply::SubscribeAck(ack) => {
            assert_eq!(ack.result.channel, types::Channel::Level3)
        }
        other => panic!("{other:?}"),
    }
    // Orders by id; levels are the sum of their orders.
    let mut orders: BTreeMap<String, (Side, f64, f64)> = BTreeMap::new();
    let mut frames = 0;
    let mut events = BTreeSet::new();
    while frames < 100 {
        let frame = match within("a frame", client.recv()).await {
            Some(Ok(level3::ServerMessage::Level3(frame))) => frame,
            Some(Ok(_)) => continue,
            other => panic!("{other:?}"),
        };
        let data = &frame.data[0];
        if frame.type_ == types::DataType::Snapshot {
            orders.clear();
        }
        for (side, list) in [(Side::Ask, &data.asks), (Side::Bid, &data.bids)] {
            for order in list {
                match order.event {
                    Some(types::Level3OrderEvent::Delete) => {
                        assert!(
                            orders.remove(&order.order_id).is_some(),
                            "deleted an unknown order"
                        );
                    }
                    _ => {
                        orders.insert(
                            order.order_id.clone(),
                            (side, order.limit_price, order.order_qty),
                        );
                    }
                }
                events.insert(format!("{:?}", order.event));
            }
        }
        let levels = |side: Side| -> Vec<(f64, f64)> {
            let mut by_price: BTreeMap<i64, (f64, f64)> = BTreeMap::new();
            for (s, price, qty) in orders.values() {
                if *s == side {
                    let e = by_price
                        .entry((price * 10.0).round() as i64)
                        .or_insert((*price, 0.0));
                    e.1 += qty;
                }
            }
            let mut levels: Vec<_> = by_price.into_values().collect();
            if side == Side::Bid {
                levels.reverse();
            }
            levels.truncate(10);
            levels
        };
        let (asks, bids) = (levels(Side::Ask), levels(Side::Bid));
        assert_eq!(
            book_v2::checksum(&asks, &bids, 1),
            data.checksum,
            "frame {frames}"
        );
        frames += 1;
    }
    assert!(
        events.len() >= 3,
        "snapshot orders and add/modify/delete events: {events:?}"
    );
}
