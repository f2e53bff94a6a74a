//! Decoding a deterministic mix of Kraken v1 public frames three ways:
//!
//! - `generated_enum`: `ServerMessage::from_json`, the generated enum that
//!   picks the variant with its generated selection code;
//! - `serde_untagged`: a hand-written `#[serde(untagged)]` enum whose
//!   variants hold the same generated payload types, in the same order;
//! - `known_type` (the limit): each frame decoded with `serde_json::from_str`
//!   straight into the type it is known to be, wrapped in the same variant.
//!
//! All three decode the same frames and build the same `ServerMessage`
//! values (the untagged enum's variant is mapped to `ServerMessage`), so
//! they differ only in how the variant is chosen. Before timing, each is
//! checked once against the known variant of every frame; wrong picks of
//! the untagged enum are reported, not hidden. No timing is asserted: see
//! `BENCHMARKS.md` for the numbers and how to reproduce them.

use asyncapi_showcase::kraken::channels::public::ServerMessage;
use asyncapi_showcase::kraken::types;
use criterion::{criterion_group, Criterion, Throughput};
use serde::Deserialize;
use std::hint::black_box;
use std::time::Duration;

/// How many frames the mix has.
const FRAMES: usize = 12_000;

/// The seed of the mix: the same frames on every run.
const SEED: u64 = 0x6b72_616b_656e_7631; // "krakenv1"

/// A tiny deterministic PRNG (SplitMix64): enough to vary values, and no
/// dependency.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A traded pair: its `wsname`, the channel ids of its feeds, and prices
/// as integers of `10^-decimals`.
struct Pair {
    name: &'static str,
    /// A typical price, in units of `10^-decimals`.
    mid: u64,
    /// Price decimals as Kraken prints them.
    decimals: u32,
    /// The price step, in units of `10^-decimals`.
    tick: u64,
    /// Base of the channel ids (ticker, trade, book follow).
    channel: u64,
    /// The subscribed book depth.
    depth: u32,
}

const PAIRS: &[Pair] = &[
    Pair {
        name: "XBT/USD",
        mid: 4_224_320_000,
        decimals: 5,
        tick: 10_000,
        channel: 340,
        depth: 10,
    },
    Pair {
        name: "XBT/EUR",
        mid: 3_901_250_000,
        decimals: 5,
        tick: 10_000,
        channel: 344,
        depth: 25,
    },
    Pair {
        name: "ETH/USD",
        mid: 223_456_000,
        decimals: 5,
        tick: 1_000,
        channel: 348,
        depth: 10,
    },
    Pair {
        name: "ETH/XBT",
        mid: 5_123_000,
        decimals: 8,
        tick: 1_000,
        channel: 352,
        depth: 100,
    },
    Pair {
        name: "SOL/USD",
        mid: 10_284_000,
        decimals: 5,
        tick: 1_000,
        channel: 356,
        depth: 10,
    },
    Pair {
        name: "ADA/EUR",
        mid: 4_912_300,
        decimals: 7,
        tick: 100,
        channel: 360,
        depth: 25,
    },
    Pair {
        name: "DOT/USD",
        mid: 7_315_000,
        decimals: 6,
        tick: 100,
        channel: 364,
        depth: 10,
    },
    Pair {
        name: "XRP/USD",
        mid: 6_201_400,
        decimals: 7,
        tick: 100,
        channel: 368,
        depth: 500,
    },
];

/// `units` of `10^-decimals` as a fixed-point decimal string.
fn fixed(units: u64, decimals: u32) -> String {
    let scale = 10u64.pow(decimals);
    format!(
        "{}.{:0width$}",
        units / scale,
        units % scale,
        width = decimals as usize
    )
}

/// What a frame is, hence which type it decodes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    Ticker,
    Trade,
    BookUpdate,
    BookUpdateBothSides,
    Heartbeat,
    SubscriptionStatus,
    SubscriptionStatusError,
}

impl Known {
    /// The `ServerMessage` variant frames of this kind must decode to.
    fn variant(self) -> &'static str {
        match self {
            Known::Ticker => "Ticker",
            Known::Trade => "Trade",
            Known::BookUpdate => "BookUpdate",
            Known::BookUpdateBothSides => "BookUpdateBothSides",
            Known::Heartbeat => "Heartbeat",
            Known::SubscriptionStatus => "SubscriptionStatus",
            Known::SubscriptionStatusError => "SubscriptionStatusError",
        }
    }
}

