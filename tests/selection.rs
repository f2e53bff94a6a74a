//! A property of the generated selection: on random frames and on
//! mutations of real ones, `from_json` gives the first variant, in
//! declaration order, whose payload type decodes the frame (or an error
//! when none does), as trying every variant in order would; and
//! `from_value` agrees with it. Where the schema says more than the Rust
//! type checks, the reference checks it too, as the selection does:
//! `type: object` (serde's derive also reads a struct from an array, so
//! `[null]` decodes as a `Heartbeat`: the reference takes a variant only if
//! the message, encoded again, has the frame's objects and arrays where the
//! frame has them) and the bounds of a list, a `Vec` (a `where` guard).

use asyncapi_showcase::kraken::channels::{private, public};
use asyncapi_showcase::kraken::types as k;
use proptest::prelude::*;
use serde_json::{Map, Value};

mod rooms {
    asyncapi_runtime::include_api!("rooms");
}

mod tricky {
    asyncapi_runtime::include_api!("tricky");
}

/// For one enum: the reference (every variant tried in order) and the
/// property's check.
macro_rules! agrees {
    ($check:ident, $enum:ty { $($variant:ident: $ty:ty $(where $guard:expr)?),* $(,)? }) => {
        fn $check(frame: &str) -> Result<(), String> {
            let mut reference: Option<&'static str> = None;
            $(
                if let (None, Ok(message)) = (reference, serde_json::from_str::<$ty>(frame)) {
                    let guard: Option<fn(&str) -> bool> = None $(.or(Some($guard)))?;
                    if guard.is_none_or(|holds| holds(frame)) && same_shape(&message, frame) {
                        reference = Some(stringify!($variant));
                    }
                }
            )*
            let by_text = <$enum>::from_json(frame);
            let picked = by_text.as_ref().ok().map(|m| m.variant_name());
            if picked != reference {
                return Err(format!(
                    "{}: {frame}: from_json gave {:?}, trying every variant gives {reference:?}",
                    stringify!($enum),
                    by_text.map(|m| m.variant_name()).map_err(|e| e.to_string()),
                ));
            }
            if let Ok(value) = serde_json::from_str::<Value>(frame) {
                let by_value = <$enum>::from_value(&value);
                if by_value.as_ref().ok() != by_text.as_ref().ok() {
                    return Err(format!(
                        "{}: {frame}: from_value gave {:?}, from_json {picked:?}",
                        stringify!($enum),
                        by_value.map(|m| m.variant_name()).map_err(|e| e.to_string()),
                    ));
                }
            }
            Ok(())
        }
    };
}

agrees!(
    public_server,
    public::ServerMessage {
        Pong: k::Pong,
        SubscriptionStatus: k::SubscriptionStatus,
        SubscriptionStatusError: k::SubscriptionStatusError,
        Heartbeat: k::Heartbeat,
        SystemStatus: k::SystemStatus,
        Error: k::GeneralError,
        Ticker: k::Ticker,
        Ohlc: k::Ohlc,
        Trade: k::Trade,
        Spread: k::Spread,
        BookSnapshot: k::BookSnapshot,
        BookUpdate: k::BookUpdate,
        BookUpdateBothSides: k::BookUpdateBothSides,
    }
);

agrees!(
    public_client,
    public::ClientMessage {
        Ping: k::Ping,
        Subscribe: k::Subscribe,
        Unsubscribe: k::Unsubscribe,
    }
);

agrees!(
    private_server,
    private::ServerMessage {
        Pong: k::Pong,
        SubscriptionStatus: k::SubscriptionStatus,
        SubscriptionStatusError: k::SubscriptionStatusError,
        Heartbeat: k::Heartbeat,
        SystemStatus: k::SystemStatus,
        Error: k::GeneralError,
        OwnTrades: k::OwnTrades,
        OpenOrders: k::OpenOrders,
        AddOrderStatus: k::AddOrderStatus,
        EditOrderStatus: k::EditOrderStatus,
        CancelOrderStatus: k::CancelOrderStatus,
        CancelAllStatus: k::CancelAllStatus,
        CancelAllOrdersAfterStatus: k::CancelAllOrdersAfterStatus,
    }
);

