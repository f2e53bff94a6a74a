//! Parsing one file (JSON or YAML) into a `serde_json::Value`.
//!
//! YAML goes through `serde_yaml::Value` and then our own conversion, which
//! knows the JSON pointer of every value so that whatever has no JSON
//! equivalent (tags, non-string keys, NaN) is reported where it is.

use crate::error::{Error, ErrorKind, Location, Result};
use serde_json::{Map, Number, Value};
use serde_yaml::Value as Yaml;
use std::path::Path;

/// Values nested deeper than this are refused (the parsers already stop at
/// 128 levels; this guards our own recursion whatever they do).
const MAX_DEPTH: usize = 1024;

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
    let yaml: Yaml = serde_yaml::from_str(text).map_err(|e| yaml_syntax_error(file, e))?;
    if yaml.is_null() {
        return Ok(None);
    }
    let value = to_json(yaml, &Location::file(file), 0)?;
    check_global_tags(file, text)?;
    Ok(Some(value))
}

/// The YAML 1.2 core tags, which only say what the value is anyway.
const CORE_TAGS: &[&str] = &["str", "int", "float", "bool", "null", "map", "seq"];

/// Refuses global tags (`!!binary`, `!!invalidTag`), which `serde_yaml`
/// drops silently: the text is parsed once more with `!!` declared as a
/// local tag handle, which makes them visible.
fn check_global_tags(file: &Path, text: &str) -> Result<()> {
    if !text.contains("!!") {
        return Ok(());
    }
    let first = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'));
    let directive = match first {
        Some(line) if line.starts_with("---") || line.starts_with('%') => "%TAG !! !\n",
        _ => "%TAG !! !\n---\n",
    };
    // Should this reading fail where the first succeeded, there is nothing
    // to say: the tags are left alone.
    match serde_yaml::from_str::<Yaml>(&format!("{directive}{text}")) {
        Ok(yaml) => find_global_tag(&yaml, &Location::file(file), 0),
        Err(_) => Ok(()),
    }
}

fn find_global_tag(value: &Yaml, at: &Location, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    match value {
        Yaml::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            if !CORE_TAGS.contains(&name) {
                return Err(Error::at(
                    ErrorKind::Invalid,
                    at,
                    format!(
                        "the YAML tag `!!{name}` is not supported: an AsyncAPI document must be \
                         plain JSON-compatible YAML"
                    ),
                )
                .with_hint("remove the tag; types are given by schemas, not by YAML tags"));
            }
            find_global_tag(&tagged.value, at, depth + 1)
        }
        Yaml::Sequence(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| find_global_tag(item, &at.index(i), depth + 1)),
        Yaml::Mapping(mapping) => mapping.iter().try_for_each(|(key, value)| {
            find_global_tag(key, at, depth + 1)?;
            let mut key = key;
            while let Yaml::Tagged(tagged) = key {
                key = &tagged.value;
            }
            match key_string(key.clone(), at) {
                Ok(key) => find_global_tag(value, &at.join(key), depth + 1),
                Err(_) => find_global_tag(value, at, depth + 1),
            }
        }),
        _ => Ok(()),
    }
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

fn yaml_syntax_error(file: &Path, error: serde_yaml::Error) -> Error {
    let full = error.to_string();
    let message = match error.location() {
        Some(at) => {
            let (line, column) = (at.line(), at.column());
            let own = format!(" at line {line} column {column}");
            let message = full.replacen(&own, "", 1);
            format!(
                "{}:{line}:{column}: invalid YAML: {message}",
                file.display()
            )
        }
        None => format!("{}: invalid YAML: {full}", file.display()),
    };
    Error::at(ErrorKind::Syntax, &Location::file(file), message).with_source(error)
}

