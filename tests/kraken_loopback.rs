//! The generated Kraken client against the mock Kraken server (the
//! generated server traits, implemented), over loopback with ports the OS
//! picks: subscriptions and every kind of data frame, 100 concurrent
//! correlated requests, unsubscribing, the private endpoint's trading, wss
//! with a certificate made here, and a server that survives bad clients.
//! Every wait has a deadline, so a broken server fails a test instead of
//! hanging it.

use asyncapi_runtime::client::{ClientConfig, Error as ClientError};
use asyncapi_runtime::server::{Server, ServerConfig, ServerHandle};
use asyncapi_runtime::Limits;
use asyncapi_showcase::book::Book;
use asyncapi_showcase::kraken::channels::{private, public};
use asyncapi_showcase::kraken::types;
use asyncapi_showcase::mock::{KrakenMock, MockConfig, PRIVATE_ON_PUBLIC};
use futures_util::{SinkExt, StreamExt};
use std::collections::BTreeSet;
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
        tick: Duration::from_millis(20),
        heartbeat_after: Duration::from_millis(300),
        ..MockConfig::default()
    })
}

/// Serves `server` in the background; its URL and handle.
fn spawn(server: Server, scheme: &str) -> (String, ServerHandle) {
    let url = format!("{scheme}://{}", server.local_addr());
    let handle = server.handle();
    tokio::spawn(server.run());
    (url, handle)
}

async fn public_server(mock: &Arc<KrakenMock>, config: ServerConfig) -> (String, ServerHandle) {
    let server = mock
        .public_server("127.0.0.1:0", config)
        .await
        .expect("binds");
    spawn(server, "ws")
}

fn subscription(name: types::SubscriptionName) -> types::SubscriptionRequest {
    types::SubscriptionRequest {
        name,
        depth: None,
        interval: None,
        consolidate_taker: None,
        ratecounter: None,
        snapshot: None,
        token: None,
    }
}

fn subscribe(pairs: &[&str], request: types::SubscriptionRequest) -> types::Subscribe {
    types::Subscribe {
        event: Default::default(),
        pair: pairs.iter().map(|p| p.to_string()).collect(),
        reqid: None,
        subscription: request,
    }
}

