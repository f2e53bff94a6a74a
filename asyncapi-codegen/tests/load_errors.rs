//! Loading documents: every way a document can fail to load reports the kind
//! of problem and the place (file and JSON pointer); multi-file documents
//! with relative and escaped `$ref`s load; the public corpus loads.
//!
//! Paths are relative to the package directory, where `cargo test` runs.

use asyncapi_codegen::spec::Documents;
use asyncapi_codegen::{Error, ErrorKind, Location};
use std::path::{Path, PathBuf};

const FIXTURES: &str = "tests/fixtures/load";

fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(name)
}

/// Loads a fixture that must fail, checks the kind and where the error is.
fn failure(name: &str, kind: ErrorKind, location: &str) -> Error {
    let error = match Documents::load(fixture(name)) {
        Ok(_) => panic!("{name} loaded, but should fail with {kind:?}"),
        Err(error) => error,
    };
    assert_eq!(error.kind(), kind, "{name}: {error}");
    let at = error
        .location()
        .expect("an error about a document has a location");
    assert_eq!(
        at.to_string(),
        format!("{FIXTURES}/{location}"),
        "{name}: {error}"
    );
    assert!(
        error
            .to_string()
            .starts_with(&format!("{FIXTURES}/{location}: ")),
        "the message starts with the place: {error}"
    );
    error
}

#[test]
fn a_missing_file() {
    let e = failure("does-not-exist.yaml", ErrorKind::Io, "does-not-exist.yaml#");
    let shown = e.to_string();
    assert!(
        shown.starts_with(
            "tests/fixtures/load/does-not-exist.yaml#: cannot read the AsyncAPI document \
             `tests/fixtures/load/does-not-exist.yaml`: "
        ),
        "{shown}"
    );
    assert!(e.message().contains("os error"), "names the OS error: {e}");
}

#[test]
fn invalid_yaml() {
    // The pointer of the node the misindented line follows, the cause
    // once, and where to look.
    let e = failure(
        "syntax.yaml",
        ErrorKind::Syntax,
        "syntax.yaml#/channels/ping/address",
    );
    assert_eq!(
        e.to_string(),
        "tests/fixtures/load/syntax.yaml#/channels/ping/address: tests/fixtures/load/syntax.yaml:8:15: \
         invalid YAML: mapping values are not allowed in this context\n  hint: check the indentation \
         around lines 7-8: a key must line up with the other keys of its mapping, and its value be \
         indented further"
    );
    assert_eq!(format!("{e:?}"), e.to_string(), "no repeated cause");
}

#[test]
fn invalid_json() {
    let e = failure("syntax.json", ErrorKind::Syntax, "syntax.json#");
    assert_eq!(
        e.to_string(),
        "tests/fixtures/load/syntax.json#: tests/fixtures/load/syntax.json:6:3: invalid JSON: \
         trailing comma"
    );
}

#[test]
fn an_unknown_version() {
    let e = failure(
        "version-1.2.0.yaml",
        ErrorKind::UnsupportedVersion,
        "version-1.2.0.yaml#/asyncapi",
    );
    assert_eq!(
        e.to_string(),
        "tests/fixtures/load/version-1.2.0.yaml#/asyncapi: AsyncAPI version \"1.2.0\" is not \
         supported; this generator reads AsyncAPI 2.0.0–2.6.0 and 3.0.0–3.1.0"
    );
}

#[test]
fn a_missing_version() {
    let e = failure(
        "version-missing.yaml",
        ErrorKind::UnsupportedVersion,
        "version-missing.yaml#/asyncapi",
    );
    assert_eq!(
        e.to_string(),
        "tests/fixtures/load/version-missing.yaml#/asyncapi: the document has no `asyncapi` field \
         naming the AsyncAPI version it follows; this generator reads AsyncAPI 2.0.0–2.6.0 and \
         3.0.0–3.1.0\n  hint: add `asyncapi: 3.0.0` (or the version the document follows) at the \
         top of the document"
    );
}