/// Converts a YAML value found at `at` to JSON, applying merge keys (`<<`).
fn to_json(value: Yaml, at: &Location, depth: usize) -> Result<Value> {
    if depth > MAX_DEPTH {
        return Err(Error::at(
            ErrorKind::Invalid,
            at,
            format!("values are nested more than {MAX_DEPTH} levels deep"),
        ));
    }
    Ok(match value {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => Value::Number(number(&n, at)?),
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                out.push(to_json(item, &at.index(i), depth + 1)?);
            }
            Value::Array(out)
        }
        Yaml::Mapping(mapping) => {
            let mut out = Map::new();
            let mut merge = None;
            for (key, value) in mapping {
                if key.as_str() == Some("<<") {
                    merge = Some(value);
                    continue;
                }
                let key = key_string(key, at)?;
                let child = at.join(&key);
                if out.contains_key(&key) {
                    return Err(Error::at(
                        ErrorKind::Invalid,
                        &child,
                        format!(
                            "duplicate key \"{}\" (once keys are turned into strings)",
                            key.escape_debug()
                        ),
                    ));
                }
                let value = to_json(value, &child, depth + 1)?;
                out.insert(key, value);
            }
            if let Some(sources) = merge {
                merge_into(&mut out, sources, &at.join("<<"), depth)?;
            }
            Value::Object(out)
        }
        Yaml::Tagged(tagged) => {
            return Err(Error::at(
                ErrorKind::Invalid,
                at,
                format!(
                    "the YAML tag `{}` is not supported: an AsyncAPI document must be plain \
                     JSON-compatible YAML",
                    tagged.tag
                ),
            )
            .with_hint("remove the tag; types are given by schemas, not by YAML tags"))
        }
    })
}

/// Applies a merge key (`<<: *base` or `<<: [*a, *b]`): the merged mappings'
/// entries are added unless the mapping has them already; earlier mappings
/// of a list win over later ones.
fn merge_into(
    out: &mut Map<String, Value>,
    sources: Yaml,
    at: &Location,
    depth: usize,
) -> Result<()> {
    let sources: Vec<(Yaml, Location)> = match sources {
        Yaml::Mapping(_) => vec![(sources, at.clone())],
        Yaml::Sequence(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| (item, at.index(i)))
            .collect(),
        other => {
            return Err(Error::at(
                ErrorKind::Invalid,
                at,
                format!(
                    "a merge key (`<<`) must be given a mapping or a list of mappings, found {}",
                    yaml_kind(&other)
                ),
            ))
        }
    };
    for (source, source_at) in sources {
        if !source.is_mapping() {
            return Err(Error::at(
                ErrorKind::Invalid,
                &source_at,
                format!(
                    "a merge key (`<<`) must be given a mapping or a list of mappings, found {} in the list",
                    yaml_kind(&source)
                ),
            ));
        }
        if let Value::Object(entries) = to_json(source, &source_at, depth + 1)? {
            for (key, value) in entries {
                out.entry(key).or_insert(value);
            }
        }
    }
    Ok(())
}

fn number(n: &serde_yaml::Number, at: &Location) -> Result<Number> {
    if let Some(u) = n.as_u64() {
        return Ok(u.into());
    }
    if let Some(i) = n.as_i64() {
        return Ok(i.into());
    }
    n.as_f64().and_then(Number::from_f64).ok_or_else(|| {
        Error::at(
            ErrorKind::Invalid,
            at,
            format!("`{n}` is not a number JSON can represent (no NaN or infinity)"),
        )
    })
}

/// A mapping key as a JSON object key: strings as they are, integers and
/// booleans spelled out; anything else is an error at the mapping.
fn key_string(key: Yaml, mapping: &Location) -> Result<String> {
    match key {
        Yaml::String(s) => Ok(s),
        Yaml::Bool(b) => Ok(b.to_string()),
        Yaml::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        other => {
            let what = match &other {
                Yaml::Tagged(tagged) => format!("a value tagged `{}`", tagged.tag),
                other => yaml_kind(other),
            };
            Err(Error::at(
                ErrorKind::Invalid,
                mapping,
                format!("this mapping has a key that is {what}; keys must be strings (or integers or booleans, which are turned into strings)"),
            ))
        }
    }
}

fn yaml_kind(value: &Yaml) -> String {
    match value {
        Yaml::Null => "null".to_string(),
        Yaml::Bool(b) => format!("the boolean {b}"),
        Yaml::Number(n) => format!("the number {n}"),
        Yaml::String(s) => format!("the string \"{}\"", s.escape_debug()),
        Yaml::Sequence(_) => "a sequence".to_string(),
        Yaml::Mapping(_) => "a mapping".to_string(),
        Yaml::Tagged(tagged) => format!("a value tagged `{}`", tagged.tag),
    }
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
