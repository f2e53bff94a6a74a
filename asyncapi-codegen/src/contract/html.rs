//! The docs page: one self-contained HTML document rendered from the
//! model, listing servers, channels (address, parameters, messages each
//! way), operations (action, direction, summary, description, tags,
//! messages, reply), messages (payload as a table of members, examples)
//! and security schemes, with a table of contents. Styles are inline; there
//! is no script, and no URL the page loads (links inside it are `#`
//! anchors), so it works offline and under a `default-src 'none'` content
//! security policy.

use super::{markdown, schema_table};
use crate::ir::{Api, Direction, Docs, Example, Message, Operation};
use std::fmt::Write;

/// The page's styles: light and dark, readable on a phone.
const STYLE: &str = "\
:root{color-scheme:light dark;--fg:#1d2330;--muted:#5d6678;--bg:#fff;--panel:#f4f6fa;--line:#d8dde8;--accent:#2456c7}\
@media(prefers-color-scheme:dark){:root{--fg:#e6e9ef;--muted:#a2abbd;--bg:#161a22;--panel:#1f2530;--line:#343c4c;--accent:#7ea6ff}}\
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}\
.layout{display:flex;min-height:100vh}nav{flex:0 0 17rem;padding:1rem;border-right:1px solid var(--line);background:var(--panel);position:sticky;top:0;height:100vh;overflow:auto;font-size:14px}\
nav ul{list-style:none;padding-left:.6rem;margin:.2rem 0 .8rem}nav a{color:var(--fg);text-decoration:none}nav a:hover{color:var(--accent)}\
main{flex:1;min-width:0;padding:1rem 2rem;max-width:72rem}h1{margin:.2rem 0}h2{border-bottom:2px solid var(--line);padding-bottom:.2rem;margin-top:2.2rem}\
article{border:1px solid var(--line);border-radius:6px;padding:.2rem 1rem .8rem;margin:1rem 0}h3{margin:.6rem 0 .3rem}h3 small,.muted{color:var(--muted);font-weight:normal}\
code,pre{font:13px/1.4 ui-monospace,monospace}pre{background:var(--panel);padding:.6rem;border-radius:4px;overflow:auto}\
table{border-collapse:collapse;margin:.4rem 0;width:100%}th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:var(--panel)}td p{margin:0}\
.badge{display:inline-block;border-radius:3px;padding:0 .4rem;font-size:12px;font-weight:600;color:#fff;background:var(--accent);vertical-align:middle}\
.receive,.publish{background:#1f8a4c}.send,.subscribe{background:#b0561b}.tag{background:var(--muted)}\
@media(max-width:50rem){.layout{display:block}nav{position:static;height:auto;border-right:0}}";

/// The docs page for `api`.
pub fn page(api: &Api) -> String {
    let mut out = String::new();
    let title = format!("{} {}", api.title, api.version);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body><div class=\"layout\">",
        escape(&title)
    );
    contents(api, &mut out);
    let _ = write!(
        out,
        "<main><header><h1>{} <small class=\"muted\">{}</small></h1><p class=\"muted\">AsyncAPI {}</p>",
        escape(&api.title),
        escape(&api.version),
        escape(&api.asyncapi)
    );
    if let Some(description) = &api.description {
        out.push_str(&markdown::to_html(description));
    }
    out.push_str("</header>");
    servers(api, &mut out);
    channels(api, &mut out);
    operations(api, &mut out);
    messages(api, &mut out);
    security(api, &mut out);
    out.push_str("</main></div></body></html>");
    // One line: a newline is text wherever the page has one (in `<pre>`
    // and between words), and `&#10;` is the same text.
    out.replace('\n', "&#10;")
}

/// The table of contents.
fn contents(api: &Api, out: &mut String) {
    out.push_str("<nav><strong>Contents</strong>");
    let mut section = |title: &str, id: &str, entries: Vec<(String, String)>| {
        if entries.is_empty() {
            return;
        }
        let _ = write!(out, "<div><a href=\"#{id}\">{title}</a><ul>");
        for (anchor, name) in entries {
            let _ = write!(out, "<li><a href=\"#{anchor}\">{}</a></li>", escape(&name));
        }
        out.push_str("</ul></div>");
    };
    let numbered = |prefix: &str, names: Vec<String>| {
        names
            .into_iter()
            .enumerate()
            .map(|(i, name)| (format!("{prefix}-{i}"), name))
            .collect()
    };
    section(
        "Servers",
        "servers",
        numbered("server", api.servers.iter().map(|s| s.id.clone()).collect()),
    );
    section(
        "Channels",
        "channels",
        numbered(
            "channel",
            api.channels.iter().map(|c| c.id.clone()).collect(),
        ),
    );
    section(
        "Operations",
        "operations",
        numbered(
            "operation",
            api.operations.iter().map(|o| o.id.clone()).collect(),
        ),
    );
    section(
        "Messages",
        "messages",
        numbered(
            "message",
            api.messages.iter().map(|m| m.key.clone()).collect(),
        ),
    );
    section(
        "Security",
        "security",
        numbered(
            "scheme",
            api.security_schemes.iter().map(|s| s.id.clone()).collect(),
        ),
    );
    out.push_str("</nav>");
}