fn ping() -> types::Ping {
    types::Ping {
        event: Default::default(),
        reqid: None,
    }
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

#[tokio::test]
async fn subscriptions_bring_every_kind_of_data_frame() {
    let mock = mock();
    let (url, _server) = public_server(&mock, ServerConfig::default()).await;
    let mut client = within("connect", public::Client::connect(&url))
        .await
        .unwrap();
    assert!(matches!(
        next(&mut client).await,
        public::ServerMessage::SystemStatus(_)
    ));

    let feeds = [
        (types::SubscriptionName::Ticker, None, None, "ticker"),
        (types::SubscriptionName::Ohlc, None, Some(5), "ohlc-5"),
        (types::SubscriptionName::Trade, None, None, "trade"),
        (types::SubscriptionName::Spread, None, None, "spread"),
        (types::SubscriptionName::Book, Some(10), None, "book-10"),
    ];
    for (name, depth, interval, channel_name) in feeds {
        let mut request = subscription(name);
        request.depth = depth.map(|d| types::BookDepth::try_from(d).unwrap());
        request.interval = interval.map(|i| types::OhlcInterval::try_from(i).unwrap());
        let reply = within(
            "subscribe",
            client.subscribe(subscribe(&["XBT/USD"], request)),
        )
        .await
        .unwrap();
        match reply {
            public::SubscribeReply::SubscriptionStatus(status) => {
                assert_eq!(status.channel_name, channel_name);
                assert_eq!(status.status, types::SubscriptionStatusStatus::Subscribed);
                assert_eq!(status.pair.as_deref(), Some("XBT/USD"));
                assert!(status.channel_id.is_some());
                assert!(
                    status.reqid.is_some(),
                    "the reply carries the request's reqid"
                );
            }
            other => panic!("{channel_name}: {other:?}"),
        }
    }

    let wanted: BTreeSet<&str> = [
        "Ticker",
        "Ohlc",
        "Trade",
        "Spread",
        "BookSnapshot",
        "BookUpdate",
        "BookUpdateBothSides",
    ]
    .into();
    let mut seen = BTreeSet::new();
    let mut book = Book::new(10);
    let mut checked = 0;
    while !wanted.is_subset(&seen) {
        let message = next(&mut client).await;
        // Every book frame applies, and every checksum matches.
        if book
            .apply_frame(&message)
            .unwrap_or_else(|e| panic!("{e}: {message:?}"))
        {
            checked += 1;
        }
        seen.insert(message.variant_name());
    }
    assert!(checked >= 3);
    let best_bid = book.best_bid().unwrap().price.parse::<f64>().unwrap();
    let best_ask = book.best_ask().unwrap().price.parse::<f64>().unwrap();
    assert!(best_bid < best_ask, "the mock's book never crosses");
}

#[tokio::test]
async fn a_hundred_concurrent_requests_each_get_their_own_reply() {
    /// Answers each ping after a delay that reverses their order, from a
    /// task: matching replies to requests by order would fail.
    struct Scrambler;

    impl public::Handler for Scrambler {
        async fn ping(
            &self,
            ctx: &public::Context,
            _message: types::Ping,
        ) -> Result<
            asyncapi_runtime::server::Replies<types::Pong>,
            asyncapi_runtime::server::HandlerError,
        > {
            let id: u64 = ctx
                .correlation_id()
                .and_then(|id| id.as_json().parse().ok())
                .unwrap_or(0);
            let ctx = ctx.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(300u64.saturating_sub(id * 3))).await;
                let pong = types::Pong {
                    event: Default::default(),
                    reqid: None,
                };
                let _ = ctx.reply(pong).await;
            });
            Ok(asyncapi_runtime::server::Replies::none())
        }

        async fn subscribe(
            &self,
            _ctx: &public::Context,
            _message: types::Subscribe,
        ) -> Result<
            asyncapi_runtime::server::Replies<public::SubscribeReply>,
            asyncapi_runtime::server::HandlerError,
        > {
            Err(asyncapi_runtime::server::HandlerError::new("not here"))
        }

        async fn unsubscribe(
            &self,
            _ctx: &public::Context,
            _message: types::Unsubscribe,
        ) -> Result<
            asyncapi_runtime::server::Replies<public::UnsubscribeReply>,
            asyncapi_runtime::server::HandlerError,
        > {
            Err(asyncapi_runtime::server::HandlerError::new("not here"))
        }
    }

    for (name, server) in [
        (
            "mock",
            mock()
                .public_server("127.0.0.1:0", ServerConfig::default())
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
        let (url, _handle) = spawn(server, "ws");
        let client = public::Client::connect(&url).await.unwrap();
        // join_all polls in order on first poll: request i gets id i + 1.
        let requests = (0..100).map(|_| client.ping(ping()));
        let pongs = within("100 pings", futures_util::future::join_all(requests)).await;
        for (i, pong) in pongs.into_iter().enumerate() {
            let pong = pong.unwrap_or_else(|e| panic!("{name}: ping {i}: {e}"));
            assert_eq!(
                pong.reqid,
                Some(i as u64 + 1),
                "{name}: ping {i} got another's pong"
            );
        }
    }
}

