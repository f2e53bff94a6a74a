//! The mock's public endpoint: the generated `public::Handler`, and the
//! per-connection feed that pushes market data for what the connection
//! subscribed to.

use super::depth::{Change, DepthBook, Levels};
use super::market::{timestamp, Market};
use super::{general, KrakenMock};

use crate::kraken::channels::public::{
    Context, Handler, ServerMessage, SubscribeReply, UnsubscribeReply,
};
use crate::kraken::types;
use asyncapi_runtime::server::{Disconnect, FrameError, HandlerError, Replies};
use std::sync::Arc;

/// Kraken's text for a private subscription on the public endpoint.
pub const PRIVATE_ON_PUBLIC: &str =
    "Private data and trading are unavailable on this endpoint. Try ws-auth.kraken.com";

/// A market data feed of one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Feed {
    Ticker,
    Ohlc { interval: i64 },
    Trade,
    Spread,
    Book { depth: i64 },
}

impl Feed {
    fn channel_name(self) -> String {
        match self {
            Feed::Ticker => "ticker".into(),
            Feed::Ohlc { interval } => format!("ohlc-{interval}"),
            Feed::Trade => "trade".into(),
            Feed::Spread => "spread".into(),
            Feed::Book { depth } => format!("book-{depth}"),
        }
    }

    fn name(self) -> types::SubscriptionName {
        match self {
            Feed::Ticker => types::SubscriptionName::Ticker,
            Feed::Ohlc { .. } => types::SubscriptionName::Ohlc,
            Feed::Trade => types::SubscriptionName::Trade,
            Feed::Spread => types::SubscriptionName::Spread,
            Feed::Book { .. } => types::SubscriptionName::Book,
        }
    }

    fn details(self) -> types::SubscriptionDetails {
        let (depth, interval) = match self {
            Feed::Book { depth } => (types::BookDepth::try_from(depth).ok(), None),
            Feed::Ohlc { interval } => (None, types::OhlcInterval::try_from(interval).ok()),
            _ => (None, None),
        };
        types::SubscriptionDetails {
            depth,
            interval,
            maxratecount: None,
            name: self.name(),
            token: None,
        }
    }
}

/// One subscription of one connection.
pub(super) struct Subscription {
    channel_id: u64,
    feed: Feed,
    pair: String,
    market: Market,
    /// The book the feed's updates are made from (book feeds).
    book: Option<DepthBook>,
    /// Whether the first frame (snapshot, last candle) went out.
    started: bool,
    trades_today: u64,
}

/// What the mock keeps per public connection.
pub(super) type Connection = crate::mock::feed::Subscriptions<Subscription>;

/// The feed a subscription request names, or Kraken's error text.
fn feed(request: &types::SubscriptionRequest) -> Result<Feed, &'static str> {
    Ok(match request.name {
        types::SubscriptionName::Ticker => Feed::Ticker,
        types::SubscriptionName::Trade => Feed::Trade,
        types::SubscriptionName::Spread => Feed::Spread,
        types::SubscriptionName::Ohlc => Feed::Ohlc {
            interval: request.interval.as_ref().map_or(1, |i| **i),
        },
        types::SubscriptionName::Book => Feed::Book {
            depth: request.depth.as_ref().map_or(10, |d| **d),
        },
        types::SubscriptionName::OwnTrades | types::SubscriptionName::OpenOrders => {
            return Err(PRIVATE_ON_PUBLIC)
        }
    })
}

fn status(
    channel_id: u64,
    feed: Feed,
    pair: &str,
    state: types::SubscriptionStatusStatus,
) -> types::SubscriptionStatus {
    types::SubscriptionStatus {
        channel_id: Some(channel_id),
        channel_name: feed.channel_name(),
        event: Default::default(),
        pair: Some(pair.to_owned()),
        reqid: None,
        status: state,
        subscription: feed.details(),
    }
}

impl Handler for KrakenMock {
    async fn on_connect(&self, ctx: &Context) -> Result<(), HandlerError> {
        ctx.send(general::system_status(ctx.id().0)).await?;
        let connection = Arc::new(Connection::default());
        self.public_connections()
            .insert(ctx.id(), connection.clone());
        tokio::spawn(crate::mock::feed::run(
            ctx.clone(),
            connection,
            self.config.tick,
            self.config.heartbeat_after,
            next_frames,
            general::heartbeat,
        ));
        Ok(())
    }

    async fn on_disconnect(&self, ctx: &Context, _reason: &Disconnect) {
        self.public_connections().remove(&ctx.id());
    }

    fn error_reply(&self, _ctx: &Context, error: &FrameError) -> Option<ServerMessage> {
        Some(ServerMessage::Error(general::error(error)))
    }

    async fn ping(
        &self,
        _ctx: &Context,
        _message: types::Ping,
    ) -> Result<Replies<types::Pong>, HandlerError> {
        Ok(general::pong().into())
    }

