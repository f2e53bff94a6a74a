//! Mounting channels and the contract into an [`axum`] application
//! (feature `axum`): the same request function as the standalone server
//! decides each request, so upgrades, parameters, authentication,
//! validation and groups behave the same.
//!
//! ```ignore
//! let app = axum::Router::new()
//!     .route("/health", axum::routing::get(|| async { "ok" }))
//!     .merge(asyncapi_runtime::axum::channel(chat::Service::new(Chat::default()), ServerConfig::default()))
//!     .merge(asyncapi_runtime::axum::contract(chat::CONTRACT));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:9100").await?;
//! axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await?;
//! ```
//!
//! Serve the router with `into_make_service_with_connect_info::<SocketAddr>()`
//! for handshakes and contexts to know the client's address (else it is
//! `0.0.0.0:0`).

use crate::contract::Contract;
use crate::server::context::ServerShared;
use crate::server::endpoint::{Endpoint, ServiceRoute};
use crate::server::http::{respond, Origin};
use crate::server::{ServeError, ServerBuilder, ServerConfig, ServerHandle, Service};
use ::axum::body::Body;
use ::axum::extract::{ConnectInfo, Request};
use ::axum::response::Response;
use ::axum::routing::{any, get};
use ::axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;

/// A router serving `service` at its address (for a channel without
/// address: every path the application leaves to it, as its fallback),
/// with `config`.
pub fn channel<S: Service>(service: S, config: ServerConfig) -> Router {
    let endpoint = Endpoint {
        routes: vec![Arc::new(ServiceRoute::new(Arc::new(service)))],
        contract: None,
        fallback: None,
        shared: ServerShared::new(config),
    };
    routes(Router::new(), Arc::new(endpoint))
}

/// A router serving every channel of `builder`, and its contract if it
/// has one, with a handle for its connections (counts, shutdown). Its TLS
/// settings are not used: axum's listener decides.
pub fn server(builder: ServerBuilder) -> Result<(Router, ServerHandle), ServeError> {
    let endpoint = Arc::new(builder.endpoint()?);
    let handle = ServerHandle {
        shared: endpoint.shared.clone(),
    };
    Ok((routes(Router::new(), endpoint), handle))
}

/// `router` with the channels and the contract of `endpoint`.
fn routes(mut router: Router, endpoint: Arc<Endpoint>) -> Router {
    for route in &endpoint.routes {
        let endpoint = endpoint.clone();
        let handler = any(move |request: Request| serve(endpoint, request));
        router = match route.template().axum_path() {
            Some(path) => router.route(&path, handler),
            None => router.fallback(handler),
        };
    }
    if endpoint.contract.is_some() {
        router = contract_routes(router, endpoint);
    }
    router
}

/// A router serving `contract`: `GET /asyncapi.json`, `/asyncapi.yaml`
/// (their `servers` naming the host the request was sent to) and
/// `/asyncapi` (the page).
pub fn contract(contract: Contract) -> Router {
    let endpoint = Arc::new(Endpoint {
        routes: Vec::new(),
        contract: Some(contract),
        fallback: None,
        shared: ServerShared::new(ServerConfig::default()),
    });
    contract_routes(Router::new(), endpoint)
}

fn contract_routes(mut router: Router, endpoint: Arc<Endpoint>) -> Router {
    for path in ["/asyncapi.json", "/asyncapi.yaml", "/asyncapi"] {
        let endpoint = endpoint.clone();
        router = router.route(path, get(move |request: Request| serve(endpoint, request)));
    }
    router
}

/// Decides `request` with the request function; an admitted connection
/// is served in a task of its own.
async fn serve(endpoint: Arc<Endpoint>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(SocketAddr::from(([0, 0, 0, 0], 0)), |info| info.0);
    let origin = Origin {
        peer,
        local: None,
        secure: false,
    };
    let (response, upgrade) = respond(&endpoint, request, origin).await;
    if let Some(upgrade) = upgrade {
        tokio::spawn(upgrade.run(endpoint.shared.clone()));
    }
    response.map(Body::new)
}
