//! Writing a JSON-like value as YAML that every YAML reader reads back as
//! the same value.
//!
//! `serde_yaml` leaves `yes`, `on`, `y` and `2024-01-01` unquoted: YAML 1.2
//! readers see strings, but YAML 1.1 readers (PyYAML, many tools) see
//! booleans, and `js-yaml`, behind `@asyncapi/parser`, turns the date into
//! a timestamp; `=` and `<<` mean something to some readers too. A served
//! contract must not change meaning with the reader, so this writer is
//! conservative: a string is written plain only when it is a word that no
//! reader can take for anything else (letters, digits, `_`, `-`, `.`, `/`,
//! starting with a letter, not one of the boolean or null words of YAML
//! 1.1); a string with line breaks is a literal block (`|`) when that
//! keeps it exactly; every other string is double-quoted with JSON's
//! escapes (which YAML's double-quoted style shares), plus `\uXXXX` for
//! the characters YAML does not allow as they are.

use serde_yaml::Value;
use std::fmt::Write;

/// Words that YAML 1.1 reads as booleans or null, and the special floats,
/// compared without case.
const AMBIGUOUS: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
];

/// `value` as a YAML document.
pub(super) fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Mapping(map) if !map.is_empty() => mapping(map, 0, &mut out),
        Value::Sequence(items) if !items.is_empty() => sequence(items, 0, &mut out),
        other => {
            out.push_str(&inline(other, 0));
            out.push('\n');
        }
    }
    out
}

fn mapping(map: &serde_yaml::Mapping, indent: usize, out: &mut String) {
    for (key, value) in map {
        let key = match key {
            Value::String(key) => key.clone(),
            other => inline(other, indent),
        };
        let key = if is_plain_word(&key) {
            key
        } else {
            quoted(&key)
        };
        let _ = write!(out, "{:indent$}{key}:", "");
        block(value, indent, out);
    }
}

fn sequence(items: &[Value], indent: usize, out: &mut String) {
    for item in items {
        let _ = write!(out, "{:indent$}-", "");
        match item {
            // `- a: 1` / `- - 1`: the collection starts on the dash's line.
            Value::Mapping(map) if !map.is_empty() => {
                let mut nested = String::new();
                mapping(map, indent + 2, &mut nested);
                out.push(' ');
                out.push_str(&nested[indent + 2..]);
            }
            Value::Sequence(items) if !items.is_empty() => {
                let mut nested = String::new();
                sequence(items, indent + 2, &mut nested);
                out.push(' ');
                out.push_str(&nested[indent + 2..]);
            }
            other => block(other, indent, out),
        }
    }
}

/// The value of a member or item, after its `key:` or `-`.
fn block(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Mapping(map) if !map.is_empty() => {
            out.push('\n');
            mapping(map, indent + 2, out);
        }
        Value::Sequence(items) if !items.is_empty() => {
            out.push('\n');
            sequence(items, indent + 2, out);
        }
        other => {
            out.push(' ');
            out.push_str(&inline(other, indent + 2));
            out.push('\n');
        }
    }
}

/// A scalar or empty collection; `indent` is where a literal block's
/// lines start.
fn inline(value: &Value, indent: usize) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(n),
        Value::String(s) => string(s, indent),
        Value::Mapping(_) => "{}".into(),
        Value::Sequence(_) => "[]".into(),
        Value::Tagged(tagged) => inline(&tagged.value, indent),
    }
}

/// A number as both YAML 1.1 and 1.2 read it: a float with an exponent
/// gets a fraction and a signed exponent (`1.0e+30`, not `1e30`, which YAML
/// 1.1 reads as a string).
fn number(n: &serde_yaml::Number) -> String {
    let text = n.to_string();
    let Some((mantissa, exponent)) = text.split_once(['e', 'E']) else {
        return text;
    };
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    let exponent = if exponent.starts_with(['+', '-']) {
        exponent.to_string()
    } else {
        format!("+{exponent}")
    };
    format!("{mantissa}e{exponent}")
}

