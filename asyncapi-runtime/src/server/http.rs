//! The HTTP side of a server: one function ([`respond`]) decides every
//! request, whoever accepted it (the standalone server, axum, the
//! in-memory test client), so they behave the same:
//!
//! - `GET /asyncapi.json`, `/asyncapi.yaml`, `/asyncapi` (when a contract
//!   is served, and the request is no upgrade): the document and its page;
//! - no channel at the path: 404;
//! - a channel's path, but no WebSocket upgrade: 426 (405 for methods other
//!   than `GET`);
//! - a bad channel parameter: 400; a WebSocket version other than 13: 426;
//! - no credential for a secured channel: 401; the channel's
//!   `authenticate` refusing: its status (401, 403, …);
//! - else 101, and the connection is served on the upgraded stream.

use super::context::ServerShared;
use super::endpoint::{BoxFuture, BoxIo, Endpoint, Session};
use super::handshake::{Handshake, Refusal};
use crate::contract::Served;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{self, HeaderValue};
use hyper::upgrade::OnUpgrade;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;
use tracing::debug;

/// The body of every response the server writes itself.
pub(crate) type Body = Full<Bytes>;

/// A request for the application's own routes
/// ([`ServerBuilder::fallback`](super::ServerBuilder::fallback)), its body
/// read whole; its extensions hold the client's `SocketAddr`.
pub type HttpRequest = Request<Bytes>;

/// The answer to an [`HttpRequest`].
pub type HttpResponse = Response<Bytes>;

/// The application's handler of requests that are no channel's.
pub(crate) type Fallback =
    Arc<dyn Fn(HttpRequest) -> BoxFuture<'static, HttpResponse> + Send + Sync>;

/// The Content-Security-Policy of the docs page: nothing from outside.
pub(crate) const DOCS_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/// How the request reached us: for the address the contract names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Origin {
    /// The client's address.
    pub(crate) peer: SocketAddr,
    /// The address it connected to, when known (for a request without
    /// `Host`).
    pub(crate) local: Option<SocketAddr>,
    /// Whether it came over TLS (`wss`).
    pub(crate) secure: bool,
}

/// A handshake answered with 101: the upgraded stream, once hyper hands it
/// over, becomes the admitted connection.
pub(crate) struct Upgrade {
    on_upgrade: OnUpgrade,
    session: Box<dyn Session>,
}

impl Upgrade {
    /// Serves the connection until it ends.
    pub(crate) async fn run(self, shared: Arc<ServerShared>) {
        let upgraded = match self.on_upgrade.await {
            Ok(upgraded) => upgraded,
            Err(error) => {
                debug!(%error, "the upgrade did not complete");
                return;
            }
        };
        let io: BoxIo = Box::new(TokioIo::new(upgraded));
        let config = shared.config.limits.websocket_config(shared.config.buffers);
        let socket = WebSocketStream::from_raw_socket(io, Role::Server, Some(config)).await;
        self.session.serve(socket, shared).await;
    }
}

fn text(status: StatusCode, body: impl Into<String>) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(body.into())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// Whether `name`'s comma-separated values contain `token` (any case).
fn has_token<B>(request: &Request<B>, name: header::HeaderName, token: &str) -> bool {
    request
        .headers()
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// Decides `request`: the response, and for a 101 the connection to serve
/// once the stream is upgraded (the caller runs it, in its own task or
/// another).
pub(crate) async fn respond<B>(
    endpoint: &Endpoint,
    mut request: Request<B>,
    origin: Origin,
) -> (Response<Body>, Option<Upgrade>)
where
    B: hyper::body::Body<Data = Bytes> + Send,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let is_upgrade = has_token(&request, header::CONNECTION, "upgrade")
        && has_token(&request, header::UPGRADE, "websocket");
    let path = request.uri().path().to_owned();
    if !is_upgrade {
        if let Some(response) = contract_route(endpoint, &request, origin) {
            return (response, None);
        }
    }
    let Some((route, params)) = endpoint.route(&path, request.uri().query(), request.headers())
    else {
        if let Some(fallback) = &endpoint.fallback {
            return (fall_back(endpoint, fallback, request, origin).await, None);
        }
        return (
            text(StatusCode::NOT_FOUND, format!("no channel at `{path}`")),
            None,
        );
    };
    if request.method() != Method::GET {
        let mut response = text(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("`{path}` is a WebSocket channel: connect with GET and an upgrade"),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET"));
        return (response, None);
    }
    if !is_upgrade {
        let mut response = text(
            StatusCode::UPGRADE_REQUIRED,
            format!("`{path}` is a WebSocket channel: this request is no WebSocket upgrade"),
        );
        let headers = response.headers_mut();
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        headers.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
        return (response, None);
    }
    let version = request.headers().get(header::SEC_WEBSOCKET_VERSION);
    if version.map(HeaderValue::as_bytes) != Some(b"13") {
        let mut response = text(
            StatusCode::UPGRADE_REQUIRED,
            "the server speaks WebSocket version 13 (Sec-WebSocket-Version)",
        );
        response.headers_mut().insert(
            header::SEC_WEBSOCKET_VERSION,
            HeaderValue::from_static("13"),
        );
        return (response, None);
    }
    let Some(key) = request.headers().get(header::SEC_WEBSOCKET_KEY).cloned() else {
        return (
            text(
                StatusCode::BAD_REQUEST,
                "a WebSocket upgrade needs a Sec-WebSocket-Key header",
            ),
            None,
        );
    };
    let on_upgrade = hyper::upgrade::on(&mut request);
    let handshake = Handshake::new(request.uri(), request.headers(), origin.peer);
    let timeout = endpoint.shared.config.handshake_timeout;
    let opened = tokio::time::timeout(timeout, route.clone().open(handshake, params)).await;
    let session = match opened {
        Ok(Ok(session)) => session,
        Ok(Err(refusal)) => {
            debug!(peer = %origin.peer, %path, %refusal, "handshake refused");
            return (refused(refusal, route.security()), None);
        }
        Err(_) => {
            return (
                text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("authenticating took over {}s", timeout.as_secs()),
                ),
                None,
            )
        }
    };
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    let accept = derive_accept_key(key.as_bytes());
    if let Ok(accept) = HeaderValue::from_str(&accept) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    (
        response,
        Some(Upgrade {
            on_upgrade,
            session,
        }),
    )
}

