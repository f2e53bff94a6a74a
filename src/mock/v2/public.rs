//! The v2 face's public endpoint: the generated `kraken_v2` `public::Handler`,
//! and the per-connection feed that pushes market data for what the
//! connection subscribed to.

use super::{market_pair, now, number, price_precision};
use crate::book_v2;
use crate::kraken_v2::channels::public::{
    Context, Handler, PingReply, ServerMessage, SubscribeReply, UnsubscribeReply,
};
use crate::kraken_v2::types;
use crate::mock::depth::{Change, DepthBook, Levels};
use crate::mock::market::{is_valid_pair, unix_seconds, Market};
use crate::mock::KrakenMock;
use asyncapi_runtime::server::{Disconnect, FrameError, HandlerError, Replies};
use std::sync::Arc;

/// The pairs the `instrument` channel lists.
pub const INSTRUMENTS: [&str; 5] = ["BTC/USD", "BTC/EUR", "ETH/USD", "ETH/EUR", "ETH/BTC"];

/// A market data feed of one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Feed {
    Ticker,
    Book { depth: i64 },
    Trade,
    Ohlc { interval: i64 },
    Instrument,
}

impl Feed {
    fn channel(self) -> types::Channel {
        match self {
            Feed::Ticker => types::Channel::Ticker,
            Feed::Book { .. } => types::Channel::Book,
            Feed::Trade => types::Channel::Trade,
            Feed::Ohlc { .. } => types::Channel::Ohlc,
            Feed::Instrument => types::Channel::Instrument,
        }
    }

    /// What the acknowledgement repeats of the subscription.
    fn result(self, symbol: Option<&str>, snapshot: Option<bool>) -> types::SubscriptionResult {
        let mut result = types::SubscriptionResult::new(self.channel());
        result.symbol = symbol.map(|s| s.to_owned().into());
        result.snapshot = snapshot;
        match self {
            Feed::Book { depth } => result.depth = types::BookDepth::try_from(depth).ok(),
            Feed::Ohlc { interval } => {
                result.interval = types::OhlcInterval::try_from(interval).ok()
            }
            Feed::Ticker => {
                result.event_trigger = Some(types::SubscriptionResultEventTrigger::Trades)
            }
            _ => {}
        }
        result
    }
}

/// One subscription of one connection.
pub(in crate::mock) struct Subscription {
    feed: Feed,
    symbol: String,
    market: Market,
    precision: usize,
    /// The book the feed's updates are made from (book feeds).
    book: Option<DepthBook>,
    /// Whether the first frame is a snapshot.
    snapshot: bool,
    /// Whether the first frame went out.
    started: bool,
    next_trade_id: u64,
}

/// What the mock keeps per public v2 connection.
pub(in crate::mock) type Connection = crate::mock::feed::Subscriptions<Subscription>;

/// The feed a subscription names, or Kraken's error text.
fn feed(params: &types::SubscriptionParams) -> Result<Feed, String> {
    Ok(match params.channel {
        types::Channel::Ticker => Feed::Ticker,
        types::Channel::Trade => Feed::Trade,
        types::Channel::Instrument => Feed::Instrument,
        types::Channel::Book => Feed::Book {
            depth: params.depth.as_ref().map_or(10, |d| **d),
        },
        types::Channel::Ohlc => Feed::Ohlc {
            interval: params.interval.as_ref().map_or(1, |i| **i),
        },
        other => {
            return Err(format!(
                "Private channel not available on this endpoint: {other}"
            ))
        }
    })
}

fn subscribe_error(text: &str, symbol: Option<&str>, time_in: &str) -> types::SubscribeError {
    let mut error = types::SubscribeError::new(text.to_owned().into())
        .with_time_in(time_in.to_owned().into())
        .with_time_out(now().into());
    error.symbol = symbol.map(|s| s.to_owned().into());
    error
}

fn unsubscribe_error(text: &str, symbol: Option<&str>, time_in: &str) -> types::UnsubscribeError {
    let mut error = types::UnsubscribeError::new(text.to_owned().into())
        .with_time_in(time_in.to_owned().into())
        .with_time_out(now().into());
    error.symbol = symbol.map(|s| s.to_owned().into());
    error
}

impl KrakenMock {
    fn v2_connection(&self, ctx: &Context) -> Result<Arc<Connection>, HandlerError> {
        self.v2_public_connections()
            .get(&ctx.id())
            .cloned()
            .ok_or_else(|| HandlerError::new("the connection is not registered"))
    }
}

