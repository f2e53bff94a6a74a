//! Constant properties reach the generated types as marker types
//! (`consts::KindOrder`), and the alternatives of a `oneOf` told apart by a
//! constant become a tagged enum (typify reads those constants itself);
//! the definitions the generator hands typify for the constants never show.

use asyncapi_codegen::Generator;

const DOC: &str = r##"
asyncapi: 3.0.0
info: {title: Constants, version: "1"}
channels:
  feed:
    address: /
    messages:
      order: {$ref: '#/components/messages/order'}
      edit: {$ref: '#/components/messages/edit'}
operations:
  receive:
    action: receive
    channel: {$ref: '#/channels/feed'}
    messages:
      - {$ref: '#/channels/feed/messages/order'}
      - {$ref: '#/channels/feed/messages/edit'}
components:
  messages:
    order:
      payload:
        type: object
        required: [kind, qty]
        properties:
          kind: {const: order, description: Always order.}
          qty: {type: integer}
    edit:
      payload:
        oneOf:
          - type: object
            required: [op, x]
            properties:
              op: {const: add}
              x: {type: number}
          - type: object
            required: [op]
            properties:
              op: {const: clear}
"##;

#[test]
fn constants_are_marker_types_and_tags() {
    let dir = std::env::temp_dir().join(format!("asyncapi-constants-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("constants.yaml");
    std::fs::write(&path, DOC).unwrap();
    let code = Generator::new(&path)
        .generate_string()
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&dir);
    for piece in [
        "///Always order.\n            pub kind: consts::KindOrder,",
        "#[serde(tag = \"op\", content = \"x\")]",
        "#[serde(rename = \"clear\")]\n            Clear,",
        "rt::constant!(pub struct KindOrder : str = \"order\");",
    ] {
        assert!(code.contains(piece), "{piece}\n{code}");
    }
    assert!(!code.contains("AsyncapiRsConst"), "{code}");
}
