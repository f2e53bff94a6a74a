//! A client that survives drops: it reconnects as its policy says (at once
//! after a drop, slowly after announced downtime or a refused handshake),
//! re-sends its live subscriptions in order, tells the stream about the gap,
//! fails the requests in flight at once, and notices a dead connection by
//! its silence.

mod common;

use asyncapi_runtime::client::{
    self, ClientConfig, Error, ReconnectPolicy, Subscription, WhileReconnecting,
};
use asyncapi_runtime::server::ServerConfig;
use asyncapi_runtime::Close;
use common::{msg, serve, spec, within, Killable, Msg, TestService};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The slow delay of the tests' policies (Kraken's is 5 s).
const SLOW: Duration = Duration::from_millis(300);

fn policy() -> ReconnectPolicy {
    ReconnectPolicy::default()
        .with_delays(SLOW, SLOW * 4)
        .with_jitter(0.0)
}

/// `sub`/`unsub` messages start and stop the feed named by their text.
fn config(policy: ReconnectPolicy) -> ClientConfig {
    ClientConfig::default()
        .reconnect(policy)
        .with_subscriptions(|m: &Msg| match m.kind.as_str() {
            "sub" => Some(Subscription::start(&["text"])),
            "unsub" => Some(Subscription::stop(&["text"])),
            _ => None,
        })
}

fn sub(kind: &str, feed: &str) -> Msg {
    Msg {
        kind: kind.into(),
        id: None,
        text: Some(feed.into()),
    }
}

/// The next item that is not a message: a gap or the end.
async fn next_event(receiver: &mut client::Receiver<Msg>) -> Error {
    within("an event", async {
        loop {
            match receiver.recv().await {
                Some(Ok(_)) => continue,
                Some(Err(e)) => break e,
                None => panic!("the stream ended without an event"),
            }
        }
    })
    .await
}

#[tokio::test]
async fn after_a_drop_the_client_reconnects_at_once_and_resubscribes_in_order() {
    let service = TestService::default();
    let seen = service.seen.clone();
    let (url, handle) = serve(ServerConfig::default(), vec![service]).await;
    let (sender, mut receiver) = client::connect::<Msg, Msg>(&url, config(policy()))
        .await
        .unwrap();
    for (kind, feed) in [("sub", "a"), ("sub", "b"), ("sub", "c"), ("unsub", "b")] {
        within("sub", sender.request(&spec("sub"), sub(kind, feed)))
            .await
            .unwrap();
    }
    // The server closes the connection (a handler error with 4000).
    sender.send(&msg("bye")).await.unwrap();
    match next_event(&mut receiver).await {
        Error::Reconnected { after, attempt } => {
            assert_eq!(attempt, 1);
            assert!(after < SLOW, "an immediate attempt took {after:?}");
        }
        other => panic!("expected a reconnection, got {other:?}"),
    }
    // The live feeds, re-sent in the order they were started.
    let resubscribed: Vec<_> = within("resubscriptions", async {
        let mut got = Vec::new();
        while got.len() < 2 {
            match receiver.recv().await {
                Some(Ok(m)) if m.kind == "subscribed" => got.push(m.text.unwrap()),
                Some(Ok(_)) => {}
                other => panic!("{other:?}"),
            }
        }
        got
    })
    .await;
    assert_eq!(resubscribed, ["a", "c"]);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        ["sub a", "sub b", "sub c", "unsub b", "bye", "sub a", "sub c"]
    );
    // The client goes on.
    assert!(sender.is_connected());
    within("echo", sender.request(&spec("echo"), msg("echo")))
        .await
        .unwrap();
    assert_eq!(handle.connection_count(), 1);
    // Closed by the application: no reconnection.
    sender.close(Close::new(Close::NORMAL, "")).await.unwrap();
    assert!(next_event(&mut receiver).await.is_terminal());
    assert!(sender.is_closed());
}

