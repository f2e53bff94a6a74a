//! The version-neutral model of an AsyncAPI document: servers, channels,
//! operations with their direction and reply, and messages. Everything after
//! loading works on this model, whatever the document's version.
//!
//! Directions are those of a WebSocket connection: what clients send to the
//! server and what the server sends to clients. AsyncAPI 2.x `publish` means
//! messages that clients send, `subscribe` messages that the server sends;
//! 3.x `receive`/`send` are from the described application's point of view.
//! Which side the document describes is the [`Perspective`].
//!
//! The model is complete and resolved: every fact the back end needs is
//! here (the payload and headers schemas gathered into one named set, the
//! discriminating rules of every message, correlation paths and their
//! types, variant and type names, warnings), so no back-end module opens
//! the documents. Every problem of the document is raised while the model
//! is built, with its file and JSON pointer.

use crate::error::{Error, ErrorKind, Location, Result, Warning};
use crate::names::{self, Scope};
use crate::spec::Documents;
use build::Builder;
use serde_json::Value;

mod build;
mod correlation;
mod error_frame;
mod handshake;
mod lints;
mod message;
mod overlap;
mod read;
mod rules;
mod schemas;
mod security;
mod subscription;
mod validation;
mod walk;
mod warnings;

pub use correlation::{Correlation, Step};
pub use error_frame::{ErrorFrame, X_ERROR};
pub(crate) use lints::{alternatives_stand_alone, required_names_are_own};
pub use rules::{Rule, Seg, Test};
pub(crate) use schemas::{
    constant_value, is_of_type, json_kind, SCHEMA_ARRAY_KEYWORDS, SCHEMA_KEYWORDS,
    SCHEMA_MAP_KEYWORDS,
};
pub use schemas::{SchemaDef, Schemas};
pub use subscription::{Subscription, SubscriptionRole, X_SUBSCRIPTION};

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
    /// The names of its `tags`, in order (a tag that is a `$ref` is named
    /// by the last token of its pointer, e.g. `#/components/tags/public`).
    pub tags: Vec<String>,
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
        let tags = value
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|tag| match tag.get("name").and_then(Value::as_str) {
                Some(name) => Some(name.to_string()),
                None => tag
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.rsplit('/').next())
                    .map(|name| name.replace("~1", "/").replace("~0", "~")),
            })
            .collect();
        Docs {
            title: text("title"),
            summary: text("summary"),
            description: text("description"),
            tags,
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
    /// The root document (its file, an empty pointer).
    pub root: Location,
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
    /// Security schemes: those of `components/securitySchemes` in order,
    /// then those written inline in a server's `security`.
    pub security_schemes: Vec<SecurityScheme>,
    /// Channels, in document order.
    pub channels: Vec<Channel>,
    /// Operations, in document order.
    pub operations: Vec<Operation>,
    /// Every message some operation sends or receives, each once.
    pub messages: Vec<Message>,
    /// The payload and headers schemas of the messages, and every schema
    /// they reference, as one set of named definitions.
    pub schemas: Schemas,
    /// What is wrong with the document without stopping generation, from
    /// loading it and from building the model.
    pub warnings: Vec<Warning>,
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
    /// Ids of the security schemes it requires ([`Api::security_schemes`]).
    pub security: Vec<String>,
    /// Where it is defined.
    pub location: Location,
}

/// A way a server authenticates its clients.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityScheme {
    /// Its key under `components/securitySchemes` (or, inline in a server,
    /// `<server>/security/<index>`).
    pub id: String,
    /// `type`, e.g. `httpApiKey`, `userPassword`, `oauth2`.
    pub kind: String,
    /// `name`: the header, query or cookie parameter of an API key.
    pub name: Option<String>,
    /// `in`: where an API key goes (`user`, `password`, `header`, …).
    pub place: Option<String>,
    /// `scheme`: the HTTP authorization scheme, e.g. `bearer`.
    pub scheme: Option<String>,
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
    /// The query parameters and headers its `ws` binding asks of the
    /// handshake, in order.
    pub handshake: Vec<HandshakeField>,
    /// Ids of the servers it is available on (empty: all of them).
    pub servers: Vec<String>,
    /// Prose.
    pub docs: Docs,
    /// Indices into [`Api::messages`] of what clients send on it.
    pub client_messages: Vec<usize>,
    /// Indices into [`Api::messages`] of what the server sends on it.
    pub server_messages: Vec<usize>,
    /// The variant names of `client_messages` in the channel's
    /// `ClientMessage` enum, in the same order.
    pub client_variants: Vec<String>,
    /// The variant names of `server_messages` in the channel's
    /// `ServerMessage` enum, in the same order.
    pub server_variants: Vec<String>,
    /// Where it is defined (after `$ref`s).
    pub location: Location,
}

