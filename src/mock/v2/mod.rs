//! The mock's second protocol face: Kraken's WebSockets API v2, built by
//! implementing the generated `kraken_v2` server traits on the same
//! [`KrakenMock`](super::KrakenMock) that serves v1, over the same market
//! simulation (`market`, and `depth` for books kept at their depth).
//!
//! - On connect: `status`. `ping` → `pong` (the runtime copies `req_id`).
//! - Public (`public`): `subscribe`/`unsubscribe` acknowledged once per
//!   symbol, then `ticker`, `book` (a snapshot, then updates that keep the
//!   book at its depth, each with Kraken's v2 CRC32 `checksum`), `trade`,
//!   `ohlc` and `instrument` frames, and `heartbeat` after a second without
//!   data.
//! - Private (`private`): with the token the mock was given (in
//!   `params.token`), `executions` and `balances`, and trading: order ids,
//!   executions updates, a working `cancel_all_orders_after`.
//! - Level 3 (`level3`): the book's orders, one per level, with checksums.
//! - A frame that is no message but names a known `method` gets that
//!   method's error acknowledgement, with the reason.

mod account;
mod level3;
mod private;
mod public;

pub(super) use account::Account as V2Account;
pub(super) use level3::Connection as Level3Connection;
pub(super) use public::Connection as PublicConnection;

use super::market::{iso8601, Format};
use crate::kraken_v2::types;
use asyncapi_runtime::server::FrameError;
use std::time::{SystemTime, UNIX_EPOCH};

/// Kraken's error for a missing or wrong token.
pub(super) const INVALID_SESSION: &str = "ESession:Invalid session";

/// The current time as v2 writes it: RFC 3339 in UTC with microseconds.
pub fn now() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    at(now.as_secs(), now.subsec_micros())
}

/// `seconds` and `micros` since the epoch, RFC 3339 in UTC with
/// microseconds.
pub fn at(seconds: u64, micros: u32) -> String {
    let whole = iso8601(seconds);
    format!("{}.{micros:06}Z", whole.trim_end_matches('Z'))
}

/// The v1 market a v2 symbol trades on: v2 writes `BTC` where v1 wrote
/// `XBT`, so both faces show the same prices for the same pair.
pub fn market_pair(symbol: &str) -> String {
    symbol
        .split('/')
        .map(|asset| if asset == "BTC" { "XBT" } else { asset })
        .collect::<Vec<_>>()
        .join("/")
}

/// The pair's price precision in v2 (decimals of a price on its tick): the
/// market's price decimals less the tick's.
pub fn price_precision(format: &Format) -> usize {
    format
        .price_decimals
        .saturating_sub(format.tick.max(1).ilog10() as usize)
}

/// A decimal string of the market as a JSON number.
pub fn number(text: &str) -> f64 {
    text.parse().unwrap_or(0.0)
}

/// `status` for a new connection.
pub(super) fn status(connection: u64) -> types::Status {
    types::Status::new(vec![types::StatusData {
        api_version: "v2".into(),
        // Kraken's ids are large unsigned numbers.
        connection_id: 12_393_906_104_898_154_338u64.wrapping_add(connection),
        system: types::SystemState::Online,
        version: "2.0.0".into(),
    }])
}

/// `pong` with the time the ping came in; the runtime copies `req_id`.
pub(super) fn pong(time_in: String) -> types::Pong {
    types::Pong::new()
        .with_time_in(time_in.into())
        .with_time_out(now().into())
}

/// The method a frame that is no message named, and why it was refused;
/// `None` when it named none (Kraken's error acknowledgements need one).
pub(super) fn refused_method(error: &FrameError) -> Option<(String, String)> {
    let value: serde_json::Value = serde_json::from_str(error.frame()?).ok()?;
    let method = value.get("method")?.as_str()?.to_owned();
    // Kraken names the argument it refuses: the last member name of the
    // first violation's place (the runtime validates before the handler).
    let argument = error.violations().first().and_then(|v| {
        v.pointer
            .rsplit('/')
            .find(|token| !token.is_empty() && !token.bytes().all(|b| b.is_ascii_digit()))
    });
    let reason = match argument {
        _ if error.code() == FrameError::UNKNOWN => format!("Unsupported method: {method}"),
        Some(argument) => format!("EGeneral:Invalid arguments:{argument}"),
        None => format!("Invalid request: {error}"),
    };
    Some((method, reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::market::Market;

    #[test]
    fn times_symbols_and_precisions() {
        assert_eq!(at(1_608_543_429, 42), "2020-12-21T09:37:09.000042Z");
        assert_eq!(market_pair("BTC/USD"), "XBT/USD");
        assert_eq!(market_pair("ETH/BTC"), "ETH/XBT");
        assert_eq!(market_pair("ALGO/USD"), "ALGO/USD");
        assert_eq!(price_precision(&Market::new("XBT/USD", 0).format), 1);
        assert_eq!(price_precision(&Market::new("ETH/USD", 0).format), 2);
        assert_eq!(number("42243.20000"), 42243.2);
    }
}
