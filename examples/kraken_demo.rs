//! The whole showcase, offline: the mock Kraken (the generated server
//! traits, implemented) on loopback, and the generated clients talking to
//! it, first in WebSockets API v1, then in v2 (the same mock and market,
//! its second protocol face). No network needed.
//!
//! ```sh
//! cargo run --example kraken_demo
//! ```

use asyncapi_runtime::server::ServerConfig;
use asyncapi_showcase::book::Book;
use asyncapi_showcase::book_v2::BookV2;
use asyncapi_showcase::kraken::channels::{private, public};
use asyncapi_showcase::kraken::types;
use asyncapi_showcase::kraken_v2;
use asyncapi_showcase::mock::{KrakenMock, MockConfig};
use asyncapi_showcase::{show, show_v2};

const TOKEN: &str = "demo-token";

fn subscribe(
    name: types::SubscriptionName,
    pairs: &[&str],
    depth: Option<i64>,
) -> types::Subscribe {
    types::Subscribe {
        event: Default::default(),
        pair: pairs.iter().map(|p| p.to_string()).collect(),
        reqid: None,
        subscription: types::SubscriptionRequest {
            name,
            depth: depth.and_then(|d| types::BookDepth::try_from(d).ok()),
            interval: None,
            consolidate_taker: None,
            ratecounter: None,
            snapshot: None,
            token: matches!(
                name,
                types::SubscriptionName::OwnTrades | types::SubscriptionName::OpenOrders
            )
            .then(|| TOKEN.to_string()),
        },
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = KrakenMock::new(MockConfig {
        token: Some(TOKEN.into()),
        ..MockConfig::default()
    });
    let public_server = mock
        .public_server("127.0.0.1:0", ServerConfig::default())
        .await?;
    let private_server = mock
        .private_server("127.0.0.1:0", ServerConfig::default())
        .await?;
    let public_url = format!("ws://{}", public_server.local_addr());
    let private_url = format!("ws://{}", private_server.local_addr());
    let handles = [public_server.handle(), private_server.handle()];
    let servers = [
        tokio::spawn(public_server.run()),
        tokio::spawn(private_server.run()),
    ];
    println!("mock Kraken: public {public_url}, private {private_url}\n");

    // --- The public endpoint, through the generated client.
    let mut client = public::Client::connect(&public_url).await?;
    if let Some(Ok(first)) = client.recv().await {
        println!("< {}", show::line(&first));
    }
    let pong = client
        .ping(types::Ping {
            event: Default::default(),
            reqid: None,
        })
        .await?;
    println!(
        "> ping (reqid allocated by the client)\n< pong, reqid {:?}",
        pong.reqid
    );

    for (name, depth) in [
        (types::SubscriptionName::Ticker, None),
        (types::SubscriptionName::Book, Some(10)),
    ] {
        let reply = client
            .subscribe(subscribe(name, &["XBT/USD"], depth))
            .await?;
        println!(
            "> subscribe {name} XBT/USD\n< {}",
            show::line(&reply.into())
        );
    }

    let mut book = Book::new(10);
    let (mut updates, mut checked) = (0, 0);
    while updates < 12 {
        let message = match client.recv().await {
            Some(Ok(message)) => message,
            Some(Err(e)) => return Err(e.into()),
            None => break,
        };
        if matches!(message, public::ServerMessage::Heartbeat(_)) {
            continue;
        }
        let mut line = show::line(&message);
        if book.apply_frame(&message)? {
            checked += 1;
            if let (Some(bid), Some(ask)) = (book.best_bid(), book.best_ask()) {
                line += &format!(" | book {} / {} | checksum ok", bid.price, ask.price);
            }
        }
        println!("< {line}");
        updates += 1;
    }
    println!("  ({checked} book frames applied, every checksum matched)");

    // The public endpoint cannot serve private feeds, and says so.
    let refused = client
        .subscribe(subscribe(types::SubscriptionName::OwnTrades, &[], None))
        .await?;
    println!(
        "> subscribe ownTrades on the public endpoint\n< {}",
        show::line(&refused.into())
    );
    client.close().await?;

    // --- The authenticated endpoint: a private feed and an order.
    let mut trader = private::Client::connect(&private_url).await?;
    let _system_status = trader.recv().await;
    let status = trader
        .subscribe(subscribe(types::SubscriptionName::OpenOrders, &[], None))
        .await?;
    match status {
        private::SubscribeReply::SubscriptionStatus(s) => {
            println!(
                "\n> subscribe openOrders (with the token)\n< {} {}",
                s.channel_name, s.status
            )
        }
        private::SubscribeReply::SubscriptionStatusError(e) => {
            return Err(format!("openOrders refused: {}", e.error_message).into())
        }
    }
    let placed = trader
        .add_order(types::AddOrder {
            event: Default::default(),
            token: TOKEN.into(),
            ordertype: types::OrderType::Limit,
            type_: types::OrderSide::Buy,
            pair: "XBT/USD".into(),
            price: Some("9857.0".into()),
            volume: "0.002".into(),
            reqid: None,
            cl_ord_id: None,
            close_ordertype: None,
            close_price: None,
            close_price2: None,
            price2: None,
            deadline: None,
            expiretm: None,
            leverage: None,
            oflags: None,
            reduce_only: None,
            starttm: None,
            stp_type: None,
            timeinforce: None,
            userref: None,
            validate: None,
        })
        .await?;
    println!(
        "> addOrder buy 0.002 XBT/USD @ 9857.0\n< addOrderStatus {}: txid {}, {}",
        placed.status,
        placed.txid.as_deref().unwrap_or("-"),
        placed.descr.as_deref().unwrap_or("")
    );
    for _ in 0..3 {
        match tokio::time::timeout(std::time::Duration::from_secs(2), trader.recv()).await {
            Ok(Some(Ok(private::ServerMessage::OpenOrders(update)))) => {
                let (orders, _, sequence) = &update.0;
                for entry in orders {
                    for (txid, order) in entry {
                        println!(
                            "< openOrders #{}: {txid} {}",
                            sequence.sequence,
                            order.status.map(|s| s.to_string()).unwrap_or_default()
                        );
                    }
                }
            }
            Ok(Some(Ok(other))) => println!("< {}", other.variant_name()),
            _ => break,
        }
    }
    trader.close().await?;

    v2(&mock).await?;

    for handle in &handles {
        handle.shutdown();
    }
    for server in servers {
        server.await??;
    }
    println!("\ndone: both servers shut down cleanly");
    Ok(())
}

/// The same mock's v2 face, through the generated v2 clients.
async fn v2(mock: &std::sync::Arc<KrakenMock>) -> Result<(), Box<dyn std::error::Error>> {
    use kraken_v2::channels::{private, public};
    use kraken_v2::types;
    let public_server = mock
        .v2_public_server("127.0.0.1:0", ServerConfig::default())
        .await?;
    let private_server = mock
        .v2_private_server("127.0.0.1:0", ServerConfig::default())
        .await?;
    let public_url = format!("ws://{}", public_server.local_addr());
    let private_url = format!("ws://{}", private_server.local_addr());
    let handles = [public_server.handle(), private_server.handle()];
    let servers = [
        tokio::spawn(public_server.run()),
        tokio::spawn(private_server.run()),
    ];
    println!("\n--- Kraken WebSockets API v2: public {public_url}/v2, private {private_url}/v2\n");

    let mut client = public::Client::connect(&public_url).await?;
    if let Some(Ok(first)) = client.recv().await {
        println!("< {}", show_v2::line(&first));
    }
    if let public::PingReply::Pong(pong) = client.ping(types::Ping::new()).await? {
        println!(
            "> ping (req_id allocated by the client)\n< pong, req_id {:?}",
            pong.req_id.as_deref()
        );
    }
    let subscribe = |channel, symbol: Option<&str>| {
        let mut params = types::SubscriptionParams::new(channel);
        params.symbol = symbol.into_iter().map(|s| s.to_owned().into()).collect();
        if channel == types::Channel::Book {
            params.depth = types::BookDepth::try_from(10).ok();
        }
        types::Subscribe::new(params)
    };
    // The price precision the v2 checksum needs, from `instrument`.
    let reply = client
        .subscribe(subscribe(types::Channel::Instrument, None))
        .await?;
    println!("> subscribe instrument\n< {}", show_v2::line(&reply.into()));
    let precision = loop {
        match client.recv().await {
            Some(Ok(public::ServerMessage::Instrument(frame))) => {
                println!(
                    "< {}",
                    show_v2::line(&public::ServerMessage::Instrument(frame.clone()))
                );
                let pair = frame
                    .data
                    .pairs
                    .iter()
                    .find(|p| p.symbol.as_str() == "BTC/USD");
                break pair.map_or(1, |p| p.price_precision as usize);
            }
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e.into()),
            None => return Err("the connection ended".into()),
        }
    };
    let reply = client
        .subscribe(subscribe(types::Channel::Book, Some("BTC/USD")))
        .await?;
    println!(
        "> subscribe book BTC/USD depth 10\n< {}",
        show_v2::line(&reply.into())
    );
    let mut book = BookV2::new(10, precision);
    let mut checked = 0;
    while checked < 10 {
        let message = match client.recv().await {
            Some(Ok(message)) => message,
            Some(Err(e)) => return Err(e.into()),
            None => break,
        };
        if let public::ServerMessage::Book(frame) = &message {
            for data in &frame.data {
                book.apply(&frame.type_, data)?;
            }
            checked += 1;
            println!("< {} | checksum ok", show_v2::line(&message));
        }
    }
    println!("  ({checked} book frames applied, every checksum matched)");
    let mut private_params = types::SubscriptionParams::new(types::Channel::Executions);
    private_params.token = Some(TOKEN.to_owned().into());
    let refused = client
        .subscribe(types::Subscribe::new(private_params.clone()))
        .await?;
    println!(
        "> subscribe executions on the public endpoint\n< {}",
        show_v2::line(&refused.into())
    );
    client.close().await?;

    let mut trader = private::Client::connect(&private_url).await?;
    let _status = trader.recv().await;
    match trader
        .subscribe(types::Subscribe::new(private_params))
        .await?
    {
        private::SubscribeReply::SubscribeAck(_) => {
            println!("\n> subscribe executions (token in params.token)\n< subscribed")
        }
        private::SubscribeReply::SubscribeError(e) => {
            return Err(format!("executions refused: {}", *e.error).into())
        }
    }
    let mut order = types::AddOrderParams::new(
        types::OrderType::Limit,
        types::Side::Buy,
        "BTC/USD".to_owned().into(),
        TOKEN.to_owned().into(),
    );
    order.limit_price = Some(26_500.4);
    order.order_qty = Some(1.2);
    match trader.add_order(types::AddOrder::new(order)).await? {
        private::AddOrderReply::AddOrderAck(ack) => {
            println!(
                "> add_order buy 1.2 BTC/USD @ 26500.4\n< order_id {}",
                ack.result.order_id
            )
        }
        private::AddOrderReply::AddOrderError(e) => println!("< refused: {}", *e.error),
    }
    for _ in 0..3 {
        match tokio::time::timeout(std::time::Duration::from_secs(2), trader.recv()).await {
            Ok(Some(Ok(private::ServerMessage::Executions(frame)))) => {
                for report in &frame.data {
                    println!(
                        "< executions #{}: {} {} {}",
                        frame.sequence.unwrap_or_default(),
                        report.order_id,
                        report.exec_type,
                        report
                            .order_status
                            .map(|s| s.to_string())
                            .unwrap_or_default()
                    );
                }
            }
            Ok(Some(Ok(other))) => println!("< {}", other.variant_name()),
            _ => break,
        }
    }
    trader.close().await?;
    for handle in &handles {
        handle.shutdown();
    }
    for server in servers {
        server.await??;
    }
    Ok(())
}
