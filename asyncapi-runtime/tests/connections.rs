//! The runtime's client and server over loopback, with a hand-written
//! message type and service: request/reply and timeouts, close codes, slow
//! clients under each queue policy, groups and broadcasts, routing by path
//! and parameters, idle connections, graceful shutdown.

use asyncapi_runtime::client::{self, ClientConfig, Error, RequestSpec};
use asyncapi_runtime::dispatch::{self, Checker, Kind, Miss, Seg, Selection};
use asyncapi_runtime::message::{Correlation, IdKind, Message};
use asyncapi_runtime::server::{
    Context, Disconnect, FrameError, HandlerError, PathParams, ServeError, Server, ServerConfig,
    Service, WhenFull,
};
use asyncapi_runtime::{Close, DecodeError};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message as Frame;

const DEADLINE: Duration = Duration::from_secs(20);
/// How many 16 KiB messages a flood pushes: far more than socket buffers hold.
const FLOOD: usize = 2_000;

async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(DEADLINE, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: nothing within {DEADLINE:?}"))
}

/// The one message type of the test channel, both ways.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Msg {
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

fn msg(kind: &str) -> Msg {
    Msg {
        kind: kind.into(),
        id: None,
        text: None,
    }
}

const ID: &[Seg] = &[Seg::Key("id")];
fn check(checker: &mut Checker<'_>, _: usize) -> Result<(), Miss> {
    checker.kind(&[], Kind::Object)
}
static SELECTION: Selection = Selection {
    enum_name: "Msg",
    variants: &["Msg"],
    places: &[],
    check,
};

impl Message for Msg {
    const ENUM_NAME: &'static str = "Msg";
    const CORRELATION_PATHS: &'static [&'static [Seg]] = &[ID];

    fn from_json(frame: &str) -> Result<Self, DecodeError> {
        // Object frames are tried as the one message; others take the slow path.
        let picked = u64::from(dispatch::first_byte(frame) == b'{');
        dispatch::decode_str(frame, picked, &SELECTION, |_, de| Msg::deserialize(de))
    }

    fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    fn to_value(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::to_value(self)
    }

    fn variant_name(&self) -> &'static str {
        "Msg"
    }

    fn correlation(&self) -> Option<Correlation> {
        Some(Correlation {
            path: ID,
            kind: IdKind::Integer,
        })
    }
}

/// What the test service does, by message kind:
/// `echo` → an `echo` reply; `ignore` → nothing; `fail` → an error;
/// `bye` → an error that closes with 4000; `flood` → [`FLOOD`] big messages
/// pushed from a task; `join`/`say` → the group `room`.
#[derive(Default)]
struct TestService {
    address: Option<&'static str>,
    dropped: Arc<AtomicUsize>,
}

impl Service for TestService {
    type Incoming = Msg;
    type Outgoing = Msg;
    type Params = Option<u64>;

    fn address(&self) -> Option<&'static str> {
        self.address
    }

    fn parse_params(&self, params: &PathParams) -> Result<Option<u64>, String> {
        match params.get("room") {
            None => Ok(None),
            Some(room) => room
                .parse()
                .map(Some)
                .map_err(|_| format!("room `{room}` is not a number")),
        }
    }

    async fn on_connect(&self, _ctx: &Context<Msg, Option<u64>>) -> Result<(), HandlerError> {
        Ok(())
    }

    async fn on_disconnect(&self, _ctx: &Context<Msg, Option<u64>>, _reason: &Disconnect) {}

    async fn handle(
        &self,
        ctx: &Context<Msg, Option<u64>>,
        message: Msg,
    ) -> Result<Vec<Msg>, HandlerError> {
        match message.kind.as_str() {
            "echo" => Ok(vec![Msg {
                kind: "echo".into(),
                id: None,
                text: message
                    .text
                    .or_else(|| ctx.params().map(|room| format!("room {room}"))),
            }]),
            "ignore" => Ok(Vec::new()),
            "fail" => Err(HandlerError::new("it failed")),
            "bye" => Err(HandlerError::closing("bye", Close::new(4000, "bye now"))),
            "flood" => {
                let ctx = ctx.clone();
                let dropped = self.dropped.clone();
                tokio::spawn(async move {
                    let big = "x".repeat(16 << 10);
                    for _ in 0..FLOOD {
                        let message = Msg {
                            kind: "flood".into(),
                            id: None,
                            text: Some(big.clone()),
                        };
                        match ctx.send(message).await {
                            Ok(()) => {}
                            Err(asyncapi_runtime::server::SendError::Dropped) => {
                                dropped.fetch_add(1, Ordering::Relaxed);
                            }
                            Err(_) => return,
                        }
                    }
                });
                Ok(Vec::new())
            }
            "join" => {
                ctx.join("room");
                Ok(vec![msg("joined")])
            }
            "say" => {
                let heard = ctx.broadcast_others("room", msg("heard")).await?;
                Ok(vec![Msg {
                    kind: "said".into(),
                    id: None,
                    text: Some(heard.to_string()),
                }])
            }
            other => Err(HandlerError::new(format!("unknown kind {other}"))),
        }
    }

    fn error_reply(&self, _ctx: &Context<Msg, Option<u64>>, error: &FrameError) -> Option<Msg> {
        Some(Msg {
            kind: "error".into(),
            id: None,
            text: Some(error.to_string()),
        })
    }
}

async fn serve(
    config: ServerConfig,
    services: Vec<TestService>,
) -> (String, asyncapi_runtime::server::ServerHandle) {
    let mut builder = Server::builder().config(config);
    for service in services {
        builder = builder.channel(service);
    }
    let server = builder.bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", server.local_addr());
    let handle = server.handle();
    tokio::spawn(server.run());
    (url, handle)
}

async fn connect(url: &str) -> (client::Sender<Msg, Msg>, client::Receiver<Msg>) {
    within(
        "connect",
        client::connect::<Msg, Msg>(url, ClientConfig::default()),
    )
    .await
    .unwrap()
}

fn spec(name: &'static str) -> RequestSpec<Msg, Msg> {
    RequestSpec {
        name,
        correlated: true,
        accepts: |_| true,
        reply: Ok,
    }
}

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
    let (url, handle) = serve(ServerConfig::default(), vec![TestService::default()]).await;
    let (a, mut a_rx) = connect(&url).await;
    let (b, mut b_rx) = connect(&url).await;
    let (c, _c_rx) = connect(&url).await;
    for sender in [&a, &b] {
        let joined = sender.request(&spec("join"), msg("join")).await.unwrap();
        assert_eq!(joined.kind, "joined");
    }
    assert_eq!(handle.group_size("room"), 2);
    let said = c.request(&spec("say"), msg("say")).await.unwrap();
    assert_eq!(said.text.as_deref(), Some("2"));
    for rx in [&mut a_rx, &mut b_rx] {
        assert_eq!(
            within("heard", rx.recv()).await.unwrap().unwrap().kind,
            "heard"
        );
    }
    let everyone = handle.broadcast("room", &msg("news")).await.unwrap();
    assert_eq!(everyone, 2);
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
