//! Loading checks documents: against the official AsyncAPI JSON Schema of
//! their version (after `$ref`s are resolved), against the rules that
//! schema cannot express, and applies traits. Every error names the file,
//! the JSON pointer and what is wrong.

use asyncapi_codegen::spec::Documents;
use asyncapi_codegen::ErrorKind;
use serde_json::Value;

const V2: &str = "asyncapi: 2.6.0\ninfo: {title: t, version: '1'}\n";
const V3: &str = "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\n";

/// Loads `text` as `x.yaml`, which must fail; returns `location: message`.
fn error(text: &str) -> String {
    match Documents::load_str("x.yaml", text) {
        Ok(_) => panic!("loaded, but should fail:\n{text}"),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Invalid, "{e}");
            e.to_string()
        }
    }
}

#[test]
fn the_official_schema_names_the_missing_field() {
    assert_eq!(
        error("asyncapi: 2.6.0\ninfo: {title: t}\nchannels: {}\n"),
        "x.yaml#/info: the required field `version` is missing (the official AsyncAPI 2.6.0 schema says so)"
    );
}

#[test]
fn the_official_schema_names_the_unexpected_field() {
    let e = error(&format!(
        "{V3}servers:\n  s: {{host: h, protocol: wss, hots: x}}\n"
    ));
    assert!(
        e.starts_with(
            "x.yaml#/servers/s/hots: `hots` is not a field allowed here; did you mean `host`? (allowed: `host`, `pathname`, "
        ),
        "{e}"
    );
    assert!(
        e.ends_with("fields of your own must start with `x-`"),
        "{e}"
    );
}

#[test]
fn the_branch_the_object_was_written_for_is_reported() {
    // 3.0 servers are a server or a `$ref`; security schemes one of many
    // kinds, told apart by `type`.
    assert_eq!(
        error(&format!("{V3}servers:\n  s: {{url: 'wss://h', protocol: wss}}\n")),
        "x.yaml#/servers/s: the required field `host` is missing (the official AsyncAPI 3.0.0 schema says so)"
    );
    assert_eq!(
        error(&format!(
            "{V3}components:\n  securitySchemes:\n    key: {{type: httpApiKey, in: header}}\n"
        )),
        "x.yaml#/components/securitySchemes/key: the required field `name` is missing (the official AsyncAPI 3.0.0 schema says so)"
    );
}

#[test]
fn wrong_values_say_what_was_found() {
    assert_eq!(
        error(&format!(
            "{V3}channels:\n  c: {{address: c}}\noperations:\n  o:\n    action: reply\n    channel: {{$ref: '#/channels/c'}}\n"
        )),
        "x.yaml#/operations/o/action: must be one of `\"send\"` or `\"receive\"`, found the string \"reply\" (the official AsyncAPI 3.0.0 schema says so)"
    );
    let e = error(&format!(
        "{V2}channels:\n  c:\n    subscribe:\n      message:\n        correlationId: {{location: 'payload.id'}}\n"
    ));
    assert!(
        e.starts_with("x.yaml#/channels/c/subscribe/message/correlationId/location: the string \"payload.id\" does not match the pattern"),
        "{e}"
    );
    assert!(e.contains("hint: a runtime expression reads"), "{e}");
}

#[test]
fn errors_in_referenced_files_are_reported_there() {
    let e = Documents::load("tests/fixtures/load/across/asyncapi.yaml").unwrap_err();
    assert_eq!(
        e.location().unwrap().to_string(),
        "tests/fixtures/load/across/common/messages.yaml#/hello/contentTyp"
    );
}

#[test]
fn resolved_references_satisfy_the_3_x_schema() {
    // An operation's `channel` and `messages` must be `$ref`s; they are
    // checked resolved, as the objects they lead to.
    let text = format!(
        "{V3}channels:\n  c:\n    address: c\n    messages:\n      m: {{payload: {{type: string}}}}\noperations:\n  o:\n    action: send\n    channel: {{$ref: '#/channels/c'}}\n    messages: [{{$ref: '#/channels/c/messages/m'}}]\n"
    );
    Documents::load_str("x.yaml", &text).unwrap();
}

#[test]
fn recursive_schemas_are_checked_once() {
    let text = format!(
        "{V3}components:\n  schemas:\n    Node:\n      type: object\n      properties:\n        next: {{$ref: '#/components/schemas/Node'}}\n"
    );
    Documents::load_str("x.yaml", &text).unwrap();
}

#[test]
fn payloads_of_2_0_are_checked_as_schemas() {
    // 2.0.0 leaves `payload` open; it is checked as a Schema Object anyway.
    let text = "asyncapi: 2.0.0\ninfo: {title: t, version: '1'}\nchannels:\n  c:\n    publish:\n      message:\n        payload: {type: object, additionalProperties: [nope]}\n";
    assert!(
        error(text).starts_with(
            "x.yaml#/channels/c/publish/message/payload/additionalProperties: must be an object (a mapping) or a boolean, found an array of 1 items"
        ),
        "{}",
        error(text)
    );
}