impl Handler for KrakenMock {
    async fn on_connect(&self, ctx: &Context) -> Result<(), HandlerError> {
        ctx.send(super::status(ctx.id().0)).await?;
        let connection = Arc::new(Connection::default());
        self.v2_public_connections()
            .insert(ctx.id(), connection.clone());
        tokio::spawn(crate::mock::feed::run(
            ctx.clone(),
            connection,
            self.config.tick,
            self.config.heartbeat_after,
            next_frames,
            types::Heartbeat::new,
        ));
        Ok(())
    }

    async fn on_disconnect(&self, ctx: &Context, _reason: &Disconnect) {
        self.v2_public_connections().remove(&ctx.id());
    }

    fn error_reply(&self, _ctx: &Context, error: &FrameError) -> Option<ServerMessage> {
        let (method, reason) = super::refused_method(error)?;
        let time = now();
        Some(match method.as_str() {
            "subscribe" => subscribe_error(&reason, None, &time).into(),
            "unsubscribe" => unsubscribe_error(&reason, None, &time).into(),
            "ping" => types::PingError::new(reason.into()).into(),
            _ => return None,
        })
    }

    async fn ping(
        &self,
        _ctx: &Context,
        _message: types::Ping,
    ) -> Result<Replies<PingReply>, HandlerError> {
        Ok(PingReply::from(super::pong(now())).into())
    }

    async fn subscribe(
        &self,
        ctx: &Context,
        message: types::Subscribe,
    ) -> Result<Replies<SubscribeReply>, HandlerError> {
        let time_in = now();
        let params = &message.params;
        let feed = match feed(params) {
            Ok(feed) => feed,
            Err(text) => {
                return Ok(SubscribeReply::from(subscribe_error(&text, None, &time_in)).into())
            }
        };
        let connection = self.v2_connection(ctx)?;
        let snapshot = params.snapshot.unwrap_or(feed != Feed::Trade);
        if feed == Feed::Instrument {
            let already = connection.lock().iter().any(|s| s.feed == feed);
            if already {
                return Ok(SubscribeReply::from(subscribe_error(
                    "Already subscribed",
                    None,
                    &time_in,
                ))
                .into());
            }
            ctx.reply(
                types::SubscribeAck::new(feed.result(None, Some(snapshot)))
                    .with_time_in(time_in.clone().into())
                    .with_time_out(now().into()),
            )
            .await?;
            connection.push(Subscription {
                feed,
                symbol: String::new(),
                market: Market::new("XBT/USD", 0),
                precision: 1,
                book: None,
                snapshot,
                started: false,
                next_trade_id: 0,
            });
            return Ok(Replies::none());
        }
        if params.symbol.is_empty() {
            return Ok(SubscribeReply::from(subscribe_error(
                "Missing field: symbol",
                None,
                &time_in,
            ))
            .into());
        }
        // Each symbol's acknowledgement goes out before its first frame:
        // sent here, in order, rather than returned.
        for symbol in &params.symbol {
            let symbol = symbol.as_str();
            let refusal = if !is_valid_pair(symbol) {
                Some("Currency pair not supported")
            } else if connection
                .lock()
                .iter()
                .any(|s| s.feed.channel() == feed.channel() && s.symbol == symbol)
            {
                Some("Already subscribed")
            } else {
                None
            };
            if let Some(text) = refusal {
                ctx.reply(subscribe_error(text, Some(symbol), &time_in))
                    .await?;
                continue;
            }
            ctx.reply(
                types::SubscribeAck::new(feed.result(Some(symbol), Some(snapshot)))
                    .with_time_in(time_in.clone().into())
                    .with_time_out(now().into()),
            )
            .await?;
            let salt = self.config.seed ^ self.next_channel_id();
            let market = Market::new(&market_pair(symbol), salt);
            connection.push(Subscription {
                feed,
                symbol: symbol.to_owned(),
                precision: price_precision(&market.format),
                market,
                book: match feed {
                    Feed::Book { depth } => Some(DepthBook::new(depth as usize)),
                    _ => None,
                },
                snapshot,
                started: false,
                next_trade_id: 1,
            });
        }
        Ok(Replies::none())
    }

