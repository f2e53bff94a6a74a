//! Decodes real Kraken WebSockets v1 frames offline through the generated
//! enums of both channels, shows the error of a near miss, and encodes a
//! ping.
//!
//! ```sh
//! cargo run --example kraken_decode
//! ```

use asyncapi_showcase::kraken::channels::{private, public};
use asyncapi_showcase::kraken::types;
use std::error::Error;

/// Frames the public endpoint (`wss://ws.kraken.com`) sends.
const PUBLIC_SERVER: &[&str] = &[
    r#"{"connectionID":8628615390848610000,"event":"systemStatus","status":"online","version":"1.9.2"}"#,
    r#"{"channelID":10001,"channelName":"ohlc-5","event":"subscriptionStatus","pair":"XBT/EUR","reqid":42,"status":"subscribed","subscription":{"interval":5,"name":"ohlc"}}"#,
    r#"{"event":"heartbeat"}"#,
    r#"[340,{"a":["42243.20000",3,"3.04172624"],"b":["42243.10000",0,"0.28500000"],"c":["42243.20000","0.00073657"],"v":["634.15","2117.90"],"p":["41908.87","41673.47"],"t":[7214,21130],"l":["40772.20000","40772.20000"],"h":["42474.30000","42571.50000"],"o":["41016.00000","41896.10000"]},"ticker","XBT/USD"]"#,
    r#"[0,[["5541.20000","0.15850568","1534614057.321597","s","l",""]],"trade","XBT/USD"]"#,
    r#"[1234,{"a":[["5541.30000","2.50700000","1534614248.456738"]],"c":"974942666"},"book-10","XBT/USD"]"#,
    r#"[1234,{"a":[["5541.30000","2.50700000","1534614248.456738"]]},{"b":[["5541.20000","1.52900000","1534614248.765567"]],"c":"974942666"},"book-10","XBT/USD"]"#,
    r#"{"errorMessage":"Subscription depth not supported","event":"subscriptionStatus","pair":"XBT/USD","reqid":7,"status":"error","subscription":{"depth":42,"name":"book"}}"#,
];

/// Frames the authenticated endpoint (`wss://ws-auth.kraken.com`) sends.
const PRIVATE_SERVER: &[&str] = &[
    r#"[[{"TDLH43-DVQXD-2KHVYY":{"cost":"17.01","fee":"0.04","margin":"0.00000","ordertxid":"OQCLML-BW3P3-BUCMWZ","ordertype":"limit","pair":"XBT/EUR","postxid":"TKH2SE-M7IF5-CFI7LT","price":"34020.00000","time":"1560516023.070651","type":"buy","vol":"0.00050000"}}],"ownTrades",{"sequence":2948}]"#,
    r#"[[{"OGTT3Y-C6I3P-XRI6HX":{"status":"closed"}}],"openOrders",{"sequence":59342}]"#,
    r#"{"descr":"buy 0.00200000 XBTUSD @ limit 9857.0","event":"addOrderStatus","reqid":5,"status":"ok","txid":"ONPNXH-KMKMU-F4MR5V"}"#,
    r#"{"count":2,"event":"cancelAllStatus","status":"ok"}"#,
];

/// Frames clients send.
const PUBLIC_CLIENT: &str = r#"{"event":"subscribe","reqid":7,"pair":["XBT/USD"],"subscription":{"name":"book","depth":10}}"#;
const PRIVATE_CLIENT: &str = r#"{"event":"addOrder","token":"WW91ciBhdXRoZW50aWNhdGlvbiB0b2tlbiBnb2VzIGhlcmUu","reqid":5,"ordertype":"limit","type":"buy","pair":"XBT/USD","price":"9857","volume":"0.002"}"#;

/// A book update whose channel name is no subscribable depth: it is no
/// message of the public channel.
const NEAR_MISS: &str = r#"[1234,{"a":[["5541.30000","2.50700000","1534614248.456738"]],"c":"974942666"},"book-11","XBT/USD"]"#;

