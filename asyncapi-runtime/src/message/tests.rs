use super::with_id::{encode, Failure};
use super::*;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

const REQID: &[Seg] = &[Seg::Key("reqid")];

#[test]
fn ids_are_found_in_place_and_compared_by_value() {
    let a = CorrelationId::find(r#"{"event":"pong","reqid":42}"#, REQID).unwrap();
    let b = CorrelationId::find(r#"{ "reqid" : 42 , "event":"pong"}"#, REQID).unwrap();
    assert_eq!(a, b);
    assert_eq!(a, IdKind::Integer.id(42));
    assert_eq!(a.as_json(), "42");
    let s = CorrelationId::find(r#"{"reqid":"\u0061b"}"#, REQID).unwrap();
    assert_eq!(s.as_json(), r#""ab""#);
    assert_eq!(CorrelationId::find(r#"{"event":"pong"}"#, REQID), None);
    assert_eq!(CorrelationId::find(r#"{"reqid":null}"#, REQID), None);
    assert_eq!(CorrelationId::find(r#"{"reqid":{"a":1}}"#, REQID), None);
    assert_eq!(CorrelationId::find(r#"{"reqid":[5]}"#, REQID), None);
    assert_eq!(CorrelationId::find(r#"[1,2]"#, REQID), None);
    assert_eq!(CorrelationId::find("not json", REQID), None);
    let nested: &[Seg] = &[Seg::Key("meta"), Seg::Index(1)];
    assert_eq!(
        CorrelationId::find(r#"{"meta":[0,"x"]}"#, nested)
            .unwrap()
            .as_json(),
        r#""x""#
    );
    assert_eq!(CorrelationId::find(r#"{"meta":[0]}"#, nested), None);
    assert_eq!(CorrelationId::find(r#"{"meta":{"1":0}}"#, nested), None);
}

#[test]
fn ids_are_canonical_json_of_their_type() {
    let find = |frame: &str| CorrelationId::find(frame, REQID).map(|id| id.to_string());
    // Integers and strings differ; numbers keep serde_json's forms (an
    // exponent makes a float).
    assert_eq!(find(r#"{"reqid":"42"}"#).as_deref(), Some(r#""42""#));
    assert_ne!(
        CorrelationId::find(r#"{"reqid":"42"}"#, REQID),
        CorrelationId::find(r#"{"reqid":42}"#, REQID)
    );
    assert_eq!(find(r#"{"reqid":4.2e1}"#).as_deref(), Some("42.0"));
    assert_eq!(find(r#"{"reqid":-7}"#).as_deref(), Some("-7"));
    assert_eq!(find(r#"{"reqid":true}"#).as_deref(), Some("true"));
    assert_eq!(
        find(r#"{"reqid":18446744073709551615}"#).as_deref(),
        Some("18446744073709551615")
    );
    // Escapes as serde_json writes them; long ids as well as short ones.
    assert_eq!(
        find(r#"{"reqid":"a\/b\"c"}"#).as_deref(),
        Some(r#""a/b\"c""#)
    );
    let long = format!(r#"{{"reqid":"{}"}}"#, "x".repeat(100));
    let id = CorrelationId::find(&long, REQID).unwrap();
    assert_eq!(id.as_json().len(), 102);
    assert_eq!(id, CorrelationId::find(&long, REQID).unwrap());
    // The last member of that name counts, as in a parsed object.
    assert_eq!(find(r#"{"reqid":1,"reqid":2}"#).as_deref(), Some("2"));
    assert_eq!(find(r#"{"reqid":1,"reqid":null}"#), None);
    assert_eq!(IdKind::String.id(7).as_json(), r#""7""#);
    assert_eq!(
        IdKind::Integer.id(u64::MAX).as_json(),
        "18446744073709551615"
    );
}

#[test]
fn ids_serialize_as_the_values_they_are() {
    for frame in [
        r#"{"reqid":42}"#,
        r#"{"reqid":0}"#,
        r#"{"reqid":18446744073709551615}"#,
        r#"{"reqid":18446744073709551616}"#,
        r#"{"reqid":"42"}"#,
        r#"{"reqid":-42}"#,
        r#"{"reqid":0.5}"#,
        r#"{"reqid":1e300}"#,
        r#"{"reqid":"a\"\u0001b"}"#,
        r#"{"reqid":false}"#,
    ] {
        let id = CorrelationId::find(frame, REQID).unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), id.as_json(), "{frame}");
        assert_eq!(
            id.to_value(),
            serde_json::from_str::<Value>(id.as_json()).unwrap()
        );
    }
    // Integer ids are kept with their value: made or read, the same id.
    for n in [0, 7, 42, u64::MAX] {
        let made = IdKind::Integer.id(n);
        let read = CorrelationId::find(&format!(r#"{{"reqid":{n}}}"#), REQID).unwrap();
        assert_eq!(made, read);
        assert_eq!(serde_json::to_string(&made).unwrap(), n.to_string());
        let state = std::hash::RandomState::new();
        assert_eq!(
            std::hash::BuildHasher::hash_one(&state, &made),
            std::hash::BuildHasher::hash_one(&state, &read)
        );
    }
}

#[derive(Serialize)]
struct Ping {
    event: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reqid: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'static str>,
}

#[derive(Serialize)]
struct Plain {
    event: &'static str,
}

#[derive(Serialize)]
struct Nested {
    event: &'static str,
    meta: Option<Meta>,
}

#[derive(Serialize)]
struct Meta {
    tag: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    list: Vec<u64>,
}

#[derive(Serialize)]
struct Flat {
    event: &'static str,
    #[serde(flatten)]
    rest: BTreeMap<String, u64>,
}

#[derive(Serialize)]
enum External {
    Order { reqid: u64 },
}

/// `value` encoded with `id` at `path`, as a parsed value (and the text).
fn with(value: &impl Serialize, path: &[Seg], id: &CorrelationId) -> (Value, String) {
    let text = match encode(value, path, id) {
        Ok(text) => text,
        Err(e) => panic!("{e:?}"),
    };
    (serde_json::from_str(&text).unwrap(), text)
}

#[test]
fn an_id_replaces_the_member_or_is_added_where_the_field_is() {
    let id = IdKind::Integer.id(7);
    let ping = |reqid| Ping {
        event: "ping",
        reqid,
        note: Some("n"),
    };
    // Present: replaced in place.
    let (_, text) = with(&ping(Some(1)), REQID, &id);
    assert_eq!(text, r#"{"event":"ping","reqid":7,"note":"n"}"#);
    // A skipped `Option` field: written where the field is.
    let (_, text) = with(&ping(None), REQID, &id);
    assert_eq!(text, r#"{"event":"ping","reqid":7,"note":"n"}"#);
    // No such field: added at the end.
    let (_, text) = with(&Plain { event: "ping" }, REQID, &id);
    assert_eq!(text, r#"{"event":"ping","reqid":7}"#);
    // A string id.
    let sid = CorrelationId::find(r#"{"reqid":"a\"b"}"#, REQID).unwrap();
    let (value, _) = with(&Plain { event: "ping" }, REQID, &sid);
    assert_eq!(value, json!({"event": "ping", "reqid": "a\"b"}));
    // The same as through a `Value`.
    for message in [ping(Some(1)), ping(None)] {
        let mut expected = serde_json::to_value(&message).unwrap();
        expected["reqid"] = json!(7);
        assert_eq!(with(&message, REQID, &id).0, expected);
    }
}

#[test]
fn ids_go_down_nested_paths_maps_and_arrays() {
    let id = IdKind::String.id(3);
    let nested = |id: Option<String>| Nested {
        event: "e",
        meta: Some(Meta {
            tag: "t",
            id,
            list: vec![10, 20],
        }),
    };
    let at_id: &[Seg] = &[Seg::Key("meta"), Seg::Key("id")];
    for message in [nested(None), nested(Some("old".into()))] {
        let (value, _) = with(&message, at_id, &id);
        assert_eq!(
            value,
            json!({"event": "e", "meta": {"tag": "t", "id": "3", "list": [10, 20]}})
        );
    }
    let at_index: &[Seg] = &[Seg::Key("meta"), Seg::Key("list"), Seg::Index(1)];
    let (value, _) = with(&nested(None), at_index, &id);
    assert_eq!(value["meta"]["list"], json!([10, "3"]));
    // A tuple (Kraken's arrays) and the whole value.
    let (value, _) = with(&(1, "x", 2), &[Seg::Index(2)], &id);
    assert_eq!(value, json!([1, "x", "3"]));
    assert_eq!(with(&Plain { event: "e" }, &[], &id).0, json!("3"));
    // A map (a flattened struct serializes as one): replaced or added.
    let flat = |extra: Option<u64>| Flat {
        event: "e",
        rest: extra.map(|v| ("reqid".to_owned(), v)).into_iter().collect(),
    };
    let int = IdKind::Integer.id(9);
    assert_eq!(
        with(&flat(Some(1)), REQID, &int).1,
        r#"{"event":"e","reqid":9}"#
    );
    assert_eq!(
        with(&flat(None), REQID, &int).1,
        r#"{"event":"e","reqid":9}"#
    );
    let mut map = BTreeMap::new();
    map.insert("a", json!({"b": 1}));
    let (value, _) = with(&map, &[Seg::Key("a"), Seg::Key("b")], &int);
    assert_eq!(value, json!({"a": {"b": 9}}));
    // An externally tagged variant: through a `Value`, same result.
    let (value, _) = with(
        &External::Order { reqid: 1 },
        &[Seg::Key("Order"), Seg::Key("reqid")],
        &int,
    );
    assert_eq!(value, json!({"Order": {"reqid": 9}}));
}

#[test]
fn no_place_for_an_id_is_an_error() {
    let id = IdKind::Integer.id(1);
    let no_place = |result: Result<String, Failure>| matches!(result, Err(Failure::NoPlace));
    let deep: &[Seg] = &[Seg::Key("a"), Seg::Key("b")];
    assert!(no_place(encode(&Plain { event: "e" }, deep, &id)));
    assert!(no_place(encode(&json!({"a": 5}), deep, &id)));
    assert!(no_place(encode(&json!({"a": null}), deep, &id)));
    let absent = Nested {
        event: "e",
        meta: None,
    };
    assert!(no_place(encode(
        &absent,
        &[Seg::Key("meta"), Seg::Key("id")],
        &id
    )));
    assert!(no_place(encode(&[1, 2], &[Seg::Index(2)], &id)));
    assert!(no_place(encode(&[1, 2], REQID, &id)));
    assert!(no_place(encode(&"text", REQID, &id)));
    assert!(no_place(encode(
        &External::Order { reqid: 1 },
        &[Seg::Key("Other"), Seg::Key("reqid")],
        &id
    )));
    assert_eq!(
        PathDisplay(&[Seg::Key("a/b"), Seg::Index(3)]).to_string(),
        "/a~1b/3"
    );
}

#[test]
fn ids_read_as_the_types_of_the_fields_that_hold_them() {
    let int = IdKind::Integer.id(42);
    assert_eq!(int.parse::<u64>(), Some(42));
    assert_eq!(int.parse::<Option<u64>>(), Some(Some(42)));
    assert_eq!(int.parse::<i32>(), Some(42));
    assert_eq!(int.parse::<u8>(), Some(42));
    assert_eq!(IdKind::Integer.id(300).parse::<u8>(), None, "out of range");
    assert_eq!(int.parse::<String>(), None, "an integer is no string");
    let string = IdKind::String.id(7);
    assert_eq!(string.parse::<String>().as_deref(), Some("7"));
    assert_eq!(string.parse::<Option<String>>(), Some(Some("7".into())));
    assert_eq!(string.parse::<u64>(), None, "a string is no integer");
    let found = CorrelationId::find(r#"{"reqid":-7}"#, REQID).unwrap();
    assert_eq!(found.parse::<i64>(), Some(-7));
    assert_eq!(found.parse::<u64>(), None);
    let escaped = CorrelationId::find(r#"{"reqid":"a\"b"}"#, REQID).unwrap();
    assert_eq!(escaped.parse::<String>().as_deref(), Some("a\"b"));
}
