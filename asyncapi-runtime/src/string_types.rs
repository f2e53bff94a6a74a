//! The conversions of generated string types, written once: the
//! [`string_enum!`](crate::string_enum!) and
//! [`pattern_string!`](crate::pattern_string!) macros. Both are invoked in a
//! generated `types` module, whose `error::ConversionError` they return.

/// Implements `Display`, `FromStr`, `TryFrom<&str>` and `TryFrom<String>`
/// for a generated enum of strings (each variant serde-renamed to its
/// value). Given `enum`, it declares the enum too, with the derives and
/// serde attributes typify gives it (in a generated module, where `rt` is
/// the runtime's `__private`):
///
/// ```ignore
/// rt::string_enum! {
///     /// Direction of an order.
///     pub enum Side { Buy = "buy", Sell = "sell" }
/// }
/// ```
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$attr:meta])*
        $vis:vis enum $name:ident { $($(#[$vattr:meta])* $variant:ident = $value:literal),* $(,)? }
    ) => {
        $(#[$attr])*
        #[derive(
            $crate::__private::serde::Deserialize,
            $crate::__private::serde::Serialize,
            Clone,
            Copy,
            Debug,
            Eq,
            Hash,
            Ord,
            PartialEq,
            PartialOrd
        )]
        #[serde(crate = "rt::serde")]
        $vis enum $name {
            $($(#[$vattr])* #[serde(rename = $value)] $variant,)*
        }

        $crate::string_enum! { $name { $($variant = $value),* } }
    };
    ($name:ident { $($variant:ident = $value:literal),* $(,)? }) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match *self {
                    $(Self::$variant => f.write_str($value),)*
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = self::error::ConversionError;

            fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                match value {
                    $($value => ::std::result::Result::Ok(Self::$variant),)*
                    _ => ::std::result::Result::Err("invalid value".into()),
                }
            }
        }

        $crate::__try_from_str!($name);
    };
}

/// Implements `FromStr` (checking the pattern), `TryFrom<&str>`,
/// `TryFrom<String>` and serde's `Deserialize` (through `FromStr`) for a
/// generated `String` newtype whose values must match a pattern. Given
/// `struct`, it declares the newtype too (a private `String`, with the
/// derives and serde attributes typify gives it, and
/// [`newtype!`](crate::newtype!)'s impls), in a generated module:
///
/// ```ignore
/// rt::pattern_string! {
///     /// A pair, `BASE/QUOTE`.
///     pub struct Pair("^[A-Z]+/[A-Z]+$");
/// }
/// ```
#[macro_export]
macro_rules! pattern_string {
    ($(#[$attr:meta])* $vis:vis struct $name:ident($pattern:literal);) => {
        $(#[$attr])*
        #[derive($crate::__private::serde::Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
        #[serde(transparent)]
        #[serde(crate = "rt::serde")]
        $vis struct $name(::std::string::String);

        $crate::newtype! { $name(::std::string::String) }
        $crate::pattern_string! { $name($pattern) }
    };
    ($name:ident($pattern:literal)) => {
        impl ::std::str::FromStr for $name {
            type Err = self::error::ConversionError;

            fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                static PATTERN: ::std::sync::LazyLock<
                    ::std::option::Option<$crate::__private::regress::Regex>,
                > = ::std::sync::LazyLock::new(|| {
                    $crate::__private::regress::Regex::new($pattern).ok()
                });
                match &*PATTERN {
                    ::std::option::Option::Some(regex) if regex.find(value).is_some() => {}
                    ::std::option::Option::Some(_) => {
                        return ::std::result::Result::Err(
                            concat!("doesn't match pattern \"", $pattern, "\"").into(),
                        );
                    }
                    ::std::option::Option::None => {
                        return ::std::result::Result::Err(
                            concat!(
                                "the pattern \"",
                                $pattern,
                                "\" is no regular expression regress reads"
                            )
                            .into(),
                        );
                    }
                }
                ::std::result::Result::Ok(Self(value.to_string()))
            }
        }

        $crate::__try_from_str!($name);

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                <::std::string::String as $crate::__private::serde::Deserialize>::deserialize(
                    deserializer,
                )?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as $crate::__private::serde::de::Error>::custom(e.to_string())
                })
            }
        }
    };
}

/// `TryFrom<&str>` and `TryFrom<String>` through `FromStr`.
#[doc(hidden)]
#[macro_export]
macro_rules! __try_from_str {
    ($name:ident) => {
        impl ::std::convert::TryFrom<&str> for $name {
            type Error = self::error::ConversionError;

            fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                value.parse()
            }
        }

        impl ::std::convert::TryFrom<::std::string::String> for $name {
            type Error = self::error::ConversionError;

            fn try_from(
                value: ::std::string::String,
            ) -> ::std::result::Result<Self, self::error::ConversionError> {
                value.parse()
            }
        }
    };
}