#[test]
fn rules_the_schema_cannot_express() {
    for (text, expected) in [
        (
            format!("{V2}tags: [{{name: a}}, {{name: a, description: again}}]\nchannels: {{}}\n"),
            "x.yaml#/tags/1: the tag `a` is listed twice in this list of tags (also item 0): tags must have distinct names",
        ),
        (
            format!("{V2}channels:\n  a:\n    publish: {{operationId: same}}\n  b:\n    publish: {{operationId: same}}\n"),
            "x.yaml#/channels/b/publish/operationId: the operationId `same` is used twice: operationIds must be unique, and x.yaml#/channels/a/publish/operationId has it too",
        ),
        (
            format!("{V2}channels:\n  c:\n    parameters:\n      'a b': {{}}\n"),
            "x.yaml#/channels/c/parameters/a b: `a b` is not a valid parameter name: parameter names may hold only letters, digits, `-` and `_`",
        ),
        (
            format!("{V2}channels:\n  'a#x': {{}}\n"),
            "x.yaml#/channels/a#x: the channel name `a#x` has a fragment (`#`), which a channel address may not have and a WebSocket request cannot carry",
        ),
        (
            format!("{V3}channels:\n  c:\n    address: 'c#x'\n"),
            "x.yaml#/channels/c/address: the address `c#x` has a fragment (`#`), which a channel address may not have and a WebSocket request cannot carry",
        ),
        (
            // The official pattern is not anchored at its end: `~2` passes.
            format!("{V3}channels:\n  c: {{address: c}}\noperations:\n  o:\n    action: send\n    channel: {{$ref: '#/channels/c'}}\n    reply:\n      address: {{location: '$message.payload#/to~2'}}\n"),
            "x.yaml#/operations/o/reply/address/location: `$message.payload#/to~2` is not a runtime expression of the form `$message.header#/…` or `$message.payload#/…`",
        ),
        (
            format!("{V3}channels:\n  a:\n    address: a\n    messages: {{m: {{payload: {{type: string}}}}}}\n  b: {{address: b}}\noperations:\n  o:\n    action: send\n    channel: {{$ref: '#/channels/b'}}\n    messages: [{{$ref: '#/channels/a/messages/m'}}]\n"),
            "x.yaml#/operations/o/messages/0: this message is not one of the messages of the channel `#/channels/b` (it has none): an operation's messages must be messages of its channel",
        ),
    ] {
        let shown = error(&text);
        assert_eq!(shown.lines().next().unwrap(), expected, "{text}");
    }
}

#[test]
fn rules_real_documents_break_are_warnings() {
    let message = |extra: &str| {
        format!("{V2}channels:\n  c:\n    subscribe:\n      message:\n        payload: {{type: string}}\n{extra}")
    };
    for (text, expected) in [
        (
            message("components:\n  messages:\n    'a b': {}\n"),
            "x.yaml#/components/messages/a b: `a b` is not a valid name for a component: names of components may hold only letters, digits, `.`, `-` and `_`; rename it (and the `$ref`s to it)",
        ),
        (
            message("servers:\n  'a b': {url: h, protocol: ws}\n"),
            "x.yaml#/servers/a b: `a b` is not a valid server name: server names may hold only letters, digits, `-` and `_`",
        ),
        (
            message("servers:\n  s:\n    url: 'h:{port}'\n    protocol: ws\n    variables:\n      port: {enum: ['1', '2'], default: '3'}\n"),
            "x.yaml#/servers/s/variables/port/default: \"3\" is not one of the values of server variable `port` (\"1\", \"2\")",
        ),
        (
            format!("{V2}channels:\n  c:\n    bindings:\n      ws: {{method: PUT}}\n"),
            "x.yaml#/channels/c/bindings/ws/method: the method of a WebSocket handshake must be `GET` or `POST`, not \"PUT\"",
        ),
        (
            message("components:\n  schemas:\n    Pet: {type: object, discriminator: kind, properties: {kind: {type: string}}}\n"),
            "x.yaml#/components/schemas/Pet/discriminator: the discriminator property `kind` is not in the schema's `required` list, but the property a discriminator names must be defined by the schema and required; it tells messages apart only in frames that have it. Add `kind` to `properties` and to `required`",
        ),
        (
            message("components:\n  schemas:\n    Pet: {type: object, discriminator: kind}\n"),
            "x.yaml#/components/schemas/Pet/discriminator: the discriminator property `kind` is not one of the schema's `properties`, but the property a discriminator names must be defined by the schema and required; it tells nothing apart. Add `kind` to `properties` and to `required`",
        ),
        (
            format!("{V2}channels:\n  'a?x={{x}}':\n    parameters: {{x: {{}}}}\n"),
            "x.yaml#/channels/a?x={x}: the channel name `a?x={x}` has a query, which a channel address may not have; the generated client writes its `{parameters}` into the query and the server reads them from there. Describe query parameters with the channel's `ws` binding (`bindings: {ws: {query: ...}}`) instead",
        ),
        (
            format!("{V3}channels:\n  c:\n    address: 'c?x=1'\n"),
            "x.yaml#/channels/c/address: the address `c?x=1` has a query, which a channel address may not have; the generated client writes its `{parameters}` into the query and the server reads them from there. Describe query parameters with the channel's `ws` binding (`bindings: {ws: {query: ...}}`) instead",
        ),
    ] {
        let docs = Documents::load_str("x.yaml", &text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let warnings: Vec<String> = docs.warnings().iter().map(ToString::to_string).collect();
        assert_eq!(warnings, [expected], "{text}");
    }
}

#[test]
fn undefined_security_schemes_are_warnings() {
    let text = format!(
        "{V2}servers:\n  s: {{url: h, protocol: ws, security: [{{key: []}}]}}\nchannels: {{}}\n"
    );
    let docs = Documents::load_str("x.yaml", &text).unwrap();
    let warnings: Vec<String> = docs.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["x.yaml#/servers/s/security/0/key: the security requirement names the security scheme `key`, which is not in `components/securitySchemes` (there are none)"]
    );
}

