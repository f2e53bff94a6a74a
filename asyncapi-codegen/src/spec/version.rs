//! The `asyncapi` version field: parsing and the supported range.

use crate::error::{Error, ErrorKind, Location, Result};
use serde_json::Value;
use std::fmt;

/// The versions this generator reads, as shown in error messages.
pub const SUPPORTED_VERSIONS: &str = "2.0.0–2.6.0 and 3.0.0–3.1.0";

/// The AsyncAPI version a document declares in its `asyncapi` field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version {
    /// The major version: 2 or 3.
    pub major: u64,
    /// The minor version.
    pub minor: u64,
    /// The patch version.
    pub patch: u64,
    /// The field as written, with any `-prerelease` suffix (`"2.0.0-rc2"`).
    pub raw: String,
}

impl Version {
    /// Parses `MAJOR.MINOR.PATCH`, optionally followed by `-prerelease`.
    pub fn parse(raw: &str) -> Option<Version> {
        let (core, prerelease) = match raw.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (raw, None),
        };
        if let Some(pre) = prerelease {
            let ok = !pre.is_empty()
                && pre.split('.').all(|p| {
                    !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
            if !ok {
                return None;
            }
        }
        let mut parts = core.split('.');
        let mut number = || -> Option<u64> {
            let part = parts.next()?;
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let (major, minor, patch) = (number()?, number()?, number()?);
        if parts.next().is_some() {
            return None;
        }
        Some(Version {
            major,
            minor,
            patch,
            raw: raw.to_string(),
        })
    }

    /// Whether the generator reads documents of this version: 2.0.0 through
    /// 2.6.x and 3.0.0 through 3.1.x.
    pub fn is_supported(&self) -> bool {
        match self.major {
            2 => self.minor <= 6,
            3 => self.minor <= 1,
            _ => false,
        }
    }

    /// Reads and checks the `asyncapi` field of a root document.
    pub(crate) fn of_document(root: &Value, file: &Location) -> Result<Version> {
        let at = file.join("asyncapi");
        let unsupported = |message: String| Error::at(ErrorKind::UnsupportedVersion, &at, message);
        let raw = match root.get("asyncapi") {
            None => {
                return Err(unsupported(format!(
                    "the document has no `asyncapi` field naming the AsyncAPI version it follows; \
                     this generator reads AsyncAPI {SUPPORTED_VERSIONS}"
                ))
                .with_hint("add `asyncapi: 3.0.0` (or the version the document follows) at the top of the document"))
            }
            Some(Value::String(raw)) => raw,
            Some(other) => {
                let found = describe(other);
                let mut error = unsupported(format!(
                    "`asyncapi` must be a version string such as \"3.0.0\", found {found}; \
                     this generator reads AsyncAPI {SUPPORTED_VERSIONS}"
                ));
                if other.is_number() {
                    error = error.with_hint("quote the version (`asyncapi: \"3.0.0\"`), or write all three parts");
                }
                return Err(error);
            }
        };
        let Some(version) = Version::parse(raw) else {
            return Err(unsupported(format!(
                "`asyncapi` is \"{}\", which is not a version of the form MAJOR.MINOR.PATCH; \
                 this generator reads AsyncAPI {SUPPORTED_VERSIONS}",
                raw.escape_debug()
            )));
        };
        if !version.is_supported() {
            return Err(unsupported(format!(
                "AsyncAPI version \"{}\" is not supported; this generator reads AsyncAPI {SUPPORTED_VERSIONS}",
                raw.escape_debug()
            )));
        }
        Ok(version)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// A short description of a JSON value for messages: `the number 2.5`.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string \"{}\"", s.escape_debug()),
        Value::Array(_) => "a sequence".to_string(),
        Value::Object(_) => "a mapping".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_checks_versions() {
        let v = Version::parse("2.0.0-rc2").unwrap();
        assert_eq!((v.major, v.minor, v.patch), (2, 0, 0));
        assert!(v.is_supported());
        for ok in ["2.6.0", "2.6.3", "3.0.0", "3.1.0", "3.1.7"] {
            assert!(Version::parse(ok).unwrap().is_supported(), "{ok}");
        }
        for unsupported in ["1.2.0", "2.7.0", "3.2.0", "4.0.0", "0.0.0"] {
            assert!(
                !Version::parse(unsupported).unwrap().is_supported(),
                "{unsupported}"
            );
        }
        for bad in [
            "2.0",
            "2",
            "welcome",
            "2.0.0.0",
            "2.0.0-",
            "2..0",
            "2.0.x",
            "",
            "2.0.0-a..b",
            " 2.0.0",
        ] {
            assert!(Version::parse(bad).is_none(), "{bad}");
        }
    }
}
