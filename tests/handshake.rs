//! The query parameters and headers a channel's `ws` binding describes
//! (`asyncapi-codegen/tests/fixtures/sides/handshake.yaml`: Gemini-style
//! `?heartbeat=true&depth=…` and an API key header), over loopback: the
//! generated client writes them into the URL and the handshake, the
//! generated server reads and checks them before the upgrade (400 naming
//! the field), and the handler sees them typed.

#![deny(warnings)]

mod handshake {
    asyncapi_runtime::include_api!("handshake");
}

use asyncapi_runtime::server::{HandlerError, Server};
use handshake::{types, Client, Context, Handler, Parameters, Service};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Greets each connection with what its handshake said.
struct Echo;

impl Handler for Echo {
    async fn on_connect(&self, ctx: &Context) -> Result<(), HandlerError> {
        let p = ctx.params();
        let mut hello = types::Hello::new(p.depth, p.heartbeat.unwrap_or(false));
        hello.side = p.side.clone();
        hello.key = Some(p.x_api_key.clone());
        ctx.send(hello).await?;
        Ok(())
    }
}

const DEADLINE: Duration = Duration::from_secs(20);

async fn serve() -> String {
    let server = Server::builder()
        .channel(Service::new(Echo))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let url = format!("ws://{}", server.local_addr());
    tokio::spawn(server.run());
    url
}

/// A raw handshake: `Ok` with the first frame, or `Err` with the status and
/// the body of the refusal.
async fn raw(url: &str, path_and_query: &str, key: Option<&str>) -> Result<String, (u16, String)> {
    let mut request = format!("{url}{path_and_query}")
        .into_client_request()
        .unwrap();
    if let Some(key) = key {
        request
            .headers_mut()
            .insert("x-api-key", key.parse().unwrap());
    }
    let connected = tokio::time::timeout(DEADLINE, tokio_tungstenite::connect_async(request))
        .await
        .unwrap();
    match connected {
        Ok((mut socket, _)) => {
            use futures_util::StreamExt;
            let frame = tokio::time::timeout(DEADLINE, socket.next()).await.unwrap();
            Ok(frame.unwrap().unwrap().into_text().unwrap().to_string())
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err((
            response.status().as_u16(),
            String::from_utf8_lossy(response.body().as_deref().unwrap_or_default()).into_owned(),
        )),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn the_server_reads_and_checks_the_query_and_headers() {
    let url = serve().await;
    let hello = raw(
        &url,
        "/v1/marketdata/btcusd?depth=5&heartbeat=true&side=bids",
        Some("key1"),
    )
    .await
    .unwrap();
    let hello: serde_json::Value = serde_json::from_str(&hello).unwrap();
    assert_eq!(
        hello,
        serde_json::json!({"type": "hello", "depth": 5, "heartbeat": true, "side": "bids", "key": "key1"})
    );
    // An optional parameter left out reaches the handler as `None` (which
    // this handler reads as the document's default, `false`).
    let hello = raw(&url, "/v1/marketdata/ethusd?depth=1", Some("abcd"))
        .await
        .unwrap();
    assert!(hello.contains(r#""heartbeat":false"#), "{hello}");
    assert!(!hello.contains("side"), "an absent `side` is None: {hello}");

    for (path, key, field) in [
        (
            "/v1/marketdata/btcusd",
            Some("key1"),
            "the query parameter `depth` is required",
        ),
        (
            "/v1/marketdata/btcusd?depth=deep",
            Some("key1"),
            "the query parameter `depth` must be an integer, not `deep`",
        ),
        (
            "/v1/marketdata/btcusd?depth=1&heartbeat=yes",
            Some("key1"),
            "the query parameter `heartbeat` must be `true` or `false`, not `yes`",
        ),
        (
            "/v1/marketdata/btcusd?depth=1&side=middle",
            Some("key1"),
            "the query parameter `side` must be one of `bids`, `offers`, not `middle`",
        ),
        (
            "/v1/marketdata/btcusd?depth=1",
            None,
            "the header `X-Api-Key` is required",
        ),
        (
            "/v1/marketdata/btcusd?depth=1",
            Some("NO!"),
            "the header `X-Api-Key` must match `^[a-z0-9]{4,16}$`, not `NO!`",
        ),
        (
            "/v1/marketdata/dogeusd?depth=1",
            Some("key1"),
            "`symbol` must be one of `btcusd`, `ethusd`, not `dogeusd`",
        ),
    ] {
        let (status, body) = raw(&url, path, key).await.expect_err(path);
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body.contains(field), "{path}: {body}");
    }
}
#[tokio::test]
async fn the_generated_client_writes_the_query() {
    let url = serve().await;
    let parameters = Parameters {
        symbol: "btcusd".into(),
        heartbeat: Some(true),
        depth: 25,
        side: None,
        x_api_key: "key1".into(),
    };
    assert_eq!(
        parameters.path(),
        "/v1/marketdata/btcusd?heartbeat=true&depth=25"
    );
    assert_eq!(parameters.headers(), [("X-Api-Key", "key1".to_owned())]);
    let mut client = tokio::time::timeout(DEADLINE, Client::connect(&url, &parameters))
        .await
        .unwrap()
        .unwrap();
    let hello = tokio::time::timeout(DEADLINE, client.recv())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let handshake::ServerMessage::Hello(hello) = hello;
    assert_eq!((hello.depth, hello.heartbeat), (25, true));
    assert_eq!(hello.key.as_deref(), Some("key1"));
}