impl Api {
    /// The ids of the security schemes that admit a client to channel
    /// `channel`, any one of them, in the order of
    /// [`Api::security_schemes`]: those its servers require (every
    /// server's, for a channel that names none) and those the operations on
    /// it require. Empty: the channel is open.
    pub fn channel_security(&self, channel: usize) -> Vec<&SecurityScheme> {
        let ch = &self.channels[channel];
        let servers = self
            .servers
            .iter()
            .filter(|s| ch.servers.is_empty() || ch.servers.contains(&s.id))
            .flat_map(|s| &s.security);
        let operations = self
            .operations
            .iter()
            .filter(|o| o.channel == channel)
            .flat_map(|o| &o.security);
        let wanted: Vec<&String> = servers.chain(operations).collect();
        self.security_schemes
            .iter()
            .filter(|s| wanted.contains(&&s.id))
            .collect()
    }
}

impl Channel {
    /// The messages going in `direction`.
    pub fn messages(&self, direction: Direction) -> &[usize] {
        match direction {
            Direction::ClientToServer => &self.client_messages,
            Direction::ServerToClient => &self.server_messages,
        }
    }

    /// The messages going in `direction` with their variant names.
    pub fn variants(&self, direction: Direction) -> Vec<(usize, String)> {
        let names = match direction {
            Direction::ClientToServer => &self.client_variants,
            Direction::ServerToClient => &self.server_variants,
        };
        self.messages(direction)
            .iter()
            .copied()
            .zip(names.iter().cloned())
            .collect()
    }
}

/// A query parameter or header of the WebSocket handshake, from a
/// channel's `ws` binding.
#[derive(Debug, Clone)]
pub struct HandshakeField {
    /// Its name on the wire.
    pub name: String,
    /// Query or header.
    pub place: HandshakePlace,
    /// What its value is.
    pub kind: HandshakeKind,
    /// Whether the binding's schema requires it.
    pub required: bool,
    /// Allowed values, if restricted (as text).
    pub values: Vec<String>,
    /// The pattern its values must match.
    pub pattern: Option<String>,
    /// Its default value (as text), which the server assumes when absent.
    pub default: Option<String>,
    /// Prose.
    pub docs: Docs,
    /// Where its schema is.
    pub location: Location,
}

/// Where a [`HandshakeField`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakePlace {
    /// The request URL's query.
    Query,
    /// A request header.
    Header,
}

