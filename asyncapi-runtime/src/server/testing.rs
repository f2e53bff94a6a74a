//! Testing a [`Service`] in memory, without sockets (Chanx's
//! `WebsocketCommunicator`): a [`TestServer`] serves it over in-memory
//! pipes through the same request function as the real server, so
//! parameters, authentication and everything after the upgrade apply; a
//! [`TestClient`] sends typed messages and checks what arrives.
//!
//! ```ignore
//! let server = TestServer::new(chat::Service::new(Chat::default()));
//! let mut alice = server
//!     .request("/chat/lobby")
//!     .credential(chat::security::BEARER_AUTH.with("token-a"))
//!     .connect()
//!     .await?;
//! alice.send(chat::types::Ping::default()).await?;
//! assert!(matches!(alice.receive().await?, chat::ServerMessage::Pong(_)));
//! alice.assert_nothing().await;
//! let refused = server.connect("/chat/lobby").await.unwrap_err();
//! assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
//! ```

use super::context::ServerShared;
use super::endpoint::{Endpoint, ServiceRoute};
use super::http::{serve_connection, Origin};
use super::{ServerConfig, ServerHandle, Service, StatusCode};
use crate::message::Message;
use crate::security::{ClientCredential, Placement};
use crate::ws::Close;
use futures_util::{SinkExt, StreamExt};
use std::fmt;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::DuplexStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::{self, Message as Frame};
use tokio_tungstenite::WebSocketStream;

/// How long [`TestClient::receive`] waits for a message by default.
pub const RECEIVE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the connection must stay quiet for [`TestClient::receive_all`]
/// and [`TestClient::assert_nothing`] by default.
pub const QUIET: Duration = Duration::from_millis(100);

/// A service served in memory: connect [`TestClient`]s to it.
pub struct TestServer<S: Service> {
    endpoint: Arc<Endpoint>,
    _service: PhantomData<fn() -> S>,
}

impl<S: Service> fmt::Debug for TestServer<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestServer")
            .field("channel", &self.endpoint.routes[0].template().to_string())
            .finish()
    }
}

impl<S: Service> TestServer<S> {
    /// Serves `service` with the default settings.
    pub fn new(service: S) -> Self {
        Self::with_config(service, ServerConfig::default())
    }

    /// Serves `service` with `config`.
    pub fn with_config(service: S, config: ServerConfig) -> Self {
        TestServer {
            endpoint: Arc::new(Endpoint {
                routes: vec![Arc::new(ServiceRoute::new(Arc::new(service)))],
                contract: None,
                fallback: None,
                shared: ServerShared::new(config),
            }),
            _service: PhantomData,
        }
    }

    /// A handle for connection counts and shutdown.
    pub fn handle(&self) -> ServerHandle {
        ServerHandle {
            shared: self.endpoint.shared.clone(),
        }
    }

    /// A connection request for `path` (with its query, e.g.
    /// `/chat/lobby?token=t`), to add headers and credentials to.
    pub fn request(&self, path: &str) -> TestRequest<'_, S> {
        TestRequest {
            server: self,
            path: path.to_owned(),
            headers: Vec::new(),
            query: Vec::new(),
            peer: SocketAddr::from(([127, 0, 0, 1], 1)),
        }
    }

    /// Connects to `path` without headers.
    pub async fn connect(&self, path: &str) -> Result<TestClient<S>, Refused> {
        self.request(path).connect().await
    }
}

/// A connection request being prepared ([`TestServer::request`]).
#[derive(Debug)]
pub struct TestRequest<'a, S: Service> {
    server: &'a TestServer<S>,
    path: String,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    peer: SocketAddr,
}

