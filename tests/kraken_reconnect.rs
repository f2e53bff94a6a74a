//! The generated Kraken client survives a server restart: with a
//! reconnection policy it comes back on its own, re-sends its subscription
//! (the document marks `subscribe`/`unsubscribe` with
//! `x-asyncapi-rs-subscription`, so the generated client knows them without
//! a hook of the user's), yields `Reconnected`, and a fresh book snapshot
//! follows. An unsubscribed feed is not restored.

use asyncapi_runtime::client::{ClientConfig, Error, ReconnectPolicy};
use asyncapi_runtime::server::{ServerConfig, ServerHandle};
use asyncapi_showcase::kraken::channels::public;
use asyncapi_showcase::kraken::types;
use asyncapi_showcase::mock::{KrakenMock, MockConfig};
use std::future::Future;
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(20);

async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(DEADLINE, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: nothing within {DEADLINE:?}"))
}

/// A mock Kraken on `addr` (port 0: one the OS picks); its address and handle.
async fn mock_on(addr: &str) -> (String, ServerHandle) {
    let mock = KrakenMock::new(MockConfig {
        tick: Duration::from_millis(20),
        ..MockConfig::default()
    });
    let server = mock
        .public_server(addr, ServerConfig::default())
        .await
        .expect("binds");
    let addr = server.local_addr().to_string();
    let handle = server.handle();
    tokio::spawn(server.run());
    (addr, handle)
}

fn subscribe(name: types::SubscriptionName, depth: Option<i64>) -> types::Subscribe {
    types::Subscribe {
        event: Default::default(),
        pair: vec!["XBT/USD".into()],
        reqid: None,
        subscription: types::SubscriptionRequest {
            name,
            depth: depth.map(|d| types::BookDepth::try_from(d).unwrap()),
            interval: None,
            consolidate_taker: None,
            ratecounter: None,
            snapshot: None,
            token: None,
        },
    }
}

fn unsubscribe(name: types::SubscriptionName) -> types::Unsubscribe {
    types::Unsubscribe {
        event: Default::default(),
        pair: vec!["XBT/USD".into()],
        reqid: None,
        subscription: types::SubscriptionRequest {
            name,
            depth: None,
            interval: None,
            consolidate_taker: None,
            ratecounter: None,
            snapshot: None,
            token: None,
        },
    }
}

/// Reads until `wanted` says yes; what it saw of interest on the way.
async fn until(
    client: &mut public::Client,
    what: &str,
    mut wanted: impl FnMut(&Result<public::ServerMessage, Error>) -> bool,
) {
    within(what, async {
        loop {
            let next = client.recv().await.expect("the stream goes on");
            if wanted(&next) {
                return;
            }
        }
    })
    .await
}

#[tokio::test]
async fn the_generated_client_reconnects_and_resubscribes_after_a_restart() {
    let (addr, handle) = mock_on("127.0.0.1:0").await;
    let policy = ReconnectPolicy::default()
        .with_delays(Duration::from_millis(200), Duration::from_secs(1))
        .with_jitter(0.0);
    let config = ClientConfig::default().reconnect(policy);
    let mut client = public::Client::connect_with(&format!("ws://{addr}"), config)
        .await
        .unwrap();
    client
        .subscribe(subscribe(types::SubscriptionName::Book, Some(10)))
        .await
        .unwrap();
    client
        .subscribe(subscribe(types::SubscriptionName::Ticker, None))
        .await
        .unwrap();
    client
        .unsubscribe(unsubscribe(types::SubscriptionName::Ticker))
        .await
        .unwrap();
    until(&mut client, "the first snapshot", |m| {
        matches!(m, Ok(public::ServerMessage::BookSnapshot(_)))
    })
    .await;

    // The server restarts: it closes every connection with 1001 (going
    // away), so the client waits its slow delay before trying again.
    handle.shutdown();
    within("the old server to go", async {
        while handle.connection_count() > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let (_addr, new_handle) = mock_on(&addr).await;
    until(&mut client, "the reconnection", |m| match m {
        Err(Error::Reconnected { after, attempt }) => {
            assert!(*after >= Duration::from_millis(200), "{after:?}");
            assert!(*attempt >= 1);
            true
        }
        Ok(_) => false,
        Err(e) => panic!("{e}"),
    })
    .await;
    // The book comes back from a new snapshot; the ticker, unsubscribed
    // before the restart, does not.
    let mut statuses = Vec::new();
    until(&mut client, "the new snapshot", |m| match m {
        Ok(public::ServerMessage::SubscriptionStatus(s)) => {
            statuses.push(s.subscription.name);
            false
        }
        Ok(public::ServerMessage::Ticker(_)) => panic!("the unsubscribed ticker came back"),
        Ok(public::ServerMessage::BookSnapshot(_)) => true,
        _ => false,
    })
    .await;
    assert_eq!(statuses, [types::SubscriptionName::Book]);
    assert_eq!(new_handle.connection_count(), 1);
    client.close().await.unwrap();
}
