//! The mock's authenticated endpoint: the generated `private::Handler`
//! over one simulated account (its orders and trades). Updates reach the
//! connections subscribed to `openOrders`/`ownTrades` through the runtime's
//! groups, named after the feeds.

use super::market::{iso8601, kraken_id, timestamp, unix_seconds, Rng};
use super::{general, KrakenMock};
use crate::kraken::channels::private::{
    Context, Handler, ServerMessage, SubscribeReply, UnsubscribeReply,
};
use crate::kraken::types;
use asyncapi_runtime::server::{FrameError, HandlerError, Replies};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

/// Kraken's text for a public subscription on the authenticated endpoint.
const PUBLIC_ON_PRIVATE: &str =
    "Public market data subscriptions are unavailable on this endpoint. Try ws.kraken.com";
/// Kraken's error for a missing or wrong token.
const INVALID_SESSION: &str = "ESession:Invalid session";
const UNKNOWN_ORDER: &str = "EOrder:Unknown order";
const OPEN_ORDERS: &str = "openOrders";
const OWN_TRADES: &str = "ownTrades";

/// An order of the simulated account.
#[derive(Debug, Clone)]
struct Order {
    pair: String,
    side: types::OrderSide,
    ordertype: types::OrderType,
    price: Option<String>,
    volume: String,
    userref: Option<i64>,
    opentm: String,
    status: types::OrderState,
}

impl Order {
    fn describe(&self) -> String {
        let side = self.side.to_string();
        let price = self.price.as_deref().unwrap_or("market");
        format!(
            "{side} {} {} @ {} {price}",
            self.volume,
            self.pair.replace('/', ""),
            self.ordertype
        )
    }

    fn open_order(&self) -> types::OpenOrder {
        types::OpenOrder {
            descr: Some(types::OrderDescription {
                order: Some(self.describe()),
                ordertype: Some(self.ordertype.to_string()),
                pair: Some(self.pair.clone()),
                price: self.price.clone(),
                type_: Some(self.side),
                ..Default::default()
            }),
            opentm: Some(self.opentm.clone()),
            status: Some(self.status),
            userref: self.userref,
            vol: Some(self.volume.clone()),
            vol_exec: Some("0.00000000".into()),
            ..Default::default()
        }
    }
}

/// The simulated account: orders, trades, and the feeds' sequence numbers.
pub(super) struct Account {
    rng: Rng,
    orders: BTreeMap<String, Order>,
    trades: Vec<(String, types::OwnTrade)>,
    orders_sequence: u64,
    trades_sequence: u64,
    /// Bumped whenever the dead man's switch is armed or disarmed.
    switch_generation: u64,
}

impl Account {
    pub(super) fn new(seed: u64) -> Self {
        Account {
            rng: Rng::new(seed),
            orders: BTreeMap::new(),
            trades: Vec::new(),
            orders_sequence: 0,
            trades_sequence: 0,
            switch_generation: 0,
        }
    }

    /// A Kraken-shaped id: `PXXXXX-XXXXX-XXXXXX`.
    fn id(&mut self, prefix: char) -> String {
        kraken_id(&mut self.rng, prefix)
    }

    fn orders_frame(&mut self, changes: Vec<(String, types::OpenOrder)>) -> ServerMessage {
        self.orders_sequence += 1;
        let entries = changes
            .into_iter()
            .map(|(txid, order)| HashMap::from([(txid, order)]))
            .collect();
        ServerMessage::OpenOrders(types::OpenOrders((
            entries,
            Default::default(),
            types::FeedSequence {
                sequence: self.orders_sequence,
            },
        )))
    }

    fn trades_frame(&mut self, trades: Vec<(String, types::OwnTrade)>) -> ServerMessage {
        self.trades_sequence += 1;
        let entries = trades
            .into_iter()
            .map(|(id, trade)| HashMap::from([(id, trade)]))
            .collect();
        ServerMessage::OwnTrades(types::OwnTrades((
            entries,
            Default::default(),
            types::FeedSequence {
                sequence: self.trades_sequence,
            },
        )))
    }

    fn status_change(txid: &str, status: types::OrderState) -> (String, types::OpenOrder) {
        (
            txid.to_owned(),
            types::OpenOrder {
                status: Some(status),
                ..Default::default()
            },
        )
    }