agrees!(private_client, private::ClientMessage {
    Ping: k::Ping,
    Subscribe: k::Subscribe,
    Unsubscribe: k::Unsubscribe,
    AddOrder: k::AddOrder,
    EditOrder: k::EditOrder,
    CancelOrder: k::CancelOrder where |frame| min_len(frame, "/txid", 1),
    CancelAll: k::CancelAll,
    CancelAllOrdersAfter: k::CancelAllOrdersAfter,
});

agrees!(
    rooms_server,
    rooms::ServerMessage {
        Said: rooms::types::Said,
        Refused: rooms::types::Refused,
    }
);

agrees!(tricky_server, tricky::ServerMessage {
    Ping: tricky::types::Ping,
    PingPong: tricky::types::PingPong,
    OhlcFive: tricky::types::OhlcFive,
    OhlcAny: tricky::types::OhlcAny,
    Note: tricky::types::Note,
    Quiet: tricky::types::Quiet,
    Pair: tricky::types::Pair,
    Triple: tricky::types::Triple,
    TripleWide: tricky::types::TripleWide,
    Wide: tricky::types::Wide,
    Tags: tricky::types::Tags where |frame| len_between(frame, "", 7, 8),
    Flag: tricky::types::Flag,
    Numbers: tricky::types::Numbers where |frame| min_len(frame, "", 5),
});

/// Whether `message`, encoded again, has objects and arrays where the
/// frame has them.
fn same_shape(message: &impl serde::Serialize, frame: &str) -> bool {
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Array(x), Value::Array(y)) => x.iter().zip(y).all(|(x, y)| same(x, y)),
            (Value::Object(x), Value::Object(y)) => {
                x.iter().all(|(k, v)| y.get(k).is_none_or(|w| same(v, w)))
            }
            (Value::Array(_), Value::Object(_)) | (Value::Object(_), Value::Array(_)) => false,
            _ => true,
        }
    }
    match (
        serde_json::to_value(message),
        serde_json::from_str::<Value>(frame),
    ) {
        (Ok(again), Ok(frame)) => same(&again, &frame),
        _ => false,
    }
}

/// The frame has an array of at least `min` elements at `pointer`.
fn min_len(frame: &str, pointer: &str, min: usize) -> bool {
    serde_json::from_str::<Value>(frame).is_ok_and(|value| {
        value
            .pointer(pointer)
            .and_then(Value::as_array)
            .is_some_and(|items| items.len() >= min)
    })
}

/// The frame has an array of `min` to `max` elements at `pointer`.
fn len_between(frame: &str, pointer: &str, min: usize, max: usize) -> bool {
    serde_json::from_str::<Value>(frame).is_ok_and(|value| {
        value
            .pointer(pointer)
            .and_then(Value::as_array)
            .is_some_and(|items| (min..=max).contains(&items.len()))
    })
}

/// Every enum's property on one frame.
fn check(frame: &str) -> Result<(), String> {
    public_server(frame)?;
    public_client(frame)?;
    private_server(frame)?;
    private_client(frame)?;
    rooms_server(frame)?;
    tricky_server(frame)
}

