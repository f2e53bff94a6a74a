//! The conversions of generated newtypes, written once: the
//! [`newtype!`](crate::newtype!) macro.

/// Implements `Deref` to the inner type and `From` the newtype into it for
/// a generated tuple struct of one field; with `from`, also `From` the inner
/// type (a newtype whose every inner value is valid; constrained ones check
/// through `TryFrom` instead).
///
/// ```
/// pub struct Level(pub (u8, u8));
/// asyncapi_runtime::newtype! { Level((u8, u8)), from }
/// let level = Level::from((1, 2));
/// assert_eq!(level.0, (1, 2));
/// assert_eq!(<(u8, u8)>::from(level), (1, 2));
/// ```
#[macro_export]
macro_rules! newtype {
    ($name:ident($inner:ty)) => {
        impl ::std::ops::Deref for $name {
            type Target = $inner;

            fn deref(&self) -> &$inner {
                &self.0
            }
        }

        impl ::std::convert::From<$name> for $inner {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    };
    ($name:ident($inner:ty), from) => {
        $crate::newtype! { $name($inner) }

        impl ::std::convert::From<$inner> for $name {
            fn from(value: $inner) -> Self {
                Self(value)
            }
        }
    };
}
