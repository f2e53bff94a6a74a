//! The generated Kraken v2 client survives a server restart: with a
//! reconnection policy it comes back on its own, re-sends its
//! subscriptions (`specs/kraken_v2.yaml` marks `subscribe`/`unsubscribe`
//! with `x-asyncapi-rs-subscription`, keyed by `params`), yields
//! `Reconnected`, and a fresh book snapshot follows. A channel
//! unsubscribed with the same `params` is not restored.

use asyncapi_runtime::client::{ClientConfig, Error, ReconnectPolicy};
use asyncapi_runtime::server::{ServerConfig, ServerHandle};
use asyncapi_showcase::kraken_v2::channels::public;
use asyncapi_showcase::kraken_v2::types;
use asyncapi_showcase::mock::{KrakenMock, MockConfig};
use std::future::Future;
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(20);

async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(DEADLINE, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: nothing within {DEADLINE:?}"))
}

/// A mock's v2 face on `addr` (port 0: one the OS picks); its address and handle.
async fn mock_on(addr: &str) -> (String, ServerHandle) {
    let mock = KrakenMock::new(MockConfig {
        tick: Duration::from_millis(20),
        ..MockConfig::default()
    });
    let server = mock
        .v2_public_server(addr, ServerConfig::default())
        .await
        .expect("binds");
    let addr = server.local_addr().to_string();
    let handle = server.handle();
    tokio::spawn(server.run());
    (addr, handle)
}

fn params(channel: types::Channel) -> types::SubscriptionParams {
    let mut params = types::SubscriptionParams::new(channel);
    params.symbol = vec!["BTC/USD".to_owned().into()];
    if channel == types::Channel::Book {
        params.depth = Some(types::BookDepth::try_from(10).unwrap());
    }
    params
}

/// Reads until `wanted` says yes.
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

fn is_book_snapshot(m: &Result<public::ServerMessage, Error>) -> bool {
    matches!(m, Ok(public::ServerMessage::Book(b)) if b.type_ == types::DataType::Snapshot)
}

#[tokio::test]
async fn the_v2_client_reconnects_and_resubscribes_after_a_restart() {
    let (addr, handle) = mock_on("127.0.0.1:0").await;
    let policy = ReconnectPolicy::default()
        .with_delays(Duration::from_millis(200), Duration::from_secs(1))
        .with_jitter(0.0);
    let config = ClientConfig::default().reconnect(policy);
    let mut client = public::Client::connect_with(&format!("ws://{addr}"), config)
        .await
        .unwrap();
    for channel in [types::Channel::Book, types::Channel::Ticker] {
        let reply = client
            .subscribe(types::Subscribe::new(params(channel)))
            .await;
        assert!(
            matches!(reply, Ok(public::SubscribeReply::SubscribeAck(_))),
            "{reply:?}"
        );
    }
    let reply = client
        .unsubscribe(types::Unsubscribe::new(params(types::Channel::Ticker)))
        .await;
    assert!(
        matches!(reply, Ok(public::UnsubscribeReply::UnsubscribeAck(_))),
        "{reply:?}"
    );
    until(&mut client, "the first snapshot", is_book_snapshot).await;

    handle.shutdown();
    within("the old server to go", async {
        while handle.connection_count() > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let (_addr, new_handle) = mock_on(&addr).await;
    until(&mut client, "the reconnection", |m| match m {
        Err(Error::Reconnected { attempt, .. }) => {
            assert!(*attempt >= 1);
            true
        }
        Ok(_) => false,
        Err(e) => panic!("{e}"),
    })
    .await;
    // The book comes back from a new snapshot; the ticker does not.
    let mut acks = Vec::new();
    until(&mut client, "the new snapshot", |m| match m {
        Ok(public::ServerMessage::SubscribeAck(a)) => {
            acks.push(a.result.channel);
            false
        }
        Ok(public::ServerMessage::Ticker(_)) => panic!("the unsubscribed ticker came back"),
        other => is_book_snapshot(other),
    })
    .await;
    assert_eq!(acks, [types::Channel::Book]);
    assert_eq!(new_handle.connection_count(), 1);
    client.close().await.unwrap();
}
