//! Serialization of properties whose schema is a `const` (or a one-value
//! `enum`).
//!
//! The generator turns each such property into a unit struct whose
//! `Serialize` always writes the value and whose `Deserialize` checks it, so
//! users never write `"ping"` by hand and encoding always emits it. The
//! struct and its impls are written by the [`constant!`](crate::constant!)
//! macro; the impls call [`serialize`] and [`deserialize`].

use crate::dispatch::Lit;

/// Declares a constant's unit struct (what generated `types::consts`
/// holds), documented with its value: `VALUE`, a `Serialize` that always
/// writes it, and a `Deserialize` that checks it (with `optional`, an absent or `null` value
/// is accepted too: the property was optional in the schema, but the field
/// always writes its value).
///
/// ```
/// asyncapi_runtime::constant! {
///     pub struct EventPing: str = "ping";
/// }
/// asyncapi_runtime::constant! {
///     pub struct VersionOne: i64 = 1, optional;
/// }
/// assert_eq!(EventPing::VALUE, "ping");
/// assert_eq!(serde_json::to_string(&EventPing).unwrap(), r#""ping""#);
/// assert!(serde_json::from_str::<EventPing>(r#""pong""#).is_err());
/// assert!(serde_json::from_str::<VersionOne>("null").is_ok());
/// ```
///
/// One invocation may declare several constants, one after the other; the
/// `;` after the last may be left out (`constant!(pub struct A: str = "a")`).
///
/// The value's type is one of `str`, `bool`, `i64`, `u64`, `f64` and `null`
/// (whose `VALUE` is `()`).
#[macro_export]
macro_rules! constant {
    (@one [] $(#[$meta:meta])* $vis:vis struct $name:ident: $kind:tt = $value:expr) => {
        $crate::constant! {
            @item $(#[$meta])*
            #[doc = concat!("Always `", stringify!($value), "`.")]
            $vis struct $name: $kind = $value, true
        }
    };
    (@one [optional] $(#[$meta:meta])* $vis:vis struct $name:ident: $kind:tt = $value:expr) => {
        $crate::constant! {
            @item $(#[$meta])*
            #[doc = concat!("Always `", stringify!($value), "` when written; may be absent when read.")]
            $vis struct $name: $kind = $value, false
        }
    };
    (@item $(#[$meta:meta])* $vis:vis struct $name:ident: $kind:tt = $value:expr, $required:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis struct $name;

        impl $name {
            /// The value.
            pub const VALUE: $crate::constant!(@type $kind) = $value;
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error>
            where
                S: $crate::__private::serde::Serializer,
            {
                $crate::constant::serialize(&$crate::constant!(@lit $kind Self::VALUE), serializer)
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                static VALUE: $crate::dispatch::Lit = $crate::constant!(@lit $kind $name::VALUE);
                $crate::constant::deserialize(&VALUE, $required, deserializer).map(|()| $name)
            }
        }
    };
    (@type str) => { &'static str };
    (@type null) => { () };
    (@type $kind:ty) => { $kind };
    (@lit str $value:expr) => { $crate::dispatch::Lit::Str($value) };
    (@lit bool $value:expr) => { $crate::dispatch::Lit::Bool($value) };
    (@lit i64 $value:expr) => { $crate::dispatch::Lit::Int($value) };
    (@lit u64 $value:expr) => { $crate::dispatch::Lit::UInt($value) };
    (@lit f64 $value:expr) => { $crate::dispatch::Lit::Float($value) };
    (@lit null $value:expr) => { $crate::dispatch::Lit::Null };
    ($(#[$meta:meta])* $vis:vis struct $name:ident: $kind:tt = $value:expr $(, $flag:ident)?) => {
        $crate::constant! { @one [$($flag)?] $(#[$meta])* $vis struct $name: $kind = $value }
    };
    ($($(#[$meta:meta])* $vis:vis struct $name:ident: $kind:tt = $value:expr $(, $flag:ident)?;)+) => {
        $($crate::constant! { @one [$($flag)?] $(#[$meta])* $vis struct $name: $kind = $value })+
    };
}
use serde::de::{self, Deserializer, Visitor};
use serde::Serializer;
use std::fmt;

/// Writes `lit`.
pub fn serialize<S: Serializer>(lit: &Lit, serializer: S) -> Result<S::Ok, S::Error> {
    match *lit {
        Lit::Null => serializer.serialize_unit(),
        Lit::Bool(b) => serializer.serialize_bool(b),
        Lit::Int(i) => serializer.serialize_i64(i),
        Lit::UInt(u) => serializer.serialize_u64(u),
        Lit::Float(f) => serializer.serialize_f64(f),
        Lit::Str(s) => serializer.serialize_str(s),
    }
}

/// Reads a value and checks that it equals `lit`.
///
/// When `required` is false, an absent value (a missing field, or `null`)
/// is accepted too: the property was optional in the schema, but the Rust
/// field always writes it.
pub fn deserialize<'de, D: Deserializer<'de>>(
    lit: &'static Lit,
    required: bool,
    deserializer: D,
) -> Result<(), D::Error> {
    let visitor = ConstVisitor { lit };
    if required {
        deserializer.deserialize_any(visitor)
    } else {
        deserializer.deserialize_option(OptionalConst { lit })
    }
}

struct ConstVisitor {
    lit: &'static Lit,
}

impl ConstVisitor {
    fn mismatch<E: de::Error>(&self, unexpected: de::Unexpected<'_>) -> E {
        E::invalid_value(unexpected, self)
    }

    fn number<E: de::Error>(&self, value: f64, unexpected: de::Unexpected<'_>) -> Result<(), E> {
        let expected = match *self.lit {
            Lit::Int(i) => i as f64,
            Lit::UInt(u) => u as f64,
            Lit::Float(f) => f,
            _ => return Err(self.mismatch(unexpected)),
        };
        if value == expected {
            Ok(())
        } else {
            Err(self.mismatch(unexpected))
        }
    }
}

impl<'de> Visitor<'de> for ConstVisitor {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.lit {
            Lit::Null => f.write_str("null"),
            Lit::Bool(b) => write!(f, "{b}"),
            Lit::Int(i) => write!(f, "{i}"),
            Lit::UInt(u) => write!(f, "{u}"),
            Lit::Float(x) => write!(f, "{x}"),
            Lit::Str(s) => write!(f, "{s:?}"),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        match self.lit {
            Lit::Str(s) if *s == v => Ok(()),
            _ => Err(self.mismatch(de::Unexpected::Str(v))),
        }
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        match self.lit {
            Lit::Bool(b) if *b == v => Ok(()),
            _ => Err(self.mismatch(de::Unexpected::Bool(v))),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        match *self.lit {
            Lit::Int(i) if i == v => Ok(()),
            Lit::Float(_) => self.number(v as f64, de::Unexpected::Signed(v)),
            _ => Err(self.mismatch(de::Unexpected::Signed(v))),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        match *self.lit {
            Lit::UInt(u) if u == v => Ok(()),
            Lit::Int(i) if i >= 0 && i as u64 == v => Ok(()),
            Lit::Float(_) => self.number(v as f64, de::Unexpected::Unsigned(v)),
            _ => Err(self.mismatch(de::Unexpected::Unsigned(v))),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.number(v, de::Unexpected::Float(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        match self.lit {
            Lit::Null => Ok(()),
            _ => Err(self.mismatch(de::Unexpected::Unit)),
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }
}

struct OptionalConst {
    lit: &'static Lit,
}

impl<'de> Visitor<'de> for OptionalConst {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("nothing, or ")?;
        ConstVisitor { lit: self.lit }.expecting(f)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(ConstVisitor { lit: self.lit })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Default, PartialEq)]
    struct Ping;
    static PING: Lit = Lit::Str("ping");
    impl Serialize for Ping {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            serialize(&PING, s)
        }
    }
    impl<'de> Deserialize<'de> for Ping {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            deserialize(&PING, true, d).map(|()| Ping)
        }
    }

    #[derive(Debug, Default, PartialEq)]
    struct MaybePing;
    impl Serialize for MaybePing {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            serialize(&PING, s)
        }
    }
    impl<'de> Deserialize<'de> for MaybePing {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            deserialize(&PING, false, d).map(|()| MaybePing)
        }
    }

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Frame {
        event: Ping,
        reqid: Option<u64>,
    }

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct LenientFrame {
        event: MaybePing,
    }

    #[test]
    fn required_constant_is_written_and_checked() {
        let frame = Frame {
            event: Ping,
            reqid: Some(1),
        };
        assert_eq!(
            serde_json::to_string(&frame).unwrap(),
            r#"{"event":"ping","reqid":1}"#
        );
        assert_eq!(
            serde_json::from_str::<Frame>(r#"{"event":"ping","reqid":1}"#).unwrap(),
            frame
        );
        let err = serde_json::from_str::<Frame>(r#"{"event":"pong"}"#).unwrap_err();
        assert!(err.to_string().contains("\"ping\""), "{err}");
        let err = serde_json::from_str::<Frame>(r#"{"reqid":1}"#).unwrap_err();
        assert!(err.to_string().contains("missing field `event`"), "{err}");
        let value = serde_json::json!({"event": "ping", "reqid": 1});
        assert_eq!(serde_json::from_value::<Frame>(value).unwrap(), frame);
    }

    #[test]
    fn optional_constant_may_be_absent_but_not_wrong() {
        assert_eq!(
            serde_json::from_str::<LenientFrame>("{}").unwrap(),
            LenientFrame { event: MaybePing }
        );
        assert_eq!(
            serde_json::from_value::<LenientFrame>(serde_json::json!({})).unwrap(),
            LenientFrame { event: MaybePing }
        );
        assert!(serde_json::from_str::<LenientFrame>(r#"{"event":"heartbeat"}"#).is_err());
        assert_eq!(
            serde_json::to_string(&LenientFrame { event: MaybePing }).unwrap(),
            r#"{"event":"ping"}"#
        );
    }

    #[test]
    fn numbers_compare_by_value() {
        static ONE: Lit = Lit::Int(1);
        let mut de = serde_json::Deserializer::from_str("1.0");
        assert!(deserialize(&ONE, true, &mut de).is_ok());
        let mut de = serde_json::Deserializer::from_str("2");
        assert!(deserialize(&ONE, true, &mut de).is_err());
    }
}
