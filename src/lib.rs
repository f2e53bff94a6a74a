//! Showcases of `asyncapi-codegen` and `asyncapi-runtime`: code generated
//! by `build.rs` from the documents in `specs/`.

#![forbid(unsafe_code)]
#![deny(warnings)]

/// Kraken's WebSockets API v1, generated from `specs/kraken.yaml`
/// (AsyncAPI 3.0): channel `public` on `ws.kraken.com` and channel
/// `private` on `ws-auth.kraken.com`.
///
/// Each channel's `Handle` sends that channel's messages only:
///
/// ```
/// use asyncapi_showcase::kraken::channels::private;
///
/// async fn feed(orders: private::Handle, frame: private::ServerMessage) {
///     let _ = orders.broadcast("openOrders", frame).await;
/// }
/// ```
///
/// and a message of another channel does not compile:
///
/// ```compile_fail
/// use asyncapi_showcase::kraken::channels::{private, public};
///
/// async fn feed(ticker: public::Handle, frame: private::ServerMessage) {
///     let _ = ticker.broadcast("openOrders", frame).await;
/// }
/// ```
pub mod kraken {
    asyncapi_runtime::include_api!("kraken");
}

/// Kraken's general messages in the seed blog's AsyncAPI 2.0 shape (one
/// channel `/`, `publish`/`subscribe`), generated from
/// `specs/kraken_2_0.yaml`, whose payloads are `$ref`s into `kraken.yaml`.
pub mod kraken_2_0 {
    asyncapi_runtime::include_api!("kraken_2_0");
}

/// Kraken's WebSockets API v2, generated from `specs/kraken_v2.yaml`
/// (AsyncAPI 3.0): channel `public` on `ws.kraken.com/v2`, `private` on
/// `ws-auth.kraken.com/v2` and `level3` on `ws-l3.kraken.com/v2`.
pub mod kraken_v2 {
    asyncapi_runtime::include_api!("kraken_v2");
}

/// The chat service of `examples/chat_server.rs`, generated from
/// `specs/chat.yaml` (AsyncAPI 3.0): one channel, `/chat/{room}`, so
/// everything sits at the module root.
pub mod chat {
    asyncapi_runtime::include_api!("chat");
}

pub mod book;
pub mod book_v2;
pub mod chat_app;
pub mod mock;
pub mod show;
pub mod show_v2;
