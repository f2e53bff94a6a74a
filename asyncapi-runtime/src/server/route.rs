//! Channel addresses as path templates (`/rooms/{roomId}`), matched against
//! the path of a connection request. An address may end in a query
//! (`/stream?streams={streams}`, which AsyncAPI does not allow but real
//! documents have): its `{parameter}`s are read from the request's query.

use std::borrow::Cow;
use std::fmt;

/// The values of a channel's parameters, taken from the request path (and
/// query, for an address with a query), with the request's query and
/// headers, which a channel's `ws` binding may describe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathParams {
    params: Vec<(String, String)>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

impl PathParams {
    /// The value of the parameter `name` (percent-decoded).
    pub fn get(&self, name: &str) -> Option<&str> {
        find(&self.params, |n| n == name)
    }

    /// The value of the parameter `name`, or an error naming it.
    pub fn require(&self, name: &str) -> Result<&str, String> {
        self.get(name)
            .ok_or_else(|| format!("the request has no value for the parameter `{name}`"))
    }

    /// Every parameter and its value, in the order of the template.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The first value of the query parameter `name` (decoded as a form:
    /// `+` is a space).
    pub fn query(&self, name: &str) -> Option<&str> {
        find(&self.query, |n| n == name)
    }

    /// The value of the request header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        find(&self.headers, |n| n.eq_ignore_ascii_case(name))
    }

    /// These values with the request's headers (those that are text).
    pub(crate) fn with_headers<'a>(
        mut self,
        headers: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Self {
        self.headers = headers
            .into_iter()
            .filter_map(|(n, v)| Some((n.to_owned(), std::str::from_utf8(v).ok()?.to_owned())))
            .collect();
        self
    }
}

impl FromIterator<(String, String)> for PathParams {
    /// Parameter values by name, e.g. to check values with a generated
    /// `Parameters::from_path` outside a handshake.
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        PathParams {
            params: iter.into_iter().collect(),
            ..PathParams::default()
        }
    }
}

fn find(pairs: &[(String, String)], is: impl Fn(&str) -> bool) -> Option<&str> {
    pairs.iter().find(|(n, _)| is(n)).map(|(_, v)| v.as_str())
}

/// A query parameter or header of the handshake, read as `T` (`bool`,
/// `i64`, `f64`, `String`): `None` when absent, an error naming it and the
/// value when it is no `T`, for generated `Parameters::from_path`.
pub fn handshake_value<T: std::str::FromStr>(
    value: Option<&str>,
    what: &str,
    expected: &str,
) -> Result<Option<T>, String> {
    match value {
        None => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| format!("{what} must be {expected}, not `{text}`")),
    }
}

/// Appends `name=value` to the query of `path` (`?` or `&`), both
/// percent-encoded, for generated `Parameters::path`.
pub fn push_query(path: &mut String, name: &str, value: &str) {
    path.push(if path.contains('?') { '&' } else { '?' });
    path.push_str(&encode_segment(name));
    path.push('=');
    path.push_str(&encode_segment(value));
}

/// Whether `value` matches `pattern` (an ECMA-262 regular expression, as
/// AsyncAPI writes them), for generated `Parameters::from_path` with a
/// pattern its generator could not turn into plain code. Each pattern is
/// compiled once; one that does not compile matches nothing.
pub fn matches_pattern(pattern: &'static str, value: &str) -> bool {
    type Compiled = std::collections::HashMap<&'static str, Option<regress::Regex>>;
    static COMPILED: std::sync::LazyLock<std::sync::Mutex<Compiled>> =
        std::sync::LazyLock::new(Default::default);
    let mut compiled = COMPILED.lock().unwrap_or_else(|e| e.into_inner());
    compiled
        .entry(pattern)
        .or_insert_with(|| regress::Regex::new(pattern).ok())
        .as_ref()
        .is_some_and(|regex| regex.find(value).is_some())
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Param(String),
}

/// A channel address: literal segments and `{parameter}` segments; `None`
/// (no address) matches every path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    source: Option<String>,
    parts: Vec<Part>,
    /// The query's `key={parameter}` pairs: where each parameter is read.
    query: Vec<(String, String)>,
}

