//! What the generator writes for the client and server sides, and the
//! settings that leave a side out, on a small document with a channel
//! parameter and a request with two possible replies and no correlation id.
//! (The code of every document in `specs/` and in the public corpus is
//! compiled elsewhere.)

use asyncapi_codegen::Generator;

fn generated(generator: Generator) -> String {
    generator
        .generate_string()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn rooms() -> Generator {
    Generator::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sides/rooms.yaml"
    ))
}

#[test]
fn both_sides_by_default() {
    let code = generated(rooms());
    for piece in [
        // Typed parameters, checked against the document's values.
        "pub struct Parameters",
        "pub room_id: String",
        "params.require(\"roomId\")?",
        "must be one of `lobby`, `games`",
        // The request, its reply enum, matched by type (no correlation id).
        "pub enum SayReply",
        "pub async fn say(",
        "self.inner, \"say\", false, ClientMessage::Say(message)",
        "connect: parameters;",
        // The server side.
        "pub trait Handler",
        "fn say(",
        "Replies<SayReply>",
        "rt::service_impls!",
    ] {
        assert!(code.contains(piece), "missing {piece:?}");
    }
}

#[test]
fn a_side_can_be_left_out() {
    let client_only = generated(rooms().with_server(false));
    assert!(client_only.contains("rt::client_impls!"));
    assert!(!client_only.contains("pub trait Handler"));
    let server_only = generated(rooms().with_client(false));
    assert!(!server_only.contains("rt::client_impls!"));
    assert!(server_only.contains("pub trait Handler"));
    let neither = generated(rooms().with_client(false).with_server(false));
    assert!(!neither.contains("rt::client_impls!") && !neither.contains("pub trait Handler"));
    assert!(neither.contains("pub enum ClientMessage") && neither.contains("pub enum SayReply"));
}

#[test]
fn a_secured_channel_authenticates_and_an_open_one_does_not() {
    let secured = generated(Generator::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sides/secured.yaml"
    )));
    for piece in [
        "pub mod security",
        "pub const BEARER_AUTH: rt::security::Scheme = rt::security::Scheme::bearer(",
        "rt::security::KeyPlace::Query,",
        "type Identity: Send + Sync + 'static;",
        "type State: Default + Send + Sync + 'static;",
        "fn authenticate(",
        "credential: rt::security::Credential<'_>,",
        "pub type Context<I = (), S = ()>",
        "ctx: &Context<Self::Identity, Self::State>",
    ] {
        assert!(secured.contains(piece), "missing {piece:?}");
    }
    // In the macro call (whitespace aside).
    assert!(secured.split_whitespace().collect::<String>().contains(
        "security:[self::security::BEARER_AUTH,self::security::QUERY_TOKEN];params:parsed;"
    ));
    let open = generated(rooms());
    for piece in [
        "pub mod security",
        "type Identity",
        "fn authenticate",
        "security :",
    ] {
        assert!(!open.contains(piece), "unexpected {piece:?}");
    }
    assert!(open.contains("pub type Context = rt::server::Context<ServerMessage, Parameters>;"));
}
