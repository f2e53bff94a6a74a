//! The server side: serve a channel's generated `Handler` (through the
//! [`Service`] that generated code implements for it) on a listener, one
//! task per connection.
//!
//! ```ignore
//! let server = Server::builder()
//!     .channel(kraken::channels::public::Service::new(MyKraken::default()))
//!     .bind("127.0.0.1:9001")
//!     .await?;
//! println!("listening on {}", server.local_addr());
//! server.run().await?;
//! ```
//!
//! Per connection, frames are read, decoded into the channel's
//! `ClientMessage` and handed to the handler one at a time; replies get the
//! request's correlation id. Everything sent to a connection goes through a
//! bounded queue ([`ServerConfig::outgoing_capacity`], [`WhenFull`]). A
//! frame that is no message, a binary frame, or a handler error does not end
//! the connection: the handler's `error_reply` answers it. A message over
//! [`ServerConfig::limits`] closes the connection with 1009.

mod connection;
mod context;
mod error;
mod impls;
mod route;

pub use context::{ConnectionId, Context, ServerHandle};
pub use error::{Disconnect, FrameError, FrameErrorKind, HandlerError, Replies, SendError};
pub use route::{encode_segment, handshake_value, matches_pattern, push_query, PathParams};

use crate::message::Message;
use crate::ws::{Buffers, Limits};
use context::{Conn, ServerShared};
use route::Template;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::WebSocketStream;
use tracing::{debug, info_span, warn, Instrument};

/// What a server does when a connection's outgoing queue is full (the
/// client does not read as fast as it is sent to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WhenFull {
    /// Close the connection with 1008 (policy violation). The default: a
    /// client that does not keep up with a live feed has lost it anyway, and
    /// it can reconnect and resubscribe.
    #[default]
    Close,
    /// Drop the message ([`SendError::Dropped`]); the connection goes on.
    Drop,
    /// Wait until there is room: the sender (a handler, a broadcast) slows
    /// down to the pace of the slowest client.
    Wait,
}

/// How a server behaves.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// What clients may send (default: 1 MiB messages and frames); bigger
    /// messages close the connection with 1009.
    pub limits: Limits,
    /// How much memory each connection keeps for reading and writing
    /// frames (default 4 KiB each).
    pub buffers: Buffers,
    /// How many frames may wait to be written to one connection (default 1024).
    pub outgoing_capacity: usize,
    /// What to do when they are that many (default [`WhenFull::Close`]).
    pub when_full: WhenFull,
    /// How often to send WebSocket pings (default 30 s; `None`: never).
    pub ping_interval: Option<Duration>,
    /// After how long without any frame from a client (pongs included) its
    /// connection is closed with 1008 (default 90 s; `None`: never).
    pub idle_timeout: Option<Duration>,
    /// How long the TLS and WebSocket handshakes may take (default 10 s).
    pub handshake_timeout: Duration,
    /// How long connections get to close on shutdown (default 5 s).
    pub shutdown_grace: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            limits: Limits {
                max_message_size: 1 << 20,
                max_frame_size: 1 << 20,
            },
            buffers: Buffers::default(),
            outgoing_capacity: 1024,
            when_full: WhenFull::Close,
            ping_interval: Some(Duration::from_secs(30)),
            idle_timeout: Some(Duration::from_secs(90)),
            handshake_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// One channel as the server drives it. Generated code implements it for
/// each channel's `Service<H>`, over the user's `Handler`.
pub trait Service: Send + Sync + 'static {
    /// What clients send (the channel's `ClientMessage`).
    type Incoming: Message;
    /// What the server sends (the channel's `ServerMessage`).
    type Outgoing: Message;
    /// The channel's parameters (`()` for none).
    type Params: Send + Sync + 'static;

    /// The channel's address (`None`: every path).
    fn address(&self) -> Option<&'static str>;

    /// Reads the channel's parameters from the request path.
    fn parse_params(&self, params: &PathParams) -> Result<Self::Params, String>;

    /// A client connected.
    fn on_connect(
        &self,
        ctx: &Context<Self::Outgoing, Self::Params>,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send;

    /// A client's connection ended.
    fn on_disconnect(
        &self,
        ctx: &Context<Self::Outgoing, Self::Params>,
        reason: &Disconnect,
    ) -> impl Future<Output = ()> + Send;

    /// Handles one message; returns the replies to send (each gets the
    /// message's correlation id).
    fn handle(
        &self,
        ctx: &Context<Self::Outgoing, Self::Params>,
        message: Self::Incoming,
    ) -> impl Future<Output = Result<Vec<Self::Outgoing>, HandlerError>> + Send;

    /// The message to answer a frame with that did not end in replies.
    fn error_reply(
        &self,
        ctx: &Context<Self::Outgoing, Self::Params>,
        error: &FrameError,
    ) -> Option<Self::Outgoing>;
}