/// Reads the body of `request` (up to the server's message size limit) and
/// hands it to the application's `fallback`.
async fn fall_back<B>(
    endpoint: &Endpoint,
    fallback: &Fallback,
    request: Request<B>,
    origin: Origin,
) -> Response<Body>
where
    B: hyper::body::Body<Data = Bytes> + Send,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let limit = endpoint.shared.config.limits.max_message_size;
    let (mut parts, body) = request.into_parts();
    let body = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            return text(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body is over the limit of {limit} bytes"),
            )
        }
        Err(error) => {
            return text(
                StatusCode::BAD_REQUEST,
                format!("the request body could not be read: {error}"),
            )
        }
    };
    parts.extensions.insert(origin.peer);
    fallback(Request::from_parts(parts, body))
        .await
        .map(Full::new)
}

fn refused(refusal: Refusal, schemes: &[crate::security::Scheme]) -> Response<Body> {
    let mut response = text(refusal.status, refusal.reason);
    if refusal.status == StatusCode::UNAUTHORIZED && schemes.iter().any(|s| s.is_bearer()) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// The contract's routes, when one is served and `request` asks for one.
fn contract_route<B>(
    endpoint: &Endpoint,
    request: &Request<B>,
    origin: Origin,
) -> Option<Response<Body>> {
    let contract = endpoint.contract.as_ref()?;
    let path = request.uri().path();
    if !matches!(path, "/asyncapi.json" | "/asyncapi.yaml" | "/asyncapi") {
        return None;
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = text(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("`{path}` is read with GET"),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Some(response);
    }
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| origin.local.map(|a| a.to_string()))
        .unwrap_or_else(|| "localhost".to_owned());
    let served = Served {
        scheme: if origin.secure { "wss" } else { "ws" },
        host: &host,
    };
    let (body, content_type) = match path {
        "/asyncapi.json" => (contract.json_for(&served), "application/json"),
        "/asyncapi.yaml" => (contract.yaml_for(&served), "application/yaml"),
        _ => (contract.html().to_owned(), "text/html; charset=utf-8"),
    };
    let body = if request.method() == Method::HEAD {
        Bytes::new()
    } else {
        Bytes::from(body)
    };
    let mut response = Response::new(Full::new(body));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if path == "/asyncapi" {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_CSP),
        );
    }
    Some(response)
}

/// Serves HTTP/1.1 on `io` until the connection ends, or until a request
/// is upgraded: then serves that WebSocket connection, in this task.
pub(crate) async fn serve_connection(io: BoxIo, endpoint: Arc<Endpoint>, origin: Origin) {
    let shared = endpoint.shared.clone();
    // Boxed, so that it is freed before the WebSocket connection is served:
    // hyper's connection is a big future, which the connection's task would
    // otherwise carry for as long as the connection lasts.
    let upgrade = Box::pin(serve_http(io, endpoint, origin)).await;
    if let Some(upgrade) = upgrade {
        upgrade.run(shared).await;
    }
}

/// Serves HTTP on `io` until the connection ends or is upgraded: the
/// upgrade, for a handshake answered with 101.
async fn serve_http(io: BoxIo, endpoint: Arc<Endpoint>, origin: Origin) -> Option<Upgrade> {
    let upgraded: Arc<Mutex<Option<Upgrade>>> = Arc::new(Mutex::new(None));
    let service = {
        let endpoint = endpoint.clone();
        let upgraded = upgraded.clone();
        hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
            let endpoint = endpoint.clone();
            let upgraded = upgraded.clone();
            async move {
                let (response, upgrade) = respond(&endpoint, request, origin).await;
                if let Some(upgrade) = upgrade {
                    *upgraded.lock().unwrap_or_else(|e| e.into_inner()) = Some(upgrade);
                }
                Ok::<_, Infallible>(response)
            }
        })
    };
    let shared = endpoint.shared.clone();
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(shared.config.handshake_timeout)
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades();
    tokio::pin!(connection);
    let mut shutdown = shared.shutdown.subscribe();
    let served = tokio::select! {
        served = connection.as_mut() => served,
        () = crate::ws::until(&mut shutdown, |down| *down) => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = served {
        debug!(peer = %origin.peer, %error, "HTTP connection failed");
    }
    let upgrade = upgraded.lock().unwrap_or_else(|e| e.into_inner()).take();
    upgrade
}
