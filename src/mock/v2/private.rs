//! The v2 face's authenticated endpoint: the generated `kraken_v2`
//! `private::Handler` over one simulated account (orders, balances).
//! Execution reports and balance changes reach the connections subscribed
//! to `executions`/`balances` through the runtime's groups, named after the
//! channels.

use super::{market_pair, now, number, INVALID_SESSION};
use crate::kraken_v2::channels::private::{
    AddOrderReply, AmendOrderReply, BatchAddReply, BatchCancelReply, CancelAllOrdersAfterReply,
    CancelAllReply, CancelOrderReply, Context, EditOrderReply, Handler, PingReply, ServerMessage,
    SubscribeReply, UnsubscribeReply,
};
use crate::kraken_v2::types::{self, ExecutionExecType as Exec, ExecutionOrderStatus as State};
use crate::mock::market::{is_valid_pair, iso8601, kraken_id, unix_seconds, Market, Rng};
use crate::mock::KrakenMock;
use asyncapi_runtime::server::{FrameError, HandlerError, Replies};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

const UNKNOWN_ORDER: &str = "EOrder:Unknown order";
const EXECUTIONS: &str = "executions";
const BALANCES: &str = "balances";

/// An order of the simulated account.
#[derive(Debug, Clone)]
struct Order {
    symbol: String,
    side: types::Side,
    order_type: types::OrderType,
    qty: f64,
    limit_price: Option<f64>,
    cl_ord_id: Option<String>,
    userref: Option<i64>,
    status: State,
}

impl Order {
    fn is_open(&self) -> bool {
        matches!(self.status, State::New | State::PartiallyFilled)
    }

    /// An execution report of this order.
    fn report(&self, order_id: &str, exec_type: Exec) -> types::Execution {
        let mut report = types::Execution::new(exec_type, order_id.to_owned(), now().into());
        report.symbol = Some(self.symbol.clone().into());
        report.side = Some(self.side);
        report.order_type = Some(self.order_type);
        report.order_qty = Some(self.qty);
        report.limit_price = self.limit_price;
        report.cl_ord_id = self.cl_ord_id.clone();
        report.order_userref = self.userref;
        report.order_status = Some(self.status);
        report.time_in_force = Some("GTC".into());
        report
    }
}

/// The simulated account of the v2 face: orders, balances, the channels'
/// sequence numbers and the dead man's switch.
pub(in crate::mock) struct Account {
    rng: Rng,
    orders: BTreeMap<String, Order>,
    balances: BTreeMap<String, f64>,
    sequence: u64,
    switch_generation: u64,
}

impl Account {
    /// A fresh account with some money.
    pub(in crate::mock) fn new(seed: u64) -> Self {
        Account {
            rng: Rng::new(seed ^ 0x5632),
            orders: BTreeMap::new(),
            balances: BTreeMap::from([("BTC".into(), 1.5), ("USD".into(), 250_000.0)]),
            sequence: 0,
            switch_generation: 0,
        }
    }

    /// A Kraken-shaped id: `PXXXXX-XXXXX-XXXXXX`.
    fn id(&mut self, prefix: char) -> String {
        kraken_id(&mut self.rng, prefix)
    }

    fn executions(
        &mut self,
        reports: Vec<types::Execution>,
        kind: types::DataType,
    ) -> ServerMessage {
        self.sequence += 1;
        let mut frame = types::Executions::new(reports, kind);
        frame.sequence = Some(self.sequence);
        frame.into()
    }

    /// Finds an open order by Kraken's id or the client's.
    fn find_open(&self, order_id: Option<&str>, cl_ord_id: Option<&str>) -> Option<String> {
        self.orders
            .iter()
            .find(|(id, o)| {
                o.is_open()
                    && (order_id == Some(id.as_str())
                        || cl_ord_id.is_some() && o.cl_ord_id.as_deref() == cl_ord_id)
            })
            .map(|(id, _)| id.clone())
    }

    /// Cancels an open order; its report.
    fn cancel(&mut self, order_id: &str, reason: &str) -> Option<types::Execution> {
        let order = self.orders.get_mut(order_id).filter(|o| o.is_open())?;
        order.status = State::Canceled;
        let mut report = order.report(order_id, Exec::Canceled);
        report.reason = Some(reason.into());
        report.cancel_reason = Some(reason.into());
        Some(report)
    }

