//! The code generated for a channel that a bearer token or an API key in
//! the query admits (`asyncapi-codegen/tests/fixtures/sides/secured.yaml`),
//! compiled under `#![deny(warnings)]` and served by the standalone server
//! over loopback: refusals before the upgrade (401 without a credential,
//! the handler's own for a wrong one, 400 for a bad parameter, 404 for no
//! channel, 426 for no upgrade), each scheme admitting, and the identity
//! and per-connection state that handlers see; the contract on the same
//! port; the in-memory test client.

#![deny(warnings)]

#[path = "support/secured.rs"]
mod support;

use asyncapi_runtime::server::Server;
use support::{secured::Service, Rooms};

async fn serve() -> String {
    let server = Server::builder()
        .channel(Service::new(Rooms))
        .contract(support::secured::CONTRACT)
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let url = format!("ws://{}", server.local_addr());
    tokio::spawn(server.run());
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
async fn the_contract_is_served_on_the_same_port() {
    support::contract_routes(&serve().await).await;
}

#[tokio::test]
async fn the_in_memory_test_client_authenticates_the_same_way() {
    use asyncapi_runtime::server::testing::TestServer;
    use asyncapi_runtime::server::StatusCode;
    use support::secured::{security, ServerMessage};

    let server = TestServer::new(Service::new(Rooms));
    let refused = server.connect("/chat/lobby").await.unwrap_err();
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let refused = server
        .request("/chat/games")
        .credential(security::BEARER_AUTH.with("token-m"))
        .connect()
        .await
        .unwrap_err();
    assert_eq!(
        (refused.status, refused.reason.as_str()),
        (StatusCode::FORBIDDEN, "mallory may not play")
    );

    let mut bob = server
        .request("/chat/games")
        .credential(security::QUERY_TOKEN.with("token-b"))
        .connect()
        .await
        .unwrap();
    for asked in 1..=2 {
        bob.send(support::whoami()).await.unwrap();
        let ServerMessage::You(you) = bob.receive().await.unwrap();
        assert_eq!(
            (you.user.as_str(), you.room.as_str(), you.asked),
            ("bob (queryToken)", "games", asked)
        );
    }
    bob.assert_nothing().await;
}
