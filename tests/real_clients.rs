//! Third-party Kraken clients against the mock Kraken, over loopback.
//! v1: ccxt 4.4.90 (ticker, order book with its checksum check on, trades,
//! OHLC) over `ws://`, and python-kraken-sdk 2.3.0 (order book with its
//! checksum check, ticker) over `wss://` with a certificate made here,
//! which the SDK verifies. v2: ccxt 4.5.90 (the same four streams, its
//! checksum check on with its number formatting fixed) and
//! python-kraken-sdk 3.5.1 (book with its checksum check, ticker, trades,
//! candles; on the authenticated endpoint executions, balances and an
//! order placed and cancelled; level3) over verified `wss://`. They are what real users
//! run; the mock must satisfy them, not only our own client. And Python's
//! `websockets` (from the v2 environment) as a client of the chat service,
//! written from `specs/chat.yaml` alone, and headless Chromium's own
//! `WebSocket` as a browser client of it.
//!
//! The clients live in two Python virtual environments (one per major
//! version of each client) that `scripts/real-clients/setup.sh` makes
//! (`.ci/run` calls it). Without them the tests say so and pass, unless
//! `ASYNCAPI_REAL_CLIENTS=require` (which `.ci/run` sets), when a missing
//! environment is a failure.

use asyncapi_runtime::server::{Server, ServerConfig};
use asyncapi_showcase::mock::{KrakenMock, MockConfig};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

/// How long each client watches its streams.
const SECONDS: &str = "4";
/// How long a client may take in all before it counts as hung.
const DEADLINE: Duration = Duration::from_secs(90);

/// The v1 clients' Python.
fn python() -> Option<PathBuf> {
    python_of("real-clients-venv")
}

/// The Python of the virtual environment `venv` under the target
/// directory, if `setup.sh` made it.
fn python_of(venv: &str) -> Option<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let python = target.join(venv).join("bin/python");
    if python.exists() {
        return Some(python);
    }
    unavailable(format!(
        "the real clients are not installed ({} is missing): run scripts/real-clients/setup.sh",
        python.display()
    ));
    None
}

