//! The chat service end to end, offline, in one process: the server of
//! `specs/chat.yaml` mounted in axum on a loopback port, three members in
//! two rooms talking through the generated client, an announcement made
//! over HTTP from outside any connection, a refused handshake, a frame that
//! breaks the schema and the error frame it gets, and the contract's URLs.
//!
//! ```sh
//! cargo run --example chat_demo
//! ```

use asyncapi_runtime::client::ClientConfig;
use asyncapi_runtime::server::ServerConfig;
use asyncapi_showcase::chat::{self, types, Client, Parameters, ServerMessage};
use asyncapi_showcase::chat_app::{web, ChatApp, Users};
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

const ADMIN: &str = "demo-admin";

#[tokio::main]
async fn main() {
    if let Err(error) = tokio::time::timeout(Duration::from_secs(60), run()).await {
        eprintln!("error: the demo did not finish within 60 s ({error})");
        std::process::exit(1);
    }
}

async fn run() {
    if let Err(error) = demo().await {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

/// Connects `name` (token `token-<name>`) to `room`.
async fn member(url: &str, name: &str, room: &str) -> Result<Client> {
    let token = format!("token-{name}");
    let config = ClientConfig::default().with_credential(chat::security::BEARER_AUTH.with(&token));
    let parameters = Parameters { room: room.into() };
    Ok(Client::connect_with(url, &parameters, config).await?)
}

/// The next message `client` receives, shown as one line.
async fn next(who: &str, client: &mut Client) -> Result<ServerMessage> {
    let message = tokio::time::timeout(Duration::from_secs(10), client.recv())
        .await
        .map_err(|_| format!("{who} received nothing"))?
        .ok_or_else(|| format!("{who}'s connection ended"))??;
    println!("  {who:<5} <- {}", serde_json::to_string(&message)?);
    Ok(message)
}

async fn demo() -> Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = web::router(ChatApp::new(Users::demo()), ADMIN, ServerConfig::default());
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("ws://{addr}");
    println!(
        "chat server on {url}/chat/{{room}} (members alice, bob, carol; tokens token-<name>)\n"
    );

    println!("alice and bob join `general`, carol joins `random`:");
    let mut alice = member(&url, "alice", "general").await?;
    next("alice", &mut alice).await?;
    let mut bob = member(&url, "bob", "general").await?;
    next("bob", &mut bob).await?;
    next("alice", &mut alice).await?;
    let mut carol = member(&url, "carol", "random").await?;
    next("carol", &mut carol).await?;

    println!("\nalice types, then says hello to `general` (carol, in `random`, hears nothing):");
    alice.send(types::Typing::new()).await?;
    next("bob", &mut bob).await?;
    let hello = types::ChatPayload::new(types::ChatPayloadMessage::try_from("Hello, bob!")?)
        .with_mentions(types::Mentions(vec![types::MentionsItem::try_from("bob")?]));
    alice.send(types::Chat::new(hello)).await?;
    next("alice", &mut alice).await?;
    next("bob", &mut bob).await?;

    println!("\nbob asks for the room's history (a request matched by its id):");
    let request = types::History::new(
        types::RequestId::try_from("h-1")?,
        types::HistoryPayload::new(std::num::NonZeroU64::new(10).expect("10 is not 0")),
    );
    let history = bob.history(request).await?;
    println!("  bob   <- {}", serde_json::to_string(&history)?);

    println!("\nan announcement to `general`, over HTTP, from outside any connection:");
    let status = announce(
        &addr.to_string(),
        "general",
        "The server restarts at 18:00 UTC.",
    )
    .await?;
    println!("  POST /chat/general/announcements -> {status}");
    next("alice", &mut alice).await?;
    next("bob", &mut bob).await?;

    println!("\na handshake with a wrong token is refused before the upgrade:");
    match member(&url, "mallory", "general").await {
        Ok(_) => return Err("mallory was admitted".into()),
        Err(error) => println!("  mallory: {error}"),
    }

    println!("\na client that sends a frame breaking the schema gets the error frame:");
    // A token in the query, as a browser's WebSocket sends it.
    let request = format!("{url}/chat/random?token=token-carol").into_client_request()?;
    let (mut raw, _) = tokio_tungstenite::connect_async(request).await?;
    raw.next().await; // its own user_joined
    next("carol", &mut carol).await?;
    let bad = r#"{"action":"chat","payload":{"message":""}}"#;
    println!("  raw   -> {bad}");
    raw.send(tokio_tungstenite::tungstenite::Message::text(bad))
        .await?;
    if let Some(Ok(reply)) = raw.next().await {
        println!("  raw   <- {}", reply.to_text()?);
    }
    raw.close(None).await.ok();
    next("carol", &mut carol).await?;

    println!("\nbob leaves:");
    bob.close().await?;
    next("alice", &mut alice).await?;

    println!("\nthe contract, served beside the channel:");
    println!("  http://{addr}/asyncapi       (HTML, works offline)");
    println!("  http://{addr}/asyncapi.json");
    println!("  http://{addr}/asyncapi.yaml");
    Ok(())
}

/// `POST /chat/{room}/announcements` with the admin token, through hyper's
/// client; the response's status.
async fn announce(addr: &str, room: &str, text: &str) -> Result<u16> {
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp)).await?;
    tokio::spawn(connection);
    let body = serde_json::json!({ "text": text }).to_string();
    let request = hyper::Request::post(format!("/chat/{room}/announcements"))
        .header("Host", addr)
        .header("Authorization", format!("Bearer {ADMIN}"))
        .header("Content-Type", "application/json")
        .body(http_body_util::Full::new(bytes::Bytes::from(body)))?;
    Ok(sender.send_request(request).await?.status().as_u16())
}