#[test]
fn other_version_fields() {
    for (text, message) in [
        (
            "asyncapi: 2.0\n",
            "`asyncapi` must be a version string such as \"3.0.0\", found the number 2.0",
        ),
        (
            "asyncapi: '2.0'\n",
            "`asyncapi` is \"2.0\", which is not a version of the form MAJOR.MINOR.PATCH",
        ),
        (
            "asyncapi: 3.2.0\n",
            "AsyncAPI version \"3.2.0\" is not supported",
        ),
    ] {
        let e = Documents::load_str("v.yaml", text).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedVersion);
        assert!(
            e.to_string()
                .starts_with(&format!("v.yaml#/asyncapi: {message}")),
            "{e}"
        );
    }
    // A patch version or pre-release is checked against the schema of its
    // `MAJOR.MINOR.0`.
    for ok in ["2.0.0-rc2", "2.6.0", "2.6.1", "3.0.0", "3.1.0"] {
        let text = format!("asyncapi: {ok}\ninfo: {{title: t, version: '1'}}\nchannels: {{}}\n");
        let docs = Documents::load_str("v.yaml", &text).unwrap();
        assert_eq!(docs.version().raw, ok);
    }
}

#[test]
fn empty_and_non_mapping_documents() {
    let e = Documents::load_str("empty.yaml", "# nothing\n").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert!(
        e.to_string()
            .starts_with("empty.yaml#: `empty.yaml` is empty"),
        "{e}"
    );
    let e = Documents::load_str("list.json", "[1]").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert_eq!(
        e.to_string(),
        "list.json#: the top level of the AsyncAPI document `list.json` must be a mapping, found a sequence"
    );
}

#[test]
fn a_dangling_pointer() {
    let e = failure(
        "dangling-pointer.yaml",
        ErrorKind::DanglingRef,
        "dangling-pointer.yaml#/channels/ping/messages/ping",
    );
    assert_eq!(
        e.to_string(),
        "tests/fixtures/load/dangling-pointer.yaml#/channels/ping/messages/ping: `$ref` \
         \"#/components/messages/pnig\" points nowhere: there is nothing at \
         tests/fixtures/load/dangling-pointer.yaml#/components/messages/pnig, because \
         tests/fixtures/load/dangling-pointer.yaml#/components/messages has no member \"pnig\" \
         (it has \"ping\", \"pong\")"
    );
}

#[test]
fn a_dangling_file() {
    let e = failure(
        "dangling-file.yaml",
        ErrorKind::DanglingRef,
        "dangling-file.yaml#/channels/ping/publish/message",
    );
    let shown = e.to_string();
    assert!(
        shown.starts_with(
            "tests/fixtures/load/dangling-file.yaml#/channels/ping/publish/message: `$ref` \
             \"common/missing.yaml#/ping\" names the file `tests/fixtures/load/common/missing.yaml`, \
             which cannot be read: "
        ),
        "{shown}"
    );
    assert!(
        shown.ends_with(
            "\n  hint: a relative path is resolved against the directory of the file that holds \
             the `$ref` (`tests/fixtures/load`)"
        ),
        "{shown}"
    );
}

#[test]
fn a_two_step_cycle() {
    let e = failure(
        "cycle.yaml",
        ErrorKind::RefCycle,
        "cycle.yaml#/components/messages/a",
    );
    assert_eq!(
        e.to_string(),
        "tests/fixtures/load/cycle.yaml#/components/messages/a: `$ref`s form a cycle: \
         tests/fixtures/load/cycle.yaml#/components/messages/a → \
         tests/fixtures/load/cycle.yaml#/components/messages/b → \
         tests/fixtures/load/cycle.yaml#/components/messages/a\n  hint: a chain of `$ref`s must \
         end at a value that is not itself a `$ref`"
    );
}

#[test]
fn a_self_reference() {
    let e = failure(
        "cycle-self.yaml",
        ErrorKind::RefCycle,
        "cycle-self.yaml#/components/schemas/Me",
    );
    assert!(
        e.to_string().starts_with(
            "tests/fixtures/load/cycle-self.yaml#/components/schemas/Me: `$ref`s form a cycle: \
             tests/fixtures/load/cycle-self.yaml#/components/schemas/Me → \
             tests/fixtures/load/cycle-self.yaml#/components/schemas/Me\n"
        ),
        "{e}"
    );
}

#[test]
fn a_cycle_across_files() {
    let e = failure(
        "cycle-a.yaml",
        ErrorKind::RefCycle,
        "cycle-a.yaml#/components/schemas/A",
    );
    assert!(
        e.to_string().starts_with(
            "tests/fixtures/load/cycle-a.yaml#/components/schemas/A: `$ref`s form a cycle: \
             tests/fixtures/load/cycle-a.yaml#/components/schemas/A → \
             tests/fixtures/load/cycle-b.yaml#/B → \
             tests/fixtures/load/cycle-a.yaml#/components/schemas/A\n"
        ),
        "{e}"
    );
}

