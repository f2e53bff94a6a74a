//! Security schemes (`components/securitySchemes`) and the ones each server
//! requires (`security`): 2.x names schemes in requirement objects
//! (`{name: [scopes]}`), 3.x lists references to them (or inline schemes).

use super::read::{array_member, key_in, object_member, string_member};
use super::{Docs, SecurityScheme};
use crate::error::{Error, ErrorKind, Location, Result};
use crate::spec::Documents;
use serde_json::Value;

/// Every security scheme of `components/securitySchemes`, in order.
pub(super) fn schemes(
    docs: &Documents,
    doc: &Value,
    root: &Location,
) -> Result<Vec<SecurityScheme>> {
    let components = root.join("components");
    let Some(components_value) = doc.get("components") else {
        return Ok(Vec::new());
    };
    let Some(schemes) = object_member(components_value, &components, "securitySchemes")? else {
        return Ok(Vec::new());
    };
    schemes
        .keys()
        .map(|id| scheme(docs, id, &components.join("securitySchemes").join(id)))
        .collect()
}

fn scheme(docs: &Documents, id: &str, at: &Location) -> Result<SecurityScheme> {
    let (location, value) = docs.deref(at)?;
    let kind = string_member(value, &location, "type")?.ok_or_else(|| {
        Error::at(
            ErrorKind::Invalid,
            &location,
            "a security scheme needs a `type`",
        )
    })?;
    Ok(SecurityScheme {
        id: id.to_string(),
        kind,
        name: string_member(value, &location, "name")?,
        place: string_member(value, &location, "in")?,
        scheme: string_member(value, &location, "scheme")?,
        docs: Docs::read(value),
        location,
    })
}

/// The ids of the schemes a server's `security` requires. An inline 3.x
/// scheme (no reference) is added to `known` under the id
/// `<server>/security/<i>`.
pub(super) fn required(
    docs: &Documents,
    v3: bool,
    server: &Value,
    server_id: &str,
    location: &Location,
    known: &mut Vec<SecurityScheme>,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for (i, requirement) in array_member(server, location, "security")?
        .iter()
        .enumerate()
    {
        let at = location.join("security").index(i);
        match requirement.get("$ref").and_then(Value::as_str) {
            // 3.x: a reference to a scheme.
            Some(reference) if v3 => {
                let target = docs.resolve_ref(&at, reference)?;
                let id = key_in(&target, "securitySchemes").ok_or_else(|| {
                    Error::at(
                        ErrorKind::Invalid,
                        &at,
                        format!("`{reference}` is not one of `components/securitySchemes`"),
                    )
                })?;
                out.push(id);
            }
            // 3.x: an inline scheme.
            _ if v3 => {
                let id = format!("{server_id}/security/{i}");
                known.push(scheme(docs, &id, &at)?);
                out.push(id);
            }
            // 2.x: scheme names, with scopes.
            _ => match requirement {
                Value::Object(names) => out.extend(names.keys().cloned()),
                _ => {
                    return Err(Error::at(
                        ErrorKind::Invalid,
                        &at,
                        "a security requirement must be an object",
                    ))
                }
            },
        }
    }
    Ok(out)
}
