//! Loading checks documents against the official AsyncAPI JSON Schema of
//! their version (after `$ref`s are resolved). Every error names the file,
//! the JSON pointer and what is wrong.

use asyncapi_codegen::spec::Documents;
use asyncapi_codegen::ErrorKind;

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
            "x.yaml#/servers/s/hots: `hots` is not a field allowed here (allowed: `host`, `pathname`, "
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
