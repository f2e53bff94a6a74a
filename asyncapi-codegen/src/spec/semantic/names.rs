//! Rules about names: the shape of component, server and parameter names,
//! 2.x channel names, and what must be unique (tags of a list,
//! `operationId`s, `messageId`s).

use super::{members, path, Rules};
use crate::error::{Location, Result, Warning};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Whether `name` may name a component: `^[a-zA-Z0-9.\-_]+$`.
fn is_component_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// Whether `name` may name a server or a channel parameter:
/// `^[A-Za-z0-9_\-]+$`.
fn is_simple_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

impl Rules<'_> {
    /// Component names: `^[a-zA-Z0-9.\-_]+$` in every map of `components`.
    pub(super) fn component_names(&self, doc: &Value) -> Result<()> {
        let Some(components) = members(doc, &["components"]) else {
            return Ok(());
        };
        for (kind, map) in components {
            if kind.starts_with("x-") {
                continue;
            }
            for name in map.as_object().into_iter().flat_map(Map::keys) {
                if !is_component_name(name) {
                    return Err(self
                        .error(
                            &path(&["components", kind, name]),
                            format!(
                                "`{name}` is not a valid name for a component: names of \
                                 components may hold only letters, digits, `.`, `-` and `_`"
                            ),
                        )
                        .with_hint("rename it (and the `$ref`s to it)"));
                }
            }
        }
        Ok(())
    }

    /// Server names: `^[A-Za-z0-9_\-]+$`.
    pub(super) fn server_names(&self, doc: &Value) -> Result<()> {
        for name in members(doc, &["servers"]).into_iter().flat_map(Map::keys) {
            if !is_simple_name(name) {
                return Err(self.error(
                    &path(&["servers", name]),
                    format!(
                        "`{name}` is not a valid server name: server names may hold only \
                         letters, digits, `-` and `_`"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// 2.x channel names: no fragment; a query is a warning.
    pub(super) fn channel_names(&self, doc: &Value) -> Result<Vec<Warning>> {
        let mut warnings = Vec::new();
        for name in members(doc, &["channels"]).into_iter().flat_map(Map::keys) {
            let at = path(&["channels", name]);
            warnings.extend(self.address_query(&at, "channel name", name)?);
        }
        Ok(warnings)
    }

    /// 2.x `operationId`s: unique.
    pub(super) fn operation_ids(&self, doc: &Value) -> Result<()> {
        let mut seen: HashMap<&str, (Vec<String>, Location)> = HashMap::new();
        for (name, channel) in members(doc, &["channels"]).into_iter().flatten() {
            for action in ["publish", "subscribe"] {
                let Some(Value::String(id)) =
                    channel.get(action).and_then(|o| o.get("operationId"))
                else {
                    continue;
                };
                let here = path(&["channels", name, action, "operationId"]);
                let origin = self.at(&here[..3]);
                if let Some((first, first_origin)) = seen.get(id.as_str()) {
                    if *first_origin != origin {
                        return Err(self.error(
                            &here,
                            format!(
                                "the operationId `{id}` is used twice: operationIds must be \
                                 unique, and {} has it too",
                                self.at(first)
                            ),
                        ));
                    }
                } else {
                    seen.insert(id, (here, origin));
                }
            }
        }
        Ok(())
    }

    /// Channel parameter names: `^[A-Za-z0-9_\-]+$`.
    pub(super) fn parameter_names(&self, doc: &Value) -> Result<()> {
        let mut maps: Vec<(Vec<String>, &Map<String, Value>)> = Vec::new();
        for (name, channel) in members(doc, &["channels"]).into_iter().flatten() {
            if let Some(Value::Object(params)) = channel.get("parameters") {
                maps.push((path(&["channels", name, "parameters"]), params));
            }
        }
        if let Some(params) = members(doc, &["components", "parameters"]) {
            maps.push((path(&["components", "parameters"]), params));
        }
        for (at, params) in maps {
            for name in params.keys() {
                if !is_simple_name(name) {
                    let mut place = at.clone();
                    place.push(name.clone());
                    return Err(self.error(
                        &place,
                        format!(
                            "`{name}` is not a valid parameter name: parameter names may hold \
                             only letters, digits, `-` and `_`"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Tags of one list: distinct names.
    pub(super) fn unique_tags(&self, doc: &Value, at: &[String]) -> Result<()> {
        let Some(Value::Array(tags)) = super::super::report::value_at(doc, at) else {
            return Ok(());
        };
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, tag) in tags.iter().enumerate() {
            let Some(Value::String(name)) = tag.get("name") else {
                continue;
            };
            if let Some(first) = seen.insert(name, i) {
                let mut place = at.to_vec();
                place.push(i.to_string());
                return Err(self.error(
                    &place,
                    format!(
                        "the tag `{name}` is listed twice in this list of tags (also item \
                         {first}): tags must have distinct names"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `messageId`s (2.4+): unique among distinct messages.
    pub(super) fn message_ids(&self, doc: &Value) -> Result<()> {
        let mut found = Vec::new();
        collect_message_ids(doc, &mut found);
        let mut seen: HashMap<&str, (Vec<String>, Location)> = HashMap::new();
        for (at, id) in &found {
            let origin = self.at(&at[..at.len() - 1]);
            match seen.get(id.as_str()) {
                Some((first, first_origin)) if *first_origin != origin => {
                    return Err(self.error(
                        at,
                        format!(
                            "the messageId `{id}` is used by two messages (also {}): \
                             messageIds must be unique",
                            self.at(first)
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    seen.insert(id, (at.clone(), origin));
                }
            }
        }
        Ok(())
    }
}

/// Where messages of a 2.x operation have a `messageId`.
fn collect_message_ids(doc: &Value, out: &mut Vec<(Vec<String>, String)>) {
    let channels = doc.get("channels").and_then(Value::as_object);
    for (name, channel) in channels.into_iter().flatten() {
        for action in ["publish", "subscribe"] {
            let Some(message) = channel.get(action).and_then(|o| o.get("message")) else {
                continue;
            };
            let base = path(&["channels", name, action, "message"]);
            let list: Vec<(Vec<String>, &Value)> = match message.get("oneOf") {
                Some(Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        let mut p = base.clone();
                        p.extend(path(&["oneOf", &i.to_string()]));
                        (p, m)
                    })
                    .collect(),
                _ => vec![(base, message)],
            };
            for (mut p, m) in list {
                if let Some(Value::String(id)) = m.get("messageId") {
                    p.push("messageId".into());
                    out.push((p, id.clone()));
                }
            }
        }
    }
}