/// One line about a public server message: its variant and a field or two.
fn public_summary(message: &public::ServerMessage) -> String {
    use public::ServerMessage as M;
    match message {
        M::SystemStatus(s) => format!("status {}, version {}", s.status, s.version),
        M::SubscriptionStatus(s) => format!(
            "{} {} on {}",
            s.status,
            s.channel_name,
            s.pair.as_deref().unwrap_or("-")
        ),
        M::SubscriptionStatusError(e) => format!("refused: {}", e.error_message),
        M::Heartbeat(_) => "the connection is alive".to_owned(),
        M::Ticker(ticker) => {
            let (_, data, _, pair) = &ticker.0;
            format!("{pair}: best ask {}, best bid {}", data.a.0 .0, data.b.0 .0)
        }
        M::Trade(trade) => {
            let (_, trades, _, pair) = &trade.0;
            let first = trades.first().map(|t| &t.0);
            match first {
                Some((price, volume, ..)) => {
                    format!(
                        "{pair}: {} trade(s), first {volume} @ {price}",
                        trades.len()
                    )
                }
                None => format!("{pair}: no trades"),
            }
        }
        M::BookUpdate(update) => {
            let (_, side, channel, pair) = &update.0;
            format!(
                "{pair} {}: {} ask and {} bid level(s), checksum {}",
                channel.as_str(),
                side.a.len(),
                side.b.len(),
                side.c.as_deref().map_or("-", String::as_str)
            )
        }
        M::BookUpdateBothSides(update) => {
            let (_, asks, bids, channel, pair) = &update.0;
            format!(
                "{pair} {}: {} ask and {} bid level(s)",
                channel.as_str(),
                asks.a.len(),
                bids.b.len()
            )
        }
        other => format!("{other:?}"),
    }
}

/// One line about a private server message.
fn private_summary(message: &private::ServerMessage) -> String {
    use private::ServerMessage as M;
    match message {
        M::OwnTrades(own) => {
            let (trades, _, sequence) = &own.0;
            let trade = trades.iter().flat_map(|t| t.iter()).next();
            match trade {
                Some((id, t)) => format!(
                    "trade {id}: {} {} {} @ {} (sequence {})",
                    t.type_, t.vol, t.pair, t.price, sequence.sequence
                ),
                None => format!("no trades (sequence {})", sequence.sequence),
            }
        }
        M::OpenOrders(orders) => {
            let (changes, _, sequence) = &orders.0;
            let ids: Vec<&str> = changes
                .iter()
                .flat_map(|c| c.keys())
                .map(String::as_str)
                .collect();
            format!(
                "changes to {} (sequence {})",
                ids.join(", "),
                sequence.sequence
            )
        }
        M::AddOrderStatus(s) => format!("{}: {}", s.status, s.txid.as_deref().unwrap_or("no txid")),
        M::CancelAllStatus(s) => match s.count {
            Some(count) => format!("{}: {count} order(s) cancelled", s.status),
            None => format!("{}", s.status),
        },
        other => format!("{other:?}"),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    println!("== public channel, from the server");
    for frame in PUBLIC_SERVER {
        let message = public::ServerMessage::from_json(frame)?;
        println!(
            "{:<24} {}",
            message.variant_name(),
            public_summary(&message)
        );
    }

    println!("\n== private channel, from the server");
    for frame in PRIVATE_SERVER {
        let message = private::ServerMessage::from_json(frame)?;
        println!(
            "{:<24} {}",
            message.variant_name(),
            private_summary(&message)
        );
    }

    println!("\n== from clients");
    match public::ClientMessage::from_json(PUBLIC_CLIENT)? {
        public::ClientMessage::Subscribe(s) => println!(
            "{:<24} {} to {:?}",
            "Subscribe", s.subscription.name, s.pair
        ),
        other => println!("{:<24} (unexpected)", other.variant_name()),
    }
    match private::ClientMessage::from_json(PRIVATE_CLIENT)? {
        private::ClientMessage::AddOrder(order) => println!(
            "{:<24} {} {} {} @ {}",
            "AddOrder",
            order.type_,
            order.volume,
            order.pair,
            order.price.as_deref().unwrap_or("market")
        ),
        other => println!("{:<24} (unexpected)", other.variant_name()),
    }

    println!("\n== a near miss");
    match public::ServerMessage::from_json(NEAR_MISS) {
        Ok(message) => println!("unexpectedly decoded as {}", message.variant_name()),
        Err(error) => println!("{error}"),
    }

    println!("\n== encoding");
    // `event` is a unit type that always writes "ping": nobody spells it.
    let ping = public::ClientMessage::Ping(types::Ping {
        event: Default::default(),
        reqid: Some(42),
    });
    println!("{}", ping.to_json()?);
    Ok(())
}
