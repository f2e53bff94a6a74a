//! The contract a service was generated from, served to its clients.
//!
//! The generator embeds, in every generated module, a
//! `pub const CONTRACT: Contract`: the AsyncAPI document the code was
//! generated from, bundled into one JSON document (its `$ref`s to other
//! files moved inside it), and an HTML page that documents it and works
//! offline. A server serves them at `/asyncapi.json`, `/asyncapi.yaml` and
//! `/asyncapi`; [`Contract::json_for`] and [`Contract::yaml_for`] point the
//! document's `servers` at the address actually served, so that a client
//! reading the contract finds the service where it read it:
//!
//! ```
//! use asyncapi_runtime::contract::{Contract, Served};
//!
//! const CONTRACT: Contract = Contract::new(
//!     r#"{"asyncapi":"3.0.0","info":{"title":"Chat","version":"1"},"servers":{"local":{"host":"localhost:9100","protocol":"ws","pathname":"/v1"}}}"#,
//!     "<!DOCTYPE html><title>Chat</title>",
//! );
//! let served = Served { scheme: "wss", host: "chat.example.com" };
//! let json: serde_json::Value = serde_json::from_str(&CONTRACT.json_for(&served)).unwrap();
//! assert_eq!(json["servers"]["local"]["host"], "chat.example.com");
//! assert_eq!(json["servers"]["local"]["protocol"], "wss");
//! assert_eq!(json["servers"]["local"]["pathname"], "/v1");
//! assert!(CONTRACT.yaml_for(&served).contains("host: chat.example.com"));
//! ```
//!
//! The document is read into an order-keeping value (`serde_yaml`'s, whose
//! mappings keep insertion order), so the served JSON and YAML list members
//! in the order the author wrote them. The YAML is written so that YAML 1.1
//! and 1.2 readers alike read back the same document (`yes`, `on` and
//! dates stay strings; see `contract/yaml.rs`).

mod yaml;

use crate::server::route::percent_decode;
use serde_yaml::{Mapping, Value};

/// A generated module's contract: the bundled AsyncAPI document (JSON) and
/// its offline HTML documentation, both embedded at build time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contract {
    json: &'static str,
    html: &'static str,
}

/// Where a contract is served: what its `servers` are rewritten to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Served<'a> {
    /// The WebSocket scheme clients use: `ws` or `wss`.
    pub scheme: &'a str,
    /// The host, with the port when it is not the scheme's default:
    /// `127.0.0.1:9100`, `chat.example.com`.
    pub host: &'a str,
}

impl Contract {
    /// A contract from the bundled document `json` (one AsyncAPI document,
    /// no `$ref` to another file) and the HTML page `html`.
    pub const fn new(json: &'static str, html: &'static str) -> Self {
        Contract { json, html }
    }

    /// The bundled document as generated: its `servers` as the author wrote
    /// them.
    pub const fn json(&self) -> &'static str {
        self.json
    }

    /// The HTML page documenting the contract: self-contained (inline
    /// styles, no script, font or image from elsewhere), so it works
    /// offline.
    pub const fn html(&self) -> &'static str {
        self.html
    }

    /// The bundled document as compact JSON, with every server pointing at
    /// `served` (see [`Contract::yaml_for`] for what changes).
    pub fn json_for(&self, served: &Served<'_>) -> String {
        match self.served_document(served) {
            Some(document) => serde_json::to_string(&document).unwrap_or_else(|_| self.json.into()),
            None => self.json.to_string(),
        }
    }

    /// The bundled document as YAML, with every server pointing at `served`:
    /// in AsyncAPI 3.x, each server's `host` and `protocol` (its `pathname`
    /// stays); in 2.x, its `url` (host replaced, path kept) and `protocol`.
    /// Server variables the new address no longer uses are dropped. A
    /// document without servers gets one, `served`. Server ids stay, so
    /// channels that name their servers keep naming them; a server that is
    /// a `$ref` is replaced by its target, rewritten.
    ///
    /// If the embedded document cannot be read (generated code always
    /// embeds valid JSON), the JSON as embedded, which is YAML too.
    pub fn yaml_for(&self, served: &Served<'_>) -> String {
        match self.served_document(served) {
            Some(document) => yaml::to_string(&document),
            None => self.json.to_string(),
        }
    }

    /// The document with its servers rewritten; `None` if the embedded
    /// JSON is not an object.
    fn served_document(&self, served: &Served<'_>) -> Option<Value> {
        let mut document: Value = serde_json::from_str(self.json).ok()?;
        let v2 = document
            .get("asyncapi")
            .and_then(Value::as_str)
            .is_some_and(|version| version.starts_with("2."));
        let original = document.clone();
        let root = document.as_mapping_mut()?;
        let servers = root
            .entry(Value::from("servers"))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        if !servers.is_mapping() {
            *servers = Value::Mapping(Mapping::new());
        }
        let servers = servers.as_mapping_mut()?;
        if servers.is_empty() {
            servers.insert(Value::from("served"), Value::Mapping(Mapping::new()));
        }
        for (_, server) in servers.iter_mut() {
            if let Some(target) = internal_ref(server).and_then(|p| pointer(&original, &p)) {
                *server = target.clone();
            }
            if let Some(server) = server.as_mapping_mut() {
                if v2 {
                    rewrite_v2(server, served);
                } else {
                    rewrite_v3(server, served);
                }
            }
        }
        Some(document)
    }
}

