//! Which variant each Kraken frame decodes to, and the errors of near
//! misses: table-driven, through both decoding paths (text frames with
//! `from_json`, and serde's `Deserialize` over parsed values).

use asyncapi_showcase::kraken::channels::{private, public};
use asyncapi_showcase::kraken_2_0;

/// What a frame must decode to: a variant, or an error whose text contains
/// every one of the given pieces.
enum Expect {
    Variant(&'static str),
    Error(&'static [&'static str]),
}
use Expect::{Error as Fails, Variant};

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
                    // Encoding gives back an equal frame.
                    let again = serde_json::to_value(message).expect("encodes");
                    let original: serde_json::Value = serde_json::from_str(frame).unwrap();
                    if again != original {
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

#[test]
fn public_server_frames() {
    let cases: &[(&str, Expect)] = &[
        // General messages, keyed by `event` (optional for three of them).
        (r#"{"event":"heartbeat"}"#, Variant("Heartbeat")),
        (r#"{"event":"pong","reqid":42}"#, Variant("Pong")),
        (r#"{"reqid":42,"event":"pong"}"#, Variant("Pong")),
        (
            r#"{"connectionID":8628615390848610000,"event":"systemStatus","status":"online","version":"1.9.2"}"#,
            Variant("SystemStatus"),
        ),
        (
            r#"{"channelID":10001,"channelName":"ohlc-5","event":"subscriptionStatus","pair":"XBT/EUR","reqid":42,"status":"subscribed","subscription":{"interval":5,"name":"ohlc"}}"#,
            Variant("SubscriptionStatus"),
        ),
        (
            r#"{"channelID":10001,"channelName":"book-10","event":"subscriptionStatus","pair":"XBT/USD","status":"unsubscribed","subscription":{"depth":10,"name":"book"}}"#,
            Variant("SubscriptionStatus"),
        ),
        (
            r#"{"errorMessage":"Private data and trading are unavailable on this endpoint. Try ws-auth.kraken.com","event":"subscriptionStatus","status":"error","subscription":{"name":"ownTrades","token":"WW91ciBhdXRoZW50aWNhdGlvbiB0b2tlbiBnb2VzIGhlcmUu"}}"#,
            Variant("SubscriptionStatusError"),
        ),
        (
            r#"{"errorMessage":"Malformed request","event":"error"}"#,
            Variant("Error"),
        ),
        // Public data: arrays, told apart by the channel name and length.
        (
            r#"[340,{"a":["42243.20000",3,"3.04172624"],"b":["42243.10000",0,"0.28500000"],"c":["42243.20000","0.00073657"],"v":["634.15","2117.90"],"p":["41908.87","41673.47"],"t":[7214,21130],"l":["40772.20000","40772.20000"],"h":["42474.30000","42571.50000"],"o":["41016.00000","41896.10000"]},"ticker","XBT/USD"]"#,
            Variant("Ticker"),
        ),
        (
            r#"[42,["1542057314.748456","1542057360.435743","3586.70000","3586.70000","3586.60000","3586.60000","3586.68894","0.03373000",2],"ohlc-5","XBT/USD"]"#,
            Variant("Ohlc"),
        ),
        (
            r#"[0,[["5541.20000","0.15850568","1534614057.321597","s","l",""]],"trade","XBT/USD"]"#,
            Variant("Trade"),
        ),
        (
            r#"[0,["5698.40000","5700.00000","1542057299.545897","1.01234567","0.98765432"],"spread","XBT/USD"]"#,
            Variant("Spread"),
        ),
        (
            r#"[0,{"as":[["5541.30000","2.50700000","1534614248.123678"]],"bs":[["5541.20000","1.52900000","1534614248.765567"]]},"book-10","XBT/USD"]"#,
            Variant("BookSnapshot"),
        ),
        (
            r#"[1234,{"a":[["5541.30000","2.50700000","1534614248.456738"]],"c":"974942666"},"book-10","XBT/USD"]"#,
            Variant("BookUpdate"),
        ),
        (
            r#"[1234,{"b":[["5541.30000","0.00000000","1534614335.345903"]],"c":"974942666"},"book-10","XBT/USD"]"#,
            Variant("BookUpdate"),
        ),
        (
            r#"[1234,{"a":[["5541.30000","2.50700000","1534614248.456738","r"]]},"book-25","XBT/USD"]"#,
            Variant("BookUpdate"),
        ),
        (
            r#"[1234,{"a":[["5541.30000","2.50700000","1534614248.456738"]]},{"b":[["5541.30000","0.00000000","1534614335.345903"]],"c":"974942666"},"book-10","XBT/USD"]"#,
            Variant("BookUpdateBothSides"),
        ),
        // Near misses.
        (
            r#"{"event":"heartbeatx"}"#,
            Fails(&["heartbeatx", "Heartbeat"]),
        ),
        (
            r#"{"event":"addOrderStatus","status":"ok"}"#,
            Fails(&["addOrderStatus"]),
        ),
        (
            r#"[340,{"a":["1",3,"3"]},"tickerx","XBT/USD"]"#,
            Fails(&["tickerx", "Ticker"]),
        ),
        (
            r#"[42,["1","1","1","1","1","1","1","1",2],"ohlc-7","XBT/USD"]"#,
            Fails(&["ohlc-7", "Ohlc"]),
        ),
        (r#"[1,2,3]"#, Fails(&["Ticker"])),
        (r#"{"event":"pong""#, Fails(&["EOF"])),
        ("not json", Fails(&["not json"])),
        (
            r#""ping""#,
            Fails(&["\"ping\"", "expected an object", "expected an array"]),
        ),
    ];
    check_table!(public::ServerMessage, cases);
}

#[test]
fn public_client_frames() {
    let cases: &[(&str, Expect)] = &[
        (r#"{"event":"ping","reqid":42}"#, Variant("Ping")),
        (r#"{"event":"ping"}"#, Variant("Ping")),
        (
            r#"{"event":"subscribe","reqid":7,"pair":["XBT/USD"],"subscription":{"name":"book","depth":10}}"#,
            Variant("Subscribe"),
        ),
        (
            r#"{"event":"unsubscribe","pair":["XBT/EUR","XBT/USD"],"subscription":{"name":"ticker"}}"#,
            Variant("Unsubscribe"),
        ),
        // The public endpoint has no trading: the enum cannot express it.
        (
            r#"{"event":"addOrder","token":"abc","ordertype":"limit","type":"buy","pair":"XBT/USD","price":"9857","volume":"0.002"}"#,
            Fails(&["addOrder"]),
        ),
        (r#"{"event":"heartbeat"}"#, Fails(&["heartbeat", "Ping"])),
    ];
    check_table!(public::ClientMessage, cases);
}

#[test]
fn private_frames() {
    let client: &[(&str, Expect)] = &[
        (
            r#"{"event":"addOrder","token":"abc","reqid":5,"ordertype":"limit","type":"buy","pair":"XBT/USD","price":"9857","volume":"0.002"}"#,
            Variant("AddOrder"),
        ),
        (
            r#"{"event":"cancelOrder","token":"abc","txid":["OGTT3Y-C6I3P-XRI6HX"]}"#,
            Variant("CancelOrder"),
        ),
        (
            r#"{"event":"cancelAll","token":"abc"}"#,
            Variant("CancelAll"),
        ),
        (
            r#"{"event":"cancelAllOrdersAfter","token":"abc","timeout":60}"#,
            Variant("CancelAllOrdersAfter"),
        ),
        (r#"{"event":"ping","reqid":1}"#, Variant("Ping")),
    ];
    check_table!(private::ClientMessage, client);
    let server: &[(&str, Expect)] = &[
        (
            r#"{"descr":"buy 0.00200000 XBTUSD @ limit 9857.0","event":"addOrderStatus","reqid":5,"status":"ok","txid":"ONPNXH-KMKMU-F4MR5V"}"#,
            Variant("AddOrderStatus"),
        ),
        (
            r#"{"errorMessage":"EOrder:Unknown order","event":"cancelOrderStatus","status":"error"}"#,
            Variant("CancelOrderStatus"),
        ),
        (
            r#"{"count":2,"event":"cancelAllStatus","status":"ok"}"#,
            Variant("CancelAllStatus"),
        ),
        (
            r#"[[{"OGTT3Y-C6I3P-XRI6HX":{"status":"closed"}}],"openOrders",{"sequence":59342}]"#,
            Variant("OpenOrders"),
        ),
        (
            r#"[[{"TDLH43-DVQXD-2KHVYY":{"cost":"17.01","fee":"0.04","margin":"0.00000","ordertxid":"OQCLML-BW3P3-BUCMWZ","ordertype":"limit","pair":"XBT/EUR","postxid":"TKH2SE-M7IF5-CFI7LT","price":"34020.00000","time":"1560516023.070651","type":"buy","vol":"0.00050000"}}],"ownTrades",{"sequence":2948}]"#,
            Variant("OwnTrades"),
        ),
        (r#"{"event":"heartbeat"}"#, Variant("Heartbeat")),
        // Public market data does not flow on the private channel.
        (
            r#"[0,["5698.40000","5700.00000","1542057299.545897","1.01234567","0.98765432"],"spread","XBT/USD"]"#,
            Fails(&["spread"]),
        ),
    ];
    check_table!(private::ServerMessage, server);
}

#[test]
fn the_seed_2_0_shape_dispatches_the_same() {
    let server: &[(&str, Expect)] = &[
        (r#"{"event":"heartbeat"}"#, Variant("Heartbeat")),
        (r#"{"event":"pong","reqid":1}"#, Variant("Pong")),
        (
            r#"{"connectionID":1,"event":"systemStatus","status":"maintenance","version":"1.9.2"}"#,
            Variant("SystemStatus"),
        ),
        (r#"{"event":"pingx"}"#, Fails(&["pingx"])),
    ];
    check_table!(kraken_2_0::ServerMessage, server);
    let client: &[(&str, Expect)] = &[
        (r#"{"event":"ping","reqid":1}"#, Variant("Ping")),
        (
            r#"{"event":"subscribe","pair":["XBT/USD"],"subscription":{"name":"ticker"}}"#,
            Variant("Subscribe"),
        ),
    ];
    check_table!(kraken_2_0::ClientMessage, client);
}

/// Messages that are hard to tell apart (`tricky.yaml`), generated by
/// `build.rs`.
mod tricky {
    asyncapi_runtime::include_api!("tricky");
}

/// `frame` decodes to `expect` (a variant, or an error containing every
/// piece), both from text and from a parsed value.
fn check_tricky(frame: &str, expect: Expect) -> Option<String> {
    let by_text = tricky::ServerMessage::from_json(frame);
    let by_value = serde_json::from_str::<serde_json::Value>(frame)
        .ok()
        .map(|value| tricky::ServerMessage::from_value(&value));
    if let Some(by_value) = &by_value {
        let same = match (&by_text, by_value) {
            (Ok(a), Ok(b)) => a == b,
            (Err(a), Err(b)) => {
                a.to_string() == b.to_string().replace(&b.frame().to_owned(), frame)
            }
            _ => false,
        };
        if !same && by_text.is_ok() != by_value.is_ok() {
            return Some(format!(
                "{frame}: from_json {by_text:?}, from_value {by_value:?}"
            ));
        }
    }
    match (expect, by_text) {
        (Variant(name), Ok(message)) if message.variant_name() == name => None,
        (Fails(pieces), Err(error)) => {
            let text = error.to_string();
            pieces
                .iter()
                .find(|piece| !text.contains(*piece))
                .map(|piece| format!("{frame}: error {text:?} lacks {piece:?}"))
        }
        (_, got) => Some(format!(
            "{frame}: got {:?}",
            got.map(|m| m.variant_name()).map_err(|e| e.to_string())
        )),
    }
}

#[test]
fn tricky_tables() {
    let cases: &[(&str, Expect)] = &[
        // String values with a shared prefix.
        (r#"{"kind":"ping"}"#, Variant("Ping")),
        (r#"{"kind":"ping-pong"}"#, Variant("PingPong")),
        (
            r#"{"kind":"pingx"}"#,
            Fails(&[
                r#"it carries /kind = "pingx""#,
                r#"Ping: /kind is "pingx", expected "ping""#,
                r#"PingPong: /kind is "pingx", expected "ping-pong""#,
                "Pair: the frame is an object, expected an array",
            ]),
        ),
        // A literal that a pattern matches too: declaration order, and the
        // first message that decodes.
        (r#"{"kind":"ohlc-5","open":1.5}"#, Variant("OhlcFive")),
        (r#"{"kind":"ohlc-5"}"#, Variant("OhlcAny")),
        (r#"{"kind":"ohlc-7"}"#, Variant("OhlcAny")),
        (
            r#"{"kind":"ohlc-x"}"#,
            Fails(&[r#"OhlcAny: /kind is "ohlc-x", expected a string matching ^ohlc-[0-9]+$"#]),
        ),
        // Optional discriminators: absent (or null) is allowed.
        (r#"{"text":"hi"}"#, Variant("Note")),
        (r#"{"tag":null,"text":"hi"}"#, Variant("Note")),
        (r#"{"tag":"note","text":"hi"}"#, Variant("Note")),
        ("{}", Variant("Quiet")),
        (r#"{"tag":"quiet","level":2}"#, Variant("Quiet")),
        // Note is open: the extra key is no obstacle.
        (r#"{"level":1,"text":"x"}"#, Variant("Note")),
        (
            r#"{"level":"x"}"#,
            Fails(&["it was taken for Quiet, which failed to decode: invalid type"]),
        ),
        (
            r#"{"tag":"quiet","text":"x"}"#,
            Fails(&[
                r#"Quiet: the frame has key "text", which Quiet does not allow"#,
                r#"Note: /tag is "quiet", expected "note" or absent"#,
            ]),
        ),
        // Arrays, read from their end.
        (r#"[1,"pair"]"#, Variant("Pair")),
        (r#" [ 1 , "p\u0061ir" ] "#, Variant("Pair")),
        (r#"[1,{"a":"x"},"triple"]"#, Variant("Triple")),
        (r#"[1,{"a":"x"},{"b":"y"},"triple"]"#, Variant("TripleWide")),
        (
            r#"[1,{"b":"y"},"triple"]"#,
            Fails(&[r#"Triple: /1 lacks key "a", which Triple requires"#]),
        ),
        (
            r#"[1,{"a":"x"},{"a":"y"},"triple"]"#,
            Fails(&[r#"TripleWide: /2 lacks key "b", which TripleWide requires"#]),
        ),
        ("[true]", Variant("Flag")),
        (
            "[false]",
            Fails(&[
                "Flag: /0 is false, expected true",
                "Numbers: the frame has 1 elements",
            ]),
        ),
        ("[1,2,3,4,5]", Variant("Numbers")),
        ("[1.5,2,3,4,5,6]", Variant("Numbers")),
        (
            "[1,2,3,4]",
            Fails(&["Numbers: the frame has 4 elements, expected at least 5"]),
        ),
        (
            r#"[1,"pair",3]"#,
            Fails(&["Pair: the frame has 3 elements, expected 2"]),
        ),
        // Frames that match nothing.
        (
            r#""hello""#,
            Fails(&[
                "it carries none of the values that tell the messages apart",
                r#"Ping: the frame is "hello", expected an object"#,
            ]),
        ),
        (
            r#"{"kind":5}"#,
            Fails(&["Ping: /kind is 5, expected \"ping\""]),
        ),
        (
            r#"{"kind":"ping","n":"x"}"#,
            Fails(&["it was taken for Ping, which failed to decode: invalid type"]),
        ),
        (r#"[1,"pair""#, Fails(&["it is not JSON"])),
        (r#"{"kind":"ping"} x"#, Fails(&["it is not JSON"])),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(frame, expect)| {
            let expect = match expect {
                Variant(name) => Variant(name),
                Fails(pieces) => Fails(pieces),
            };
            check_tricky(frame, expect)
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
