//! The contract a service was generated from, as generated code embeds it
//! (`CONTRACT`), for the server to serve (`GET /asyncapi.json`,
//! `/asyncapi.yaml`, `/asyncapi`).
//!
//! Placeholder for the module of the docs work (H3): the same interface,
//! serving the embedded document as it is.

/// The address a contract is served at, for its `servers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Served<'a> {
    /// `ws` or `wss`.
    pub scheme: &'a str,
    /// `host[:port]`.
    pub host: &'a str,
}

/// A document and its HTML page, embedded at build time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contract {
    json: &'static str,
    html: &'static str,
}

impl Contract {
    /// The document (`json`, one bundled JSON document) and its page.
    pub const fn new(json: &'static str, html: &'static str) -> Contract {
        Contract { json, html }
    }

    /// The document as JSON, for a server at `served`.
    pub fn json_for(&self, served: &Served<'_>) -> String {
        let _ = served;
        self.json.to_owned()
    }

    /// The document as YAML, for a server at `served`.
    pub fn yaml_for(&self, served: &Served<'_>) -> String {
        let json = self.json_for(served);
        match serde_json::from_str::<serde_json::Value>(&json) {
            Ok(value) => serde_yaml::to_string(&value).unwrap_or(json),
            // JSON is YAML.
            Err(_) => json,
        }
    }

    /// The HTML page documenting it.
    pub fn html(&self) -> &'static str {
        self.html
    }
}
