//! The version-neutral model of an AsyncAPI document: servers, channels,
//! operations with their direction and reply, and messages. Everything after
//! loading works on this model, whatever the document's version.
//!
//! Directions are those of a WebSocket connection: what clients send to the
//! server and what the server sends to clients. AsyncAPI 2.x `publish` means
//! messages that clients send, `subscribe` messages that the server sends;
//! 3.x `receive`/`send` are from the described application's point of view.
//! Which side the document describes is the [`Perspective`].

use crate::error::{Error, ErrorKind, Location, Result};
use crate::spec::Documents;
use serde_json::Value;

/// Which side of the connection a document describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Perspective {
    /// The document describes the server (the WebSocket endpoint): what it
    /// receives, clients send. The usual case, and the default.
    #[default]
    Server,
    /// The document describes a client: what it sends, clients send.
    Client,
}

/// Who sends a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Clients send it; the server receives it.
    ClientToServer,
    /// The server sends it; clients receive it.
    ServerToClient,
}

impl Direction {
    /// The other direction (that of a reply).
    pub fn reverse(self) -> Direction {
        match self {
            Direction::ClientToServer => Direction::ServerToClient,
            Direction::ServerToClient => Direction::ClientToServer,
        }
    }
}

/// Titles and prose that become rustdoc.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Docs {
    /// `title`
    pub title: Option<String>,
    /// `summary`
    pub summary: Option<String>,
    /// `description` (CommonMark)
    pub description: Option<String>,
}

impl Docs {
    fn read(value: &Value) -> Docs {
        let text = |key: &str| {
            value
                .get(key)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Docs {
            title: text("title"),
            summary: text("summary"),
            description: text("description"),
        }
    }

    /// The paragraphs to show, in order: title, summary, description (each
    /// once, skipping repeats).
    pub fn paragraphs(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for text in [&self.title, &self.summary, &self.description]
            .into_iter()
            .flatten()
        {
            if !out.contains(&text.as_str()) {
                out.push(text);
            }
        }
        out
    }
}

/// The whole API.
#[derive(Debug, Clone)]
pub struct Api {
    /// The declared `asyncapi` version, e.g. `3.0.0`.
    pub asyncapi: String,
    /// `info.title`
    pub title: String,
    /// `info.version`
    pub version: String,
    /// `info.description`
    pub description: Option<String>,
    /// Servers, in document order.
    pub servers: Vec<Server>,
    /// Channels, in document order.
    pub channels: Vec<Channel>,
    /// Operations, in document order.
    pub operations: Vec<Operation>,
    /// Every message some operation sends or receives, each once.
    pub messages: Vec<Message>,
}

/// A server (an endpoint clients connect to).
#[derive(Debug, Clone)]
pub struct Server {
    /// Its key under `servers`.
    pub id: String,
    /// Its URL: `protocol://host/pathname`, variables left as `{name}`.
    pub url: String,
    /// `protocol`, e.g. `wss`.
    pub protocol: String,
    /// Prose.
    pub docs: Docs,
    /// Where it is defined.
    pub location: Location,
}

/// A channel: an address on which messages flow.
#[derive(Debug, Clone)]
pub struct Channel {
    /// Its key under `channels` (in 2.x, its address).
    pub id: String,
    /// Its address (path), if it has one; may contain `{parameter}`s.
    pub address: Option<String>,
    /// Its parameters, in order.
    pub parameters: Vec<Parameter>,
    /// Ids of the servers it is available on (empty: all of them).
    pub servers: Vec<String>,
    /// Prose.
    pub docs: Docs,
    /// Indices into [`Api::messages`] of what clients send on it.
    pub client_messages: Vec<usize>,
    /// Indices into [`Api::messages`] of what the server sends on it.
    pub server_messages: Vec<usize>,
    /// Where it is defined (after `$ref`s).
    pub location: Location,
}

impl Channel {
    /// The messages going in `direction`.
    pub fn messages(&self, direction: Direction) -> &[usize] {
        match direction {
            Direction::ClientToServer => &self.client_messages,
            Direction::ServerToClient => &self.server_messages,
        }
    }
}

/// A channel parameter (`{name}` in the address).
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// Prose.
    pub docs: Docs,
    /// Allowed values, if restricted.
    pub values: Vec<String>,
    /// Its default value.
    pub default: Option<String>,
    /// Where it is defined.
    pub location: Location,
}

