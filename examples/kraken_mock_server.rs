//! The mock Kraken server, built by implementing the generated server
//! traits of `specs/kraken.yaml`.
//!
//! ```sh
//! cargo run --example kraken_mock_server -- --listen 127.0.0.1:9001
//! cargo run --example kraken_mock_server -- --listen 127.0.0.1:9001 \
//!     --private-listen 127.0.0.1:9002 --token secret
//! ```
//!
//! Then point a client at it, e.g.
//! `cargo run --example kraken_client -- --url ws://127.0.0.1:9001 --pair XBT/USD --channel book`.
//! Logs: `RUST_LOG=debug`.

use asyncapi_runtime::server::ServerConfig;
use asyncapi_showcase::mock::{KrakenMock, MockConfig};

const USAGE: &str = "usage: kraken_mock_server [--listen ADDR] [--private-listen ADDR] [--token TOKEN] [--tick-ms N]

  --listen ADDR          serve the public endpoint here (default 127.0.0.1:9001)
  --private-listen ADDR  also serve the authenticated endpoint here
  --token TOKEN          the token private subscriptions and trading must carry
  --tick-ms N            milliseconds between feed frames (default 100)";

struct Args {
    listen: String,
    private_listen: Option<String>,
    config: MockConfig,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        listen: "127.0.0.1:9001".into(),
        private_listen: None,
        config: MockConfig::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--listen" => args.listen = value()?,
            "--private-listen" => args.private_listen = Some(value()?),
            "--token" => args.config.token = Some(value()?),
            "--tick-ms" => {
                let ms = value()?;
                let ms: u64 = ms
                    .parse()
                    .map_err(|_| format!("--tick-ms: `{ms}` is not a number"))?;
                args.config.tick = std::time::Duration::from_millis(ms.max(1));
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
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
    let mock = KrakenMock::new(args.config);
    let public = mock
        .public_server(&args.listen, ServerConfig::default())
        .await?;
    println!("public endpoint:  ws://{}", public.local_addr());
    let handles = vec![public.handle()];
    let mut handles = handles;
    let mut tasks = vec![tokio::spawn(public.run())];
    if let Some(addr) = &args.private_listen {
        let private = mock.private_server(addr, ServerConfig::default()).await?;
        println!("private endpoint: ws://{}", private.local_addr());
        handles.push(private.handle());
        tasks.push(tokio::spawn(private.run()));
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
