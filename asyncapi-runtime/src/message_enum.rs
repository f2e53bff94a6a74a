//! What every generated message enum offers, written once: the
//! [`message_impls!`](crate::message_impls!) macro.

/// Implements a generated message enum's methods and traits: `VARIANTS`,
/// `from_json`, `from_value`, `to_json`, `variant_name`, serde's
/// `Serialize`/`Deserialize`, `FromStr`, [`Message`](crate::Message), and
/// `From` each payload type that only one variant holds (marked `from`).
/// Correlation ids are given by their path in the payload, as the
/// [`Seg`](crate::dispatch::Seg)s that lead to them, and `in field` when
/// one field of the payload struct holds them (an integer or a string, or
/// an `Option` of one): requests then set that field rather than writing
/// the id while encoding. `schemas(expr)` (a
/// `&'static` [`Schemas`](crate::validate::Schemas), one per variant) makes
/// servers validate frames of the enum before their handlers see them.
///
/// The generated code declares the enum itself (with the messages' docs)
/// and, in an `impl` block of its own, the selection the decoding relies
/// on: `__pick(frame) -> u64` (the variants a frame may be, bit `i` for
/// variant `i`) and `__SELECTION` (what explains a frame no variant fits).
///
/// ```ignore
/// rt::message_impls! {
///     ClientMessage, correlation_paths [(Key("reqid"))];
///     Ping(types::Ping) correlated(Integer, Key("reqid")) in reqid, from;
///     Subscribe(types::Subscribe), from;
/// }
/// ```
#[macro_export]
macro_rules! message_impls {
    (
        $name:ident, correlation_paths [$(($($pseg:ident($parg:expr)),*)),* $(,)?] $(, schemas($schemas:expr))?;
        $( $variant:ident($ty:ty) $(correlated($kind:ident, $($seg:ident($arg:expr)),*) $(in $field:ident)?)? $(, $from:ident)?; )*
    ) => {
        impl $name {
            /// The names of the variants, in order.
            pub const VARIANTS: &'static [&'static str] = &[$(stringify!($variant)),*];

            /// Decodes a text frame, choosing the variant by the values that
            /// tell the messages apart.
            pub fn from_json(frame: &str) -> ::std::result::Result<Self, $crate::dispatch::DecodeError> {
                $crate::dispatch::decode_str(frame, Self::__pick(frame), &Self::__SELECTION, |index, deserializer| {
                    Self::__decode(index, deserializer)
                })
            }

            /// Decodes an already-parsed JSON value, like [`Self::from_json`].
            pub fn from_value(
                value: &$crate::__private::serde_json::Value,
            ) -> ::std::result::Result<Self, $crate::dispatch::DecodeError> {
                $crate::dispatch::decode_value(value, &Self::__SELECTION, |index, value| Self::__decode(index, value))
            }

            /// Decodes the variant at `index`.
            #[allow(unused_assignments, unused_mut, unused_variables)]
            fn __decode<'de, D>(index: usize, deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                let mut at = 0usize;
                $(
                    if index == at {
                        return <$ty as $crate::__private::serde::Deserialize>::deserialize(deserializer)
                            .map(Self::$variant);
                    }
                    at += 1;
                )*
                ::std::result::Result::Err(<D::Error as $crate::__private::serde::de::Error>::custom(
                    "no such variant",
                ))
            }

            /// Encodes the message as a JSON text frame.
            pub fn to_json(&self) -> ::std::result::Result<::std::string::String, $crate::__private::serde_json::Error> {
                $crate::__private::serde_json::to_string(self)
            }

            /// The name of this message's variant.
            pub fn variant_name(&self) -> &'static str {
                match *self {
                    $(Self::$variant(_) => stringify!($variant),)*
                }
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error>
            where
                S: $crate::__private::serde::Serializer,
            {
                match *self {
                    $(Self::$variant(ref message) => $crate::__private::serde::Serialize::serialize(message, serializer),)*
                }
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                let value = <$crate::__private::serde_json::Value as $crate::__private::serde::Deserialize>::deserialize(deserializer)?;
                Self::from_value(&value).map_err(<D::Error as $crate::__private::serde::de::Error>::custom)
            }
        }

        impl $crate::message::Message for $name {
            const ENUM_NAME: &'static str = stringify!($name);
            const CORRELATION_PATHS: &'static [&'static [$crate::dispatch::Seg]] = &[$(&[$($crate::dispatch::Seg::$pseg($parg)),*]),*];

            fn from_json(frame: &str) -> ::std::result::Result<Self, $crate::dispatch::DecodeError> {
                Self::from_json(frame)
            }

            fn to_json(&self) -> ::std::result::Result<::std::string::String, $crate::__private::serde_json::Error> {
                Self::to_json(self)
            }

            fn variant_name(&self) -> &'static str {
                Self::variant_name(self)
            }

            fn correlation(&self) -> ::std::option::Option<$crate::message::Correlation> {
                match *self {
                    $(Self::$variant(_) => $crate::__message_correlation!($($kind $($seg($arg)),*)?),)*
                }
            }

            #[allow(unused_variables)]
            #[inline]
            fn set_correlation_id(&mut self, id: &$crate::message::CorrelationId) -> bool {
                match *self {
                    $(Self::$variant(ref mut message) => $crate::__message_set_id!(message, id $($(, $field)?)?),)*
                }
            }

            fn variants() -> &'static [&'static str] {
                Self::VARIANTS
            }

            $(
                fn schemas() -> ::std::option::Option<&'static $crate::validate::Schemas> {
                    ::std::option::Option::Some($schemas)
                }
            )?
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::dispatch::DecodeError;

            fn from_str(frame: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::from_json(frame)
            }
        }

        $($( $crate::__message_from!($from $name $variant $ty); )?)*
    };
}

