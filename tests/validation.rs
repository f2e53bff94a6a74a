//! Validation before the handler, over loopback, with the generator fixture
//! `validated.yaml` (a chat-shaped channel whose `error` message carries
//! `x-asyncapi-rs-error`): each constraint a frame breaks gets the `error`
//! frame naming the field, with the request's correlation id when the
//! frame had one; the handler is not called; the connection goes on.

#![deny(warnings)]

mod validated {
    asyncapi_runtime::include_api!("validated");
}

use asyncapi_runtime::server::{HandlerError, Replies, Server, ServerConfig};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message as Frame;
use validated::{types, Context, Handler, Service};

#[derive(Default)]
struct Chat {
    handled: AtomicUsize,
}

impl Handler for Arc<Chat> {
    async fn on_connect(&self, ctx: &Context) -> Result<(), HandlerError> {
        ctx.join(&ctx.params().room);
        Ok(())
    }

    async fn ping(
        &self,
        _: &Context,
        _: types::Ping,
    ) -> Result<Replies<types::Pong>, HandlerError> {
        self.handled.fetch_add(1, Ordering::SeqCst);
        Ok(types::Pong::default().into())
    }

    async fn chat(&self, ctx: &Context, message: types::Chat) -> Result<(), HandlerError> {
        self.handled.fetch_add(1, Ordering::SeqCst);
        ctx.send(types::ChatNotification {
            action: Default::default(),
            payload: types::ChatNotificationPayload {
                message: message.payload.message.to_string(),
            },
        })
        .await?;
        Ok(())
    }