/// An operation: a message flow on a channel, maybe with a reply.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `operationId` (2.x) or the key under `operations` (3.x); for a 2.x
    /// operation without `operationId`, made from the channel and action.
    pub id: String,
    /// Who sends its messages.
    pub direction: Direction,
    /// Index into [`Api::channels`].
    pub channel: usize,
    /// Indices into [`Api::messages`].
    pub messages: Vec<usize>,
    /// The reply, for request/reply operations.
    pub reply: Option<Reply>,
    /// Prose.
    pub docs: Docs,
    /// Where it is defined.
    pub location: Location,
}

/// The reply of a request/reply operation; it goes the other way.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Index into [`Api::channels`] (the operation's own channel unless the
    /// reply names another).
    pub channel: usize,
    /// A fixed reply address, if the document gives one.
    pub address: Option<String>,
    /// Indices into [`Api::messages`].
    pub messages: Vec<usize>,
}

/// A message.
#[derive(Debug, Clone)]
pub struct Message {
    /// Its name: the key under `components/messages` (or a channel's
    /// `messages`), else `name`, `messageId` or `title`.
    pub key: String,
    /// Prose.
    pub docs: Docs,
    /// `contentType`
    pub content_type: Option<String>,
    /// Where its payload schema is, if it has one.
    pub payload: Option<Location>,
    /// The language its payload schema is written in.
    pub payload_dialect: SchemaDialect,
    /// Where its headers schema is, if it has one.
    pub headers: Option<Location>,
    /// The language its headers schema is written in.
    pub headers_dialect: SchemaDialect,
    /// Its correlation id.
    pub correlation_id: Option<CorrelationId>,
    /// Its examples.
    pub examples: Vec<Example>,
    /// Where it is defined (after `$ref`s): its identity.
    pub location: Location,
}

/// The language a payload or headers schema is written in, by its
/// `schemaFormat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SchemaDialect {
    /// JSON Schema draft-07, or the AsyncAPI Schema Object (a superset):
    /// the default.
    #[default]
    JsonSchema,
    /// An OpenAPI 3.0 Schema Object (`nullable`, boolean
    /// `exclusiveMinimum`, …).
    OpenApi3,
}

impl SchemaDialect {
    /// The dialect of a `schemaFormat`, or `None` for the formats whose
    /// schemas are not JSON Schema of some kind (Avro, RAML, …).
    pub fn of_format(format: &str) -> Option<SchemaDialect> {
        if crate::spec::is_json_schema_format(format) {
            return Some(SchemaDialect::JsonSchema);
        }
        let format = format.to_ascii_lowercase();
        let openapi_3_0 = format.starts_with("application/vnd.oai.openapi")
            && format
                .split_once("version=")
                .is_none_or(|(_, version)| version.trim().starts_with("3.0"));
        openapi_3_0.then_some(SchemaDialect::OpenApi3)
    }
}

/// Where a message carries the id that pairs a request with its reply.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationId {
    /// The runtime expression, e.g. `$message.payload#/reqid`.
    pub expression: String,
    /// Prose.
    pub description: Option<String>,
    /// Where it is defined.
    pub location: Location,
}

impl CorrelationId {
    /// The JSON pointer into the payload, when the id is in the payload.
    pub fn payload_pointer(&self) -> Option<&str> {
        self.expression.strip_prefix("$message.payload#")
    }
}

/// An example of a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// Its name, if it has one.
    pub name: Option<String>,
    /// Its summary.
    pub summary: Option<String>,
    /// Example headers.
    pub headers: Option<Value>,
    /// Example payload.
    pub payload: Option<Value>,
    /// Where it is.
    pub location: Location,
}

impl Api {
    /// Reads the model out of loaded documents.
    pub fn build(docs: &Documents, perspective: Perspective) -> Result<Api> {
        Builder {
            docs,
            perspective,
            api: None,
        }
        .build()
    }

    /// The variants of the message enum for `direction` on `channel`, as
    /// the generator names them: (index into [`Api::messages`], variant name).
    pub fn enum_variants(&self, channel: usize, direction: Direction) -> Vec<(usize, String)> {
        crate::messages::variant_names(self, self.channels[channel].messages(direction))
    }

