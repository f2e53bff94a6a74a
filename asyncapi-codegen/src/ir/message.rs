//! Reading one message: its payload and headers schemas, correlation id
//! and examples.

use super::build::Builder;
use super::read::{array_member, key_in, string_member};
use super::*;

impl Builder<'_> {
    /// The message at `at` (a reference or an inline message), added to the
    /// model once; returns its index.
    pub(super) fn message(&mut self, at: &Location) -> Result<usize> {
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
            name: string_member(value, &location, "name")?,
            docs: Docs::read(value),
            content_type: string_member(value, &location, "contentType")?,
            payload,
            payload_dialect,
            headers,
            headers_dialect,
            payload_schema: None,
            headers_schema: None,
            rules: Vec::new(),
            correlation_id,
            correlation: None,
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
}