    /// Cancels every open order; the update frame, if any was open.
    fn cancel_all(&mut self) -> (u64, Option<ServerMessage>) {
        let open: Vec<String> = self
            .orders
            .iter()
            .filter(|(_, o)| o.status == types::OrderState::Open)
            .map(|(txid, _)| txid.clone())
            .collect();
        let changes = open
            .iter()
            .map(|txid| {
                if let Some(order) = self.orders.get_mut(txid) {
                    order.status = types::OrderState::Canceled;
                }
                Self::status_change(txid, types::OrderState::Canceled)
            })
            .collect::<Vec<_>>();
        let count = changes.len() as u64;
        let frame = (!changes.is_empty()).then(|| self.orders_frame(changes));
        (count, frame)
    }
}

fn token_ok(mock: &KrakenMock, token: Option<&str>) -> bool {
    matches!((&mock.config.token, token), (Some(want), Some(got)) if want == got)
}

fn subscribed(
    request: &types::SubscriptionRequest,
    state: types::SubscriptionStatusStatus,
) -> types::SubscriptionStatus {
    let counts =
        request.name == types::SubscriptionName::OpenOrders && request.ratecounter == Some(true);
    types::SubscriptionStatus {
        channel_id: None,
        channel_name: request.name.to_string(),
        event: Default::default(),
        pair: None,
        reqid: None,
        status: state,
        subscription: types::SubscriptionDetails {
            depth: None,
            interval: None,
            maxratecount: counts.then_some(125),
            name: request.name,
            token: None,
        },
    }
}

/// The group of a private feed with the right token, or Kraken's error: for
/// a public feed, or a wrong token.
fn feed_group(
    mock: &KrakenMock,
    request: &types::SubscriptionRequest,
) -> Result<&'static str, Box<types::SubscriptionStatusError>> {
    let refused = |text| Box::new(general::subscription_error(text, None, request));
    let group = match request.name {
        types::SubscriptionName::OpenOrders => OPEN_ORDERS,
        types::SubscriptionName::OwnTrades => OWN_TRADES,
        _ => return Err(refused(PUBLIC_ON_PRIVATE)),
    };
    if !token_ok(mock, request.token.as_deref()) {
        return Err(refused(INVALID_SESSION));
    }
    Ok(group)
}

fn is_positive_decimal(text: &str) -> bool {
    text.parse::<f64>().is_ok_and(|v| v > 0.0 && v.is_finite())
}

impl Handler for KrakenMock {
    async fn on_connect(&self, ctx: &Context) -> Result<(), HandlerError> {
        ctx.send(general::system_status(ctx.id().0)).await?;
        Ok(())
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
        let group = match feed_group(self, request) {
            Ok(group) => group,
            Err(refused) => return Ok(SubscribeReply::from(*refused).into()),
        };
        if ctx.groups().iter().any(|g| g == group) {
            return Ok(SubscribeReply::from(general::subscription_error(
                "Already subscribed",
                None,
                request,
            ))
            .into());
        }
        // Status, then the snapshot, then updates.
        ctx.reply(subscribed(
            request,
            types::SubscriptionStatusStatus::Subscribed,
        ))
        .await?;
        let snapshot = {
            let mut account = self.account();
            ctx.join(group);
            if group == OPEN_ORDERS {
                let open = account
                    .orders
                    .iter()
                    .filter(|(_, o)| o.status == types::OrderState::Open)
                    .map(|(txid, o)| (txid.clone(), o.open_order()))
                    .collect();
                account.orders_frame(open)
            } else {
                let last: Vec<_> = account
                    .trades
                    .iter()
                    .rev()
                    .take(50)
                    .rev()
                    .cloned()
                    .collect();
                account.trades_frame(last)
            }
        };
        ctx.send(snapshot).await?;
        Ok(Replies::none())
    }

    async fn unsubscribe(
        &self,
        ctx: &Context,
        message: types::Unsubscribe,
    ) -> Result<Replies<UnsubscribeReply>, HandlerError> {
        let request = &message.subscription;
        let group = match feed_group(self, request) {
            Ok(group) => group,
            Err(refused) => return Ok(UnsubscribeReply::from(*refused).into()),
        };
        if !ctx.groups().iter().any(|g| g == group) {
            return Ok(UnsubscribeReply::from(general::subscription_error(
                "Subscription Not Found",
                None,
                request,
            ))
            .into());
        }
        ctx.leave(group);
        Ok(UnsubscribeReply::from(subscribed(
            request,
            types::SubscriptionStatusStatus::Unsubscribed,
        ))
        .into())
    }