/// Real frames, and frames of the fixtures, to mutate.
const SEEDS: &[&str] = &[
    r#"{"event":"heartbeat"}"#,
    r#"{"event":"pong","reqid":42}"#,
    r#"{"event":"ping","reqid":42}"#,
    r#"{"connectionID":8628615390848610000,"event":"systemStatus","status":"online","version":"1.9.2"}"#,
    r#"{"channelID":10001,"channelName":"ohlc-5","event":"subscriptionStatus","pair":"XBT/EUR","reqid":42,"status":"subscribed","subscription":{"interval":5,"name":"ohlc"}}"#,
    r#"{"errorMessage":"Currency pair not supported","event":"subscriptionStatus","pair":"XBT/USD","status":"error","subscription":{"name":"ticker"}}"#,
    r#"{"errorMessage":"Malformed request","event":"error"}"#,
    r#"{"event":"subscribe","reqid":7,"pair":["XBT/USD"],"subscription":{"name":"book","depth":10}}"#,
    r#"{"event":"addOrder","token":"abc","reqid":5,"ordertype":"limit","type":"buy","pair":"XBT/USD","price":"9857","volume":"0.002"}"#,
    r#"{"event":"cancelOrder","token":"abc","txid":["OGTT3Y-C6I3P-XRI6HX"]}"#,
    r#"{"descr":"buy 0.00200000 XBTUSD @ limit 9857.0","event":"addOrderStatus","reqid":5,"status":"ok","txid":"ONPNXH-KMKMU-F4MR5V"}"#,
    r#"{"count":2,"event":"cancelAllStatus","status":"ok"}"#,
    r#"[340,{"a":["42243.20000",3,"3.04172624"],"b":["42243.10000",0,"0.28500000"],"c":["42243.20000","0.00073657"],"v":["634.15","2117.90"],"p":["41908.87","41673.47"],"t":[7214,21130],"l":["40772.20000","40772.20000"],"h":["42474.30000","42571.50000"],"o":["41016.00000","41896.10000"]},"ticker","XBT/USD"]"#,
    r#"[42,["1542057314.748456","1542057360.435743","3586.70000","3586.70000","3586.60000","3586.60000","3586.68894","0.03373000",2],"ohlc-5","XBT/USD"]"#,
    r#"[0,[["5541.20000","0.15850568","1534614057.321597","s","l",""]],"trade","XBT/USD"]"#,
    r#"[0,["5698.40000","5700.00000","1542057299.545897","1.01234567","0.98765432"],"spread","XBT/USD"]"#,
    r#"[0,{"as":[["5541.30000","2.50700000","1534614248.123678"]],"bs":[["5541.20000","1.52900000","1534614248.765567"]]},"book-10","XBT/USD"]"#,
    r#"[1234,{"a":[["5541.30000","2.50700000","1534614248.456738"]],"c":"974942666"},"book-10","XBT/USD"]"#,
    r#"[1234,{"b":[["5541.30000","0.00000000","1534614335.345903","r"]]},"book-25","XBT/USD"]"#,
    r#"[1234,{"a":[["5541.30000","2.50700000","1534614248.456738"]]},{"b":[["5541.30000","0.00000000","1534614335.345903"]],"c":"974942666"},"book-10","XBT/USD"]"#,
    r#"[1234,{"c":"974942666","b":[]},"book-10","XBT/USD"]"#,
    r#"[1234,{},"book-25","XBT/USD"]"#,
    r#" [ 1234 , { "\u0061" : [ ] } , { "b" : [ ] } , "book\u002d10" , "XBT\/USD" ] "#,
    r#"[1234,{"b":[]},{"a":[]},"book-10","XBT/USD"]"#,
    r#"[[{"OGTT3Y-C6I3P-XRI6HX":{"status":"closed"}}],"openOrders",{"sequence":59342}]"#,
    r#"{"action":"said"}"#,
    r#"{"action":"refused"}"#,
    r#"{"kind":"ohlc-5","open":1.5}"#,
    r#"{"kind":"ping-pong"}"#,
    r#"{"tag":"note","text":"hi"}"#,
    r#"{"tag":"quiet","level":2}"#,
    r#"[1,{"a":"x"},{"b":"y"},"triple"]"#,
    r#"[1,{"a":"x"},{"b":"y"},{"c":"z"},{"d":"w"},"wide"]"#,
    r#"["a","b","c","d","e","f","g"]"#,
    r#"[1,"pair"]"#,
    "[true]",
    "[1,2,3,4,5]",
];

/// Words that the discriminating values are made of, and near misses.
const WORDS: &[&str] = &[
    "event",
    "heartbeat",
    "pong",
    "ping",
    "pingx",
    "systemStatus",
    "subscriptionStatus",
    "error",
    "subscribed",
    "unsubscribed",
    "online",
    "status",
    "ticker",
    "trade",
    "spread",
    "ohlc-5",
    "ohlc-x",
    "book-10",
    "book-11",
    "XBT/USD",
    "a",
    "b",
    "c",
    "as",
    "bs",
    "action",
    "said",
    "kind",
    "ping-pong",
    "tag",
    "note",
    "quiet",
    "text",
    "pair",
    "triple",
    "wide",
    "d",
    "openOrders",
    "ownTrades",
    "sequence",
    "reqid",
    "subscription",
    "errorMessage",
    "connectionID",
    "version",
    "channelName",
];

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(WORDS).prop_map(str::to_owned)
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..50_000).prop_map(Value::from),
        Just(Value::from(1.5)),
        word().prop_map(Value::String),
    ]
}