/// Why a server could not be set up or serve.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// Binding or accepting failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// Two channels would serve the same paths.
    #[error(
        "channels at `{0}` and `{1}` would serve the same paths; serve them on different listeners"
    )]
    Overlap(String, String),
    /// No channel to serve.
    #[error("no channel to serve: add one with ServerBuilder::channel")]
    NoChannel,
}

/// A connection stream: TCP, or TLS over TCP.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}
type BoxIo = Box<dyn Io>;

/// A channel with its type erased, so that one server serves several.
trait Route: Send + Sync {
    fn template(&self) -> &Template;
    fn check(&self, params: &PathParams) -> Result<(), String>;
    fn serve(
        self: Arc<Self>,
        socket: WebSocketStream<BoxIo>,
        params: PathParams,
        peer: SocketAddr,
        shared: Arc<ServerShared>,
    ) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

struct ServiceRoute<S> {
    service: Arc<S>,
    template: Template,
}

impl<S: Service> Route for ServiceRoute<S> {
    fn template(&self) -> &Template {
        &self.template
    }

    fn check(&self, params: &PathParams) -> Result<(), String> {
        self.service.parse_params(params).map(|_| ())
    }

    fn serve(
        self: Arc<Self>,
        socket: WebSocketStream<BoxIo>,
        params: PathParams,
        peer: SocketAddr,
        shared: Arc<ServerShared>,
    ) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(async move {
            let params = match self.service.parse_params(&params) {
                Ok(params) => params,
                // Checked during the handshake already.
                Err(reason) => {
                    warn!(%reason, "bad channel parameters");
                    return;
                }
            };
            let (conn, queue) = Conn::new(shared.next_id(), peer, &shared.config);
            let span = info_span!("connection", id = conn.id.0, %peer, channel = %self.template);
            connection::serve(self.service.clone(), socket, conn, queue, params, shared)
                .instrument(span)
                .await;
        })
    }
}

/// Sets up a [`Server`]: its channels, settings and TLS.
#[derive(Default)]
pub struct ServerBuilder {
    config: ServerConfig,
    routes: Vec<Arc<dyn Route>>,
    tls: Option<Arc<rustls::ServerConfig>>,
}

impl fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("config", &self.config)
            .field(
                "channels",
                &self
                    .routes
                    .iter()
                    .map(|r| r.template().to_string())
                    .collect::<Vec<_>>(),
            )
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

impl ServerBuilder {
    /// Uses these settings.
    pub fn config(mut self, config: ServerConfig) -> Self {
        self.config = config;
        self
    }

    /// Serves `wss`: TLS with these settings (see [`crate::tls`]).
    pub fn tls(mut self, tls: Arc<rustls::ServerConfig>) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Serves a channel at its address.
    pub fn channel<S: Service>(mut self, service: S) -> Self {
        let template = Template::parse(service.address());
        self.routes.push(Arc::new(ServiceRoute {
            service: Arc::new(service),
            template,
        }));
        self
    }

    /// Binds `addr` (e.g. `127.0.0.1:0` for a port the OS picks).
    pub async fn bind(self, addr: impl ToSocketAddrs) -> Result<Server, ServeError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Io {
                what: "cannot bind the listening address".into(),
                source,
            })?;
        self.listener(listener)
    }

    /// Serves on a listener bound already.
    pub fn listener(mut self, listener: TcpListener) -> Result<Server, ServeError> {
        if self.routes.is_empty() {
            return Err(ServeError::NoChannel);
        }
        for (i, a) in self.routes.iter().enumerate() {
            for b in &self.routes[i + 1..] {
                if a.template().overlaps(b.template()) {
                    return Err(ServeError::Overlap(
                        a.template().to_string(),
                        b.template().to_string(),
                    ));
                }
            }
        }
        // Addresses before the channel without one.
        self.routes.sort_by_key(|r| r.template().is_catch_all());
        let local_addr = listener.local_addr().map_err(|source| ServeError::Io {
            what: "cannot read the listening address".into(),
            source,
        })?;
        Ok(Server {
            listener,
            local_addr,
            routes: self.routes.into(),
            tls: self.tls.map(tokio_rustls::TlsAcceptor::from),
            shared: ServerShared::new(self.config),
        })
    }
}

/// A server bound to a listener, ready to [`Server::run`].
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    routes: Arc<[Arc<dyn Route>]>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<ServerShared>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

