//! Encoding the Kraken v1 frames the generated code sends (issue 11), four
//! ways each:
//!
//! - `direct` (the limit): `serde_json::to_string` of the concrete payload
//!   type, with the `reqid` already set in the struct;
//! - `to_json`: the generated enum's `to_json` (what `Sender::send` and
//!   `Context::send` do), `reqid` set;
//! - `encode_with_id`: `asyncapi_runtime::message::encode_with_id` on the
//!   enum without a `reqid`, writing the id in (what `Sender::request` and
//!   `Context::reply` do: the generated code sets the `reqid` field);
//! - `through_value`: the same through a `serde_json::Value` (`to_value`,
//!   insert the member, `to_string`), how `encode_with_id` worked before.
//!
//! Frames: client `ping` and `subscribe`, server `pong`,
//! `subscriptionStatus` and a `ticker` frame (no id: `direct` and `to_json`
//! only). Also `find`: reading the `reqid` of a `pong` and of a
//! `subscriptionStatus` with `CorrelationId::find`. Every way is checked
//! once to give the same JSON value as `direct`. No timing is asserted:
//! see `BENCHMARKS.md`.
//!
//! ```sh
//! cargo bench --bench encode
//! ENCODE_INTERLEAVED=200 cargo bench --bench encode
//! ```
//!
//! `ENCODE_ONLY=frame/way[:times]` (e.g. `pong/encode_with_id:100000`)
//! runs one way of one frame, untimed, for counting instructions.
//!
//! `ENCODE_INTERLEAVED=rounds` skips criterion and times the ways of each
//! frame in turn, `rounds` times, printing the medians and their ratios to
//! `direct` as a table: on a machine shared with other work, ways timed
//! one after another (criterion) can see different loads.

use asyncapi_runtime::message::{encode_with_id, CorrelationId, IdKind, Message};
use asyncapi_showcase::kraken::channels::public::{ClientMessage, ServerMessage};
use asyncapi_showcase::kraken::types;
use criterion::{criterion_group, Criterion};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::cell::RefCell;
use std::hint::black_box;
use std::time::Duration;

/// The id every frame carries.
const REQID: u64 = 42;

const PING: &str = r#"{"event":"ping","reqid":42}"#;
const SUBSCRIBE: &str = r#"{"event":"subscribe","pair":["XBT/USD","ETH/USD"],"reqid":42,"subscription":{"name":"ticker"}}"#;
const PONG: &str = r#"{"event":"pong","reqid":42}"#;
const STATUS: &str = r#"{"channelID":340,"channelName":"ticker","event":"subscriptionStatus","pair":"XBT/USD","reqid":42,"status":"subscribed","subscription":{"name":"ticker"}}"#;
const TICKER: &str = r#"[340,{"a":["42243.20000",3,"3.04172624"],"b":["42243.10000",0,"0.28500000"],"c":["42243.20000","0.00073657"],"v":["634.15","2117.90"],"p":["41908.87","41673.47"],"t":[7214,21130],"l":["40772.20000","40772.20000"],"h":["42474.30000","42571.50000"],"o":["41016.00000","41896.10000"]},"ticker","XBT/USD"]"#;

/// One frame: its concrete payload (id set), and the enum message with the
/// id set and without it.
struct Case<T, M> {
    name: &'static str,
    direct: T,
    with_id: M,
    without_id: Option<M>,
}

fn parse<T: DeserializeOwned>(frame: &str) -> T {
    serde_json::from_str(frame).unwrap_or_else(|e| panic!("{frame}: {e}"))
}

