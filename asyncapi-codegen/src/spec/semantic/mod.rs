//! The rules of the AsyncAPI specification that its JSON Schema cannot
//! express, checked on the resolved document: names of the right shape,
//! things that must be unique, runtime expressions, a `discriminator` that
//! names a required property, WebSocket channel bindings, (3.x) operations
//! whose messages belong to their channel, and (2.x) security requirements
//! that name a security scheme.
//!
//! Each rule reports the first place that breaks it, where it is written.
//! Where the reference parser (`@asyncapi/parser`) accepts the document and
//! code can still be generated, the rule warns instead of refusing (see
//! [`check`]): real documents break these rules.

use super::inline::Inlined;
use super::Documents;
use crate::error::{Error, ErrorKind, Location, Result, Warning};
use serde_json::{Map, Value};
use std::collections::hash_map::{Entry, HashMap};
use walk::{walk, with, Found, Place};

mod names;
mod walk;

/// Checks the rules of this module on `inlined`, the resolved root
/// document of `docs`. Returns what is wrong without making the document
/// unusable for generating code, where the reference parser
/// (`@asyncapi/parser`) accepts it: security requirements that name no
/// security scheme (the generator does not use them; the official 2.0.0
/// examples have one), names of components and servers, server variable
/// values outside their `enum`, `ws` channel bindings, a query in an
/// address, a discriminator not in `required`.
pub(crate) fn check(docs: &Documents, inlined: &Inlined) -> Result<Vec<Warning>> {
    let rules = Rules { docs, inlined };
    let mut warnings = Vec::new();
    let doc = &inlined.value;
    let v2 = docs.version().major == 2;
    // Rules the reference parser does not check, and whose breach does
    // not stop code being generated: warnings (the first breach of each).
    warnings.extend(lenient(rules.component_names(doc))?);
    warnings.extend(lenient(rules.server_names(doc))?);
    warnings.extend(lenient(rules.server_variables(doc))?);
    if v2 {
        warnings.extend(rules.channel_names(doc)?);
        rules.operation_ids(doc)?;
        warnings.extend(rules.security_by_name(doc));
    } else {
        warnings.extend(rules.channel_addresses(doc)?);
        rules.operation_messages()?;
    }
    rules.parameter_names(doc)?;
    let mut found = Vec::new();
    walk(doc, &mut Vec::new(), Place::Document, &mut found);
    for (path, what) in &found {
        match what {
            Found::Tags => rules.unique_tags(doc, path)?,
            Found::Expression => rules.runtime_expression(doc, path)?,
            Found::Discriminator => warnings.extend(rules.discriminator(doc, path)),
            Found::WsChannelBinding => {
                warnings.extend(lenient(rules.ws_channel_binding(doc, path))?)
            }
        }
    }
    rules.message_ids(doc)?;
    Ok(warnings)
}

/// The error of a rule that only warns, as a warning (its hint added to
/// its message).
fn lenient(result: Result<()>) -> Result<Option<Warning>> {
    let Err(error) = result else {
        return Ok(None);
    };
    let Some(at) = error.location() else {
        return Err(error);
    };
    let message = match error.hint() {
        Some(hint) => format!("{}; {hint}", error.message()),
        None => error.message().to_string(),
    };
    Ok(Some(Warning::at(at, message)))
}

pub(super) struct Rules<'a> {
    docs: &'a Documents,
    inlined: &'a Inlined,
}

/// Reference tokens from string slices.
pub(super) fn path(tokens: &[&str]) -> Vec<String> {
    tokens.iter().map(|t| t.to_string()).collect()
}

/// The members of the object at `tokens`, if there is one.
pub(super) fn members<'v>(doc: &'v Value, tokens: &[&str]) -> Option<&'v Map<String, Value>> {
    super::report::value_at(doc, &path(tokens))?.as_object()
}

