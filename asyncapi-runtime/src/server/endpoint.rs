//! What serves requests, whoever accepts them (the standalone server, an
//! axum router, the in-memory test client): the channels with their types
//! erased ([`Route`]), the contract, the server's shared state
//! ([`Endpoint`]); and a connection the handshake admitted, waiting for its
//! socket ([`Session`]).

use super::connection;
use super::context::{Conn, ServerShared};
use super::handshake::{Handshake, Refusal};
use super::route::{PathParams, Template};
use super::Service;
use crate::contract::Contract;
use crate::security::Scheme;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use tokio_tungstenite::WebSocketStream;
use tracing::{info_span, Instrument};

pub(crate) use crate::ws::BoxIo;

/// A boxed future.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A channel with its type erased, so that one server serves several.
pub(crate) trait Route: Send + Sync {
    /// Its address.
    fn template(&self) -> &Template;
    /// The schemes that admit to it (empty: open).
    fn security(&self) -> &'static [Scheme];
    /// Decides a handshake for it: parameters (400), credentials (401),
    /// the service's `authenticate`.
    fn open<'a>(
        self: Arc<Self>,
        handshake: Handshake<'a>,
        params: PathParams,
    ) -> BoxFuture<'a, Result<Box<dyn Session>, Refusal>>;
}

/// A connection the handshake admitted: serves its socket until it ends.
pub(crate) trait Session: Send {
    fn serve(
        self: Box<Self>,
        socket: WebSocketStream<BoxIo>,
        shared: Arc<ServerShared>,
    ) -> BoxFuture<'static, ()>;
}

/// A [`Service`] as a [`Route`].
pub(crate) struct ServiceRoute<S> {
    pub(crate) service: Arc<S>,
    pub(crate) template: Template,
}

impl<S: Service> ServiceRoute<S> {
    pub(crate) fn new(service: Arc<S>) -> Self {
        let template = Template::parse(service.address());
        ServiceRoute { service, template }
    }
}

impl<S: Service> Route for ServiceRoute<S> {
    fn template(&self) -> &Template {
        &self.template
    }

    fn security(&self) -> &'static [Scheme] {
        self.service.security()
    }

    fn open<'a>(
        self: Arc<Self>,
        handshake: Handshake<'a>,
        params: PathParams,
    ) -> BoxFuture<'a, Result<Box<dyn Session>, Refusal>> {
        Box::pin(async move {
            let params = self.service.parse_params(&params).map_err(|reason| {
                Refusal::new(
                    hyper::StatusCode::BAD_REQUEST,
                    format!("bad channel parameter for `{}`: {reason}", self.template),
                )
            })?;
            let schemes = self.service.security();
            let credential = handshake.credential(schemes);
            if credential.is_none() && !schemes.is_empty() {
                let names: Vec<String> = schemes.iter().map(ToString::to_string).collect();
                return Err(Refusal::unauthorized(format!(
                    "`{}` needs a credential: {}",
                    self.template,
                    names.join(" or ")
                )));
            }
            let identity = self
                .service
                .authenticate(&handshake, &params, credential)
                .await?;
            Ok(Box::new(ServiceSession {
                route: self.clone(),
                params,
                identity,
                peer: handshake.peer(),
            }) as Box<dyn Session>)
        })
    }
}

struct ServiceSession<S: Service> {
    route: Arc<ServiceRoute<S>>,
    params: S::Params,
    identity: S::Identity,
    peer: SocketAddr,
}

impl<S: Service> Session for ServiceSession<S> {
    fn serve(
        self: Box<Self>,
        socket: WebSocketStream<BoxIo>,
        shared: Arc<ServerShared>,
    ) -> BoxFuture<'static, ()> {
        let ServiceSession {
            route,
            params,
            identity,
            peer,
        } = *self;
        // Split here, so the socket (about 1.3 KiB) moves to the heap, which
        // its halves share, and the connection's future does not carry it.
        let (sink, stream) = futures_util::StreamExt::split(socket);
        Box::pin(async move {
            let (conn, queue) = Conn::new(shared.next_id(), peer, &shared.config);
            let span = info_span!("connection", id = conn.id.0, %peer, channel = %route.template);
            connection::serve(
                route.service.clone(),
                (sink, stream),
                conn,
                queue,
                params,
                identity,
                shared,
            )
            .instrument(span)
            .await;
        })
    }
}

/// Everything a request is decided with.
pub(crate) struct Endpoint {
    /// The channels, addresses before the one without (which matches every
    /// path).
    pub(crate) routes: Vec<Arc<dyn Route>>,
    /// The contract to serve, if any.
    pub(crate) contract: Option<Contract>,
    /// The application's handler of requests at paths no channel serves.
    pub(crate) fallback: Option<super::http::Fallback>,
    /// Connections, groups, settings, shutdown.
    pub(crate) shared: Arc<ServerShared>,
}

impl Endpoint {
    /// The channel at `path`, with the parameters read from it and `query`,
    /// and the request's `headers`.
    pub(crate) fn route(
        &self,
        path: &str,
        query: Option<&str>,
        headers: &hyper::HeaderMap,
    ) -> Option<(&Arc<dyn Route>, PathParams)> {
        self.routes.iter().find_map(|route| {
            let params = route.template().matches_request(path, query)?;
            let headers = headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes()));
            Some((route, params.with_headers(headers)))
        })
    }
}
