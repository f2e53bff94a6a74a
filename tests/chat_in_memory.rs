//! The chat service tested the way Chanx users test consumers with
//! `WebsocketCommunicator`: in memory, without sockets, through the
//! runtime's `TestServer`/`TestClient` (same handshake, authentication and
//! validation as the real server), with typed messages.

use asyncapi_runtime::server::testing::{TestClient, TestServer};
use asyncapi_runtime::server::StatusCode;
use asyncapi_showcase::chat::{self, types, ServerMessage, Service};
use asyncapi_showcase::chat_app::{ChatApp, Users};

type Chat = Service<ChatApp>;

async fn member(server: &TestServer<Chat>, name: &str, room: &str) -> TestClient<Chat> {
    server
        .request(&format!("/chat/{room}"))
        .credential(chat::security::BEARER_AUTH.with(format!("token-{name}")))
        .connect()
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn joined(message: &ServerMessage) -> Option<&str> {
    match message {
        ServerMessage::UserJoined(m) => Some(&m.payload.user),
        _ => None,
    }
}

#[tokio::test]
async fn members_talk_in_memory() {
    let server = TestServer::new(Service::new(ChatApp::new(Users::demo())));
    let mut alice = member(&server, "alice", "general").await;
    let mut bob = member(&server, "bob", "general").await;
    let mut carol = member(&server, "carol", "random").await;

    let seen: Vec<_> = alice.receive_all().await.unwrap();
    assert_eq!(
        seen.iter().filter_map(joined).collect::<Vec<_>>(),
        ["alice", "bob"]
    );
    assert_eq!(
        bob.receive_all()
            .await
            .unwrap()
            .iter()
            .filter_map(joined)
            .collect::<Vec<_>>(),
        ["bob"]
    );
    carol.receive_all().await.unwrap();

    let hello = types::ChatPayload::new(types::ChatPayloadMessage::try_from("hello").unwrap());
    alice.send(types::Chat::new(hello)).await.unwrap();
    for client in [&mut alice, &mut bob] {
        match client.receive().await.unwrap() {
            ServerMessage::ChatNotification(n) => {
                assert_eq!(&*n.payload.user, "alice");
                assert_eq!(&*n.payload.message, "hello");
            }
            other => panic!("{other:?}"),
        }
    }
    carol.assert_nothing().await;

    bob.send(types::Typing::new()).await.unwrap();
    assert!(matches!(
        alice.receive().await.unwrap(),
        ServerMessage::UserTyping(_)
    ));
    bob.assert_nothing().await;

    // Broken frames are answered with the document's error frame; the
    // handler never sees them.
    bob.send_text(r#"{"action":"chat","payload":{"message":""}}"#)
        .await
        .unwrap();
    match bob.receive().await.unwrap() {
        ServerMessage::Error(e) => {
            assert_eq!(e.payload.errors[0].field, "/payload/message");
        }
        other => panic!("{other:?}"),
    }
    alice.assert_nothing().await;

    bob.close().await;
    assert!(matches!(
        alice.receive().await.unwrap(),
        ServerMessage::UserLeft(_)
    ));
}

#[tokio::test]
async fn handshakes_are_refused_in_memory() {
    let server = TestServer::new(Service::new(ChatApp::new(Users::demo())));
    let refused = server
        .connect("/chat/general")
        .await
        .err()
        .unwrap_or_else(|| panic!("admitted: {}", "no token"));
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let refused = server
        .request("/chat/general")
        .credential(chat::security::QUERY_TOKEN.with("wrong"))
        .connect()
        .await
        .err()
        .unwrap_or_else(|| panic!("admitted: {}", "a wrong token"));
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let refused = server
        .request("/chat/Bad_Room")
        .credential(chat::security::QUERY_TOKEN.with("token-alice"))
        .connect()
        .await
        .err()
        .unwrap_or_else(|| panic!("admitted: {}", "a bad room"));
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.reason.contains("room"), "{}", refused.reason);
    let mut by_query = server
        .request("/chat/general")
        .credential(chat::security::QUERY_TOKEN.with("token-alice"))
        .connect()
        .await
        .unwrap();
    assert_eq!(
        by_query
            .receive_all()
            .await
            .unwrap()
            .iter()
            .filter_map(joined)
            .collect::<Vec<_>>(),
        ["alice"]
    );
    by_query.close().await;
}
