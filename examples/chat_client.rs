//! The generated chat client: joins a room with a token, sends each line of
//! standard input as a chat message, and prints what arrives.
//!
//! ```sh
//! cargo run --example chat_server -- --listen 127.0.0.1:9100 --user alice=token-a
//! cargo run --example chat_client -- --url ws://127.0.0.1:9100 --room general --token token-a
//! ```
//!
//! A line `/typing` says you are typing, `/history N` asks for the last N
//! messages, `/ping` pings; anything else is said to the room. `--query`
//! sends the token as the `token` query parameter (as a browser would)
//! instead of the `Authorization` header.

use asyncapi_runtime::client::ClientConfig;
use asyncapi_showcase::chat::{self, types, Client, Parameters, ServerMessage};
use tokio::io::{AsyncBufReadExt, BufReader};

const USAGE: &str = "usage: chat_client [--url URL] [--room ROOM] --token TOKEN [--query]

  --url URL      server URL (default ws://127.0.0.1:9100)
  --room ROOM    the room to join (default general)
  --token TOKEN  your token (the server's --user NAME=TOKEN)
  --query        send the token in the query (?token=...) instead of a header";

struct Args {
    url: String,
    room: String,
    token: String,
    query: bool,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        url: "ws://127.0.0.1:9100".into(),
        room: "general".into(),
        token: String::new(),
        query: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => args.url = value()?,
            "--room" => args.room = value()?,
            "--token" => args.token = value()?,
            "--query" => args.query = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    if args.token.is_empty() {
        return Err(format!("--token is required\n{USAGE}"));
    }
    Ok(args)
}

#[tokio::main]
async fn main() {
    let args = match args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    if let Err(error) = run(args).await {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let scheme = if args.query {
        chat::security::QUERY_TOKEN
    } else {
        chat::security::BEARER_AUTH
    };
    let config = ClientConfig::default().with_credential(scheme.with(&args.token));
    let parameters = Parameters { room: args.room };
    let client = Client::connect_with(&args.url, &parameters, config).await?;
    let (sender, mut receiver) = client.split();
    eprintln!(
        "joined `{}`; type to chat, /typing, /history N, /ping",
        parameters.room
    );

    let printer = tokio::spawn(async move {
        while let Some(next) = receiver.recv().await {
            match next {
                Ok(message) => println!("{}", show(&message)),
                Err(e) if !e.is_terminal() => eprintln!("skipped: {e}"),
                Err(e) => {
                    eprintln!("connection ended: {e}");
                    break;
                }
            }
        }
    });

    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut next_id = 0u64;
    while let Some(line) = lines.next_line().await? {
        let line = line.trim();
        let sent = match line.split_once(' ').unwrap_or((line, "")) {
            ("", _) => continue,
            ("/typing", _) => sender.send(types::Typing::new()).await,
            ("/ping", _) => sender
                .ping(types::Ping::new())
                .await
                .map(|_| println!("pong")),
            ("/history", n) => {
                next_id += 1;
                let limit = n.trim().parse().unwrap_or(10u64);
                let Some(limit) = std::num::NonZeroU64::new(limit) else {
                    eprintln!("/history needs a number from 1 to 100");
                    continue;
                };
                let request = types::History::new(
                    types::RequestId::try_from(format!("h-{next_id}"))?,
                    types::HistoryPayload::new(limit),
                );
                match sender.history(request).await {
                    Ok(result) => {
                        for m in result.payload.messages {
                            println!("  [{}] {}: {}", m.sent_at, *m.user, *m.message);
                        }
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            _ => match types::ChatPayloadMessage::try_from(line) {
                Ok(text) => {
                    let chat = types::Chat::new(types::ChatPayload::new(text));
                    sender.send(chat).await
                }
                Err(e) => {
                    eprintln!("not sent: {e}");
                    continue;
                }
            },
        };
        match sent {
            Ok(()) => {}
            Err(e) if e.is_terminal() => return Err(e.into()),
            Err(e) => eprintln!("{e}"),
        }
    }
    sender.close().await.ok();
    printer.await.ok();
    Ok(())
}

/// One line for a message from the server.
fn show(message: &ServerMessage) -> String {
    match message {
        ServerMessage::ChatNotification(m) => {
            format!("{}: {}", *m.payload.user, *m.payload.message)
        }
        ServerMessage::UserTyping(m) => format!("({} is typing)", *m.payload.user),
        ServerMessage::UserJoined(m) => format!("-> {} joined", *m.payload.user),
        ServerMessage::UserLeft(m) => format!("<- {} left", *m.payload.user),
        ServerMessage::Announcement(m) => format!("** {}", *m.payload.text),
        ServerMessage::Error(m) => {
            let fields: Vec<String> = m
                .payload
                .errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.reason))
                .collect();
            format!(
                "error ({:?}): {} {}",
                m.payload.code,
                m.payload.message,
                fields.join("; ")
            )
        }
        other => format!("{other:?}"),
    }
}
