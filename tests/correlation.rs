//! Writing a request's correlation id as generated code does
//! (`encode_with_id`): into the payload field that holds it when the
//! generated code knows that field and the id reads as its type, else while
//! encoding. Both give the same frame.

use asyncapi_runtime::message::{encode_with_id, IdKind, Message};
use asyncapi_showcase::{chat, kraken, kraken_v2};

fn encode<M: Message>(message: &mut M, kind: IdKind, n: u64) -> String {
    let correlation = message.correlation().expect("correlated");
    encode_with_id(message, correlation, &kind.id(n)).expect("encodes")
}

/// Kraken v1's `ping`, without a `reqid`.
fn kraken_ping() -> kraken::channels::public::ClientMessage {
    kraken::channels::public::ClientMessage::Ping(kraken::types::Ping {
        event: Default::default(),
        reqid: None,
    })
}

/// The chat's `history` request, with the id `mine`.
fn chat_history() -> chat::ClientMessage {
    chat::ClientMessage::History(chat::types::History {
        action: Default::default(),
        id: "mine".parse().expect("an id"),
        payload: chat::types::HistoryPayload {
            limit: 5.try_into().expect("not zero"),
        },
    })
}

#[test]
fn an_id_of_the_fields_type_is_set_in_the_field() {
    use kraken::channels::public::ClientMessage;
    let mut ping = kraken_ping();
    assert_eq!(
        encode(&mut ping, IdKind::Integer, 7),
        r#"{"event":"ping","reqid":7}"#
    );
    let ClientMessage::Ping(payload) = &ping else {
        unreachable!()
    };
    assert_eq!(payload.reqid, Some(7), "the id is in the message too");
    // A newtype of an integer (Kraken v2's `req_id`).
    let mut ping = kraken_v2::channels::public::ClientMessage::Ping(kraken_v2::types::Ping {
        method: Default::default(),
        req_id: None,
    });
    assert_eq!(
        encode(&mut ping, IdKind::Integer, 8),
        r#"{"method":"ping","req_id":8}"#
    );
    // A constrained string (the chat's required `id`), overwritten.
    let mut history = chat_history();
    assert_eq!(
        encode(&mut history, IdKind::String, 9),
        r#"{"action":"history","id":"9","payload":{"limit":5}}"#
    );
}

#[test]
fn an_id_of_another_type_is_written_while_encoding_and_the_message_kept() {
    use kraken::channels::public::ClientMessage;
    let mut ping = kraken_ping();
    // A string id for an integer field (a server replying with the id a
    // client sent, whatever its type): written as it is, in the same place.
    assert_eq!(
        encode(&mut ping, IdKind::String, 7),
        r#"{"event":"ping","reqid":"7"}"#
    );
    let ClientMessage::Ping(payload) = &ping else {
        unreachable!()
    };
    assert_eq!(payload.reqid, None, "the message is left as it was");
    // An integer id for the chat's string id.
    let mut history = chat_history();
    assert_eq!(
        encode(&mut history, IdKind::Integer, 9),
        r#"{"action":"history","id":9,"payload":{"limit":5}}"#
    );
}