    async fn subscribe(
        &self,
        ctx: &Context,
        message: types::Subscribe,
    ) -> Result<Replies<SubscribeReply>, HandlerError> {
        let request = &message.subscription;
        let feed = match feed(request) {
            Ok(feed) => feed,
            Err(text) => {
                return Ok(
                    SubscribeReply::from(general::subscription_error(text, None, request)).into(),
                )
            }
        };
        if let Feed::Book { depth } = feed {
            if types::BookDepth::try_from(depth).is_err() {
                return Ok(SubscribeReply::from(general::subscription_error(
                    "Subscription depth not supported",
                    None,
                    request,
                ))
                .into());
            }
        }
        if let Feed::Ohlc { interval } = feed {
            if types::OhlcInterval::try_from(interval).is_err() {
                return Ok(SubscribeReply::from(general::subscription_error(
                    "Subscription ohlc interval not supported",
                    None,
                    request,
                ))
                .into());
            }
        }
        if message.pair.is_empty() {
            return Ok(SubscribeReply::from(general::subscription_error(
                "Pair(s) not found",
                None,
                request,
            ))
            .into());
        }
        let Some(connection) = self.public_connections().get(&ctx.id()).cloned() else {
            return Err(HandlerError::new("the connection is not registered"));
        };
        // The status of each pair goes out before the feed's first frame:
        // sent here, in order, rather than returned.
        for pair in &message.pair {
            let reply: SubscribeReply = if !super::market::is_valid_pair(pair) {
                general::subscription_error(
                    "Currency pair not in ISO 4217-A3 format",
                    Some(pair),
                    request,
                )
                .into()
            } else if connection
                .lock()
                .iter()
                .any(|s| s.feed == feed && s.pair == *pair)
            {
                general::subscription_error("Already subscribed", Some(pair), request).into()
            } else {
                let channel_id = self.next_channel_id();
                ctx.reply(status(
                    channel_id,
                    feed,
                    pair,
                    types::SubscriptionStatusStatus::Subscribed,
                ))
                .await?;
                let market = Market::new(pair, self.config.seed ^ channel_id);
                connection.push(Subscription {
                    channel_id,
                    feed,
                    pair: pair.clone(),
                    book: match feed {
                        Feed::Book { depth } => Some(DepthBook::new(depth as usize)),
                        _ => None,
                    },
                    market,
                    started: false,
                    trades_today: 0,
                });
                continue;
            };
            ctx.reply(reply).await?;
        }
        Ok(Replies::none())
    }

    async fn unsubscribe(
        &self,
        ctx: &Context,
        message: types::Unsubscribe,
    ) -> Result<Replies<UnsubscribeReply>, HandlerError> {
        let request = &message.subscription;
        let feed = match feed(request) {
            Ok(feed) => feed,
            Err(text) => {
                return Ok(
                    UnsubscribeReply::from(general::subscription_error(text, None, request)).into(),
                )
            }
        };
        let Some(connection) = self.public_connections().get(&ctx.id()).cloned() else {
            return Err(HandlerError::new("the connection is not registered"));
        };
        let mut replies = Vec::new();
        let mut subscriptions = connection.lock();
        for pair in &message.pair {
            // The depth or interval may be left out when unsubscribing.
            let found = subscriptions.iter().position(|s| {
                s.pair == *pair
                    && match (s.feed, feed) {
                        (Feed::Book { .. }, Feed::Book { .. }) => {
                            request.depth.is_none() || s.feed == feed
                        }
                        (Feed::Ohlc { .. }, Feed::Ohlc { .. }) => {
                            request.interval.is_none() || s.feed == feed
                        }
                        (a, b) => a == b,
                    }
            });
            replies.push(match found {
                Some(i) => {
                    let gone = subscriptions.remove(i);
                    status(
                        gone.channel_id,
                        gone.feed,
                        pair,
                        types::SubscriptionStatusStatus::Unsubscribed,
                    )
                    .into()
                }
                None => general::subscription_error("Subscription Not Found", Some(pair), request)
                    .into(),
            });
        }
        Ok(Replies::many(replies))
    }
}