/// Random JSON made of the words.
fn json() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((word(), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A change to one node of a frame (the `n`-th, in pre-order).
#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, Value),
    Remove(usize),
    AddMember(usize, String, Value),
    RenameKey(usize, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), json()).prop_map(|(n, v)| Mutation::Replace(n, v)),
        any::<usize>().prop_map(Mutation::Remove),
        (any::<usize>(), word(), scalar()).prop_map(|(n, k, v)| Mutation::AddMember(n, k, v)),
        (any::<usize>(), word()).prop_map(|(n, k)| Mutation::RenameKey(n, k)),
    ]
}

fn count(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count).sum(),
        Value::Object(map) => map.values().map(count).sum(),
        _ => 0,
    }
}

/// The `n`-th node in pre-order.
fn nth(value: &mut Value, n: usize) -> Option<&mut Value> {
    if n == 0 {
        return Some(value);
    }
    let mut n = n - 1;
    let children: Vec<&mut Value> = match value {
        Value::Array(items) => items.iter_mut().collect(),
        Value::Object(map) => map.values_mut().collect(),
        _ => return None,
    };
    for child in children {
        let size = count(child);
        if n < size {
            return nth(child, n);
        }
        n -= size;
    }
    None
}

fn apply(value: &mut Value, mutation: &Mutation) {
    let total = count(value);
    match mutation {
        Mutation::Replace(n, new) => {
            if let Some(node) = nth(value, n % total) {
                *node = new.clone();
            }
        }
        Mutation::Remove(n) => match nth(value, n % total) {
            Some(Value::Array(items)) if !items.is_empty() => {
                items.remove(n % items.len());
            }
            Some(Value::Object(map)) if !map.is_empty() => {
                let key = map.keys().nth(n % map.len()).cloned();
                if let Some(key) = key {
                    map.remove(&key);
                }
            }
            _ => {}
        },
        Mutation::AddMember(n, key, new) => {
            if let Some(Value::Object(map)) = nth(value, n % total) {
                map.insert(key.clone(), new.clone());
            }
        }
        Mutation::RenameKey(n, key) => {
            if let Some(Value::Object(map)) = nth(value, n % total) {
                if let Some(old) = map.keys().nth(n % map.len().max(1)).cloned() {
                    if let Some(moved) = map.remove(&old) {
                        map.insert(key.clone(), moved);
                    }
                }
            }
        }
    }
}

/// How a mutated frame is written out: compact, with whitespace, or cut.
#[derive(Debug, Clone)]
enum Text {
    Compact,
    Spaced,
    Cut(usize),
}

fn text() -> impl Strategy<Value = Text> {
    prop_oneof![
        4 => Just(Text::Compact),
        1 => Just(Text::Spaced),
        1 => any::<usize>().prop_map(Text::Cut),
    ]
}

fn write(value: &Value, how: &Text) -> String {
    match how {
        Text::Compact => value.to_string(),
        Text::Spaced => serde_json::to_string_pretty(value).unwrap_or_default(),
        Text::Cut(n) => {
            let text = value.to_string();
            let mut cut = n % (text.len() + 1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text[..cut].to_owned()
        }
    }
}

#[test]
fn every_seed_decodes_as_trying_every_variant() {
    for seed in SEEDS {
        check(seed).unwrap_or_else(|e| panic!("{e}"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        // More with `PROPTEST_CASES`.
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(2000),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_frames_decode_as_trying_every_variant(
        seed in 0..SEEDS.len(),
        mutations in prop::collection::vec(mutation(), 0..4),
        how in text(),
    ) {
        let mut value: Value = serde_json::from_str(SEEDS[seed]).unwrap();
        for mutation in &mutations {
            apply(&mut value, mutation);
        }
        let frame = write(&value, &how);
        prop_assert!(check(&frame).is_ok(), "{}", check(&frame).unwrap_err());
    }

    #[test]
    fn random_frames_decode_as_trying_every_variant(value in json(), how in text()) {
        let frame = write(&value, &how);
        prop_assert!(check(&frame).is_ok(), "{}", check(&frame).unwrap_err());
    }
}