    async fn unsubscribe(
        &self,
        ctx: &Context,
        message: types::Unsubscribe,
    ) -> Result<Replies<UnsubscribeReply>, HandlerError> {
        let time_in = now();
        let params = &message.params;
        let feed = match feed(params) {
            Ok(feed) => feed,
            Err(text) => {
                return Ok(UnsubscribeReply::from(unsubscribe_error(&text, None, &time_in)).into())
            }
        };
        let connection = self.v2_connection(ctx)?;
        let mut subscriptions = connection.lock();
        let symbols: Vec<Option<&str>> = if feed == Feed::Instrument {
            vec![None]
        } else {
            params.symbol.iter().map(|s| Some(s.as_str())).collect()
        };
        let mut replies = Vec::new();
        for symbol in symbols {
            // The depth or interval may be left out when unsubscribing.
            let found = subscriptions.iter().position(|s| {
                s.feed.channel() == feed.channel()
                    && symbol.is_none_or(|symbol| s.symbol == symbol)
                    && (params.depth.is_none() && params.interval.is_none() || s.feed == feed)
            });
            replies.push(match found {
                Some(i) => {
                    let gone = subscriptions.remove(i);
                    let mut result = gone.feed.result(symbol, None);
                    result.event_trigger = None;
                    types::UnsubscribeAck::new(result)
                        .with_time_in(time_in.clone().into())
                        .with_time_out(now().into())
                        .into()
                }
                None => unsubscribe_error("Subscription Not Found", symbol, &time_in).into(),
            });
        }
        Ok(Replies::many(replies))
    }
}

/// `snapshot` for the first frame of a subscription that asked for one.
fn kind(first: bool) -> types::DataType {
    if first {
        types::DataType::Snapshot
    } else {
        types::DataType::Update
    }
}

/// The frames a subscription sends on one tick.
fn next_frames(sub: &mut Subscription) -> Vec<ServerMessage> {
    sub.market.step();
    let first = !sub.started;
    sub.started = true;
    let symbol: types::Symbol = sub.symbol.clone().into();
    match sub.feed {
        Feed::Ticker => vec![types::Ticker::new(
            vec![ticker(&mut sub.market, symbol)],
            kind(first && sub.snapshot),
        )
        .into()],
        Feed::Trade => {
            let count = if first && sub.snapshot {
                10
            } else if first || !sub.market.rng.chance(0.6) {
                return Vec::new();
            } else {
                1 + sub.market.rng.below(3)
            };
            let trades = (0..count).map(|_| trade(sub, symbol.clone())).collect();
            vec![types::Trade::new(trades, kind(first)).into()]
        }
        Feed::Ohlc { interval } => {
            let Ok(length) = types::OhlcInterval::try_from(interval) else {
                return Vec::new();
            };
            let m = &mut sub.market;
            let span = interval.max(1) as u64 * 60;
            let begin = unix_seconds() / span * span;
            let candle = types::Candle {
                symbol,
                open: number(&m.price_at(-2)),
                high: number(&m.price_at(3)),
                low: number(&m.price_at(-4)),
                close: number(&m.price_at(0)),
                vwap: number(&m.price_at(0)),
                trades: 1 + m.rng.below(40),
                volume: number(&m.volume()),
                interval_begin: format!("{}000Z", super::at(begin, 0).trim_end_matches('Z')).into(),
                interval: length,
                timestamp: Some(super::at(begin + span, 0).into()),
            };
            let mut frame = types::Ohlc::new(vec![candle], kind(first && sub.snapshot));
            frame.timestamp = Some(now().into());
            vec![frame.into()]
        }
        Feed::Instrument if first => vec![types::Instrument::new(instruments(), kind(true)).into()],
        Feed::Instrument => Vec::new(),
        Feed::Book { .. } => book_frames(sub, symbol, first),
    }
}

fn ticker(m: &mut Market, symbol: types::Symbol) -> types::TickerData {
    let (last, open) = (number(&m.price_at(0)), number(&m.price_at(-20)));
    let change = last - open;
    types::TickerData {
        symbol,
        bid: number(&m.price_at(-1)),
        bid_qty: number(&m.volume()),
        ask: number(&m.price_at(1)),
        ask_qty: number(&m.volume()),
        last,
        volume: number(&m.volume()) * 1000.0,
        vwap: number(&m.price_at(-3)),
        low: number(&m.price_at(-120)),
        high: number(&m.price_at(130)),
        change,
        change_pct: (change / open * 10_000.0).round() / 100.0,
        timestamp: Some(now().into()),
    }
}

