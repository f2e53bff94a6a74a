//! `$ref` strings: what they may be (a relative file path and/or a JSON
//! pointer fragment), how they decode, and the paths they lead to.

use crate::error::{Error, ErrorKind, Location, Result};
use std::path::{Component, Path, PathBuf};

/// A `$ref` taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    /// The relative path of the file, percent-decoded; `None` for a place in
    /// the same file (`#/...`).
    pub file: Option<PathBuf>,
    /// The unescaped reference tokens of the fragment's JSON pointer; empty
    /// for the whole file.
    pub tokens: Vec<String>,
}

impl Reference {
    /// Takes apart `reference`, the `$ref` of the object at `at`.
    pub(crate) fn parse(reference: &str, at: &Location) -> Result<Reference> {
        let quoted = format!("\"{}\"", reference.escape_debug());
        let unsupported = |why: String| {
            Error::at(
                ErrorKind::UnsupportedRef,
                at,
                format!("`$ref` {quoted} {why}"),
            )
        };
        if reference.is_empty() {
            return Err(unsupported("is empty; a `$ref` is a relative file path and/or a JSON pointer such as `#/components/schemas/Name`".into()));
        }
        if let Some(scheme) = scheme(reference) {
            if scheme.len() == 1 {
                return Err(unsupported("is an absolute path; only paths relative to the file that holds the `$ref` are supported".into())
                    .with_hint("write the path relative to this file's directory, so that the documents can move together"));
            }
            return Err(remote(
                at,
                &quoted,
                reference,
                &format!("a `{scheme}:` URL"),
            ));
        }
        if reference.starts_with("//") {
            return Err(remote(at, &quoted, reference, "a network path"));
        }
        let (path, fragment) = match reference.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (reference, None),
        };
        if path.contains('?') {
            return Err(unsupported("has a query (`?`); only a relative file path and/or a JSON pointer fragment are supported".into()));
        }
        if path.starts_with('/') || path.starts_with('\\') {
            let mut error = unsupported(
                "is an absolute path; only paths relative to the file that holds the `$ref` are supported".into(),
            );
            error = error.with_hint(format!(
                "for a place in this document write `#{path}`; for another file write its path relative to this file's directory"
            ));
            return Err(error);
        }
        let file = if path.is_empty() {
            None
        } else {
            let decoded = percent_decode(path)
                .ok_or_else(|| unsupported("has a malformed percent-encoding (`%` must be followed by two hex digits of UTF-8) in its path".into()))?;
            Some(PathBuf::from(decoded))
        };
        let tokens = match fragment {
            None | Some("") => Vec::new(),
            Some(fragment) => {
                let pointer = percent_decode(fragment).ok_or_else(|| {
                    unsupported("has a malformed percent-encoding (`%` must be followed by two hex digits of UTF-8) in its fragment".into())
                })?;
                if !pointer.starts_with('/') {
                    let rest = pointer.trim_start();
                    let slash = if rest.starts_with('/') { "" } else { "/" };
                    let suggestion = format!("{path}#{slash}{rest}");
                    return Err(unsupported(format!(
                        "has the fragment `#{fragment}`, which is not a JSON pointer (a JSON pointer starts with `/`)"
                    ))
                    .with_hint(format!("did you mean `{suggestion}`?")));
                }
                split_pointer(&pointer)
                    .map_err(|why| unsupported(format!("has an invalid JSON pointer: {why}")))?
            }
        };
        Ok(Reference { file, tokens })
    }
}

