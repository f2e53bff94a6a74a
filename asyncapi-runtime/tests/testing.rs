//! The in-memory test client (`server::testing`): connecting through the
//! request function (404, 400 refusals), typed sends and receives, all
//! pending frames, silence, and the server closing.

mod common;

use asyncapi_runtime::server::testing::{TestError, TestServer};
use asyncapi_runtime::server::StatusCode;
use common::{msg, Msg, TestService};

fn server() -> TestServer<TestService> {
    TestServer::new(TestService {
        address: Some("/rooms/{room}"),
        ..TestService::default()
    })
}

#[tokio::test]
async fn handshakes_go_through_the_request_function() {
    let server = server();
    let nowhere = server.connect("/nowhere").await.unwrap_err();
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert_eq!(nowhere.reason, "no channel at `/nowhere`");
    let bad = server.connect("/rooms/x").await.unwrap_err();
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.reason.contains("room `x` is not a number"), "{bad}");
    assert_eq!(server.handle().connection_count(), 0);
}

#[tokio::test]
async fn messages_go_both_ways_and_silence_and_closes_are_seen() {
    let server = server();
    let mut client = server.connect("/rooms/7").await.unwrap();
    client.send(msg("echo")).await.unwrap();
    let echo = client.receive().await.unwrap();
    assert_eq!(echo.text.as_deref(), Some("room 7"));
    client.assert_nothing().await;

    // Everything pending, in order: two echoes, then nothing.
    for text in ["a", "b"] {
        let mut echo = msg("echo");
        echo.text = Some(text.into());
        client.send(echo).await.unwrap();
    }
    let all: Vec<Option<String>> = client
        .receive_all()
        .await
        .unwrap()
        .into_iter()
        .map(|m: Msg| m.text)
        .collect();
    assert_eq!(all, [Some("a".to_string()), Some("b".to_string())]);
    assert!(client.receive_all().await.unwrap().is_empty());
    assert!(matches!(
        client
            .with_timeout(std::time::Duration::from_millis(50))
            .receive()
            .await,
        Err(TestError::Timeout(_))
    ));

    // A frame that is no message: the service's error reply.
    let mut client = server.connect("/rooms/7").await.unwrap();
    client.send_text("not json").await.unwrap();
    assert_eq!(client.receive().await.unwrap().kind, "error");
    assert_eq!(server.handle().connection_count(), 1);

    // A handler error that closes with 4000: the error reply, then the close.
    client.send(msg("bye")).await.unwrap();
    assert_eq!(client.receive().await.unwrap().kind, "error");
    let close = client.assert_closed().await.unwrap();
    assert_eq!(close.code, 4000);
}