#[test]
fn a_pointer_through_its_own_ref() {
    let text = "asyncapi: 3.0.0\ncomponents:\n  a:\n    $ref: '#/components/a/b'\n";
    let e = Documents::load_str("through.yaml", text).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RefCycle);
    assert_eq!(
        e.to_string(),
        "through.yaml#/components/a: `$ref`s form a cycle: through.yaml#/components/a → \
         through.yaml#/components/a (the JSON pointer of `$ref` \"#/components/a/b\" at \
         through.yaml#/components/a goes through through.yaml#/components/a, which is a `$ref` \
         still being resolved)\n  hint: a chain of `$ref`s must end at a value that is not itself \
         a `$ref`"
    );
}

#[test]
fn a_remote_reference() {
    let e = failure(
        "remote.yaml",
        ErrorKind::RemoteRef,
        "remote.yaml#/components/messages/costing/payload",
    );
    assert_eq!(
        e.to_string(),
        "tests/fixtures/load/remote.yaml#/components/messages/costing/payload: `$ref` \
         \"https://example.com/schemas/Costing.avsc#/fields\" names a remote document (a `https:` \
         URL), which cannot be fetched at build time: the generator never uses the network\n  \
         hint: download the file next to the document and refer to it by a relative path, e.g. \
         `$ref: './Costing.avsc#/fields'`"
    );
}

#[test]
fn unsupported_references() {
    for (reference, message) in [
        ("#foo", "`$ref` \"#foo\" has the fragment `#foo`, which is not a JSON pointer (a JSON pointer starts with `/`)\n  hint: did you mean `#/foo`?"),
        ("/components/messages/a", "`$ref` \"/components/messages/a\" is an absolute path; only paths relative to the file that holds the `$ref` are supported\n  hint: for a place in this document write `#/components/messages/a`; for another file write its path relative to this file's directory"),
        ("", "`$ref` \"\" is empty; a `$ref` is a relative file path and/or a JSON pointer such as `#/components/schemas/Name`"),
    ] {
        let text = format!("asyncapi: 3.0.0\ncomponents:\n  messages:\n    m:\n      $ref: '{reference}'\n");
        let e = Documents::load_str("u.yaml", &text).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedRef, "{e}");
        assert_eq!(e.to_string(), format!("u.yaml#/components/messages/m: {message}"));
    }
}

#[test]
fn a_yaml_tag() {
    let e = failure("tag.yaml", ErrorKind::Invalid, "tag.yaml#/info/version");
    assert_eq!(
        e.to_string(),
        "tests/fixtures/load/tag.yaml#/info/version: the YAML tag `!semver` is not supported: an \
         AsyncAPI document must be plain JSON-compatible YAML\n  hint: remove the tag; types are \
         given by schemas, not by YAML tags"
    );
}

#[test]
fn two_files_with_relative_and_escaped_references() {
    let docs = Documents::load(fixture("multi/api/asyncapi.yaml")).unwrap();
    let root = docs.root();
    assert_eq!(root, Location::file(fixture("multi/api/asyncapi.yaml")));
    assert_eq!(docs.version().raw, "2.6.0");
    assert_eq!((docs.version().major, docs.version().minor), (2, 6));
    let files: Vec<String> = docs
        .files()
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    assert_eq!(
        files,
        [
            "tests/fixtures/load/multi/api/asyncapi.yaml",
            "tests/fixtures/load/multi/common/messages.yaml",
            "tests/fixtures/load/multi/common/schemas.json",
        ],
        "root first, then each referenced file once"
    );

    let publish = root
        .join("channels")
        .join("user/signedup")
        .join("publish")
        .join("message");
    let reference = docs.get(&publish).unwrap()["$ref"].as_str().unwrap();
    let target = docs.resolve_ref(&publish, reference).unwrap();
    assert_eq!(
        target.to_string(),
        "tests/fixtures/load/multi/common/messages.yaml#/messages/user~1signed up"
    );
    assert_eq!(docs.get(&target).unwrap()["name"], "userSignedUp");

    // `%7B`/`%7D` in a pointer into a JSON file.
    let (payload, schema) = docs.deref(&target.join("payload")).unwrap();
    assert_eq!(
        payload.to_string(),
        "tests/fixtures/load/multi/common/schemas.json#/definitions/User{v1}"
    );
    assert_eq!(schema["type"], "object");

    // `~0` in a pointer.
    let messages = Location::file(fixture("multi/common/messages.yaml"));
    let (field, value) = docs
        .deref(&messages.join("fields").join("tildeName"))
        .unwrap();
    assert_eq!(field.last_token().as_deref(), Some("tilde~name"));
    assert_eq!(value["type"], "string");

    // Back to the root document, by another spelling of its path.
    let (id, value) = docs.deref(&payload.join("properties").join("id")).unwrap();
    assert_eq!(id, root.join("components").join("schemas").join("UserId"));
    assert_eq!(value["format"], "uuid");
}

