//! Idiomatic Rust names whatever the wire's case (Chanx's `camelize`
//! concern, solved at the type level): a message written `chat_notification`,
//! `chatNotification` or `ChatNotification` gives the type and variant
//! `ChatNotification`; a member `sentAt` or `sent_at` the field `sent_at`,
//! with serde keeping the wire name exact.

use asyncapi_codegen::Generator;

const DOC: &str = r##"
asyncapi: 3.0.0
info: {title: Names, version: "1"}
channels:
  room:
    address: /
    messages:
      NAME: {$ref: '#/components/messages/NAME'}
operations:
  notify:
    action: send
    channel: {$ref: '#/channels/room'}
    messages: [{$ref: '#/channels/room/messages/NAME'}]
components:
  messages:
    NAME:
      name: NAME
      payload:
        type: object
        required: [action, MEMBER]
        properties:
          action: {const: NAME}
          MEMBER: {type: string, format: date-time}
"##;

fn generate(name: &str, member: &str) -> String {
    let dir = std::env::temp_dir().join(format!(
        "asyncapi-names-{}-{name}-{member}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("names.yaml");
    std::fs::write(&path, DOC.replace("NAME", name).replace("MEMBER", member)).unwrap();
    let code = Generator::new(&path)
        .generate_string()
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&dir);
    code
}

#[test]
fn every_wire_case_gives_the_same_rust_names() {
    for name in ["chat_notification", "chatNotification", "ChatNotification"] {
        for member in ["sentAt", "sent_at", "SentAt"] {
            let code = generate(name, member);
            for piece in [
                "pub struct ChatNotification {",
                "ChatNotification(types::ChatNotification)",
                "pub sent_at: rt::chrono::DateTime",
                &format!("= \"{name}\")"),
            ] {
                assert!(
                    code.contains(piece),
                    "{name}/{member}: no `{piece}` in\n{code}"
                );
            }
            let rename = format!("#[serde(rename = \"{member}\")]");
            assert_eq!(
                code.contains(&rename),
                member != "sent_at",
                "{name}/{member}: serde rename of `{member}`"
            );
        }
    }
}
