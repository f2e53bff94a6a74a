//! The mock Kraken server, built by implementing the generated server
//! traits of `specs/kraken.yaml` (v1) and `specs/kraken_v2.yaml` (v2): one
//! simulated market, two protocol faces.
//!
//! ```sh
//! cargo run --example kraken_mock_server -- --listen 127.0.0.1:9001
//! cargo run --example kraken_mock_server -- --listen 127.0.0.1:9001 \
//!     --private-listen 127.0.0.1:9002 --token secret
//! # v2 too (each endpoint serves /v2):
//! cargo run --example kraken_mock_server -- --v2-listen 127.0.0.1:9011 \
//!     --v2-private-listen 127.0.0.1:9012 --v2-level3-listen 127.0.0.1:9013 --token secret
//! ```
//!
//!
//! Over `wss://` with a certificate and key of your own (PEM), or with a
//! certificate for `localhost`/`127.0.0.1` made at start and written, with
//! its key, into a directory for clients to trust:
//!
//! ```sh
//! cargo run --example kraken_mock_server -- --tls-cert cert.pem --tls-key key.pem
//! cargo run --example kraken_mock_server -- --tls-generate /tmp/mock-tls
//! ```
//!
//! Then point a client at it, e.g.
//! `cargo run --example kraken_client -- --url ws://127.0.0.1:9001 --pair XBT/USD --channel book`.
//! Logs: `RUST_LOG=debug`.

use asyncapi_runtime::server::ServerConfig;
use asyncapi_runtime::tls::rustls;
use asyncapi_showcase::mock::{KrakenMock, MockConfig};
use std::sync::Arc;

const USAGE: &str = "usage: kraken_mock_server [--listen ADDR] [--private-listen ADDR] [--token TOKEN] [--tick-ms N]
                          [--tls-cert FILE --tls-key FILE | --tls-generate DIR]

  --listen ADDR          serve the public endpoint here (default 127.0.0.1:9001)
  --private-listen ADDR  also serve the authenticated endpoint here
  --v2-listen ADDR       serve the v2 public endpoint (/v2) here
  --v2-private-listen ADDR   serve the v2 authenticated endpoint (/v2) here
  --v2-level3-listen ADDR    serve the v2 level-3 endpoint (/v2) here
  --token TOKEN          the token private subscriptions and trading must carry
  --tick-ms N            milliseconds between feed frames (default 100)
  --tls-cert FILE        serve wss: with this PEM certificate chain (leaf first)...
  --tls-key FILE         ...and this PEM private key
  --tls-generate DIR     serve wss: with a certificate for localhost and 127.0.0.1 made
                         now, written to DIR/cert.pem (trust it) and DIR/key.pem";

/// Where the TLS certificate comes from.
enum Tls {
    Files { cert: String, key: String },
    Generate { dir: std::path::PathBuf },
}

struct Args {
    listen: String,
    tls: Option<Tls>,
    private_listen: Option<String>,
    v2_listen: [Option<String>; 3],
    config: MockConfig,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        listen: "127.0.0.1:9001".into(),
        tls: None,
        private_listen: None,
        v2_listen: [None, None, None],
        config: MockConfig::default(),
    };
    let (mut cert, mut key, mut generate) = (None, None, None);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--listen" => args.listen = value()?,
            "--private-listen" => args.private_listen = Some(value()?),
            "--v2-listen" => args.v2_listen[0] = Some(value()?),
            "--v2-private-listen" => args.v2_listen[1] = Some(value()?),
            "--v2-level3-listen" => args.v2_listen[2] = Some(value()?),
            "--token" => args.config.token = Some(value()?),
            "--tick-ms" => {
                let ms = value()?;
                let ms: u64 = ms
                    .parse()
                    .map_err(|_| format!("--tick-ms: `{ms}` is not a number"))?;
                args.config.tick = std::time::Duration::from_millis(ms.max(1));
            }
            "--tls-cert" => cert = Some(value()?),
            "--tls-key" => key = Some(value()?),
            "--tls-generate" => generate = Some(std::path::PathBuf::from(value()?)),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    args.tls = match (cert, key, generate) {
        (None, None, None) => None,
        (Some(cert), Some(key), None) => Some(Tls::Files { cert, key }),
        (None, None, Some(dir)) => Some(Tls::Generate { dir }),
        (Some(_), None, None) | (None, Some(_), None) => {
            return Err("--tls-cert and --tls-key go together".into())
        }
        _ => return Err("--tls-generate replaces --tls-cert and --tls-key".into()),
    };
    Ok(args)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = match args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{message}\n");
            }
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    if args.private_listen.is_some() && args.config.token.is_none() {
        eprintln!("note: no --token given: every private request will be refused");
    }
    let mut config = args.config;
    if let Some(tls) = &args.tls {
        config.tls = Some(tls_config(tls)?);
    }
    let scheme = if config.tls.is_some() { "wss" } else { "ws" };
    let server_config = ServerConfig::default();
    let mock = KrakenMock::new(config);
    let public = mock
        .public_server(&args.listen, server_config.clone())
        .await?;
    println!("public endpoint:  {scheme}://{}", public.local_addr());
    let handles = vec![public.handle()];
    let mut handles = handles;
    let mut tasks = vec![tokio::spawn(public.run())];
    if let Some(addr) = &args.private_listen {
        let private = mock.private_server(addr, server_config.clone()).await?;
        println!("private endpoint: {scheme}://{}", private.local_addr());
        handles.push(private.handle());
        tasks.push(tokio::spawn(private.run()));
    }
    for (i, addr) in args.v2_listen.iter().enumerate() {
        let Some(addr) = addr else { continue };
        let (name, server) = match i {
            0 => (
                "v2 public:  ",
                mock.v2_public_server(addr, server_config.clone()).await?,
            ),
            1 => (
                "v2 private: ",
                mock.v2_private_server(addr, server_config.clone()).await?,
            ),
            _ => (
                "v2 level3:  ",
                mock.v2_level3_server(addr, server_config.clone()).await?,
            ),
        };
        println!("{name}     {scheme}://{}/v2", server.local_addr());
        handles.push(server.handle());
        tasks.push(tokio::spawn(server.run()));
    }
    println!("Ctrl-C stops.");
    tokio::signal::ctrl_c().await?;
    for handle in &handles {
        handle.shutdown();
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

/// The server's TLS settings: from PEM files, or from a certificate made
/// now for `localhost` and `127.0.0.1`, written out for clients to trust.
fn tls_config(tls: &Tls) -> Result<Arc<rustls::ServerConfig>, Box<dyn std::error::Error>> {
    let read = |path: &str| std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"));
    let (cert, key) = match tls {
        Tls::Files { cert, key } => (read(cert)?, read(key)?),
        Tls::Generate { dir } => {
            let made = rcgen::generate_simple_self_signed(vec![
                "localhost".to_owned(),
                "127.0.0.1".to_owned(),
            ])?;
            let (cert, key) = (made.cert.pem(), made.signing_key.serialize_pem());
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            for (name, text) in [("cert.pem", &cert), ("key.pem", &key)] {
                let path = dir.join(name);
                std::fs::write(&path, text)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            println!("certificate:      {}", dir.join("cert.pem").display());
            (cert.into_bytes(), key.into_bytes())
        }
    };
    Ok(asyncapi_runtime::tls::server_config_from_pem(&cert, &key)?)
}