#[test]
fn traits_of_2_x_override_and_merge_across_files() {
    let docs = Documents::load("tests/fixtures/load/traits/asyncapi.yaml").unwrap();
    let root = docs.root();
    let message = root.join("components").join("messages").join("signedUp");
    let value = docs.get(&message).unwrap();
    assert!(value.get("traits").is_none(), "traits are applied once");
    // 2.x: the trait's fields win.
    assert_eq!(value["summary"], "Said by the trait");
    assert_eq!(
        value["correlationId"]["location"],
        "$message.header#/correlation"
    );
    // Both define headers: the objects merge, the message's behind a `$ref`.
    let (_, headers) = docs.deref(&message.join("headers")).unwrap();
    let properties = headers["properties"].as_object().unwrap();
    assert_eq!(
        properties.keys().collect::<Vec<_>>(),
        ["own", "shared", "correlation"]
    );
    assert_eq!(properties["shared"]["type"], "string");
    // The trait's `$ref`, relative to the trait's file, still resolves.
    let correlation = message
        .join("headers")
        .join("properties")
        .join("correlation");
    let (at, id) = docs.deref(&correlation).unwrap();
    assert_eq!(id["format"], "uuid");
    assert_eq!(
        at.to_string(),
        "tests/fixtures/load/traits/schemas/ids.yaml#/Id"
    );
    let operation = root.join("channels").join("signup").join("publish");
    assert_eq!(docs.get(&operation).unwrap()["operationId"], "fromTheTrait");
}

#[test]
fn traits_of_3_x_do_not_override() {
    let text = format!(
        "{V3}channels:\n  c:\n    address: c\n    messages:\n      m:\n        summary: own\n        payload: {{type: string}}\n        traits:\n          - {{summary: trait, title: Trait title}}\n          - $ref: '#/components/messageTraits/t'\ncomponents:\n  messageTraits:\n    t: {{title: Later title, contentType: text/plain}}\n"
    );
    let docs = Documents::load_str("x.yaml", &text).unwrap();
    let m = docs
        .root()
        .join("channels")
        .join("c")
        .join("messages")
        .join("m");
    let value: &Value = docs.get(&m).unwrap();
    assert_eq!(value["summary"], "own");
    assert_eq!(value["title"], "Later title");
    assert_eq!(value["contentType"], "text/plain");
}

#[test]
fn unsupported_schema_formats_are_named_where_they_are() {
    use asyncapi_codegen::ir::{Api, Perspective};
    let text = format!(
        "{V3}channels:\n  c:\n    address: c\n    messages:\n      m:\n        headers:\n          schemaFormat: application/vnd.apache.avro;version=1.9.0\n          schema: {{type: record, name: H, fields: []}}\n        payload: {{$ref: '#/components/schemas/P'}}\noperations:\n  o:\n    action: send\n    channel: {{$ref: '#/channels/c'}}\ncomponents:\n  schemas:\n    P:\n      schemaFormat: application/schema+json;version=draft-07\n      schema: {{type: string}}\n"
    );
    let docs = Documents::load_str("x.yaml", &text).unwrap();
    let e = Api::build(&docs, Perspective::Server).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert_eq!(
        e.to_string(),
        "x.yaml#/channels/c/messages/m/headers/schemaFormat: unsupported schemaFormat \
         `application/vnd.apache.avro;version=1.9.0`: only JSON Schema, AsyncAPI and OpenAPI 3.0 schemas can be \
         turned into Rust types\n  hint: describe the headers with a JSON Schema (draft-07) or an \
         AsyncAPI schema"
    );
    // Without the Avro headers: the payload's multi-format schema, behind a
    // `$ref`, is the schema inside it.
    let start = text.find("        headers:").unwrap();
    let end = text.find("        payload:").unwrap();
    let text = format!("{}{}", &text[..start], &text[end..]);
    let docs = Documents::load_str("x.yaml", &text).unwrap();
    let api = Api::build(&docs, Perspective::Server).unwrap();
    assert_eq!(
        api.messages[0].payload.as_ref().unwrap().to_string(),
        "x.yaml#/components/schemas/P/schema"
    );
}