/// A 3.x server at `served`: `host` and `protocol` replaced.
fn rewrite_v3(server: &mut Mapping, served: &Served<'_>) {
    server.insert("host".into(), served.host.into());
    server.insert("protocol".into(), served.scheme.into());
    let pathname = server
        .get("pathname")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    keep_used_variables(server, &pathname);
}

/// A 2.x server at `served`: the host of `url` replaced (its path and
/// whether it names a scheme kept), and `protocol`.
fn rewrite_v2(server: &mut Mapping, served: &Served<'_>) {
    let url = server.get("url").and_then(Value::as_str).unwrap_or("");
    let (with_scheme, rest) = match url.split_once("://") {
        Some((_, rest)) => (true, rest),
        None => (false, url),
    };
    let path = rest.find('/').map_or("", |i| &rest[i..]).to_string();
    let new_url = if with_scheme {
        format!("{}://{}{path}", served.scheme, served.host)
    } else {
        format!("{}{path}", served.host)
    };
    server.insert("url".into(), new_url.into());
    server.insert("protocol".into(), served.scheme.into());
    keep_used_variables(server, &path);
}

/// Drops the server variables that `template` (what is left of the
/// server's address that may hold `{variable}`s) does not use, and the
/// `variables` member when none is left.
fn keep_used_variables(server: &mut Mapping, template: &str) {
    let Some(variables) = server.get_mut("variables").and_then(Value::as_mapping_mut) else {
        return;
    };
    variables.retain(|name, _| {
        name.as_str()
            .is_some_and(|name| template.contains(&format!("{{{name}}}")))
    });
    if variables.is_empty() {
        server.remove("variables");
    }
}

/// The JSON pointer of `value`'s `$ref` when it is one into the same
/// document (`#/...`).
fn internal_ref(value: &Value) -> Option<String> {
    let reference = value.as_mapping()?.get("$ref")?.as_str()?;
    reference.strip_prefix('#').map(str::to_string)
}

