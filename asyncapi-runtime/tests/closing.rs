//! Ending connections: `close()` right after connecting always completes and
//! leaves the client closed; a text frame that is not UTF-8 is closed with
//! 1007 (RFC 6455 §7.4.1).

mod common;

use asyncapi_runtime::client::Error;
use asyncapi_runtime::server::ServerConfig;
use asyncapi_runtime::Close;
use common::{connect, msg, serve, spec, within, TestService};
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame as RawFrame;
use tokio_tungstenite::tungstenite::Message as Frame;

/// Less than the 5 s `close()` waits at most for the server's answer: a
/// close that waits its full time fails the test.
const CLOSE_BOUND: Duration = Duration::from_secs(2);

// Several threads, so that the client's tasks race the caller as they do in
// applications.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn close_right_after_connect_completes_every_time() {
    let (url, _handle) = serve(ServerConfig::default(), vec![TestService::default()]).await;
    for round in 0..200 {
        let (sender, mut receiver) = connect(&url).await;
        tokio::time::timeout(CLOSE_BOUND, sender.close(Close::new(Close::NORMAL, "")))
            .await
            .unwrap_or_else(|_| panic!("round {round}: close() took over {CLOSE_BOUND:?}"))
            .unwrap();
        assert!(
            sender.is_closed(),
            "round {round}: not closed after close()"
        );
        match within("the end of the stream", receiver.recv()).await {
            Some(Err(e)) => assert_eq!(e.close().map(|c| c.code), Some(Close::NORMAL), "{e}"),
            other => panic!("round {round}: expected the close, got {other:?}"),
        }
        assert!(within("none", receiver.recv()).await.is_none());
        // Closing again says how it ended, at once.
        assert!(sender.close(Close::new(Close::NORMAL, "")).await.is_err());
    }
}

#[tokio::test]
async fn a_text_frame_that_is_not_utf8_is_closed_with_1007() {
    let (url, handle) = serve(ServerConfig::default(), vec![TestService::default()]).await;
    let (other, _other_receiver) = connect(&url).await;
    let (mut socket, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .unwrap();
    let invalid = RawFrame::message(
        b"{\"kind\":\"echo\",\"text\":\"\xff\xfe\"}".to_vec(),
        OpCode::Data(Data::Text),
        true,
    );
    socket.send(Frame::Frame(invalid)).await.unwrap();
    let close = within("the close frame", async {
        loop {
            match socket.next().await {
                Some(Ok(Frame::Close(frame))) => break frame,
                Some(Ok(_)) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    })
    .await
    .expect("a close frame with a code");
    assert_eq!(u16::from(close.code), Close::INVALID_DATA, "{close:?}");
    // The other connection is served.
    let reply = within("echo", other.request(&spec("echo"), msg("echo")))
        .await
        .unwrap();
    assert_eq!(reply.kind, "echo");
    assert_eq!(handle.connection_count(), 1);
}

#[tokio::test]
async fn the_client_closes_with_1007_too() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut socket = tokio_tungstenite::accept_async(tcp).await.unwrap();
        let invalid = RawFrame::message(b"\"\xc3\x28\"".to_vec(), OpCode::Data(Data::Text), true);
        socket.send(Frame::Frame(invalid)).await.unwrap();
        loop {
            match socket.next().await {
                Some(Ok(Frame::Close(frame))) => break frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => continue,
                _ => break None,
            }
        }
    });
    let (_sender, mut receiver) = connect(&url).await;
    match within("the end", receiver.recv()).await {
        Some(Err(Error::Lost(reason))) => assert!(reason.contains("UTF-8"), "{reason}"),
        other => panic!("expected the end, got {other:?}"),
    }
    assert_eq!(
        within("the server", server).await.unwrap(),
        Some(Close::INVALID_DATA)
    );
}
