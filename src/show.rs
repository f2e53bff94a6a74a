//! One-line descriptions of Kraken's public frames, for the examples.

use crate::kraken::channels::public::ServerMessage;

/// A short human description of a frame of the public channel.
pub fn line(message: &ServerMessage) -> String {
    match message {
        ServerMessage::Ticker(t) => {
            let (_, data, _, pair) = &t.0;
            format!(
                "{pair} ticker: ask {} bid {} last {} (24h volume {})",
                data.a.0 .0, data.b.0 .0, data.c.0 .0, data.v.0 .1
            )
        }
        ServerMessage::Trade(t) => {
            let (_, trades, _, pair) = &t.0;
            let shown: Vec<String> = trades
                .iter()
                .map(|t| format!("{} {} @ {}", t.0 .3, t.0 .1, t.0 .0))
                .collect();
            format!("{pair} trades: {}", shown.join(", "))
        }
        ServerMessage::Spread(s) => {
            let (_, data, _, pair) = &s.0;
            format!("{pair} spread: bid {} ask {}", data.0 .0, data.0 .1)
        }
        ServerMessage::Ohlc(o) => {
            let (_, candle, name, pair) = &o.0;
            let c = &candle.0;
            format!(
                "{pair} {}: open {} high {} low {} close {} ({} trades)",
                name.as_str(),
                c.2,
                c.3,
                c.4,
                c.5,
                c.8
            )
        }
        ServerMessage::BookSnapshot(b) => {
            let (_, sides, name, pair) = &b.0;
            format!(
                "{pair} {} snapshot: {} asks, {} bids",
                name.as_str(),
                sides.as_.len(),
                sides.bs.len()
            )
        }
        ServerMessage::BookUpdate(b) => {
            let (_, side, name, pair) = &b.0;
            format!(
                "{pair} {} update: {} ask and {} bid levels",
                name.as_str(),
                side.a.len(),
                side.b.len()
            )
        }
        ServerMessage::BookUpdateBothSides(b) => {
            let (_, asks, bids, name, pair) = &b.0;
            format!(
                "{pair} {} update: {} ask and {} bid levels",
                name.as_str(),
                asks.a.len(),
                bids.b.len()
            )
        }
        ServerMessage::SystemStatus(s) => format!(
            "system status: {} (version {}, connection {})",
            s.status, s.version, s.connection_id
        ),
        ServerMessage::SubscriptionStatus(s) => format!(
            "{} {} {} (channel id {:?})",
            s.channel_name,
            s.pair.as_deref().unwrap_or("-"),
            s.status,
            s.channel_id
        ),
        ServerMessage::SubscriptionStatusError(e) => format!(
            "subscription error{}: {}",
            e.pair
                .as_deref()
                .map(|p| format!(" for {p}"))
                .unwrap_or_default(),
            e.error_message
        ),
        ServerMessage::Error(e) => format!("error: {}", e.error_message),
        other => other.variant_name().to_string(),
    }
}