/// A case from a frame with `reqid`: the payload as `T`, the enum message
/// as `M` (`wrap`), and the same without `reqid`.
fn case<T, M>(name: &'static str, frame: &str, wrap: fn(T) -> M, correlated: bool) -> Case<T, M>
where
    T: DeserializeOwned,
{
    let without_id = correlated.then(|| {
        let mut value: Value = parse(frame);
        value.as_object_mut().map(|o| o.remove("reqid"));
        wrap(parse(&value.to_string()))
    });
    Case {
        name,
        direct: parse(frame),
        with_id: wrap(parse(frame)),
        without_id,
    }
}

/// How `encode_with_id` encoded before issue 11: through a `Value`.
fn through_value<M: Message>(message: &M, id: &CorrelationId) -> String {
    let mut value = serde_json::to_value(message).expect("encodes");
    let Value::Object(map) = &mut value else {
        panic!("not an object");
    };
    map.insert("reqid".to_owned(), id.to_value());
    serde_json::to_string(&value).expect("encodes")
}

/// What `Sender::request` and `Context::reply` do with the message they
/// own: `encode_with_id` sets the id in the message (or writes it while
/// encoding). Each call gets the same message back, its id already set by
/// the last: the work is the same.
fn with_id<M: Message>(message: &RefCell<M>, id: &CorrelationId) -> String {
    let mut message = message.borrow_mut();
    let correlation = message.correlation().expect("correlated");
    encode_with_id(&mut *message, correlation, id).expect("encodes")
}

fn check<T: Serialize, M: Message + Clone>(case: &Case<T, M>, id: &CorrelationId) {
    let want: Value = serde_json::to_value(&case.direct).expect("encodes");
    let got = |text: String| serde_json::from_str::<Value>(&text).expect("JSON");
    assert_eq!(
        got(case.with_id.to_json().expect("encodes")),
        want,
        "{}",
        case.name
    );
    if let Some(message) = &case.without_id {
        let owned = RefCell::new(message.clone());
        assert_eq!(got(with_id(&owned, id)), want, "{}", case.name);
        assert_eq!(got(with_id(&owned, id)), want, "{}", case.name);
        assert_eq!(got(through_value(message, id)), want, "{}", case.name);
    }
}

fn bench_case<T: Serialize, M: Message + Clone>(c: &mut Criterion, case: &Case<T, M>) {
    let id = IdKind::Integer.id(REQID);
    check(case, &id);
    let mut group = c.benchmark_group(format!("encode/{}", case.name));
    group.bench_function("direct", |b| {
        b.iter(|| serde_json::to_string(black_box(&case.direct)).expect("encodes"))
    });
    group.bench_function("to_json", |b| {
        b.iter(|| black_box(&case.with_id).to_json().expect("encodes"))
    });
    if let Some(message) = &case.without_id {
        let owned = RefCell::new(message.clone());
        group.bench_function("encode_with_id", |b| {
            b.iter(|| with_id(black_box(&owned), black_box(&id)))
        });
        group.bench_function("through_value", |b| {
            b.iter(|| through_value(black_box(message), black_box(&id)))
        });
    }
    group.finish();
}

/// The frames measured, each with its payload type and enum.
struct Cases {
    ping: Case<types::Ping, ClientMessage>,
    subscribe: Case<types::Subscribe, ClientMessage>,
    pong: Case<types::Pong, ServerMessage>,
    status: Case<types::SubscriptionStatus, ServerMessage>,
    ticker: Case<types::Ticker, ServerMessage>,
}

fn cases() -> Cases {
    Cases {
        ping: case("ping", PING, ClientMessage::Ping, true),
        subscribe: case("subscribe", SUBSCRIBE, ClientMessage::Subscribe, true),
        pong: case("pong", PONG, ServerMessage::Pong, true),
        status: case(
            "subscriptionStatus",
            STATUS,
            ServerMessage::SubscriptionStatus,
            true,
        ),
        ticker: case("ticker", TICKER, ServerMessage::Ticker, false),
    }
}

impl Cases {
    /// Every frame's name and its ways of encoding.
    fn ways<'a>(&'a self, id: &'a CorrelationId) -> [(&'static str, Vec<Way<'a>>); 5] {
        [
            ("ping", ways(&self.ping, id)),
            ("subscribe", ways(&self.subscribe, id)),
            ("pong", ways(&self.pong, id)),
            ("subscriptionStatus", ways(&self.status, id)),
            ("ticker", ways(&self.ticker, id)),
        ]
    }
}

fn encode(c: &mut Criterion) {
    let cases = cases();
    bench_case(c, &cases.ping);
    bench_case(c, &cases.subscribe);
    bench_case(c, &cases.pong);
    bench_case(c, &cases.status);
    bench_case(c, &cases.ticker);
}