impl Template {
    pub(crate) fn parse(address: Option<&str>) -> Template {
        let (path, query) = match address.map(|a| a.split_once('?')) {
            Some(Some((path, query))) => (Some(path), query),
            _ => (address, ""),
        };
        let query = query
            .split('&')
            .filter_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                let name = value.strip_prefix('{')?.strip_suffix('}')?;
                Some((key.to_owned(), name.to_owned()))
            })
            .collect();
        let parts = path
            .map(|a| {
                segments(a)
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(name) => Part::Param(name.to_owned()),
                            None => Part::Literal(s.to_owned()),
                        },
                    )
                    .collect()
            })
            .unwrap_or_default();
        Template {
            source: address.map(str::to_owned),
            parts,
            query,
        }
    }

    /// Whether two templates can match the same path.
    pub(crate) fn overlaps(&self, other: &Template) -> bool {
        match (&self.source, &other.source) {
            (None, None) => true,
            (None, _) | (_, None) => false,
            _ => {
                self.parts.len() == other.parts.len()
                    && self
                        .parts
                        .iter()
                        .zip(&other.parts)
                        .all(|(a, b)| match (a, b) {
                            (Part::Literal(a), Part::Literal(b)) => a == b,
                            _ => true,
                        })
            }
        }
    }

    /// The path as an axum route (`{parameter}` segments; braces of
    /// literal segments doubled), `None` for a template without address.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn axum_path(&self) -> Option<String> {
        self.source.as_ref()?;
        let segments: Vec<String> = self
            .parts
            .iter()
            .map(|part| match part {
                Part::Literal(literal) => literal.replace('{', "{{").replace('}', "}}"),
                Part::Param(name) => format!("{{{name}}}"),
            })
            .collect();
        Some(format!("/{}", segments.join("/")))
    }

    /// Whether it matches every path (no address).
    pub(crate) fn is_catch_all(&self) -> bool {
        self.source.is_none()
    }

    /// The parameters, if `path` (without query) matches, with the pairs
    /// of `query` and the parameters the address's query names read from
    /// them (a parameter missing there is left out, for the channel's check
    /// to refuse by name; a pair that is no percent-encoded UTF-8 is left
    /// out).
    pub(crate) fn matches_request(&self, path: &str, query: Option<&str>) -> Option<PathParams> {
        let mut params = self.matches(path)?;
        params.query = query_pairs(query.unwrap_or_default())
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect();
        for (key, name) in &self.query {
            if let Some(value) = find(&params.query, |k| k == key) {
                params.params.push((name.clone(), value.to_owned()));
            }
        }
        Some(params)
    }

    /// The parameters, if `path` (without query) matches.
    pub(crate) fn matches(&self, path: &str) -> Option<PathParams> {
        if self.source.is_none() {
            return Some(PathParams::default());
        }
        let mut params = Vec::new();
        let mut given = segments(path);
        for part in &self.parts {
            let segment = given.next()?;
            match part {
                Part::Literal(literal) => {
                    if percent_decode(segment)? != *literal {
                        return None;
                    }
                }
                Part::Param(name) => {
                    if segment.is_empty() {
                        return None;
                    }
                    params.push((name.clone(), percent_decode(segment)?.into_owned()));
                }
            }
        }
        given
            .next()
            .is_none()
            .then(|| PathParams::from_iter(params))
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Some(source) => f.write_str(source),
            None => f.write_str("(any path)"),
        }
    }
}

/// The segments of a path, without empty ones at either end (`/` has none).
fn segments(path: &str) -> impl Iterator<Item = &str> {
    let path = path.trim_matches('/');
    path.split('/').filter(move |_| !path.is_empty())
}

/// The `name=value` pairs of a query, decoded as a form (`%XX` escapes, `+`
/// is a space), in order; a pair that is no percent-encoded UTF-8 is left
/// out. Borrowed where nothing needs decoding.
pub(crate) fn query_pairs(query: &str) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    fn form(text: &str) -> Option<Cow<'_, str>> {
        if text.contains('+') {
            percent_decode(&text.replace('+', " ")).map(|text| Cow::Owned(text.into_owned()))
        } else {
            percent_decode(text)
        }
    }
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((form(key)?, form(value)?))
        })
}

/// `%XX` escapes decoded by the `percent-encoding` crate; `None` if a `%`
/// is not followed by two hex digits (`%+f`, `%zz`, a lone `%`: the crate
/// would keep those as text) or if the bytes are not UTF-8 (`%ff`).
/// Borrowed where nothing needs decoding.
pub(crate) fn percent_decode(text: &str) -> Option<Cow<'_, str>> {
    let escapes = text.split('%').skip(1).all(|rest| {
        rest.as_bytes()
            .get(..2)
            .is_some_and(|digits| digits.iter().all(u8::is_ascii_hexdigit))
    });
    escapes
        .then(|| {
            percent_encoding::percent_decode_str(text)
                .decode_utf8()
                .ok()
        })
        .flatten()
}

