//! The chat service of `specs/chat.yaml` on the wire, as independent clients
//! see it (raw WebSocket frames and HTTP requests over loopback), served
//! both by the runtime's own server and mounted in axum: rooms, typing,
//! history, handshake authentication, validation before the handler, the
//! announcement endpoint and the served contract (which `tests/contract.rs`
//! also runs through `@asyncapi/parser`).

#[path = "chat/harness.rs"]
mod harness;

use harness::{connect, http, join, start, Auth, Mount, ADMIN};
use serde_json::{json, Value};
use std::time::Duration;

const MOUNTS: [Mount; 2] = [Mount::Standalone, Mount::Axum];

fn chat(message: &str) -> Value {
    json!({"action": "chat", "payload": {"message": message}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_typing_and_history_reach_exactly_their_members() {
    for mount in MOUNTS {
        let server = start(mount).await;
        let mut alice = join(&server, "alice", "general").await;
        assert_eq!(
            alice.recv().await,
            json!({"action": "user_joined", "payload": {"user": "alice"}}),
            "{mount:?}: the newcomer is told it joined"
        );
        let mut bob = join(&server, "bob", "general").await;
        assert_eq!(bob.recv().await["payload"]["user"], "bob");
        assert_eq!(
            alice.recv().await,
            json!({"action": "user_joined", "payload": {"user": "bob"}})
        );
        let mut carol = join(&server, "carol", "random").await;
        assert_eq!(carol.recv().await["payload"]["user"], "carol");

        // 1,000 messages from each member of `general`, sent concurrently
        // with carol's in `random`: everyone gets exactly its room's, in the
        // order each sender sent them, and nothing else. Each member reads
        // in its own task while the others send.
        const N: usize = 1000;
        let read = |name: &'static str, mut ws: harness::Ws, senders: &'static [&'static str]| {
            tokio::spawn(async move {
                let mut next = vec![0usize; senders.len()];
                for _ in 0..N * senders.len() {
                    let frame = ws.recv().await;
                    assert_eq!(
                        frame["action"], "chat_notification",
                        "{mount:?} {name}: {frame}"
                    );
                    let text = frame["payload"]["message"].as_str().unwrap();
                    let sender = senders
                        .iter()
                        .position(|s| text.starts_with(s))
                        .unwrap_or_else(|| panic!("{mount:?} {name} got another room's {text}"));
                    assert_eq!(
                        text,
                        format!("{}{}", senders[sender], next[sender]),
                        "{mount:?} {name}: order"
                    );
                    next[sender] += 1;
                    let user = frame["payload"]["user"].as_str().unwrap();
                    assert_eq!(
                        &user[..1],
                        senders[sender],
                        "{mount:?}: the sender's identity"
                    );
                    assert!(frame["payload"]["sent_at"].as_str().is_some());
                }
                ws.nothing_for(Duration::from_millis(100)).await;
                ws
            })
        };
        let (alice_tx, bob_tx, carol_tx) = (alice.sender(), bob.sender(), carol.sender());
        let readers = [
            read("alice", alice, &["a", "b"]),
            read("bob", bob, &["a", "b"]),
            read("carol", carol, &["c"]),
        ];
        for i in 0..N {
            alice_tx.send(chat(&format!("a{i}"))).await;
            bob_tx.send(chat(&format!("b{i}"))).await;
            carol_tx.send(chat(&format!("c{i}"))).await;
        }
        let [alice, bob, carol] = readers;
        let (mut alice, mut bob, mut carol) = (
            alice.await.unwrap(),
            bob.await.unwrap(),
            carol.await.unwrap(),
        );

        // Typing reaches the others only.
        alice.send_json(json!({"action": "typing"})).await;
        assert_eq!(
            bob.recv().await,
            json!({"action": "user_typing", "payload": {"user": "alice"}})
        );
        alice.nothing_for(Duration::from_millis(200)).await;
        carol.nothing_for(Duration::from_millis(10)).await;

        // History: the room's last messages, oldest first, with the id.
        alice
            .send_json(json!({"action": "history", "id": "h-7", "payload": {"limit": 3}}))
            .await;
        let result = alice.recv().await;
        assert_eq!(result["action"], "history_result", "{result}");
        assert_eq!(result["id"], "h-7");
        let texts: Vec<&str> = result["payload"]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["message"].as_str().unwrap())
            .collect();
        assert_eq!(texts.len(), 3);
        // The room's order interleaves a and b; its last message is one of
        // the two last ones sent.
        assert!(
            texts[2] == format!("a{}", N - 1) || texts[2] == format!("b{}", N - 1),
            "{texts:?}"
        );
        carol
            .send_json(json!({"action": "history", "id": "mine", "payload": {"limit": 100}}))
            .await;
        let result = carol.recv().await;
        assert_eq!(result["id"], "mine");
        let messages = result["payload"]["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 100);
        assert_eq!(messages[0]["message"], format!("c{}", N - 100));
        assert_eq!(messages[99]["message"], format!("c{}", N - 1));

        // Ping.
        bob.send_json(json!({"action": "ping"})).await;
        assert_eq!(bob.recv().await, json!({"action": "pong"}));

        // Leaving tells the others.
        bob.close().await;
        assert_eq!(
            alice.recv().await,
            json!({"action": "user_left", "payload": {"user": "bob"}})
        );
        carol.nothing_for(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_handshake_is_authenticated_by_either_scheme() {
    for mount in MOUNTS {
        let server = start(mount).await;
        let (status, _) = connect(&server, "/chat/general", Auth::None)
            .await
            .err()
            .unwrap_or_else(|| panic!("admitted: {}", "refused without a token"));
        assert_eq!(status, 401, "{mount:?}: no token");
        let (status, body) = connect(&server, "/chat/general", Auth::Bearer("nope"))
            .await
            .err()
            .unwrap_or_else(|| panic!("admitted: {}", "refused with a wrong token"));
        assert_eq!(status, 401, "{mount:?}: wrong token: {body}");
        let (status, _) = connect(&server, "/chat/general", Auth::Query("nope"))
            .await
            .err()
            .unwrap_or_else(|| panic!("admitted: {}", "refused with a wrong query token"));
        assert_eq!(status, 401, "{mount:?}: wrong query token");

        let mut by_header = connect(&server, "/chat/general", Auth::Bearer("token-alice"))
            .await
            .expect("a bearer token admits");
        assert_eq!(by_header.recv().await["payload"]["user"], "alice");
        let mut by_query = connect(&server, "/chat/general", Auth::Query("token-bob"))
            .await
            .expect("a query token admits");
        assert_eq!(by_query.recv().await["payload"]["user"], "bob");

        let (status, body) = connect(&server, "/chat/Not_A_Room", Auth::Bearer("token-alice"))
            .await
            .err()
            .unwrap_or_else(|| panic!("admitted: {}", "a bad room name is refused"));
        assert_eq!(status, 400, "{mount:?}: bad room: {body}");
        let (status, _) = connect(&server, "/elsewhere", Auth::Bearer("token-alice"))
            .await
            .err()
            .unwrap_or_else(|| panic!("admitted: {}", "an unknown path is refused"));
        assert_eq!(status, 404, "{mount:?}: unknown path");
    }
}

/// Frames that break the schema, the field the error names, and the id it
/// carries.
fn violations() -> Vec<(Value, &'static str, &'static str, Option<&'static str>)> {
    let long = "x".repeat(1001);
    let mentions: Vec<String> = (0..11).map(|i| format!("u{i}")).collect();
    vec![
        (chat(""), "invalid", "/payload/message", None),
        (chat(&long), "invalid", "/payload/message", None),
        (
            json!({"action": "chat", "payload": {"message": 7}}),
            "invalid",
            "/payload/message",
            None,
        ),
        (
            json!({"action": "chat", "payload": {}}),
            "invalid",
            "/payload/message",
            None,
        ),
        (json!({"action": "chat"}), "invalid", "/payload", None),
        (
            json!({"action": "chat", "payload": {"message": "hi", "mentions": mentions}}),
            "invalid",
            "/payload/mentions",
            None,
        ),
        (
            json!({"action": "history", "id": "h-1", "payload": {"limit": 0}}),
            "invalid",
            "/payload/limit",
            Some("h-1"),
        ),
        (
            json!({"action": "history", "id": "h-2", "payload": {"limit": 101}}),
            "invalid",
            "/payload/limit",
            Some("h-2"),
        ),
        (
            json!({"action": "history", "id": "h-3", "payload": {"limit": "ten"}}),
            "invalid",
            "/payload/limit",
            Some("h-3"),
        ),
        (
            json!({"action": "history", "id": "", "payload": {"limit": 5}}),
            "invalid",
            "/id",
            None,
        ),
        (json!({"action": "dance"}), "unknown_action", "", None),
    ]
}

#[tokio::test]
async fn frames_that_break_the_schema_get_the_error_frame_and_never_reach_the_handler() {
    for mount in MOUNTS {
        let server = start(mount).await;
        let mut alice = join(&server, "alice", "general").await;
        let mut bob = join(&server, "bob", "general").await;
        alice.recv().await; // alice joined
        alice.recv().await; // bob joined
        bob.recv().await;
        for (frame, code, field, id) in violations() {
            alice.send_json(frame.clone()).await;
            let error = alice.recv().await;
            assert_eq!(error["action"], "error", "{mount:?} {frame}: {error}");
            assert_eq!(error["payload"]["code"], code, "{mount:?} {frame}: {error}");
            assert!(error["payload"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()));
            if !field.is_empty() {
                let fields: Vec<&str> = error["payload"]["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["field"].as_str().unwrap())
                    .collect();
                assert!(fields.contains(&field), "{mount:?} {frame}: {error}");
                assert!(error["payload"]["errors"][0]["reason"].as_str().is_some());
            }
            match id {
                Some(id) => assert_eq!(error["id"], id, "{mount:?} {frame}: {error}"),
                None if frame.get("id").is_none() => {
                    assert!(error.get("id").is_none(), "{mount:?} {frame}: {error}")
                }
                None => {}
            }
        }
        // Not JSON at all.
        alice.send("{not json").await;
        let error = alice.recv().await;
        assert_eq!(error["payload"]["code"], "malformed", "{mount:?}: {error}");
        // None of them reached the handler (it would have broadcast), and
        // the connection goes on.
        bob.nothing_for(Duration::from_millis(200)).await;
        alice.send_json(chat("still here")).await;
        assert_eq!(alice.recv().await["payload"]["message"], "still here");
        assert_eq!(bob.recv().await["payload"]["message"], "still here");
    }
}

#[tokio::test]
async fn announcements_need_the_admin_token() {
    let server = start(Mount::Axum).await;
    let mut alice = join(&server, "alice", "general").await;
    let mut carol = join(&server, "carol", "random").await;
    alice.recv().await;
    carol.recv().await;
    let body = r#"{"text": "maintenance at 18:00"}"#;
    let json = ("Content-Type", "application/json");

    let refused = http(
        &server,
        "POST",
        "/chat/general/announcements",
        &[json],
        body,
    )
    .await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    let wrong = ("Authorization", "Bearer token-alice");
    let refused = http(
        &server,
        "POST",
        "/chat/general/announcements",
        &[json, wrong],
        body,
    )
    .await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    alice.nothing_for(Duration::from_millis(100)).await;

    let admin = format!("Bearer {ADMIN}");
    let admin = ("Authorization", admin.as_str());
    let accepted = http(
        &server,
        "POST",
        "/chat/general/announcements",
        &[json, admin],
        body,
    )
    .await;
    assert_eq!(accepted.status, 202, "{}", accepted.body);
    assert_eq!(
        alice.recv().await,
        json!({"action": "announcement", "payload": {"text": "maintenance at 18:00"}})
    );
    carol.nothing_for(Duration::from_millis(100)).await;

    let bad = http(
        &server,
        "POST",
        "/chat/general/announcements",
        &[json, admin],
        "{}",
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    let bad_room = http(
        &server,
        "POST",
        "/chat/No_Room/announcements",
        &[json, admin],
        body,
    )
    .await;
    assert_eq!(bad_room.status, 400, "{}", bad_room.body);
}

/// The served contract equals `specs/chat.yaml` but for `servers`, which
/// point at the address served.
#[tokio::test]
async fn the_contract_is_served_beside_the_channel() {
    let source: Value = {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/specs/chat.yaml"))
            .unwrap();
        serde_yaml::from_str(&text).unwrap()
    };
    for mount in MOUNTS {
        let server = start(mount).await;
        let json = http(&server, "GET", "/asyncapi.json", &[], "").await;
        assert_eq!(json.status, 200, "{mount:?}");
        assert!(
            json.content_type.starts_with("application/json"),
            "{}",
            json.content_type
        );
        let served: Value = serde_json::from_str(&json.body).expect("JSON");
        let yaml = http(&server, "GET", "/asyncapi.yaml", &[], "").await;
        assert_eq!(yaml.status, 200);
        let served_yaml: Value = serde_yaml::from_str(&yaml.body).expect("YAML");
        assert_eq!(served, served_yaml, "{mount:?}: JSON and YAML say the same");

        let host = served["servers"]["local"]["host"].as_str().unwrap();
        assert_eq!(
            host,
            server.addr.to_string(),
            "{mount:?}: servers point at the served address"
        );
        let mut without_servers = served.clone();
        let mut expected = source.clone();
        without_servers.as_object_mut().unwrap().remove("servers");
        expected.as_object_mut().unwrap().remove("servers");
        assert_eq!(
            without_servers, expected,
            "{mount:?}: the served document is the source"
        );

        let page = http(&server, "GET", "/asyncapi", &[], "").await;
        assert_eq!(page.status, 200);
        assert!(
            page.content_type.starts_with("text/html"),
            "{}",
            page.content_type
        );
        for name in [
            "sendChat",
            "getHistory",
            "chat_notification",
            "user_joined",
            "bearerAuth",
        ] {
            assert!(page.body.contains(name), "{mount:?}: the page names {name}");
        }
        assert!(
            page.headers
                .iter()
                .any(|(name, value)| name == "content-security-policy"
                    && value.contains("default-src 'none'")),
            "{mount:?}: the page may load nothing from elsewhere: {:?}",
            page.headers
        );

        let missing = http(&server, "GET", "/nothing-here", &[], "").await;
        assert_eq!(missing.status, 404);
    }
}
