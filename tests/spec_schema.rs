//! Checks the AsyncAPI documents in `specs/`:
//!
//! - each one is valid against the official AsyncAPI JSON Schema of its
//!   version (from `shared/corpus/spec-json-schemas`, beside the repository);
//! - every message example fits its message's payload schema, and no other
//!   message of the same channel (the dispatcher tells messages apart by
//!   their payloads alone);
//! - the wiring the code generator relies on: channel messages used by
//!   operations of their own channel, correlation ids on `reqid` messages.
//!
//! Every check also runs on a deliberately broken copy, so that a validator
//! that accepts everything cannot pass unnoticed.
//!
//! Validation is offline: the AsyncAPI schemas embed their sub-schemas under
//! their `$id`s, and the documents themselves are registered as resources.

use jsonschema::{Registry, Validator};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::PathBuf;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Base URI under which the spec files are registered, so that
/// `kraken.yaml#/...` in the 2.0 document resolves to the 3.0 document.
const SPECS_URI: &str = "https://asyncapi-showcase.invalid/specs/";

fn spec_path(file: &str) -> PathBuf {
    PathBuf::from(ROOT).join("specs").join(file)
}

fn asyncapi_schema_path(version: &str) -> PathBuf {
    PathBuf::from(ROOT)
        .join("../shared/corpus/spec-json-schemas/schemas")
        .join(format!("{version}.json"))
}

fn load_yaml(file: &str) -> Value {
    let path = spec_path(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_yaml::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()))
}

fn asyncapi_validator(version: &str) -> Validator {
    let path = asyncapi_schema_path(version);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the AsyncAPI {version} JSON Schema at {}: {e}",
            path.display()
        )
    });
    let schema: Value = serde_json::from_str(&text).expect("the AsyncAPI JSON Schema is JSON");
    jsonschema::draft7::options()
        .offline()
        .build(&schema)
        .unwrap_or_else(|e| panic!("cannot compile the AsyncAPI {version} JSON Schema: {e}"))
}

/// All errors of `instance` against `validator`, one line each.
fn errors(validator: &Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn assert_valid(what: &str, validator: &Validator, instance: &Value) {
    let errors = errors(validator, instance);
    assert!(
        errors.is_empty(),
        "{what} is invalid:\n  {}",
        errors.join("\n  ")
    );
}

/// The value at a JSON pointer, mutably; panics when absent.
fn at<'v>(doc: &'v mut Value, pointer: &str) -> &'v mut Value {
    doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer} not found"))
}

fn object<'v>(doc: &'v Value, pointer: &str) -> &'v serde_json::Map<String, Value> {
    doc.pointer(pointer)
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("{pointer} is not an object"))
}

/// Escapes a key for use in a JSON pointer.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn ref_of(value: &Value) -> &str {
    value
        .get("$ref")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("expected a $ref, found {value}"))
}

// ------------------------------------------------------------------ AsyncAPI

#[test]
fn kraken_is_valid_asyncapi_3_0_0() {
    let doc = load_yaml("kraken.yaml");
    assert_eq!(doc["asyncapi"], "3.0.0");
    assert_valid("specs/kraken.yaml", &asyncapi_validator("3.0.0"), &doc);
}

#[test]
fn kraken_v2_is_valid_asyncapi_3_0_0() {
    let doc = load_yaml("kraken_v2.yaml");
    assert_eq!(doc["asyncapi"], "3.0.0");
    assert_valid("specs/kraken_v2.yaml", &asyncapi_validator("3.0.0"), &doc);
}

#[test]
fn chat_is_valid_asyncapi_3_0_0() {
    let doc = load_yaml("chat.yaml");
    assert_eq!(doc["asyncapi"], "3.0.0");
    assert_valid("specs/chat.yaml", &asyncapi_validator("3.0.0"), &doc);
}

#[test]
fn kraken_2_0_is_valid_asyncapi_2_0_0() {
    let doc = load_yaml("kraken_2_0.yaml");
    assert_eq!(doc["asyncapi"], "2.0.0");
    assert_valid("specs/kraken_2_0.yaml", &asyncapi_validator("2.0.0"), &doc);
}

