//! Generates the rooms fixture (a chat-like channel with a parameter and
//! uncorrelated replies) for the `frames` target; Kraken's code comes from
//! the showcase crate.

fn main() -> Result<(), asyncapi_codegen::Error> {
    asyncapi_codegen::generate("../asyncapi-codegen/tests/fixtures/sides/rooms.yaml")
}
