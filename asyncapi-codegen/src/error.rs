//! The one error type of the generator: what went wrong, where (file and JSON
//! pointer), and what to do about it.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in an AsyncAPI document: a file and a JSON pointer into it.
///
/// Displays as `specs/kraken.yaml#/components/messages/ping/payload`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// The file, as the user named it (the root document) or as it was
    /// reached from the root (a referenced file, joined lexically).
    pub file: PathBuf,
    /// A JSON pointer (RFC 6901) into the file; empty for the whole file.
    pub pointer: String,
}

impl Location {
    /// The whole of `file`.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location {
            file: file.into(),
            pointer: String::new(),
        }
    }

    /// This location extended by one reference token (escaped as RFC 6901 says).
    pub fn join(&self, token: impl AsRef<str>) -> Self {
        let token = token.as_ref();
        let mut pointer = String::with_capacity(self.pointer.len() + 1 + token.len());
        pointer.push_str(&self.pointer);
        crate::spec::reference::push_token(&mut pointer, token);
        Location {
            file: self.file.clone(),
            pointer,
        }
    }

    /// This location extended by an array index.
    pub fn index(&self, index: usize) -> Self {
        self.join(index.to_string())
    }

    /// The unescaped reference tokens of the pointer.
    pub fn tokens(&self) -> Vec<String> {
        pointer_tokens(&self.pointer)
    }

    /// The last unescaped reference token, if the pointer has one.
    pub fn last_token(&self) -> Option<String> {
        self.tokens().pop()
    }

    /// The location one level up, if there is one.
    pub fn parent(&self) -> Option<Location> {
        let cut = self.pointer.rfind('/')?;
        Some(Location {
            file: self.file.clone(),
            pointer: self.pointer[..cut].to_string(),
        })
    }
}

/// Splits a JSON pointer into its unescaped reference tokens.
pub(crate) fn pointer_tokens(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.file.display(), self.pointer)
    }
}

/// What kind of problem an [`Error`] reports; stable, for matching in tests
/// and tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file could not be read (missing, unreadable).
    Io,
    /// A file is not well-formed YAML or JSON.
    Syntax,
    /// The `asyncapi` field is missing or names a version we do not support.
    UnsupportedVersion,
    /// A `$ref` points nowhere (no such file, no such JSON pointer).
    DanglingRef,
    /// A chain of `$ref`s leads back to where it started.
    RefCycle,
    /// A `$ref` names a remote (`http(s)://`) document, which cannot be
    /// fetched at build time.
    RemoteRef,
    /// A `$ref` that is not a relative file path and/or a JSON pointer.
    UnsupportedRef,
    /// The document does not have the shape the AsyncAPI specification
    /// requires (a wrong type, a missing field, a bad value).
    Invalid,
    /// The document uses something the generator cannot express yet.
    Unsupported,
    /// A payload or header schema could not be turned into Rust types.
    Schema,
    /// Writing the generated file failed.
    Output,
    /// In strict mode ([`Generator::with_strict`](crate::Generator::with_strict)),
    /// what is otherwise a [`Warning`]: the message is the warning's.
    Warning,
}

/// An error from reading an AsyncAPI document or generating code from it.
///
/// Its message names the place (file and JSON pointer) and, where it helps,
/// what to do. `Debug` shows the same text as `Display`, so that a
/// `build.rs` whose `main` returns `Result<(), Error>` reports it readably.
pub struct Error {
    kind: ErrorKind,
    location: Option<Location>,
    message: String,
    hint: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// A new error of `kind` at `location`.
    pub fn new(kind: ErrorKind, location: Option<Location>, message: impl Into<String>) -> Self {
        Error {
            kind,
            location,
            message: message.into(),
            hint: None,
            source: None,
        }
    }

    /// An error about the document at `location`.
    pub fn at(kind: ErrorKind, location: &Location, message: impl Into<String>) -> Self {
        Self::new(kind, Some(location.clone()), message)
    }

    /// An error reading or writing `path`.
    pub fn io(kind: ErrorKind, path: &Path, what: &str, source: std::io::Error) -> Self {
        Self::new(
            kind,
            Some(Location::file(path)),
            format!("{what}: {source}"),
        )
        .with_source(source)
    }

    /// Adds what to do about it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds the underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// What kind of problem this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Where the problem is, when it is in a document.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// The message, without the location and hint.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What to do about it, when we know.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")?;
        if let Some(source) = &self.source {
            write!(f, "\n  caused by: {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Something wrong with a document that does not stop generation: a message
/// example that does not fit its schema, a security requirement that names
/// no security scheme. `generate()` prints each as a `cargo:warning`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    location: Location,
    message: String,
}

impl Warning {
    /// A warning about the document at `location`.
    pub fn at(location: &Location, message: impl Into<String>) -> Self {
        Warning {
            location: location.clone(),
            message: message.into(),
        }
    }

    /// Where the problem is.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// What is wrong, without the location.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}
