//! The simulated account of the v2 face: orders, balances, execution
//! reports and ledger entries, and the dead man's switch's generation.

use super::{market_pair, now, number};
use crate::kraken_v2::channels::private::{self, ServerMessage};
use crate::kraken_v2::types::{self, ExecutionExecType as Exec, ExecutionOrderStatus as State};
use crate::mock::market::{is_valid_pair, kraken_id, Market, Rng};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The group (and channel) of execution reports.
pub(super) const EXECUTIONS: &str = "executions";
/// The group (and channel) of balances.
pub(super) const BALANCES: &str = "balances";

/// An order of the simulated account.
#[derive(Debug, Clone)]
pub(super) struct Order {
    pub(super) symbol: String,
    pub(super) side: types::Side,
    pub(super) order_type: types::OrderType,
    pub(super) qty: f64,
    pub(super) limit_price: Option<f64>,
    pub(super) cl_ord_id: Option<String>,
    pub(super) userref: Option<i64>,
    pub(super) status: State,
}

impl Order {
    pub(super) fn is_open(&self) -> bool {
        matches!(self.status, State::New | State::PartiallyFilled)
    }

    /// An execution report of this order.
    pub(super) fn report(&self, order_id: &str, exec_type: Exec) -> types::Execution {
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
    pub(super) rng: Rng,
    pub(super) orders: BTreeMap<String, Order>,
    pub(super) balances: BTreeMap<String, f64>,
    pub(super) sequence: u64,
    pub(super) switch_generation: u64,
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
    pub(super) fn id(&mut self, prefix: char) -> String {
        kraken_id(&mut self.rng, prefix)
    }

    pub(super) fn executions(
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
    pub(super) fn find_open(
        &self,
        order_id: Option<&str>,
        cl_ord_id: Option<&str>,
    ) -> Option<String> {
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
    pub(super) fn cancel(&mut self, order_id: &str, reason: &str) -> Option<types::Execution> {
        let order = self.orders.get_mut(order_id).filter(|o| o.is_open())?;
        order.status = State::Canceled;
        let mut report = order.report(order_id, Exec::Canceled);
        report.reason = Some(reason.into());
        report.cancel_reason = Some(reason.into());
        Some(report)
    }

    /// Cancels every open order; how many, and the frame, if any was open.
    pub(super) fn cancel_all(&mut self, reason: &str) -> (u64, Option<ServerMessage>) {
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
    pub(super) fn place(
        &mut self,
        mut order: Order,
    ) -> (String, Vec<(&'static str, ServerMessage)>) {
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

    /// The `executions` snapshot: the open orders.
    pub(super) fn orders_snapshot(&mut self) -> ServerMessage {
        let open: Vec<_> = self
            .orders
            .iter()
            .filter(|(_, o)| o.is_open())
            .map(|(id, o)| o.report(id, Exec::New))
            .collect();
        self.executions(open, types::DataType::Snapshot)
    }

    /// The `balances` snapshot: every asset, in the spot wallet.
    pub(super) fn balances_snapshot(&mut self) -> ServerMessage {
        let data = self
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
        self.sequence += 1;
        let mut frame = types::BalancesSnapshot::new(data);
        frame.sequence = Some(self.sequence);
        frame.into()
    }

    /// Arms the dead man's switch: unless it is armed again or disarmed
    /// (either bumps the generation) within `seconds`, every open order is
    /// cancelled and the reports go to the `executions` group.
    pub(super) fn arm(account: Arc<Mutex<Account>>, channel: private::Handle, seconds: u64) {
        let generation = {
            let mut account = account.lock().unwrap_or_else(|e| e.into_inner());
            account.switch_generation += 1;
            account.switch_generation
        };
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(seconds)).await;
            let frame = {
                let mut account = account.lock().unwrap_or_else(|e| e.into_inner());
                if account.switch_generation != generation {
                    return;
                }
                account.cancel_all("Cancel all orders after timeout").1
            };
            if let Some(frame) = frame {
                let _ = channel.broadcast(EXECUTIONS, frame).await;
            }
        });
    }

    /// Books a change of a balance; its ledger entry.
    pub(super) fn ledger(
        &mut self,
        ref_id: &str,
        asset: &str,
        amount: f64,
        fee: f64,
    ) -> types::LedgerEntry {
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

/// The order an `add_order` or a batch entry describes, or Kraken's error.
pub(super) fn checked_order(
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