    async fn add_order(
        &self,
        ctx: &Context,
        message: types::AddOrder,
    ) -> Result<Replies<types::AddOrderStatus>, HandlerError> {
        let failed = |text: &str| types::AddOrderStatus {
            descr: None,
            error_message: Some(text.to_owned()),
            event: Default::default(),
            reqid: None,
            status: types::RequestStatus::Error,
            txid: None,
        };
        if !token_ok(self, Some(&message.token)) {
            return Ok(failed(INVALID_SESSION).into());
        }
        if !is_positive_decimal(&message.volume) {
            return Ok(failed("EGeneral:Invalid arguments:volume").into());
        }
        let market = message.ordertype == types::OrderType::Market;
        if !market && !message.price.as_deref().is_some_and(is_positive_decimal) {
            return Ok(failed("EGeneral:Invalid arguments:price").into());
        }
        if !super::market::is_valid_pair(&message.pair) {
            return Ok(failed("EQuery:Unknown asset pair").into());
        }
        let (txid, order, frames) = {
            let mut account = self.account();
            let txid = account.id('O');
            let mut order = Order {
                pair: message.pair.clone(),
                side: message.type_,
                ordertype: message.ordertype,
                price: message.price.clone(),
                volume: message.volume.clone(),
                userref: message.userref.as_deref().and_then(|u| u.parse().ok()),
                opentm: timestamp(),
                status: types::OrderState::Pending,
            };
            let mut frames = vec![(
                OPEN_ORDERS,
                account.orders_frame(vec![(txid.clone(), order.open_order())]),
            )];
            if market {
                // A market order fills at once.
                let trade_id = account.id('T');
                let price = order.price.clone().unwrap_or_else(|| "50000.00000".into());
                let trade = types::OwnTrade {
                    cl_ord_id: message.cl_ord_id.clone(),
                    cost: format!(
                        "{:.5}",
                        message.volume.parse::<f64>().unwrap_or(0.0)
                            * price.parse::<f64>().unwrap_or(0.0)
                    ),
                    fee: "0.00000".into(),
                    margin: "0.00000".into(),
                    ordertxid: txid.clone(),
                    ordertype: order.ordertype.to_string(),
                    pair: order.pair.clone(),
                    postxid: account.id('T'),
                    price,
                    time: timestamp(),
                    type_: order.side,
                    userref: order.userref,
                    vol: order.volume.clone(),
                };
                account.trades.push((trade_id.clone(), trade.clone()));
                order.status = types::OrderState::Closed;
                frames.push((OWN_TRADES, account.trades_frame(vec![(trade_id, trade)])));
            } else {
                order.status = types::OrderState::Open;
            }
            frames.push((
                OPEN_ORDERS,
                account.orders_frame(vec![Account::status_change(&txid, order.status)]),
            ));
            account.orders.insert(txid.clone(), order.clone());
            (txid, order, frames)
        };
        ctx.reply(types::AddOrderStatus {
            descr: Some(order.describe()),
            error_message: None,
            event: Default::default(),
            reqid: None,
            status: types::RequestStatus::Ok,
            txid: Some(txid),
        })
        .await?;
        for (group, frame) in frames {
            ctx.broadcast(group, frame).await?;
        }
        Ok(Replies::none())
    }

    async fn edit_order(
        &self,
        ctx: &Context,
        message: types::EditOrder,
    ) -> Result<Replies<types::EditOrderStatus>, HandlerError> {
        let failed = |text: &str| types::EditOrderStatus {
            descr: None,
            error_message: Some(text.to_owned()),
            event: Default::default(),
            originaltxid: Some(message.orderid.clone()),
            reqid: None,
            status: types::RequestStatus::Error,
            txid: None,
        };
        if !token_ok(self, Some(&message.token)) {
            return Ok(failed(INVALID_SESSION).into());
        }
        if !is_positive_decimal(&message.volume) {
            return Ok(failed("EGeneral:Invalid arguments:volume").into());
        }
        let (status, frame) = {
            let mut account = self.account();
            let Some(old) = account
                .orders
                .get(&message.orderid)
                .filter(|o| o.status == types::OrderState::Open)
                .cloned()
            else {
                return Ok(failed(UNKNOWN_ORDER).into());
            };
            let txid = account.id('O');
            let order = Order {
                price: message.price.clone().or(old.price.clone()),
                volume: message.volume.clone(),
                opentm: timestamp(),
                ..old
            };
            if let Some(old) = account.orders.get_mut(&message.orderid) {
                old.status = types::OrderState::Canceled;
            }
            account.orders.insert(txid.clone(), order.clone());
            let frame = account.orders_frame(vec![
                Account::status_change(&message.orderid, types::OrderState::Canceled),
                (txid.clone(), order.open_order()),
            ]);
            let status = types::EditOrderStatus {
                descr: Some(order.describe()),
                error_message: None,
                event: Default::default(),
                originaltxid: Some(message.orderid.clone()),
                reqid: None,
                status: types::RequestStatus::Ok,
                txid: Some(txid),
            };
            (status, frame)
        };
        ctx.reply(status).await?;
        ctx.broadcast(OPEN_ORDERS, frame).await?;
        Ok(Replies::none())
    }

