//! Reading the structure of a document into the model: servers, channels,
//! operations with their replies, and where each message goes.

use super::read::{array_member, key_in, object_member, string_member, value_text};
use super::*;

/// Reads the model out of loaded documents, one part at a time.
pub(super) struct Builder<'d> {
    pub(super) docs: &'d Documents,
    pub(super) perspective: Perspective,
    pub(super) api: Option<Api>,
}

impl<'d> Builder<'d> {
    pub(super) fn api(&mut self) -> &mut Api {
        self.api
            .as_mut()
            .expect("the api is set before it is filled")
    }

    pub(super) fn build(mut self) -> Result<Api> {
        let root = self.docs.root();
        let doc = self.docs.get(&root)?;
        let version = self.docs.version().clone();
        let info_loc = root.join("info");
        let info = match doc.get("info") {
            Some(info @ Value::Object(_)) => info,
            _ => {
                return Err(Error::at(
                    ErrorKind::Invalid,
                    &info_loc,
                    "the document has no `info` object",
                )
                .with_hint("every AsyncAPI document needs `info` with `title` and `version`"))
            }
        };
        let title = string_member(info, &info_loc, "title")?
            .ok_or_else(|| Error::at(ErrorKind::Invalid, &info_loc, "`info` has no `title`"))?;
        let api_version = string_member(info, &info_loc, "version")?
            .ok_or_else(|| Error::at(ErrorKind::Invalid, &info_loc, "`info` has no `version`"))?;
        self.api = Some(Api {
            root: root.clone(),
            asyncapi: version.raw.clone(),
            title,
            version: api_version,
            description: string_member(info, &info_loc, "description")?,
            servers: Vec::new(),
            security_schemes: super::security::schemes(self.docs, doc, &root)?,
            channels: Vec::new(),
            operations: Vec::new(),
            messages: Vec::new(),
            schemas: Schemas::default(),
            warnings: Vec::new(),
        });
        self.servers(doc, &root, version.major)?;
        if version.major >= 3 {
            self.channels_v3(doc, &root)?;
            self.operations_v3(doc, &root)?;
        } else {
            self.channels_v2(doc, &root)?;
        }
        self.place_messages();
        Ok(self.api.take().expect("built above"))
    }

    fn servers(&mut self, doc: &Value, root: &Location, major: u64) -> Result<()> {
        let Some(servers) = object_member(doc, root, "servers")? else {
            return Ok(());
        };
        for id in servers.keys() {
            let (location, server) = self.docs.deref(&root.join("servers").join(id))?;
            let protocol = string_member(server, &location, "protocol")?.unwrap_or_default();
            let url = if major >= 3 {
                let host = string_member(server, &location, "host")?.ok_or_else(|| {
                    Error::at(ErrorKind::Invalid, &location, "the server has no `host`")
                })?;
                let pathname = string_member(server, &location, "pathname")?.unwrap_or_default();
                format!("{protocol}://{host}{pathname}")
            } else {
                let url = string_member(server, &location, "url")?.ok_or_else(|| {
                    Error::at(ErrorKind::Invalid, &location, "the server has no `url`")
                })?;
                if url.contains("://") || protocol.is_empty() {
                    url
                } else {
                    format!("{protocol}://{url}")
                }
            };
            let docs = Docs::read(server);
            let security = self.security(major >= 3, server, id, &location)?;
            self.api().servers.push(Server {
                id: id.clone(),
                url,
                protocol,
                docs,
                security,
                location,
            });
        }
        Ok(())
    }

    fn parameters(&self, channel: &Value, location: &Location) -> Result<Vec<Parameter>> {
        let Some(params) = object_member(channel, location, "parameters")? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for name in params.keys() {
            let (loc, param) = self.docs.deref(&location.join("parameters").join(name))?;
            // 3.x puts enum/default on the parameter, 2.x in its `schema`.
            let (schema_loc, holder) = match param.get("schema") {
                Some(_) => self.docs.deref(&loc.join("schema"))?,
                None => (loc.clone(), param),
            };
            let values = array_member(holder, &schema_loc, "enum")?
                .iter()
                .map(value_text)
                .collect();
            let default = holder.get("default").map(value_text);
            // 2.x: the schema's `pattern`; 3.x dropped the schema, so
            // `x-pattern` on the parameter says it.
            let (pattern_loc, pattern) = match holder.get("pattern") {
                Some(pattern) => (schema_loc.join("pattern"), Some(pattern)),
                None => (loc.join("x-pattern"), param.get("x-pattern")),
            };
            let pattern = match pattern {
                None => None,
                Some(Value::String(pattern)) if regress::Regex::new(pattern).is_ok() => {
                    Some(pattern.clone())
                }
                Some(_) => {
                    return Err(Error::at(
                        ErrorKind::Invalid,
                        &pattern_loc,
                        "the parameter's pattern is no regular expression (ECMA-262, as regress reads it)",
                    ))
                }
            };
            out.push(Parameter {
                name: name.clone(),
                docs: Docs::read(param),
                values,
                default,
                pattern,
                location: loc,
            });
        }
        Ok(out)
    }

