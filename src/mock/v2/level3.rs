//! The v2 face's level-3 endpoint: the generated `kraken_v2`
//! `level3::Handler`. The simulated book rests one order per price level
//! (its id follows from the symbol and price), so the level-3 feed is the
//! book feed told order by order: `add` for a level that appears, `modify`
//! for a new quantity, `delete` for a level that goes, each frame with the
//! checksum of the top ten levels.

use super::public::checksum;
use super::{market_pair, now, number, price_precision, INVALID_SESSION};
use crate::kraken_v2::channels::level3::{
    Context, Handler, PingReply, ServerMessage, SubscribeReply, UnsubscribeReply,
};
use crate::kraken_v2::types;
use crate::mock::depth::{DepthBook, Levels};
use crate::mock::market::{is_valid_pair, kraken_id, Market, Rng};
use crate::mock::KrakenMock;
use asyncapi_runtime::server::{Disconnect, FrameError, HandlerError, Replies};
use std::sync::Arc;

/// One level-3 subscription.
pub(in crate::mock) struct Subscription {
    symbol: String,
    market: Market,
    book: DepthBook,
    precision: usize,
    started: bool,
}

/// What the mock keeps per level-3 connection.
pub(in crate::mock) type Connection = crate::mock::feed::Subscriptions<Subscription>;

/// The id of the order resting at `price`.
fn order_id(symbol: &str, price: &str) -> String {
    kraken_id(&mut Rng::for_pair(&format!("{symbol} {price}"), 3), 'O')
}

fn order(
    symbol: &str,
    price: &str,
    qty: &str,
    event: Option<types::Level3OrderEvent>,
) -> types::Level3Order {
    types::Level3Order {
        event,
        order_id: order_id(symbol, price),
        limit_price: number(price),
        order_qty: number(qty),
        timestamp: now().into(),
    }
}

fn subscribe_error(text: &str, symbol: Option<&str>, time_in: &str) -> types::SubscribeError {
    let mut error = types::SubscribeError::new(text.to_owned().into())
        .with_time_in(time_in.to_owned().into())
        .with_time_out(now().into());
    error.symbol = symbol.map(|s| s.to_owned().into());
    error
}

impl Handler for KrakenMock {
    async fn on_connect(&self, ctx: &Context) -> Result<(), HandlerError> {
        ctx.send(super::status(ctx.id().0)).await?;
        let connection = Arc::new(Connection::default());
        self.v2_level3_connections()
            .insert(ctx.id(), connection.clone());
        tokio::spawn(crate::mock::feed::run(
            ctx.clone(),
            connection,
            self.config.tick,
            self.config.heartbeat_after,
            next_frame,
            types::Heartbeat::new,
        ));
        Ok(())
    }

    async fn on_disconnect(&self, ctx: &Context, _reason: &Disconnect) {
        self.v2_level3_connections().remove(&ctx.id());
    }

