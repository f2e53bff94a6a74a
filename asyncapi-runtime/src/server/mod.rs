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
//! bounded queue ([`ServerConfig::outgoing_capacity`], [`WhenFull`]).
//! Before a message reaches its handler, the frame is checked against the
//! message's payload schema ([`ServerConfig::validate`], on by default). A
//! frame that is no message, a binary frame, a frame that breaks its
//! schema ([`FrameErrorKind::Invalid`], with a [`Violation`] per broken
//! constraint) or a handler error does not end the connection: the
//! handler's `error_reply` answers it (generated from the document's
//! `x-asyncapi-rs-error` message, [`ErrorFrame`], when it marks one). A
//! message over [`ServerConfig::limits`] closes the connection with 1009.
//!
//! Each channel's connections and groups are its [`ChannelHandle`], typed
//! by the channel's `ServerMessage`: send to a group or to one connection
//! from anywhere.
//!
//! Connections open with an HTTP/1.1 request (hyper), decided by one
//! function whoever accepted it (this server, `asyncapi_runtime::axum` (feature `axum`),
//! [`testing::TestServer`]): a channel's path with a WebSocket upgrade is
//! admitted once its parameters parse (else 400) and, for a secured channel
//! ([`Service::security`]), once a credential of one of its schemes is
//! there (else 401) and [`Service::authenticate`] accepts it (else its
//! [`Refusal`]); the identity it returns and a fresh [`Service::State`] are
//! in every handler's [`Context`]. Without upgrade, a channel's path gets
//! 426; `/asyncapi.json`, `/asyncapi.yaml` and `/asyncapi` serve the
//! contract ([`ServerBuilder::contract`]); other paths go to
//! [`ServerBuilder::fallback`], else 404.
//!
//! ```ignore
//! let server = Server::builder()
//!     .channel(chat::Service::new(Chat::default()))
//!     .contract(chat::CONTRACT)
//!     .fallback(|request: HttpRequest| async move { announce(request).await })
//!     .bind("127.0.0.1:9100")
//!     .await?;
//! ```

mod channel;
mod connection;
pub(crate) mod context;
pub(crate) mod endpoint;
mod error;
mod error_frame;
mod handshake;
pub(crate) mod http;
mod impls;
pub(crate) mod route;
pub mod testing;

pub use crate::validate::Violation;
pub use channel::ChannelHandle;
pub use context::{ConnectionId, Context, ServerHandle};
pub use error::{Disconnect, FrameError, FrameErrorKind, HandlerError, Replies, SendError};
pub use error_frame::ErrorFrame;
pub use handshake::{Handshake, Refusal};
pub use http::{HttpRequest, HttpResponse};
pub use hyper::StatusCode;
pub use route::{encode_segment, handshake_value, matches_pattern, push_query, PathParams};

use crate::contract::Contract;
use crate::message::Message;
use crate::security::{Credential, Scheme};
use crate::ws::{Buffers, Limits};
use context::ServerShared;
use endpoint::{BoxIo, Endpoint, Route, ServiceRoute};
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::task::JoinSet;
use tracing::{debug, warn};

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
    /// frames (default 2 KiB for reading, 4 KiB of writes collected).
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
    /// Whether frames are checked against their message's payload schema
    /// before the handler sees them (default `true`): a frame that breaks
    /// it is answered with the handler's `error_reply` for
    /// [`FrameErrorKind::Invalid`] and not handled.
    pub validate: bool,
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
            validate: true,
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
    /// Who a connection is: what [`Service::authenticate`] returns (`()`
    /// for an open channel).
    type Identity: Send + Sync + 'static;
    /// Per-connection state, made with `Default` when the connection opens
    /// (`()` for none).
    type State: Default + Send + Sync + 'static;

    /// The channel's connections and groups (made with the service, shared
    /// by its clones).
    fn channel(&self) -> &ChannelHandle<Self::Outgoing>;

    /// The channel's address (`None`: every path).
    fn address(&self) -> Option<&'static str>;

    /// Reads the channel's parameters from the request path.
    fn parse_params(&self, params: &PathParams) -> Result<Self::Params, String>;

    /// The document's security schemes that admit a client here, any one
    /// of them (empty: the channel is open).
    fn security(&self) -> &'static [Scheme];

    /// Decides the handshake: who the client is, or why it is refused
    /// (answered with the refusal's status before any upgrade). The runtime
    /// refuses with 401 itself when [`Service::security`] is not empty and
    /// the request carries no credential of those schemes, so `credential`
    /// is `Some` then.
    fn authenticate(
        &self,
        handshake: &Handshake<'_>,
        params: &Self::Params,
        credential: Option<Credential<'_>>,
    ) -> impl Future<Output = Result<Self::Identity, Refusal>> + Send;

    /// A client connected.
    fn on_connect(&self, ctx: &Ctx<Self>) -> impl Future<Output = Result<(), HandlerError>> + Send;

    /// A client's connection ended.
    fn on_disconnect(
        &self,
        ctx: &Ctx<Self>,
        reason: &Disconnect,
    ) -> impl Future<Output = ()> + Send;

    /// Handles one message; returns the replies to send (each gets the
    /// message's correlation id).
    fn handle(
        &self,
        ctx: &Ctx<Self>,
        message: Self::Incoming,
    ) -> impl Future<Output = Result<Vec<Self::Outgoing>, HandlerError>> + Send;

    /// The message to answer a frame with that did not end in replies.
    fn error_reply(&self, ctx: &Ctx<Self>, error: &FrameError) -> Option<Self::Outgoing>;
}