    async fn cancel_order(
        &self,
        ctx: &Context,
        message: types::CancelOrder,
    ) -> Result<Replies<types::CancelOrderStatus>, HandlerError> {
        let status = |error: Option<&str>| types::CancelOrderStatus {
            error_message: error.map(str::to_owned),
            event: Default::default(),
            reqid: None,
            status: if error.is_some() {
                types::RequestStatus::Error
            } else {
                types::RequestStatus::Ok
            },
        };
        if !token_ok(self, Some(&message.token)) {
            return Ok(status(Some(INVALID_SESSION)).into());
        }
        // One status per order, then the update.
        let (statuses, frame) = {
            let mut account = self.account();
            let mut statuses = Vec::new();
            let mut changes = Vec::new();
            for txid in &message.txid {
                match account.orders.get_mut(txid) {
                    Some(order) if order.status == types::OrderState::Open => {
                        order.status = types::OrderState::Canceled;
                        changes.push(Account::status_change(txid, types::OrderState::Canceled));
                        statuses.push(status(None));
                    }
                    _ => statuses.push(status(Some(UNKNOWN_ORDER))),
                }
            }
            let frame = (!changes.is_empty()).then(|| account.orders_frame(changes));
            (statuses, frame)
        };
        for status in statuses {
            ctx.reply(status).await?;
        }
        if let Some(frame) = frame {
            ctx.broadcast(OPEN_ORDERS, frame).await?;
        }
        Ok(Replies::none())
    }

    async fn cancel_all(
        &self,
        ctx: &Context,
        message: types::CancelAll,
    ) -> Result<Replies<types::CancelAllStatus>, HandlerError> {
        if !token_ok(self, Some(&message.token)) {
            return Ok(types::CancelAllStatus {
                count: None,
                error_message: Some(INVALID_SESSION.into()),
                event: Default::default(),
                reqid: None,
                status: types::RequestStatus::Error,
            }
            .into());
        }
        let (count, frame) = self.account().cancel_all();
        ctx.reply(types::CancelAllStatus {
            count: Some(count),
            error_message: None,
            event: Default::default(),
            reqid: None,
            status: types::RequestStatus::Ok,
        })
        .await?;
        if let Some(frame) = frame {
            ctx.broadcast(OPEN_ORDERS, frame).await?;
        }
        Ok(Replies::none())
    }

    async fn cancel_all_orders_after(
        &self,
        ctx: &Context,
        message: types::CancelAllOrdersAfter,
    ) -> Result<Replies<types::CancelAllOrdersAfterStatus>, HandlerError> {
        let now = unix_seconds();
        if !token_ok(self, Some(&message.token)) {
            return Ok(types::CancelAllOrdersAfterStatus {
                current_time: Some(iso8601(now)),
                error_message: Some(INVALID_SESSION.into()),
                event: Default::default(),
                reqid: None,
                status: types::RequestStatus::Error,
                trigger_time: None,
            }
            .into());
        }
        let generation = {
            let mut account = self.account();
            account.switch_generation += 1;
            account.switch_generation
        };
        let trigger = if message.timeout == 0 {
            "0".to_owned()
        } else {
            // Armed: unless refreshed or disarmed in time, cancel everything.
            let handle = ctx.channel().clone();
            let account = Arc::clone(&self.account);
            let timeout = Duration::from_secs(message.timeout);
            tokio::spawn(async move {
                tokio::time::sleep(timeout).await;
                let frame = {
                    let mut account = account.lock().unwrap_or_else(|e| e.into_inner());
                    if account.switch_generation != generation {
                        return;
                    }
                    account.cancel_all().1
                };
                if let Some(frame) = frame {
                    let _ = handle.broadcast(OPEN_ORDERS, frame).await;
                }
            });
            iso8601(now + message.timeout)
        };
        Ok(types::CancelAllOrdersAfterStatus {
            current_time: Some(iso8601(now)),
            error_message: None,
            event: Default::default(),
            reqid: None,
            status: types::RequestStatus::Ok,
            trigger_time: Some(trigger),
        }
        .into())
    }
}