    /// Cancels every open order; how many, and the frame, if any was open.
    fn cancel_all(&mut self, reason: &str) -> (u64, Option<ServerMessage>) {
        let open: Vec<String> = self
            .orders
            .iter()
            .filter(|(_, o)| o.is_open())
            .map(|(id, _)| id.clone())
            .collect();
        let reports: Vec<_> = open
            .iter()
            .filter_map(|id| self.cancel(id, reason))
            .collect();
        let count = reports.len() as u64;
        let frame =
            (!reports.is_empty()).then(|| self.executions(reports, types::DataType::Update));
        (count, frame)
    }

    /// Places a checked order: its id and the frames to broadcast.
    fn place(&mut self, mut order: Order) -> (String, Vec<(&'static str, ServerMessage)>) {
        let order_id = self.id('O');
        order.status = State::PendingNew;
        let mut reports = vec![order.report(&order_id, Exec::PendingNew)];
        order.status = State::New;
        reports.push(order.report(&order_id, Exec::New));
        let mut frames = Vec::new();
        if order.order_type == types::OrderType::Market {
            // A market order fills at once, at the market's price.
            let price = number(&Market::new(&market_pair(&order.symbol), 0).price_at(0));
            order.status = State::Filled;
            let cost = order.qty * price;
            let fee = (cost * 0.0026 * 100.0).round() / 100.0;
            let mut trade = order.report(&order_id, Exec::Trade);
            trade.exec_id = Some(self.id('T'));
            trade.trade_id = Some(self.rng.below(1 << 30) as i64);
            trade.last_qty = Some(order.qty);
            trade.last_price = Some(price);
            trade.cost = Some(cost);
            trade.cum_qty = Some(order.qty);
            trade.cum_cost = Some(cost);
            trade.avg_price = Some(price);
            trade.liquidity_ind = Some(types::ExecutionLiquidityInd::T);
            let (base, quote) = order
                .symbol
                .split_once('/')
                .unwrap_or((&order.symbol, "USD"));
            trade.fees = vec![types::Fee::new(quote.to_owned(), fee)];
            trade.fee_usd_equiv = Some(fee);
            reports.push(trade);
            let sign = if order.side == types::Side::Buy {
                1.0
            } else {
                -1.0
            };
            let entries = [
                (base, sign * order.qty, 0.0),
                (quote, -sign * cost - fee, fee),
            ]
            .map(|(asset, amount, fee)| self.ledger(&order_id, asset, amount, fee));
            self.sequence += 1;
            let mut update = types::BalancesUpdate::new(entries.to_vec());
            update.sequence = Some(self.sequence);
            frames.push((BALANCES, update.into()));
        }
        frames.insert(
            0,
            (
                EXECUTIONS,
                self.executions(reports, types::DataType::Update),
            ),
        );
        self.orders.insert(order_id.clone(), order);
        (order_id, frames)
    }

    /// Books a change of a balance; its ledger entry.
    fn ledger(&mut self, ref_id: &str, asset: &str, amount: f64, fee: f64) -> types::LedgerEntry {
        let balance = self.balances.entry(asset.to_owned()).or_insert(0.0);
        *balance += amount;
        types::LedgerEntry {
            ledger_id: self.id('L'),
            ref_id: ref_id.to_owned(),
            timestamp: now().into(),
            type_: "trade".into(),
            asset: asset.to_owned(),
            asset_class: "currency".into(),
            category: "trade".into(),
            wallet_type: "spot".into(),
            wallet_id: "main".into(),
            amount,
            fee,
            balance: *self.balances.get(asset).unwrap_or(&0.0),
        }
    }
}

fn token_ok(mock: &KrakenMock, token: &str) -> bool {
    mock.config.token.as_deref() == Some(token)
}

/// The order an `add_order` or a batch entry describes, or Kraken's error.
fn checked_order(
    symbol: &str,
    side: types::Side,
    order_type: types::OrderType,
    qty: Option<f64>,
    limit_price: Option<f64>,
    cl_ord_id: Option<String>,
    userref: Option<i64>,
) -> Result<Order, &'static str> {
    let qty = qty
        .filter(|q| q.is_finite() && *q > 0.0)
        .ok_or("EGeneral:Invalid arguments:order_qty")?;
    let needs_price = !matches!(
        order_type,
        types::OrderType::Market | types::OrderType::SettlePosition
    );
    if needs_price && !limit_price.is_some_and(|p| p.is_finite() && p > 0.0) {
        return Err("EGeneral:Invalid arguments:limit_price");
    }
    if !is_valid_pair(symbol) {
        return Err("EQuery:Unknown asset pair");
    }
    if cl_ord_id.is_some() && userref.is_some() {
        return Err("EGeneral:Invalid arguments:cl_ord_id and order_userref are exclusive");
    }
    Ok(Order {
        symbol: symbol.to_owned(),
        side,
        order_type,
        qty,
        limit_price: if needs_price { limit_price } else { None },
        cl_ord_id,
        userref,
        status: State::PendingNew,
    })
}

