//! Reading an object frame's members by key: the values of the members
//! asked about as [`Val`]s (containers stepped over, arrays counted), the
//! others stepped over, and which keys the object has.

use super::scan::{skip_ws, string, value, value_end};
use super::val::{position, Keys, Val};

/// Reads the members with the `asked` keys of an object frame, and which
/// keys it has (of a key given twice, the last value); `None` if the frame
/// is no object, or where the reader gives up on text that is no JSON
/// (what follows the object is not read: the frame is decoded by
/// serde_json afterwards, which validates it).
pub fn members<'a, const N: usize>(
    frame: &'a str,
    asked: &[&str; N],
) -> Option<([Val<'a>; N], Keys)> {
    let bytes = frame.as_bytes();
    let mut at = skip_ws(bytes, 0);
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    let mut values = std::array::from_fn(|_| Val::Absent);
    let mut keys = Keys {
        complete: true,
        ..Keys::default()
    };
    at = skip_ws(bytes, at + 1);
    if bytes.get(at) == Some(&b'}') {
        return Some((values, keys));
    }
    loop {
        if bytes.get(at) != Some(&b'"') {
            return None;
        }
        let (end, key) = string(frame, at)?;
        at = skip_ws(bytes, end);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        at = skip_ws(bytes, at + 1);
        let end = match position(asked, &key).filter(|&i| i < 64) {
            Some(i) => {
                keys.present |= 1 << i;
                let (end, val) = value(frame, at)?;
                values[i] = val;
                end
            }
            None => {
                keys.other = true;
                value_end(bytes, at)?
            }
        };
        at = skip_ws(bytes, end);
        match bytes.get(at)? {
            b',' => at = skip_ws(bytes, at + 1),
            b'}' => return Some((values, keys)),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::first_byte;

    #[test]
    fn members_are_read_by_key() {
        let (vals, keys) = members(
            r#"{"x":[1,2],"event":"p\u0069ng","n":1.5,"o":{"a":1}}"#,
            &["event", "x", "o", "none"],
        )
        .unwrap();
        assert_eq!(vals[0], Val::Str("ping".into()));
        assert_eq!(vals[1], Val::Array(Some(2)));
        assert_eq!(vals[2], Val::Object(None));
        assert_eq!(vals[3], Val::Absent);
        assert_eq!(
            keys,
            Keys {
                present: 0b111,
                other: true,
                complete: true,
            }
        );
        assert!(members("[1]", &["a"]).is_none());
        assert!(members(r#"{"a":}"#, &["a"]).is_none());
        assert!(members(r#"{"a":1 "b":2}"#, &["a"]).is_none());
        assert!(members(r#"{"a" 1}"#, &["a"]).is_none());
        let (vals, keys) = members(r#" { } "#, &["a"]).unwrap();
        assert_eq!(
            (vals[0].clone(), keys.present, keys.other),
            (Val::Absent, 0, false)
        );
        let (vals, _) = members(r#"{"a":1,"a":"two"}"#, &["a"]).unwrap();
        assert_eq!(vals[0], Val::Str("two".into()));
        assert_eq!(first_byte(" \n[1]"), b'[');
        assert_eq!(first_byte("  "), 0);
    }
}
