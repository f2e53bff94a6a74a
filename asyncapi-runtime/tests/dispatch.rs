//! Dispatch tables built by hand the way generated code builds them, over
//! Kraken-like frames: objects keyed by `event`, and arrays keyed by the
//! channel name at a fixed position.

use asyncapi_runtime::__private::regress;
use asyncapi_runtime::dispatch::{
    Candidate, DecodeError, Kind, Lit, Pattern, Prepared, Rule, Seg, Table, Test,
};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

// ---------------------------------------------------------------------------
// The messages.

#[derive(Debug, PartialEq, Deserialize)]
struct Ping {
    event: String,
    reqid: Option<u64>,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Pong {
    event: Option<String>,
    reqid: Option<u64>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Heartbeat {
    event: Option<String>,
}

#[derive(Debug, PartialEq, Deserialize)]
struct SystemStatus {
    event: Option<String>,
    status: String,
    #[serde(rename = "connectionID")]
    connection_id: u64,
    version: String,
}

#[derive(Debug, PartialEq, Deserialize)]
struct SubscriptionStatus {
    event: String,
    status: String,
    #[serde(rename = "channelName")]
    channel_name: String,
    pair: Option<String>,
}

#[derive(Debug, PartialEq, Deserialize)]
struct SubscriptionError {
    event: String,
    status: String,
    #[serde(rename = "errorMessage")]
    error_message: String,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Ticker(u64, Value, String, String);

#[derive(Debug, PartialEq, Deserialize)]
struct Ohlc(u64, Vec<Value>, String, String);

#[derive(Debug, PartialEq, Deserialize)]
struct Snapshot {
    #[serde(rename = "as")]
    asks: Vec<Vec<String>>,
    #[serde(rename = "bs")]
    bids: Vec<Vec<String>>,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Delta {
    a: Option<Vec<Vec<String>>>,
    b: Option<Vec<Vec<String>>>,
    c: Option<String>,
}

#[derive(Debug, PartialEq, Deserialize)]
struct BookSnapshot(u64, Snapshot, String, String);

#[derive(Debug, PartialEq, Deserialize)]
struct BookUpdate(u64, Delta, String, String);

#[derive(Debug, PartialEq, Deserialize)]
struct BookUpdate2(u64, Delta, Delta, String, String);

#[derive(Debug, PartialEq)]
enum Msg {
    Ping(Ping),
    Pong(Pong),
    Heartbeat(Heartbeat),
    SystemStatus(SystemStatus),
    SubscriptionStatus(SubscriptionStatus),
    SubscriptionError(SubscriptionError),
    Ticker(Ticker),
    Ohlc(Ohlc),
    BookSnapshot(BookSnapshot),
    BookUpdate(BookUpdate),
    BookUpdate2(BookUpdate2),
}

impl Msg {
    fn name(&self) -> &'static str {
        match self {
            Msg::Ping(_) => "Ping",
            Msg::Pong(_) => "Pong",
            Msg::Heartbeat(_) => "Heartbeat",
            Msg::SystemStatus(_) => "SystemStatus",
            Msg::SubscriptionStatus(_) => "SubscriptionStatus",
            Msg::SubscriptionError(_) => "SubscriptionError",
            Msg::Ticker(_) => "Ticker",
            Msg::Ohlc(_) => "Ohlc",
            Msg::BookSnapshot(_) => "BookSnapshot",
            Msg::BookUpdate(_) => "BookUpdate",
            Msg::BookUpdate2(_) => "BookUpdate2",
        }
    }
}

// ---------------------------------------------------------------------------
// The table, as the generator writes it.

static OHLC: Pattern = Pattern {
    source: "^ohlc-[0-9]+$",
    is_match: pattern_ohlc,
};

fn pattern_ohlc(value: &str) -> bool {
    static REGEX: OnceLock<Option<regress::Regex>> = OnceLock::new();
    REGEX
        .get_or_init(|| regress::Regex::new("^ohlc-[0-9]+$").ok())
        .as_ref()
        .is_some_and(|regex| regex.find(value).is_some())
}

static BOOK: Pattern = Pattern {
    source: "^book-[0-9]+$",
    is_match: pattern_book,
};

fn pattern_book(value: &str) -> bool {
    static REGEX: OnceLock<Option<regress::Regex>> = OnceLock::new();
    REGEX
        .get_or_init(|| regress::Regex::new("^book-[0-9]+$").ok())
        .as_ref()
        .is_some_and(|regex| regex.find(value).is_some())
}

const ROOT: usize = 0;
const EVENT: usize = 1;
const STATUS: usize = 2;
const AT0: usize = 3;
const AT1: usize = 4;
const AT2: usize = 5;
const AT3: usize = 6;

const fn rule(path: usize, test: Test) -> Rule {
    Rule { path, test }
}

static TABLE: Table = Table {
    enum_name: "ServerMessage",
    paths: &[
        &[],
        &[Seg::Key("event")],
        &[Seg::Key("status")],
        &[Seg::Index(0)],
        &[Seg::Index(1)],
        &[Seg::Index(2)],
        &[Seg::Index(3)],
    ],
    candidates: &[
        Candidate {
            name: "Ping",
            rules: &[
                rule(ROOT, Test::Kind(Kind::Object)),
                rule(EVENT, Test::OneOf(&[Lit::Str("ping")])),
                rule(ROOT, Test::Has("event")),
            ],
        },
        Candidate {
            name: "Pong",
            rules: &[
                rule(ROOT, Test::Kind(Kind::Object)),
                rule(EVENT, Test::OneOfOrAbsent(&[Lit::Str("pong")])),
                rule(ROOT, Test::Closed(&["event", "reqid"])),
            ],
        },
        Candidate {
            name: "Heartbeat",
            rules: &[
                rule(ROOT, Test::Kind(Kind::Object)),
                rule(EVENT, Test::OneOfOrAbsent(&[Lit::Str("heartbeat")])),
                rule(ROOT, Test::Closed(&["event"])),
            ],
        },
        Candidate {
            name: "SystemStatus",
            rules: &[
                rule(ROOT, Test::Kind(Kind::Object)),
                rule(EVENT, Test::OneOfOrAbsent(&[Lit::Str("systemStatus")])),
                rule(ROOT, Test::Has("status")),
                rule(ROOT, Test::Has("connectionID")),
            ],
        },
        Candidate {
            name: "SubscriptionStatus",
            rules: &[
                rule(ROOT, Test::Kind(Kind::Object)),
                rule(EVENT, Test::OneOf(&[Lit::Str("subscriptionStatus")])),
                rule(
                    STATUS,
                    Test::OneOf(&[Lit::Str("subscribed"), Lit::Str("unsubscribed")]),
                ),
            ],
        },
        Candidate {
            name: "SubscriptionError",
            rules: &[
                rule(ROOT, Test::Kind(Kind::Object)),
                rule(EVENT, Test::OneOf(&[Lit::Str("subscriptionStatus")])),
                rule(STATUS, Test::OneOf(&[Lit::Str("error")])),
            ],
        },
        Candidate {
            name: "Ticker",
            rules: &[
                rule(ROOT, Test::Kind(Kind::Array)),
                rule(ROOT, Test::Len(4)),
                rule(AT0, Test::Kind(Kind::Number)),
                rule(AT2, Test::OneOf(&[Lit::Str("ticker")])),
            ],
        },
        Candidate {
            name: "Ohlc",
            rules: &[
                rule(ROOT, Test::Kind(Kind::Array)),
                rule(ROOT, Test::Len(4)),
                rule(AT0, Test::Kind(Kind::Number)),
                rule(AT2, Test::Pattern(&OHLC)),
            ],
        },
        Candidate {
            name: "BookSnapshot",
            rules: &[
                rule(ROOT, Test::Kind(Kind::Array)),
                rule(ROOT, Test::Len(4)),
                rule(AT0, Test::Kind(Kind::Number)),
                rule(AT1, Test::Kind(Kind::Object)),
                rule(AT2, Test::Pattern(&BOOK)),
                rule(AT1, Test::Has("as")),
                rule(AT1, Test::Has("bs")),
            ],
        },
        Candidate {
            name: "BookUpdate",
            rules: &[
                rule(ROOT, Test::Kind(Kind::Array)),
                rule(ROOT, Test::Len(4)),
                rule(AT0, Test::Kind(Kind::Number)),
                rule(AT1, Test::Kind(Kind::Object)),
                rule(AT2, Test::Pattern(&BOOK)),
                rule(AT1, Test::Closed(&["a", "b", "c"])),
            ],
        },
        Candidate {
            name: "BookUpdate2",
            rules: &[
                rule(ROOT, Test::Kind(Kind::Array)),
                rule(ROOT, Test::Len(5)),
                rule(AT0, Test::Kind(Kind::Number)),
                rule(AT3, Test::Pattern(&BOOK)),
            ],
        },
    ],
    prepared: Prepared::new(),
};

macro_rules! decoder {
    ($input:ty, $de:path) => {
        |i: usize, input: $input| -> Result<Msg, serde_json::Error> {
            Ok(match i {
                0 => Msg::Ping($de(input)?),
                1 => Msg::Pong($de(input)?),
                2 => Msg::Heartbeat($de(input)?),
                3 => Msg::SystemStatus($de(input)?),
                4 => Msg::SubscriptionStatus($de(input)?),
                5 => Msg::SubscriptionError($de(input)?),
                6 => Msg::Ticker($de(input)?),
                7 => Msg::Ohlc($de(input)?),
                8 => Msg::BookSnapshot($de(input)?),
                9 => Msg::BookUpdate($de(input)?),
                10 => Msg::BookUpdate2($de(input)?),
                _ => unreachable!("no variant {i}"),
            })
        }
    };
}

fn from_value<'a, T: Deserialize<'a>>(value: &'a Value) -> Result<T, serde_json::Error> {
    T::deserialize(value)
}

fn decode(frame: &str) -> Result<Msg, DecodeError> {
    TABLE.decode_str(frame, decoder!(&str, serde_json::from_str))
}

fn decode_value(value: &Value) -> Result<Msg, DecodeError> {
    TABLE.decode_value(value, decoder!(&Value, from_value))
}

/// Decodes `frame` both ways, checks they agree, and returns the variant.
fn variant(frame: &str) -> &'static str {
    let msg = decode(frame).unwrap_or_else(|e| panic!("{frame}: {e}"));
    let value: Value = serde_json::from_str(frame).unwrap();
    let by_value = decode_value(&value).unwrap_or_else(|e| panic!("{frame} as a value: {e}"));
    assert_eq!(msg, by_value, "{frame}");
    msg.name()
}

/// Fails to decode `frame` both ways (when it is JSON), and returns the
/// error text of the text path.
fn error(frame: &str) -> String {
    let err = match decode(frame) {
        Err(err) => err,
        Ok(msg) => panic!("{frame} decoded as {msg:?}"),
    };
    assert_eq!(err.frame(), frame);
    assert_eq!(err.enum_name(), "ServerMessage");
    if let Ok(value) = serde_json::from_str::<Value>(frame) {
        assert!(!err.is_malformed(), "{frame}: {err}");
        let by_value = match decode_value(&value) {
            Err(err) => err,
            Ok(msg) => panic!("{frame} as a value decoded as {msg:?}"),
        };
        assert_eq!(by_value.is_unmatched(), err.is_unmatched(), "{frame}");
        assert_eq!(by_value.frame(), value.to_string());
        let names = |e: &DecodeError| e.tried().map(|(n, _)| n.to_owned()).collect::<Vec<_>>();
        assert_eq!(names(&by_value), names(&err), "{frame}");
    } else {
        assert!(err.is_malformed(), "{frame}: {err}");
    }
    err.to_string()
}

// ---------------------------------------------------------------------------
// Object frames.

#[test]
fn object_frames_by_event() {
    assert_eq!(variant(r#"{"event":"ping","reqid":42}"#), "Ping");
    assert_eq!(variant(r#"{"event":"ping"}"#), "Ping");
    assert_eq!(variant(r#"{"reqid":42,"event":"pong"}"#), "Pong");
    assert_eq!(variant(r#"{"event":"heartbeat"}"#), "Heartbeat");
    assert_eq!(
        variant(
            r#"{"connectionID":8628615390848610000,"event":"systemStatus","status":"online","version":"1.0.0"}"#
        ),
        "SystemStatus"
    );
    assert_eq!(
        decode(r#"{"event":"heartbeat"}"#).unwrap(),
        Msg::Heartbeat(Heartbeat {
            event: Some("heartbeat".into())
        })
    );
}

#[test]
fn optional_event_ties_are_broken_by_structure_then_order() {
    // No `event`: Pong, Heartbeat and SystemStatus all hold by absence;
    // the keys decide.
    assert_eq!(
        variant(r#"{"connectionID":1,"status":"online","version":"1.0.0"}"#),
        "SystemStatus"
    );
    assert_eq!(variant(r#"{"reqid":7}"#), "Pong");
    // Pong and Heartbeat both allow `{}`: declaration order.
    assert_eq!(variant("{}"), "Pong");
}

#[test]
fn subscription_status_by_status() {
    let ok = r#"{"channelID":10001,"channelName":"ticker","event":"subscriptionStatus","pair":"XBT/EUR","status":"subscribed","subscription":{"name":"ticker"}}"#;
    let gone = r#"{"channelName":"ticker","event":"subscriptionStatus","status":"unsubscribed"}"#;
    let err = r#"{"errorMessage":"Currency pair not in ISO 4217-A3 format foo","event":"subscriptionStatus","pair":"foo","status":"error","subscription":{"name":"ticker"}}"#;
    assert_eq!(variant(ok), "SubscriptionStatus");
    assert_eq!(variant(gone), "SubscriptionStatus");
    assert_eq!(variant(err), "SubscriptionError");
    let text = error(r#"{"event":"subscriptionStatus","status":"pending"}"#);
    assert!(
        text.contains(r#"it carries /event = "subscriptionStatus", /status = "pending""#),
        "{text}"
    );
    assert!(
        text.contains(r#"SubscriptionStatus: /status is "pending", expected one of "subscribed", "unsubscribed""#),
        "{text}"
    );
    assert!(
        text.contains(r#"SubscriptionError: /status is "pending", expected "error""#),
        "{text}"
    );
}

#[test]
fn whitespace_and_escapes() {
    assert_eq!(
        variant("  {\n  \"event\" :\t\"ping\" ,\r\n \"reqid\" : 1 }\n"),
        "Ping"
    );
    assert_eq!(variant(r#"{"event":"p\u0069ng"}"#), "Ping");
    assert_eq!(variant(r#"{"ev\u0065nt":"ping"}"#), "Ping");
    assert_eq!(
        variant(r#"{"other":"\"event\":\"heartbeat\"","event":"ping"}"#),
        "Ping"
    );
    assert_eq!(
        variant(r#"[340,{"a":"\\\""},"ti\u0063ker","XBT/USD"]"#),
        "Ticker"
    );
    assert_eq!(
        variant("[340,{},\"ticker\",\"XBT/\u{e9}\u{1F600}\"]"),
        "Ticker"
    );
}

// ---------------------------------------------------------------------------
// Array frames.

#[test]
fn array_frames_by_channel_name() {
    let ticker = r#"[340,{"a":["5525.40000",1,"1.000"],"b":["5525.10000",1,"1.000"],"c":["5525.10000","0.00398963"]},"ticker","XBT/USD"]"#;
    assert_eq!(variant(ticker), "Ticker");
    let ohlc = r#"[42,["1542057314.748456","1542057360.435743","3586.70000","3586.70000","3586.60000","3586.60000","3586.68894","0.03373000",2],"ohlc-5","XBT/USD"]"#;
    assert_eq!(variant(ohlc), "Ohlc");
    let snapshot = r#"[0,{"as":[["5541.30000","2.50700000","1534614248.123678"],["5541.80000","0.33000000","1534614098.345543"]],"bs":[["5541.20000","1.52900000","1534614248.765567"]]},"book-100","XBT/USD"]"#;
    assert_eq!(variant(snapshot), "BookSnapshot");
    let update = r#"[1234,{"a":[["5541.30000","2.50700000","1534614248.456738"]],"c":"974942666"},"book-10","XBT/USD"]"#;
    assert_eq!(variant(update), "BookUpdate");
    let update_b =
        r#"[1234,{"b":[["5541.30000","0.00000000","1534614335.345903"]]},"book-10","XBT/USD"]"#;
    assert_eq!(variant(update_b), "BookUpdate");
    let update2 = r#"[1234,{"a":[["5541.30000","2.50700000","1534614248.456738"]]},{"b":[["5541.30000","0.00000000","1534614335.345903"]],"c":"974942666"},"book-10","XBT/USD"]"#;
    assert_eq!(variant(update2), "BookUpdate2");
}

#[test]
fn array_near_misses() {
    let text = error(r#"[340,{},"tickerx","XBT/USD"]"#);
    assert!(
        text.starts_with(r#"frame [340,{},"tickerx","XBT/USD"] is no ServerMessage: it carries /0 = 340, /2 = "tickerx", /3 = "XBT/USD"; Ping: the frame is an array, expected an object;"#),
        "{text}"
    );
    assert!(
        text.contains(r#"Ticker: /2 is "tickerx", expected "ticker""#),
        "{text}"
    );
    assert!(
        text.contains(r#"Ohlc: /2 is "tickerx", expected a string matching ^ohlc-[0-9]+$"#),
        "{text}"
    );
    assert!(
        text.contains("BookUpdate2: the frame has 4 elements, expected 5"),
        "{text}"
    );

    let text = error(r#"[340,{},"ohlc-x","XBT/USD"]"#);
    assert!(
        text.contains(r#"Ohlc: /2 is "ohlc-x", expected a string matching"#),
        "{text}"
    );

    // A number where the channel name goes.
    let text = error(r#"[340,{},5,"XBT/USD"]"#);
    assert!(
        text.contains("Ticker: /2 is 5, expected \"ticker\""),
        "{text}"
    );
    assert!(
        text.contains("Ohlc: /2 is 5, expected a string matching"),
        "{text}"
    );

    // Too short, too long, not a number first.
    let text = error(r#"[340,{},"ticker"]"#);
    assert!(
        text.contains("Ticker: the frame has 3 elements, expected 4"),
        "{text}"
    );
    error(r#"[340,{},"ticker","XBT/USD",1,2]"#);
    let text = error(r#"["340",{},"ticker","XBT/USD"]"#);
    assert!(
        text.contains(r#"Ticker: /0 is "340", expected a number"#),
        "{text}"
    );
}

#[test]
fn book_snapshot_and_update_are_told_apart_by_keys() {
    // Both keys of a snapshot and one of an update: neither.
    let text = error(r#"[1,{"as":[],"a":[]},"book-10","XBT/USD"]"#);
    assert!(
        text.contains(r#"BookSnapshot: /1 lacks key "bs", which BookSnapshot requires"#),
        "{text}"
    );
    assert!(
        text.contains(r#"BookUpdate: /1 has key "as", which BookUpdate does not allow"#),
        "{text}"
    );
    // Not an object at /1.
    let text = error(r#"[1,[],"book-10","XBT/USD"]"#);
    assert!(
        text.contains("BookSnapshot: /1 is an array, expected an object"),
        "{text}"
    );
    // A snapshot whose lists are not lists: chosen, and fails to decode.
    let text = error(r#"[1,{"as":1,"bs":[]},"book-10","XBT/USD"]"#);
    assert!(
        text.contains("it was taken for BookSnapshot, which failed to decode: invalid type"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------
// Near misses and garbage.

#[test]
fn unknown_event_names_values_and_candidates() {
    let text = error(r#"{"event":"pingx"}"#);
    assert!(
        text.starts_with(r#"frame {"event":"pingx"} is no ServerMessage: it carries /event = "pingx"; Ping: /event is "pingx", expected "ping"; Pong: /event is "pingx", expected "pong" or absent; Heartbeat: /event is "pingx", expected "heartbeat" or absent;"#),
        "{text}"
    );
    assert!(
        text.ends_with("BookUpdate2: the frame is an object, expected an array"),
        "{text}"
    );

    let text = error(r#"{"event":5}"#);
    assert!(
        text.contains("Ping: /event is 5, expected \"ping\""),
        "{text}"
    );
    let text = error(r#"{"event":null}"#);
    assert!(text.contains("it carries /event = null;"), "{text}");
    let text = error(r#"{"event":{"a":1}}"#);
    assert!(text.contains("it carries none of the values"), "{text}");
    assert!(
        text.contains("Ping: /event is an object, expected \"ping\""),
        "{text}"
    );
    // Escapes in the value, shown unescaped.
    let text = error(r#"{"event":"p\u0069ngx"}"#);
    assert!(text.contains(r#"it carries /event = "pingx""#), "{text}");
    // `status` without `connectionID`: no longer a SystemStatus.
    let text = error(r#"{"status":"online","x":1}"#);
    assert!(
        text.contains(
            r#"SystemStatus: the frame lacks key "connectionID", which SystemStatus requires"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"Pong: the frame has key "status", which Pong does not allow"#),
        "{text}"
    );
}

#[test]
fn scalars_are_no_messages() {
    for frame in ["42", "\"ping\"", "null", "true", "[]", "  []  "] {
        let text = error(frame);
        assert!(text.contains("Ping: the frame is"), "{text}");
    }
    assert!(error("\"ping\"").contains(r#"Ping: the frame is "ping", expected an object"#));
}

#[test]
fn chosen_message_that_fails_to_decode() {
    let frame = r#"{"event":"ping","reqid":"x"}"#;
    let err = decode(frame).unwrap_err();
    assert!(!err.is_malformed() && !err.is_unmatched());
    assert_eq!(err.tried().map(|(n, _)| n).collect::<Vec<_>>(), ["Ping"]);
    assert!(err.json_error().unwrap().is_data());
    let text = error(frame);
    assert!(
        text.starts_with(r#"frame {"event":"ping","reqid":"x"} is no ServerMessage: it was taken for Ping, which failed to decode: invalid type: string "x", expected u64"#),
        "{text}"
    );
    // Heartbeat denies unknown fields, and so does its `Closed` test: an
    // extra key is no heartbeat, but a lone candidate is not checked for
    // structure.
    let text = error(r#"{"event":"heartbeat","extra":1}"#);
    assert!(
        text.contains("it was taken for Heartbeat, which failed to decode: unknown field `extra`"),
        "{text}"
    );
}

#[test]
fn malformed_frames() {
    for frame in [
        "",
        "   ",
        "hello",
        "{",
        "[",
        r#"{"event":"ping""#,
        r#"{"event":"ping","#,
        r#"{"event":"pi"#,
        r#"{"event":"ping"} trailing"#,
        r#"{"event":"ping"}}"#,
        r#"{"event":"pingx",garbage"#,
        r#"{"event":"ping",}"#,
        r#"{"event" "ping"}"#,
        r#"{event:"ping"}"#,
        r#"[340,{},"ticker","XBT/USD""#,
        r#"[340,{},"ticker","XBT/USD"],"#,
        r#"[340,{]},"ticker","XBT/USD"]"#,
        r#"[340,{},"ti\x63ker","XBT/USD"]"#,
        r#"[340 {},"ticker","XBT/USD"]"#,
        "\u{0}\u{1}\u{7f}\u{fffd}\u{fffd}binary",
        "\u{feff}{\"event\":\"ping\"}",
        "{\"event\":\"ping\u{0}\"}",
    ] {
        let err = decode(frame).expect_err(frame);
        assert!(err.is_malformed(), "{frame:?}: {err}");
        assert_eq!(err.frame(), frame);
        let text = err.to_string();
        assert!(
            text.contains("it is not JSON (") && text.contains("line 1 column"),
            "{text}"
        );
        assert!(!text.contains('\u{0}') && !text.contains('\n'), "{text:?}");
    }
    let text = decode("{\n\"event\":\n").unwrap_err().to_string();
    assert!(text.starts_with(r#"frame {\n"event":\n is no ServerMessage: it is not JSON (EOF while parsing a value at line 3 column 0)"#), "{text}");
}

#[test]
fn deep_and_huge_frames() {
    let deep = "[".repeat(200_000);
    assert!(decode(&deep).unwrap_err().is_malformed());
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(decode(&deep).is_err());
    let deep = format!(
        r#"[1,{}{},"ticker","XBT/USD"]"#,
        "{\"a\":".repeat(50_000),
        "}".repeat(50_000)
    );
    assert!(decode(&deep).is_err());
    let nested_ok = format!(
        r#"[1,{{"a":{}{}}},"ticker","XBT/USD"]"#,
        "[".repeat(100),
        "]".repeat(100)
    );
    assert_eq!(variant(&nested_ok), "Ticker");

    let levels: Vec<String> = (0..100_000)
        .map(|i| format!(r#"["{i}.00000","1.00000000","1534614248.123678"]"#))
        .collect();
    let huge = format!(
        r#"[0,{{"as":[{}],"bs":[]}},"book-1000","XBT/USD"]"#,
        levels.join(",")
    );
    assert_eq!(variant(&huge), "BookSnapshot");
    let huge_bad = huge.replace("book-1000", "book-x");
    let text = error(&huge_bad);
    assert!(text.len() < 2000, "{}", text.len());
    assert!(
        text.contains(&format!("… ({} bytes) is no ServerMessage", huge_bad.len())),
        "{text}"
    );
}

// ---------------------------------------------------------------------------
// Literals and scoring, on small tables.

#[test]
fn numbers_and_other_literals_compare_by_value() {
    static PATHS: &[&[Seg]] = &[&[Seg::Key("v")]];
    static NUMBERS: Table = Table {
        enum_name: "Numbers",
        paths: PATHS,
        candidates: &[
            Candidate {
                name: "One",
                rules: &[rule(0, Test::OneOf(&[Lit::Int(1)]))],
            },
            Candidate {
                name: "Max",
                rules: &[rule(0, Test::OneOf(&[Lit::UInt(u64::MAX)]))],
            },
            Candidate {
                name: "Half",
                rules: &[rule(0, Test::OneOf(&[Lit::Float(0.5)]))],
            },
            Candidate {
                name: "MinusThree",
                rules: &[rule(0, Test::OneOf(&[Lit::Int(-3)]))],
            },
            Candidate {
                name: "Null",
                rules: &[rule(0, Test::OneOf(&[Lit::Null]))],
            },
            Candidate {
                name: "True",
                rules: &[rule(0, Test::OneOf(&[Lit::Bool(true)]))],
            },
            Candidate {
                name: "Big",
                rules: &[rule(0, Test::OneOf(&[Lit::Float(1e20)]))],
            },
        ],
        prepared: Prepared::new(),
    };
    let pick = |frame: &str| -> Option<&'static str> {
        let by_text = NUMBERS
            .decode_str(frame, |i, _| Ok(NUMBERS.candidates[i].name))
            .ok();
        let value: Value = serde_json::from_str(frame).unwrap();
        let by_value = NUMBERS
            .decode_value(&value, |i, _| Ok(NUMBERS.candidates[i].name))
            .ok();
        assert_eq!(by_text, by_value, "{frame}");
        by_text
    };
    for frame in [
        r#"{"v":1}"#,
        r#"{"v":1.0}"#,
        r#"{"v":1e0}"#,
        r#"{"v":10E-1}"#,
        r#"{"v" : 1 }"#,
    ] {
        assert_eq!(pick(frame), Some("One"), "{frame}");
    }
    assert_eq!(pick(r#"{"v":18446744073709551615}"#), Some("Max"));
    assert_eq!(pick(r#"{"v":18446744073709551614}"#), None);
    assert_eq!(pick(r#"{"v":0.5}"#), Some("Half"));
    assert_eq!(pick(r#"{"v":5e-1}"#), Some("Half"));
    assert_eq!(pick(r#"{"v":-3}"#), Some("MinusThree"));
    assert_eq!(pick(r#"{"v":-3.0}"#), Some("MinusThree"));
    assert_eq!(pick(r#"{"v":null}"#), Some("Null"));
    assert_eq!(pick(r#"{"v":true}"#), Some("True"));
    assert_eq!(pick(r#"{"v":false}"#), None);
    assert_eq!(pick(r#"{"v":100000000000000000000}"#), Some("Big"));
    assert_eq!(pick(r#"{"v":1e20}"#), Some("Big"));
    assert_eq!(pick(r#"{"v":"1"}"#), None);
    assert_eq!(pick(r#"{"v":2}"#), None);
    assert_eq!(pick(r#"{}"#), None);
    let err = NUMBERS.decode_str(r#"{"v":2}"#, |_, _| Ok(())).unwrap_err();
    assert!(err.to_string().contains("One: /v is 2, expected 1; Max: /v is 2, expected 18446744073709551615; Half: /v is 2, expected 0.5;"), "{err}");
}

#[test]
fn ties_prefer_values_present_then_declaration_order() {
    static TIES: Table = Table {
        enum_name: "Ties",
        paths: &[&[Seg::Key("kind")], &[Seg::Key("type")], &[Seg::Index(0)]],
        candidates: &[
            Candidate {
                name: "A",
                rules: &[rule(0, Test::OneOfOrAbsent(&[Lit::Str("x")]))],
            },
            Candidate {
                name: "B",
                rules: &[rule(1, Test::OneOf(&[Lit::Str("y")]))],
            },
            Candidate {
                name: "C",
                rules: &[rule(2, Test::PatternOrAbsent(&OHLC))],
            },
        ],
        prepared: Prepared::new(),
    };
    let order = |frame: &str, fail: &[usize]| -> (Option<usize>, Vec<String>) {
        let decode = |i: usize| {
            if fail.contains(&i) {
                Err(serde_json::from_str::<u8>("-1").unwrap_err())
            } else {
                Ok(i)
            }
        };
        let by_text = TIES.decode_str(frame, |i, _| decode(i));
        let value: Value = serde_json::from_str(frame).unwrap();
        let by_value = TIES.decode_value(&value, |i, _| decode(i));
        match (by_text, by_value) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b, "{frame}");
                (Some(a), vec![])
            }
            (Err(a), Err(b)) => {
                let names: Vec<String> = a.tried().map(|(n, _)| n.to_owned()).collect();
                let names_b: Vec<String> = b.tried().map(|(n, _)| n.to_owned()).collect();
                assert_eq!(names, names_b, "{frame}");
                (None, names)
            }
            (a, b) => panic!("{frame}: {a:?} vs {b:?}"),
        }
    };
    // B's value is present, A's and C's absent.
    assert_eq!(order(r#"{"type":"y"}"#, &[]), (Some(1), vec![]));
    assert_eq!(order(r#"{"type":"y"}"#, &[1]), (Some(0), vec![]));
    assert_eq!(order(r#"{"type":"y"}"#, &[1, 0]), (Some(2), vec![]));
    assert_eq!(
        order(r#"{"type":"y"}"#, &[0, 1, 2]),
        (None, vec!["B".into(), "A".into(), "C".into()])
    );
    // Both present: declaration order.
    assert_eq!(order(r#"{"type":"y","kind":"x"}"#, &[]), (Some(0), vec![]));
    assert_eq!(order(r#"{"kind":"x","type":"y"}"#, &[0]), (Some(1), vec![]));
    // Only A's and C's absence.
    assert_eq!(order("{}", &[]), (Some(0), vec![]));
    // C's pattern holds of a present value, A's literal of an absent one.
    assert_eq!(order(r#"["ohlc-1"]"#, &[]), (Some(2), vec![]));
    assert_eq!(order(r#"[5]"#, &[]), (Some(0), vec![]));
    let err = TIES
        .decode_str(r#"{"type":"y"}"#, |_, _| serde_json::from_str::<u8>("-1"))
        .unwrap_err();
    assert!(
        err.to_string().starts_with(r#"frame {"type":"y"} is no Ties: it was taken for B, A and C, none of which decoded; B: invalid value"#),
        "{err}"
    );
}

#[test]
fn lengths_kinds_and_nested_paths() {
    static NESTED: Table = Table {
        enum_name: "Nested",
        paths: &[
            &[],
            &[Seg::Index(1), Seg::Key("kind")],
            &[Seg::Index(1)],
            &[Seg::Key("x"), Seg::Index(0)],
        ],
        candidates: &[
            Candidate {
                name: "Short",
                rules: &[rule(0, Test::LenRange(1, Some(2)))],
            },
            Candidate {
                name: "Long",
                rules: &[
                    rule(0, Test::LenRange(3, None)),
                    rule(1, Test::OneOf(&[Lit::Str("k")])),
                ],
            },
            Candidate {
                name: "Inner",
                rules: &[rule(0, Test::LenRange(3, None)), rule(2, Test::Len(0))],
            },
            Candidate {
                name: "Deep",
                rules: &[rule(3, Test::Kind(Kind::Null))],
            },
            Candidate {
                name: "DeepBool",
                rules: &[rule(3, Test::OneOf(&[Lit::Bool(false)]))],
            },
        ],
        prepared: Prepared::new(),
    };
    let pick = |frame: &str| -> Result<&'static str, String> {
        let by_text = NESTED.decode_str(frame, |i, _| Ok(NESTED.candidates[i].name));
        let value: Value = serde_json::from_str(frame).unwrap();
        let by_value = NESTED.decode_value(&value, |i, _| Ok(NESTED.candidates[i].name));
        assert_eq!(by_text.is_ok(), by_value.is_ok(), "{frame}");
        by_text.map_err(|e| e.to_string())
    };
    assert_eq!(pick("[1]"), Ok("Short"));
    assert_eq!(pick("[1,2]"), Ok("Short"));
    assert_eq!(pick(r#"[1,{"kind":"k"},3]"#), Ok("Long"));
    assert_eq!(pick(r#"[1,{"a":[1,2],"kind":"k"},3,4,5]"#), Ok("Long"));
    assert_eq!(pick(r#"[1,[],3]"#), Ok("Inner"));
    assert_eq!(pick(r#"{"x":[null]}"#), Ok("Deep"));
    assert_eq!(pick(r#"{"x":[false,1]}"#), Ok("DeepBool"));
    let text = pick(r#"[1,{"kind":"j"},3]"#).unwrap_err();
    assert!(text.contains("it carries /1/kind = \"j\";"), "{text}");
    assert!(
        text.contains("Short: the frame has 3 elements, expected 1 to 2 elements"),
        "{text}"
    );
    assert!(
        text.contains("Long: /1/kind is \"j\", expected \"k\""),
        "{text}"
    );
    assert!(
        text.contains("Inner: /1 is an object, expected an array of 0 elements"),
        "{text}"
    );
    assert!(
        text.contains("Deep: /x/0 is absent, expected null"),
        "{text}"
    );
    let text = pick("[]").unwrap_err();
    assert!(
        text.contains("Long: the frame has 0 elements, expected at least 3 elements"),
        "{text}"
    );
    let text = pick(r#"{"x":"abc"}"#).unwrap_err();
    assert!(text.contains("Deep: /x/0 is absent"), "{text}");
}

#[test]
fn pointers_escape_keys() {
    static ODD: Table = Table {
        enum_name: "Odd",
        paths: &[&[Seg::Key("a/b~c")]],
        candidates: &[Candidate {
            name: "A",
            rules: &[rule(0, Test::OneOf(&[Lit::Str("x")]))],
        }],
        prepared: Prepared::new(),
    };
    let err = ODD
        .decode_str(r#"{"a/b~c":"y"}"#, |_, _| Ok(()))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(r#"it carries /a~1b~0c = "y"; A: /a~1b~0c is "y", expected "x""#),
        "{err}"
    );
    assert!(ODD.decode_str(r#"{"a\/b~c":"x"}"#, |_, _| Ok(())).is_ok());
}

#[test]
fn many_candidates_and_paths_spill_to_the_heap() {
    static PATHS: [&[Seg]; 40] = {
        const KEYS: [&str; 40] = [
            "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11", "k12", "k13",
            "k14", "k15", "k16", "k17", "k18", "k19", "k20", "k21", "k22", "k23", "k24", "k25",
            "k26", "k27", "k28", "k29", "k30", "k31", "k32", "k33", "k34", "k35", "k36", "k37",
            "k38", "k39",
        ];
        static SEGS: [[Seg; 1]; 40] = {
            let mut segs = [[Seg::Index(0)]; 40];
            let mut i = 0;
            while i < 40 {
                segs[i] = [Seg::Key(KEYS[i])];
                i += 1;
            }
            segs
        };
        let mut paths: [&[Seg]; 40] = [&[]; 40];
        let mut i = 0;
        while i < 40 {
            paths[i] = &SEGS[i];
            i += 1;
        }
        paths
    };
    static RULES: [[Rule; 1]; 40] = {
        let mut rules = [[rule(0, Test::Kind(Kind::Number))]; 40];
        let mut i = 0;
        while i < 40 {
            rules[i] = [rule(i, Test::Kind(Kind::Number))];
            i += 1;
        }
        rules
    };
    static CANDIDATES: [Candidate; 40] = {
        let mut candidates = [Candidate {
            name: "K",
            rules: &[],
        }; 40];
        let mut i = 0;
        while i < 40 {
            candidates[i] = Candidate {
                name: "K",
                rules: &RULES[i],
            };
            i += 1;
        }
        candidates
    };
    static MANY: Table = Table {
        enum_name: "Many",
        paths: &PATHS,
        candidates: &CANDIDATES,
        prepared: Prepared::new(),
    };
    for k in [0, 15, 16, 31, 32, 39] {
        let frame = format!(r#"{{"x":1,"k{k}":2}}"#);
        assert_eq!(MANY.decode_str(&frame, |i, _| Ok(i)).unwrap(), k);
        let value: Value = serde_json::from_str(&frame).unwrap();
        assert_eq!(MANY.decode_value(&value, |i, _| Ok(i)).unwrap(), k);
    }
    let err = MANY.decode_str("{}", |i, _| Ok(i)).unwrap_err();
    assert!(err.is_unmatched());
}

// ---------------------------------------------------------------------------
// Truncated and mutated frames: never a panic, and the text probe agrees
// with the parsed-value path on every frame that is JSON.

/// Accepts JSON with no duplicate keys (where the text probe, which takes
/// the first, and `serde_json::Value`, which keeps the last, may differ).
struct NoDuplicates;

impl<'de> Deserialize<'de> for NoDuplicates {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicatesVisitor)
    }
}

struct NoDuplicatesVisitor;

impl<'de> Visitor<'de> for NoDuplicatesVisitor {
    type Value = NoDuplicates;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON without duplicate keys")
    }
    fn visit_bool<E>(self, _: bool) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_i64<E>(self, _: i64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_u64<E>(self, _: u64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_f64<E>(self, _: f64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_str<E>(self, _: &str) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_unit<E>(self) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NoDuplicates, A::Error> {
        while seq.next_element::<NoDuplicates>()?.is_some() {}
        Ok(NoDuplicates)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NoDuplicates, A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key) {
                return Err(de::Error::custom("duplicate key"));
            }
            map.next_value::<NoDuplicates>()?;
        }
        Ok(NoDuplicates)
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SEEDS: &[&str] = &[
    r#"{"event":"ping","reqid":42}"#,
    r#"{"event":"heartbeat"}"#,
    r#"{"connectionID":8628615390848610000,"event":"systemStatus","status":"online","version":"1.0.0"}"#,
    r#"{"channelID":10001,"channelName":"ticker","event":"subscriptionStatus","pair":"XBT/EUR","status":"subscribed","subscription":{"name":"ticker"}}"#,
    r#"{"errorMessage":"Currency pair not in ISO 4217-A3 format foo","event":"subscriptionStatus","pair":"foo","status":"error","subscription":{"name":"ticker"}}"#,
    r#"[340,{"a":["5525.40000",1,"1.000"],"b":["5525.10000",1,"1.000"],"c":["5525.10000","0.00398963"]},"ticker","XBT/USD"]"#,
    r#"[42,["1542057314.748456","1542057360.435743","3586.70000","3586.70000","3586.60000","3586.60000","3586.68894","0.03373000",2],"ohlc-5","XBT/USD"]"#,
    r#"[0,{"as":[["5541.30000","2.50700000","1534614248.123678"]],"bs":[["5541.20000","1.52900000","1534614248.765567"]]},"book-100","XBT/USD"]"#,
    r#"[1234,{"a":[["5541.30000","2.50700000","1534614248.456738"]],"c":"974942666"},"book-10","XBT/USD"]"#,
    r#"[1234,{"a":[["5541.30000","2.50700000","1534614248.456738"]]},{"b":[["5541.30000","0.00000000","1534614335.345903"]],"c":"974942666"},"book-10","XBT/USD"]"#,
    "{ \"event\" : \"p\\u0069ng\" , \"reqid\" : 1.0e0 }",
    "[340,{\"k\\\"\":\"\\\\\"},\"ti\\u0063ker\",\"XBT/\u{e9}\"]",
];

const SPLICES: &[&str] = &[
    "\"",
    "\\",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    " ",
    "\n",
    "1",
    "-",
    "e",
    ".",
    "0",
    "null",
    "true",
    "\\u00",
    "\\u0063",
    "\"event\"",
    "\"ping\"",
    "\"heartbeat\"",
    "\"ticker\"",
    "\"book-10\"",
    "\"as\"",
    "\"a\"",
    "\u{e9}",
    "\u{1F600}",
    "\u{0}",
    "{}",
    "[]",
    "\"x\":1,",
];

/// Decodes `frame` both ways and checks what must hold whatever it is.
fn check_any(frame: &str) {
    let by_text = decode(frame);
    if let Err(err) = &by_text {
        // Rendering never panics, and stays one line.
        let text = err.to_string();
        assert!(!text.contains('\n'), "{text:?}");
        assert_eq!(err.frame(), frame);
    }
    let syntax_ok = serde_json::from_str::<IgnoredAny>(frame).is_ok();
    match &by_text {
        Ok(_) => assert!(syntax_ok, "{frame:?} decoded but is not JSON"),
        Err(err) => assert_eq!(err.is_malformed(), !syntax_ok, "{frame:?}: {err}"),
    }
    let Ok(value) = serde_json::from_str::<Value>(frame) else {
        return;
    };
    if serde_json::from_str::<NoDuplicates>(frame).is_err() {
        return;
    }
    let by_value = decode_value(&value);
    match (&by_text, &by_value) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{frame:?}"),
        (Err(a), Err(b)) => {
            assert_eq!(a.is_unmatched(), b.is_unmatched(), "{frame:?}: {a} / {b}");
            let names = |e: &DecodeError| e.tried().map(|(n, _)| n.to_owned()).collect::<Vec<_>>();
            assert_eq!(names(a), names(b), "{frame:?}: {a} / {b}");
        }
        (a, b) => panic!("{frame:?}: text {a:?}, value {b:?}"),
    }
}

#[test]
fn truncated_and_mutated_frames_never_panic_and_agree() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut checked = 0;
    for seed in SEEDS {
        // Every prefix and suffix.
        for (i, _) in seed.char_indices().chain([(seed.len(), ' ')]) {
            check_any(&seed[..i]);
            check_any(&seed[i..]);
            checked += 2;
        }
        // Random edits, up to four at a time.
        for _ in 0..1500 {
            let mut frame: Vec<char> = seed.chars().collect();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(frame.len() + 1);
                match rng.below(4) {
                    0 if at < frame.len() => {
                        let end = (at + 1 + rng.below(6)).min(frame.len());
                        frame.drain(at..end);
                    }
                    1 if at < frame.len() => {
                        let splice = SPLICES[rng.below(SPLICES.len())];
                        frame.splice(at..at + 1, splice.chars());
                    }
                    2 => {
                        let splice = SPLICES[rng.below(SPLICES.len())];
                        frame.splice(at..at, splice.chars());
                    }
                    _ => {
                        // Swap two characters.
                        let other = rng.below(frame.len().max(1));
                        if at < frame.len() && other < frame.len() {
                            frame.swap(at, other);
                        }
                    }
                }
            }
            let frame: String = frame.into_iter().collect();
            check_any(&frame);
            checked += 1;
        }
    }
    // Random bytes made into text.
    for _ in 0..2000 {
        let bytes: Vec<u8> = (0..rng.below(40)).map(|_| rng.next() as u8).collect();
        check_any(&String::from_utf8_lossy(&bytes));
        let json_bytes: String = (0..rng.below(40))
            .map(|_| {
                let alphabet = b"{}[]\",:\\ 0-1aeltrunfs";
                alphabet[rng.below(alphabet.len())] as char
            })
            .collect();
        check_any(&json_bytes);
        checked += 2;
    }
    assert!(checked > 20_000);
}