/// Fills in an acknowledgement's times.
macro_rules! timed {
    ($ack:expr, $time_in:expr) => {
        $ack.with_time_in($time_in.clone().into())
            .with_time_out(now().into())
    };
}

/// A method's error acknowledgement with `text`.
macro_rules! refuse {
    ($error:ty, $text:expr, $time_in:expr) => {
        timed!(
            <$error>::new(types::ErrorText::from($text.to_string())),
            $time_in
        )
    };
}

impl Handler for KrakenMock {
    async fn on_connect(&self, ctx: &Context) -> Result<(), HandlerError> {
        ctx.send(super::status(ctx.id().0)).await?;
        Ok(())
    }

    fn error_reply(&self, _ctx: &Context, error: &FrameError) -> Option<ServerMessage> {
        let (method, reason) = super::refused_method(error)?;
        let t = now();
        Some(match method.as_str() {
            "ping" => types::PingError::new(reason.into()).into(),
            "subscribe" => refuse!(types::SubscribeError, reason, t).into(),
            "unsubscribe" => refuse!(types::UnsubscribeError, reason, t).into(),
            "add_order" => refuse!(types::AddOrderError, reason, t).into(),
            "amend_order" => refuse!(types::AmendOrderError, reason, t).into(),
            "edit_order" => refuse!(types::EditOrderError, reason, t).into(),
            "cancel_order" => refuse!(types::CancelOrderError, reason, t).into(),
            "cancel_all" => refuse!(types::CancelAllError, reason, t).into(),
            "cancel_all_orders_after" => {
                refuse!(types::CancelAllOrdersAfterError, reason, t).into()
            }
            "batch_add" => refuse!(types::BatchAddError, reason, t).into(),
            "batch_cancel" => refuse!(types::BatchCancelError, reason, t).into(),
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
        let group = match params.channel {
            types::Channel::Executions => EXECUTIONS,
            types::Channel::Balances => BALANCES,
            other => {
                let text = format!("Public channel not available on this endpoint: {other}");
                return Ok(SubscribeReply::from(refuse!(types::SubscribeError, text, t)).into());
            }
        };
        if !params
            .token
            .as_ref()
            .is_some_and(|token| token_ok(self, token))
        {
            return Ok(
                SubscribeReply::from(refuse!(types::SubscribeError, INVALID_SESSION, t)).into(),
            );
        }
        if ctx.groups().iter().any(|g| g == group) {
            return Ok(SubscribeReply::from(refuse!(
                types::SubscribeError,
                "Already subscribed",
                t
            ))
            .into());
        }
        let mut result = types::SubscriptionResult::new(params.channel);
        if group == EXECUTIONS {
            result.snap_orders = Some(params.snap_orders.unwrap_or(true));
            result.snap_trades = Some(params.snap_trades.unwrap_or(false));
            result.maxratecount = params.ratecounter.unwrap_or(false).then_some(180);
        } else {
            result.snapshot = Some(params.snapshot.unwrap_or(true));
        }
        // The acknowledgement, then the snapshot, then updates.
        ctx.reply(timed!(types::SubscribeAck::new(result), t))
            .await?;
        let snapshot = {
            let mut account = self.v2_account();
            ctx.join(group);
            if group == EXECUTIONS {
                params.snap_orders.unwrap_or(true).then(|| {
                    let open: Vec<_> = account
                        .orders
                        .iter()
                        .filter(|(_, o)| o.is_open())
                        .map(|(id, o)| o.report(id, Exec::New))
                        .collect();
                    account.executions(open, types::DataType::Snapshot)
                })
            } else {
                params.snapshot.unwrap_or(true).then(|| {
                    let data = account
                        .balances
                        .iter()
                        .map(|(asset, balance)| types::AssetBalance {
                            asset: asset.clone(),
                            asset_class: "currency".into(),
                            balance: *balance,
                            wallets: vec![types::Wallet {
                                type_: "spot".into(),
                                id: "main".into(),
                                balance: *balance,
                            }],
                        })
                        .collect();
                    account.sequence += 1;
                    let mut frame = types::BalancesSnapshot::new(data);
                    frame.sequence = Some(account.sequence);
                    frame.into()
                })
            }
        };
        if let Some(snapshot) = snapshot {
            ctx.send(snapshot).await?;
        }
        Ok(Replies::none())
    }

    async fn unsubscribe(
        &self,
        ctx: &Context,
        message: types::Unsubscribe,
    ) -> Result<Replies<UnsubscribeReply>, HandlerError> {
        let t = now();
        let group = match message.params.channel {
            types::Channel::Executions => EXECUTIONS,
            types::Channel::Balances => BALANCES,
            _ => "",
        };
        if group.is_empty() || !ctx.groups().iter().any(|g| g == group) {
            return Ok(UnsubscribeReply::from(refuse!(
                types::UnsubscribeError,
                "Subscription Not Found",
                t
            ))
            .into());
        }
        ctx.leave(group);
        let result = types::SubscriptionResult::new(message.params.channel);
        Ok(UnsubscribeReply::from(timed!(types::UnsubscribeAck::new(result), t)).into())
    }

    async fn add_order(
        &self,
        ctx: &Context,
        message: types::AddOrder,
    ) -> Result<Replies<AddOrderReply>, HandlerError> {
        let t = now();
        let p = message.params;
        if !token_ok(self, &p.token) {
            return Ok(
                AddOrderReply::from(refuse!(types::AddOrderError, INVALID_SESSION, t)).into(),
            );
        }
        let order = match checked_order(
            &p.symbol,
            p.side,
            p.order_type,
            p.order_qty,
            p.limit_price,
            p.cl_ord_id.clone(),
            p.order_userref,
        ) {
            Ok(order) => order,
            Err(text) => {
                return Ok(AddOrderReply::from(refuse!(types::AddOrderError, text, t)).into())
            }
        };
        if p.validate == Some(true) {
            let mut placed = types::PlacedOrder::new("OVALID-ATE00-000000".into());
            placed.cl_ord_id = p.cl_ord_id;
            placed.order_userref = p.order_userref;
            return Ok(AddOrderReply::from(timed!(types::AddOrderAck::new(placed), t)).into());
        }
        let (order_id, frames) = self.v2_account().place(order);
        let mut placed = types::PlacedOrder::new(order_id);
        placed.cl_ord_id = p.cl_ord_id;
        placed.order_userref = p.order_userref;
        ctx.reply(timed!(types::AddOrderAck::new(placed), t))
            .await?;
        for (group, frame) in frames {
            ctx.broadcast(group, frame).await?;
        }
        Ok(Replies::none())
    }

    async fn amend_order(
        &self,
        ctx: &Context,
        message: types::AmendOrder,
    ) -> Result<Replies<AmendOrderReply>, HandlerError> {
        let t = now();
        let p = message.params;
        if !token_ok(self, &p.token) {
            return Ok(
                AmendOrderReply::from(refuse!(types::AmendOrderError, INVALID_SESSION, t)).into(),
            );
        }
        let positive = |v: f64| v.is_finite() && v > 0.0;
        if !p.order_qty.is_none_or(positive) || !p.limit_price.is_none_or(positive) {
            return Ok(AmendOrderReply::from(refuse!(
                types::AmendOrderError,
                "EGeneral:Invalid arguments",
                t
            ))
            .into());
        }
        let (ack, frame) = {
            let mut account = self.v2_account();
            let Some(id) = account.find_open(p.order_id.as_deref(), p.cl_ord_id.as_deref()) else {
                return Ok(AmendOrderReply::from(refuse!(
                    types::AmendOrderError,
                    UNKNOWN_ORDER,
                    t
                ))
                .into());
            };
            let amend_id = account.id('T');
            let Some(order) = account.orders.get_mut(&id) else {
                return Ok(AmendOrderReply::from(refuse!(
                    types::AmendOrderError,
                    UNKNOWN_ORDER,
                    t
                ))
                .into());
            };
            order.qty = p.order_qty.unwrap_or(order.qty);
            order.limit_price = p.limit_price.or(order.limit_price);
            let mut report = order.report(&id, Exec::Amended);
            report.amended = Some(true);
            let mut ack = types::AmendedOrder::new(amend_id);
            ack.order_id = p.order_id.clone();
            ack.cl_ord_id = p.cl_ord_id.clone();
            (
                ack,
                account.executions(vec![report], types::DataType::Update),
            )
        };
        ctx.reply(timed!(types::AmendOrderAck::new(ack), t)).await?;
        ctx.broadcast(EXECUTIONS, frame).await?;
        Ok(Replies::none())
    }

    async fn edit_order(
        &self,
        ctx: &Context,
        message: types::EditOrder,
    ) -> Result<Replies<EditOrderReply>, HandlerError> {
        let t = now();
        let p = message.params;
        if !token_ok(self, &p.token) {
            return Ok(
                EditOrderReply::from(refuse!(types::EditOrderError, INVALID_SESSION, t)).into(),
            );
        }
        let (ack, frame) = {
            let mut account = self.v2_account();
            let Some(old) = account
                .find_open(Some(&p.order_id), None)
                .and_then(|id| account.orders.get(&id).cloned())
            else {
                return Ok(
                    EditOrderReply::from(refuse!(types::EditOrderError, UNKNOWN_ORDER, t)).into(),
                );
            };
            let new = match checked_order(
                &p.symbol,
                old.side,
                old.order_type,
                p.order_qty.or(Some(old.qty)),
                p.limit_price.or(old.limit_price),
                None,
                p.order_userref.or(old.userref),
            ) {
                Ok(new) => new,
                Err(text) => {
                    return Ok(EditOrderReply::from(refuse!(types::EditOrderError, text, t)).into())
                }
            };
            let mut reports: Vec<_> = account
                .cancel(&p.order_id, "Order replaced")
                .into_iter()
                .collect();
            let new_id = account.id('O');
            let new = Order {
                status: State::New,
                ..new
            };
            reports.push(new.report(&new_id, Exec::New));
            account.orders.insert(new_id.clone(), new);
            let ack = types::EditedOrder {
                order_id: new_id,
                original_order_id: p.order_id.clone(),
            };
            (ack, account.executions(reports, types::DataType::Update))
        };
        ctx.reply(timed!(types::EditOrderAck::new(ack), t)).await?;
        ctx.broadcast(EXECUTIONS, frame).await?;
        Ok(Replies::none())
    }

    async fn cancel_order(
        &self,
        ctx: &Context,
        message: types::CancelOrder,
    ) -> Result<Replies<CancelOrderReply>, HandlerError> {
        let t = now();
        let p = message.params;
        if !token_ok(self, &p.token) {
            return Ok(CancelOrderReply::from(refuse!(
                types::CancelOrderError,
                INVALID_SESSION,
                t
            ))
            .into());
        }
        // One acknowledgement per order, then the reports.
        let (acks, frame) = {
            let mut account = self.v2_account();
            let mut acks: Vec<CancelOrderReply> = Vec::new();
            let mut reports = Vec::new();
            let by_id = p
                .order_id
                .iter()
                .map(|id| (Some(id.clone()), None, account.find_open(Some(id), None)));
            let by_cl = p
                .cl_ord_id
                .iter()
                .map(|cl| (None, Some(cl.clone()), account.find_open(None, Some(cl))));
            let by_ref: Vec<_> = p
                .order_userref
                .iter()
                .flat_map(|r| {
                    let found: Vec<_> = account
                        .orders
                        .iter()
                        .filter(|(_, o)| o.is_open() && o.userref == Some(*r))
                        .map(|(id, _)| (Some(id.clone()), None, Some(id.clone())))
                        .collect();
                    if found.is_empty() {
                        vec![(None, None, None)]
                    } else {
                        found
                    }
                })
                .collect();
            let targets: Vec<_> = by_id
                .chain(by_cl)
                .collect::<Vec<_>>()
                .into_iter()
                .chain(by_ref)
                .collect();
            for (order_id, cl_ord_id, found) in targets {
                match found.and_then(|id| account.cancel(&id, "User requested")) {
                    Some(report) => {
                        reports.push(report);
                        let mut cancelled = types::CancelledOrder::new();
                        cancelled.order_id = order_id;
                        cancelled.cl_ord_id = cl_ord_id;
                        acks.push(timed!(types::CancelOrderAck::new(cancelled), t).into());
                    }
                    None => acks.push(refuse!(types::CancelOrderError, UNKNOWN_ORDER, t).into()),
                }
            }
            if acks.is_empty() {
                acks.push(
                    refuse!(
                        types::CancelOrderError,
                        "EGeneral:Invalid arguments:order_id",
                        t
                    )
                    .into(),
                );
            }
            let frame =
                (!reports.is_empty()).then(|| account.executions(reports, types::DataType::Update));
            (acks, frame)
        };
        for ack in acks {
            ctx.reply(ack).await?;
        }
        if let Some(frame) = frame {
            ctx.broadcast(EXECUTIONS, frame).await?;
        }
        Ok(Replies::none())
    }

    async fn cancel_all(
        &self,
        ctx: &Context,
        message: types::CancelAll,
    ) -> Result<Replies<CancelAllReply>, HandlerError> {
        let t = now();
        if !token_ok(self, &message.params.token) {
            return Ok(
                CancelAllReply::from(refuse!(types::CancelAllError, INVALID_SESSION, t)).into(),
            );
        }
        let (count, frame) = self.v2_account().cancel_all("User requested");
        ctx.reply(timed!(
            types::CancelAllAck::new(types::CancelCount::new(count)),
            t
        ))
        .await?;
        if let Some(frame) = frame {
            ctx.broadcast(EXECUTIONS, frame).await?;
        }
        Ok(Replies::none())
    }

    async fn cancel_all_orders_after(
        &self,
        ctx: &Context,
        message: types::CancelAllOrdersAfter,
    ) -> Result<Replies<CancelAllOrdersAfterReply>, HandlerError> {
        let t = now();
        let p = message.params;
        if !token_ok(self, &p.token) {
            return Ok(CancelAllOrdersAfterReply::from(refuse!(
                types::CancelAllOrdersAfterError,
                INVALID_SESSION,
                t
            ))
            .into());
        }
        let Ok(timeout) = u64::try_from(p.timeout).map_err(drop).and_then(|s| {
            if s < 86_400 {
                Ok(s)
            } else {
                Err(())
            }
        }) else {
            return Ok(CancelAllOrdersAfterReply::from(refuse!(
                types::CancelAllOrdersAfterError,
                "EGeneral:Invalid arguments:timeout",
                t
            ))
            .into());
        };
        let generation = {
            let mut account = self.v2_account();
            account.switch_generation += 1;
            account.switch_generation
        };
        let now_s = unix_seconds();
        let trigger = if timeout == 0 {
            "0".to_owned()
        } else {
            // Armed: unless refreshed or disarmed in time, cancel everything.
            let handle = ctx.server();
            let account = Arc::clone(&self.v2_account);
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(timeout)).await;
                let frame = {
                    let mut account = account.lock().unwrap_or_else(|e| e.into_inner());
                    if account.switch_generation != generation {
                        return;
                    }
                    account.cancel_all("Cancel all orders after timeout").1
                };
                if let Some(frame) = frame {
                    let _ = handle.broadcast(EXECUTIONS, &frame).await;
                }
            });
            iso8601(now_s + timeout)
        };
        let times = types::CancelAfterTimes::new(iso8601(now_s), trigger);
        Ok(
            CancelAllOrdersAfterReply::from(timed!(types::CancelAllOrdersAfterAck::new(times), t))
                .into(),
        )
    }

    async fn batch_add(
        &self,
        ctx: &Context,
        message: types::BatchAdd,
    ) -> Result<Replies<BatchAddReply>, HandlerError> {
        let t = now();
        let p = message.params;
        if !token_ok(self, &p.token) {
            return Ok(
                BatchAddReply::from(refuse!(types::BatchAddError, INVALID_SESSION, t)).into(),
            );
        }
        if !(2..=15).contains(&p.orders.len()) {
            return Ok(BatchAddReply::from(refuse!(
                types::BatchAddError,
                "EGeneral:Invalid arguments:orders",
                t
            ))
            .into());
        }
        // All or none.
        let mut orders = Vec::new();
        for o in &p.orders {
            match checked_order(
                &p.symbol,
                o.side,
                o.order_type,
                o.order_qty,
                o.limit_price,
                o.cl_ord_id.clone(),
                o.order_userref,
            ) {
                Ok(order) => orders.push(order),
                Err(text) => {
                    return Ok(BatchAddReply::from(refuse!(types::BatchAddError, text, t)).into())
                }
            }
        }
        let mut placed = Vec::new();
        let mut frames = Vec::new();
        {
            let mut account = self.v2_account();
            for order in orders {
                let (cl_ord_id, userref) = (order.cl_ord_id.clone(), order.userref);
                let (order_id, more) = account.place(order);
                let mut entry = types::PlacedOrder::new(order_id);
                entry.cl_ord_id = cl_ord_id;
                entry.order_userref = userref;
                placed.push(entry);
                frames.extend(more);
            }
        }
        ctx.reply(timed!(types::BatchAddAck::new(placed), t))
            .await?;
        for (group, frame) in frames {
            ctx.broadcast(group, frame).await?;
        }
        Ok(Replies::none())
    }

    async fn batch_cancel(
        &self,
        ctx: &Context,
        message: types::BatchCancel,
    ) -> Result<Replies<BatchCancelReply>, HandlerError> {
        let t = now();
        let p = message.params;
        if !token_ok(self, &p.token) {
            return Ok(BatchCancelReply::from(refuse!(
                types::BatchCancelError,
                INVALID_SESSION,
                t
            ))
            .into());
        }
        let (count, frame) = {
            let mut account = self.v2_account();
            // Ids, user references (as text) and client ids; all must be open.
            let mut ids = Vec::new();
            for key in &p.orders {
                let by_ref: Vec<String> = key
                    .parse::<i64>()
                    .map(|r| {
                        account
                            .orders
                            .iter()
                            .filter(|(_, o)| o.is_open() && o.userref == Some(r))
                            .map(|(id, _)| id.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                match account.find_open(Some(key), None) {
                    Some(id) => ids.push(id),
                    None if !by_ref.is_empty() => ids.extend(by_ref),
                    None => {
                        return Ok(BatchCancelReply::from(refuse!(
                            types::BatchCancelError,
                            UNKNOWN_ORDER,
                            t
                        ))
                        .into())
                    }
                }
            }
            for cl in &p.cl_ord_id {
                match account.find_open(None, Some(cl)) {
                    Some(id) => ids.push(id),
                    None => {
                        return Ok(BatchCancelReply::from(refuse!(
                            types::BatchCancelError,
                            UNKNOWN_ORDER,
                            t
                        ))
                        .into())
                    }
                }
            }
            let reports: Vec<_> = ids
                .iter()
                .filter_map(|id| account.cancel(id, "User requested"))
                .collect();
            let count = reports.len() as u64;
            let frame =
                (!reports.is_empty()).then(|| account.executions(reports, types::DataType::Update));
            (count, frame)
        };
        // As the live service answers: the count at the top level.
        let mut ack = timed!(types::BatchCancelAck::new(), t);
        ack.orders_cancelled = Some(count);
        ctx.reply(ack).await?;
        if let Some(frame) = frame {
            ctx.broadcast(EXECUTIONS, frame).await?;
        }
        Ok(Replies::none())
    }
}