#[test]
fn asyncapi_3_0_0_schema_rejects_a_broken_document() {
    let validator = asyncapi_validator("3.0.0");
    let mut doc = load_yaml("kraken.yaml");
    *at(&mut doc, "/operations/publicPing/action") = json!("reply");
    at(&mut doc, "/servers/public")
        .as_object_mut()
        .unwrap()
        .remove("host");
    *at(&mut doc, "/components/schemas/Ping/type") = json!("objekt");
    let errors = errors(&validator, &doc);
    assert!(
        errors.iter().any(|e| e.contains("/operations/publicPing")),
        "an operation with action `reply` was accepted: {errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("/servers/public")),
        "a server without host was accepted: {errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("/components/schemas/Ping")),
        "a payload schema of type `objekt` was accepted: {errors:?}"
    );
}

#[test]
fn asyncapi_2_0_0_schema_rejects_a_broken_document() {
    let validator = asyncapi_validator("2.0.0");
    let mut doc = load_yaml("kraken_2_0.yaml");
    at(&mut doc, "/servers/private")
        .as_object_mut()
        .unwrap()
        .remove("protocol");
    // 2.0 examples hold only `headers` and `payload`.
    at(&mut doc, "/components/messages/ping/examples/0")
        .as_object_mut()
        .unwrap()
        .insert("name".into(), json!("named"));
    let errors = errors(&validator, &doc);
    assert!(
        errors.iter().any(|e| e.contains("/servers/private")),
        "a server without protocol was accepted: {errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("/components/messages/ping")),
        "a 2.0 example with a name was accepted: {errors:?}"
    );
}

// ------------------------------------------------------------------ examples

/// Validators of message payloads, resolving `$ref`s inside the documents.
struct Payloads<'r> {
    registry: Registry<'r>,
}

impl Payloads<'static> {
    /// Registers `kraken.yaml` (as given) and `kraken_2_0.yaml` from disk.
    fn new(kraken: &Value) -> Self {
        let registry = Registry::new()
            .draft(jsonschema::Draft::Draft7)
            .add(format!("{SPECS_URI}kraken.yaml"), kraken.clone())
            .and_then(|b| {
                b.add(
                    format!("{SPECS_URI}kraken_2_0.yaml"),
                    load_yaml("kraken_2_0.yaml"),
                )
            })
            .and_then(|b| b.prepare())
            .expect("the spec documents register as schema resources");
        Payloads { registry }
    }
}

impl Payloads<'_> {
    /// The validator of the payload of `file`'s message `key`.
    fn validator(&self, file: &str, key: &str) -> Validator {
        let pointer = format!("#/components/messages/{}/payload", escape(key));
        let schema = json!({ "$ref": format!("{SPECS_URI}{file}{pointer}") });
        jsonschema::draft7::options()
            .offline()
            .with_registry(&self.registry)
            .build(&schema)
            .unwrap_or_else(|e| {
                panic!("{file}: the payload schema of message `{key}` does not compile: {e}")
            })
    }
}