/// A variant's correlation for [`message_impls!`](crate::message_impls!).
#[doc(hidden)]
#[macro_export]
macro_rules! __message_correlation {
    () => {
        ::std::option::Option::None
    };
    ($kind:ident $($seg:ident($arg:expr)),*) => {
        ::std::option::Option::Some($crate::message::Correlation {
            path: &[$($crate::dispatch::Seg::$seg($arg)),*],
            kind: $crate::message::IdKind::$kind,
        })
    };
}

/// Writes a correlation id into the payload field that holds it, for
/// [`message_impls!`](crate::message_impls!): `false` for a variant
/// without such a field, or an id that does not read as its type.
#[doc(hidden)]
#[macro_export]
macro_rules! __message_set_id {
    ($message:ident, $id:ident) => {
        false
    };
    ($message:ident, $id:ident, $field:ident) => {
        match $id.parse() {
            ::std::option::Option::Some(value) => {
                $message.$field = value;
                true
            }
            ::std::option::Option::None => false,
        }
    };
}

/// A `From` impl for [`message_impls!`](crate::message_impls!).
#[doc(hidden)]
#[macro_export]
macro_rules! __message_from {
    (from $name:ident $variant:ident $ty:ty) => {
        impl ::std::convert::From<$ty> for $name {
            fn from(message: $ty) -> Self {
                Self::$variant(message)
            }
        }
    };
}

/// Implements the conversions of a generated reply enum (the replies one
/// request may get, e.g. `SubscribeReply`) to and from the channel's
/// `ServerMessage`, and `From` each payload type only one variant holds
/// (marked `from`).
///
/// ```ignore
/// rt::reply_impls! {
///     SubscribeReply;
///     SubscriptionStatus(types::SubscriptionStatus), from;
///     SubscriptionStatusError(types::SubscriptionStatusError), from;
/// }
/// ```
#[macro_export]
macro_rules! reply_impls {
    ($name:ident; $( $variant:ident($ty:ty) $(, $from:ident)?; )*) => {
        impl ::std::convert::From<$name> for ServerMessage {
            fn from(reply: $name) -> Self {
                match reply {
                    $($name::$variant(message) => ServerMessage::$variant(message),)*
                }
            }
        }

        impl ::std::convert::TryFrom<ServerMessage> for $name {
            type Error = ServerMessage;

            fn try_from(message: ServerMessage) -> ::std::result::Result<Self, ServerMessage> {
                match message {
                    $(ServerMessage::$variant(message) => ::std::result::Result::Ok($name::$variant(message)),)*
                    other => ::std::result::Result::Err(other),
                }
            }
        }

        $($( $crate::__message_from!($from $name $variant $ty); )?)*
    };
}
