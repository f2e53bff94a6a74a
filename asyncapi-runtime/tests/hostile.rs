//! Hostile input against a running server, table-driven: each bad frame
//! gets its defined answer (an error reply and the connection goes on, or a
//! close code), and a bystander connection is served throughout. Then what
//! no frame table holds: a frame announcing 100 MB, a handshake that never
//! finishes, a client that never reads.

mod common;

use asyncapi_runtime::client;
use asyncapi_runtime::server::{ServerConfig, WhenFull};
use asyncapi_runtime::{Close, Limits};
use common::{connect, msg, serve, spec, within, Msg, TestService, FLOOD};
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame as RawFrame;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::WebSocketStream;

/// What the server must answer a hostile frame with.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    /// A reply of this kind; the connection goes on.
    Reply(&'static str),
    /// A close frame with this code.
    Close(u16),
}

fn text_frame(bytes: Vec<u8>, fin: bool) -> Frame {
    Frame::Frame(RawFrame::message(bytes, OpCode::Data(Data::Text), fin))
}

fn continuation(bytes: &[u8], fin: bool) -> Frame {
    Frame::Frame(RawFrame::message(
        bytes.to_vec(),
        OpCode::Data(Data::Continue),
        fin,
    ))
}

/// `[[[…1…]]]`, `depth` deep, inside an echo's `text`.
fn nested(depth: usize) -> String {
    format!(
        r#"{{"kind":"echo","text":{}1{}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

/// Every hostile frame sequence and its answer.
fn table() -> Vec<(&'static str, Vec<Frame>, Answer)> {
    let echo = br#"{"kind":"echo","text":"in three parts"}"#;
    vec![
        ("not JSON", vec![Frame::text("{{{")], Answer::Reply("error")),
        ("empty text", vec![Frame::text("")], Answer::Reply("error")),
        (
            "JSON nested 10,000 deep",
            vec![Frame::text(nested(10_000))],
            Answer::Reply("error"),
        ),
        (
            "an object nested 10,000 deep",
            vec![Frame::text(format!(
                "{}1{}",
                r#"{"a":"#.repeat(10_000),
                "}".repeat(10_000)
            ))],
            Answer::Reply("error"),
        ),
        (
            "a number out of range",
            vec![Frame::text(r#"{"kind":"echo","id":1e400}"#)],
            Answer::Reply("error"),
        ),
        (
            "a negative id",
            vec![Frame::text(r#"{"kind":"echo","id":-1}"#)],
            Answer::Reply("error"),
        ),
        (
            "an id over u64",
            vec![Frame::text(r#"{"kind":"echo","id":18446744073709551616}"#)],
            Answer::Reply("error"),
        ),
        (
            "a missing field",
            vec![Frame::text(r#"{"id":3}"#)],
            Answer::Reply("error"),
        ),
        (
            "an extra field (accepted, as the schema allows)",
            vec![Frame::text(r#"{"kind":"echo","extra":[1,2]}"#)],
            Answer::Reply("echo"),
        ),
        (
            "the right kind with the wrong payload",
            vec![Frame::text(r#"{"kind":"echo","text":5}"#)],
            Answer::Reply("error"),
        ),
        (
            "an unknown kind",
            vec![Frame::text(r#"{"kind":"nope"}"#)],
            Answer::Reply("error"),
        ),
        (
            "a JSON array",
            vec![Frame::text("[1,2,3]")],
            Answer::Reply("error"),
        ),
        (
            "a binary frame",
            vec![Frame::binary(vec![0u8, 159, 146, 150])],
            Answer::Reply("error"),
        ),
        (
            "a message in three fragments",
            vec![
                text_frame(echo[..10].to_vec(), false),
                continuation(&echo[10..20], false),
                continuation(&echo[20..], true),
            ],
            Answer::Reply("echo"),
        ),
        (
            "UTF-8 split across fragments",
            vec![
                text_frame(b"{\"kind\":\"echo\",\"text\":\"\xc3".to_vec(), false),
                continuation(b"\xbc\"}", true),
            ],
            Answer::Reply("echo"),
        ),
        (
            "invalid UTF-8",
            vec![text_frame(
                b"{\"kind\":\"echo\",\"text\":\"\xc3\x28\"}".to_vec(),
                true,
            )],
            Answer::Close(Close::INVALID_DATA),
        ),
        (
            "a continuation without a start",
            vec![continuation(b"{}", true)],
            Answer::Close(1002),
        ),
        (
            "a text frame inside a fragmented message",
            vec![
                text_frame(b"{\"kind\":".to_vec(), false),
                text_frame(b"\"echo\"}".to_vec(), true),
            ],
            Answer::Close(1002),
        ),
        (
            "a message over the limit",
            vec![Frame::text(format!(
                r#"{{"kind":"echo","text":"{}"}}"#,
                "x".repeat(70 << 10)
            ))],
            Answer::Close(Close::TOO_BIG),
        ),
        (
            "fragments adding up to over the limit",
            vec![
                text_frame(vec![b' '; 40 << 10], false),
                continuation(&vec![b' '; 40 << 10], true),
            ],
            Answer::Close(Close::TOO_BIG),
        ),
    ]
}

fn config() -> ServerConfig {
    ServerConfig {
        limits: Limits {
            max_message_size: 64 << 10,
            max_frame_size: 64 << 10,
        },
        handshake_timeout: Duration::from_millis(500),
        ..ServerConfig::default()
    }
}

/// The server's answer on a raw connection: the kind of its next message,
/// or its close code.
async fn answer<Io>(socket: &mut WebSocketStream<Io>) -> Answer
where
    Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    loop {
        match socket.next().await {
            Some(Ok(Frame::Text(text))) => {
                // Not a `Msg`: an error reply carries the frame's id as it
                // was, even when it is no u64.
                let reply: serde_json::Value = serde_json::from_str(&text).unwrap();
                let kind: &'static str = match reply["kind"].as_str().unwrap_or_default() {
                    "echo" => "echo",
                    "error" => "error",
                    other => panic!("unexpected reply {other}"),
                };
                return Answer::Reply(kind);
            }
            Some(Ok(Frame::Close(Some(close)))) => return Answer::Close(close.code.into()),
            Some(Ok(_)) => continue,
            other => panic!("no answer: {other:?}"),
        }
    }
}

/// A bystander's request is answered.
async fn bystander_served(sender: &client::Sender<Msg, Msg>, case: &str) {
    let reply = within(case, sender.request(&spec("echo"), msg("echo")))
        .await
        .unwrap_or_else(|e| panic!("{case}: the bystander was not served: {e}"));
    assert_eq!(reply.kind, "echo", "{case}");
}

#[tokio::test]
async fn every_hostile_frame_gets_its_defined_answer_and_others_are_unaffected() {
    let (url, handle) = serve(config(), vec![TestService::default()]).await;
    let (bystander, _bystander_receiver) = connect(&url).await;
    let cases = table();
    let tried = cases.len();
    for (case, frames, expected) in cases {
        let (mut socket, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .unwrap();
        for frame in frames {
            // The server may close before the last frame is written.
            if socket.send(frame).await.is_err() {
                break;
            }
        }
        let got = within(case, answer(&mut socket)).await;
        assert_eq!(got, expected, "{case}");
        if let Answer::Reply(_) = expected {
            // The connection goes on.
            socket
                .send(Frame::text(r#"{"kind":"echo"}"#))
                .await
                .unwrap();
            assert_eq!(
                within(case, answer(&mut socket)).await,
                Answer::Reply("echo")
            );
        }
        bystander_served(&bystander, case).await;
    }
    assert!(tried >= 20);
    within("only the bystander left", async {
        while handle.connection_count() > 1 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn a_frame_announcing_100_mb_is_closed_with_1009_before_it_is_read() {
    let (url, _handle) = serve(config(), vec![TestService::default()]).await;
    let (bystander, _bystander_receiver) = connect(&url).await;
    let tcp = TcpStream::connect(url.trim_start_matches("ws://"))
        .await
        .unwrap();
    let (mut socket, _) = tokio_tungstenite::client_async(url.as_str(), tcp)
        .await
        .unwrap();
    // The header of a masked, final text frame of 100 MB, then a little of
    // its payload: the server must not wait for (nor allocate) the rest.
    let len: u64 = 100 << 20;
    let mut header = vec![0x81u8, 0x80 | 127];
    header.extend_from_slice(&len.to_be_bytes());
    header.extend_from_slice(&[1, 2, 3, 4]);
    let tcp = socket.get_mut();
    tcp.write_all(&header).await.unwrap();
    let _ = tcp.write_all(&vec![b'x'; 64 << 10]).await;
    assert_eq!(
        within("the close", answer(&mut socket)).await,
        Answer::Close(Close::TOO_BIG)
    );
    bystander_served(&bystander, "100 MB").await;
}

#[tokio::test]
async fn a_handshake_that_never_finishes_is_dropped_after_the_handshake_timeout() {
    let (url, _handle) = serve(config(), vec![TestService::default()]).await;
    let (bystander, _bystander_receiver) = connect(&url).await;
    let mut tcp = TcpStream::connect(url.trim_start_matches("ws://"))
        .await
        .unwrap();
    tcp.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")
        .await
        .unwrap();
    bystander_served(&bystander, "during a stalled handshake").await;
    // The server hangs up (EOF) after its 500 ms handshake timeout.
    let mut buffer = [0u8; 256];
    let read = within("the hang-up", tcp.read(&mut buffer)).await;
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}

#[tokio::test]
async fn a_client_that_never_reads_is_closed_and_others_are_served() {
    let config = ServerConfig {
        outgoing_capacity: 8,
        when_full: WhenFull::Close,
        ..config()
    };
    let (url, handle) = serve(config, vec![TestService::default()]).await;
    let (bystander, _bystander_receiver) = connect(&url).await;
    // It asks for a flood of 16 KiB messages and never reads.
    let (mut socket, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .unwrap();
    socket
        .send(Frame::text(r#"{"kind":"flood"}"#))
        .await
        .unwrap();
    within("its connection to be dropped", async {
        while handle.connection_count() > 1 {
            bystander_served(&bystander, "during the flood").await;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    // What it finds when it reads at last: far less than the flood, then 1008.
    let mut count = 0;
    let close = within("its close", async {
        loop {
            match socket.next().await {
                Some(Ok(Frame::Text(_))) => count += 1,
                Some(Ok(Frame::Close(frame))) => break frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                _ => break None,
            }
        }
    })
    .await;
    assert!(count < FLOOD, "{count}");
    assert!(matches!(close, Some(Close::POLICY) | None), "{close:?}");
    bystander_served(&bystander, "after the flood").await;
}
