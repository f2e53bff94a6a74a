//! The upgrade request as authentication sees it ([`Handshake`]), and how
//! authentication says no ([`Refusal`]).

use super::route::query_pairs;
use crate::security::{Credential, KeyPlace, Scheme, SchemeKind};
use hyper::header::{HeaderMap, AUTHORIZATION, COOKIE};
use hyper::{StatusCode, Uri};
use std::borrow::Cow;
use std::fmt;
use std::net::SocketAddr;

/// The request a client opens a connection with: its path, query, headers
/// and address. Handed to a channel's `authenticate` before the upgrade.
#[derive(Debug, Clone, Copy)]
pub struct Handshake<'a> {
    uri: &'a Uri,
    headers: &'a HeaderMap,
    peer: SocketAddr,
}

impl<'a> Handshake<'a> {
    /// A handshake of a request for `uri` with `headers`, from `peer`.
    pub fn new(uri: &'a Uri, headers: &'a HeaderMap, peer: SocketAddr) -> Self {
        Handshake { uri, headers, peer }
    }

    /// The request path, as sent (not percent-decoded).
    pub fn path(&self) -> &'a str {
        self.uri.path()
    }

    /// The query, as sent (without `?`); `None` when there is none.
    pub fn query(&self) -> Option<&'a str> {
        self.uri.query()
    }

    /// The first value of the query parameter `name`, percent-decoded (`+`
    /// is a space); `None` when it is absent (a pair that is no UTF-8 once
    /// decoded does not count).
    pub fn query_param(&self, name: &str) -> Option<Cow<'a, str>> {
        query_pairs(self.query()?)
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// The first value of the header `name` (any case), if it is visible
    /// ASCII.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// Every header.
    pub fn headers(&self) -> &'a HeaderMap {
        self.headers
    }

    /// The client's address (for a connection that axum serves without
    /// `ConnectInfo`, `0.0.0.0:0`).
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The value of cookie `name`, if the request has it.
    pub fn cookie(&self, name: &str) -> Option<&'a str> {
        self.headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    }

    /// The credential of the first of `schemes` (in order) whose
    /// credential the request carries; `None` when it carries none.
    pub fn credential(&self, schemes: &[Scheme]) -> Option<Credential<'a>> {
        schemes.iter().find_map(|scheme| {
            let value = match scheme.kind {
                SchemeKind::Bearer => self.authorization("bearer").map(Cow::Borrowed),
                SchemeKind::Basic => self.authorization("basic").map(Cow::Borrowed),
                SchemeKind::ApiKey { place, name } => match place {
                    KeyPlace::Header => self.header(name).map(Cow::Borrowed),
                    KeyPlace::Query => self.query_param(name),
                    KeyPlace::Cookie => self.cookie(name).map(Cow::Borrowed),
                },
                SchemeKind::Other => None,
            }?;
            (!value.is_empty()).then_some(Credential {
                scheme: scheme.id,
                value,
            })
        })
    }

    /// The credentials of `Authorization: <auth_scheme> <credentials>` (the
    /// scheme's name in any case).
    fn authorization(&self, auth_scheme: &str) -> Option<&'a str> {
        self.headers
            .get_all(AUTHORIZATION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                let (name, rest) = v.trim().split_once(' ')?;
                name.eq_ignore_ascii_case(auth_scheme).then(|| rest.trim())
            })
    }
}

/// Why a handshake is refused: the HTTP status (401, 403, …) and a reason,
/// sent as the response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The response status.
    pub status: StatusCode,
    /// Why, for the client (sent as `text/plain`).
    pub reason: String,
}

impl Refusal {
    /// A refusal with `status`.
    pub fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        Refusal {
            status,
            reason: reason.into(),
        }
    }

    /// 401: no credential, or not a valid one (the response says
    /// `WWW-Authenticate: Bearer` when the channel admits a bearer token).
    pub fn unauthorized(reason: impl Into<String>) -> Self {
        Refusal::new(StatusCode::UNAUTHORIZED, reason)
    }

    /// 403: a valid credential that does not admit to this channel.
    pub fn forbidden(reason: impl Into<String>) -> Self {
        Refusal::new(StatusCode::FORBIDDEN, reason)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.reason)
    }
}

impl std::error::Error for Refusal {}

#[cfg(test)]
mod tests {
    use super::*;

    const BEARER: Scheme = Scheme::bearer("bearer");
    const QUERY: Scheme = Scheme::api_key("key", KeyPlace::Query, "token");
    const HEADER: Scheme = Scheme::api_key("header", KeyPlace::Header, "x-api-key");
    const COOKIE_KEY: Scheme = Scheme::api_key("cookie", KeyPlace::Cookie, "sid");

    fn with(uri: &str, headers: &[(&'static str, &str)], check: impl FnOnce(Handshake<'_>)) {
        let uri: Uri = uri.parse().unwrap();
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(*name, value.parse().unwrap());
        }
        check(Handshake::new(&uri, &map, "127.0.0.1:1".parse().unwrap()));
    }

    #[test]
    fn credentials_are_found_by_the_first_scheme_that_has_one() {
        let all = [BEARER, QUERY, HEADER, COOKIE_KEY];
        with("/chat/a?token=q%20v+w", &[], |h| {
            let found = h.credential(&all).unwrap();
            assert_eq!((found.scheme, found.value()), ("key", "q v w"));
            assert_eq!(h.query_param("missing"), None);
        });
        with(
            "/chat/a?token=q",
            &[("authorization", "bearer  abc ")],
            |h| {
                let found = h.credential(&all).unwrap();
                assert_eq!((found.scheme, found.value()), ("bearer", "abc"));
                assert!(found.is(&BEARER));
            },
        );
        with("/x", &[("x-api-key", "k1")], |h| {
            assert_eq!(h.credential(&all).unwrap().scheme, "header");
        });
        with("/x", &[("cookie", "a=1; sid=s2")], |h| {
            assert_eq!(h.credential(&all).unwrap().value(), "s2");
        });
        with("/x?token=", &[("authorization", "Basic Zm9v")], |h| {
            // An empty key is no key; Basic is not Bearer.
            assert_eq!(h.credential(&all), None);
            assert_eq!(h.credential(&[Scheme::basic("b")]).unwrap().value(), "Zm9v");
        });
        with("/x?token=%ZZ", &[], |h| {
            assert_eq!(h.credential(&all), None)
        });
    }

    #[test]
    fn refusals_carry_their_status() {
        assert_eq!(Refusal::unauthorized("no").status, StatusCode::UNAUTHORIZED);
        assert_eq!(Refusal::forbidden("no").status, StatusCode::FORBIDDEN);
        assert_eq!(
            Refusal::new(StatusCode::TOO_MANY_REQUESTS, "slow down").to_string(),
            "429 Too Many Requests: slow down"
        );
    }
}