impl Rules<'_> {
    /// The place `path` (tokens into the resolved document) is written.
    pub(super) fn at(&self, path: &[String]) -> Location {
        self.inlined.origin(path)
    }

    pub(super) fn error(&self, path: &[String], message: String) -> Error {
        Error::at(ErrorKind::Invalid, &self.at(path), message)
    }

    /// Server variables: `default` and `examples` among the `enum` values.
    fn server_variables(&self, doc: &Value) -> Result<()> {
        let mut servers: Vec<(Vec<String>, &Value)> = Vec::new();
        for (name, server) in members(doc, &["servers"]).into_iter().flatten() {
            servers.push((path(&["servers", name]), server));
        }
        for (name, server) in members(doc, &["components", "servers"])
            .into_iter()
            .flatten()
        {
            servers.push((path(&["components", "servers", name]), server));
        }
        for (at, server) in servers {
            let variables = server.get("variables").and_then(Value::as_object);
            for (name, variable) in variables.into_iter().flatten() {
                let Some(Value::Array(allowed)) = variable.get("enum") else {
                    continue;
                };
                let mut here = at.clone();
                here.extend(path(&["variables", name]));
                // The values the variable names: `default`, `examples/<i>`.
                let mut values: Vec<(Vec<String>, &Value)> = Vec::new();
                if let Some(default) = variable.get("default") {
                    values.push((with(&here, "default"), default));
                }
                if let Some(Value::Array(examples)) = variable.get("examples") {
                    for (i, example) in examples.iter().enumerate() {
                        let mut place = with(&here, "examples");
                        place.push(i.to_string());
                        values.push((place, example));
                    }
                }
                for (place, value) in values {
                    if !allowed.contains(value) {
                        let shown: Vec<String> = allowed.iter().map(|v| v.to_string()).collect();
                        return Err(self.error(
                            &place,
                            format!(
                                "{value} is not one of the values of server variable `{name}` ({})",
                                shown.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// 3.x channel addresses: no fragment; a query is a warning (real
    /// documents have them: `/stream?streams={streams}`).
    fn channel_addresses(&self, doc: &Value) -> Result<Vec<Warning>> {
        let mut warnings = Vec::new();
        for (name, channel) in members(doc, &["channels"]).into_iter().flatten() {
            if let Some(Value::String(address)) = channel.get("address") {
                let at = path(&["channels", name, "address"]);
                if let Some(warning) = self.address_query(&at, "address", address)? {
                    warnings.push(warning);
                }
            }
        }
        Ok(warnings)
    }

    /// A channel address (`what`: "address", or "channel name" in 2.x) at
    /// `at`: an error if it has a fragment, a warning if it has a query.
    pub(super) fn address_query(
        &self,
        at: &[String],
        what: &str,
        address: &str,
    ) -> Result<Option<Warning>> {
        if address.contains('#') {
            return Err(self
                .error(
                    at,
                    format!(
                        "the {what} `{address}` has a fragment (`#`), which a channel \
                         address may not have and a WebSocket request cannot carry"
                    ),
                )
                .with_hint("remove the fragment"));
        }
        if !address.contains('?') {
            return Ok(None);
        }
        Ok(Some(Warning::at(
            &self.at(at),
            format!(
                "the {what} `{address}` has a query, which a channel address may not have; \
                 the generated client writes its `{{parameters}}` into the query and the \
                 server reads them from there. Describe query parameters with the channel's \
                 `ws` binding (`bindings: {{ws: {{query: ...}}}}`) instead"
            ),
        )))
    }

    /// 2.x security requirements name security schemes of `components`.
    fn security_by_name(&self, doc: &Value) -> Vec<Warning> {
        let mut warnings = Vec::new();
        let schemes = members(doc, &["components", "securitySchemes"]);
        let mut places: Vec<(Vec<String>, &Value)> = Vec::new();
        for (name, server) in members(doc, &["servers"]).into_iter().flatten() {
            if let Some(security) = server.get("security") {
                places.push((path(&["servers", name, "security"]), security));
            }
        }
        for (name, channel) in members(doc, &["channels"]).into_iter().flatten() {
            for action in ["publish", "subscribe"] {
                if let Some(security) = channel.get(action).and_then(|o| o.get("security")) {
                    places.push((path(&["channels", name, action, "security"]), security));
                }
            }
        }
        for (at, security) in places {
            for (i, requirement) in security.as_array().into_iter().flatten().enumerate() {
                for scheme in requirement.as_object().into_iter().flat_map(Map::keys) {
                    if schemes.is_some_and(|s| s.contains_key(scheme)) {
                        continue;
                    }
                    let mut place = at.clone();
                    place.push(i.to_string());
                    place.push(scheme.clone());
                    let known: Vec<String> = schemes
                        .into_iter()
                        .flat_map(Map::keys)
                        .map(|k| format!("`{k}`"))
                        .collect();
                    let known = if known.is_empty() {
                        "there are none".to_string()
                    } else {
                        format!("there are {}", known.join(", "))
                    };
                    warnings.push(Warning::at(
                        &self.at(&place),
                        format!(
                            "the security requirement names the security scheme `{scheme}`, \
                             which is not in `components/securitySchemes` ({known})"
                        ),
                    ));
                }
            }
        }
        warnings
    }

    /// 3.x: an operation's messages (and its reply's) are messages of its
    /// channel (and its reply's channel).
    fn operation_messages(&self) -> Result<()> {
        let root = self.docs.root();
        let Ok(doc) = self.docs.get(&root) else {
            return Ok(());
        };
        let mut operations = Vec::new();
        for (name, _) in doc
            .get("operations")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            operations.push(root.join("operations").join(name));
        }
        let components = doc.get("components").and_then(|c| c.get("operations"));
        for (name, _) in components.and_then(Value::as_object).into_iter().flatten() {
            operations.push(root.join("components").join("operations").join(name));
        }
        // Each channel's messages, resolved once: operations share channels
        // (a real exchange's 100 operations, one channel of 100 messages).
        let mut channels = HashMap::new();
        for at in operations {
            let (op_at, op) = self.docs.deref(&at)?;
            self.messages_of_channel(op, &op_at, &mut channels)?;
            if op.get("reply").is_some_and(Value::is_object) {
                let (reply_at, reply) = self.docs.deref(&op_at.join("reply"))?;
                self.messages_of_channel(reply, &reply_at, &mut channels)?;
            }
        }
        Ok(())
    }

    /// Checks that the `messages` of `holder` (an operation or a reply,
    /// found at `at`) are messages of its `channel`.
    /// `channels` keeps each channel's messages (name, resolved location)
    /// once resolved.
    fn messages_of_channel(
        &self,
        holder: &Value,
        at: &Location,
        channels: &mut HashMap<Location, Vec<(String, Location)>>,
    ) -> Result<()> {
        let Some(Value::String(channel_ref)) = holder.get("channel").and_then(|c| c.get("$ref"))
        else {
            return Ok(());
        };
        let Some(Value::Array(messages)) = holder.get("messages") else {
            return Ok(());
        };
        let (channel_at, channel) = self
            .docs
            .deref(&self.docs.resolve_ref(&at.join("channel"), channel_ref)?)?;
        let allowed = match channels.entry(channel_at) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => {
                let mut allowed = Vec::new();
                for key in channel
                    .get("messages")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(Map::keys)
                {
                    let message = new.key().join("messages").join(key);
                    allowed.push((key.clone(), self.docs.deref(&message)?.0));
                }
                new.insert(allowed)
            }
        };
        for i in 0..messages.len() {
            let message_at = at.join("messages").index(i);
            let (target, _) = self.docs.deref(&message_at)?;
            if allowed.iter().any(|(_, m)| *m == target) {
                continue;
            }
            let names: Vec<String> = allowed.iter().map(|(k, _)| format!("`{k}`")).collect();
            let names = if names.is_empty() {
                "it has none".to_string()
            } else {
                format!("it has {}", names.join(", "))
            };
            return Err(Error::at(
                ErrorKind::Invalid,
                &message_at,
                format!(
                    "this message is not one of the messages of the channel `{channel_ref}` \
                     ({names}): an operation's messages must be messages of its channel"
                ),
            )
            .with_hint(format!(
                "refer to the message through the channel, e.g. `{channel_ref}/messages/<name>`"
            )));
        }
        Ok(())
    }

    /// A runtime expression (`location` of a correlation id, parameter or
    /// reply address): `$message.header#/…` or `$message.payload#/…`.
    fn runtime_expression(&self, doc: &Value, at: &[String]) -> Result<()> {
        let Some(Value::String(expression)) = super::report::value_at(doc, at) else {
            return Ok(());
        };
        if is_runtime_expression(expression) {
            return Ok(());
        }
        Err(self
            .error(
                at,
                format!("`{expression}` is not a runtime expression of the form `$message.header#/…` or `$message.payload#/…`"),
            )
            .with_hint("e.g. `$message.payload#/user/id` or `$message.header#/correlationId`"))
    }

    /// A `discriminator` names a property the schema defines and requires
    /// (AsyncAPI 2.x/3.x Schema Object). Real documents (two of the AsyncAPI
    /// generator's own WebSocket fixtures) leave it out of `required`, which
    /// the reference parser accepts: a warning, and the property still
    /// tells messages apart where a frame has it.
    fn discriminator(&self, doc: &Value, at: &[String]) -> Option<Warning> {
        let schema = super::report::value_at(doc, at)?;
        // The AsyncAPI Schema Object's `discriminator` is a property name;
        // OpenAPI's object form (`propertyName`, with `oneOf` alternatives
        // that each define it) follows other rules.
        let Some(Value::String(name)) = schema.get("discriminator") else {
            return None;
        };
        let defined = schema.get("properties").and_then(|p| p.get(name)).is_some();
        let required = schema
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|v| v.as_str() == Some(name)));
        if defined && required {
            return None;
        }
        let mut place = at.to_vec();
        place.push("discriminator".into());
        let (what, effect) = if defined {
            (
                "is not in the schema's `required` list",
                "it tells messages apart only in frames that have it",
            )
        } else {
            (
                "is not one of the schema's `properties`",
                "it tells nothing apart",
            )
        };
        Some(Warning::at(
            &self.at(&place),
            format!(
                "the discriminator property `{name}` {what}, but the property a \
                 discriminator names must be defined by the schema and required; \
                 {effect}. Add `{name}` to `properties` and to `required`"
            ),
        ))
    }

    /// A WebSocket channel binding: only `method` (`GET` or `POST`),
    /// `query` and `headers` (schemas of objects), `bindingVersion` and
    /// extensions.
    fn ws_channel_binding(&self, doc: &Value, at: &[String]) -> Result<()> {
        let Some(binding) = super::report::value_at(doc, at) else {
            return Ok(());
        };
        let Some(binding) = binding.as_object() else {
            return Err(self.error(
                at,
                "a WebSocket (`ws`) channel binding must be an object".to_string(),
            ));
        };
        for (key, value) in binding {
            let mut place = at.to_vec();
            place.push(key.clone());
            match key.as_str() {
                "method" => {
                    if value != "GET" && value != "POST" {
                        return Err(self.error(
                            &place,
                            format!(
                                "the method of a WebSocket handshake must be `GET` or `POST`, not {value}"
                            ),
                        ));
                    }
                }
                "query" | "headers" => {
                    let ty = value.get("type");
                    if value.get("$ref").is_none() && ty.is_some_and(|t| t != "object") {
                        return Err(self.error(
                            &place,
                            format!(
                                "the `{key}` of a WebSocket channel binding must be a schema of \
                                 type `object` (one property per {}), not of type {}",
                                if key == "query" { "query parameter" } else { "header" },
                                ty.map(Value::to_string).unwrap_or_default()
                            ),
                        ));
                    }
                }
                "bindingVersion" => {}
                other if other.starts_with("x-") => {}
                other => {
                    return Err(self.error(
                        &place,
                        format!(
                            "`{other}` is not a field of a WebSocket channel binding (allowed: \
                             `method`, `query`, `headers`, `bindingVersion`, extensions named `x-…`)"
                        ),
                    ))
                }
            }
        }
        Ok(())
    }
}

/// Whether `text` is `$message.header#<pointer>` or
/// `$message.payload#<pointer>`.
pub(crate) fn is_runtime_expression(text: &str) -> bool {
    let rest = text
        .strip_prefix("$message.header#")
        .or_else(|| text.strip_prefix("$message.payload#"));
    rest.is_some_and(|pointer| super::split_pointer(pointer).is_ok())
}

#[cfg(test)]
mod tests {
    use super::is_runtime_expression;

    #[test]
    fn runtime_expressions() {
        for ok in [
            "$message.payload#/reqid",
            "$message.header#/MQMD/CorrelId",
            "$message.payload#",
            "$message.payload#/a~1b",
        ] {
            assert!(is_runtime_expression(ok), "{ok}");
        }
        for bad in [
            "somewhere else",
            "$message.body#/id",
            "$message.payload/id",
            "$message.payload#id",
            "$message.payload#/a~2",
        ] {
            assert!(!is_runtime_expression(bad), "{bad}");
        }
    }
}
