//! The handler of the secured fixture
//! (`asyncapi-codegen/tests/fixtures/sides/secured.yaml`: a bearer token or
//! an API key in the query admits) and the wire checks that every way of
//! serving it must pass (the standalone server in `tests/secured.rs`, axum
//! in `tests/axum.rs`).

pub mod secured {
    asyncapi_runtime::include_api!("secured");
}

use asyncapi_runtime::client::ClientConfig;
use asyncapi_runtime::security::Credential;
use asyncapi_runtime::server::{HandlerError, Handshake, Refusal, Replies};
use secured::{security, Client, Context, Handler, Parameters};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite;

/// Two users, by token; `mallory` has a valid token but not for `games`.
pub struct Rooms;

/// Who a connection is.
pub struct User {
    name: String,
    scheme: &'static str,
}

/// How often this connection asked who it is.
#[derive(Default)]
pub struct Asked(AtomicI64);

impl Handler for Rooms {
    type Identity = User;
    type State = Asked;

    async fn authenticate(
        &self,
        handshake: &Handshake<'_>,
        params: &Parameters,
        credential: Credential<'_>,
    ) -> Result<User, Refusal> {
        assert!(handshake.path().starts_with("/chat/"));
        let name = match credential.value() {
            "token-a" => "alice",
            "token-b" => "bob",
            "token-m" => "mallory",
            _ => return Err(Refusal::unauthorized("unknown token")),
        };
        if name == "mallory" && params.room == "games" {
            return Err(Refusal::forbidden("mallory may not play"));
        }
        Ok(User {
            name: name.to_owned(),
            scheme: credential.scheme,
        })
    }

    async fn whoami(
        &self,
        ctx: &Context<User, Asked>,
        _message: secured::types::Whoami,
    ) -> Result<Replies<secured::types::You>, HandlerError> {
        let asked = ctx.state().0.fetch_add(1, Ordering::Relaxed) + 1;
        let user = ctx.identity();
        Ok(secured::types::You {
            action: Default::default(),
            user: format!("{} ({})", user.name, user.scheme),
            room: ctx.params().room.clone(),
            asked,
        }
        .into())
    }
}

pub fn whoami() -> secured::types::Whoami {
    secured::types::Whoami {
        action: Default::default(),
    }
}

/// The status and `WWW-Authenticate` of a refused handshake at `path`.
async fn refused(url: &str, path: &str, authorization: Option<&str>) -> (u16, Option<String>) {
    use tungstenite::client::IntoClientRequest;
    let mut request = format!("{url}{path}").into_client_request().unwrap();
    if let Some(value) = authorization {
        request
            .headers_mut()
            .insert("authorization", value.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Err(tungstenite::Error::Http(response)) => (
            response.status().as_u16(),
            response
                .headers()
                .get("www-authenticate")
                .map(|v| v.to_str().unwrap().to_owned()),
        ),
        other => panic!("{path}: expected a refusal, got {:?}", other.map(|_| ())),
    }
}

/// Refusals before the upgrade at the server at `url`: 401 without a
/// credential (with `WWW-Authenticate: Bearer`), the handler's own 401 and
/// 403, 400 for a bad parameter, 404 for no channel.
pub async fn refusals(url: &str) {
    let url = url.to_owned();
    let (status, challenge) = refused(&url, "/chat/lobby", None).await;
    assert_eq!((status, challenge.as_deref()), (401, Some("Bearer")));
    // The handler's own refusals.
    assert_eq!(
        refused(&url, "/chat/lobby", Some("Bearer nope")).await.0,
        401
    );
    assert_eq!(
        refused(&url, "/chat/games?token=token-m", None).await.0,
        403
    );
    // A value the document does not allow; a path with no channel.
    assert_eq!(
        refused(&url, "/chat/attic", Some("Bearer token-a")).await.0,
        400
    );
    assert_eq!(refused(&url, "/nowhere", None).await.0, 404);

    // Through the generated client: the reason reaches the error.
    let lobby = Parameters {
        room: "lobby".into(),
    };
    let error = Client::connect(&url, &lobby).await.unwrap_err().to_string();
    assert!(
        error.contains("401") && error.contains("`bearerAuth` (bearer token) or `queryToken`"),
        "{error}"
    );
}

/// Either scheme admits at the server at `url`, and handlers see the
/// identity and each connection's own state.
pub async fn admissions(url: &str) {
    let url = url.to_owned();
    let deadline = Duration::from_secs(20);
    let lobby = Parameters {
        room: "lobby".into(),
    };
    let games = Parameters {
        room: "games".into(),
    };
    let bearer = ClientConfig::default().with_credential(security::BEARER_AUTH.with("token-a"));
    let alice = tokio::time::timeout(deadline, Client::connect_with(&url, &lobby, bearer))
        .await
        .unwrap()
        .unwrap();
    let query = ClientConfig::default().with_credential(security::QUERY_TOKEN.with("token-b"));
    let bob = Client::connect_with(&url, &games, query).await.unwrap();

    for asked in 1..=3 {
        let you = tokio::time::timeout(deadline, alice.whoami(whoami()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (you.user.as_str(), you.room.as_str(), you.asked),
            ("alice (bearerAuth)", "lobby", asked)
        );
    }
    // A header set by hand admits as well.
    let header = ClientConfig::default().with_header("Authorization", "Bearer token-a");
    let again = Client::connect_with(&url, &games, header).await.unwrap();
    let you = again.whoami(whoami()).await.unwrap();
    assert_eq!((you.user.as_str(), you.asked), ("alice (bearerAuth)", 1));
    let bad = ClientConfig::default().with_header("bad header", "x");
    let error = Client::connect_with(&url, &games, bad).await.unwrap_err();
    assert!(
        error.to_string().contains("header name `bad header`"),
        "{error}"
    );

    // Each connection has its own state.
    let you = bob.whoami(whoami()).await.unwrap();
    assert_eq!(
        (you.user.as_str(), you.room.as_str(), you.asked),
        ("bob (queryToken)", "games", 1)
    );
}

/// A plain `GET` at a channel of the server at `url` gets 426.
pub async fn plain_get(url: &str) {
    let addr = url.trim_start_matches("ws://");
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(b"GET /chat/lobby HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    tokio::time::timeout(Duration::from_secs(20), tcp.read_to_string(&mut response))
        .await
        .unwrap()
        .unwrap();
    assert!(
        response.starts_with("HTTP/1.1 426") && response.contains("upgrade: websocket"),
        "{response}"
    );
}

/// The status line and body of `GET path`.
pub async fn get(url: &str, path: &str) -> (String, String) {
    let addr = url.trim_start_matches("ws://");
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(20),
        tcp.read_to_string(&mut response),
    )
    .await
    .unwrap()
    .unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

/// The fixture's contract at the server at `url`: the document with its
/// `servers` at the address served, and the page.
pub async fn contract_routes(url: &str) {
    let host = url.trim_start_matches("ws://");
    let (status, body) = get(url, "/asyncapi.json").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    let served: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(served["info"]["title"], "Secured rooms");
    assert_eq!(served["servers"]["local"]["host"], host, "{body}");
    assert_eq!(served["servers"]["local"]["protocol"], "ws");
    let (status, body) = get(url, "/asyncapi.yaml").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    let yaml: serde_json::Value = serde_yaml::from_str(&body).unwrap();
    assert_eq!(yaml, served);
    let (status, body) = get(url, "/asyncapi").await;
    assert_eq!(
        (status.as_str(), body.as_str()),
        ("HTTP/1.1 200 OK", secured::CONTRACT.html())
    );
}