/// The frame mix and the state that keeps its values plausible.
struct Mix {
    rng: SplitMix64,
    /// Microseconds since the epoch, advancing frame by frame.
    now_us: u64,
    /// The current price of each pair.
    prices: Vec<u64>,
    reqid: u64,
}

impl Mix {
    fn new(seed: u64) -> Self {
        Mix {
            rng: SplitMix64(seed),
            now_us: 1_700_000_000_000_000,
            prices: PAIRS.iter().map(|p| p.mid).collect(),
            reqid: 0,
        }
    }

    fn timestamp(&mut self) -> String {
        self.now_us += self.rng.range(50, 4_000);
        format!("{}.{:06}", self.now_us / 1_000_000, self.now_us % 1_000_000)
    }

    /// Picks a pair (the first ones busier) and moves its price a little.
    fn pair(&mut self) -> usize {
        let i = if self.rng.chance(50) {
            self.rng.below(2) as usize
        } else {
            self.rng.below(PAIRS.len() as u64) as usize
        };
        let pair = &PAIRS[i];
        let step = self.rng.range(0, 6) * pair.tick;
        let price = &mut self.prices[i];
        if self.rng.chance(50) {
            *price += step;
        } else if *price > pair.mid / 2 + step {
            *price -= step;
        }
        i
    }

    fn price(&self, pair: usize, ticks_away: i64) -> String {
        let p = &PAIRS[pair];
        let units = self.prices[pair] as i64 + ticks_away * p.tick as i64;
        fixed(units.max(p.tick as i64) as u64, p.decimals)
    }

    fn volume(&mut self) -> String {
        // Mostly small lots, sometimes a large one.
        let units = if self.rng.chance(90) {
            self.rng.range(1_000, 500_000_000)
        } else {
            self.rng.range(500_000_000, 250_000_000_000)
        };
        fixed(units, 8)
    }

