//! A mock of Kraken's WebSockets API v1, built by implementing the
//! generated server traits (`kraken::channels::public::Handler` and
//! `kraken::channels::private::Handler`), so that the generated client and
//! everything built on it run offline.
//!
//! - On connect: `systemStatus`.
//! - `ping` → `pong` (the runtime copies `reqid`).
//! - Public: `subscribe`/`unsubscribe` → one `subscriptionStatus` per pair
//!   (with `channelID` and `channelName` such as `book-10`, `ohlc-5`), then
//!   synthetic but well-formed `ticker`, `trade`, `spread`, `ohlc` and
//!   `book` frames (a snapshot, then updates of one or both sides with a
//!   correct CRC32 `c`), and `heartbeat` after a second without data. A
//!   private subscription gets Kraken's own error text.
//! - Private: with the token the mock was given, `ownTrades`/`openOrders`
//!   subscriptions and trading (`addOrder` → `addOrderStatus` with a new
//!   `txid`, then `openOrders` and, for orders that fill, `ownTrades`
//!   updates; `editOrder`, `cancelOrder`, `cancelAll`,
//!   `cancelAllOrdersAfter`); anything else gets Kraken's error replies.
//! - A frame that is no message gets `{"event":"error","errorMessage":...}`.
//!
//! The same value also serves Kraken's WebSockets API v2 (see [`v2`]): one
//! simulated market, two protocol faces.

mod depth;
mod feed;
mod general;
pub mod market;
mod private;
mod public;
pub mod v2;

pub use public::PRIVATE_ON_PUBLIC;

use crate::kraken::channels::{private as private_channel, public as public_channel};
use crate::kraken_v2::channels as v2_channels;
use asyncapi_runtime::server::{ConnectionId, ServeError, Server, ServerConfig};
use asyncapi_runtime::tls::rustls;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How the mock behaves.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// The token private requests must carry (`None`: every token is refused).
    pub token: Option<String>,
    /// How often feeds send (default 100 ms).
    pub tick: Duration,
    /// After how long without data a connection gets a heartbeat (default 1 s).
    pub heartbeat_after: Duration,
    /// The seed of the synthetic market.
    pub seed: u64,
    /// Serve `wss` with these TLS settings (see `asyncapi_runtime::tls`);
    /// `None` serves plain `ws`.
    pub tls: Option<Tls>,
}

/// TLS settings of a server (`asyncapi_runtime::tls::server_config_from_pem`
/// makes them).
pub type Tls = Arc<rustls::ServerConfig>;

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            token: None,
            tick: Duration::from_millis(100),
            heartbeat_after: Duration::from_secs(1),
            seed: 42,
            tls: None,
        }
    }
}

/// The mock Kraken: one value serves both channels (each through its
/// generated `Service`).
pub struct KrakenMock {
    config: MockConfig,
    next_channel_id: AtomicU64,
    public: Mutex<HashMap<ConnectionId, Arc<public::Connection>>>,
    account: Arc<Mutex<private::Account>>,
    v2_public: Mutex<HashMap<ConnectionId, Arc<v2::PublicConnection>>>,
    v2_level3: Mutex<HashMap<ConnectionId, Arc<v2::Level3Connection>>>,
    v2_account: Arc<Mutex<v2::V2Account>>,
}

impl KrakenMock {
    /// A mock with these settings.
    pub fn new(config: MockConfig) -> Arc<Self> {
        Arc::new(KrakenMock {
            account: Arc::new(Mutex::new(private::Account::new(config.seed))),
            v2_account: Arc::new(Mutex::new(v2::V2Account::new(config.seed))),
            config,
            next_channel_id: AtomicU64::new(1),
            public: Mutex::new(HashMap::new()),
            v2_public: Mutex::new(HashMap::new()),
            v2_level3: Mutex::new(HashMap::new()),
        })
    }

    /// Its settings.
    pub fn config(&self) -> &MockConfig {
        &self.config
    }

    fn next_channel_id(&self) -> u64 {
        self.next_channel_id.fetch_add(1, Ordering::Relaxed) + 1000
    }

    fn public_connections(&self) -> MutexGuard<'_, HashMap<ConnectionId, Arc<public::Connection>>> {
        self.public.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn account(&self) -> MutexGuard<'_, private::Account> {
        self.account.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn v2_public_connections(
        &self,
    ) -> MutexGuard<'_, HashMap<ConnectionId, Arc<v2::PublicConnection>>> {
        self.v2_public.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn v2_level3_connections(
        &self,
    ) -> MutexGuard<'_, HashMap<ConnectionId, Arc<v2::Level3Connection>>> {
        self.v2_level3.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn v2_account(&self) -> MutexGuard<'_, v2::V2Account> {
        self.v2_account.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A server of the v2 public channel (`/v2`) on `addr`.
    pub async fn v2_public_server(
        self: &Arc<Self>,
        addr: &str,
        config: ServerConfig,
    ) -> Result<Server, ServeError> {
        let service = v2_channels::public::Service::from_arc(self.clone());
        serve(service, addr, config, self.config.tls.clone()).await
    }

    /// A server of the v2 private channel (`/v2`) on `addr`.
    pub async fn v2_private_server(
        self: &Arc<Self>,
        addr: &str,
        config: ServerConfig,
    ) -> Result<Server, ServeError> {
        let service = v2_channels::private::Service::from_arc(self.clone());
        serve(service, addr, config, self.config.tls.clone()).await
    }

    /// A server of the v2 level-3 channel (`/v2`) on `addr`.
    pub async fn v2_level3_server(
        self: &Arc<Self>,
        addr: &str,
        config: ServerConfig,
    ) -> Result<Server, ServeError> {
        let service = v2_channels::level3::Service::from_arc(self.clone());
        serve(service, addr, config, self.config.tls.clone()).await
    }

    /// A server of the public channel on `addr` (`127.0.0.1:0` for a port
    /// the OS picks).
    pub async fn public_server(
        self: &Arc<Self>,
        addr: &str,
        config: ServerConfig,
    ) -> Result<Server, ServeError> {
        serve(
            public_channel::Service::from_arc(self.clone()),
            addr,
            config,
            self.config.tls.clone(),
        )
        .await
    }

    /// A server of the private channel on `addr`.
    pub async fn private_server(
        self: &Arc<Self>,
        addr: &str,
        config: ServerConfig,
    ) -> Result<Server, ServeError> {
        serve(
            private_channel::Service::from_arc(self.clone()),
            addr,
            config,
            self.config.tls.clone(),
        )
        .await
    }
}

async fn serve(
    service: impl asyncapi_runtime::server::Service,
    addr: &str,
    config: ServerConfig,
    tls: Option<Tls>,
) -> Result<Server, ServeError> {
    let mut builder = Server::builder().config(config).channel(service);
    if let Some(tls) = tls {
        builder = builder.tls(tls);
    }
    builder.bind(addr).await
}