/// The value of a [`HandshakeField`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakeKind {
    /// Text.
    String,
    /// `true` or `false`.
    Boolean,
    /// An integer (`i64`).
    Integer,
    /// A number (`f64`).
    Number,
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
    /// The pattern its values must match: 2.x `schema.pattern`, 3.x
    /// `x-pattern` (3.0 parameters have no schema).
    pub pattern: Option<String>,
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
    /// Its action as the document writes it: `send` or `receive` (3.x),
    /// `publish` or `subscribe` (2.x).
    pub action: String,
    /// Index into [`Api::channels`].
    pub channel: usize,
    /// Indices into [`Api::messages`].
    pub messages: Vec<usize>,
    /// The reply, for request/reply operations.
    pub reply: Option<Reply>,
    /// Whether its messages start or stop a feed (`x-asyncapi-rs-subscription`).
    pub subscription: Option<Subscription>,
    /// Ids of the security schemes it requires ([`Api::security_schemes`]),
    /// besides its servers'.
    pub security: Vec<String>,
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
    /// Its `name` member, when it has one (the machine-friendly name, which
    /// may differ from the key: key `chatNotification`, name
    /// `chat_notification`).
    pub name: Option<String>,
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
    /// Its payload schema: an index into [`Schemas::defs`].
    pub payload_schema: Option<usize>,
    /// Its headers schema: an index into [`Schemas::defs`].
    pub headers_schema: Option<usize>,
    /// The tests a frame must pass to be this message (before the back
    /// end prunes those that tell no two messages of an enum apart).
    pub rules: Vec<Rule>,
    /// Its correlation id.
    pub correlation_id: Option<CorrelationId>,
    /// Where in its payload its correlation id is, and its type (`None`
    /// without a correlation id, or with one in the headers).
    pub correlation: Option<Correlation>,
    /// Its examples.
    pub examples: Vec<Example>,
    /// For a message clients send: its payload schema as self-contained
    /// JSON (one line) that servers validate frames against, compiled
    /// once by the generator (`None`: no payload, or it does not compile).
    pub validation: Option<String>,
    /// For a message the server sends: how to build it as the answer to a
    /// frame not handled (`x-asyncapi-rs-error`).
    pub error_frame: Option<ErrorFrame>,
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
    /// Reads the model out of loaded documents, with every warning.
    pub fn build(docs: &Documents, perspective: Perspective) -> Result<Api> {
        let mut api = Self::model(docs, perspective)?;
        let checked = api.checks(docs)?;
        api.add_warnings(checked);
        Ok(api)
    }

    /// The model, with the warnings of the documents and of building it,
    /// but not yet those of [`Api::checks`] (which need not hold up code
    /// generation: the generator runs them beside it).
    pub(crate) fn model(docs: &Documents, perspective: Perspective) -> Result<Api> {
        let mut api = Builder {
            docs,
            perspective,
            api: None,
        }
        .build()?;
        api.resolve(docs)?;
        error_frame::read(docs, &mut api)?;
        let mut warnings = docs.warnings().to_vec();
        // Those of building the model itself.
        warnings.append(&mut api.warnings);
        warnings.extend(validation::embed(docs, &mut api)?);
        api.warnings = warnings;
        Ok(api)
    }

    /// The checks that only warn, of the finished model: examples against
    /// their schemas, schemas no value satisfies, misspelt keywords,
    /// messages an earlier one of their enum would take.
    pub(crate) fn checks(&self, docs: &Documents) -> Result<Vec<Warning>> {
        let mut warnings = warnings::check(docs, self)?;
        warnings.extend(lints::check(docs, self)?);
        warnings.extend(overlap::check(docs, self)?);
        Ok(warnings)
    }

    /// Adds the warnings of [`Api::checks`] after the model's own; a
    /// schema or message reached twice is warned about once.
    pub(crate) fn add_warnings(&mut self, checked: Vec<Warning>) {
        self.warnings.extend(checked);
        let mut seen = std::collections::HashSet::new();
        self.warnings.retain(|w| seen.insert(w.to_string()));
    }

    /// Gathers the schemas, then reads every message's rules and
    /// correlation out of them, and names the enum variants.
    fn resolve(&mut self, docs: &Documents) -> Result<()> {
        let mut gatherer = schemas::Gatherer::new(docs);
        for message in &mut self.messages {
            if let Some(at) = &message.payload {
                let def = gatherer.root(at, &message.key, message.payload_dialect)?;
                message.payload_schema = Some(def);
            }
            // Headers get types too (WebSocket frames carry only the
            // payload, but applications may use them).
            if let Some(at) = &message.headers {
                let hint = format!("{}Headers", message.key);
                let def = gatherer.root(at, &hint, message.headers_dialect)?;
                message.headers_schema = Some(def);
            }
        }
        self.schemas = gatherer.finish();
        for message in &mut self.messages {
            if let Some(def) = message.payload_schema {
                message.rules = rules::of(&self.schemas, def)?;
            }
            if let Some(id) = &message.correlation_id {
                message.correlation = correlation::of(&self.schemas, id, message.payload_schema)?;
            }
        }
        for channel in &mut self.channels {
            channel.client_variants = variant_names(&self.messages, &channel.client_messages);
            channel.server_variants = variant_names(&self.messages, &channel.server_messages);
        }
        Ok(())
    }

    /// The variants of the message enum for `direction` on `channel`, as
    /// the generator names them: (index into [`Api::messages`], variant name).
    pub fn enum_variants(&self, channel: usize, direction: Direction) -> Vec<(usize, String)> {
        self.channels[channel].variants(direction)
    }

    /// Loads the document at `path` (and every file it references) and
    /// reads the model out of it, assuming it describes the server.
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Api> {
        let docs = Documents::load(path)?;
        Api::build(&docs, Perspective::Server)
    }
}

/// Names the variants of an enum over `list`: the message key in
/// UpperCamelCase, kept distinct.
fn variant_names(messages: &[Message], list: &[usize]) -> Vec<String> {
    let mut scope = Scope::default();
    list.iter()
        .map(|&m| scope.claim(names::type_name(&messages[m].key)))
        .collect()
}

#[cfg(test)]
mod tests;