/// The frames a subscription sends on one tick.
fn next_frames(sub: &mut Subscription) -> Vec<ServerMessage> {
    sub.market.step();
    let first = !sub.started;
    sub.started = true;
    let id = sub.channel_id;
    let pair = sub.pair.clone();
    match sub.feed {
        Feed::Ticker => vec![ServerMessage::Ticker(types::Ticker((
            id,
            ticker(&mut sub.market, sub.trades_today),
            Default::default(),
            pair,
        )))],
        Feed::Spread => {
            let m = &mut sub.market;
            let data = types::SpreadData((
                m.price_at(-1),
                m.price_at(1),
                timestamp(),
                m.volume(),
                m.volume(),
            ));
            vec![ServerMessage::Spread(types::Spread((
                id,
                data,
                Default::default(),
                pair,
            )))]
        }
        Feed::Trade => {
            if !first && !sub.market.rng.chance(0.6) {
                return Vec::new();
            }
            let count = 1 + sub.market.rng.below(3);
            sub.trades_today += count;
            let trades = (0..count)
                .map(|_| {
                    let m = &mut sub.market;
                    let buy = m.rng.chance(0.5);
                    let side = if buy {
                        types::TakerSide::B
                    } else {
                        types::TakerSide::S
                    };
                    let kind = if m.rng.chance(0.7) {
                        types::TakerOrderType::L
                    } else {
                        types::TakerOrderType::M
                    };
                    let price = m.price_at(if buy { 1 } else { -1 });
                    types::PublicTrade((price, m.volume(), timestamp(), side, kind, String::new()))
                })
                .collect();
            vec![ServerMessage::Trade(types::Trade((
                id,
                trades,
                Default::default(),
                pair,
            )))]
        }
        Feed::Ohlc { interval } => {
            let m = &mut sub.market;
            let now = super::market::unix_seconds();
            let span = interval as u64 * 60;
            let end = (now / span + 1) * span;
            let (open, close) = (m.price_at(-2), m.price_at(0));
            let candle = types::Candle((
                timestamp(),
                format!("{end}.000000"),
                open,
                m.price_at(3),
                m.price_at(-4),
                close,
                m.price_at(0),
                m.volume(),
                1 + m.rng.below(40),
            ));
            let name = types::OhlcChannelName::try_from(format!("ohlc-{interval}"));
            match name {
                Ok(name) => vec![ServerMessage::Ohlc(types::Ohlc((id, candle, name, pair)))],
                Err(_) => Vec::new(),
            }
        }
        Feed::Book { depth } => book_frames(sub, depth, first),
    }
}

fn ticker(m: &mut Market, trades_today: u64) -> types::TickerData {
    let two =
        |m: &mut Market, lo: i64, hi: i64| types::TickerDecimals((m.price_at(lo), m.price_at(hi)));
    let volume = |m: &mut Market| types::TickerDecimals((m.volume(), m.volume()));
    types::TickerData {
        a: types::TickerBookLevel((m.price_at(1), 1 + m.rng.below(5) as i64, m.volume())),
        b: types::TickerBookLevel((m.price_at(-1), m.rng.below(5) as i64, m.volume())),
        c: types::TickerLastTrade((m.price_at(0), m.volume())),
        v: volume(m),
        p: two(m, -3, 2),
        t: types::TickerCounts((trades_today, trades_today + 1000)),
        l: two(m, -80, -120),
        h: two(m, 90, 130),
        o: two(m, -20, 15),
    }
}

/// A book subscription's frames: the snapshot first, then updates of one
/// side, or both in the five-element form, with the checksum of the book
/// after them.
fn book_frames(sub: &mut Subscription, depth: i64, first: bool) -> Vec<ServerMessage> {
    let channel = match types::BookChannelName::try_from(format!("book-{depth}")) {
        Ok(channel) => channel,
        Err(_) => return Vec::new(),
    };
    let (id, pair) = (sub.channel_id, sub.pair.clone());
    let Some(book) = sub.book.as_mut() else {
        return Vec::new();
    };
    let m = &mut sub.market;
    if first {
        let (asks, bids) = book.snapshot(m);
        let levels = |levels: Levels| -> Vec<types::BookLevel> {
            levels
                .into_iter()
                .map(|(price, volume)| types::BookLevel((price, volume, timestamp())))
                .collect()
        };
        let sides = types::BookSnapshotSides {
            as_: levels(asks),
            bs: levels(bids),
        };
        return vec![ServerMessage::BookSnapshot(types::BookSnapshot((
            id, sides, channel, pair,
        )))];
    }
    let update = book.update(m);
    let checksum = types::BookChecksum::try_from(book.checksum().to_string()).ok();
    let levels = |changes: Vec<Change>| -> Vec<types::BookUpdateLevel> {
        changes
            .into_iter()
            .map(|change| {
                let mut level = vec![change.price, change.volume, timestamp()];
                if change.republish {
                    level.push("r".to_owned());
                }
                types::BookUpdateLevel(level)
            })
            .collect()
    };
    let frame = match (levels(update.asks), levels(update.bids)) {
        (a, b) if a.is_empty() && b.is_empty() => return Vec::new(),
        (a, b) if !a.is_empty() && !b.is_empty() => {
            ServerMessage::BookUpdateBothSides(types::BookUpdateBothSides((
                id,
                types::BookAskUpdate { a, c: None },
                types::BookBidUpdate { b, c: checksum },
                channel,
                pair,
            )))
        }
        (a, b) => ServerMessage::BookUpdate(types::BookUpdate((
            id,
            types::BookUpdateSide { a, b, c: checksum },
            channel,
            pair,
        ))),
    };
    vec![frame]
}