/// The value at the JSON pointer `pointer` (a URI fragment: percent-encoded)
/// in `value`; `None` if there is none or an escape is malformed.
fn pointer<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    let pointer = percent_decode(pointer)?;
    if pointer.is_empty() {
        return Some(value);
    }
    let mut value = value;
    for token in pointer.strip_prefix('/')?.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        value = match value {
            Value::Mapping(map) => map.get(token.as_str())?,
            Value::Sequence(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::{pointer, Contract, Served};
    use serde_json::{json, Value};

    const SERVED: Served<'static> = Served {
        scheme: "ws",
        host: "127.0.0.1:9100",
    };

    fn served_json(contract: &Contract) -> Value {
        serde_json::from_str(&contract.json_for(&SERVED)).expect("json_for writes JSON")
    }

    #[test]
    fn rewrites_3x_servers_keeping_pathname_order_and_ids() {
        let contract = Contract::new(
            r##"{"asyncapi":"3.0.0","info":{"title":"t","version":"1"},"servers":{"prod":{"host":"{region}.example.com","protocol":"wss","pathname":"/v{major}","variables":{"region":{"default":"eu"},"major":{"default":"1"}}},"alias":{"$ref":"#/components/servers/o%7Bther%7D"}},"components":{"servers":{"o{ther}":{"host":"x.example.com","protocol":"wss","description":"other"}}}}"##,
            "<p>",
        );
        let text = contract.json_for(&SERVED);
        assert!(
            text.starts_with(r#"{"asyncapi":"3.0.0","info""#),
            "members out of order: {text}"
        );
        let document: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            document["servers"]["prod"],
            json!({"host": "127.0.0.1:9100", "protocol": "ws", "pathname": "/v{major}", "variables": {"major": {"default": "1"}}})
        );
        assert_eq!(
            document["servers"]["alias"],
            json!({"host": "127.0.0.1:9100", "protocol": "ws", "description": "other"})
        );
        // Everything else as embedded.
        let mut embedded: Value = serde_json::from_str(contract.json()).unwrap();
        embedded["servers"] = document["servers"].clone();
        assert_eq!(document, embedded);
    }

    #[test]
    fn rewrites_2x_urls_keeping_their_path_and_style() {
        let contract = Contract::new(
            r#"{"asyncapi":"2.6.0","info":{"title":"t","version":"1"},"servers":{"bare":{"url":"ws.example.com","protocol":"wss"},"full":{"url":"wss://{host}/stream/{v}","protocol":"wss","variables":{"host":{"default":"a"},"v":{"default":"1"}}}},"channels":{}}"#,
            "",
        );
        let document = served_json(&contract);
        assert_eq!(
            document["servers"]["bare"],
            json!({"url": "127.0.0.1:9100", "protocol": "ws"})
        );
        assert_eq!(
            document["servers"]["full"],
            json!({"url": "ws://127.0.0.1:9100/stream/{v}", "protocol": "ws", "variables": {"v": {"default": "1"}}})
        );
    }

    #[test]
    fn a_document_without_servers_gets_the_served_one() {
        let contract = Contract::new(
            r#"{"asyncapi":"3.0.0","info":{"title":"t","version":"1"}}"#,
            "",
        );
        assert_eq!(
            served_json(&contract)["servers"],
            json!({"served": {"host": "127.0.0.1:9100", "protocol": "ws"}})
        );
    }

    #[test]
    fn yaml_reads_back_as_the_served_json() {
        let contract = Contract::new(
            r#"{"asyncapi":"3.0.0","info":{"title":"t: a colon","version":"1.0","description":"two\nlines"},"servers":{"s":{"host":"h","protocol":"wss"}},"x-n":[1,2.5,-3,true,null,"10"]}"#,
            "",
        );
        let yaml = contract.yaml_for(&SERVED);
        let from_yaml: Value = serde_yaml::from_str(&yaml).expect("yaml_for writes YAML");
        assert_eq!(from_yaml, served_json(&contract));
        assert_eq!(from_yaml["x-n"][5], "10", "a numeric string stays a string");
    }

    #[test]
    fn a_server_ref_with_a_malformed_escape_leads_nowhere() {
        let document: serde_yaml::Value =
            serde_yaml::from_str(r#"{"a b": 1, "a\u000f": 2, "a%zz": 3, "a%": 4, "a\u00ff": 5}"#)
                .unwrap();
        assert_eq!(pointer(&document, "/a%20b"), Some(&1.into()));
        // `%+f` is no escape (`u8::from_str_radix` would read it as 0x0f),
        // `%zz` and a lone `%` are none either, and `%ff` is no UTF-8.
        for bad in ["/a%+f", "/a%zz", "/a%", "/a%ff"] {
            assert_eq!(pointer(&document, bad), None, "{bad}");
        }
        let contract = Contract::new(
            r##"{"asyncapi":"3.0.0","info":{"title":"t","version":"1"},"servers":{"alias":{"$ref":"#/components/servers/a%+f"}},"components":{"servers":{"a\u000f":{"host":"x.example.com","protocol":"wss","description":"other"}}}}"##,
            "",
        );
        assert_eq!(
            served_json(&contract)["servers"]["alias"],
            json!({"$ref": "#/components/servers/a%+f", "host": "127.0.0.1:9100", "protocol": "ws"})
        );
    }

    #[test]
    fn an_unreadable_document_is_served_as_embedded() {
        let contract = Contract::new("not json", "<p>page</p>");
        assert_eq!(contract.json_for(&SERVED), "not json");
        assert_eq!(contract.yaml_for(&SERVED), "not json");
        assert_eq!(contract.html(), "<p>page</p>");
    }
}