    /// Loads the document at `path` (and every file it references) and
    /// reads the model out of it, assuming it describes the server.
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Api> {
        let docs = Documents::load(path)?;
        Api::build(&docs, Perspective::Server)
    }
}

struct Builder<'d> {
    docs: &'d Documents,
    perspective: Perspective,
    api: Option<Api>,
}

/// Reads an optional member that must be an object when present.
fn object_member<'v>(
    value: &'v Value,
    location: &Location,
    key: &str,
) -> Result<Option<&'v serde_json::Map<String, Value>>> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(Error::at(
            ErrorKind::Invalid,
            &location.join(key),
            format!("`{key}` must be an object"),
        )),
    }
}

/// Reads an optional member that must be an array when present.
fn array_member<'v>(value: &'v Value, location: &Location, key: &str) -> Result<&'v [Value]> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(Error::at(
            ErrorKind::Invalid,
            &location.join(key),
            format!("`{key}` must be an array"),
        )),
    }
}

/// Reads an optional member that must be a string when present.
fn string_member(value: &Value, location: &Location, key: &str) -> Result<Option<String>> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::at(
            ErrorKind::Invalid,
            &location.join(key),
            format!("`{key}` must be a string"),
        )),
    }
}

/// The key of `location` when it is `…/<collection>/<key>`.
fn key_in(location: &Location, collection: &str) -> Option<String> {
    let tokens = location.tokens();
    match tokens.as_slice() {
        [.., c, key] if c == collection => Some(key.clone()),
        _ => None,
    }
}

impl<'d> Builder<'d> {
    fn api(&mut self) -> &mut Api {
        self.api
            .as_mut()
            .expect("the api is set before it is filled")
    }

