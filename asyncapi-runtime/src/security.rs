//! The security schemes of a document, as generated code declares them
//! (`pub mod security { pub const BEARER_AUTH: Scheme = … }`): on the
//! server side, which schemes admit a client to a channel and where the
//! handshake carries each one's credential ([`Credential`], found by
//! [`crate::server::Handshake::credential`]); on the client side, a value
//! for a scheme ([`Scheme::with`]) that
//! [`ClientConfig::with_credential`](crate::client::ClientConfig::with_credential)
//! puts where the scheme says.

use std::borrow::Cow;
use std::fmt;

/// Where an API key travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyPlace {
    /// In a request header.
    Header,
    /// In a query parameter of the connection URL.
    Query,
    /// In a cookie.
    Cookie,
}

/// What kind of credential a scheme wants, and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>` (an `http` scheme `bearer`).
    Bearer,
    /// `Authorization: Basic <base64 user:password>` (an `http` scheme
    /// `basic`); the credential is the base64 text as sent.
    Basic,
    /// An API key (`httpApiKey`, 2.x/3.x) in a header, query parameter or
    /// cookie named `name`.
    ApiKey {
        /// Where it travels.
        place: KeyPlace,
        /// The header, query parameter or cookie.
        name: &'static str,
    },
    /// A scheme the runtime cannot read from a handshake (OAuth 2 flows,
    /// user and password, X.509, …): never found, so it never admits on its
    /// own.
    Other,
}

/// A security scheme of the document (`components/securitySchemes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scheme {
    /// Its key under `components/securitySchemes`.
    pub id: &'static str,
    /// What it wants, and where.
    pub kind: SchemeKind,
}

impl Scheme {
    /// A bearer token scheme.
    pub const fn bearer(id: &'static str) -> Scheme {
        Scheme {
            id,
            kind: SchemeKind::Bearer,
        }
    }

    /// An HTTP basic scheme.
    pub const fn basic(id: &'static str) -> Scheme {
        Scheme {
            id,
            kind: SchemeKind::Basic,
        }
    }

    /// An API key in `place`, named `name`.
    pub const fn api_key(id: &'static str, place: KeyPlace, name: &'static str) -> Scheme {
        Scheme {
            id,
            kind: SchemeKind::ApiKey { place, name },
        }
    }

    /// A scheme the runtime does not read from handshakes.
    pub const fn other(id: &'static str) -> Scheme {
        Scheme {
            id,
            kind: SchemeKind::Other,
        }
    }

    /// Whether it is a bearer scheme (a 401 then says `WWW-Authenticate: Bearer`).
    pub fn is_bearer(&self) -> bool {
        self.kind == SchemeKind::Bearer
    }

    /// `value` as this scheme's credential, for a client to send.
    pub fn with(&self, value: impl Into<String>) -> ClientCredential {
        ClientCredential {
            scheme: *self,
            value: value.into(),
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            SchemeKind::Bearer => write!(f, "`{}` (bearer token)", self.id),
            SchemeKind::Basic => write!(f, "`{}` (HTTP basic)", self.id),
            SchemeKind::ApiKey { place, name } => {
                let place = match place {
                    KeyPlace::Header => "header",
                    KeyPlace::Query => "query parameter",
                    KeyPlace::Cookie => "cookie",
                };
                write!(f, "`{}` (API key in the {place} `{name}`)", self.id)
            }
            SchemeKind::Other => write!(f, "`{}`", self.id),
        }
    }
}

/// A credential a handshake carried, for the scheme that found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential<'a> {
    /// The id of the scheme it is for ([`Scheme::id`]).
    pub scheme: &'static str,
    /// The token, key or basic credential, as sent (percent-decoded for a
    /// query parameter; without the `Bearer `/`Basic ` prefix).
    pub value: Cow<'a, str>,
}

impl Credential<'_> {
    /// Whether it was found by `scheme`.
    pub fn is(&self, scheme: &Scheme) -> bool {
        self.scheme == scheme.id
    }

    /// The value.
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// A credential a client sends, for one scheme: made by [`Scheme::with`],
/// given to [`ClientConfig::with_credential`](crate::client::ClientConfig::with_credential).
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredential {
    /// The scheme it is for.
    pub scheme: Scheme,
    /// The token or key.
    pub value: String,
}

impl fmt::Debug for ClientCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never log secrets.
        f.debug_struct("ClientCredential")
            .field("scheme", &self.scheme.id)
            .field("value", &"…")
            .finish()
    }
}

/// Where a client puts a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Placement {
    /// A request header and its value.
    Header(&'static str, String),
    /// A query parameter and its value (not yet encoded).
    Query(&'static str, String),
}

impl ClientCredential {
    /// Where it goes; `None` for a scheme the runtime does not send.
    pub(crate) fn placement(&self) -> Option<Placement> {
        let value = self.value.clone();
        match self.scheme.kind {
            SchemeKind::Bearer => Some(Placement::Header(
                "authorization",
                format!("Bearer {value}"),
            )),
            SchemeKind::Basic => Some(Placement::Header("authorization", format!("Basic {value}"))),
            SchemeKind::ApiKey {
                place: KeyPlace::Header,
                name,
            } => Some(Placement::Header(name, value)),
            SchemeKind::ApiKey {
                place: KeyPlace::Query,
                name,
            } => Some(Placement::Query(name, value)),
            SchemeKind::ApiKey {
                place: KeyPlace::Cookie,
                name,
            } => Some(Placement::Header("cookie", format!("{name}={value}"))),
            SchemeKind::Other => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEARER: Scheme = Scheme::bearer("bearerAuth");
    const KEY: Scheme = Scheme::api_key("token", KeyPlace::Query, "token");

    #[test]
    fn client_credentials_go_where_their_scheme_says() {
        assert_eq!(
            BEARER.with("t1").placement(),
            Some(Placement::Header("authorization", "Bearer t1".into()))
        );
        assert_eq!(
            KEY.with("k").placement(),
            Some(Placement::Query("token", "k".into()))
        );
        let cookie = Scheme::api_key("c", KeyPlace::Cookie, "sid");
        assert_eq!(
            cookie.with("v").placement(),
            Some(Placement::Header("cookie", "sid=v".into()))
        );
        assert_eq!(Scheme::other("oauth").with("x").placement(), None);
        assert!(!format!("{:?}", BEARER.with("secret")).contains("secret"));
        assert_eq!(
            KEY.to_string(),
            "`token` (API key in the query parameter `token`)"
        );
    }
}