fn trade(sub: &mut Subscription, symbol: types::Symbol) -> types::TradeData {
    let m = &mut sub.market;
    let buy = m.rng.chance(0.5);
    let trade_id = sub.next_trade_id;
    sub.next_trade_id += 1;
    types::TradeData {
        symbol,
        side: if buy {
            types::Side::Buy
        } else {
            types::Side::Sell
        },
        price: number(&m.price_at(if buy { 1 } else { -1 })),
        qty: number(&m.volume()),
        ord_type: if m.rng.chance(0.7) {
            types::TradeDataOrdType::Limit
        } else {
            types::TradeDataOrdType::Market
        },
        trade_id,
        timestamp: now().into(),
    }
}

/// The assets and pairs of [`INSTRUMENTS`].
fn instruments() -> types::InstrumentData {
    let asset = |id: &str, precision: i64| types::Asset {
        id: id.into(),
        status: "enabled".into(),
        precision,
        precision_display: precision.min(5),
        borrowable: true,
        collateral_value: 1.0,
        margin_rate: Some(0.02),
        multiplier: None,
    };
    let pairs = INSTRUMENTS
        .iter()
        .map(|symbol| {
            let market = Market::new(&market_pair(symbol), 0);
            let precision = price_precision(&market.format);
            let step = 10f64.powi(-(precision as i32));
            let (base, quote) = symbol.split_once('/').unwrap_or((symbol, ""));
            types::Pair {
                symbol: symbol.to_string().into(),
                base: base.into(),
                quote: quote.into(),
                status: "online".into(),
                qty_precision: 8,
                qty_increment: 1e-8,
                price_precision: precision as i64,
                cost_precision: 5,
                marginable: true,
                has_index: true,
                cost_min: 0.5,
                margin_initial: Some(0.2),
                position_limit_long: Some(250),
                position_limit_short: Some(200),
                tick_size: step,
                price_increment: step,
                qty_min: 0.0001,
            }
        })
        .collect();
    types::InstrumentData {
        assets: vec![
            asset("BTC", 10),
            asset("ETH", 10),
            asset("EUR", 4),
            asset("USD", 4),
        ],
        pairs,
    }
}

/// Levels as v2 writes them: JSON numbers.
fn levels(levels: &Levels) -> Vec<types::PriceLevel> {
    levels
        .iter()
        .map(|(price, qty)| types::PriceLevel {
            price: number(price),
            qty: number(qty),
        })
        .collect()
}

/// The v2 checksum of a depth book's visible levels.
pub(super) fn checksum(book: &DepthBook, precision: usize) -> u32 {
    let (asks, bids) = book.visible();
    let numbers =
        |l: &Levels| -> Vec<(f64, f64)> { l.iter().map(|(p, q)| (number(p), number(q))).collect() };
    book_v2::checksum(&numbers(&asks), &numbers(&bids), precision)
}

/// A book subscription's frames: the snapshot first, then updates (the
/// deletion of a visible level first, then the level that moves into
/// view), each with the checksum of the book after it.
fn book_frames(sub: &mut Subscription, symbol: types::Symbol, first: bool) -> Vec<ServerMessage> {
    let Some(book) = sub.book.as_mut() else {
        return Vec::new();
    };
    let m = &mut sub.market;
    let (asks, bids, kind) = if first {
        let (asks, bids) = book.snapshot(m);
        if !sub.snapshot {
            return Vec::new();
        }
        (levels(&asks), levels(&bids), types::DataType::Snapshot)
    } else {
        let update = book.update(m);
        let changes = |changes: Vec<Change>| -> Vec<types::PriceLevel> {
            changes
                .into_iter()
                .map(|c| types::PriceLevel {
                    price: number(&c.price),
                    qty: number(&c.volume),
                })
                .collect()
        };
        let (asks, bids) = (changes(update.asks), changes(update.bids));
        if asks.is_empty() && bids.is_empty() {
            return Vec::new();
        }
        (asks, bids, types::DataType::Update)
    };
    let data = types::BookData {
        symbol,
        asks,
        bids,
        checksum: checksum(book, sub.precision),
        timestamp: Some(now().into()),
    };
    vec![types::Book::new(vec![data], kind).into()]
}
