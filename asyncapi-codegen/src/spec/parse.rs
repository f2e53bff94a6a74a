//! Parsing one file (JSON or YAML) into a `serde_json::Value`.
//!
//! YAML goes through our own loader (`yaml`), which knows the JSON pointer
//! of every value so that whatever has no JSON equivalent (tags,
//! non-string keys, NaN) is reported where it is.

use super::yaml;
use crate::error::{Error, ErrorKind, Location, Result};
use serde_json::Value;
use std::path::Path;

/// Parses `text`, the contents of `file`: JSON if the name ends in `.json`,
/// YAML otherwise. `Ok(None)` for an empty document.
pub(crate) fn parse(file: &Path, text: &str) -> Result<Option<Value>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let is_json = file
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        if text.trim().is_empty() {
            return Ok(None);
        }
        return serde_json::from_str(text)
            .map(Some)
            .map_err(|e| json_syntax_error(file, e));
    }
    yaml::parse(file, text)
}

fn json_syntax_error(file: &Path, error: serde_json::Error) -> Error {
    let (line, column) = (error.line(), error.column());
    let full = error.to_string();
    let suffix = format!(" at line {line} column {column}");
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    Error::at(
        ErrorKind::Syntax,
        &Location::file(file),
        format!(
            "{}:{line}:{column}: invalid JSON: {message}",
            file.display()
        ),
    )
    .with_source(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Result<Option<Value>> {
        parse(Path::new("t.yaml"), text)
    }

    #[test]
    fn converts_keys_and_merges() {
        let v = yaml("base: &b {x: 1, y: 2}\nother: &o {y: 3, z: 4}\nm:\n  <<: [*b, *o]\n  x: 0\n200: ok\ntrue: yes\n")
            .unwrap()
            .unwrap();
        assert_eq!(v["m"], serde_json::json!({"x": 0, "y": 2, "z": 4}));
        assert_eq!(v["200"], "ok");
        assert_eq!(v["true"], "yes");
    }

    #[test]
    fn core_tags_are_fine() {
        let v = yaml(
            "# c\na: !!str 1\nb: !!int '2'\nc: !!map {d: !!seq [!!null null]}\ne: 'not a !!tag'\n",
        );
        let v = v.unwrap().unwrap();
        assert_eq!(v["a"], "1");
        assert_eq!(v["b"], 2);
    }

    #[test]
    fn nested_merges_apply() {
        let v = yaml("a: &a {p: 1}\nb: &b {<<: *a, q: 2}\nc: {<<: *b}\n")
            .unwrap()
            .unwrap();
        assert_eq!(v["c"], serde_json::json!({"q": 2, "p": 1}));
    }

    #[test]
    fn errors_name_the_pointer() {
        let cases = [
            ("a:\n  b: !!invalidTag 1\n", "t.yaml#/a/b"),
            ("a:\n  - !!str 1\n  - !!binary aGk=\n", "t.yaml#/a/1"),
            ("---\na:\n  !!str k: !!set {x}\n", "t.yaml#/a/k"),
            ("%YAML 1.2\n---\na: !!omap []\n", "t.yaml#/a"),
            ("a:\n  b: !foo 1\n", "t.yaml#/a/b"),
            ("a:\n  ? [1]\n  : 2\n", "t.yaml#/a"),
            ("a:\n  ~: 2\n", "t.yaml#/a"),
            ("a:\n  1.5: 2\n", "t.yaml#/a"),
            ("a: [1, .nan]\n", "t.yaml#/a/1"),
            ("a: [1, -.inf]\n", "t.yaml#/a/1"),
            ("a:\n  1: x\n  '1': y\n", "t.yaml#/a/1"),
            ("a:\n  <<: 3\n", "t.yaml#/a/<<"),
            ("a:\n  <<: [{x: 1}, 3]\n", "t.yaml#/a/<</1"),
        ];
        for (text, at) in cases {
            let e = yaml(text).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Invalid, "{text}");
            assert_eq!(e.location().unwrap().to_string(), at, "{text}: {e}");
        }
    }

    #[test]
    fn empty_documents_and_syntax_errors() {
        assert!(yaml("").unwrap().is_none());
        assert!(yaml("# nothing\n").unwrap().is_none());
        assert!(yaml("---\n").unwrap().is_none());
        assert!(yaml("~\n").unwrap().is_none());
        assert!(parse(Path::new("t.json"), " \n").unwrap().is_none());
        let e = yaml("a: 1\n  b: 2\n").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Syntax);
        assert!(e.message().starts_with("t.yaml:2:4: invalid YAML: "), "{e}");
        let e = parse(Path::new("t.json"), "{\"a\": 1,\n \"b\": }").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Syntax);
        assert_eq!(e.message(), "t.json:2:7: invalid JSON: expected value");
        assert!(parse(Path::new("t.json"), "\u{feff}{}").unwrap().is_some());
    }

    #[test]
    fn yaml_1_2_is_read() {
        // A tab after the indentation of a folded block scalar's first
        // line is content (libyaml refused it).
        let v = yaml("d: >\n    \tfirst line\n    second\n")
            .unwrap()
            .unwrap();
        assert_eq!(v["d"], "\tfirst line\nsecond\n");
        let v = yaml("a: [0o17, 0x1F, +1, -2, 1.5e1, .5, 18446744073709551615, yes, ~, 'x']\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            v["a"],
            serde_json::json!([
                15,
                31,
                1,
                -2,
                15.0,
                0.5,
                18446744073709551615u64,
                "yes",
                null,
                "x"
            ])
        );
    }

    #[test]
    fn syntax_errors_name_the_node_and_the_lines_to_check() {
        let e = yaml("info:\n  title: t\n version: '1'\n").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Syntax);
        assert_eq!(e.location().unwrap().to_string(), "t.yaml#/info");
        assert_eq!(
            e.message(),
            "t.yaml:3:2: invalid YAML: while parsing a block mapping, did not find expected key"
        );
        assert_eq!(
            e.hint(),
            Some("check the indentation around lines 2-3: a key must line up with the other keys of its mapping, and its value be indented further")
        );
        // The cause is said once.
        assert_eq!(
            e.to_string().matches("did not find expected key").count(),
            1
        );
        assert!(std::error::Error::source(&e).is_none());
        let e = yaml("a:\n  b:\n    c: 1\n   d: 2\n").unwrap_err();
        assert_eq!(e.location().unwrap().to_string(), "t.yaml#/a/b", "{e}");
        let e = yaml("a: 1\nb: [1, 2\n").unwrap_err();
        assert_eq!(e.location().unwrap().to_string(), "t.yaml#/b/2", "{e}");
        assert!(e.hint().is_none(), "{e}");
        let e = yaml("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Syntax);
    }

    #[test]
    fn deep_and_explosive_inputs_fail_cleanly() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert_eq!(yaml(&deep).unwrap_err().kind(), ErrorKind::Syntax);
        assert_eq!(
            parse(Path::new("t.json"), &deep).unwrap_err().kind(),
            ErrorKind::Syntax
        );
        let mut laughs = String::from("a: &a [x,x,x,x,x,x,x,x,x]\n");
        let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
        for w in names.windows(2) {
            let (prev, name) = (w[0], w[1]);
            laughs += &format!("{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n");
        }
        assert!(yaml(&laughs).is_err());
    }
}
