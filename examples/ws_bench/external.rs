//! An external load generator, not ours: `scripts/bench/ws_roundtrips.py`
//! (Python's `websockets`), driving Kraken v1 `ping` → `pong` round trips
//! against our server and the hand-written one, in a child process (which
//! inherits this process's CPU pinning).
//!
//! `WS_BENCH_PYTHON` names the interpreter (default
//! `target/real-clients-v2-venv/bin/python`, made by
//! `scripts/real-clients/setup.sh`); `WS_BENCH_PY_CONNECTIONS` how many
//! connections it drives at once (default 1), `WS_BENCH_PY_SECS` for how
//! long (default 3 s).

use crate::{env_or, server, Error, Kind};
use std::time::Duration;

/// The script, relative to the package's root.
const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scripts/bench/ws_roundtrips.py"
);

/// The interpreter to run the script with.
pub fn python() -> String {
    std::env::var("WS_BENCH_PYTHON").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/target/real-clients-v2-venv/bin/python"
        )
        .to_owned()
    })
}

/// Round trips/s the script reaches against our server and the
/// hand-written one: the medians of `runs` runs of `WS_BENCH_PY_SECS`
/// seconds each (default 3), alternating between the two (so that a change
/// of load on the machine touches both), every run against a fresh server.
pub async fn round_trips(runs: usize) -> Result<(f64, f64), Error> {
    let secs = Duration::from_secs_f64(env_or("WS_BENCH_PY_SECS", 3.0)?);
    let mut ours = Vec::with_capacity(runs);
    let mut hand = Vec::with_capacity(runs);
    for _ in 0..runs {
        ours.push(one_run(Kind::Ours, secs).await?);
        hand.push(one_run(Kind::Hand, secs).await?);
    }
    Ok((median(ours), median(hand)))
}

fn median(mut rates: Vec<f64>) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

/// One run of the script against a fresh server of `kind`.
async fn one_run(kind: Kind, secs: Duration) -> Result<f64, Error> {
    let connections: usize = env_or("WS_BENCH_PY_CONNECTIONS", 1)?;
    let python = python();
    let addr = server(kind).await?;
    let child = tokio::process::Command::new(&python)
        .arg(SCRIPT)
        .arg(format!("ws://{addr}/"))
        .arg(secs.as_secs_f64().to_string())
        .arg(connections.to_string())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(secs + Duration::from_secs(30), child)
        .await
        .map_err(|_| format!("{python} {SCRIPT} did not finish"))?
        .map_err(|e| format!("cannot run {python} {SCRIPT}: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "{python} {SCRIPT} against the {} server failed: {stdout}{}",
            kind.name(),
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    let rate: f64 = stdout
        .trim()
        .parse()
        .map_err(|_| format!("{SCRIPT} printed `{}`, not a rate", stdout.trim()))?;
    eprintln!(
        "python websockets, {} server, {connections} connection(s): {rate:.0} round trips/s",
        kind.name()
    );
    Ok(rate)
}

/// The generator's version and setting, for the table.
pub fn describe() -> Result<String, Error> {
    let connections: usize = env_or("WS_BENCH_PY_CONNECTIONS", 1)?;
    let output = std::process::Command::new(python())
        .args(["-c", "import websockets; print(websockets.__version__)"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python()))?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    Ok(format!("{version}, {connections} connection(s)"))
}