fn find(c: &mut Criterion) {
    let path = ServerMessage::CORRELATION_PATHS[0];
    let mut group = c.benchmark_group("find");
    for (name, frame) in [("pong", PONG), ("subscriptionStatus", STATUS)] {
        assert_eq!(
            CorrelationId::find(frame, path),
            Some(IdKind::Integer.id(REQID))
        );
        group.bench_function(name, |b| {
            b.iter(|| CorrelationId::find(black_box(frame), path))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = encode, find
}

/// One way of encoding one frame, for the interleaved measure.
type Way<'a> = (&'static str, Box<dyn Fn() -> usize + 'a>);

fn ways<'a, T: Serialize, M: Message + Clone>(
    case: &'a Case<T, M>,
    id: &'a CorrelationId,
) -> Vec<Way<'a>> {
    check(case, id);
    let mut ways: Vec<Way<'a>> = vec![
        (
            "direct",
            Box::new(|| {
                serde_json::to_string(black_box(&case.direct))
                    .expect("encodes")
                    .len()
            }),
        ),
        (
            "to_json",
            Box::new(|| black_box(&case.with_id).to_json().expect("encodes").len()),
        ),
    ];
    if let Some(message) = &case.without_id {
        let owned = RefCell::new(message.clone());
        ways.push((
            "encode_with_id",
            Box::new(move || with_id(black_box(&owned), black_box(id)).len()),
        ));
        ways.push((
            "through_value",
            Box::new(move || through_value(black_box(message), black_box(id)).len()),
        ));
    }
    ways
}

/// The ways of each frame timed in turn, `rounds` times (2,000 encodings
/// a turn), so that a loaded machine slows them alike: the median ns per
/// encoding of each way, and its ratio to `direct`.
fn interleaved(rounds: usize) {
    let id = IdKind::Integer.id(REQID);
    let cases = cases();
    let frames = cases.ways(&id);
    const TURN: u32 = 2_000;
    println!("| frame | direct ns | to_json | encode_with_id | through_value |");
    println!("|---|---:|---:|---:|---:|");
    for (frame, ways) in &frames {
        let mut times = vec![Vec::with_capacity(rounds); ways.len()];
        for _ in 0..rounds {
            for (i, (_, way)) in ways.iter().enumerate() {
                let start = std::time::Instant::now();
                for _ in 0..TURN {
                    black_box(way());
                }
                times[i].push(start.elapsed().as_secs_f64() * 1e9 / f64::from(TURN));
            }
        }
        let medians: Vec<f64> = times
            .iter_mut()
            .map(|t| {
                t.sort_by(f64::total_cmp);
                t[t.len() / 2]
            })
            .collect();
        let cell = |i: usize| match medians.get(i) {
            Some(ns) => format!("{ns:.0} ns ({:.2}×)", ns / medians[0]),
            None => "—".to_owned(),
        };
        println!(
            "| {frame} | {:.0} | {} | {} | {} |",
            medians[0],
            cell(1),
            cell(2),
            cell(3)
        );
    }
}

/// Only the way `way` of the frame `frame`, `times` times, untimed: for
/// counting its instructions (`valgrind --tool=callgrind`, `perf stat -e
/// instructions`), which a loaded machine and the code's layout change
/// less than its time. The rest of the run (building the cases) is the
/// same for every way, so differences between ways are theirs.
fn only(spec: &str) {
    let mut parts = spec.split(['/', ':']);
    let (Some(frame), Some(way)) = (parts.next(), parts.next()) else {
        panic!("ENCODE_ONLY=frame/way[:times], got {spec}");
    };
    let times: u32 = parts.next().map_or(100_000, |t| t.parse().expect("times"));
    let id = IdKind::Integer.id(REQID);
    let cases = cases();
    let frames = cases.ways(&id);
    let (_, ways) = frames
        .iter()
        .find(|(name, _)| *name == frame)
        .unwrap_or_else(|| panic!("no frame {frame}"));
    let (_, run) = ways
        .iter()
        .find(|(name, _)| *name == way)
        .unwrap_or_else(|| panic!("no way {way}"));
    for _ in 0..times {
        black_box(run());
    }
}

fn main() {
    if let Ok(spec) = std::env::var("ENCODE_ONLY") {
        only(&spec);
        return;
    }
    if let Ok(rounds) = std::env::var("ENCODE_INTERLEAVED") {
        // The table of BENCHMARKS.md, without criterion.
        interleaved(rounds.parse().unwrap_or(200).max(1));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
