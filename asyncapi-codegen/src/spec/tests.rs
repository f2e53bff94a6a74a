//! Tests of loading: `$ref`s followed through chains and pointers, cycles,
//! data members, what `get` reports as missing.

use super::*;

/// Reads a document: these tests are about `$ref`s, in documents
/// that need not follow the AsyncAPI schema.
fn load(text: &str) -> Result<Documents> {
    Documents::read_str("mem/x.yaml", text)
}

const HEAD: &str = "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\n";

#[test]
fn follows_chains_and_pointers_through_refs() {
    let docs = load(&format!(
        "{HEAD}components:\n  messages:\n    a: {{$ref: '#/components/messages/b'}}\n    b: {{$ref: '#/components/x/payload'}}\n  x: {{$ref: '#/components/y'}}\n  y:\n    payload: {{type: string}}\n"
    ))
    .unwrap();
    let a = docs.root().join("components").join("messages").join("a");
    let (at, value) = docs.deref(&a).unwrap();
    assert_eq!(at.to_string(), "mem/x.yaml#/components/y/payload");
    assert_eq!(value["type"], "string");
    let target = docs.resolve_ref(&a, "#/components/messages/b").unwrap();
    assert_eq!(target.pointer, "/components/messages/b");
}

#[test]
fn a_pointer_through_its_own_ref_is_a_cycle() {
    let e = load(&format!(
        "{HEAD}components:\n  a: {{$ref: '#/components/a/b'}}\n"
    ))
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RefCycle, "{e}");
    assert_eq!(
        e.location().unwrap().to_string(),
        "mem/x.yaml#/components/a"
    );
}

#[test]
fn data_members_are_not_references() {
    let docs = load(&format!(
        "{HEAD}components:\n  schemas:\n    s:\n      examples: [{{$ref: nowhere.yaml}}]\n      default: {{$ref: '#/nope'}}\n      properties:\n        default: {{$ref: '#/components/schemas/s'}}\n"
    ))
    .unwrap();
    assert_eq!(docs.resolved.len(), 1);
    let e = load(&format!(
        "{HEAD}components:\n  schemas:\n    s:\n      properties:\n        enum: {{$ref: '#/nope'}}\n"
    ))
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DanglingRef);
}

#[test]
fn get_reports_what_is_missing() {
    let docs = load(&format!("{HEAD}list: [1, 2]\n")).unwrap();
    assert_eq!(docs.get(&docs.root().join("list").index(1)).unwrap(), 2);
    let e = docs.get(&docs.root().join("list").join("01")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert_eq!(
        e.to_string(),
        "mem/x.yaml#/list/01: there is nothing here: mem/x.yaml#/list is a sequence of 2 items, with no item \"01\""
    );
    let e = docs
        .get(&docs.root().join("info").join("nope").join("deeper"))
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("mem/x.yaml#/info has no member \"nope\" (it has \"title\", \"version\")"),
        "{e}"
    );
    let e = docs.get(&Location::file("other.yaml")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
}
