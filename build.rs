//! Generates the showcase APIs from the documents in `specs/`.

fn main() -> Result<(), asyncapi_codegen::Error> {
    // The Kraken WebSockets API v1, in AsyncAPI 3.0 (two channels, one per
    // server) and in the seed's AsyncAPI 2.0 shape (one channel).
    asyncapi_codegen::generate("specs/kraken.yaml")?;
    asyncapi_codegen::generate("specs/kraken_2_0.yaml")?;
    // The Kraken WebSockets API v2, in AsyncAPI 3.0 (three channels, one per
    // server: public, private, level3).
    asyncapi_codegen::generate("specs/kraken_v2.yaml")?;
    // The chat service of examples/chat_server.rs (one channel, `/chat/{room}`).
    asyncapi_codegen::generate("specs/chat.yaml")?;
    // A generator fixture with a channel parameter and a request without
    // correlation id, compiled and run by tests/rooms.rs.
    asyncapi_codegen::generate("asyncapi-codegen/tests/fixtures/sides/rooms.yaml")?;
    // A channel whose `ws` binding describes the handshake's query and
    // headers, compiled and run by tests/handshake.rs.
    asyncapi_codegen::generate("asyncapi-codegen/tests/fixtures/sides/handshake.yaml")?;
    // A channel secured by a bearer token or an API key in the query, run
    // by tests/secured.rs.
    asyncapi_codegen::generate("asyncapi-codegen/tests/fixtures/sides/secured.yaml")?;
    // Messages that are hard to tell apart, for tests/discrimination.rs.
    asyncapi_codegen::generate("asyncapi-codegen/tests/fixtures/selection/tricky.yaml")?;
    Ok(())
}