/// Writes `value` as one path segment, percent-encoding what a segment
/// cannot hold.
pub fn encode_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_values_and_bad_ones_match_nothing() {
        assert!(matches_pattern("^[a-z0-9-]{1,32}$", "team-42"));
        assert!(!matches_pattern("^[a-z0-9-]{1,32}$", "Team"));
        assert!(!matches_pattern("^[a-z0-9-]{1,32}$", ""));
        assert!(!matches_pattern("^[a-z", "a"));
    }

    #[test]
    fn templates_match_paths() {
        let root = Template::parse(Some("/"));
        assert!(root.matches("/").is_some());
        assert!(root.matches("").is_some());
        assert!(root.matches("/x").is_none());
        let rooms = Template::parse(Some("/rooms/{roomId}/chat"));
        let params = rooms.matches("/rooms/a%20b/chat").unwrap();
        assert_eq!(params.get("roomId"), Some("a b"));
        assert_eq!(
            params.require("nope").unwrap_err(),
            "the request has no value for the parameter `nope`"
        );
        assert!(rooms.matches("/rooms//chat").is_none());
        assert!(rooms.matches("/rooms/1/chat/more").is_none());
        assert!(rooms.matches("/rooms/%ZZ/chat").is_none());
        assert!(Template::parse(None).matches("/anything").is_some());
        assert!(rooms.overlaps(&Template::parse(Some("/rooms/x/chat"))));
        assert!(!rooms.overlaps(&root));
        assert!(root.overlaps(&Template::parse(Some("/"))));
        assert_eq!(encode_segment("a b/ü"), "a%20b%2F%C3%BC");
        assert_eq!(rooms.axum_path().as_deref(), Some("/rooms/{roomId}/chat"));
        assert_eq!(root.axum_path().as_deref(), Some("/"));
        assert_eq!(Template::parse(None).axum_path(), None);
    }

    #[test]
    fn parameters_of_an_address_with_a_query_come_from_the_query() {
        let stream = Template::parse(Some("/stream?streams={streams}&format=json"));
        let params = stream
            .matches_request("/stream", Some("format=json&streams=a%2Fb+c"))
            .unwrap();
        assert_eq!(params.get("streams"), Some("a/b c"));
        assert!(stream
            .matches_request("/other", Some("streams=x"))
            .is_none());
        // Missing: matched, for the channel's check to refuse by name.
        let params = stream.matches_request("/stream", None).unwrap();
        assert_eq!(
            params.require("streams").unwrap_err(),
            "the request has no value for the parameter `streams`"
        );
        // Not percent-encoded UTF-8: left out, and refused by name.
        let params = stream
            .matches_request("/stream", Some("streams=%ZZ&x=1"))
            .unwrap();
        assert!(params.get("streams").is_none());
        assert_eq!(params.query("x"), Some("1"));
        assert!(stream.overlaps(&Template::parse(Some("/stream"))));
    }

    #[test]
    fn the_query_and_headers_of_the_request_are_kept() {
        let any = Template::parse(Some("/feed"));
        let params = any
            .matches_request(
                "/feed",
                Some("heartbeat=true&top+of=a%20b&flag&heartbeat=false"),
            )
            .unwrap()
            .with_headers([("X-Api-Key", b"k1".as_slice()), ("bin", b"\xff".as_slice())]);
        assert_eq!(params.query("heartbeat"), Some("true"));
        assert_eq!(params.query("top of"), Some("a b"));
        assert_eq!(params.query("flag"), Some(""));
        assert_eq!(params.header("x-api-key"), Some("k1"));
        assert_eq!(
            handshake_value::<bool>(params.query("heartbeat"), "`heartbeat`", "true or false"),
            Ok(Some(true))
        );
        assert_eq!(
            handshake_value::<i64>(Some("ten"), "the query parameter `depth`", "an integer"),
            Err("the query parameter `depth` must be an integer, not `ten`".to_owned())
        );
        let mut path = "/feed".to_owned();
        push_query(&mut path, "top of", "a&b");
        push_query(&mut path, "n", "1");
        assert_eq!(path, "/feed?top%20of=a%26b&n=1");
    }

    #[test]
    fn percent_escapes_are_two_hex_digits() {
        assert_eq!(percent_decode("a%20b%2f%C3%BC").as_deref(), Some("a b/ü"));
        assert_eq!(percent_decode("plain").as_deref(), Some("plain"));
        for bad in [
            "%+f", "%-1", "%2", "%", "%g0", "%0g", "%zz", "%C3", "%ff", "x%+0y", "a%",
        ] {
            assert_eq!(percent_decode(bad), None, "{bad}");
        }
        let rooms = Template::parse(Some("/rooms/{roomId}"));
        for bad in ["%+f", "%zz", "%", "%ff"] {
            assert!(rooms.matches(&format!("/rooms/{bad}")).is_none(), "{bad}");
            // A query pair that carries one is left out.
            let params = rooms
                .matches_request("/rooms/1", Some(&format!("k={bad}&v{bad}=1&x=2")))
                .unwrap();
            assert_eq!(params.query("k"), None, "{bad}");
            assert_eq!(params.query("x"), Some("2"), "{bad}");
            assert_eq!(params.query.len(), 1, "{bad}");
        }
        assert_eq!(
            rooms.matches("/rooms/%41").unwrap().get("roomId"),
            Some("A")
        );
    }
}
