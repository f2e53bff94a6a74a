//! The server's HTTP side over loopback, with plain HTTP/1.1 requests: the
//! contract routes (JSON, YAML, the page and its Content-Security-Policy),
//! and the answers to requests that are no WebSocket connection (404, 405,
//! 426, 400 for an upgrade without key).

mod common;

use asyncapi_runtime::contract::Contract;
use asyncapi_runtime::server::Server;
use common::{within, TestService};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const JSON: &str = r#"{"asyncapi":"3.0.0","info":{"title":"T","version":"1"},"servers":{"local":{"host":"localhost:9100","protocol":"ws"}},"channels":{}}"#;
const HTML: &str = "<!doctype html><title>T</title><h1>T</h1>";

struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// Sends `request` (a request line and headers, maybe a blank line and a
/// body) and reads the answer to the end of the connection.
async fn ask(addr: &str, request: &str) -> Answer {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (head, body) = request.split_once("\r\n\r\n").unwrap_or((request, ""));
    let text = format!("{head}\r\nHost: {addr}\r\nConnection: close\r\n\r\n{body}");
    tcp.write_all(text.as_bytes()).await.unwrap();
    let mut response = String::new();
    within("the response", tcp.read_to_string(&mut response))
        .await
        .unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Answer {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

async fn serve(contract: Option<Contract>) -> String {
    let service = TestService {
        address: Some("/rooms/{room}"),
        ..TestService::default()
    };
    let mut builder = Server::builder().channel(service);
    if let Some(contract) = contract {
        builder = builder.contract(contract);
    }
    let server = builder.bind("127.0.0.1:0").await.unwrap();
    let addr = server.local_addr().to_string();
    tokio::spawn(server.run());
    addr
}

fn without_servers(mut value: serde_json::Value) -> serde_json::Value {
    value.as_object_mut().unwrap().remove("servers");
    value
}

#[tokio::test]
async fn the_contract_is_served_as_json_yaml_and_a_page() {
    let addr = serve(Some(Contract::new(JSON, HTML))).await;
    let source: serde_json::Value = serde_json::from_str(JSON).unwrap();

    let json = ask(&addr, "GET /asyncapi.json HTTP/1.1").await;
    assert_eq!(json.status, 200, "{}", json.head);
    assert_eq!(json.header("content-type"), Some("application/json"));
    let served: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(without_servers(served), without_servers(source.clone()));

    let yaml = ask(&addr, "GET /asyncapi.yaml HTTP/1.1").await;
    assert_eq!(yaml.status, 200);
    assert_eq!(yaml.header("content-type"), Some("application/yaml"));
    let served: serde_json::Value = serde_yaml::from_str(&yaml.body).unwrap();
    assert_eq!(without_servers(served), without_servers(source));

    let page = ask(&addr, "GET /asyncapi HTTP/1.1").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.body, HTML);
    assert_eq!(
        page.header("content-security-policy"),
        Some("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:")
    );

    let head = ask(&addr, "HEAD /asyncapi.json HTTP/1.1").await;
    assert_eq!((head.status, head.body.as_str()), (200, ""));
    let post = ask(&addr, "POST /asyncapi.json HTTP/1.1\r\nContent-Length: 0").await;
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
}

#[tokio::test]
async fn without_a_contract_its_routes_are_not_found() {
    let addr = serve(None).await;
    let json = ask(&addr, "GET /asyncapi.json HTTP/1.1").await;
    assert_eq!(json.status, 404);
    assert_eq!(json.body, "no channel at `/asyncapi.json`");
}

#[tokio::test]
async fn requests_that_are_no_websocket_connection_are_answered() {
    let addr = serve(Some(Contract::new(JSON, HTML))).await;
    let nowhere = ask(&addr, "GET /nowhere HTTP/1.1").await;
    assert_eq!(nowhere.status, 404);

    let plain = ask(&addr, "GET /rooms/1 HTTP/1.1").await;
    assert_eq!(plain.status, 426);
    assert_eq!(plain.header("upgrade"), Some("websocket"));
    assert!(
        plain.body.contains("no WebSocket upgrade"),
        "{}",
        plain.body
    );

    let post = ask(&addr, "POST /rooms/1 HTTP/1.1\r\nContent-Length: 0").await;
    assert_eq!((post.status, post.header("allow")), (405, Some("GET")));

    let upgrade = "GET /rooms/1 HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket";
    let with_key = "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";
    let old = ask(&addr, &format!("{upgrade}\r\nSec-WebSocket-Version: 8")).await;
    assert_eq!(
        (old.status, old.header("sec-websocket-version")),
        (426, Some("13"))
    );
    let keyless = ask(&addr, &format!("{upgrade}\r\nSec-WebSocket-Version: 13")).await;
    assert_eq!(keyless.status, 400);
    assert!(
        keyless.body.contains("Sec-WebSocket-Key"),
        "{}",
        keyless.body
    );

    let bad = ask(&addr, &format!("GET /rooms/x HTTP/1.1\r\n{with_key}")).await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.body,
        "bad channel parameter for `/rooms/{room}`: room `x` is not a number"
    );

    // A contract route asked for with an upgrade is no contract route.
    let upgraded_docs = ask(&addr, &format!("GET /asyncapi HTTP/1.1\r\n{with_key}")).await;
    assert_eq!(upgraded_docs.status, 404);
}

#[tokio::test]
async fn requests_no_channel_serves_go_to_the_fallback() {
    use asyncapi_runtime::server::{HttpRequest, HttpResponse, ServerConfig};
    let mut config = ServerConfig::default();
    config.limits.max_message_size = 16;
    let server = Server::builder()
        .config(config)
        .channel(TestService {
            address: Some("/rooms/{room}"),
            ..TestService::default()
        })
        .fallback(|request: HttpRequest| async move {
            let peer = request.extensions().get::<std::net::SocketAddr>().copied();
            let text = format!(
                "{} {} {} from {}",
                request.method(),
                request.uri().path(),
                String::from_utf8_lossy(request.body()),
                peer.is_some_and(|p| p.ip().is_loopback()),
            );
            let mut response = HttpResponse::new(text.into());
            *response.status_mut() = asyncapi_runtime::server::StatusCode::ACCEPTED;
            response
        })
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let addr = server.local_addr().to_string();
    tokio::spawn(server.run());

    let posted = ask(
        &addr,
        "POST /rooms/1/announcements HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
    )
    .await;
    assert_eq!(posted.status, 202, "{}", posted.head);
    assert_eq!(posted.body, "POST /rooms/1/announcements hello from true");
    let big = ask(
        &addr,
        "POST /x HTTP/1.1\r\nContent-Length: 17\r\n\r\n12345678901234567",
    )
    .await;
    assert_eq!(big.status, 413);
    // A channel's path is still the channel's.
    assert_eq!(ask(&addr, "GET /rooms/1 HTTP/1.1").await.status, 426);
}
