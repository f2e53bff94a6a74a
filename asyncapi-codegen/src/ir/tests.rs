//! Building the model: a small document in, the resolved facts out.

use super::*;
use serde_json::json;

fn build(text: &str) -> Result<Api> {
    let docs = Documents::load_str("t.yaml", text)?;
    Api::build(&docs, Perspective::Server)
}

const DOC: &str = r##"
asyncapi: 3.0.0
info: {title: T, version: "1"}
channels:
  root:
    address: /
    messages:
      subscribe: {$ref: '#/components/messages/subscribe'}
      status: {$ref: '#/components/messages/status'}
      trade: {$ref: '#/components/messages/trade'}
operations:
  sub:
    action: receive
    channel: {$ref: '#/channels/root'}
    messages: [{$ref: '#/channels/root/messages/subscribe'}]
    reply:
      channel: {$ref: '#/channels/root'}
      messages: [{$ref: '#/channels/root/messages/status'}]
  feed:
    action: send
    channel: {$ref: '#/channels/root'}
    messages: [{$ref: '#/channels/root/messages/trade'}]
components:
  messages:
    subscribe:
      correlationId: {location: '$message.payload#/reqid'}
      payload:
        allOf:
          - {$ref: '#/components/schemas/Base'}
          - type: object
            required: [event]
            properties:
              event: {const: subscribe}
              pair: {type: string, pattern: '^[A-Z]+/[A-Z]+$'}
      examples:
        - name: wrong
          payload: {event: subscribe, reqid: "seven"}
    status:
      correlationId: {location: '$message.payload#/reqid'}
      payload:
        type: object
        required: [event]
        properties:
          event: {enum: [subscriptionStatus]}
          reqid: {type: integer}
    trade:
      payload: {$ref: '#/components/schemas/Trade'}
  schemas:
    Base:
      type: object
      properties:
        reqid: {type: integer}
    Trade:
      type: array
      prefixItems:
        - {type: integer}
        - {type: array, items: {$ref: '#/components/schemas/Base'}}
        - {const: trade}
      items: false
"##;

#[test]
fn schemas_are_gathered_once_with_names_and_internal_references() {
    let api = build(DOC).unwrap();
    let names: Vec<&str> = api.schemas.defs.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["Subscribe", "Base", "Status", "Trade"]);
    let subscribe = &api.messages[0];
    assert_eq!(subscribe.key, "subscribe");
    let def = &api.schemas.defs[subscribe.payload_schema.unwrap()];
    assert_eq!(
        def.schema["allOf"][0],
        json!({"$ref": "#/definitions/Base"})
    );
    assert_eq!(
        def.location.to_string(),
        "t.yaml#/components/messages/subscribe/payload"
    );
    // A payload that is a reference is the referenced schema's definition.
    let trade = api.messages.iter().find(|m| m.key == "trade").unwrap();
    assert_eq!(
        api.schemas.defs[trade.payload_schema.unwrap()].name,
        "Trade"
    );
    assert_eq!(
        api.schemas.defs[api.schemas.named("Trade").unwrap()].schema["prefixItems"][1]["items"],
        json!({"$ref": "#/definitions/Base"})
    );
}

#[test]
fn rules_are_read_through_references_and_all_of() {
    let api = build(DOC).unwrap();
    let rules = |key: &str| {
        api.messages
            .iter()
            .find(|m| m.key == key)
            .unwrap()
            .rules
            .clone()
    };
    let key = |k: &str| vec![Seg::Key(k.into())];
    let subscribe = rules("subscribe");
    assert!(subscribe.contains(&Rule {
        path: key("event"),
        test: Test::OneOf(vec![json!("subscribe")]),
    }));
    assert!(subscribe.contains(&Rule {
        path: key("pair"),
        test: Test::PatternOrAbsent("^[A-Z]+/[A-Z]+$".into()),
    }));
    assert!(subscribe.contains(&Rule {
        path: vec![],
        test: Test::Kind("object"),
    }));
    let trade = rules("trade");
    assert!(trade.contains(&Rule {
        path: vec![],
        test: Test::Len(3),
    }));
    assert!(trade.contains(&Rule {
        path: vec![Seg::Index(2)],
        test: Test::OneOf(vec![json!("trade")]),
    }));
}

#[test]
fn correlation_paths_and_types_are_resolved() {
    let api = build(DOC).unwrap();
    for m in &api.messages[..2] {
        assert_eq!(
            m.correlation,
            Some(Correlation {
                path: vec![Step::Key("reqid".into())],
                integer: true,
            }),
            "{}",
            m.key
        );
    }
    let trade = api.messages.iter().find(|m| m.key == "trade").unwrap();
    assert_eq!(trade.correlation, None);
}

#[test]
fn variants_and_replies_are_named_by_the_model() {
    let api = build(DOC).unwrap();
    let channel = &api.channels[0];
    assert_eq!(channel.client_variants, ["Subscribe"]);
    assert_eq!(channel.server_variants, ["Status", "Trade"]);
    let status = api.messages.iter().position(|m| m.key == "status").unwrap();
    assert_eq!(
        api.enum_variants(0, Direction::ServerToClient)[0],
        (status, "Status".to_string())
    );
    let sub = &api.operations[0];
    assert_eq!(sub.reply.as_ref().unwrap().messages, [status]);
}