fn remote(at: &Location, quoted: &str, reference: &str, what: &str) -> Error {
    let name = reference
        .split(['#', '?'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|name| !name.is_empty() && !name.contains(':'))
        .unwrap_or("the-file.yaml");
    let fragment = reference
        .split_once('#')
        .map(|(_, f)| format!("#{f}"))
        .unwrap_or_default();
    Error::at(
        ErrorKind::RemoteRef,
        at,
        format!("`$ref` {quoted} names a remote document ({what}), which cannot be fetched at build time: the generator never uses the network"),
    )
    .with_hint(format!(
        "download the file next to the document and refer to it by a relative path, e.g. `$ref: './{name}{fragment}'`"
    ))
}

/// The URI scheme of `reference`, if it has one (`https` in
/// `https://example.com/x.yaml`).
fn scheme(reference: &str) -> Option<&str> {
    let end = reference.find([':', '/', '?', '#'])?;
    if reference.as_bytes()[end] != b':' {
        return None;
    }
    let scheme = &reference[..end];
    let mut bytes = scheme.bytes();
    let first = bytes.next()?;
    (first.is_ascii_alphabetic()
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
    .then_some(scheme)
}

/// `%XX` escapes decoded by the `percent-encoding` crate; `None` if a `%`
/// is not followed by two hex digits (`%+f`, `%zz`, a lone `%`: the crate
/// would keep those as text) or if the bytes are not UTF-8 (`%ff`).
fn percent_decode(text: &str) -> Option<String> {
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
        .map(String::from)
}

/// Appends `/token` to the JSON pointer `pointer`, escaping the token as
/// RFC 6901 says (`~` as `~0`, `/` as `~1`); no allocation beyond the
/// pointer's own growth. Walkers push a token before descending and
/// truncate after, instead of building a [`Location`](crate::Location) per
/// value.
pub(crate) fn push_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    // Two `char` searches (core's memchr) rather than one generic pattern,
    // which a build script compiles at opt-level 0.
    if token.contains('~') || token.contains('/') {
        for c in token.chars() {
            match c {
                '~' => pointer.push_str("~0"),
                '/' => pointer.push_str("~1"),
                c => pointer.push(c),
            }
        }
    } else {
        pointer.push_str(token);
    }
}

/// Appends `/index` to the JSON pointer `pointer`.
pub(crate) fn push_index(pointer: &mut String, index: usize) {
    use std::fmt::Write;
    let _ = write!(pointer, "/{index}");
}

/// Splits a JSON pointer (RFC 6901) into its unescaped tokens; `""` is the
/// whole document, `"/"` its member named by the empty string.
pub(crate) fn split_pointer(pointer: &str) -> std::result::Result<Vec<String>, String> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(format!("`{pointer}` does not start with `/`"));
    };
    rest.split('/')
        .map(|token| {
            let mut out = String::with_capacity(token.len());
            let mut chars = token.chars();
            while let Some(c) = chars.next() {
                if c == '~' {
                    match chars.next() {
                        Some('0') => out.push('~'),
                        Some('1') => out.push('/'),
                        _ => {
                            return Err(format!(
                                "`~` must be followed by `0` or `1` (in `{token}`)"
                            ))
                        }
                    }
                } else {
                    out.push(c);
                }
            }
            Ok(out)
        })
        .collect()
}