fn string(text: &str, indent: usize) -> String {
    if is_plain_word(text) {
        return text.to_string();
    }
    if let Some(literal) = literal_block(text, indent) {
        return literal;
    }
    quoted(text)
}

/// Whether `text` can be written plain and be read back as this string by
/// any reader.
fn is_plain_word(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && !AMBIGUOUS.contains(&text.to_ascii_lowercase().as_str())
}

/// `text` as a literal block scalar, when it has line breaks and that style
/// keeps it exactly: lines indented by `indent`, the chomping indicator
/// saying how many line breaks end it.
fn literal_block(text: &str, indent: usize) -> Option<String> {
    let body = text.trim_end_matches('\n');
    let lines: Vec<&str> = body.split('\n').collect();
    let exact = text.contains('\n')
        && !body.is_empty()
        && text.chars().all(|c| c == '\n' || c == '\t' || printable(c))
        // A first line starting with a space needs an indentation
        // indicator, a line starting with a tab or of spaces only reads
        // differently in some readers: those stay quoted.
        && !lines[0].starts_with(' ')
        && lines
            .iter()
            .all(|line| !line.starts_with('\t') && (line.is_empty() || !line.trim().is_empty()));
    if !exact {
        return None;
    }
    let trailing = text.len() - body.len();
    let chomping = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let mut out = format!("|{chomping}");
    for line in lines {
        out.push('\n');
        if !line.is_empty() {
            let _ = write!(out, "{:indent$}{line}", "");
        }
    }
    for _ in 1..trailing {
        out.push('\n');
    }
    Some(out)
}

/// `text` double-quoted.
fn quoted(text: &str) -> String {
    let json = serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into());
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if printable(c) {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04X}");
            }
        }
    }
    out
}

/// Whether YAML allows `c` as it is in a scalar (`c-printable`, without
/// line breaks and tabs, which are escaped or handled by the caller).
fn printable(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7E}' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
        && c != '\u{FEFF}'
}

#[cfg(test)]
mod tests {
    use super::to_string;

    #[test]
    fn every_string_reads_back_as_itself() {
        let strings = [
            "yes",
            "on",
            "No",
            "OFF",
            "y",
            "n",
            "null",
            "~",
            "1e3",
            "0x10",
            "0o7",
            "12",
            "2024-01-01",
            "",
            " lead",
            "trail ",
            "a: b",
            "#c",
            "- x",
            "multi\nline\n",
            "two\n\nbreaks\n\n",
            "no break at end\nx",
            "true",
            "1.0",
            ".inf",
            "NaN",
            "=",
            "<<",
            "tab\there",
            "quote \" and \\",
            "ünïcödé ✓",
            "del \u{7f}",
            "bom \u{feff}",
            "{a}",
            "[1]",
            "*alias",
            "&anchor",
            "!tag",
            "%dir",
            "@at",
            "`tick`",
            "plain-word.v2/x",
            "  \nspaces line\n",
            "line\n   \nafter",
        ];
        let document = serde_json::json!({
            "strings": strings.to_vec(),
            "yes": 1,
            "<<": 2,
            "2024-01-01": 3,
            "nested": {"list": [[1, 2], {"a": "b", "c": []}, {}], "float": 1.5, "null": null},
            "floats": [1e30, -2.5e-8, 1.0e300, 0.1, -0.0, 12345678901234567890u64, -9],
        });
        let value: serde_yaml::Value = serde_json::from_value(document.clone()).unwrap();
        let yaml = to_string(&value);
        let back: serde_json::Value = serde_yaml::from_str(&yaml).unwrap();
        assert_eq!(back, document, "{yaml}");
        for word in ["yes", "on", "2024-01-01", "<<", "="] {
            assert!(
                yaml.contains(&format!("\"{word}\"")),
                "{word} is not quoted:\n{yaml}"
            );
        }
        assert!(yaml.contains("- plain-word.v2/x\n"), "{yaml}");
        assert!(yaml.contains("- 1.0e+30\n"), "{yaml}");
        assert!(yaml.contains("- |\n    multi\n    line\n"), "{yaml}");
    }
}