fn servers(api: &Api, out: &mut String) {
    if api.servers.is_empty() {
        return;
    }
    out.push_str("<section id=\"servers\"><h2>Servers</h2>");
    for (i, server) in api.servers.iter().enumerate() {
        let _ = write!(
            out,
            "<article id=\"server-{i}\"><h3>{} <small><code>{}</code></small></h3><p>Protocol: <code>{}</code></p>",
            escape(&server.id),
            escape(&server.url),
            escape(&server.protocol)
        );
        docs(&server.docs, out);
        if !server.security.is_empty() {
            out.push_str("<p>Security (any one admits): ");
            out.push_str(&scheme_links(api, &server.security));
            out.push_str("</p>");
        }
        out.push_str("</article>");
    }
    out.push_str("</section>");
}

fn channels(api: &Api, out: &mut String) {
    if api.channels.is_empty() {
        return;
    }
    out.push_str("<section id=\"channels\"><h2>Channels</h2>");
    for (i, channel) in api.channels.iter().enumerate() {
        let _ = write!(
            out,
            "<article id=\"channel-{i}\"><h3>{}",
            escape(&channel.id)
        );
        if let Some(address) = &channel.address {
            let _ = write!(out, " <small><code>{}</code></small>", escape(address));
        }
        out.push_str("</h3>");
        docs(&channel.docs, out);
        if !channel.parameters.is_empty() {
            out.push_str("<table><thead><tr><th>Parameter</th><th>Values</th><th>Default</th><th>Description</th></tr></thead><tbody>");
            for parameter in &channel.parameters {
                let mut values: Vec<String> = parameter
                    .values
                    .iter()
                    .map(|v| format!("<code>{}</code>", escape(v)))
                    .collect();
                if let Some(pattern) = &parameter.pattern {
                    values.push(format!("matching <code>{}</code>", escape(pattern)));
                }
                let _ = write!(
                    out,
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&parameter.name),
                    if values.is_empty() {
                        "any".to_string()
                    } else {
                        values.join(" ")
                    },
                    parameter
                        .default
                        .as_deref()
                        .map(|d| format!("<code>{}</code>", escape(d)))
                        .unwrap_or_default(),
                    markdown::to_html(&parameter.docs.paragraphs().join("\n\n")),
                );
            }
            out.push_str("</tbody></table>");
        }
        if !channel.servers.is_empty() {
            let links: Vec<String> = channel
                .servers
                .iter()
                .map(|id| match api.servers.iter().position(|s| &s.id == id) {
                    Some(s) => format!("<a href=\"#server-{s}\">{}</a>", escape(id)),
                    None => escape(id),
                })
                .collect();
            let _ = write!(out, "<p>Servers: {}</p>", links.join(", "));
        }
        for (label, list) in [
            ("Clients send", &channel.client_messages),
            ("The server sends", &channel.server_messages),
        ] {
            if !list.is_empty() {
                let _ = write!(out, "<p>{label}: {}</p>", message_links(api, list));
            }
        }
        out.push_str("</article>");
    }
    out.push_str("</section>");
}

fn operations(api: &Api, out: &mut String) {
    if api.operations.is_empty() {
        return;
    }
    out.push_str("<section id=\"operations\"><h2>Operations</h2>");
    for (i, operation) in api.operations.iter().enumerate() {
        operation_article(api, i, operation, out);
    }
    out.push_str("</section>");
}

