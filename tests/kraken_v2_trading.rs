//! The generated Kraken v2 client trading against the mock's v2 private
//! face over loopback: the token in `params.token`, order ids, executions
//! and balances updates, every trading method with its acknowledgement,
//! refusals as error values with Kraken's text, and a dead man's switch
//! that fires.

use asyncapi_runtime::server::{ServerConfig, ServerHandle};
use asyncapi_showcase::kraken_v2::channels::private::{
    AddOrderReply, AmendOrderReply, BatchAddReply, BatchCancelReply, CancelAllOrdersAfterReply,
    CancelAllReply, CancelOrderReply, Client, EditOrderReply, ServerMessage, SubscribeReply,
};
use asyncapi_showcase::kraken_v2::types::{self, ExecutionExecType as Exec};
use asyncapi_showcase::mock::{KrakenMock, MockConfig};
use std::future::Future;
use std::time::Duration;

const TOKEN: &str = "test-token";
const DEADLINE: Duration = Duration::from_secs(20);

async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(DEADLINE, future).await {
        Ok(value) => value,
        Err(_) => panic!("{what}: nothing within {DEADLINE:?}"),
    }
}

async fn connect() -> (Client, ServerHandle) {
    let mock = KrakenMock::new(MockConfig {
        token: Some(TOKEN.into()),
        ..MockConfig::default()
    });
    let server = mock
        .v2_private_server("127.0.0.1:0", ServerConfig::default())
        .await
        .unwrap();
    let url = format!("ws://{}", server.local_addr());
    let handle = server.handle();
    tokio::spawn(server.run());
    (
        within("connect", Client::connect(&url)).await.unwrap(),
        handle,
    )
}

fn token() -> types::Token {
    TOKEN.to_owned().into()
}

fn limit(side: types::Side, price: f64, qty: f64) -> types::AddOrderParams {
    let mut params = types::AddOrderParams::new(
        types::OrderType::Limit,
        side,
        "BTC/USD".to_owned().into(),
        token(),
    );
    params.limit_price = Some(price);
    params.order_qty = Some(qty);
    params
}

/// The next executions reports (skipping other frames).
async fn reports(client: &mut Client) -> Vec<types::Execution> {
    loop {
        match within("executions", client.recv()).await {
            Some(Ok(ServerMessage::Executions(frame))) => return frame.data,
            Some(Ok(_)) => continue,
            other => panic!("{other:?}"),
        }
    }
}

async fn place(client: &mut Client, params: types::AddOrderParams) -> String {
    match within("add_order", client.add_order(types::AddOrder::new(params)))
        .await
        .unwrap()
    {
        AddOrderReply::AddOrderAck(ack) => ack.result.order_id,
        AddOrderReply::AddOrderError(e) => panic!("refused: {}", *e.error),
    }
}