    /// The query parameters and headers of the channel's `ws` binding; what
    /// they cannot say becomes warnings.
    fn handshake(&mut self, channel: &Value, location: &Location) -> Result<Vec<HandshakeField>> {
        let (fields, warnings) = super::handshake::fields(self.docs, channel, location)?;
        self.api().warnings.extend(warnings);
        Ok(fields)
    }

    fn channel_servers(&self, channel: &Value, location: &Location) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for (i, server) in array_member(channel, location, "servers")?
            .iter()
            .enumerate()
        {
            let at = location.join("servers").index(i);
            let id =
                match server {
                    // 2.x: server names.
                    Value::String(name) => name.clone(),
                    // 3.x: references to `#/servers/<id>`.
                    Value::Object(_) => {
                        let target = match server.get("$ref").and_then(Value::as_str) {
                            Some(reference) => self.docs.resolve_ref(&at, reference)?,
                            None => at.clone(),
                        };
                        key_in(&target, "servers").ok_or_else(|| {
                            Error::at(
                                ErrorKind::Invalid,
                                &at,
                                format!("`{target}` is not one of the document's `servers`"),
                            )
                        })?
                    }
                    _ => return Err(Error::at(
                        ErrorKind::Invalid,
                        &at,
                        "a channel's `servers` entry must be a server name or a reference to one",
                    )),
                };
            if !self.api_ref().servers.iter().any(|s| s.id == id) {
                return Err(Error::at(
                    ErrorKind::Invalid,
                    &at,
                    format!("there is no server `{id}` in `servers`"),
                ));
            }
            out.push(id);
        }
        Ok(out)
    }

    pub(super) fn api_ref(&self) -> &Api {
        self.api
            .as_ref()
            .expect("the api is set before it is filled")
    }

    fn channels_v3(&mut self, doc: &Value, root: &Location) -> Result<()> {
        let Some(channels) = object_member(doc, root, "channels")? else {
            return Ok(());
        };
        for id in channels.keys() {
            let at = root.join("channels").join(id);
            let (location, channel) = self.docs.deref(&at)?;
            let address = string_member(channel, &location, "address")?;
            let channel = Channel {
                id: id.clone(),
                address,
                parameters: self.parameters(channel, &location)?,
                handshake: self.handshake(channel, &location)?,
                servers: self.channel_servers(channel, &location)?,
                docs: Docs::read(channel),
                client_messages: Vec::new(),
                server_messages: Vec::new(),
                client_variants: Vec::new(),
                server_variants: Vec::new(),
                location,
            };
            self.api().channels.push(channel);
        }
        Ok(())
    }

    /// The channel a reference (found at `at`) points to.
    fn channel_for(&self, at: &Location, value: &Value) -> Result<usize> {
        let reference = value.get("$ref").and_then(Value::as_str).ok_or_else(|| {
            Error::at(
                ErrorKind::Invalid,
                at,
                "`channel` must be a reference to one of the document's `channels`",
            )
        })?;
        let target = self.docs.resolve_ref(at, reference)?;
        let (resolved, _) = self.docs.deref(&target)?;
        let root = self.docs.root();
        // The channel's id when the reference names it in the root's
        // `channels` (`#/channels/<id>`): worked out once, not per channel.
        let named = (target.file == root.file && target.tokens().len() == 2)
            .then(|| key_in(&target, "channels"))
            .flatten();
        self.api_ref()
            .channels
            .iter()
            .position(|c| c.location == resolved || named.as_deref() == Some(c.id.as_str()))
            .ok_or_else(|| {
                Error::at(
                    ErrorKind::Invalid,
                    at,
                    format!("`{reference}` is not one of the document's `channels`"),
                )
            })
    }

    fn operations_v3(&mut self, doc: &Value, root: &Location) -> Result<()> {
        let Some(operations) = object_member(doc, root, "operations")? else {
            return Ok(());
        };
        for id in operations.keys() {
            let (location, op) = self.docs.deref(&root.join("operations").join(id))?;
            let action = string_member(op, &location, "action")?;
            let receives = match action.as_deref() {
                Some("receive") => true,
                Some("send") => false,
                other => {
                    return Err(Error::at(
                        ErrorKind::Invalid,
                        &location.join("action"),
                        format!(
                            "`action` must be `send` or `receive`, not {}",
                            other.map_or("missing".to_string(), |a| format!("`{a}`"))
                        ),
                    ))
                }
            };
            let direction = self.direction(receives);
            let channel_at = location.join("channel");
            let channel_value = op.get("channel").ok_or_else(|| {
                Error::at(
                    ErrorKind::Invalid,
                    &location,
                    "the operation has no `channel`",
                )
            })?;
            let channel = self.channel_for(&channel_at, channel_value)?;
            let messages = match op.get("messages") {
                Some(_) => self.message_refs(op, &location, "messages")?,
                // No `messages`: every message of the channel.
                None => self.channel_messages(channel)?,
            };
            let reply = match op.get("reply") {
                None | Some(Value::Null) => None,
                Some(_) => Some(self.reply_v3(&location.join("reply"), channel)?),
            };
            let subscription = Subscription::read(op, &location)?;
            let security = self.security(true, op, id, &location)?;
            self.api().operations.push(Operation {
                id: id.clone(),
                direction,
                action: if receives { "receive" } else { "send" }.to_string(),
                channel,
                messages,
                reply,
                subscription,
                security,
                docs: Docs::read(op),
                location,
            });
        }
        Ok(())
    }

    /// The ids of the schemes the `security` of `owner` (a server or an
    /// operation, `owner_id` its id) requires; inline 3.x schemes are added
    /// to [`Api::security_schemes`].
    fn security(
        &mut self,
        v3: bool,
        owner: &Value,
        owner_id: &str,
        location: &Location,
    ) -> Result<Vec<String>> {
        let mut known = std::mem::take(&mut self.api().security_schemes);
        let security =
            super::security::required(self.docs, v3, owner, owner_id, location, &mut known);
        self.api().security_schemes = known;
        security
    }

    fn reply_v3(&mut self, at: &Location, own_channel: usize) -> Result<Reply> {
        let (location, reply) = self.docs.deref(at)?;
        let channel = match reply.get("channel") {
            Some(value) => self.channel_for(&location.join("channel"), value)?,
            None => own_channel,
        };
        let address = match reply.get("address") {
            None | Some(Value::Null) => None,
            Some(_) => {
                let (addr_loc, addr) = self.docs.deref(&location.join("address"))?;
                string_member(addr, &addr_loc, "location")?
            }
        };
        let messages = match reply.get("messages") {
            Some(_) => self.message_refs(reply, &location, "messages")?,
            None => self.channel_messages(channel)?,
        };
        Ok(Reply {
            channel,
            address,
            messages,
        })
    }

    /// Every message a 3.x channel declares.
    fn channel_messages(&mut self, channel: usize) -> Result<Vec<usize>> {
        let location = self.api_ref().channels[channel].location.clone();
        let value = self.docs.get(&location)?;
        let Some(messages) = object_member(value, &location, "messages")? else {
            return Ok(Vec::new());
        };
        let keys: Vec<String> = messages.keys().cloned().collect();
        keys.iter()
            .map(|key| self.message(&location.join("messages").join(key)))
            .collect()
    }

    /// The messages of a list of references (3.x operation/reply `messages`).
    fn message_refs(
        &mut self,
        holder: &Value,
        location: &Location,
        key: &str,
    ) -> Result<Vec<usize>> {
        let count = array_member(holder, location, key)?.len();
        (0..count)
            .map(|i| self.message(&location.join(key).index(i)))
            .collect()
    }

    fn channels_v2(&mut self, doc: &Value, root: &Location) -> Result<()> {
        let Some(channels) = object_member(doc, root, "channels")? else {
            return Ok(());
        };
        for address in channels.keys() {
            let (location, channel) = self.docs.deref(&root.join("channels").join(address))?;
            let index = self.api_ref().channels.len();
            let entry = Channel {
                id: address.clone(),
                address: Some(address.clone()),
                parameters: self.parameters(channel, &location)?,
                handshake: self.handshake(channel, &location)?,
                servers: self.channel_servers(channel, &location)?,
                docs: Docs::read(channel),
                client_messages: Vec::new(),
                server_messages: Vec::new(),
                client_variants: Vec::new(),
                server_variants: Vec::new(),
                location: location.clone(),
            };
            self.api().channels.push(entry);
            for (action, receives) in [("publish", true), ("subscribe", false)] {
                if channel.get(action).is_none() {
                    continue;
                }
                let (op_loc, op) = self.docs.deref(&location.join(action))?;
                let id = match string_member(op, &op_loc, "operationId")? {
                    Some(id) => id,
                    None => format!("{address} {action}"),
                };
                let messages = match op.get("message") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(_) => self.messages_v2(&op_loc.join("message"))?,
                };
                let direction = self.direction(receives);
                // 2.x has no replies; the `x-response` extension (on the
                // operation, or on one of its messages) names them.
                let reply = match op.get(X_RESPONSE) {
                    None | Some(Value::Null) => None,
                    Some(_) => Some(Reply {
                        channel: index,
                        address: None,
                        messages: self.messages_v2(&op_loc.join(X_RESPONSE))?,
                    }),
                };
                let subscription = Subscription::read(op, &op_loc)?;
                let security = self.security(false, op, &id, &op_loc)?;
                let mut message_replies = Vec::new();
                for &m in &messages {
                    let at = self.api_ref().messages[m].location.clone();
                    if self.docs.get(&at)?.get(X_RESPONSE).is_some() {
                        let replies = self.messages_v2(&at.join(X_RESPONSE))?;
                        message_replies.push((m, replies));
                    }
                }
                for (m, replies) in message_replies {
                    let key = self.api_ref().messages[m].key.clone();
                    self.api().operations.push(Operation {
                        id: format!("{id} {key}"),
                        direction,
                        action: action.to_string(),
                        channel: index,
                        messages: vec![m],
                        reply: Some(Reply {
                            channel: index,
                            address: None,
                            messages: replies,
                        }),
                        subscription: subscription.clone(),
                        security: security.clone(),
                        docs: Docs::read(op),
                        location: op_loc.clone(),
                    });
                }
                self.api().operations.push(Operation {
                    id,
                    direction,
                    action: action.to_string(),
                    channel: index,
                    messages,
                    reply,
                    subscription,
                    security,
                    docs: Docs::read(op),
                    location: op_loc,
                });
            }
        }
        Ok(())
    }

    /// A 2.x operation's `message`: one message, or `oneOf` several.
    fn messages_v2(&mut self, at: &Location) -> Result<Vec<usize>> {
        let (location, value) = self.docs.deref(at)?;
        match value.get("oneOf") {
            Some(Value::Array(items)) => (0..items.len())
                .map(|i| self.message(&location.join("oneOf").index(i)))
                .collect(),
            Some(_) => Err(Error::at(
                ErrorKind::Invalid,
                &location.join("oneOf"),
                "`oneOf` must be an array of messages",
            )),
            None => Ok(vec![self.message(at)?]),
        }
    }

    fn direction(&self, described_app_receives: bool) -> Direction {
        match (self.perspective, described_app_receives) {
            (Perspective::Server, true) | (Perspective::Client, false) => Direction::ClientToServer,
            (Perspective::Server, false) | (Perspective::Client, true) => Direction::ServerToClient,
        }
    }

    /// Fills each channel's client and server message lists from the
    /// operations (and their replies).
    fn place_messages(&mut self) {
        let api = self.api();
        let mut placements = Vec::new();
        for op in &api.operations {
            for &m in &op.messages {
                placements.push((op.channel, op.direction, m));
            }
            if let Some(reply) = &op.reply {
                for &m in &reply.messages {
                    placements.push((reply.channel, op.direction.reverse(), m));
                }
            }
        }
        for (channel, direction, message) in placements {
            let channel = &mut api.channels[channel];
            let list = match direction {
                Direction::ClientToServer => &mut channel.client_messages,
                Direction::ServerToClient => &mut channel.server_messages,
            };
            if !list.contains(&message) {
                list.push(message);
            }
        }
    }
}

/// The extension by which AsyncAPI 2.x documents (the seed blog's Kraken
/// document among them) name the reply of an operation or of a message: a
/// message, or `oneOf` several.
const X_RESPONSE: &str = "x-response";