fn operation_article(api: &Api, i: usize, operation: &Operation, out: &mut String) {
    let action = escape(&operation.action);
    let direction = match operation.direction {
        Direction::ClientToServer => "client → server",
        Direction::ServerToClient => "server → client",
    };
    let _ = write!(
        out,
        "<article id=\"operation-{i}\"><h3><span class=\"badge {action}\">{action}</span> {} <small>{direction}</small></h3>",
        escape(&operation.id)
    );
    if let Some(channel) = api.channels.get(operation.channel) {
        let _ = write!(
            out,
            "<p>Channel: <a href=\"#channel-{}\">{}</a>",
            operation.channel,
            escape(&channel.id)
        );
        if let Some(address) = &channel.address {
            let _ = write!(out, " <code>{}</code>", escape(address));
        }
        out.push_str("</p>");
    }
    docs(&operation.docs, out);
    if !operation.messages.is_empty() {
        let _ = write!(
            out,
            "<p>Messages: {}</p>",
            message_links(api, &operation.messages)
        );
    }
    if let Some(reply) = &operation.reply {
        let _ = write!(out, "<p>Reply: {}", message_links(api, &reply.messages));
        if let Some(address) = &reply.address {
            let _ = write!(out, " at <code>{}</code>", escape(address));
        }
        out.push_str("</p>");
    }
    out.push_str("</article>");
}

fn messages(api: &Api, out: &mut String) {
    if api.messages.is_empty() {
        return;
    }
    // The operations using each message, in one pass over them.
    let mut used_by: Vec<Vec<usize>> = vec![Vec::new(); api.messages.len()];
    for (o, op) in api.operations.iter().enumerate() {
        let replies = op.reply.iter().flat_map(|r| &r.messages);
        for &m in op.messages.iter().chain(replies) {
            if let Some(ops) = used_by.get_mut(m) {
                if ops.last() != Some(&o) {
                    ops.push(o);
                }
            }
        }
    }
    out.push_str("<section id=\"messages\"><h2>Messages</h2>");
    for (i, message) in api.messages.iter().enumerate() {
        message_article(api, i, message, &used_by[i], out);
    }
    out.push_str("</section>");
}

/// Message `i`'s article; `used_by`: the operations sending or replying
/// with it, in order.
fn message_article(api: &Api, i: usize, message: &Message, used_by: &[usize], out: &mut String) {
    let _ = write!(
        out,
        "<article id=\"message-{i}\"><h3>{}",
        escape(&message.key)
    );
    if let Some(name) = message.name.as_ref().filter(|name| **name != message.key) {
        let _ = write!(out, " <small>name <code>{}</code></small>", escape(name));
    }
    if let Some(content_type) = &message.content_type {
        let _ = write!(out, " <small><code>{}</code></small>", escape(content_type));
    }
    out.push_str("</h3>");
    docs(&message.docs, out);
    let used_by: Vec<String> = used_by
        .iter()
        .map(|&o| {
            let op = &api.operations[o];
            format!("<a href=\"#operation-{o}\">{}</a>", escape(&op.id))
        })
        .collect();
    if !used_by.is_empty() {
        let _ = write!(out, "<p>Operations: {}</p>", used_by.join(", "));
    }
    match message.payload_schema {
        Some(def) => {
            let _ = write!(
                out,
                "<h4>Payload <small class=\"muted\">{}</small></h4>{}",
                escape(&api.schemas.defs[def].name),
                schema_table::table(&api.schemas, def)
            );
        }
        None => out.push_str("<p class=\"muted\">No payload schema: any JSON value.</p>"),
    }
    if !message.examples.is_empty() {
        out.push_str("<h4>Examples</h4>");
        for example in &message.examples {
            example_block(example, out);
        }
    }
    out.push_str("</article>");
}