#[test]
fn deref_follows_chains_across_files() {
    let docs = Documents::load(fixture("multi/api/asyncapi.yaml")).unwrap();
    let subscribe = docs
        .root()
        .join("channels")
        .join("user/signedup")
        .join("subscribe")
        .join("message");
    let (at, message) = docs.deref(&subscribe).unwrap();
    assert_eq!(
        at.to_string(),
        "tests/fixtures/load/multi/common/messages.yaml#/messages/welcome"
    );
    assert_eq!(message["name"], "welcome");
    // Not a reference: itself.
    let (same, _) = docs.deref(&at).unwrap();
    assert_eq!(same, at);
    // The first step only.
    let first = docs
        .resolve_ref(&subscribe, "./../common/messages.yaml#/aliases/welcome")
        .unwrap();
    assert_eq!(
        first.to_string(),
        "tests/fixtures/load/multi/common/messages.yaml#/aliases/welcome"
    );
    // A location that does not exist.
    let e = docs.get(&at.join("nope")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert!(e.to_string().starts_with(
        "tests/fixtures/load/multi/common/messages.yaml#/messages/welcome/nope: there is nothing here"
    ));
}

#[test]
fn a_recursive_schema_loads() {
    let docs = Documents::load(fixture("recursive.yaml")).unwrap();
    let node = docs.root().join("components").join("schemas").join("Node");
    let items = node.join("properties").join("children").join("items");
    let (target, schema) = docs.deref(&items).unwrap();
    assert_eq!(target, node);
    assert_eq!(schema["type"], "object");
    let (whole, _) = docs.deref(&node.join("properties").join("parent")).unwrap();
    assert_eq!(whole, docs.root());
    assert_eq!(docs.files().len(), 1);
}

/// The corpus of public documents that sits beside the repository in this
/// workplace; the tests that read it are skipped where it is absent.
fn corpus(dir: &str) -> Option<PathBuf> {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus")).join(dir);
    if path.is_dir() {
        Some(std::fs::canonicalize(path).unwrap())
    } else {
        eprintln!("skipped: no corpus at {}", path.display());
        None
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Documents of the corpus whose `$ref`s name remote (https) files.
const REMOTE: &[&str] = &[
    "3.0.0/adeo-kafka-request-reply-asyncapi.yml",
    "3.1.0/adeo-kafka-request-reply-asyncapi.yml",
];

#[test]
fn the_spec_examples_load() {
    let Some(dir) = corpus("asyncapi-spec-examples") else {
        return;
    };
    let mut loaded = 0;
    let mut remote = Vec::new();
    for path in files_under(&dir) {
        let name = path
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        if !yaml || name.contains("social-media/common/") {
            continue;
        }
        match Documents::load(&path) {
            Ok(docs) => {
                assert!(
                    !REMOTE.contains(&name.as_str()),
                    "{name} loaded, but has remote refs"
                );
                assert_eq!(docs.files()[0], path.as_path());
                if name.contains("social-media/") {
                    assert!(docs.files().len() > 1, "{name} references files in common/");
                }
                loaded += 1;
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::RemoteRef, "{name}: {e}");
                assert!(e.location().is_some_and(|l| !l.pointer.is_empty()), "{e}");
                remote.push(name);
            }
        }
    }
    assert_eq!(remote, REMOTE);
    assert!(loaded >= 60, "only {loaded} documents loaded");
}

#[test]
fn no_tck_file_panics() {
    let Some(dir) = corpus("tck") else {
        return;
    };
    let mut outcomes = String::new();
    for path in files_under(&dir) {
        let name = path.strip_prefix(&dir).unwrap().display().to_string();
        let result = std::panic::catch_unwind(|| Documents::load(&path));
        let outcome = match result {
            Err(_) => panic!("{name}: loading panicked"),
            Ok(Ok(docs)) => format!("ok ({} files)", docs.files().len()),
            Ok(Err(e)) => {
                assert!(
                    e.location().is_some(),
                    "{name}: an error without a location: {e}"
                );
                let shown = e.to_string().replace(&format!("{}/", dir.display()), "");
                format!("{:?}: {}", e.kind(), shown.replace('\n', "\n    "))
            }
        };
        outcomes += &format!("{name}\n  {outcome}\n");
    }
    expectorate::assert_contents("tests/fixtures/load/tck-outcomes.txt", &outcomes);
}

#[test]
fn odd_and_large_inputs_do_not_panic() {
    let head = "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\n";
    let deep_yaml = format!("{head}x: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    let deep_json = format!(
        "{{\"asyncapi\": \"3.0.0\", \"x\": {}{}}}",
        "{\"a\":".repeat(5000),
        "}".repeat(5000)
    );
    let odd_keys = format!(
        "{head}components:\n  schemas:\n    '': {{type: string}}\n    'a/b~c': {{type: string}}\n    '%41': {{type: string}}\n    refs:\n      - $ref: '#/components/schemas/'\n      - $ref: '#/components/schemas/a~1b~0c'\n      - $ref: '#/components/schemas/%2541'\n      - $ref: '#/components/schemas/refs/0'\n"
    );
    let cases: Vec<(&str, String)> = vec![
        ("deep.yaml", deep_yaml),
        ("deep.json", deep_json),
        ("odd.yaml", odd_keys.clone()),
        (
            "bad-index.yaml",
            format!("{head}l: [1]\nr: {{$ref: '#/l/01'}}\n"),
        ),
        ("dash.yaml", format!("{head}l: [1]\nr: {{$ref: '#/l/-'}}\n")),
        ("scalar.yaml", format!("{head}s: 1\nr: {{$ref: '#/s/x'}}\n")),
        ("non-string-ref.yaml", format!("{head}r: {{$ref: 3}}\n")),
        ("nul.yaml", format!("{head}r: {{$ref: \"#/\\0\"}}\n")),
        ("dir.yaml", format!("{head}r: {{$ref: './'}}\n")),
        (
            "parent.yaml",
            format!("{head}r: {{$ref: '../../../../../../../../../../x.yaml'}}\n"),
        ),
        (
            "merge.yaml",
            format!("{head}a: &a {{x: 1}}\nb: {{<<: [*a, *a], <<: *a}}\n"),
        ),
        ("bom.json", "\u{feff}{\"asyncapi\": \"3.0.0\"}".to_string()),
        ("bad-utf8.yaml", format!("{head}x: 1\n")),
    ];
    for (name, text) in cases {
        let result = std::panic::catch_unwind(|| Documents::load_str(name, &text));
        match result {
            Err(_) => panic!("{name}: panicked"),
            Ok(Err(e)) => assert!(e.location().is_some(), "{name}: {e}"),
            Ok(Ok(_)) => {}
        }
    }
    let docs = Documents::read_str("odd.yaml", &odd_keys).unwrap();
    let refs = docs.root().join("components").join("schemas").join("refs");
    for (i, expected) in [
        "/components/schemas/",
        "/components/schemas/a~1b~0c",
        "/components/schemas/%41",
    ]
    .iter()
    .enumerate()
    {
        let (target, _) = docs.deref(&refs.index(i)).unwrap();
        assert_eq!(&target.pointer, expected);
    }
    let e = Documents::load_str(
        "odd.yaml",
        &format!("{odd_keys}      - $ref: '#/components/schemas/refs/4'\n"),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RefCycle, "{e}");
}

#[test]
fn a_large_document_with_a_long_chain_loads() {
    let mut text =
        String::from("asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n");
    const N: usize = 20_000;
    for i in 0..N {
        text += &format!("    s{i}: {{$ref: '#/components/schemas/s{}'}}\n", i + 1);
    }
    text += &format!("    s{N}:\n      type: object\n      properties: {{a: {{type: string}}}}\n");
    // How fast is measured by benches/generator, not asserted here.
    let docs = Documents::load_str("big.yaml", &text).unwrap();
    let schemas = docs.root().join("components").join("schemas");
    let (target, _) = docs.deref(&schemas.join("s0")).unwrap();
    assert_eq!(target, schemas.join(format!("s{N}")));
}

#[test]
fn a_file_that_is_not_utf8() {
    let dir = std::env::temp_dir().join(format!("asyncapi-codegen-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("latin1.yaml");
    std::fs::write(&path, b"asyncapi: 3.0.0\ninfo:\n  title: caf\xe9\n").unwrap();
    let e = Documents::load(&path).unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(e.kind(), ErrorKind::Syntax);
    assert!(
        e.message()
            .ends_with("latin1.yaml:3:13: the file is not UTF-8 text"),
        "{e}"
    );
}
