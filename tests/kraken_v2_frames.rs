//! Which variant each Kraken v2 frame decodes to, and the errors of near
//! misses (v1 frames, unknown channels and methods, a private channel's
//! frame on the public endpoint, wrong discriminating values): table-driven,
//! through both decoding paths (text frames with `from_json`, and serde's
//! `Deserialize` over parsed values). Frames are Kraken's documented
//! examples or shaped like them.

use asyncapi_showcase::kraken_v2::channels::{level3, private, public};

/// What a frame must decode to: a variant, or an error whose text contains
/// every one of the given pieces.
enum Expect {
    Variant(&'static str),
    Error(&'static [&'static str]),
}
use Expect::{Error as Fails, Variant};

/// Equal JSON: numbers by value (`500` and `500.0` are one JSON number).
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

macro_rules! check_table {
    ($enum:ty, $cases:expr) => {{
        let mut failures = Vec::new();
        for (frame, expect) in $cases {
            let by_text = <$enum>::from_json(frame);
            let by_value = serde_json::from_str::<serde_json::Value>(frame)
                .map_err(|e| e.to_string())
                .and_then(|v| serde_json::from_value::<$enum>(v).map_err(|e| e.to_string()));
            match (expect, &by_text) {
                (Variant(name), Ok(message)) if message.variant_name() == *name => {
                    match &by_value {
                        Ok(m) if m.variant_name() == *name && m == message => {}
                        other => failures.push(format!(
                            "{frame}: from_json gave {name}, Deserialize gave {other:?}"
                        )),
                    }
                    let again = serde_json::to_value(message).expect("encodes");
                    let original: serde_json::Value = serde_json::from_str(frame).unwrap();
                    if !same(&again, &original) {
                        failures.push(format!("{frame}: re-encoded as {again}"));
                    }
                }
                (Variant(name), other) => failures.push(format!(
                    "{frame}: expected {name}, got {:?}",
                    other
                        .as_ref()
                        .map(|m| m.variant_name())
                        .map_err(|e| e.to_string())
                )),
                (Fails(pieces), Err(error)) => {
                    let text = error.to_string();
                    for piece in *pieces {
                        if !text.contains(piece) {
                            failures.push(format!("{frame}: error {text:?} lacks {piece:?}"));
                        }
                    }
                    if by_value.is_ok() && !error.is_malformed() {
                        failures.push(format!(
                            "{frame}: Deserialize accepted what from_json refused"
                        ));
                    }
                }
                (Fails(_), Ok(message)) => failures.push(format!(
                    "{frame}: expected an error, got {}",
                    message.variant_name()
                )),
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }};
}

const TICKER: &str = r#"{"channel":"ticker","type":"snapshot","data":[{"symbol":"ALGO/USD","bid":0.10025,"bid_qty":740.0,"ask":0.10036,"ask_qty":1361.44813783,"last":0.10035,"volume":997038.98383185,"vwap":0.10148,"low":0.09979,"high":0.10285,"change":-0.00017,"change_pct":-0.17}]}"#;
const EXECUTIONS: &str = r#"{"channel":"executions","type":"update","data":[{"order_id":"O6ZJ4D-TDFNX-ZZLRXL","symbol":"BTC/USD","order_qty":0.01,"cum_cost":0,"time_in_force":"GTC","exec_type":"pending_new","side":"buy","order_type":"limit","order_userref":0,"limit_price_type":"static","limit_price":26500.0,"stop_price":0,"order_status":"pending_new","fee_usd_equiv":0,"fee_ccy_pref":"fciq","timestamp":"2023-09-22T10:33:05.709950Z"}],"sequence":8}"#;
const BALANCES: &str = r#"{"channel":"balances","type":"snapshot","data":[{"asset":"BTC","asset_class":"currency","balance":1.2,"wallets":[{"type":"spot","id":"main","balance":1.2}]}],"sequence":1}"#;
const LEVEL3: &str = r#"{"channel":"level3","type":"snapshot","data":[{"symbol":"MATIC/USD","checksum":281817320,"bids":[{"order_id":"O6ZQNQ-BXL4E-5WGINO","limit_price":0.5629,"order_qty":111.56125344,"timestamp":"2023-10-06T17:35:00.279389650Z"}],"asks":[]}]}"#;
const ADD_ORDER_ACK: &str = r#"{"method":"add_order","req_id":123456789,"result":{"order_id":"AA5JGQ-SBMRC-SCJ7J7","order_userref":100054},"success":true,"time_in":"2023-09-21T14:15:07.197274Z","time_out":"2023-09-21T14:15:07.205301Z"}"#;

#[test]
fn public_server_frames() {
    let cases: &[(&str, Expect)] = &[
        (r#"{"channel":"heartbeat"}"#, Variant("Heartbeat")),
        (
            // `type` after `data`, a connection id beyond i64.
            r#"{"channel":"status","data":[{"api_version":"v2","connection_id":12393906104898154338,"system":"online","version":"2.0.0"}],"type":"update"}"#,
            Variant("Status"),
        ),
        (
            r#"{"method":"pong","req_id":101,"time_in":"2023-09-24T14:10:23.799685Z","time_out":"2023-09-24T14:10:23.799703Z"}"#,
            Variant("Pong"),
        ),
        (
            r#"{"method":"pong","time_in":"2023-09-24T14:10:23.799685Z","time_out":"2023-09-24T14:10:23.799703Z"}"#,
            Variant("Pong"),
        ),
        (
            r#"{"method":"ping","success":false,"error":"Unsupported field: params","req_id":3}"#,
            Variant("PingError"),
        ),
        (
            r#"{"method":"subscribe","result":{"channel":"ticker","snapshot":true,"symbol":"ALGO/USD"},"success":true,"time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z"}"#,
            Variant("SubscribeAck"),
        ),
        (
            r#"{"method":"subscribe","result":{"channel":"book","depth":10,"snapshot":true,"symbol":"BTC/USD"},"success":true,"time_in":"2023-10-06T17:35:55.440010Z","time_out":"2023-10-06T17:35:55.440144Z","req_id":2}"#,
            Variant("SubscribeAck"),
        ),
        (
            // Error acknowledgements may lack the times, and carry `symbol`.
            r#"{"error":"Currency pair not supported","method":"subscribe","success":false,"symbol":"ABC/XYZ","req_id":1}"#,
            Variant("SubscribeError"),
        ),
        (
            r#"{"method":"unsubscribe","result":{"channel":"ticker","symbol":"ALGO/USD"},"success":true,"time_in":"2023-09-25T09:05:12.021113Z","time_out":"2023-09-25T09:05:12.021201Z","req_id":5}"#,
            Variant("UnsubscribeAck"),
        ),
        (
            r#"{"error":"Subscription Not Found","method":"unsubscribe","success":false,"req_id":6}"#,
            Variant("UnsubscribeError"),
        ),
        (TICKER, Variant("Ticker")),
        (
            r#"{"channel":"book","type":"snapshot","data":[{"symbol":"MATIC/USD","bids":[{"price":0.5666,"qty":4831.75496356},{"price":0.5665,"qty":6658.22734739}],"asks":[{"price":0.5668,"qty":4410.79769741},{"price":0.5669,"qty":4655.40412487}],"checksum":2439117997}]}"#,
            Variant("Book"),
        ),
        (
            // Integer-valued numbers, a timestamp with 6 digits.
            r#"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":106824,"qty":500}],"asks":[],"checksum":2114181697,"timestamp":"2025-06-01T12:00:00.123456Z"}]}"#,
            Variant("Book"),
        ),
        (
            r#"{"channel":"trade","type":"update","data":[{"symbol":"MATIC/USD","side":"buy","price":0.5147,"qty":6423.46326,"ord_type":"limit","trade_id":4665846,"timestamp":"2023-09-25T07:48:36.925533Z"},{"symbol":"MATIC/USD","side":"sell","price":0.5146,"qty":10.0,"ord_type":"market","trade_id":4665847,"timestamp":"2023-09-25T07:48:37.000001Z"}]}"#,
            Variant("Trade"),
        ),
        (
            r#"{"channel":"ohlc","type":"update","timestamp":"2023-10-04T16:26:30.524394914Z","data":[{"symbol":"MATIC/USD","open":0.5624,"high":0.5628,"low":0.5622,"close":0.5627,"trades":12,"volume":30927.68066226,"vwap":0.5626,"interval_begin":"2023-10-04T16:25:00.000000000Z","interval":5,"timestamp":"2023-10-04T16:30:00.000000Z"}]}"#,
            Variant("Ohlc"),
        ),
        (
            r#"{"channel":"instrument","type":"snapshot","data":{"assets":[{"id":"USD","status":"enabled","precision":4,"precision_display":2,"borrowable":true,"collateral_value":1.0,"margin_rate":0.025}],"pairs":[{"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online","qty_precision":8,"qty_increment":1e-8,"price_precision":1,"cost_precision":5,"marginable":true,"has_index":true,"cost_min":0.5,"tick_size":0.1,"price_increment":0.1,"qty_min":0.0001}]}}"#,
            Variant("Instrument"),
        ),
        // Near misses: version 1 frames.
        (
            r#"{"event":"heartbeat"}"#,
            Fails(&["ServerMessage", "{\"event\":\"heartbeat\"}"]),
        ),
        (
            r#"{"connectionID":8628615390848610000,"event":"systemStatus","status":"online","version":"1.9.2"}"#,
            Fails(&["systemStatus"]),
        ),
        (
            r#"[340,{"a":["42243.20000",3,"3.04172624"]},"ticker","XBT/USD"]"#,
            Fails(&["array"]),
        ),
        // Unknown channels and methods.
        (
            r#"{"channel":"spread","type":"update","data":[]}"#,
            Fails(&["spread"]),
        ),
        (
            r#"{"method":"add_order","result":{"order_id":"AA5JGQ-SBMRC-SCJ7J7"},"success":true}"#,
            Fails(&["add_order"]),
        ),
        // Private channels' frames on the public endpoint.
        (EXECUTIONS, Fails(&["/channel is \"executions\"", "Ticker"])),
        (BALANCES, Fails(&["/channel is \"balances\""])),
        (LEVEL3, Fails(&["/channel is \"level3\""])),
        (ADD_ORDER_ACK, Fails(&["add_order"])),
        // Wrong discriminating values and missing parts.
        (
            r#"{"channel":"ticker","type":"partial","data":[]}"#,
            Fails(&["partial"]),
        ),
        (
            r#"{"method":"subscribe","success":"true","result":{"channel":"ticker"}}"#,
            Fails(&["success"]),
        ),
        (
            r#"{"method":"subscribe","success":true,"time_in":"2023-09-25T09:04:31.742599Z"}"#,
            Fails(&["SubscribeAck: /result is absent"]),
        ),
        (
            r#"{"method":"subscribe","success":false,"result":{"channel":"ticker"}}"#,
            Fails(&["error"]),
        ),
        (
            r#"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":"106824.1","qty":1.5}],"asks":[],"checksum":1}]}"#,
            Fails(&["taken for Book", "106824.1", "expected f64"]),
        ),
        (r#"{"channel":"heartbeat""#, Fails(&["EOF"])),
    ];
    check_table!(public::ServerMessage, cases);
}

#[test]
fn private_server_frames() {
    let cases: &[(&str, Expect)] = &[
        (r#"{"channel":"heartbeat"}"#, Variant("Heartbeat")),
        (EXECUTIONS, Variant("Executions")),
        (
            r#"{"channel":"executions","type":"update","data":[{"order_id":"O6ZJ4D-TDFNX-ZZLRXL","order_userref":0,"exec_id":"TKE2BN-7VJ2V-D6HBLA","exec_type":"trade","trade_id":36758592,"symbol":"BTC/USD","side":"buy","last_qty":0.01,"last_price":26500.0,"liquidity_ind":"m","cost":265,"order_status":"filled","order_type":"limit","timestamp":"2023-09-22T10:35:12.021345Z","fee_usd_equiv":0.424,"fees":[{"asset":"USD","qty":0.424}]}],"sequence":9}"#,
            Variant("Executions"),
        ),
        (BALANCES, Variant("BalancesSnapshot")),
        (
            // `type` of the frame says update; `type` of the entry is the ledger type.
            r#"{"channel":"balances","type":"update","data":[{"ledger_id":"DATKX6-PEHL1-HZKND8","ref_id":"LKAKN2-N0N4S-LAXCVC","timestamp":"2024-10-18T12:19:32.186185Z","type":"deposit","asset":"USD","asset_class":"currency","category":"deposit","wallet_type":"spot","wallet_id":"main","amount":100,"fee":0,"balance":2500}],"sequence":4}"#,
            Variant("BalancesUpdate"),
        ),
        (ADD_ORDER_ACK, Variant("AddOrderAck")),
        (
            r#"{"error":"EOrder:Insufficient funds","method":"add_order","req_id":7,"success":false,"time_in":"2023-09-21T14:15:07.197274Z","time_out":"2023-09-21T14:15:07.205301Z"}"#,
            Variant("AddOrderError"),
        ),
        (
            r#"{"method":"amend_order","result":{"amend_id":"TTW6PD-RC36L-ZZSWNU","cl_ord_id":"2c6be801-1f53-4f79-a0bb-4ea1c95dfae9"},"success":true,"time_in":"2024-10-11T12:26:10.500117Z","time_out":"2024-10-11T12:26:10.501000Z"}"#,
            Variant("AmendOrderAck"),
        ),
        (
            r#"{"method":"edit_order","req_id":1234567890,"result":{"order_id":"ONPNXH-KMKMU-F4MR5V","original_order_id":"OFVXHJ-KPQLP-U3IKKG"},"success":true,"time_in":"2023-09-21T14:36:57.428972Z","time_out":"2023-09-21T14:36:57.437952Z"}"#,
            Variant("EditOrderAck"),
        ),
        (
            r#"{"method":"cancel_order","req_id":123456789,"result":{"order_id":"1V7PZA-L5RIM-RX2G6B"},"success":true,"time_in":"2023-09-21T14:36:57.428972Z","time_out":"2023-09-21T14:36:57.437952Z"}"#,
            Variant("CancelOrderAck"),
        ),
        (
            r#"{"method":"cancel_all","req_id":12,"result":{"count":0},"success":true,"time_in":"2023-09-21T14:36:57.428972Z","time_out":"2023-09-21T14:36:57.437952Z"}"#,
            Variant("CancelAllAck"),
        ),
        (
            r#"{"method":"cancel_all_orders_after","result":{"currentTime":"2023-09-21T15:49:29Z","triggerTime":"2023-09-21T15:51:09Z"},"success":true,"time_in":"2023-09-21T15:49:28.627900Z","time_out":"2023-09-21T15:49:28.649057Z"}"#,
            Variant("CancelAllOrdersAfterAck"),
        ),
        (
            // batch_add's result is an array.
            r#"{"method":"batch_add","req_id":15,"result":[{"order_id":"OYR4XU-OWEKN-WHOHVG","order_userref":1},{"order_id":"OE4BCK-XEOIK-UJXIPL","order_userref":2}],"success":true,"time_in":"2023-09-21T14:15:07.197274Z","time_out":"2023-09-21T14:15:07.205301Z"}"#,
            Variant("BatchAddAck"),
        ),
        (
            // batch_cancel as the live service answers: no `result`.
            r#"{"method":"batch_cancel","orders_cancelled":2,"req_id":16,"success":true,"time_in":"2023-09-21T14:15:07.197274Z","time_out":"2023-09-21T14:15:07.205301Z"}"#,
            Variant("BatchCancelAck"),
        ),
        (
            r#"{"error":"ESession:Invalid session","method":"batch_cancel","success":false}"#,
            Variant("BatchCancelError"),
        ),
        // Near misses.
        (TICKER, Fails(&["ticker"])),
        (LEVEL3, Fails(&["level3"])),
        (
            r#"{"channel":"balances","type":"partial","data":[]}"#,
            Fails(&["partial"]),
        ),
        (
            r#"{"method":"batch_add","req_id":15,"result":{"order_id":"OYR4XU-OWEKN-WHOHVG"},"success":true}"#,
            Fails(&["BatchAddAck"]),
        ),
        (
            r#"{"event":"addOrderStatus","status":"ok","txid":"ONPNXH-KMKMU-F4MR5V"}"#,
            Fails(&["addOrderStatus"]),
        ),
    ];
    check_table!(private::ServerMessage, cases);
}

#[test]
fn level3_server_frames() {
    let cases: &[(&str, Expect)] = &[
        (LEVEL3, Variant("Level3")),
        (
            r#"{"channel":"level3","type":"update","data":[{"symbol":"MATIC/USD","checksum":2022017985,"bids":[{"event":"delete","order_id":"O6ZQNQ-BXL4E-5WGINO","limit_price":0.5629,"order_qty":111.56125344,"timestamp":"2023-10-06T17:35:00.279389650Z"}],"asks":[{"event":"add","order_id":"OLZZQO-OVHBG-F7GSA2","limit_price":0.5631,"order_qty":20.0,"timestamp":"2023-10-06T17:35:01.201224116Z"}]}]}"#,
            Variant("Level3"),
        ),
        (r#"{"channel":"heartbeat"}"#, Variant("Heartbeat")),
        (TICKER, Fails(&["ticker"])),
        (EXECUTIONS, Fails(&["executions"])),
        (
            r#"{"channel":"level3","type":"update","data":[{"symbol":"MATIC/USD","checksum":1,"bids":[{"event":"replace","order_id":"O","limit_price":1.0,"order_qty":1.0,"timestamp":"2023-10-06T17:35:00.279389650Z"}],"asks":[]}]}"#,
            Fails(&["replace"]),
        ),
    ];
    check_table!(level3::ServerMessage, cases);
}

#[test]
fn client_frames() {
    let public_cases: &[(&str, Expect)] = &[
        (r#"{"method":"ping","req_id":101}"#, Variant("Ping")),
        (r#"{"method":"ping"}"#, Variant("Ping")),
        (
            r#"{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10},"req_id":2}"#,
            Variant("Subscribe"),
        ),
        (
            r#"{"method":"subscribe","params":{"channel":"executions","token":"G38a1tGFzqGiUCmnegBcm8d4nfP3tytiNQz6tkCBYXY"}}"#,
            Variant("Subscribe"),
        ),
        (
            r#"{"method":"unsubscribe","params":{"channel":"ticker","symbol":["ALGO/USD"]},"req_id":5}"#,
            Variant("Unsubscribe"),
        ),
        // Near misses: trading on the public endpoint, version 1, bad params.
        (
            r#"{"method":"add_order","params":{"order_type":"limit","side":"buy","limit_price":26500.4,"order_qty":1.2,"symbol":"BTC/USD","token":"x"}}"#,
            Fails(&["add_order"]),
        ),
        (
            r#"{"event":"subscribe","pair":["XBT/USD"],"subscription":{"name":"ticker"}}"#,
            Fails(&["ClientMessage"]),
        ),
        (
            r#"{"method":"subscribe","params":{"channel":"spread","symbol":["BTC/USD"]}}"#,
            Fails(&["spread"]),
        ),
        (
            r#"{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":42}}"#,
            Fails(&["42"]),
        ),
        (r#"{"method":"subscribe"}"#, Fails(&["params"])),
    ];
    check_table!(public::ClientMessage, public_cases);

    let private_cases: &[(&str, Expect)] = &[
        (
            r#"{"method":"add_order","params":{"order_type":"limit","side":"buy","limit_price":26500.4,"order_userref":100054,"order_qty":1.2,"symbol":"BTC/USD","token":"G38a1tGFzqGiUCmnegBcm8d4nfP3tytiNQz6tkCBYXY"},"req_id":123456789}"#,
            Variant("AddOrder"),
        ),
        (
            r#"{"method":"amend_order","params":{"order_id":"OFVXHJ-KPQLP-U3IKKG","limit_price":49079.5,"token":"x"}}"#,
            Variant("AmendOrder"),
        ),
        (
            r#"{"method":"edit_order","params":{"order_id":"OFVXHJ-KPQLP-U3IKKG","order_qty":0.2123456789,"symbol":"BTC/USD","token":"x"},"req_id":1234567890}"#,
            Variant("EditOrder"),
        ),
        (
            r#"{"method":"cancel_order","params":{"order_id":["1V7PZA-L5RIM-RX2G6B"],"token":"x"}}"#,
            Variant("CancelOrder"),
        ),
        (
            r#"{"method":"cancel_all","params":{"token":"x"},"req_id":12}"#,
            Variant("CancelAll"),
        ),
        (
            r#"{"method":"cancel_all_orders_after","params":{"timeout":100,"token":"x"}}"#,
            Variant("CancelAllOrdersAfter"),
        ),
        (
            r#"{"method":"batch_add","params":{"symbol":"BTC/USD","orders":[{"order_type":"limit","side":"buy","limit_price":42000.5,"order_qty":0.1},{"order_type":"market","side":"sell","order_qty":0.1}],"token":"x"}}"#,
            Variant("BatchAdd"),
        ),
        (
            r#"{"method":"batch_cancel","params":{"orders":["OYR4XU-OWEKN-WHOHVG","OE4BCK-XEOIK-UJXIPL"],"token":"x"}}"#,
            Variant("BatchCancel"),
        ),
        (r#"{"method":"ping"}"#, Variant("Ping")),
        // Near misses.
        (r#"{"method":"cancel_all"}"#, Fails(&["params"])),
        (
            r#"{"method":"cancel_all_orders_after","params":{"timeout":"60","token":"x"}}"#,
            Fails(&["timeout"]),
        ),
        (
            r#"{"method":"add_order","params":{"order_type":"limit","side":"hold","symbol":"BTC/USD","token":"x"}}"#,
            Fails(&["hold"]),
        ),
        (
            r#"{"method":"get_orders","params":{"token":"x"}}"#,
            Fails(&["get_orders"]),
        ),
    ];
    check_table!(private::ClientMessage, private_cases);

    let level3_cases: &[(&str, Expect)] = &[
        (
            r#"{"method":"subscribe","params":{"channel":"level3","symbol":["BTC/USD"],"depth":10,"token":"x"}}"#,
            Variant("Subscribe"),
        ),
        (
            r#"{"method":"cancel_all","params":{"token":"x"}}"#,
            Fails(&["cancel_all"]),
        ),
    ];
    check_table!(level3::ClientMessage, level3_cases);
}