/// A client that is not installed: the test says so and passes, unless
/// `ASYNCAPI_REAL_CLIENTS=require`, when it fails.
fn unavailable(message: String) {
    if std::env::var("ASYNCAPI_REAL_CLIENTS").as_deref() == Ok("require") {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
}

/// Runs one client script; its output is shown, a non-zero exit or a hang
/// fails the test.
async fn run(python: &PathBuf, script: &str, args: &[&str], env: &[(&str, String)]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scripts/real-clients")
        .join(script);
    let mut command = tokio::process::Command::new(python);
    command
        .arg(&path)
        .args(args)
        .env("PYTHONWARNINGS", "ignore")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = tokio::time::timeout(DEADLINE, command.output())
        .await
        .unwrap_or_else(|_| panic!("{script} did not finish within {DEADLINE:?}"))
        .unwrap_or_else(|e| panic!("cannot run {script}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    assert!(
        output.status.success(),
        "{script} failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

fn mock(tls: Option<asyncapi_showcase::mock::Tls>) -> std::sync::Arc<KrakenMock> {
    KrakenMock::new(MockConfig {
        tick: Duration::from_millis(50),
        tls,
        ..MockConfig::default()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ccxt_v1_streams_and_checksummed_book() {
    let Some(python) = python() else { return };
    let server: Server = mock(None)
        .public_server("127.0.0.1:0", ServerConfig::default())
        .await
        .unwrap();
    let url = format!("ws://{}", server.local_addr());
    let handle = server.handle();
    tokio::spawn(server.run());
    run(&python, "ccxt_v1.py", &[&url, SECONDS], &[]).await;
    handle.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_kraken_sdk_v1_book_over_verified_tls() {
    let Some(python) = python() else { return };
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let (cert, key) = (made.cert.pem(), made.signing_key.serialize_pem());
    let tls =
        asyncapi_runtime::tls::server_config_from_pem(cert.as_bytes(), key.as_bytes()).unwrap();
    let server = mock(Some(tls))
        .public_server("127.0.0.1:0", ServerConfig::default())
        .await
        .unwrap();
    let endpoint = server.local_addr().to_string();
    let handle = server.handle();
    tokio::spawn(server.run());
    let dir = std::env::temp_dir().join(format!("asyncapi-real-clients-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert_path = dir.join("cert.pem");
    std::fs::write(&cert_path, &cert).unwrap();
    run(
        &python,
        "kraken_sdk_v1.py",
        &[&endpoint, SECONDS],
        &[("SSL_CERT_FILE", cert_path.display().to_string())],
    )
    .await;
    handle.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ccxt_v2_streams_and_checksummed_book() {
    let Some(python) = python_of("real-clients-v2-venv") else {
        return;
    };
    let server: Server = mock(None)
        .v2_public_server("127.0.0.1:0", ServerConfig::default())
        .await
        .unwrap();
    let url = format!("ws://{}/v2", server.local_addr());
    let handle = server.handle();
    tokio::spawn(server.run());
    run(&python, "ccxt_v2.py", &[&url, SECONDS], &[]).await;
    handle.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_kraken_sdk_v2_book_streams_trading_and_level3_over_verified_tls() {
    const TOKEN: &str = "sdk-token";
    let Some(python) = python_of("real-clients-v2-venv") else {
        return;
    };
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let (cert, key) = (made.cert.pem(), made.signing_key.serialize_pem());
    let tls =
        asyncapi_runtime::tls::server_config_from_pem(cert.as_bytes(), key.as_bytes()).unwrap();
    let mock = KrakenMock::new(MockConfig {
        tick: Duration::from_millis(50),
        tls: Some(tls),
        token: Some(TOKEN.into()),
        ..MockConfig::default()
    });
    let public = mock
        .v2_public_server("127.0.0.1:0", ServerConfig::default())
        .await
        .unwrap();
    let private = mock
        .v2_private_server("127.0.0.1:0", ServerConfig::default())
        .await
        .unwrap();
    let level3 = mock
        .v2_level3_server("127.0.0.1:0", ServerConfig::default())
        .await
        .unwrap();
    // The SDK appends /v2 itself.
    let urls = [&public, &private, &level3].map(|s| format!("wss://{}", s.local_addr()));
    let handles = [public.handle(), private.handle(), level3.handle()];
    for server in [public, private, level3] {
        tokio::spawn(server.run());
    }
    let dir = std::env::temp_dir().join(format!("asyncapi-real-clients-v2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert_path = dir.join("cert.pem");
    std::fs::write(&cert_path, &cert).unwrap();
    run(
        &python,
        "kraken_sdk_v2.py",
        &[&urls[0], &urls[1], &urls[2], TOKEN, SECONDS],
        &[("SSL_CERT_FILE", cert_path.display().to_string())],
    )
    .await;
    for handle in &handles {
        handle.shutdown();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The example server's axum application of the chat
/// (`chat_app::web::router`) on a port of the OS's choosing: its `ws://`
/// address, and the task serving it.
async fn serve_chat_router() -> (String, tokio::task::JoinHandle<std::io::Result<()>>) {
    use asyncapi_showcase::chat_app::{web, ChatApp, Users};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    let app = web::router(
        ChatApp::new(Users::demo()),
        "admin",
        ServerConfig::default(),
    );
    (
        url,
        tokio::spawn(async move { axum::serve(listener, app).await }),
    )
}

/// The chat service (`chat_app::web::router`, the example server's axum
/// application) and its standalone form, with Python's `websockets` as the
/// client, written from `specs/chat.yaml` alone: authentication by either
/// scheme, 400 and 401, chat, typing, history by id, and the error frames.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_websockets_chat_client() {
    use asyncapi_showcase::chat;
    use asyncapi_showcase::chat_app::{ChatApp, Users};
    let Some(python) = python_of("real-clients-v2-venv") else {
        return;
    };
    let (url, served) = serve_chat_router().await;
    run(&python, "chat_websockets.py", &[&url], &[]).await;
    served.abort();

    let server = Server::builder()
        .channel(chat::Service::new(ChatApp::new(Users::demo())))
        .contract(chat::CONTRACT)
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let url = format!("ws://{}", server.local_addr());
    let handle = server.handle();
    tokio::spawn(server.run());
    run(&python, "chat_websockets.py", &[&url], &[]).await;
    handle.shutdown();
}

/// A browser as the chat's client: headless Chromium's own `WebSocket`,
/// with the token in the query as browsers must, driven over the DevTools
/// protocol (`scripts/real-clients/chat_browser.py`), against the example
/// server's axum application.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_chat_client() {
    let Some(python) = python_of("real-clients-v2-venv") else {
        return;
    };
    let chromium = ["chromium", "chromium-browser"].iter().any(|name| {
        std::process::Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !chromium {
        unavailable("Chromium is not installed: run scripts/real-clients/setup.sh".into());
        return;
    }
    let (url, served) = serve_chat_router().await;
    run(&python, "chat_browser.py", &[&url], &[]).await;
    served.abort();
}