#[tokio::test]
async fn requests_in_flight_fail_at_once_when_the_connection_drops() {
    let (url, _handle) = serve(ServerConfig::default(), vec![TestService::default()]).await;
    let (sender, _receiver) = client::connect::<Msg, Msg>(&url, config(policy()))
        .await
        .unwrap();
    let waiting = {
        let sender = sender.clone();
        tokio::spawn(async move { sender.request(&spec("ignore"), msg("ignore")).await })
    };
    // The request is registered and sent before the drop.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    sender.send(&msg("bye")).await.unwrap();
    match within("the failed request", waiting).await.unwrap() {
        Err(Error::Interrupted { reason }) => assert!(reason.contains("4000"), "{reason}"),
        other => panic!("expected Interrupted, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    // A request made after the reconnection is answered.
    within("reconnected", async {
        while !sender.is_connected() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    within("echo", sender.request(&spec("echo"), msg("echo")))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_killed_server_restarted_later_gets_every_client_back() {
    let mut server = Killable::serve(
        "127.0.0.1:0",
        ServerConfig::default(),
        vec![TestService::default()],
    );
    let (sender, mut receiver) = client::connect::<Msg, Msg>(&server.url, config(policy()))
        .await
        .unwrap();
    within("sub", sender.request(&spec("sub"), sub("sub", "a")))
        .await
        .unwrap();
    // Killed: connections end without close frames; nothing listens.
    server.kill();
    within("the drop", async {
        while sender.is_connected() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    // Requests made while reconnecting wait for the new connection.
    let waiting = {
        let sender = sender.clone();
        tokio::spawn(async move { sender.request(&spec("echo"), msg("echo")).await })
    };
    tokio::time::sleep(SLOW * 2).await;
    assert!(!sender.is_connected());
    let service = TestService::default();
    let seen = service.seen.clone();
    let _restarted = Killable::serve(server.addr(), ServerConfig::default(), vec![service]);
    match next_event(&mut receiver).await {
        Error::Reconnected { after, attempt } => {
            // 3 immediate attempts, then slow ones.
            assert!(attempt > 3, "{attempt}");
            assert!(after >= SLOW * 2, "{after:?}");
        }
        other => panic!("expected a reconnection, got {other:?}"),
    }
    let reply = within("the waiting request", waiting)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reply.kind, "echo");
    // The subscription first, then what waited.
    assert_eq!(seen.lock().unwrap().clone(), ["sub a", "echo"]);
}

#[tokio::test]
async fn announced_downtime_makes_the_first_attempt_slow() {
    let (url, _handle) = serve(ServerConfig::default(), vec![TestService::default()]).await;
    let policy = policy().slow_down_after(|m: &Msg| m.kind == "maintenance");
    let (sender, mut receiver) = client::connect::<Msg, Msg>(&url, config(policy))
        .await
        .unwrap();
    sender.send(&msg("maintenance")).await.unwrap();
    match next_event(&mut receiver).await {
        Error::Reconnected { after, attempt } => {
            assert_eq!(attempt, 1);
            assert!(after >= SLOW, "{after:?}");
        }
        other => panic!("expected a reconnection, got {other:?}"),
    }
}

/// Answers a handshake with HTTP 503.
async fn refuse(mut tcp: tokio::net::TcpStream) {
    let mut buffer = [0u8; 4096];
    let _ = tcp.read(&mut buffer).await;
    let _ = tcp
        .write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n")
        .await;
}

/// A server that refuses every handshake with HTTP 503.
async fn refusing_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            refuse(tcp).await;
        }
    });
    url
}

#[tokio::test]
async fn a_refused_handshake_slows_down_and_a_silent_connection_counts_as_dead() {
    // The first connection is accepted and then stays silent: the watchdog
    // ends it; the server then refuses twice (503), then accepts.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    let refusals = Arc::new(Mutex::new(0));
    {
        let refusals = refusals.clone();
        tokio::spawn(async move {
            let mut open = Vec::new();
            let mut n = 0;
            while let Ok((tcp, _)) = listener.accept().await {
                n += 1;
                if n == 2 || n == 3 {
                    *refusals.lock().unwrap() += 1;
                    refuse(tcp).await;
                    continue;
                }
                if let Ok(socket) = tokio_tungstenite::accept_async(tcp).await {
                    // Held, never read: no pongs, no frames.
                    open.push(socket);
                }
            }
        });
    }
    let config = config(policy())
        .with_ping_interval(Some(Duration::from_millis(50)))
        .with_idle_timeout(Some(Duration::from_millis(300)));
    let (_sender, mut receiver) = client::connect::<Msg, Msg>(&url, config).await.unwrap();
    let started = Instant::now();
    match next_event(&mut receiver).await {
        Error::Reconnected { after, attempt } => {
            // Attempt 1 at once (refused), attempt 2 slow (refused), 3 slow.
            assert_eq!(attempt, 3);
            assert!(after >= SLOW * 2, "{after:?}");
        }
        other => panic!("expected a reconnection, got {other:?}"),
    }
    assert!(started.elapsed() >= Duration::from_millis(300) + SLOW * 2);
    assert_eq!(*refusals.lock().unwrap(), 2);
}

#[tokio::test]
async fn reconnecting_gives_up_as_configured_and_sending_can_fail_meanwhile() {
    let url = refusing_server().await;
    // The first connection must open: serve it, then kill the server.
    let mut server = Killable::serve(
        "127.0.0.1:0",
        ServerConfig::default(),
        vec![TestService::default()],
    );
    let policy = policy()
        .give_up_after(Some(4))
        .with_while_reconnecting(WhileReconnecting::Fail);
    let (sender, mut receiver) = client::connect::<Msg, Msg>(&server.url, config(policy))
        .await
        .unwrap();
    server.kill();
    within("the drop", async {
        while sender.is_connected() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    match sender.send(&msg("echo")).await {
        Err(Error::Interrupted { .. }) => {}
        Err(e) if e.is_terminal() => {} // it may have given up already
        other => panic!("expected Interrupted, got {other:?}"),
    }
    match next_event(&mut receiver).await {
        Error::Lost(reason) => assert!(reason.contains("gave up reconnecting after 4"), "{reason}"),
        other => panic!("expected the end, got {other:?}"),
    }
    assert!(sender.is_closed());
    assert!(within("none", receiver.recv()).await.is_none());
    // Without a policy, a refused handshake is simply an error.
    match client::connect::<Msg, Msg>(&url, ClientConfig::default()).await {
        Err(Error::Connect { reason, .. }) => assert!(reason.contains("503"), "{reason}"),
        other => panic!("{other:?}"),
    }
}