    fn build(mut self) -> Result<Api> {
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
            asyncapi: version.raw.clone(),
            title,
            version: api_version,
            description: string_member(info, &info_loc, "description")?,
            servers: Vec::new(),
            channels: Vec::new(),
            operations: Vec::new(),
            messages: Vec::new(),
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
            self.api().servers.push(Server {
                id: id.clone(),
                url,
                protocol,
                docs,
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
            out.push(Parameter {
                name: name.clone(),
                docs: Docs::read(param),
                values,
                default,
                location: loc,
            });
        }
        Ok(out)
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

    fn api_ref(&self) -> &Api {
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
                servers: self.channel_servers(channel, &location)?,
                docs: Docs::read(channel),
                client_messages: Vec::new(),
                server_messages: Vec::new(),
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
        self.api_ref()
            .channels
            .iter()
            .position(|c| {
                c.location == resolved
                    || (target.file == root.file
                        && key_in(&target, "channels").as_deref() == Some(c.id.as_str())
                        && target.tokens().len() == 2)
            })
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
            self.api().operations.push(Operation {
                id: id.clone(),
                direction,
                channel,
                messages,
                reply,
                docs: Docs::read(op),
                location,
            });
        }
        Ok(())
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
                servers: self.channel_servers(channel, &location)?,
                docs: Docs::read(channel),
                client_messages: Vec::new(),
                server_messages: Vec::new(),
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
                        channel: index,
                        messages: vec![m],
                        reply: Some(Reply {
                            channel: index,
                            address: None,
                            messages: replies,
                        }),
                        docs: Docs::read(op),
                        location: op_loc.clone(),
                    });
                }
                self.api().operations.push(Operation {
                    id,
                    direction,
                    channel: index,
                    messages,
                    reply,
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

    /// The message at `at` (a reference or an inline message), added to the
    /// model once; returns its index.
    fn message(&mut self, at: &Location) -> Result<usize> {
        let (location, value) = self.docs.deref(at)?;
        if let Some(index) = self
            .api_ref()
            .messages
            .iter()
            .position(|m| m.location == location)
        {
            return Ok(index);
        }
        if !value.is_object() {
            return Err(Error::at(
                ErrorKind::Invalid,
                &location,
                "a message must be an object",
            ));
        }
        let key = key_in(&location, "messages")
            .or_else(|| key_in(at, "messages"))
            .map(Ok)
            .or_else(|| {
                ["name", "messageId", "title"]
                    .iter()
                    .find_map(|field| string_member(value, &location, field).transpose())
            })
            .transpose()?
            .unwrap_or_else(|| format!("message{}", self.api_ref().messages.len() + 1));
        let is_v3 = self.docs.version().major >= 3;
        let (payload, payload_dialect) = match value.get("payload") {
            None | Some(Value::Null) => (None, SchemaDialect::default()),
            Some(_) => {
                let (at, dialect) = self.schema_of(&location, value, "payload", is_v3)?;
                (Some(at), dialect)
            }
        };
        let (headers, headers_dialect) = match value.get("headers") {
            None | Some(Value::Null) => (None, SchemaDialect::default()),
            Some(_) => {
                let (at, dialect) = self.schema_of(&location, value, "headers", is_v3)?;
                (Some(at), dialect)
            }
        };
        let correlation_id = match value.get("correlationId") {
            None | Some(Value::Null) => None,
            Some(_) => {
                let (cid_loc, cid) = self.docs.deref(&location.join("correlationId"))?;
                let expression = string_member(cid, &cid_loc, "location")?.ok_or_else(|| {
                    Error::at(
                        ErrorKind::Invalid,
                        &cid_loc,
                        "a correlation id needs a `location`, e.g. `$message.payload#/reqid`",
                    )
                })?;
                Some(CorrelationId {
                    expression,
                    description: string_member(cid, &cid_loc, "description")?,
                    location: cid_loc,
                })
            }
        };
        let mut examples = Vec::new();
        for (i, example) in array_member(value, &location, "examples")?
            .iter()
            .enumerate()
        {
            let ex_loc = location.join("examples").index(i);
            let example = match example {
                Value::Object(_) => example,
                _ => {
                    return Err(Error::at(
                        ErrorKind::Invalid,
                        &ex_loc,
                        "a message example must be an object with `payload` and/or `headers`",
                    ))
                }
            };
            examples.push(Example {
                name: string_member(example, &ex_loc, "name")?,
                summary: string_member(example, &ex_loc, "summary")?,
                headers: example.get("headers").cloned(),
                payload: example.get("payload").cloned(),
                location: ex_loc,
            });
        }
        let message = Message {
            key,
            docs: Docs::read(value),
            content_type: string_member(value, &location, "contentType")?,
            payload,
            payload_dialect,
            headers,
            headers_dialect,
            correlation_id,
            examples,
            location,
        };
        let api = self.api();
        api.messages.push(message);
        Ok(api.messages.len() - 1)
    }

    /// Where a message's `part` (`payload` or `headers`) schema is (in a
    /// 3.x multi-format schema, its `schema`) and its dialect, after
    /// checking its schema format: JSON Schema, AsyncAPI schema or OpenAPI
    /// 3.0 schema, or an `Unsupported` error.
    fn schema_of(
        &self,
        location: &Location,
        message: &Value,
        part: &str,
        is_v3: bool,
    ) -> Result<(Location, SchemaDialect)> {
        let at = location.join(part);
        let (resolved, value) = self.docs.deref(&at)?;
        let multi_format =
            is_v3 && value.get("schemaFormat").is_some() && value.get("schema").is_some();
        let (format, format_at, schema_at) = if multi_format {
            (
                string_member(value, &resolved, "schemaFormat")?,
                resolved.join("schemaFormat"),
                resolved.join("schema"),
            )
        } else if part == "payload" {
            // 2.x: the message's `schemaFormat` is its payload's.
            (
                string_member(message, location, "schemaFormat")?,
                location.join("schemaFormat"),
                at,
            )
        } else {
            (None, at.clone(), at)
        };
        let Some(format) = format else {
            return Ok((schema_at, SchemaDialect::default()));
        };
        match SchemaDialect::of_format(&format) {
            Some(dialect) => Ok((schema_at, dialect)),
            None => Err(Error::at(
                ErrorKind::Unsupported,
                &format_at,
                format!("unsupported schemaFormat `{format}`: only JSON Schema, AsyncAPI and OpenAPI 3.0 schemas can be turned into Rust types"),
            )
            .with_hint(format!("describe the {part} with a JSON Schema (draft-07) or an AsyncAPI schema"))),
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

/// A scalar's text (strings unquoted), for parameter values.
fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