impl<S: Service> TestRequest<'_, S> {
    /// Sends the header `name: value`.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds the query parameter `name=value` (percent-encoded here).
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Sends `credential` where its scheme says (as
    /// [`ClientConfig::with_credential`](crate::client::ClientConfig::with_credential)).
    pub fn credential(self, credential: ClientCredential) -> Self {
        match credential.placement() {
            Some(Placement::Header(name, value)) => self.header(name, value),
            Some(Placement::Query(name, value)) => self.query(name, value),
            None => self,
        }
    }

    /// The client's address, as handshakes and contexts see it (default
    /// `127.0.0.1:1`).
    pub fn peer(mut self, peer: SocketAddr) -> Self {
        self.peer = peer;
        self
    }

    /// Opens the connection: the handshake goes through the same request
    /// function as on a real server. A refused handshake returns its status
    /// and reason.
    pub async fn connect(self) -> Result<TestClient<S>, Refused> {
        let mut url = format!("ws://test{}", self.path);
        for (name, value) in &self.query {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&super::encode_segment(name));
            url.push('=');
            url.push_str(&super::encode_segment(value));
        }
        let refused = |reason: String| Refused {
            status: StatusCode::BAD_REQUEST,
            reason,
        };
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| refused(format!("the request for `{url}` is invalid: {e}")))?;
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| refused(format!("header name `{name}`: {e}")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|e| refused(format!("value of header `{name}`: {e}")))?;
            request.headers_mut().append(name, value);
        }
        let (client_io, server_io) = tokio::io::duplex(64 << 10);
        let origin = Origin {
            peer: self.peer,
            local: None,
            secure: false,
        };
        tokio::spawn(serve_connection(
            Box::new(server_io),
            self.server.endpoint.clone(),
            origin,
        ));
        let shared = &self.server.endpoint.shared;
        let config = shared.config.limits.websocket_config(shared.config.buffers);
        let handshake =
            tokio_tungstenite::client_async_with_config(request, client_io, Some(config));
        match tokio::time::timeout(shared.config.handshake_timeout, handshake).await {
            Ok(Ok((socket, _))) => Ok(TestClient {
                socket,
                timeout: RECEIVE_TIMEOUT,
                quiet: QUIET,
                _service: PhantomData,
            }),
            Ok(Err(tungstenite::Error::Http(response))) => Err(Refused {
                status: response.status(),
                reason: response
                    .body()
                    .as_deref()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default(),
            }),
            Ok(Err(error)) => Err(Refused {
                status: StatusCode::BAD_GATEWAY,
                reason: format!("the handshake failed: {error}"),
            }),
            Err(_) => Err(Refused {
                status: StatusCode::GATEWAY_TIMEOUT,
                reason: "the handshake timed out".into(),
            }),
        }
    }
}

/// A refused handshake: its status and the reason the server gave.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("handshake refused with {status}: {reason}")]
pub struct Refused {
    /// The HTTP status (401, 403, 400, 404, …).
    pub status: StatusCode,
    /// The response body.
    pub reason: String,
}

/// What went wrong talking to a [`TestServer`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestError {
    /// Nothing arrived in time.
    #[error("no message within {0:?}")]
    Timeout(Duration),
    /// The connection is closed (with the server's close frame, if any).
    #[error("the connection is closed{}", .0.as_ref().map(|c| format!(" ({} {})", c.code, c.reason)).unwrap_or_default())]
    Closed(Option<Close>),
    /// A frame that is no message of the service's outgoing type.
    #[error("a frame that is no {expected}: {error} (frame: {frame})")]
    Decode {
        /// The type expected.
        expected: &'static str,
        /// The frame.
        frame: String,
        /// Why it is not.
        error: String,
    },
    /// A binary frame (the runtime sends text only).
    #[error("a binary frame of {0} bytes")]
    Binary(usize),
    /// A message that would not encode.
    #[error("the message does not encode: {0}")]
    Encode(String),
    /// The WebSocket failed.
    #[error("the WebSocket failed: {0}")]
    Socket(String),
}

/// One in-memory connection to a [`TestServer`].
pub struct TestClient<S: Service> {
    socket: WebSocketStream<DuplexStream>,
    timeout: Duration,
    quiet: Duration,
    _service: PhantomData<fn() -> S>,
}

impl<S: Service> fmt::Debug for TestClient<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestClient")
            .field("timeout", &self.timeout)
            .field("quiet", &self.quiet)
            .finish()
    }
}