    /// One book level `[price, volume, timestamp]`, sometimes a delete
    /// (volume 0) or a republish (`"r"`).
    fn level(&mut self, pair: usize, ask: bool) -> String {
        let away = self.rng.range(0, 12) as i64;
        let price = self.price(pair, if ask { away + 1 } else { -away });
        let volume = if self.rng.chance(25) {
            fixed(0, 8)
        } else {
            self.volume()
        };
        let time = self.timestamp();
        if self.rng.chance(5) {
            format!(r#"["{price}","{volume}","{time}","r"]"#)
        } else {
            format!(r#"["{price}","{volume}","{time}"]"#)
        }
    }

    fn levels(&mut self, pair: usize, ask: bool) -> String {
        let n = match self.rng.below(10) {
            0..=5 => 1,
            6..=8 => 2,
            _ => 3,
        };
        let levels: Vec<String> = (0..n).map(|_| self.level(pair, ask)).collect();
        format!("[{}]", levels.join(","))
    }

    fn checksum(&mut self) -> String {
        self.rng.below(u64::from(u32::MAX) + 1).to_string()
    }

    fn book_update(&mut self) -> String {
        let i = self.pair();
        let ask = self.rng.chance(50);
        let side = if ask { "a" } else { "b" };
        let levels = self.levels(i, ask);
        let p = &PAIRS[i];
        let (id, depth, name) = (p.channel + 2, p.depth, p.name);
        if self.rng.chance(80) {
            let c = self.checksum();
            format!(r#"[{id},{{"{side}":{levels},"c":"{c}"}},"book-{depth}","{name}"]"#)
        } else {
            format!(r#"[{id},{{"{side}":{levels}}},"book-{depth}","{name}"]"#)
        }
    }

    fn book_update_both_sides(&mut self) -> String {
        let i = self.pair();
        let asks = self.levels(i, true);
        let bids = self.levels(i, false);
        let c = self.checksum();
        let p = &PAIRS[i];
        let (id, depth, name) = (p.channel + 2, p.depth, p.name);
        format!(r#"[{id},{{"a":{asks}}},{{"b":{bids},"c":"{c}"}},"book-{depth}","{name}"]"#)
    }

    fn ticker(&mut self) -> String {
        let i = self.pair();
        let ask = self.price(i, 1);
        let bid = self.price(i, 0);
        let away = self.rng.range(0, 1) as i64;
        let last = self.price(i, away);
        let (ask_lots, bid_lots) = (self.rng.range(0, 40), self.rng.range(0, 40));
        let (ask_vol, bid_vol, last_vol) = (self.volume(), self.volume(), self.volume());
        let vol_today = fixed(self.rng.range(10_000_000_000, 90_000_000_000), 8);
        let vol_24h = fixed(self.rng.range(90_000_000_000, 300_000_000_000), 8);
        let vwap = (self.price(i, -40), self.price(i, -25));
        let low = (self.price(i, -400), self.price(i, -650));
        let high = (self.price(i, 300), self.price(i, 520));
        let open = (self.price(i, -120), self.price(i, 60));
        let today = self.rng.range(1_000, 9_000);
        let trades_24h = today + self.rng.range(5_000, 20_000);
        let p = &PAIRS[i];
        let (id, name) = (p.channel, p.name);
        format!(
            concat!(
                r#"[{id},{{"a":["{ask}",{ask_lots},"{ask_vol}"],"b":["{bid}",{bid_lots},"{bid_vol}"],"#,
                r#""c":["{last}","{last_vol}"],"v":["{vol_today}","{vol_24h}"],"p":["{vwap0}","{vwap1}"],"#,
                r#""t":[{today},{trades_24h}],"l":["{low0}","{low1}"],"h":["{high0}","{high1}"],"#,
                r#""o":["{open0}","{open1}"]}},"ticker","{name}"]"#
            ),
            id = id,
            ask = ask,
            ask_lots = ask_lots,
            ask_vol = ask_vol,
            bid = bid,
            bid_lots = bid_lots,
            bid_vol = bid_vol,
            last = last,
            last_vol = last_vol,
            vol_today = vol_today,
            vol_24h = vol_24h,
            vwap0 = vwap.0,
            vwap1 = vwap.1,
            today = today,
            trades_24h = trades_24h,
            low0 = low.0,
            low1 = low.1,
            high0 = high.0,
            high1 = high.1,
            open0 = open.0,
            open1 = open.1,
            name = name,
        )
    }

    fn trade(&mut self) -> String {
        let i = self.pair();
        let n = match self.rng.below(10) {
            0..=6 => 1,
            7..=8 => 2,
            _ => self.rng.range(3, 6),
        };
        let mut trades = Vec::new();
        for _ in 0..n {
            let away = self.rng.range(0, 2) as i64;
            let price = self.price(i, away);
            let volume = self.volume();
            let time = self.timestamp();
            let side = if self.rng.chance(50) { "b" } else { "s" };
            let order = if self.rng.chance(70) { "l" } else { "m" };
            trades.push(format!(
                r#"["{price}","{volume}","{time}","{side}","{order}",""]"#
            ));
        }
        let p = &PAIRS[i];
        format!(
            r#"[{},[{}],"trade","{}"]"#,
            p.channel + 1,
            trades.join(","),
            p.name
        )
    }

    fn subscription_status(&mut self) -> (Known, String) {
        let i = self.pair();
        self.reqid += 1;
        let (reqid, p) = (self.reqid, &PAIRS[i]);
        if self.rng.chance(20) {
            let frame = format!(
                r#"{{"errorMessage":"Subscription depth not supported","event":"subscriptionStatus","pair":"{}","reqid":{reqid},"status":"error","subscription":{{"depth":{},"name":"book"}}}}"#,
                p.name,
                p.depth + 1
            );
            return (Known::SubscriptionStatusError, frame);
        }
        let status = if self.rng.chance(75) {
            "subscribed"
        } else {
            "unsubscribed"
        };
        let frame = match self.rng.below(3) {
            0 => format!(
                r#"{{"channelID":{},"channelName":"book-{depth}","event":"subscriptionStatus","pair":"{}","reqid":{reqid},"status":"{status}","subscription":{{"depth":{depth},"name":"book"}}}}"#,
                p.channel + 2,
                p.name,
                depth = p.depth
            ),
            1 => format!(
                r#"{{"channelID":{},"channelName":"ticker","event":"subscriptionStatus","pair":"{}","reqid":{reqid},"status":"{status}","subscription":{{"name":"ticker"}}}}"#,
                p.channel, p.name
            ),
            _ => format!(
                r#"{{"channelID":{},"channelName":"trade","event":"subscriptionStatus","pair":"{}","status":"{status}","subscription":{{"name":"trade"}}}}"#,
                p.channel + 1,
                p.name
            ),
        };
        (Known::SubscriptionStatus, frame)
    }

    /// One frame: book updates most often, then trades and tickers, a few
    /// heartbeats and subscription statuses.
    fn frame(&mut self) -> (Known, String) {
        match self.rng.below(100) {
            0..=39 => (Known::BookUpdate, self.book_update()),
            40..=47 => (Known::BookUpdateBothSides, self.book_update_both_sides()),
            48..=67 => (Known::Trade, self.trade()),
            68..=87 => (Known::Ticker, self.ticker()),
            88..=95 => (Known::Heartbeat, r#"{"event":"heartbeat"}"#.to_owned()),
            _ => self.subscription_status(),
        }
    }
}

/// The frames of the benchmark, each with what it is.
fn frames() -> Vec<(Known, String)> {
    let mut mix = Mix::new(SEED);
    (0..FRAMES).map(|_| mix.frame()).collect()
}

/// The same messages as `ServerMessage`, in the same order, with the same
/// payload types: what one would write by hand with serde alone.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Untagged {
    Pong(types::Pong),
    SubscriptionStatus(types::SubscriptionStatus),
    SubscriptionStatusError(types::SubscriptionStatusError),
    Heartbeat(types::Heartbeat),
    SystemStatus(types::SystemStatus),
    Error(types::GeneralError),
    Ticker(types::Ticker),
    Ohlc(types::Ohlc),
    Trade(types::Trade),
    Spread(types::Spread),
    BookSnapshot(types::BookSnapshot),
    BookUpdate(types::BookUpdate),
    BookUpdateBothSides(types::BookUpdateBothSides),
}

impl From<Untagged> for ServerMessage {
    fn from(message: Untagged) -> Self {
        match message {
            Untagged::Pong(m) => ServerMessage::Pong(m),
            Untagged::SubscriptionStatus(m) => ServerMessage::SubscriptionStatus(m),
            Untagged::SubscriptionStatusError(m) => ServerMessage::SubscriptionStatusError(m),
            Untagged::Heartbeat(m) => ServerMessage::Heartbeat(m),
            Untagged::SystemStatus(m) => ServerMessage::SystemStatus(m),
            Untagged::Error(m) => ServerMessage::Error(m),
            Untagged::Ticker(m) => ServerMessage::Ticker(m),
            Untagged::Ohlc(m) => ServerMessage::Ohlc(m),
            Untagged::Trade(m) => ServerMessage::Trade(m),
            Untagged::Spread(m) => ServerMessage::Spread(m),
            Untagged::BookSnapshot(m) => ServerMessage::BookSnapshot(m),
            Untagged::BookUpdate(m) => ServerMessage::BookUpdate(m),
            Untagged::BookUpdateBothSides(m) => ServerMessage::BookUpdateBothSides(m),
        }
    }
}

/// The generated enum's way: its generated selection picks the variant.
fn by_generated_enum(frame: &str) -> Result<ServerMessage, asyncapi_runtime::DecodeError> {
    ServerMessage::from_json(frame)
}

/// serde's `untagged`: buffers the frame, then tries the variants in order.
fn by_untagged(frame: &str) -> Result<ServerMessage, serde_json::Error> {
    serde_json::from_str::<Untagged>(frame).map(ServerMessage::from)
}

/// The limit: the type is known beforehand.
fn by_known_type(known: Known, frame: &str) -> Result<ServerMessage, serde_json::Error> {
    use serde_json::from_str;
    match known {
        Known::Ticker => from_str(frame).map(ServerMessage::Ticker),
        Known::Trade => from_str(frame).map(ServerMessage::Trade),
        Known::BookUpdate => from_str(frame).map(ServerMessage::BookUpdate),
        Known::BookUpdateBothSides => from_str(frame).map(ServerMessage::BookUpdateBothSides),
        Known::Heartbeat => from_str(frame).map(ServerMessage::Heartbeat),
        Known::SubscriptionStatus => from_str(frame).map(ServerMessage::SubscriptionStatus),
        Known::SubscriptionStatusError => {
            from_str(frame).map(ServerMessage::SubscriptionStatusError)
        }
    }
}

/// How one way of decoding fared on the mix.
#[derive(Default)]
struct Verdict {
    right: usize,
    /// Per frame kind: how many went to which wrong variant.
    wrong: Vec<(Known, &'static str, usize)>,
    /// Per frame kind: how many failed, and the first error.
    failed: Vec<(Known, usize, String)>,
}

/// Decodes every frame once with `decode` and compares with the limit.
fn verify(
    frames: &[(Known, String)],
    decode: impl Fn(Known, &str) -> Result<ServerMessage, String>,
) -> Verdict {
    let mut verdict = Verdict::default();
    for (known, frame) in frames {
        let expected = by_known_type(*known, frame)
            .unwrap_or_else(|e| panic!("the mix has a bad {known:?} frame {frame}: {e}"));
        match decode(*known, frame) {
            Ok(message) if message == expected => verdict.right += 1,
            Ok(message) => {
                let got = message.variant_name();
                match verdict
                    .wrong
                    .iter_mut()
                    .find(|(k, v, _)| k == known && *v == got)
                {
                    Some((_, _, n)) => *n += 1,
                    None => verdict.wrong.push((*known, got, 1)),
                }
            }
            Err(error) => match verdict.failed.iter_mut().find(|(k, _, _)| k == known) {
                Some((_, n, _)) => *n += 1,
                None => verdict.failed.push((*known, 1, error)),
            },
        }
    }
    verdict
}

fn report(name: &str, frames: &[(Known, String)], verdict: &Verdict) {
    eprintln!(
        "{name}: {} of {} frames decoded to the right variant",
        verdict.right,
        frames.len()
    );
    for (known, got, n) in &verdict.wrong {
        eprintln!(
            "  {name}: {n} {} frame(s) decoded as {got}",
            known.variant()
        );
    }
    for (known, n, error) in &verdict.failed {
        eprintln!(
            "  {name}: {n} {} frame(s) failed, e.g. {error}",
            known.variant()
        );
    }
}

fn describe_mix(frames: &[(Known, String)]) {
    let mut counts: Vec<(Known, usize, usize)> = Vec::new();
    for (known, frame) in frames {
        match counts.iter_mut().find(|(k, _, _)| k == known) {
            Some((_, n, bytes)) => {
                *n += 1;
                *bytes += frame.len();
            }
            None => counts.push((*known, 1, frame.len())),
        }
    }
    let total: usize = frames.iter().map(|(_, f)| f.len()).sum();
    eprintln!(
        "mix: {} frames, {} bytes (mean {} bytes/frame)",
        frames.len(),
        total,
        total / frames.len()
    );
    for (known, n, bytes) in counts {
        eprintln!(
            "  {:<24} {n:>6} frames, mean {} bytes",
            known.variant(),
            bytes / n
        );
    }
}

fn decode(c: &mut Criterion) {
    let frames = frames();
    describe_mix(&frames);

    // Checked once, before timing: every frame, every way.
    let generated = verify(&frames, |_, frame| {
        by_generated_enum(frame).map_err(|e| e.to_string())
    });
    report("generated_enum", &frames, &generated);
    assert_eq!(
        generated.right,
        frames.len(),
        "the generated enum must decode every frame of the mix to its variant"
    );
    let untagged = verify(&frames, |_, frame| {
        by_untagged(frame).map_err(|e| e.to_string())
    });
    report("serde_untagged", &frames, &untagged);
    let limit = verify(&frames, |known, frame| {
        by_known_type(known, frame).map_err(|e| e.to_string())
    });
    report("known_type", &frames, &limit);

    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Elements(frames.len() as u64));
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(8));

    group.bench_function("generated_enum", |b| {
        b.iter(|| {
            for (_, frame) in &frames {
                let _ = black_box(by_generated_enum(black_box(frame)));
            }
        })
    });
    group.bench_function("serde_untagged", |b| {
        b.iter(|| {
            for (_, frame) in &frames {
                let _ = black_box(by_untagged(black_box(frame)));
            }
        })
    });
    group.bench_function("known_type", |b| {
        b.iter(|| {
            for (known, frame) in &frames {
                let _ = black_box(by_known_type(*known, black_box(frame)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, decode);

/// Decodes the mix `passes` times one way (`DECODE_ONLY=generated_enum`,
/// `serde_untagged` or `known_type`), without criterion: for counting
/// instructions, e.g. `valgrind --tool=callgrind` (see BENCHMARKS.md).
fn decode_only(way: &str, passes: usize) {
    let frames = frames();
    for _ in 0..passes {
        for (known, frame) in &frames {
            match way {
                "generated_enum" => drop(black_box(by_generated_enum(black_box(frame)))),
                "serde_untagged" => drop(black_box(by_untagged(black_box(frame)))),
                "known_type" => drop(black_box(by_known_type(*known, black_box(frame)))),
                other => panic!("DECODE_ONLY={other}: not a way of decoding"),
            }
        }
    }
}

fn main() {
    if let Ok(way) = std::env::var("DECODE_ONLY") {
        let passes = std::env::var("DECODE_PASSES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        decode_only(&way, passes);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
