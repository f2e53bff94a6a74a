//! What the runtime's loopback tests share: a hand-written message type
//! (`Msg`, both ways), a test service, and helpers to serve and connect with
//! a deadline.

// Each test file uses a part of this module.
#![allow(dead_code)]

use asyncapi_runtime::client::{self, ClientConfig, RequestSpec};
use asyncapi_runtime::dispatch::{self, Checker, Kind, Miss, Seg, Selection};
use asyncapi_runtime::message::{Correlation, IdKind, Message};
use asyncapi_runtime::security::{Credential, Scheme};
use asyncapi_runtime::server::{
    ChannelHandle, Context, Disconnect, FrameError, HandlerError, Handshake, PathParams, Refusal,
    Server, ServerConfig, ServerHandle, Service,
};
use asyncapi_runtime::{Close, DecodeError};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const DEADLINE: Duration = Duration::from_secs(20);
/// How many 16 KiB messages a flood pushes: far more than socket buffers hold.
pub const FLOOD: usize = 2_000;

pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(DEADLINE, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: nothing within {DEADLINE:?}"))
}

/// The one message type of the test channel, both ways.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Msg {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

pub fn msg(kind: &str) -> Msg {
    Msg {
        kind: kind.into(),
        id: None,
        text: None,
    }
}

pub const ID: &[Seg] = &[Seg::Key("id")];
fn check(checker: &mut Checker<'_>, _: usize) -> Result<(), Miss> {
    checker.kind(&[], Kind::Object)
}

/// The one message's selection: an object.
pub static SELECTION: Selection = Selection {
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
/// pushed from a task; `join`/`say` → the group `room`; `sub`/`unsub` →
/// `subscribed`/`unsubscribed` (with the message's text), `maintenance` →
/// a `maintenance` message, then a normal close. Every message received is
/// noted in `seen` (its kind and text).
#[derive(Default)]
pub struct TestService {
    pub address: Option<&'static str>,
    pub dropped: Arc<AtomicUsize>,
    pub seen: Arc<Mutex<Vec<String>>>,
    pub channel: ChannelHandle<Msg>,
}

impl Service for TestService {
    type Incoming = Msg;
    type Outgoing = Msg;
    type Params = Option<u64>;
    type Identity = ();
    type State = ();

    fn address(&self) -> Option<&'static str> {
        self.address
    }

    fn security(&self) -> &'static [Scheme] {
        &[]
    }

    async fn authenticate(
        &self,
        _handshake: &Handshake<'_>,
        _params: &Option<u64>,
        _credential: Option<Credential<'_>>,
    ) -> Result<(), Refusal> {
        Ok(())
    }

    fn channel(&self) -> &ChannelHandle<Msg> {
        &self.channel
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
        let noted = format!("{} {}", message.kind, message.text.as_deref().unwrap_or(""));
        self.seen.lock().unwrap().push(noted.trim_end().to_owned());
        match message.kind.as_str() {
            "sub" | "unsub" => Ok(vec![Msg {
                kind: format!("{}scribed", message.kind),
                id: None,
                text: message.text,
            }]),
            "maintenance" => {
                ctx.reply(msg("maintenance")).await?;
                ctx.close(Close::new(Close::NORMAL, "maintenance"));
                Ok(Vec::new())
            }
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

pub async fn serve(
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

/// A server on its own runtime and thread, which can be killed as a process
/// is: every task dropped, every socket closed without a close frame.
pub struct Killable {
    /// Its `ws://` URL.
    pub url: String,
    /// Its handle.
    pub handle: ServerHandle,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Killable {
    /// Serves `services` on `addr` (a port of 0: one the OS picks).
    pub fn serve(addr: &str, config: ServerConfig, services: Vec<TestService>) -> Killable {
        let addr = addr.to_owned();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let (url, handle) = runtime.block_on(async move {
                let mut builder = Server::builder().config(config);
                for service in services {
                    builder = builder.channel(service);
                }
                let server = builder.bind(addr).await.unwrap();
                let url = format!("ws://{}", server.local_addr());
                let handle = server.handle();
                tokio::spawn(server.run());
                (url, handle)
            });
            Killable {
                url,
                handle,
                runtime: Some(runtime),
            }
        })
        .join()
        .unwrap()
    }

    /// The address it listens on, `127.0.0.1:port`.
    pub fn addr(&self) -> &str {
        self.url.trim_start_matches("ws://")
    }

    /// Kills it.
    pub fn kill(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Drop for Killable {
    fn drop(&mut self) {
        self.kill();
    }
}

pub async fn connect(url: &str) -> (client::Sender<Msg, Msg>, client::Receiver<Msg>) {
    within(
        "connect",
        client::connect::<Msg, Msg>(url, ClientConfig::default()),
    )
    .await
    .unwrap()
}

pub fn spec(name: &'static str) -> RequestSpec<Msg, Msg> {
    RequestSpec {
        name,
        correlated: true,
        accepts: |_| true,
        reply: Ok,
    }
}