fn example_block(example: &Example, out: &mut String) {
    let label: Vec<&str> = [example.name.as_deref(), example.summary.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !label.is_empty() {
        let _ = write!(out, "<p><em>{}</em></p>", escape(&label.join(": ")));
    }
    for (part, value) in [("Headers", &example.headers), ("Payload", &example.payload)] {
        if let Some(value) = value {
            let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
            if part == "Headers" {
                out.push_str("<p class=\"muted\">Headers</p>");
            }
            let _ = write!(out, "<pre>{}</pre>", escape(&pretty));
        }
    }
}

fn security(api: &Api, out: &mut String) {
    if api.security_schemes.is_empty() {
        return;
    }
    out.push_str("<section id=\"security\"><h2>Security</h2>");
    for (i, scheme) in api.security_schemes.iter().enumerate() {
        let _ = write!(
            out,
            "<article id=\"scheme-{i}\"><h3>{} <small><code>{}</code></small></h3><ul>",
            escape(&scheme.id),
            escape(&scheme.kind)
        );
        for (label, value) in [
            ("HTTP scheme", &scheme.scheme),
            ("In", &scheme.place),
            ("Name", &scheme.name),
        ] {
            if let Some(value) = value {
                let _ = write!(out, "<li>{label}: <code>{}</code></li>", escape(value));
            }
        }
        out.push_str("</ul>");
        docs(&scheme.docs, out);
        out.push_str("</article>");
    }
    out.push_str("</section>");
}

/// Title, summary and description (both CommonMark: summaries often
/// hold `code`), and tags.
fn docs(docs: &Docs, out: &mut String) {
    if let Some(title) = &docs.title {
        let _ = write!(out, "<p><strong>{}</strong></p>", escape(title));
    }
    if let Some(summary) = &docs.summary {
        if docs.title.as_ref() != Some(summary) {
            out.push_str(&markdown::to_html(summary));
        }
    }
    if let Some(description) = &docs.description {
        out.push_str(&markdown::to_html(description));
    }
    if !docs.tags.is_empty() {
        out.push_str("<p>");
        for tag in &docs.tags {
            let _ = write!(out, "<span class=\"badge tag\">{}</span> ", escape(tag));
        }
        out.push_str("</p>");
    }
}

/// Links to the messages `list` (indices into [`Api::messages`]).
fn message_links(api: &Api, list: &[usize]) -> String {
    list.iter()
        .filter_map(|&m| {
            let message = api.messages.get(m)?;
            Some(format!(
                "<a href=\"#message-{m}\">{}</a>",
                escape(&message.key)
            ))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Links to the security schemes `ids`.
fn scheme_links(api: &Api, ids: &[String]) -> String {
    ids.iter()
        .map(
            |id| match api.security_schemes.iter().position(|s| &s.id == id) {
                Some(s) => format!("<a href=\"#scheme-{s}\">{}</a>", escape(id)),
                None => escape(id),
            },
        )
        .collect::<Vec<_>>()
        .join(", ")
}

/// `text` with the characters HTML gives a meaning in text escaped (the
/// page puts no document text inside an attribute, so quotes stay).
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::page;
    use crate::ir::{Api, Perspective};
    use crate::spec::Documents;

    const DOC: &str = r#"
asyncapi: 3.0.0
info:
  title: <b>Rooms</b> & more
  version: '1'
  description: See [the site](https://example.com) and <img src="https://example.com/x.png">.
servers:
  local:
    host: localhost:9100
    protocol: ws
    security:
      - $ref: '#/components/securitySchemes/bearer'
channels:
  room:
    address: /rooms/{room}
    parameters:
      room:
        description: The `room`.
    messages:
      say:
        $ref: '#/components/messages/say'
operations:
  sendSay:
    action: receive
    channel:
      $ref: '#/channels/room'
    summary: Say `something`.
    tags:
      - name: chat
    messages:
      - $ref: '#/channels/room/messages/say'
components:
  securitySchemes:
    bearer:
      type: http
      scheme: bearer
      description: A bearer token.
  messages:
    say:
      name: say_it
      payload:
        type: object
        required: [text]
        properties:
          text:
            type: string
            maxLength: 10
            description: What to say.
      examples:
        - name: hi
          payload:
            text: "<hi>"
"#;

    #[test]
    fn renders_every_part_escaped_and_offline() {
        let docs = Documents::load_str("mem/rooms.yaml", DOC).unwrap();
        let api = Api::build(&docs, Perspective::Server).unwrap();
        let html = page(&api);
        assert!(!html.contains('\n'), "one line");
        assert!(html.contains("<title>&lt;b&gt;Rooms&lt;/b&gt; &amp; more 1</title>"));
        assert!(!html.contains("<b>Rooms"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("href=\"http"));
        assert!(html.contains("<span class=\"link\">the site</span> (https://example.com)"));
        for part in [
            "<article id=\"server-0\"><h3>local <small><code>ws://localhost:9100</code>",
            "<a href=\"#scheme-0\">bearer</a>",
            "<article id=\"channel-0\"><h3>room <small><code>/rooms/{room}</code>",
            "<td><code>room</code></td>",
            "The <code>room</code>.",
            "<span class=\"badge receive\">receive</span> sendSay <small>client → server</small>",
            "Say <code>something</code>.",
            "<span class=\"badge tag\">chat</span>",
            "<article id=\"message-0\"><h3>say <small>name <code>say_it</code></small>",
            "<td><code>text</code></td><td>string</td><td>yes</td><td><code>max length 10</code></td><td><p>What to say.</p></td>",
            "&lt;hi&gt;",
            "<li>HTTP scheme: <code>bearer</code></li>",
        ] {
            assert!(html.contains(part), "{part} is not in the page: {html}");
        }
    }
}