#[tokio::test]
async fn unsubscribing_stops_the_data() {
    let mock = mock();
    let (url, _server) = public_server(&mock, ServerConfig::default()).await;
    let mut client = public::Client::connect(&url).await.unwrap();
    let request = || subscription(types::SubscriptionName::Ticker);
    within(
        "subscribe",
        client.subscribe(subscribe(&["ETH/USD"], request())),
    )
    .await
    .unwrap();
    let mut tickers = 0;
    while tickers < 3 {
        if let public::ServerMessage::Ticker(_) = next(&mut client).await {
            tickers += 1;
        }
    }
    let reply = within(
        "unsubscribe",
        client.unsubscribe(types::Unsubscribe {
            event: Default::default(),
            pair: vec!["ETH/USD".into()],
            reqid: None,
            subscription: request(),
        }),
    )
    .await
    .unwrap();
    match reply {
        public::UnsubscribeReply::SubscriptionStatus(s) => {
            assert_eq!(s.status, types::SubscriptionStatusStatus::Unsubscribed)
        }
        other => panic!("{other:?}"),
    }
    // Tickers queued before the reply may still come; then heartbeats only
    // (the mock sends one after 300 ms without data).
    let mut heartbeats = 0;
    while heartbeats < 3 {
        match within("a heartbeat", client.recv()).await {
            Some(Ok(public::ServerMessage::Heartbeat(_))) => heartbeats += 1,
            Some(Ok(public::ServerMessage::Ticker(_))) if heartbeats == 0 => {}
            other => panic!("after unsubscribing and a heartbeat: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_private_subscription_on_the_public_endpoint_is_refused() {
    let mock = mock();
    let (url, _server) = public_server(&mock, ServerConfig::default()).await;
    let client = public::Client::connect(&url).await.unwrap();
    let mut request = subscription(types::SubscriptionName::OwnTrades);
    request.token = Some("WW91ciBhdXRoZW50aWNhdGlvbiB0b2tlbiBnb2VzIGhlcmUu".into());
    let reply = within("subscribe", client.subscribe(subscribe(&[], request)))
        .await
        .unwrap();
    match reply {
        public::SubscribeReply::SubscriptionStatusError(e) => {
            assert_eq!(e.error_message, PRIVATE_ON_PUBLIC);
            assert_eq!(
                e.error_message,
                "Private data and trading are unavailable on this endpoint. Try ws-auth.kraken.com"
            );
            let subscription = e.subscription.expect("the subscription is echoed");
            assert_eq!(subscription.name.as_deref(), Some("ownTrades"));
        }
        other => panic!("{other:?}"),
    }
    // Neither can it express trading: the public ClientMessage has no addOrder.
    assert!(!public::ClientMessage::VARIANTS.contains(&"AddOrder"));
    assert!(private::ClientMessage::VARIANTS.contains(&"AddOrder"));
}

fn add_order(token: &str, ordertype: types::OrderType, price: Option<&str>) -> types::AddOrder {
    types::AddOrder {
        event: Default::default(),
        token: token.into(),
        ordertype,
        type_: types::OrderSide::Buy,
        pair: "XBT/USD".into(),
        price: price.map(str::to_owned),
        volume: "0.002".into(),
        reqid: None,
        cl_ord_id: None,
        close_ordertype: None,
        close_price: None,
        close_price2: None,
        deadline: None,
        expiretm: None,
        leverage: None,
        oflags: None,
        price2: None,
        reduce_only: None,
        starttm: None,
        stp_type: None,
        timeinforce: None,
        userref: None,
        validate: None,
    }
}

/// The next `openOrders` frame's changes: (txid, status).
async fn order_changes(client: &mut private::Client) -> Vec<(String, Option<types::OrderState>)> {
    loop {
        match within("openOrders", client.recv()).await {
            Some(Ok(private::ServerMessage::OpenOrders(frame))) => {
                return frame
                    .0
                     .0
                    .iter()
                    .flat_map(|entry| entry.iter().map(|(id, o)| (id.clone(), o.status)))
                    .collect()
            }
            Some(Ok(
                private::ServerMessage::Heartbeat(_) | private::ServerMessage::SystemStatus(_),
            )) => {}
            other => panic!("expected openOrders, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_private_endpoint_trades_with_the_token() {
    let mock = mock();
    let server = mock
        .private_server("127.0.0.1:0", ServerConfig::default())
        .await
        .unwrap();
    let (url, _handle) = spawn(server, "ws");
    let mut client = private::Client::connect(&url).await.unwrap();

    // Without the right token: Kraken's errors.
    let mut request = subscription(types::SubscriptionName::OpenOrders);
    request.token = Some("wrong".into());
    match client
        .subscribe(subscribe(&[], request.clone()))
        .await
        .unwrap()
    {
        private::SubscribeReply::SubscriptionStatusError(e) => {
            assert_eq!(e.error_message, "ESession:Invalid session")
        }
        other => panic!("{other:?}"),
    }
    let refused = client
        .add_order(add_order("wrong", types::OrderType::Limit, Some("9857")))
        .await
        .unwrap();
    assert_eq!(refused.status, types::RequestStatus::Error);
    assert_eq!(
        refused.error_message.as_deref(),
        Some("ESession:Invalid session")
    );
    // A public feed is not served here.
    match client
        .subscribe(subscribe(
            &["XBT/USD"],
            subscription(types::SubscriptionName::Ticker),
        ))
        .await
        .unwrap()
    {
        private::SubscribeReply::SubscriptionStatusError(e) => {
            assert!(
                e.error_message.contains("Try ws.kraken.com"),
                "{}",
                e.error_message
            )
        }
        other => panic!("{other:?}"),
    }

    // With it: the feed's snapshot, then an order's life.
    request.token = Some(TOKEN.into());
    match client.subscribe(subscribe(&[], request)).await.unwrap() {
        private::SubscribeReply::SubscriptionStatus(s) => assert_eq!(s.channel_name, "openOrders"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        order_changes(&mut client).await,
        Vec::new(),
        "an empty snapshot"
    );
    let placed = client
        .add_order(add_order(TOKEN, types::OrderType::Limit, Some("9857.0")))
        .await
        .unwrap();
    assert_eq!(placed.status, types::RequestStatus::Ok);
    let txid = placed.txid.expect("a txid");
    assert_eq!(
        placed.descr.as_deref(),
        Some("buy 0.002 XBTUSD @ limit 9857.0")
    );
    assert_eq!(
        order_changes(&mut client).await,
        vec![(txid.clone(), Some(types::OrderState::Pending))]
    );
    assert_eq!(
        order_changes(&mut client).await,
        vec![(txid.clone(), Some(types::OrderState::Open))]
    );

    let cancel = types::CancelOrder {
        event: Default::default(),
        reqid: None,
        token: TOKEN.into(),
        txid: vec![txid.clone()],
    };
    let status = client.cancel_order(cancel.clone()).await.unwrap();
    assert_eq!(status.status, types::RequestStatus::Ok);
    assert_eq!(
        order_changes(&mut client).await,
        vec![(txid.clone(), Some(types::OrderState::Canceled))]
    );
    let again = client.cancel_order(cancel).await.unwrap();
    assert_eq!(again.error_message.as_deref(), Some("EOrder:Unknown order"));

    let switch = client
        .cancel_all_orders_after(types::CancelAllOrdersAfter {
            event: Default::default(),
            reqid: None,
            timeout: 0,
            token: TOKEN.into(),
        })
        .await
        .unwrap();
    assert_eq!(switch.trigger_time.as_deref(), Some("0"));
    let all = client
        .cancel_all(types::CancelAll {
            event: Default::default(),
            reqid: None,
            token: TOKEN.into(),
        })
        .await
        .unwrap();
    assert_eq!(all.count, Some(0));
}

#[tokio::test]
async fn wss_with_a_certificate_made_here() {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let cert_pem = certified.cert.pem();
    let key_pem = certified.signing_key.serialize_pem();
    let tls =
        asyncapi_runtime::tls::server_config_from_pem(cert_pem.as_bytes(), key_pem.as_bytes())
            .unwrap();
    let mock = mock();
    let server = Server::builder()
        .tls(tls)
        .channel(public::Service::from_arc(mock.clone()))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let (url, _handle) = spawn(server, "wss");
    assert!(url.starts_with("wss://127.0.0.1:"));

    // Not trusting the certificate: a clear connection error.
    let untrusted = within("connect", public::Client::connect(&url))
        .await
        .unwrap_err();
    assert!(
        matches!(untrusted, ClientError::Connect { .. }),
        "{untrusted}"
    );
    assert!(
        untrusted.to_string().to_lowercase().contains("certificate"),
        "{untrusted}"
    );

    let roots = asyncapi_runtime::tls::client_config_trusting_pem(cert_pem.as_bytes()).unwrap();
    let config = ClientConfig::default().with_tls(roots);
    let mut client = within("connect", public::Client::connect_with(&url, config))
        .await
        .unwrap();
    assert!(matches!(
        next(&mut client).await,
        public::ServerMessage::SystemStatus(_)
    ));
    let pong = client.ping(ping()).await.unwrap();
    assert!(pong.reqid.is_some());
    let mut request = subscription(types::SubscriptionName::Book);
    request.depth = Some(types::BookDepth::try_from(25).unwrap());
    client
        .subscribe(subscribe(&["XBT/EUR"], request))
        .await
        .unwrap();
    let mut book = Book::new(25);
    let mut applied = 0;
    while applied < 5 {
        if book.apply_frame(&next(&mut client).await).unwrap() {
            applied += 1;
        }
    }
    client.close().await.unwrap();
}

/// A raw WebSocket connection, to send what the generated client cannot.
async fn raw(
    url: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let (socket, _) = within("raw connect", tokio_tungstenite::connect_async(url))
        .await
        .unwrap();
    socket
}

/// The next text frame that is not a heartbeat or system status, as JSON.
async fn raw_next<S>(socket: &mut S) -> Result<serde_json::Value, Option<(u16, String)>>
where
    S: futures_util::Stream<Item = Result<Frame, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        match within("a raw frame", socket.next()).await {
            Some(Ok(Frame::Text(text))) => {
                let value: serde_json::Value = serde_json::from_str(&text).unwrap();
                match value.get("event").and_then(|e| e.as_str()) {
                    Some("heartbeat" | "systemStatus") => continue,
                    _ => return Ok(value),
                }
            }
            Some(Ok(Frame::Close(frame))) => {
                return Err(frame.map(|f| (u16::from(f.code), f.reason.to_string())))
            }
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return Err(None),
        }
    }
}

#[tokio::test]
async fn the_server_survives_bad_clients() {
    let mock = mock();
    let config = ServerConfig {
        limits: Limits {
            max_message_size: 64 << 10,
            max_frame_size: 64 << 10,
        },
        ..ServerConfig::default()
    };
    let (url, handle) = public_server(&mock, config).await;

    // A well-behaved client streams throughout.
    let mut good = public::Client::connect(&url).await.unwrap();
    good.subscribe(subscribe(
        &["XBT/USD"],
        subscription(types::SubscriptionName::Ticker),
    ))
    .await
    .unwrap();

    let mut bad = raw(&url).await;
    let cases: [(Frame, &str, Option<u64>); 5] = [
        (Frame::text("not json"), "Malformed request", None),
        (
            Frame::binary(vec![1u8, 2, 3]),
            "Binary frames are not supported",
            None,
        ),
        (
            Frame::text(r#"{"event":"bogus","reqid":9}"#),
            "Unsupported event: bogus",
            Some(9),
        ),
        (Frame::text(r#"{"reqid":5}"#), "Event(s) not found", Some(5)),
        (
            Frame::text(r#"{"event":"subscribe","reqid":6,"subscription":{"name":"nope"}}"#),
            "Malformed request",
            Some(6),
        ),
    ];
    for (frame, message, reqid) in cases {
        let sent = format!("{frame:?}");
        bad.send(frame).await.unwrap();
        let reply = raw_next(&mut bad)
            .await
            .unwrap_or_else(|close| panic!("{sent}: closed {close:?}"));
        assert_eq!(reply["event"], "error", "{sent}: {reply}");
        let text = reply["errorMessage"].as_str().unwrap_or_default();
        assert!(text.starts_with(message), "{sent}: {reply}");
        assert_eq!(
            reply.get("reqid").and_then(|r| r.as_u64()),
            reqid,
            "{sent}: {reply}"
        );
    }
    // Still a working connection.
    bad.send(Frame::text(r#"{"event":"ping","reqid":77}"#))
        .await
        .unwrap();
    assert_eq!(
        raw_next(&mut bad).await.unwrap(),
        serde_json::json!({"event":"pong","reqid":77})
    );
    // Too big: closed with 1009.
    let huge = format!(r#"{{"event":"ping","pad":"{}"}}"#, "x".repeat(100 << 10));
    let _ = bad.send(Frame::text(huge)).await;
    match raw_next(&mut bad).await {
        Err(Some((code, reason))) => {
            assert_eq!(code, 1009, "{reason}");
            assert!(reason.contains("over the limit"), "{reason}");
        }
        other => panic!("expected a close with 1009, got {other:?}"),
    }

    // A client that goes away mid-stream, without a close handshake.
    let mut leaver = raw(&url).await;
    leaver
        .send(Frame::text(
            r#"{"event":"subscribe","pair":["XBT/USD"],"subscription":{"name":"book"}}"#,
        ))
        .await
        .unwrap();
    raw_next(&mut leaver).await.unwrap();
    drop(leaver);

    // The good client never noticed; new connections work.
    let mut tickers = 0;
    while tickers < 5 {
        if let public::ServerMessage::Ticker(_) = next(&mut good).await {
            tickers += 1;
        }
    }
    let fresh = public::Client::connect(&url).await.unwrap();
    fresh.ping(ping()).await.unwrap();
    fresh.close().await.unwrap();
    within("the others to go", async {
        while handle.connection_count() > 1 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    good.close().await.unwrap();
}

#[tokio::test]
async fn the_seed_2_0_shape_makes_requests_through_x_response() {
    use asyncapi_showcase::kraken_2_0;
    let mock = mock();
    let (url, _server) = public_server(&mock, ServerConfig::default()).await;
    // The 2.0 document's client speaks the same frames as the 3.0 one.
    let client = within("connect", kraken_2_0::Client::connect(&url))
        .await
        .unwrap();
    let ping = kraken_2_0::types::Ping {
        event: Default::default(),
        reqid: None,
    };
    let pong = within("ping", client.ping(ping)).await.unwrap();
    assert_eq!(pong.reqid, Some(1));
    let request = kraken_2_0::types::Subscribe {
        event: Default::default(),
        pair: vec!["XBT/USD".into()],
        reqid: None,
        subscription: kraken_2_0::types::SubscriptionRequest {
            name: kraken_2_0::types::SubscriptionName::Spread,
            depth: None,
            interval: None,
            consolidate_taker: None,
            ratecounter: None,
            snapshot: None,
            token: None,
        },
    };
    let reply = within("subscribe", client.subscribe(request))
        .await
        .unwrap();
    match reply {
        kraken_2_0::SubscribeReply::SubscriptionStatus(s) => assert_eq!(s.channel_name, "spread"),
        other => panic!("{other:?}"),
    }
}
