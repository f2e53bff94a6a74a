//! The v2 face's authenticated endpoint: the generated `kraken_v2`
//! `private::Handler` over one simulated account (orders, balances).
//! Execution reports and balance changes reach the connections subscribed
//! to `executions`/`balances` through the runtime's groups, named after the
//! channels.

use super::{now, INVALID_SESSION};
use crate::kraken_v2::channels::private::{
    AddOrderReply, AmendOrderReply, BatchAddReply, BatchCancelReply, CancelAllOrdersAfterReply,
    CancelAllReply, CancelOrderReply, Context, EditOrderReply, Handler, PingReply, ServerMessage,
    SubscribeReply, UnsubscribeReply,
};
use crate::kraken_v2::types::{self, ExecutionExecType as Exec, ExecutionOrderStatus as State};
use crate::mock::market::{iso8601, unix_seconds};
use crate::mock::KrakenMock;
use asyncapi_runtime::server::{FrameError, HandlerError, Replies};
use std::sync::Arc;

use super::account::{checked_order, Account, Order, BALANCES, EXECUTIONS};

const UNKNOWN_ORDER: &str = "EOrder:Unknown order";

fn token_ok(mock: &KrakenMock, token: &str) -> bool {
    mock.config.token.as_deref() == Some(token)
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
        // A heartbeat every period while the connection has a subscription.
        let (ctx, period) = (ctx.clone(), self.config.heartbeat_after);
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = ctx.closed() => return,
                    () = tokio::time::sleep(period) => {}
                }
                if !ctx.groups().is_empty() && ctx.send(types::Heartbeat::new()).await.is_err() {
                    return;
                }
            }
        });
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
                params
                    .snap_orders
                    .unwrap_or(true)
                    .then(|| account.orders_snapshot())
            } else {
                params
                    .snapshot
                    .unwrap_or(true)
                    .then(|| account.balances_snapshot())
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
        let now_s = unix_seconds();
        let trigger = if timeout == 0 {
            self.v2_account().switch_generation += 1;
            "0".to_owned()
        } else {
            Account::arm(Arc::clone(&self.v2_account), ctx.channel().clone(), timeout);
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