impl Server {
    /// A builder.
    pub fn builder() -> ServerBuilder {
        ServerBuilder::default()
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A handle for broadcasts and shutdown.
    pub fn handle(&self) -> ServerHandle {
        ServerHandle {
            shared: self.shared.clone(),
        }
    }

    /// Serves until [`ServerHandle::shutdown`], then closes every connection
    /// gracefully.
    pub async fn run(self) -> Result<(), ServeError> {
        let mut shutdown = self.shared.shutdown.subscribe();
        let mut tasks = JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((tcp, peer)) => {
                        let routes = self.routes.clone();
                        let tls = self.tls.clone();
                        let shared = self.shared.clone();
                        tasks.spawn(accept(tcp, peer, routes, tls, shared));
                    }
                    // Out of file descriptors and the like: wait, go on.
                    Err(error) => {
                        warn!(%error, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
                () = crate::ws::until(&mut shutdown, |down| *down) => break,
            }
        }
        drop(self.listener);
        let grace = self.shared.config.shutdown_grace;
        let drained =
            tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
        if drained.is_err() {
            warn!(
                left = tasks.len(),
                "connections still open after the grace period: aborted"
            );
            tasks.shutdown().await;
        }
        Ok(())
    }

    /// Serves until `signal` completes (e.g. `tokio::signal::ctrl_c()`),
    /// then shuts down gracefully.
    pub async fn run_until(self, signal: impl Future<Output = ()>) -> Result<(), ServeError> {
        let handle = self.handle();
        let run = self.run();
        tokio::pin!(run);
        tokio::select! {
            result = &mut run => return result,
            () = signal => handle.shutdown(),
        }
        run.await
    }
}

fn refuse(status: StatusCode, reason: String) -> ErrorResponse {
    let mut response = ErrorResponse::new(Some(reason));
    *response.status_mut() = status;
    response
}

/// A new TCP connection: TLS, the WebSocket handshake (choosing the channel
/// by path), then the connection itself.
async fn accept(
    tcp: TcpStream,
    peer: SocketAddr,
    routes: Arc<[Arc<dyn Route>]>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<ServerShared>,
) {
    let _ = tcp.set_nodelay(true);
    let timeout = shared.config.handshake_timeout;
    let io: BoxIo = match tls {
        Some(acceptor) => match tokio::time::timeout(timeout, acceptor.accept(tcp)).await {
            Ok(Ok(stream)) => Box::new(stream),
            Ok(Err(error)) => {
                debug!(%peer, %error, "TLS handshake failed");
                return;
            }
            Err(_) => {
                debug!(%peer, "TLS handshake timed out");
                return;
            }
        },
        None => Box::new(tcp),
    };
    let mut chosen: Option<(usize, PathParams)> = None;
    // tungstenite's handshake callback fixes the (large) error type.
    #[allow(clippy::result_large_err)]
    let callback = |request: &Request, response: Response| {
        let path = request.uri().path();
        let query = request.uri().query();
        for (i, route) in routes.iter().enumerate() {
            if let Some(params) = route.template().matches_request(path, query) {
                let headers = request.headers().iter();
                let params = params.with_headers(headers.map(|(n, v)| (n.as_str(), v.as_bytes())));
                if let Err(reason) = route.check(&params) {
                    return Err(refuse(StatusCode::BAD_REQUEST, reason));
                }
                chosen = Some((i, params));
                return Ok(response);
            }
        }
        Err(refuse(
            StatusCode::NOT_FOUND,
            format!("no channel at `{path}`"),
        ))
    };
    let config = shared.config.limits.websocket_config(shared.config.buffers);
    let handshake = tokio_tungstenite::accept_hdr_async_with_config(io, callback, Some(config));
    let socket = match tokio::time::timeout(timeout, handshake).await {
        Ok(Ok(socket)) => socket,
        Ok(Err(error)) => {
            debug!(%peer, %error, "WebSocket handshake failed");
            return;
        }
        Err(_) => {
            debug!(%peer, "WebSocket handshake timed out");
            return;
        }
    };
    if let Some((i, params)) = chosen {
        routes[i].clone().serve(socket, params, peer, shared).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_send<T: Send>(_: &T) {}

    /// Servers are spawned: their futures must be `Send`.
    #[tokio::test]
    async fn serving_futures_are_send() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Server {
            local_addr: listener.local_addr().unwrap(),
            listener,
            routes: Vec::new().into(),
            tls: None,
            shared: ServerShared::new(ServerConfig::default()),
        };
        let run = server.run_until(std::future::pending());
        is_send(&run);
    }
}