    async fn history(
        &self,
        _: &Context,
        message: types::History,
    ) -> Result<Replies<types::HistoryResult>, HandlerError> {
        self.handled.fetch_add(1, Ordering::SeqCst);
        Ok(types::HistoryResult {
            action: Default::default(),
            id: message.id,
            payload: types::HistoryResultPayload {
                count: i64::try_from(message.payload.limit.get()).unwrap_or(i64::MAX),
            },
        }
        .into())
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const DEADLINE: Duration = Duration::from_secs(20);

async fn start(config: ServerConfig) -> (Arc<Chat>, Socket) {
    let (chat, _, socket) = start_with_handle(config).await;
    (chat, socket)
}

async fn start_with_handle(config: ServerConfig) -> (Arc<Chat>, validated::Handle, Socket) {
    let chat = Arc::new(Chat::default());
    let service = Service::new(chat.clone());
    let handle = service.handle();
    let server = Server::builder()
        .config(config)
        .channel(service)
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let url = format!("ws://{}/chat/lobby", server.local_addr());
    tokio::spawn(server.run());
    let (socket, _) = tokio::time::timeout(DEADLINE, tokio_tungstenite::connect_async(url))
        .await
        .expect("connects in time")
        .expect("connects");
    (chat, handle, socket)
}

/// Sends `frame`, returns the frame the server answers with.
async fn exchange(socket: &mut Socket, frame: &str) -> Value {
    socket.send(Frame::text(frame)).await.unwrap();
    loop {
        let next = tokio::time::timeout(DEADLINE, socket.next())
            .await
            .unwrap_or_else(|_| panic!("no answer to {frame}"))
            .expect("the connection stays open")
            .expect("a frame");
        if let Frame::Text(text) = next {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

fn fields(error: &Value) -> Vec<&str> {
    error["payload"]["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {error}"))
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn every_constraint_gets_the_error_frame_naming_its_field() {
    let (chat, mut socket) = start(ServerConfig::default()).await;
    let long = "x".repeat(1001);
    let eleven: Vec<String> = (0..11).map(|i| format!("u{i}")).collect();
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "minLength",
            json!({"action": "chat", "payload": {"message": ""}}),
            "/payload/message",
        ),
        (
            "maxLength",
            json!({"action": "chat", "payload": {"message": long}}),
            "/payload/message",
        ),
        (
            "required",
            json!({"action": "chat", "payload": {}}),
            "/payload/message",
        ),
        (
            "pattern",
            json!({"action": "chat", "payload": {"message": "hi", "mentions": ["Bob!"]}}),
            "/payload/mentions/0",
        ),
        (
            "maxItems",
            json!({"action": "chat", "payload": {"message": "hi", "mentions": eleven}}),
            "/payload/mentions",
        ),
        (
            "minimum",
            json!({"action": "history", "id": "h1", "payload": {"limit": 0}}),
            "/payload/limit",
        ),
        (
            "maximum",
            json!({"action": "history", "id": "h2", "payload": {"limit": 101}}),
            "/payload/limit",
        ),
        (
            "enum",
            json!({"action": "history", "id": "h3", "payload": {"limit": 5, "order": "random"}}),
            "/payload/order",
        ),
        (
            "type",
            json!({"action": "history", "id": "h4", "payload": {"limit": "ten"}}),
            "/payload/limit",
        ),
    ];
    for (constraint, frame, field) in cases {
        let error = exchange(&mut socket, &frame.to_string()).await;
        assert_eq!(error["action"], "error", "{constraint}: {error}");
        assert_eq!(error["payload"]["code"], "invalid", "{constraint}: {error}");
        assert_eq!(fields(&error), [field], "{constraint}: {error}");
        let reason = error["payload"]["errors"][0]["reason"].as_str().unwrap();
        assert!(!reason.is_empty(), "{constraint}: {error}");
        // The request's correlation id, when it had one.
        assert_eq!(error.get("id"), frame.get("id"), "{constraint}: {error}");
        let message = error["payload"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{constraint}: {message}");
    }
    // Several violations at once: each named.
    let both = json!({"action": "chat", "payload": {"message": "", "mentions": eleven}});
    let error = exchange(&mut socket, &both.to_string()).await;
    let mut named = fields(&error);
    named.sort_unstable();
    assert_eq!(named, ["/payload/mentions", "/payload/message"], "{error}");
    assert_eq!(
        chat.handled.load(Ordering::SeqCst),
        0,
        "no invalid frame reached the handler"
    );

    // Frames that are no message, or not JSON: their own codes.
    let unknown = exchange(&mut socket, r#"{"action":"dance","id":"d1"}"#).await;
    assert_eq!(unknown["payload"]["code"], "unknown_action", "{unknown}");
    assert_eq!(unknown["id"], "d1", "{unknown}");
    assert_eq!(fields(&unknown), Vec::<&str>::new());
    let malformed = exchange(&mut socket, "{not json").await;
    assert_eq!(malformed["payload"]["code"], "malformed", "{malformed}");
    assert_eq!(chat.handled.load(Ordering::SeqCst), 0);

    // The connection goes on: valid frames are handled.
    let said = exchange(
        &mut socket,
        r#"{"action":"chat","payload":{"message":"hi","mentions":["bob"]}}"#,
    )
    .await;
    assert_eq!(said["action"], "chat_notification", "{said}");
    let history = exchange(
        &mut socket,
        r#"{"action":"history","id":"h9","payload":{"limit":100,"order":"newest"}}"#,
    )
    .await;
    assert_eq!(
        history,
        json!({"action": "history_result", "id": "h9", "payload": {"count": 100}})
    );
    assert_eq!(
        exchange(&mut socket, r#"{"action":"ping"}"#).await,
        json!({"action": "pong"})
    );
    assert_eq!(chat.handled.load(Ordering::SeqCst), 3);
}

/// With validation off, a frame that decodes reaches the handler even if it
/// breaks a constraint the types do not hold (here: `maxItems`); one that
/// does not decode is still `invalid`.
#[tokio::test]
async fn validation_can_be_turned_off() {
    let config = ServerConfig {
        validate: false,
        ..ServerConfig::default()
    };
    let (chat, mut socket) = start(config).await;
    let eleven: Vec<String> = (0..11).map(|i| format!("u{i}")).collect();
    let frame = json!({"action": "chat", "payload": {"message": "hi", "mentions": eleven}});
    let said = exchange(&mut socket, &frame.to_string()).await;
    assert_eq!(said["action"], "chat_notification", "{said}");
    assert_eq!(chat.handled.load(Ordering::SeqCst), 1);
    let error = exchange(&mut socket, r#"{"action":"chat","payload":{"message":""}}"#).await;
    assert_eq!(error["payload"]["code"], "invalid", "{error}");
    assert_eq!(chat.handled.load(Ordering::SeqCst), 1);
}

/// The channel's handle, taken from the service before the server runs,
/// sends to a group and to one connection from outside any handler.
#[tokio::test]
async fn the_handle_sends_from_outside_the_connection() {
    let (_, handle, mut socket) = start_with_handle(ServerConfig::default()).await;
    // The connection joins its room in `on_connect`; a ping makes sure it ran.
    assert_eq!(
        exchange(&mut socket, r#"{"action":"ping"}"#).await,
        json!({"action": "pong"})
    );
    assert_eq!(handle.groups(), ["lobby"]);
    let members = handle.members("lobby");
    assert_eq!(members, handle.connections());
    let notice = |text: &str| types::ChatNotification {
        action: Default::default(),
        payload: types::ChatNotificationPayload {
            message: text.into(),
        },
    };
    assert_eq!(
        handle.broadcast("lobby", notice("to all")).await.unwrap(),
        1
    );
    assert_eq!(
        handle.broadcast("attic", notice("to none")).await.unwrap(),
        0
    );
    handle.send_to(members[0], notice("to you")).await.unwrap();
    for text in ["to all", "to you"] {
        let next = tokio::time::timeout(DEADLINE, socket.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let value: Value = serde_json::from_str(next.to_text().unwrap()).unwrap();
        assert_eq!(value["payload"]["message"], text);
    }
    socket.close(None).await.unwrap();
    tokio::time::timeout(DEADLINE, async {
        while !handle.connections().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the connection leaves the channel");
    assert!(handle.groups().is_empty());
}
