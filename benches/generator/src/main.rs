//! `generator-bench`: the generator timed as a build script runs it.
//!
//! ```text
//! generator-bench synth N            # a synthetic document of N messages, on stdout
//! generator-bench generate FILE DIR  # generate() for FILE into DIR, as build.rs does
//! generator-bench phases FILE [RUNS] # the best of RUNS times of each phase, in ms
//! generator-bench messages FILE      # how many messages the document defines
//! ```
//!
//! Build it in the dev profile (`cargo build --manifest-path
//! benches/generator/Cargo.toml`): the generator and its dependencies are
//! then compiled at opt-level 0, as cargo compiles a build script's by
//! default. `run.sh` does all of it.

mod synth;

use asyncapi_codegen::spec::Documents;
use asyncapi_codegen::Generator;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["synth", n] => n
            .parse::<usize>()
            .map_err(|e| format!("{n}: {e}"))
            .and_then(|n| {
                serde_json::to_string_pretty(&synth::document(n)).map_err(|e| e.to_string())
            })
            .map(|text| println!("{text}")),
        ["generate", file, dir] => Generator::new(file)
            .with_out_dir(dir)
            .generate()
            .map(|_| ())
            .map_err(|e| e.to_string()),
        ["messages", file] => messages(file).map(|n| println!("{n}")),
        ["phases", file] => phases(file, 1),
        ["phases", file, runs] => runs
            .parse::<usize>()
            .map_err(|e| format!("{runs}: {e}"))
            .and_then(|runs| phases(file, runs.max(1))),
        _ => Err(
            "usage: generator-bench synth N | generate FILE DIR | phases FILE [RUNS] | messages FILE"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// The messages of the root document: those of `components/messages`
/// and those written in channels (3.x) that are no `$ref`s.
fn messages(file: &str) -> Result<usize, String> {
    let docs = Documents::read(file).map_err(|e| e.to_string())?;
    let root = docs.get(&docs.root()).map_err(|e| e.to_string())?;
    let components = root
        .pointer("/components/messages")
        .and_then(|m| m.as_object())
        .map_or(0, |m| m.len());
    let inline = root
        .get("channels")
        .and_then(|c| c.as_object())
        .into_iter()
        .flat_map(|channels| channels.values())
        .filter_map(|channel| channel.get("messages").and_then(|m| m.as_object()))
        .flat_map(|messages| messages.values())
        .filter(|message| message.get("$ref").is_none())
        .count();
    Ok(components + inline)
}

/// Prints the best of `runs` times of: reading the document (files,
/// `$ref`s), loading it (reading, then the official schema, the semantic
/// checks and traits), and the whole generation to formatted text.
fn phases(file: &str, runs: usize) -> Result<(), String> {
    let read = best(runs, || Documents::read(file).map(drop))?;
    let load = best(runs, || Documents::load(file).map(drop))?;
    let all = best(runs, || Generator::new(file).generate_string().map(drop))?;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "read {:.1} ms, load {:.1} ms (checks {:.1} ms), generate_string {:.1} ms",
        ms(read),
        ms(load),
        ms(load.saturating_sub(read)),
        ms(all)
    );
    Ok(())
}

/// The shortest of `runs` timings of `f`.
fn best(
    runs: usize,
    mut f: impl FnMut() -> asyncapi_codegen::Result<()>,
) -> Result<Duration, String> {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        f().map_err(|e| e.to_string())?;
        best = best.min(start.elapsed());
    }
    Ok(best)
}
