//! The cost of validation before the handler: the same client frames
//! decoded as a server decodes them, without and with the check against
//! their message's payload schema (`asyncapi_runtime::validate::decode`
//! with `validate` off and on, the very function the server's connections
//! call). Three sets of frames, each a deterministic mix:
//!
//! - `kraken_public`: Kraken v1 `ping`, `subscribe`, `unsubscribe`;
//! - `kraken_private`: Kraken v1 `addOrder`, `cancelOrder`, `subscribe`
//!   with a token (larger schemas);
//! - `chat`: the chat-shaped fixture `validated.yaml` (`chat` with
//!   mentions, `history`), the constraints of issue 12.
//!
//! `decode_and_parse` splits the difference: decoding plus parsing the
//! frame into a `serde_json::Value` (what the validator reads), without
//! validating.
//!
//! Every frame is checked once before timing: it decodes, and it is valid
//! (a frame that breaks its schema would measure the error path). No timing
//! is asserted: see `BENCHMARKS.md` for the numbers and the command.

mod validated {
    asyncapi_runtime::include_api!("validated");
}

use asyncapi_runtime::message::Message;
use asyncapi_runtime::validate::decode;
use asyncapi_showcase::kraken::channels::{private, public};
use criterion::{criterion_group, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

/// How many frames each mix has.
const FRAMES: usize = 3_000;

fn kraken_public(i: usize) -> String {
    const PAIRS: &[&str] = &["XBT/USD", "ETH/USD", "XBT/EUR", "ADA/USD"];
    let pair = PAIRS[i % PAIRS.len()];
    match i % 4 {
        0 => format!(r#"{{"event":"ping","reqid":{i}}}"#),
        1 => format!(
            r#"{{"event":"subscribe","reqid":{i},"pair":["{pair}"],"subscription":{{"name":"ticker"}}}}"#
        ),
        2 => format!(
            r#"{{"event":"subscribe","reqid":{i},"pair":["{pair}","XBT/USD"],"subscription":{{"name":"book","depth":25}}}}"#
        ),
        _ => format!(
            r#"{{"event":"unsubscribe","reqid":{i},"pair":["{pair}"],"subscription":{{"name":"trade"}}}}"#
        ),
    }
}

fn kraken_private(i: usize) -> String {
    const TOKEN: &str = "WW91ciBhdXRoZW50aWNhdGlvbiB0b2tlbiBnb2VzIGhlcmUu";
    match i % 3 {
        0 => format!(
            r#"{{"event":"addOrder","token":"{TOKEN}","reqid":{i},"ordertype":"limit","type":"buy","pair":"XBT/USD","price":"{}.5","volume":"1.25"}}"#,
            30_000 + i
        ),
        1 => format!(
            r#"{{"event":"cancelOrder","token":"{TOKEN}","reqid":{i},"txid":["OGTT3Y-C6I3P-XRI6HX"]}}"#
        ),
        _ => format!(
            r#"{{"event":"subscribe","reqid":{i},"subscription":{{"name":"openOrders","token":"{TOKEN}"}}}}"#
        ),
    }
}

fn chat(i: usize) -> String {
    match i % 2 {
        0 => format!(
            r#"{{"action":"chat","payload":{{"message":"message number {i} to the room","mentions":["alice","bob_{}"]}}}}"#,
            i % 7
        ),
        _ => format!(
            r#"{{"action":"history","id":"h{i}","payload":{{"limit":{},"order":"newest"}}}}"#,
            1 + i % 100
        ),
    }
}

/// The mix of `make`'s frames, each checked: it decodes and is valid.
fn frames<M: Message>(make: fn(usize) -> String) -> Vec<String> {
    let frames: Vec<String> = (0..FRAMES).map(make).collect();
    for frame in &frames {
        if let Err(error) = decode::<M>(frame, true) {
            panic!("bench frame {frame} is refused: {error:?}");
        }
    }
    frames
}

fn bench_mix<M: Message>(c: &mut Criterion, name: &str, frames: &[String]) {
    let mut group = c.benchmark_group(format!("validate/{name}"));
    group.throughput(Throughput::Elements(frames.len() as u64));
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(6));
    for (label, validate) in [("decode", false), ("decode_validated", true)] {
        group.bench_function(label, |b| {
            b.iter(|| {
                for frame in frames {
                    let _ = black_box(decode::<M>(black_box(frame), validate));
                }
            })
        });
    }
    // Where the difference goes: parsing the frame once more into a
    // `serde_json::Value` (what the validator reads), without validating.
    group.bench_function("decode_and_parse", |b| {
        b.iter(|| {
            for frame in frames {
                let _ = black_box(decode::<M>(black_box(frame), false));
                let _ = black_box(serde_json::from_str::<serde_json::Value>(black_box(frame)));
            }
        })
    });
    group.finish();
}

fn validation(c: &mut Criterion) {
    let public = frames::<public::ClientMessage>(kraken_public);
    let private = frames::<private::ClientMessage>(kraken_private);
    let chat = frames::<validated::ClientMessage>(chat);
    bench_mix::<public::ClientMessage>(c, "kraken_public", &public);
    bench_mix::<private::ClientMessage>(c, "kraken_private", &private);
    bench_mix::<validated::ClientMessage>(c, "chat", &chat);
}

criterion_group!(benches, validation);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
