//! Serving the chat service for the wire tests, standalone or mounted in
//! axum, and talking to it as an independent client would: raw WebSocket
//! frames (tokio-tungstenite) and raw HTTP requests (hyper's client).

use asyncapi_runtime::server::{Server, ServerConfig, ServerHandle};
use asyncapi_showcase::chat;
use asyncapi_showcase::chat_app::{web, ChatApp, Users};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message as Frame};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long anything may take before a test fails (generous: CI machines
/// are loaded).
pub const DEADLINE: Duration = Duration::from_secs(20);

/// The admin token of the announcement endpoint.
pub const ADMIN: &str = "admin-secret";

/// How the chat service is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mount {
    /// The runtime's own server (`Server::builder().channel(…)`).
    Standalone,
    /// `chat_app::web::router`: the channel and the contract mounted in an
    /// axum `Router`, beside the announcement endpoint.
    Axum,
}

/// A running chat server.
pub struct Chat {
    pub addr: SocketAddr,
    stop: Option<ServerHandle>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Chat {
    fn drop(&mut self) {
        if let Some(stop) = &self.stop {
            stop.shutdown();
        }
        self.task.abort();
    }
}

/// The members: alice, bob and carol, tokens `token-<name>`.
pub fn users() -> Users {
    Users::demo()
}

/// Starts the chat service on 127.0.0.1 with a port the OS picks.
pub async fn start(mount: Mount) -> Chat {
    match mount {
        Mount::Standalone => {
            let server = Server::builder()
                .channel(chat::Service::new(ChatApp::new(users())))
                .contract(chat::CONTRACT)
                .bind("127.0.0.1:0")
                .await
                .expect("bind");
            let addr = server.local_addr();
            let stop = server.handle();
            let task = tokio::spawn(async move {
                server.run().await.expect("serve");
            });
            Chat {
                addr,
                stop: Some(stop),
                task,
            }
        }
        Mount::Axum => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let addr = listener.local_addr().unwrap();
            let app = web::router(ChatApp::new(users()), ADMIN, ServerConfig::default());
            let task = tokio::spawn(async move {
                axum::serve(listener, app).await.expect("serve");
            });
            Chat {
                addr,
                stop: None,
                task,
            }
        }
    }
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A raw WebSocket connection to the chat.
pub struct Ws {
    sink: WsSender,
    stream: futures_util::stream::SplitStream<Socket>,
}

/// The sending half of a [`Ws`], for sending from one task while another
/// reads.
#[derive(Clone)]
pub struct WsSender {
    sink: std::sync::Arc<tokio::sync::Mutex<futures_util::stream::SplitSink<Socket, Frame>>>,
}

impl WsSender {
    /// Sends a JSON value as a text frame.
    pub async fn send(&self, value: Value) {
        self.sink
            .lock()
            .await
            .send(Frame::text(value.to_string()))
            .await
            .expect("send");
    }
}

/// How a client authenticates.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    None,
    Bearer(&'a str),
    Query(&'a str),
}

/// Connects to `path` (e.g. `/chat/general`); `Err` with the HTTP status
/// and body of a refused handshake.
pub async fn connect(chat: &Chat, path: &str, auth: Auth<'_>) -> Result<Ws, (u16, String)> {
    let mut url = format!("ws://{}{path}", chat.addr);
    if let Auth::Query(token) = auth {
        url.push_str(if path.contains('?') { "&" } else { "?" });
        url.push_str(&format!("token={token}"));
    }
    let mut request = url.into_client_request().unwrap();
    if let Auth::Bearer(token) = auth {
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    }
    match tokio::time::timeout(DEADLINE, tokio_tungstenite::connect_async(request))
        .await
        .expect("the handshake ends in time")
    {
        Ok((socket, _)) => {
            let (sink, stream) = socket.split();
            Ok(Ws {
                sink: WsSender {
                    sink: std::sync::Arc::new(tokio::sync::Mutex::new(sink)),
                },
                stream,
            })
        }
        Err(tungstenite::Error::Http(response)) => {
            let status = response.status().as_u16();
            let body = response
                .body()
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            Err((status, body))
        }
        Err(other) => panic!("connecting to {path}: {other}"),
    }
}

/// Connects `user` (its demo token, as a bearer token) to `room`.
pub async fn join(chat: &Chat, user: &str, room: &str) -> Ws {
    let token = format!("token-{user}");
    connect(chat, &format!("/chat/{room}"), Auth::Bearer(&token))
        .await
        .unwrap_or_else(|e| panic!("{user} cannot join {room}: {e:?}"))
}

impl Ws {
    /// Sends a text frame.
    pub async fn send(&mut self, frame: impl Into<String>) {
        self.sink
            .sink
            .lock()
            .await
            .send(Frame::text(frame.into()))
            .await
            .expect("send");
    }

    /// A handle that sends on this connection.
    pub fn sender(&self) -> WsSender {
        self.sink.clone()
    }

    /// Sends a JSON value.
    pub async fn send_json(&mut self, value: Value) {
        self.sink.send(value).await;
    }

    /// The next text frame as JSON (pings and pongs skipped).
    pub async fn recv(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(DEADLINE, self.stream.next())
                .await
                .expect("a frame arrives in time")
                .expect("the connection is open")
                .expect("a frame");
            match frame {
                Frame::Text(text) => return serde_json::from_str(&text).expect("JSON"),
                Frame::Ping(_) | Frame::Pong(_) => continue,
                other => panic!("unexpected frame {other:?}"),
            }
        }
    }

    /// Asserts that no text frame arrives within `wait`.
    pub async fn nothing_for(&mut self, wait: Duration) {
        match tokio::time::timeout(wait, self.stream.next()).await {
            Err(_) => {}
            Ok(Some(Ok(Frame::Text(text)))) => panic!("unexpected frame {text}"),
            Ok(other) => panic!("unexpected {other:?}"),
        }
    }

    /// Closes the connection.
    pub async fn close(mut self) {
        let _ = self.sink.sink.lock().await.close().await;
        while let Ok(Some(Ok(_))) = tokio::time::timeout(DEADLINE, self.stream.next()).await {}
    }
}

/// An HTTP response: status, content type, body.
pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// Sends one HTTP/1.1 request with hyper's client.
pub async fn http(
    chat: &Chat,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Response {
    use http_body_util::BodyExt;
    let tcp = TcpStream::connect(chat.addr).await.expect("connect");
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
            .await
            .expect("HTTP handshake");
    tokio::spawn(connection);
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("Host", chat.addr.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(http_body_util::Full::new(bytes::Bytes::from(
            body.to_owned(),
        )))
        .unwrap();
    let response = tokio::time::timeout(DEADLINE, sender.send_request(request))
        .await
        .expect("a response in time")
        .expect("a response");
    let status = response.status().as_u16();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    let content_type = headers
        .iter()
        .find(|(n, _)| n == "content-type")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    Response {
        status,
        content_type,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}