impl<S: Service> TestClient<S> {
    /// Waits this long in [`TestClient::receive`] (default [`RECEIVE_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Counts the connection as quiet after this long without a frame
    /// (default [`QUIET`]).
    pub fn with_quiet(mut self, quiet: Duration) -> Self {
        self.quiet = quiet;
        self
    }

    /// Sends a message of the channel.
    pub async fn send(&mut self, message: impl Into<S::Incoming>) -> Result<(), TestError> {
        let text = message
            .into()
            .to_json()
            .map_err(|e| TestError::Encode(e.to_string()))?;
        self.send_text(text).await
    }

    /// Sends a text frame as it is (e.g. one that is no message).
    pub async fn send_text(&mut self, text: impl Into<String>) -> Result<(), TestError> {
        self.socket
            .send(Frame::text(text.into()))
            .await
            .map_err(socket_error)
    }

    /// The next message, waiting up to the timeout.
    pub async fn receive(&mut self) -> Result<S::Outgoing, TestError> {
        let text = self.receive_text().await?;
        decode::<S>(text)
    }

    /// The next text frame as it is, waiting up to the timeout.
    pub async fn receive_text(&mut self) -> Result<String, TestError> {
        let timeout = self.timeout;
        match self.next_text(timeout).await? {
            Some(text) => Ok(text),
            None => Err(TestError::Timeout(timeout)),
        }
    }

    /// Every message that arrives until the connection is quiet (an empty
    /// list when nothing does).
    pub async fn receive_all(&mut self) -> Result<Vec<S::Outgoing>, TestError> {
        let mut out = Vec::new();
        let quiet = self.quiet;
        while let Some(text) = self.next_text(quiet).await? {
            out.push(decode::<S>(text)?);
        }
        Ok(out)
    }

    /// Panics if anything arrives before the connection is quiet, or if it
    /// closes.
    pub async fn assert_nothing(&mut self) {
        let quiet = self.quiet;
        match self.next_text(quiet).await {
            Ok(None) => {}
            Ok(Some(text)) => panic!("expected nothing, received {text}"),
            Err(error) => panic!("expected nothing: {error}"),
        }
    }

    /// Panics unless the server closes the connection (before the timeout,
    /// with no message first); returns its close frame.
    pub async fn assert_closed(&mut self) -> Option<Close> {
        let timeout = self.timeout;
        match self.next_text(timeout).await {
            Err(TestError::Closed(close)) => close,
            Ok(Some(text)) => panic!("expected the connection to close, received {text}"),
            Ok(None) => panic!("expected the connection to close within {timeout:?}"),
            Err(error) => panic!("expected the connection to close: {error}"),
        }
    }

    /// Closes the connection (normal closure) and waits for the server to
    /// answer.
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
        let _ = tokio::time::timeout(self.timeout, async {
            while let Some(Ok(_)) = self.socket.next().await {}
        })
        .await;
    }

    /// The next text frame; `None` when nothing arrives within `wait`.
    async fn next_text(&mut self, wait: Duration) -> Result<Option<String>, TestError> {
        loop {
            let next = match tokio::time::timeout(wait, self.socket.next()).await {
                Ok(next) => next,
                Err(_) => return Ok(None),
            };
            match next {
                Some(Ok(Frame::Text(text))) => return Ok(Some(text.to_string())),
                Some(Ok(Frame::Binary(data))) => return Err(TestError::Binary(data.len())),
                Some(Ok(Frame::Close(frame))) => {
                    return Err(TestError::Closed(frame.as_ref().map(Close::from_frame)))
                }
                Some(Ok(_)) => {}
                None | Some(Err(tungstenite::Error::ConnectionClosed)) => {
                    return Err(TestError::Closed(None))
                }
                Some(Err(error)) => return Err(socket_error(error)),
            }
        }
    }
}

fn socket_error(error: tungstenite::Error) -> TestError {
    match error {
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
            TestError::Closed(None)
        }
        other => TestError::Socket(other.to_string()),
    }
}

fn decode<S: Service>(text: String) -> Result<S::Outgoing, TestError> {
    S::Outgoing::from_json(&text).map_err(|error| TestError::Decode {
        expected: <S::Outgoing as Message>::ENUM_NAME,
        error: error.to_string(),
        frame: text,
    })
}