#[test]
fn examples_that_do_not_fit_are_warnings_from_the_build() {
    let api = build(DOC).unwrap();
    let texts: Vec<String> = api.warnings.iter().map(ToString::to_string).collect();
    assert!(
        texts
            .iter()
            .any(|w| w.contains("components/messages/subscribe/examples/0/payload/reqid")),
        "{texts:?}"
    );
}

#[test]
fn problems_found_while_resolving_are_errors_with_their_place() {
    let bad_correlation = DOC.replace(
        "correlationId: {location: '$message.payload#/reqid'}\n      payload:\n        type",
        "correlationId: {location: '$message.payload#'}\n      payload:\n        type",
    );
    let e = build(&bad_correlation).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert_eq!(
        e.location().unwrap().to_string(),
        "t.yaml#/components/messages/status/correlationId"
    );
    let bad_pattern = DOC.replace("'^[A-Z]+/[A-Z]+$'", "'(['");
    let e = build(&bad_pattern).unwrap_err();
    assert_eq!(
        e.location().unwrap().to_string(),
        "t.yaml#/components/messages/subscribe/payload/allOf/1/properties/pair/pattern"
    );
}

#[test]
fn security_schemes_and_what_servers_require() {
    let v3 = r"
asyncapi: 3.0.0
info: {title: T, version: '1'}
servers:
  auth:
    host: ws-auth.example.com
    protocol: wss
    security:
      - {$ref: '#/components/securitySchemes/token'}
      - {type: userPassword}
components:
  securitySchemes:
    token: {type: httpApiKey, name: token, in: query, description: A session token.}
";
    let api = build(v3).unwrap();
    assert_eq!(api.servers[0].security, ["token", "auth/security/1"]);
    let ids: Vec<&str> = api.security_schemes.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["token", "auth/security/1"]);
    let token = &api.security_schemes[0];
    assert_eq!(
        (
            token.kind.as_str(),
            token.name.as_deref(),
            token.place.as_deref()
        ),
        ("httpApiKey", Some("token"), Some("query"))
    );
    assert_eq!(token.docs.description.as_deref(), Some("A session token."));
    let v2 = r"
asyncapi: 2.6.0
info: {title: T, version: '1'}
servers:
  auth: {url: ws.example.com, protocol: wss, security: [{key: []}]}
channels: {}
components:
  securitySchemes:
    key: {type: apiKey, in: user}
";
    let api = build(v2).unwrap();
    assert_eq!(api.servers[0].security, ["key"]);
    assert_eq!(api.security_schemes[0].kind, "apiKey");
}

const PARAMS: &str = r##"
asyncapi: 3.0.0
info: {title: T, version: "1"}
channels:
  room:
    address: /chat/{room}
    parameters:
      room: {x-pattern: 'PATTERN'}
"##;

#[test]
fn a_parameter_pattern_is_read_and_checked() {
    let api = build(&PARAMS.replace("PATTERN", "^[a-z]{1,8}$")).unwrap();
    let param = &api.channels[0].parameters[0];
    assert_eq!(param.pattern.as_deref(), Some("^[a-z]{1,8}$"));

    let error = build(&PARAMS.replace("PATTERN", "^[a-z"))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("/channels/room/parameters/room/x-pattern")
            && error.contains("no regular expression"),
        "{error}"
    );
}

const BINDING: &str = r##"
asyncapi: 3.0.0
info: {title: T, version: "1"}
channels:
  feed:
    address: /feed
    bindings:
      ws:
        query:
          type: object
          required: [depth]
          properties:
            depth: {type: integer}
            tags: {type: array}
        headers:
          $ref: '#/components/schemas/Headers'
components:
  schemas:
    Headers:
      type: object
      properties:
        X-Key: {type: string, enum: [a, b]}
        X-Count: {type: integer}
"##;

#[test]
fn a_ws_binding_gives_typed_handshake_fields() {
    let api = build(BINDING).unwrap();
    let fields = &api.channels[0].handshake;
    let summary: Vec<(&str, HandshakePlace, HandshakeKind, bool)> = fields
        .iter()
        .map(|f| (f.name.as_str(), f.place, f.kind, f.required))
        .collect();
    use HandshakeKind::*;
    use HandshakePlace::*;
    assert_eq!(
        summary,
        [
            ("depth", Query, Integer, true),
            ("tags", Query, String, false),
            ("X-Key", Header, String, false),
            ("X-Count", Header, String, false),
        ]
    );
    assert_eq!(fields[2].values, ["a", "b"]);
    let warnings: Vec<std::string::String> = api.warnings.iter().map(|w| w.to_string()).collect();
    for place in [
        "/channels/feed/bindings/ws/query/properties/tags/type",
        "/components/schemas/Headers/properties/X-Count/type",
    ] {
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(place) && w.contains("as a `String`")),
            "{place}: {warnings:?}"
        );
    }
}