#[tokio::test]
async fn trading_with_the_token() {
    let (mut client, _handle) = connect().await;
    // Without the right token: an error value with Kraken's text.
    let mut wrong = types::SubscriptionParams::new(types::Channel::Executions);
    wrong.token = Some("nope".to_owned().into());
    match within("subscribe", client.subscribe(types::Subscribe::new(wrong)))
        .await
        .unwrap()
    {
        SubscribeReply::SubscribeError(e) => {
            assert_eq!(e.error.as_str(), "ESession:Invalid session")
        }
        other => panic!("{other:?}"),
    }
    let mut bad = limit(types::Side::Buy, 26_500.4, 1.2);
    bad.token = "nope".to_owned().into();
    match within("add_order", client.add_order(types::AddOrder::new(bad)))
        .await
        .unwrap()
    {
        AddOrderReply::AddOrderError(e) => assert_eq!(e.error.as_str(), "ESession:Invalid session"),
        other => panic!("{other:?}"),
    }

    for channel in [types::Channel::Executions, types::Channel::Balances] {
        let mut params = types::SubscriptionParams::new(channel);
        params.token = Some(token());
        match within("subscribe", client.subscribe(types::Subscribe::new(params)))
            .await
            .unwrap()
        {
            SubscribeReply::SubscribeAck(ack) => assert_eq!(ack.result.channel, channel),
            other => panic!("{other:?}"),
        }
    }
    // The snapshots: no open orders yet, the balances.
    assert!(reports(&mut client).await.is_empty());
    loop {
        if let ServerMessage::BalancesSnapshot(snapshot) =
            within("balances", client.recv()).await.unwrap().unwrap()
        {
            assert!(snapshot
                .data
                .iter()
                .any(|b| b.asset == "USD" && b.balance > 0.0));
            break;
        }
    }

    // add_order: an id, then pending_new and new.
    let mut first = limit(types::Side::Buy, 26_500.4, 1.2);
    first.order_userref = Some(100_054);
    let id = place(&mut client, first).await;
    assert!(id.starts_with('O') && id.len() == 19, "{id}");
    let got = reports(&mut client).await;
    assert_eq!(
        got.iter().map(|r| r.exec_type).collect::<Vec<_>>(),
        [Exec::PendingNew, Exec::New]
    );
    assert!(got
        .iter()
        .all(|r| r.order_id == id && r.order_userref == Some(100_054)));

    // amend_order keeps the id.
    let mut amend = types::AmendOrderParams::new(token());
    amend.order_id = Some(id.clone());
    amend.limit_price = Some(26_400.1);
    match within("amend", client.amend_order(types::AmendOrder::new(amend)))
        .await
        .unwrap()
    {
        AmendOrderReply::AmendOrderAck(ack) => {
            assert_eq!(ack.result.order_id.as_deref(), Some(id.as_str()))
        }
        other => panic!("{other:?}"),
    }
    let got = reports(&mut client).await;
    assert_eq!(
        (got[0].exec_type, got[0].limit_price),
        (Exec::Amended, Some(26_400.1))
    );

    // edit_order replaces it with a new id.
    let mut edit = types::EditOrderParams::new(id.clone(), "BTC/USD".to_owned().into(), token());
    edit.order_qty = Some(0.5);
    let edited = match within("edit", client.edit_order(types::EditOrder::new(edit)))
        .await
        .unwrap()
    {
        EditOrderReply::EditOrderAck(ack) => {
            assert_eq!(ack.result.original_order_id, id);
            ack.result.order_id
        }
        other => panic!("{other:?}"),
    };
    let got = reports(&mut client).await;
    assert_eq!(
        got.iter()
            .map(|r| (r.exec_type, r.order_id.as_str()))
            .collect::<Vec<_>>(),
        [(Exec::Canceled, id.as_str()), (Exec::New, edited.as_str())]
    );

    // cancel_order: one acknowledgement per order, unknown ones refused.
    let mut cancel = types::CancelOrderParams::new(token());
    cancel.order_id = vec![edited.clone(), "OUNKNO-WNORD-ER0000".into()];
    let reply = within(
        "cancel",
        client.cancel_order(types::CancelOrder::new(cancel)),
    )
    .await
    .unwrap();
    match reply {
        CancelOrderReply::CancelOrderAck(ack) => {
            assert_eq!(ack.result.order_id.as_deref(), Some(edited.as_str()))
        }
        other => panic!("{other:?}"),
    }
    // The second acknowledgement carries the same req_id and reaches the stream.
    loop {
        match within("second ack", client.recv()).await.unwrap().unwrap() {
            ServerMessage::CancelOrderError(e) => {
                assert_eq!(e.error.as_str(), "EOrder:Unknown order");
                break;
            }
            ServerMessage::Executions(frame) => assert_eq!(frame.data[0].exec_type, Exec::Canceled),
            _ => continue,
        }
    }

    // batch_add, then batch_cancel of both.
    let order = |side, price| {
        let mut o = types::BatchOrder::new(types::OrderType::Limit, side);
        o.limit_price = Some(price);
        o.order_qty = Some(0.1);
        o
    };
    let batch = types::BatchAddParams::new(
        vec![
            order(types::Side::Buy, 42_000.5),
            order(types::Side::Sell, 42_500.5),
        ],
        "BTC/USD".to_owned().into(),
        token(),
    );
    let ids: Vec<String> = match within("batch_add", client.batch_add(types::BatchAdd::new(batch)))
        .await
        .unwrap()
    {
        BatchAddReply::BatchAddAck(ack) => ack.result.into_iter().map(|o| o.order_id).collect(),
        other => panic!("{other:?}"),
    };
    assert_eq!(ids.len(), 2);
    let mut cancel = types::BatchCancelParams::new(token());
    cancel.orders = ids.clone();
    match within(
        "batch_cancel",
        client.batch_cancel(types::BatchCancel::new(cancel)),
    )
    .await
    .unwrap()
    {
        BatchCancelReply::BatchCancelAck(ack) => assert_eq!(ack.orders_cancelled, Some(2)),
        other => panic!("{other:?}"),
    }
    let one = types::BatchAddParams::new(
        vec![order(types::Side::Buy, 1.0)],
        "BTC/USD".to_owned().into(),
        token(),
    );
    match within("batch_add", client.batch_add(types::BatchAdd::new(one)))
        .await
        .unwrap()
    {
        BatchAddReply::BatchAddError(e) => {
            assert_eq!(e.error.as_str(), "EGeneral:Invalid arguments:orders")
        }
        other => panic!("{other:?}"),
    }

    // A market order fills and moves the balances.
    let mut market = types::AddOrderParams::new(
        types::OrderType::Market,
        types::Side::Buy,
        "BTC/USD".to_owned().into(),
        token(),
    );
    market.order_qty = Some(0.01);
    let filled = place(&mut client, market).await;
    let mut saw_trade = false;
    let mut saw_ledger = false;
    while !(saw_trade && saw_ledger) {
        match within("fill", client.recv()).await.unwrap().unwrap() {
            ServerMessage::Executions(frame) => {
                if let Some(trade) = frame.data.iter().find(|r| r.exec_type == Exec::Trade) {
                    assert_eq!(trade.order_id, filled);
                    assert_eq!(trade.last_qty, Some(0.01));
                    assert!(!trade.fees.is_empty());
                    saw_trade = true;
                }
            }
            ServerMessage::BalancesUpdate(update) => {
                assert!(update
                    .data
                    .iter()
                    .any(|e| e.asset == "BTC" && e.amount == 0.01));
                saw_ledger = true;
            }
            _ => {}
        }
    }

    // cancel_all counts.
    place(&mut client, limit(types::Side::Sell, 50_000.5, 0.2)).await;
    match within(
        "cancel_all",
        client.cancel_all(types::CancelAll::new(types::TokenParams::new(token()))),
    )
    .await
    .unwrap()
    {
        CancelAllReply::CancelAllAck(ack) => assert_eq!(ack.result.count, 1),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_dead_mans_switch_cancels_open_orders() {
    let (mut client, _handle) = connect().await;
    let mut params = types::SubscriptionParams::new(types::Channel::Executions);
    params.token = Some(token());
    client
        .subscribe(types::Subscribe::new(params))
        .await
        .unwrap();
    let id = place(&mut client, limit(types::Side::Buy, 20_000.5, 0.3)).await;
    let arm =
        |timeout| types::CancelAllOrdersAfter::new(types::CancelAfterParams::new(timeout, token()));
    match within("arm", client.cancel_all_orders_after(arm(86_400)))
        .await
        .unwrap()
    {
        CancelAllOrdersAfterReply::CancelAllOrdersAfterError(e) => {
            assert_eq!(e.error.as_str(), "EGeneral:Invalid arguments:timeout")
        }
        other => panic!("{other:?}"),
    }
    match within("arm", client.cancel_all_orders_after(arm(1)))
        .await
        .unwrap()
    {
        CancelAllOrdersAfterReply::CancelAllOrdersAfterAck(ack) => {
            assert!(ack.result.trigger_time > ack.result.current_time, "{ack:?}")
        }
        other => panic!("{other:?}"),
    }
    loop {
        let got = reports(&mut client).await;
        if let Some(cancelled) = got.iter().find(|r| r.exec_type == Exec::Canceled) {
            assert_eq!(cancelled.order_id, id);
            assert_eq!(
                cancelled.reason.as_deref(),
                Some("Cancel all orders after timeout")
            );
            break;
        }
    }
}
