//! The secured fixture's generated service mounted into an axum
//! application next to its own routes (`asyncapi_runtime::axum`, feature
//! `axum`): the same wire checks as the standalone server
//! (`tests/secured.rs`), the application's routes untouched, and the
//! contract routes as a router of their own.

#![deny(warnings)]

#[path = "support/secured.rs"]
mod support;

use asyncapi_runtime::server::ServerConfig;
use std::net::SocketAddr;
use support::{secured::Service, Rooms};

async fn serve() -> String {
    let app = axum::Router::new()
        .route("/health", axum::routing::get(|| async { "ok" }))
        .merge(asyncapi_runtime::axum::channel(
            Service::new(Rooms),
            ServerConfig::default(),
        ))
        .merge(asyncapi_runtime::axum::contract(support::secured::CONTRACT));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    url
}

#[tokio::test]
async fn handshakes_are_refused_before_the_upgrade() {
    support::refusals(&serve().await).await;
}

#[tokio::test]
async fn either_scheme_admits_and_handlers_see_identity_and_state() {
    support::admissions(&serve().await).await;
}

#[tokio::test]
async fn a_plain_request_at_a_channel_is_told_to_upgrade() {
    support::plain_get(&serve().await).await;
}

#[tokio::test]
async fn the_application_and_the_contract_are_served_beside_the_channel() {
    let url = serve().await;
    let (status, body) = support::get(&url, "/health").await;
    assert_eq!((status.as_str(), body.as_str()), ("HTTP/1.1 200 OK", "ok"));
    support::contract_routes(&url).await;
}
