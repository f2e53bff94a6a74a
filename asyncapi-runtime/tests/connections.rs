//! The runtime's client and server over loopback, with a hand-written
//! message type and service: request/reply and timeouts, close codes, slow
//! clients under each queue policy, groups and broadcasts, routing by path
//! and parameters, idle connections, graceful shutdown.

mod common;

use asyncapi_runtime::client::{self, ClientConfig, Error};
use asyncapi_runtime::server::{ConnectionId, ServeError, Server, ServerConfig, WhenFull};
use asyncapi_runtime::Close;
use common::{connect, msg, serve, spec, within, Msg, TestService, FLOOD};
use futures_util::StreamExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message as Frame;

#[tokio::test]
async fn requests_get_replies_errors_and_timeouts() {
    let (url, _) = serve(ServerConfig::default(), vec![TestService::default()]).await;
    let (sender, mut receiver) = connect(&url).await;
    let mut echo = msg("echo");
    echo.text = Some("hi".into());
    let reply = within("echo", sender.request(&spec("echo"), echo))
        .await
        .unwrap();
    assert_eq!(reply.text.as_deref(), Some("hi"));
    assert_eq!(reply.id, Some(1));

    // A handler error: the error reply, with the request's id.
    let error = within("fail", sender.request(&spec("fail"), msg("fail")))
        .await
        .unwrap();
    assert_eq!(error.kind, "error");
    assert_eq!(
        error.text.as_deref(),
        Some("the handler of Msg failed: it failed")
    );

    let quick = sender.with_timeout(Duration::from_millis(200));
    match within("ignore", quick.request(&spec("ignore"), msg("ignore"))).await {
        Err(Error::Timeout { request, after }) => {
            assert_eq!(request, "ignore");
            assert_eq!(after, Duration::from_millis(200));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }

    // Sent without a request: the reply reaches the stream.
    sender.send(&msg("echo")).await.unwrap();
    let echoed = within("echo", receiver.recv()).await.unwrap().unwrap();
    assert_eq!(echoed.kind, "echo");
}

#[tokio::test]
async fn a_closing_handler_error_reaches_the_client_with_its_code() {
    let (url, _) = serve(ServerConfig::default(), vec![TestService::default()]).await;
    let (sender, mut receiver) = connect(&url).await;
    sender.send(&msg("bye")).await.unwrap();
    let error_reply = within("error reply", receiver.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(error_reply.kind, "error");
    match within("close", receiver.recv()).await {
        Some(Err(Error::Closed(close))) => assert_eq!(close, Close::new(4000, "bye now")),
        other => panic!("expected the close, got {other:?}"),
    }
    assert!(within("end", receiver.recv()).await.is_none());
    assert!(sender.is_closed());
    match sender.request(&spec("echo"), msg("echo")).await {
        Err(Error::Closed(close)) => assert_eq!(close.code, 4000),
        other => panic!("{other:?}"),
    }
}

/// A raw client that asks for a flood and reads nothing for a while; then
/// what it reads: how many messages, and the close frame if one came.
async fn flood(url: &str, pause: Duration) -> (usize, Option<Close>) {
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    futures_util::SinkExt::send(&mut socket, Frame::text(r#"{"kind":"flood"}"#))
        .await
        .unwrap();
    tokio::time::sleep(pause).await;
    let mut count = 0;
    loop {
        let next = tokio::time::timeout(Duration::from_millis(500), socket.next()).await;
        match next {
            Ok(Some(Ok(Frame::Text(_)))) => count += 1,
            Ok(Some(Ok(Frame::Close(frame)))) => {
                return (
                    count,
                    frame.map(|f| Close::new(u16::from(f.code), f.reason.to_string())),
                )
            }
            Ok(Some(Ok(_))) => {}
            // Quiet for half a second: the flood is over.
            Err(_) | Ok(None) | Ok(Some(Err(_))) => return (count, None),
        }
    }
}

#[tokio::test]
async fn a_client_that_does_not_read_is_closed_with_1008() {
    let config = ServerConfig {
        outgoing_capacity: 8,
        when_full: WhenFull::Close,
        ..ServerConfig::default()
    };
    let (url, handle) = serve(config, vec![TestService::default()]).await;
    let (count, close) = within("flood", flood(&url, Duration::from_millis(500))).await;
    let close = close.expect("a close frame");
    assert_eq!(close.code, 1008, "{close}");
    assert!(close.reason.contains("does not read"), "{close}");
    assert!(count < FLOOD, "{count}");
    // Others are served.
    let (sender, _receiver) = connect(&url).await;
    within("echo", sender.request(&spec("echo"), msg("echo")))
        .await
        .unwrap();
    assert_eq!(handle.connection_count(), 1);
}

#[tokio::test]
async fn the_drop_policy_keeps_the_connection() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let config = ServerConfig {
        outgoing_capacity: 8,
        when_full: WhenFull::Drop,
        ..ServerConfig::default()
    };
    let service = TestService {
        dropped: dropped.clone(),
        ..TestService::default()
    };
    let (url, _) = serve(config, vec![service]).await;
    let (count, close) = within("flood", flood(&url, Duration::from_millis(500))).await;
    assert_eq!(close, None);
    assert!(count > 0);
    assert!(dropped.load(Ordering::Relaxed) > 0);
    assert_eq!(count + dropped.load(Ordering::Relaxed), FLOOD);
}

#[tokio::test]
async fn groups_and_broadcasts() {
    let service = TestService::default();
    let handle = service.channel.clone();
    let (url, _) = serve(ServerConfig::default(), vec![service]).await;
    let (a, mut a_rx) = connect(&url).await;
    let (b, mut b_rx) = connect(&url).await;
    let (c, _c_rx) = connect(&url).await;
    for sender in [&a, &b] {
        let joined = sender.request(&spec("join"), msg("join")).await.unwrap();
        assert_eq!(joined.kind, "joined");
    }
    assert_eq!(handle.group_size("room"), 2);
    assert_eq!(handle.groups(), ["room"]);
    assert_eq!(handle.members("room").len(), 2);
    assert_eq!(handle.connections().len(), 3);
    let said = c.request(&spec("say"), msg("say")).await.unwrap();
    assert_eq!(said.text.as_deref(), Some("2"));
    for rx in [&mut a_rx, &mut b_rx] {
        assert_eq!(
            within("heard", rx.recv()).await.unwrap().unwrap().kind,
            "heard"
        );
    }
    let everyone = handle.broadcast("room", msg("news")).await.unwrap();
    assert_eq!(everyone, 2);
    for rx in [&mut a_rx, &mut b_rx] {
        assert_eq!(
            within("news", rx.recv()).await.unwrap().unwrap().kind,
            "news"
        );
    }
    // To one connection by id; to the others of a group.
    let [first, _] = handle.members("room")[..] else {
        panic!("two members")
    };
    handle.send_to(first, msg("direct")).await.unwrap();
    let others = handle
        .broadcast_except("room", first, msg("aside"))
        .await
        .unwrap();
    assert_eq!(others, 1);
    let mut got = Vec::new();
    for rx in [&mut a_rx, &mut b_rx] {
        got.push(
            within("direct or aside", rx.recv())
                .await
                .unwrap()
                .unwrap()
                .kind,
        );
    }
    got.sort();
    assert_eq!(got, ["aside", "direct"]);
    assert!(handle
        .send_to(ConnectionId(u64::MAX), msg("nobody"))
        .await
        .is_err());

    a.close(Close::new(Close::NORMAL, "")).await.unwrap();
    within("a to leave", async {
        while handle.group_size("room") != 1 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    drop(b);
}

#[tokio::test]
async fn channels_are_routed_by_path_with_parameters() {
    let services = vec![
        TestService {
            address: Some("/rooms/{room}"),
            ..TestService::default()
        },
        TestService {
            address: Some("/lobby"),
            ..TestService::default()
        },
    ];
    let (url, _) = serve(ServerConfig::default(), services).await;
    let (room, _rx) = connect(&format!("{url}/rooms/42")).await;
    let reply = room.request(&spec("echo"), msg("echo")).await.unwrap();
    assert_eq!(reply.text.as_deref(), Some("room 42"));
    let (lobby, _rx) = connect(&format!("{url}/lobby")).await;
    assert_eq!(
        lobby
            .request(&spec("echo"), msg("echo"))
            .await
            .unwrap()
            .text,
        None
    );

    for (path, status, why) in [
        ("/rooms/abc", "400", "room `abc` is not a number"),
        ("/nowhere", "404", "no channel at `/nowhere`"),
    ] {
        let error = client::connect::<Msg, Msg>(&format!("{url}{path}"), ClientConfig::default())
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(status) && error.contains(why),
            "{path}: {error}"
        );
    }

    let overlap = Server::builder()
        .channel(TestService {
            address: Some("/rooms/{room}"),
            ..TestService::default()
        })
        .channel(TestService {
            address: Some("/rooms/{other}"),
            ..TestService::default()
        })
        .bind("127.0.0.1:0")
        .await
        .unwrap_err();
    assert!(matches!(overlap, ServeError::Overlap(..)), "{overlap}");
    let none = Server::builder().bind("127.0.0.1:0").await.unwrap_err();
    assert!(matches!(none, ServeError::NoChannel));
}

#[tokio::test]
async fn idle_clients_are_closed_and_shutdown_is_graceful() {
    let config = ServerConfig {
        ping_interval: None,
        idle_timeout: Some(Duration::from_millis(300)),
        ..ServerConfig::default()
    };
    let (url, _) = serve(config, vec![TestService::default()]).await;
    let quiet = ClientConfig::default().with_ping_interval(None);
    let (_sender, mut receiver) = client::connect::<Msg, Msg>(&url, quiet).await.unwrap();
    match within("idle close", receiver.recv()).await {
        Some(Err(Error::Closed(close))) => assert_eq!(close.code, 1008, "{close}"),
        other => panic!("{other:?}"),
    }

    let server = Server::builder()
        .channel(TestService::default())
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let url = format!("ws://{}", server.local_addr());
    let handle = server.handle();
    let running = tokio::spawn(server.run());
    let (_sender, mut receiver) = connect(&url).await;
    handle.shutdown();
    match within("shutdown close", receiver.recv()).await {
        Some(Err(Error::Closed(close))) => assert_eq!(close.code, 1001, "{close}"),
        other => panic!("{other:?}"),
    }
    within("run to return", running).await.unwrap().unwrap();
    assert!(client::connect::<Msg, Msg>(&url, ClientConfig::default())
        .await
        .is_err());
}