/// Every example of every message of `doc` that does not fit its payload
/// schema, one line per example. Examples without a `name` are numbered.
fn example_failures(payloads: &Payloads, file: &str, doc: &Value) -> Vec<String> {
    let mut failures = Vec::new();
    for (key, message) in object(doc, "/components/messages") {
        let examples = message["examples"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        if examples.is_empty() {
            failures.push(format!("{file}: message `{key}` has no example"));
            continue;
        }
        let validator = payloads.validator(file, key);
        for (i, example) in examples.iter().enumerate() {
            let name = example["name"]
                .as_str()
                .map_or_else(|| format!("#{i}"), str::to_owned);
            let errors = errors(&validator, &example["payload"]);
            if !errors.is_empty() {
                failures.push(format!(
                    "{file}: message `{key}`, example `{name}`:\n    {}",
                    errors.join("\n    ")
                ));
            }
        }
    }
    failures
}

#[test]
fn kraken_examples_fit_their_payload_schemas() {
    let doc = load_yaml("kraken.yaml");
    let failures = example_failures(&Payloads::new(&doc), "kraken.yaml", &doc);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn kraken_2_0_examples_fit_the_referenced_schemas() {
    let kraken = load_yaml("kraken.yaml");
    let doc = load_yaml("kraken_2_0.yaml");
    let payloads = Payloads::new(&kraken);
    for (key, message) in object(&doc, "/components/messages") {
        let reference = ref_of(&message["payload"]);
        assert!(
            reference.starts_with("kraken.yaml#/components/schemas/"),
            "kraken_2_0.yaml: the payload of `{key}` should reference kraken.yaml, not {reference}"
        );
    }
    let failures = example_failures(&payloads, "kraken_2_0.yaml", &doc);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn broken_examples_are_reported_by_message_and_name() {
    let mut doc = load_yaml("kraken.yaml");
    let broken: [(&str, &str, Value); 6] = [
        ("ping", "withReqid", json!({"event": "pong", "reqid": 1})),
        ("ticker", "xbtUsd", json!([340, {}, "tickers", "XBT/USD"])),
        ("ohlc", "fiveMinutes", json!([42, [], "ohlc-7", "XBT/USD"])),
        (
            "bookUpdate",
            "askWithChecksum",
            json!([1, {"as": []}, "book-10", "XBT/USD"]),
        ),
        (
            "subscriptionStatus",
            "ohlcSubscribed",
            json!({"event": "subscriptionStatus", "status": "error"}),
        ),
        (
            "openOrders",
            "closed",
            json!([[{"O": {"status": "gone"}}], "openOrders", {"sequence": 1}]),
        ),
    ];
    for (key, name, payload) in &broken {
        let examples = at(&mut doc, &format!("/components/messages/{key}/examples"));
        let example = examples
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|e| e["name"] == *name)
            .unwrap_or_else(|| panic!("no example `{name}` in `{key}`"));
        example["payload"] = payload.clone();
    }
    // A message without any example is reported too.
    at(&mut doc, "/components/messages/heartbeat")
        .as_object_mut()
        .unwrap()
        .remove("examples");

    let failures = example_failures(&Payloads::new(&doc), "kraken.yaml", &doc);
    for (key, name, _) in &broken {
        let label = format!("message `{key}`, example `{name}`");
        assert!(
            failures.iter().any(|f| f.contains(&label)),
            "the broken {label} was not reported; failures: {failures:#?}"
        );
    }
    assert!(failures
        .iter()
        .any(|f| f.contains("message `heartbeat` has no example")));
    assert_eq!(
        failures.len(),
        broken.len() + 1,
        "only the broken examples fail: {failures:#?}"
    );
}

/// Keys of the messages of each channel of a 3.0 document.
fn channel_messages(doc: &Value) -> Vec<(String, Vec<String>)> {
    object(doc, "/channels")
        .iter()
        .map(|(id, channel)| {
            let keys = object(channel, "/messages").keys().cloned().collect();
            (id.clone(), keys)
        })
        .collect()
}

#[test]
fn kraken_examples_match_no_other_message_of_their_channel() {
    let doc = load_yaml("kraken.yaml");
    let payloads = Payloads::new(&doc);
    let mut failures = Vec::new();
    for (channel, keys) in channel_messages(&doc) {
        let validators: Vec<(String, Validator)> = keys
            .iter()
            .map(|key| {
                let component = ref_of(&doc["channels"][&channel]["messages"][key]);
                let component = component.trim_start_matches("#/components/messages/");
                (key.clone(), payloads.validator("kraken.yaml", component))
            })
            .collect();
        for key in &keys {
            let component = ref_of(&doc["channels"][&channel]["messages"][key]);
            let message = doc
                .pointer(component.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("{component} does not exist"));
            for example in message["examples"].as_array().into_iter().flatten() {
                let others: Vec<&str> = validators
                    .iter()
                    .filter(|(other, v)| other != key && v.is_valid(&example["payload"]))
                    .map(|(other, _)| other.as_str())
                    .collect();
                if !others.is_empty() {
                    failures.push(format!(
                        "channel `{channel}`: example `{}` of `{key}` also fits {others:?}",
                        example["name"]
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// -------------------------------------------------------------------- wiring

/// Problems with how channels, operations and messages refer to each other.
fn wiring_problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut used: BTreeSet<(String, String)> = BTreeSet::new();
    for (op_id, op) in object(doc, "/operations") {
        let channel = ref_of(&op["channel"]);
        let Some(channel_id) = channel.strip_prefix("#/channels/") else {
            problems.push(format!(
                "operation `{op_id}`: channel {channel} is not in #/channels"
            ));
            continue;
        };
        let mut refs: Vec<(&str, &Value)> = op["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| (channel_id, m))
            .collect();
        if let Some(reply) = op.get("reply") {
            let reply_channel = ref_of(&reply["channel"]);
            let reply_id = reply_channel
                .strip_prefix("#/channels/")
                .unwrap_or(reply_channel);
            refs.extend(
                reply["messages"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|m| (reply_id, m)),
            );
        }
        if refs.is_empty() {
            problems.push(format!("operation `{op_id}` names no message"));
        }
        for (expected_channel, message) in refs {
            let reference = ref_of(message);
            let prefix = format!("#/channels/{expected_channel}/messages/");
            match reference.strip_prefix(&prefix) {
                Some(key) if doc["channels"][expected_channel]["messages"].get(key).is_some() => {
                    used.insert((expected_channel.to_owned(), key.to_owned()));
                }
                _ => problems.push(format!(
                    "operation `{op_id}`: {reference} is not a message of channel `{expected_channel}`"
                )),
            }
        }
    }
    for (channel, keys) in channel_messages(doc) {
        for key in keys {
            let reference = ref_of(&doc["channels"][&channel]["messages"][&key]);
            if reference != format!("#/components/messages/{key}") {
                problems.push(format!(
                    "channel `{channel}`: message `{key}` refers to {reference}"
                ));
            }
            if !used.contains(&(channel.clone(), key.clone())) {
                problems.push(format!(
                    "channel `{channel}`: message `{key}` is in no operation"
                ));
            }
        }
    }
    for (key, message) in object(doc, "/components/messages") {
        let payload = match message["payload"].get("$ref").and_then(Value::as_str) {
            Some(r) => doc
                .pointer(r.trim_start_matches('#'))
                .unwrap_or(&Value::Null),
            None => &message["payload"],
        };
        let has_reqid = payload.pointer("/properties/reqid").is_some();
        let correlated = message.get("correlationId").is_some();
        if has_reqid != correlated {
            problems.push(format!(
                "message `{key}`: payload has reqid = {has_reqid}, correlationId = {correlated}"
            ));
        }
    }
    problems
}

#[test]
fn kraken_operations_use_every_channel_message() {
    let doc = load_yaml("kraken.yaml");
    let problems = wiring_problems(&doc);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let location = &doc["components"]["correlationIds"]["reqid"]["location"];
    assert_eq!(location, "$message.payload#/reqid");
}

#[test]
fn wiring_problems_are_reported() {
    let mut doc = load_yaml("kraken.yaml");
    // An operation pointing at the other channel's message, a message left
    // out of every operation, and a reqid message without correlation id.
    *at(&mut doc, "/operations/publicPing/messages/0/$ref") =
        json!("#/channels/private/messages/ping");
    at(&mut doc, "/operations/privateSendOpenOrders/messages")
        .as_array_mut()
        .unwrap()
        .clear();
    at(&mut doc, "/components/messages/cancelAll")
        .as_object_mut()
        .unwrap()
        .remove("correlationId");
    let problems = wiring_problems(&doc);
    let expected = [
        "operation `publicPing`: #/channels/private/messages/ping is not a message of channel `public`",
        "channel `public`: message `ping` is in no operation",
        "operation `privateSendOpenOrders` names no message",
        "channel `private`: message `openOrders` is in no operation",
        "message `cancelAll`: payload has reqid = true, correlationId = false",
    ];
    for e in expected {
        assert!(
            problems.iter().any(|p| p == e),
            "`{e}` was not reported: {problems:#?}"
        );
    }
    assert_eq!(problems.len(), expected.len(), "{problems:#?}");
}