/// The context of a service's handlers.
pub type Ctx<S> = Context<
    <S as Service>::Outgoing,
    <S as Service>::Params,
    <S as Service>::Identity,
    <S as Service>::State,
>;

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

/// Sets up a [`Server`]: its channels, settings and TLS.
#[derive(Default)]
pub struct ServerBuilder {
    config: ServerConfig,
    routes: Vec<Arc<dyn Route>>,
    tls: Option<Arc<rustls::ServerConfig>>,
    contract: Option<Contract>,
    fallback: Option<http::Fallback>,
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
            .field("contract", &self.contract.is_some())
            .field("fallback", &self.fallback.is_some())
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
        self.routes
            .push(Arc::new(ServiceRoute::new(Arc::new(service))));
        self
    }

    /// Serves `contract` on the same port: `GET /asyncapi.json`,
    /// `/asyncapi.yaml` (its `servers` naming the address the request was
    /// sent to) and `/asyncapi` (its HTML page). Generated code declares
    /// the document it was made from as `CONTRACT`.
    pub fn contract(mut self, contract: Contract) -> Self {
        self.contract = Some(contract);
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
    pub fn listener(self, listener: TcpListener) -> Result<Server, ServeError> {
        let local_addr = listener.local_addr().map_err(|source| ServeError::Io {
            what: "cannot read the listening address".into(),
            source,
        })?;
        let tls = self.tls.clone().map(tokio_rustls::TlsAcceptor::from);
        Ok(Server {
            listener,
            local_addr,
            tls,
            endpoint: Arc::new(self.endpoint()?),
        })
    }

    /// Answers the requests at paths that no channel serves (and that are
    /// no contract route) with `handler`, e.g. a `POST` that makes the
    /// server broadcast; without it they get 404. The request's body is read
    /// whole first (over [`ServerConfig::limits`]' message size: 413); its
    /// extensions hold the client's `SocketAddr`. Not used when mounted in
    /// axum (`asyncapi_runtime::axum`), where the application's own routes do this.
    pub fn fallback<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(HttpRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HttpResponse> + Send + 'static,
    {
        self.fallback = Some(Arc::new(move |request| Box::pin(handler(request))));
        self
    }

    /// What serves requests: the channels checked for overlaps, addresses
    /// before the channel without one.
    pub(crate) fn endpoint(mut self) -> Result<Endpoint, ServeError> {
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
        self.routes.sort_by_key(|r| r.template().is_catch_all());
        Ok(Endpoint {
            routes: self.routes,
            contract: self.contract,
            fallback: self.fallback,
            shared: ServerShared::new(self.config),
        })
    }
}

/// A server bound to a listener, ready to [`Server::run`].
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    tls: Option<tokio_rustls::TlsAcceptor>,
    endpoint: Arc<Endpoint>,
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

    /// A handle for the connection count and shutdown.
    pub fn handle(&self) -> ServerHandle {
        ServerHandle {
            shared: self.endpoint.shared.clone(),
        }
    }

    /// Serves until [`ServerHandle::shutdown`], then closes every connection
    /// gracefully.
    pub async fn run(self) -> Result<(), ServeError> {
        let shared = self.endpoint.shared.clone();
        let mut shutdown = shared.shutdown.subscribe();
        let mut tasks = JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((tcp, peer)) => {
                        let tls = self.tls.clone();
                        let endpoint = self.endpoint.clone();
                        let local = self.local_addr;
                        tasks.spawn(accept(tcp, peer, local, tls, endpoint));
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
        let grace = shared.config.shutdown_grace;
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

/// A new TCP connection: TLS, then HTTP (the upgrade to WebSocket, or the
/// contract's routes), then the WebSocket connection, all in this task.
async fn accept(
    tcp: TcpStream,
    peer: SocketAddr,
    local: SocketAddr,
    tls: Option<tokio_rustls::TlsAcceptor>,
    endpoint: Arc<Endpoint>,
) {
    let _ = tcp.set_nodelay(true);
    let timeout = endpoint.shared.config.handshake_timeout;
    let secure = tls.is_some();
    let io: BoxIo = match tls {
        // Boxed: the TLS handshake is a big future, freed once it is done
        // (the connection's task lives as long as the connection).
        Some(acceptor) => match Box::pin(tokio::time::timeout(timeout, acceptor.accept(tcp))).await
        {
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
    let origin = http::Origin {
        peer,
        local: Some(local),
        secure,
    };
    http::serve_connection(io, endpoint, origin).await;
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
            tls: None,
            endpoint: Arc::new(Endpoint {
                routes: Vec::new(),
                contract: None,
                fallback: None,
                shared: ServerShared::new(ServerConfig::default()),
            }),
        };
        let run = server.run_until(std::future::pending());
        is_send(&run);
    }
}
