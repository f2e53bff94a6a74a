//! Resident memory per idle connection: each pairing in a child process,
//! and each side alone with its hand-written peer in a process of its own.

use crate::{hand_connect, hand_server, our_connect, server, Error, Kind};
use std::net::SocketAddr;
use std::time::Duration;

/// Idle connections a measurement keeps open.
type Open = (
    Vec<asyncapi_showcase::kraken::channels::public::Client>,
    Vec<crate::HandSocket>,
);

/// Opens one connection of `kind` to `addr`, then `count` more: the
/// resident KiB before the counted ones (one-time allocations are not
/// counted), and the connections, settled, for the caller to keep open
/// while it measures.
async fn open_idle(kind: Kind, addr: SocketAddr, count: usize) -> Result<(u64, Open), Error> {
    let (mut ours, mut hand) = (Vec::new(), Vec::new());
    let mut before = 0;
    for i in 0..=count {
        if i == 1 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            before = rss_kib()?;
        }
        match kind {
            Kind::Ours => ours.push(our_connect(addr).await?),
            Kind::Hand => hand.push(hand_connect(addr).await?),
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok((before, (ours, hand)))
}

/// The process's resident memory in KiB.
fn rss_kib() -> Result<u64, Error> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS in /proc/self/status")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .ok_or("VmRSS without a value")?
        .parse()?)
}

/// In a child process: KiB of resident memory per idle connection of
/// `client` against `server_kind` (both sides counted).
pub async fn idle_kib(client: Kind, server_kind: Kind, count: usize) -> Result<f64, Error> {
    let addr = server(server_kind).await?;
    let (before, _open) = open_idle(client, addr, count).await?;
    let after = rss_kib()?;
    Ok(after.saturating_sub(before) as f64 / count as f64)
}

/// Runs an idle-memory measure of `count` connections in a child process
/// (`var=value` says which): the numbers it prints.
pub fn idle_in_child(var: &str, value: String, count: usize) -> Result<Vec<f64>, Error> {
    let output = std::process::Command::new(std::env::current_exe()?)
        .env(var, value)
        .env("WS_BENCH_IDLE", count.to_string())
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "the idle-memory child failed: {}{}",
            stdout,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    let numbers: Result<Vec<f64>, _> = stdout.split_whitespace().map(str::parse).collect();
    Ok(numbers?)
}

/// The CPU time this process has used (user + system), in seconds.
fn cpu_secs() -> Result<f64, Error> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // The fields after the command's closing parenthesis: state is the
    // first, utime and stime the 12th and 13th (in USER_HZ, 100 a second).
    let rest = stat
        .rsplit_once(')')
        .ok_or("no command in /proc/self/stat")?
        .1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> Result<u64, Error> {
        Ok(fields.get(i).ok_or("/proc/self/stat too short")?.parse()?)
    };
    Ok((ticks(11)? + ticks(12)?) as f64 / 100.0)
}

/// The share of a CPU this process uses over `secs` seconds of waiting.
async fn idle_cpu(secs: f64) -> Result<f64, Error> {
    let start = cpu_secs()?;
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    Ok((cpu_secs()? - start) / secs)
}

/// In a child process: KiB of resident memory per idle connection of one
/// side alone (`server` or `client`, of `kind`), its hand-written peer in a
/// process of its own (`WS_BENCH_PEER`); then the share of a CPU the side
/// uses over the next `cpu_secs` seconds while the connections stay idle.
pub async fn side_kib(
    side: &str,
    kind: Kind,
    count: usize,
    cpu_secs: f64,
) -> Result<(f64, f64), Error> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let mut peer = tokio::process::Command::new(std::env::current_exe()?);
    peer.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true);
    let (before, after, cpu) = if side == "server" {
        let addr = server(kind).await?;
        let mut child = peer
            .env("WS_BENCH_PEER", format!("clients:{addr}"))
            .spawn()?;
        let mut stdin = child.stdin.take().ok_or("the peer has no stdin")?;
        let stdout = child.stdout.take().ok_or("the peer has no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        lines.next_line().await?.ok_or("the peer ended")?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let before = rss_kib()?;
        stdin.write_all(b"go\n").await?;
        lines.next_line().await?.ok_or("the peer ended")?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let after = rss_kib()?;
        (before, after, idle_cpu(cpu_secs).await?)
    } else {
        let mut child = peer.env("WS_BENCH_PEER", "server").spawn()?;
        let stdout = child.stdout.take().ok_or("the peer has no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let addr: SocketAddr = lines.next_line().await?.ok_or("the peer ended")?.parse()?;
        let (before, _open) = open_idle(kind, addr, count).await?;
        let after = rss_kib()?;
        (before, after, idle_cpu(cpu_secs).await?)
    };
    Ok((after.saturating_sub(before) as f64 / count as f64, cpu))
}

/// The hand-written peer of [`side_kib`]: `server` (prints its address) or
/// `clients:ADDR` (one connection, a line, then the rest after a line on
/// stdin, and a line); it ends when its stdin closes.
pub async fn peer(role: &str, count: usize) -> Result<(), Error> {
    // Stdin's lines, read on a thread of their own (the runtime serves
    // connections meanwhile); the channel closes with stdin.
    let (lines, mut stdin) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            if line.is_err() || lines.send(()).is_err() {
                return;
            }
        }
    });
    let mut held = Vec::new();
    if role == "server" {
        println!("{}", hand_server().await?);
    } else {
        let addr: SocketAddr = role
            .strip_prefix("clients:")
            .ok_or("WS_BENCH_PEER=server or clients:ADDR")?
            .parse()?;
        held.push(hand_connect(addr).await?);
        println!("warm");
        stdin.recv().await;
        for _ in 0..count {
            held.push(hand_connect(addr).await?);
        }
        println!("done");
    }
    while stdin.recv().await.is_some() {}
    Ok(())
}
