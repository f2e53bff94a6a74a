//! Load and faults on loopback, bounded in time: many clients making
//! correlated requests concurrently (every reply reaches the right client,
//! matched to the right request); a server killed under load and restarted
//! (every client reconnects and resubscribes). The sizes are small here;
//! `scripts/reliability.sh` runs the same tests at full size (1,000
//! clients × 1,000 requests), through these environment variables:
//!
//! - `LOAD_CLIENTS` (default 50), `LOAD_REQUESTS` (default 100): the
//!   request test;
//! - `RESTART_CLIENTS` (default 50): the kill-and-restart test.
//!
//! Each test prints its figures (`--nocapture` shows them).

mod common;

use asyncapi_runtime::client::{self, ClientConfig, Error, ReconnectPolicy, Subscription};
use asyncapi_runtime::server::ServerConfig;
use common::{serve, spec, Killable, Msg, TestService};
use std::collections::BTreeSet;
use std::future::Future;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `future`, or a failure naming `what` after `limit`.
async fn bounded<T>(what: &str, limit: Duration, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: not done within {limit:?}"))
}

fn echo(text: String) -> Msg {
    Msg {
        kind: "echo".into(),
        id: None,
        text: Some(text),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_correlated_request_gets_its_own_reply() {
    let (clients, requests) = (env("LOAD_CLIENTS", 50), env("LOAD_REQUESTS", 100));
    let config = ServerConfig {
        outgoing_capacity: requests.max(1024),
        ..ServerConfig::default()
    };
    let (url, handle) = serve(config, vec![TestService::default()]).await;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..clients {
        let url = url.clone();
        tasks.spawn(async move {
            let config = ClientConfig::default().with_request_timeout(Duration::from_secs(120));
            let (sender, _receiver) = client::connect::<Msg, Msg>(&url, config).await.unwrap();
            // Every request of the client in flight at once.
            let mut replies = tokio::task::JoinSet::new();
            for r in 0..requests {
                let sender = sender.clone();
                replies.spawn(async move {
                    let text = format!("client {c} request {r}");
                    let reply = sender.request(&spec("echo"), echo(text.clone())).await;
                    (text, reply)
                });
            }
            let mut matched = 0usize;
            let mut ids = BTreeSet::new();
            while let Some(done) = replies.join_next().await {
                let (text, reply) = done.unwrap();
                let reply = reply.unwrap_or_else(|e| panic!("{text}: {e}"));
                assert_eq!(
                    reply.text.as_deref(),
                    Some(text.as_str()),
                    "a reply to another request"
                );
                assert!(ids.insert(reply.id.unwrap()), "two replies with one id");
                matched += 1;
            }
            sender
                .close(asyncapi_runtime::Close::new(1000, ""))
                .await
                .unwrap();
            matched
        });
    }
    let matched: usize = bounded("every reply", Duration::from_secs(600), async {
        let mut total = 0;
        while let Some(done) = tasks.join_next().await {
            total += done.unwrap();
        }
        total
    })
    .await;
    let elapsed = started.elapsed();
    assert_eq!(matched, clients * requests, "replies lost");
    println!(
        "load: {clients} clients x {requests} correlated requests: {matched} replies, each to its own request, 0 lost, in {elapsed:.2?} ({:.0} requests/s)",
        matched as f64 / elapsed.as_secs_f64()
    );
    bounded("the connections to end", Duration::from_secs(60), async {
        while handle.connection_count() > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_under_load_gets_every_client_back_resubscribed() {
    let clients = env("RESTART_CLIENTS", 50);
    let mut server = Killable::serve(
        "127.0.0.1:0",
        ServerConfig::default(),
        vec![TestService::default()],
    );
    let policy = ReconnectPolicy::default()
        .with_delays(Duration::from_millis(200), Duration::from_secs(2))
        .with_jitter(0.5);
    let config = ClientConfig::default()
        .reconnect(policy)
        .with_subscriptions(|m: &Msg| (m.kind == "sub").then_some(Subscription::start(&["text"])));
    let mut senders = Vec::new();
    let mut gaps = tokio::task::JoinSet::new();
    for c in 0..clients {
        let (sender, mut receiver) = client::connect::<Msg, Msg>(&server.url, config.clone())
            .await
            .unwrap();
        let feed = Msg {
            kind: "sub".into(),
            id: None,
            text: Some(format!("feed {c}")),
        };
        sender.request(&spec("sub"), feed).await.unwrap();
        // Load while the server dies: each client keeps requesting.
        let busy = sender.clone();
        tokio::spawn(async move {
            let mut n = 0;
            while !busy.is_closed() {
                let _ = busy.request(&spec("echo"), echo(format!("{c}/{n}"))).await;
                n += 1;
            }
        });
        gaps.spawn(async move {
            loop {
                match receiver.recv().await {
                    Some(Err(Error::Reconnected { attempt, .. })) => {
                        break (Instant::now(), attempt)
                    }
                    Some(_) => continue,
                    None => panic!("client {c} ended"),
                }
            }
        });
        senders.push(sender);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.kill();
    // Down for a while: the clients' immediate attempts fail.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let service = TestService::default();
    let seen = service.seen.clone();
    let restarted_at = Instant::now();
    let _restarted = Killable::serve(server.addr(), ServerConfig::default(), vec![service]);
    let (mut last, mut attempts) = (restarted_at, Vec::new());
    bounded(
        "every client to reconnect",
        Duration::from_secs(60),
        async {
            while let Some(done) = gaps.join_next().await {
                let (at, attempt) = done.unwrap();
                last = last.max(at);
                attempts.push(attempt);
            }
        },
    )
    .await;
    let recovery = last - restarted_at;
    // Every client resubscribed: each feed once, on the new server.
    let resubscribed = bounded("every resubscription", Duration::from_secs(30), async {
        loop {
            let subs: Vec<String> = seen
                .lock()
                .unwrap()
                .iter()
                .filter(|s| s.starts_with("sub "))
                .cloned()
                .collect();
            if subs.len() >= clients {
                let feeds: BTreeSet<_> = subs.iter().collect();
                assert_eq!(feeds.len(), subs.len(), "a feed re-sent twice");
                break feeds.len();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert_eq!(resubscribed, clients);
    println!(
        "restart: {clients} clients, server killed under load and restarted: {clients} reconnected and resubscribed, recovery {recovery:.2?} after the restart, attempts {}..={}",
        attempts.iter().min().unwrap(),
        attempts.iter().max().unwrap()
    );
    for sender in senders {
        sender
            .close(asyncapi_runtime::Close::new(1000, ""))
            .await
            .unwrap();
    }
}