    fn error_reply(&self, _ctx: &Context, error: &FrameError) -> Option<ServerMessage> {
        let (method, reason) = super::refused_method(error)?;
        Some(match method.as_str() {
            "subscribe" => subscribe_error(&reason, None, &now()).into(),
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
        let t = now();
        let params = &message.params;
        if params.channel != types::Channel::Level3 {
            let text = format!("Channel not available on this endpoint: {}", params.channel);
            return Ok(SubscribeReply::from(subscribe_error(&text, None, &t)).into());
        }
        let token_ok = params
            .token
            .as_ref()
            .is_some_and(|t| self.config.token.as_deref() == Some(t.as_str()));
        if !token_ok {
            return Ok(SubscribeReply::from(subscribe_error(INVALID_SESSION, None, &t)).into());
        }
        let depth = params.depth.as_ref().map_or(10, |d| **d);
        if ![10, 100, 1000].contains(&depth) {
            return Ok(SubscribeReply::from(subscribe_error(
                "Invalid depth: must be one of 10, 100, 1000",
                None,
                &t,
            ))
            .into());
        }
        let Some(connection) = self.v2_level3_connections().get(&ctx.id()).cloned() else {
            return Err(HandlerError::new("the connection is not registered"));
        };
        for symbol in &params.symbol {
            let symbol = symbol.as_str();
            if !is_valid_pair(symbol) || connection.lock().iter().any(|s| s.symbol == symbol) {
                ctx.reply(subscribe_error(
                    "Currency pair not supported or already subscribed",
                    Some(symbol),
                    &t,
                ))
                .await?;
                continue;
            }
            let mut result = types::SubscriptionResult::new(types::Channel::Level3);
            result.symbol = Some(symbol.to_owned().into());
            result.depth = params.depth.clone();
            result.snapshot = Some(true);
            ctx.reply(
                types::SubscribeAck::new(result)
                    .with_time_in(t.clone().into())
                    .with_time_out(now().into()),
            )
            .await?;
            let market = Market::new(
                &market_pair(symbol),
                self.config.seed ^ self.next_channel_id(),
            );
            connection.push(Subscription {
                symbol: symbol.to_owned(),
                precision: price_precision(&market.format),
                market,
                book: DepthBook::new(depth as usize),
                started: false,
            });
        }
        Ok(Replies::none())
    }

    async fn unsubscribe(
        &self,
        ctx: &Context,
        message: types::Unsubscribe,
    ) -> Result<Replies<UnsubscribeReply>, HandlerError> {
        let t = now();
        let Some(connection) = self.v2_level3_connections().get(&ctx.id()).cloned() else {
            return Err(HandlerError::new("the connection is not registered"));
        };
        let mut subscriptions = connection.lock();
        let replies = message
            .params
            .symbol
            .iter()
            .map(|symbol| {
                match subscriptions
                    .iter()
                    .position(|s| s.symbol == symbol.as_str())
                {
                    Some(i) => {
                        subscriptions.remove(i);
                        let mut result = types::SubscriptionResult::new(types::Channel::Level3);
                        result.symbol = Some(symbol.clone());
                        types::UnsubscribeAck::new(result)
                            .with_time_in(t.clone().into())
                            .with_time_out(now().into())
                            .into()
                    }
                    None => {
                        let mut error = types::UnsubscribeError::new(
                            "Subscription Not Found".to_owned().into(),
                        )
                        .with_time_in(t.clone().into())
                        .with_time_out(now().into());
                        error.symbol = Some(symbol.clone());
                        error.into()
                    }
                }
            })
            .collect::<Vec<UnsubscribeReply>>();
        Ok(Replies::many(replies))
    }
}

/// A subscription's frame on one tick: the snapshot, then the orders that
/// changed.
fn next_frame(sub: &mut Subscription) -> Option<ServerMessage> {
    sub.market.step();
    let symbol = sub.symbol.clone();
    let all = |levels: &Levels| -> Vec<types::Level3Order> {
        levels
            .iter()
            .map(|(p, q)| order(&symbol, p, q, None))
            .collect()
    };
    let (asks, bids, kind) = if !sub.started {
        sub.started = true;
        let (asks, bids) = sub.book.snapshot(&mut sub.market);
        (all(&asks), all(&bids), types::DataType::Snapshot)
    } else {
        let (before_asks, before_bids) = sub.book.visible();
        let update = sub.book.update(&mut sub.market);
        let events =
            |changes: &[crate::mock::depth::Change], before: &Levels| -> Vec<types::Level3Order> {
                changes
                    .iter()
                    .map(|c| {
                        let old = before.iter().find(|(p, _)| *p == c.price);
                        match old {
                            Some((_, qty)) if crate::book::is_zero(&c.volume) => order(
                                &symbol,
                                &c.price,
                                qty,
                                Some(types::Level3OrderEvent::Delete),
                            ),
                            Some(_) => order(
                                &symbol,
                                &c.price,
                                &c.volume,
                                Some(types::Level3OrderEvent::Modify),
                            ),
                            None => order(
                                &symbol,
                                &c.price,
                                &c.volume,
                                Some(types::Level3OrderEvent::Add),
                            ),
                        }
                    })
                    .collect()
            };
        let (asks, bids) = (
            events(&update.asks, &before_asks),
            events(&update.bids, &before_bids),
        );
        if asks.is_empty() && bids.is_empty() {
            return None;
        }
        (asks, bids, types::DataType::Update)
    };
    let data = types::Level3Data {
        symbol: symbol.clone().into(),
        asks,
        bids,
        checksum: checksum(&sub.book, sub.precision),
        timestamp: Some(now().into()),
    };
    Some(types::Level3::new(vec![data], kind).into())
}