/// `path` without `.` and with `..` applied to the component before it,
/// without touching the file system.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// The file that `relative`, written in `base`, names (joined lexically).
pub(crate) fn join(base: &Path, relative: &Path) -> PathBuf {
    let dir = base.parent().unwrap_or(Path::new(""));
    normalize(&dir.join(relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(r: &str) -> Result<Reference> {
        Reference::parse(r, &Location::file("x.yaml").join("a"))
    }

    #[test]
    fn joined_tokens_are_escaped_and_read_back() {
        let at = Location::file("x.yaml")
            .join("a/b~c")
            .join("plain")
            .index(3);
        assert_eq!(at.pointer, "/a~1b~0c/plain/3");
        assert_eq!(at.tokens(), ["a/b~c", "plain", "3"]);
    }

    #[test]
    fn takes_references_apart() {
        let r = parse("#/components/messages/a~1b~0c/%7Bid%7D%20x").unwrap();
        assert_eq!(r.file, None);
        assert_eq!(r.tokens, ["components", "messages", "a/b~c", "{id} x"]);
        let r = parse("../common/my%20file.yaml#/x").unwrap();
        assert_eq!(r.file.unwrap(), Path::new("../common/my file.yaml"));
        assert_eq!(r.tokens, ["x"]);
        let r = parse("./x.json").unwrap();
        assert_eq!(r.file.unwrap(), Path::new("./x.json"));
        assert!(r.tokens.is_empty());
        assert_eq!(parse("x.yaml#").unwrap().tokens, Vec::<String>::new());
        assert_eq!(parse("#/").unwrap().tokens, [""]);
        assert_eq!(parse("#/a//b").unwrap().tokens, ["a", "", "b"]);
    }

    #[test]
    fn refuses_what_is_not_local() {
        for (r, kind) in [
            ("https://example.com/x.yaml", ErrorKind::RemoteRef),
            ("http://example.com/x.yaml#/a", ErrorKind::RemoteRef),
            ("urn:example:thing", ErrorKind::RemoteRef),
            ("file:///etc/x.yaml", ErrorKind::RemoteRef),
            ("//example.com/x.yaml", ErrorKind::RemoteRef),
            ("#foo", ErrorKind::UnsupportedRef),
            ("common.yml#userSignUp", ErrorKind::UnsupportedRef),
            ("common.yml/#userSignUp", ErrorKind::UnsupportedRef),
            ("/components/messages/a", ErrorKind::UnsupportedRef),
            ("C:\\x.yaml", ErrorKind::UnsupportedRef),
            ("", ErrorKind::UnsupportedRef),
            ("#/a~2", ErrorKind::UnsupportedRef),
            ("#/a%zz", ErrorKind::UnsupportedRef),
            ("#/a%ff", ErrorKind::UnsupportedRef),
            ("x.yaml?v=1", ErrorKind::UnsupportedRef),
        ] {
            let e = parse(r).unwrap_err();
            assert_eq!(e.kind(), kind, "{r}: {e}");
            assert_eq!(e.location().unwrap().to_string(), "x.yaml#/a");
        }
    }

    #[test]
    fn refuses_malformed_escapes_saying_where() {
        // `%+f` is no escape (`u8::from_str_radix` would read it as 0x0f),
        // nor `%zz` or a lone `%`; `%ff` is no UTF-8.
        for bad in ["%+f", "%zz", "%", "%ff"] {
            for (r, part) in [
                (format!("my{bad}.yaml#/a"), "path"),
                (format!("#/a{bad}b"), "fragment"),
            ] {
                let e = parse(&r).unwrap_err();
                assert_eq!(e.kind(), ErrorKind::UnsupportedRef, "{r}: {e}");
                assert_eq!(
                    e.to_string(),
                    format!(
                        "x.yaml#/a: `$ref` \"{r}\" has a malformed percent-encoding \
                         (`%` must be followed by two hex digits of UTF-8) in its {part}"
                    )
                );
            }
        }
        assert_eq!(parse("#/a%2Bf").unwrap().tokens, ["a+f"]);
    }

    #[test]
    fn joins_lexically() {
        assert_eq!(
            join(Path::new("specs/a.yaml"), Path::new("../common/x.yaml")),
            Path::new("common/x.yaml")
        );
        assert_eq!(
            join(Path::new("a.yaml"), Path::new("./x.yaml")),
            Path::new("x.yaml")
        );
        assert_eq!(
            join(Path::new("a.yaml"), Path::new("../x.yaml")),
            Path::new("../x.yaml")
        );
        assert_eq!(
            join(Path::new("/a.yaml"), Path::new("../../x.yaml")),
            Path::new("/x.yaml")
        );
        assert_eq!(
            join(Path::new("s/./t/a.yaml"), Path::new("u/../v.yaml")),
            Path::new("s/t/v.yaml")
        );
    }
}
