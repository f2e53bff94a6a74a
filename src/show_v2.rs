//! One-line descriptions of Kraken's v2 public frames, for the examples.

use crate::kraken_v2::channels::public::ServerMessage;

/// A short human description of a frame of the v2 public channel.
pub fn line(message: &ServerMessage) -> String {
    match message {
        ServerMessage::Ticker(t) => t
            .data
            .iter()
            .map(|d| {
                format!(
                    "{} ticker ({}): bid {} ask {} last {} (24h volume {})",
                    *d.symbol, t.type_, d.bid, d.ask, d.last, d.volume
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        ServerMessage::Trade(t) => {
            let shown: Vec<String> = t
                .data
                .iter()
                .map(|d| format!("{} {} {} @ {}", *d.symbol, d.side, d.qty, d.price))
                .collect();
            format!("trades ({}): {}", t.type_, shown.join(", "))
        }
        ServerMessage::Ohlc(o) => o
            .data
            .iter()
            .map(|c| {
                format!(
                    "{} ohlc-{}: open {} high {} low {} close {} ({} trades since {})",
                    *c.symbol,
                    *c.interval,
                    c.open,
                    c.high,
                    c.low,
                    c.close,
                    c.trades,
                    *c.interval_begin
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        ServerMessage::Book(b) => b
            .data
            .iter()
            .map(|d| {
                format!(
                    "{} book {}: {} asks, {} bids, checksum {}",
                    *d.symbol,
                    b.type_,
                    d.asks.len(),
                    d.bids.len(),
                    d.checksum
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        ServerMessage::Instrument(i) => format!(
            "instrument ({}): {} assets, {} pairs",
            i.type_,
            i.data.assets.len(),
            i.data.pairs.len()
        ),
        ServerMessage::Status(s) => s
            .data
            .iter()
            .map(|d| {
                format!(
                    "status: {} (API {} {}, connection {})",
                    d.system, d.api_version, d.version, d.connection_id
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        ServerMessage::SubscribeAck(a) => format!(
            "subscribed: {}{}",
            a.result.channel,
            a.result
                .symbol
                .as_deref()
                .map(|s| format!(" {s}"))
                .unwrap_or_default()
        ),
        ServerMessage::SubscribeError(e) => format!("subscription refused: {}", *e.error),
        ServerMessage::UnsubscribeAck(a) => format!("unsubscribed: {}", a.result.channel),
        ServerMessage::UnsubscribeError(e) => format!("unsubscription refused: {}", *e.error),
        ServerMessage::Pong(p) => format!("pong {:?}", p.req_id.as_deref()),
        ServerMessage::PingError(e) => format!("ping refused: {}", *e.error),
        ServerMessage::Heartbeat(_) => "heartbeat".into(),
    }
}
