//! The chat server of `specs/chat.yaml`: the generated chat channel mounted
//! in an axum application, with its contract and docs served beside it and
//! an announcement endpoint.
//!
//! ```sh
//! cargo run --example chat_server -- --listen 127.0.0.1:9100 \
//!     --user alice=token-a --user bob=token-b --admin-token secret
//! # then, e.g.:
//! cargo run --example chat_client -- --room general --token token-a
//! curl -X POST -H 'Authorization: Bearer secret' -d '{"text":"hi all"}' \
//!     -H 'Content-Type: application/json' http://127.0.0.1:9100/chat/general/announcements
//! # the contract: http://127.0.0.1:9100/asyncapi (also .json, .yaml)
//! ```

use asyncapi_runtime::server::ServerConfig;
use asyncapi_showcase::chat_app::{web, ChatApp, Users};

const USAGE: &str =
    "usage: chat_server [--listen ADDR] [--user NAME=TOKEN]... [--admin-token TOKEN]

  --listen ADDR        where to listen (default 127.0.0.1:9100)
  --user NAME=TOKEN    a member and the token that admits it (repeatable;
                       without any, demo members are made and printed)
  --admin-token TOKEN  the bearer token of POST /chat/{room}/announcements
                       (default: one is made and printed)";

struct Args {
    listen: String,
    users: Users,
    admin_token: Option<String>,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        listen: "127.0.0.1:9100".into(),
        users: Users::new(),
        admin_token: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--listen" => args.listen = value()?,
            "--user" => args.users.add_arg(&value()?).map_err(|e| e.to_string())?,
            "--admin-token" => args.admin_token = Some(value()?),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() {
    let mut args = match args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    if args.users.is_empty() {
        args.users = Users::demo();
        println!("no --user given: demo members (name = token):");
        for (name, token) in args.users.list() {
            println!("  {name} = {token}");
        }
    }
    let admin_token = args.admin_token.unwrap_or_else(|| {
        let token = format!("admin-{:016x}", rand_seed());
        println!("no --admin-token given: announcements need `Authorization: Bearer {token}`");
        token
    });
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", args.listen);
            std::process::exit(1);
        }
    };
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    println!("chat on ws://{addr}/chat/{{room}}; the contract at http://{addr}/asyncapi");
    let app = web::router(
        ChatApp::new(args.users),
        &admin_token,
        ServerConfig::default(),
    );
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app).with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    if let Err(e) = served.await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// A token nobody guesses, without a random-number crate: the clock and the
/// process id, hashed.
fn rand_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    hasher.write_u32(std::process::id());
    hasher.finish()
}
