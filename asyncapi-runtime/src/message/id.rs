//! Correlation ids: [`CorrelationId`], kept as canonical JSON text (inline
//! when short, so a request's integer id allocates nothing; a `u64` also as
//! its value, so writing it parses nothing), read from a frame in place
//! without building a `serde_json::Value`.

use crate::dispatch::Seg;
use serde::de::{self, IgnoredAny};
use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::io::{self, Write as _};

/// How many bytes of JSON text an id holds without allocating (any `u64`,
/// `i64`, and short strings).
const INLINE: usize = 22;

/// A correlation id as found in a frame: a JSON scalar, kept as canonical
/// JSON text (`42`, `"a1"`, written the way serde_json writes them,
/// whatever escapes or exponents the sender used), so that ids compare by
/// value whatever their type: `42` and `"42"` differ, `4.2e1` is `42.0`.
#[derive(Clone)]
pub struct CorrelationId(Text);

/// The canonical text; the same text is always stored the same way.
#[derive(Clone)]
enum Text {
    /// A JSON integer in `u64` (digits only), kept with its value so that
    /// writing it parses nothing.
    Integer {
        n: u64,
        len: u8,
        bytes: [u8; U64_DIGITS],
    },
    Inline {
        len: u8,
        bytes: [u8; INLINE],
    },
    Heap(Box<str>),
}

/// The most digits a `u64` has.
const U64_DIGITS: usize = 20;

impl CorrelationId {
    /// Reads the id at `path` of a text frame, without parsing the rest of it.
    pub fn find(frame: &str, path: &[Seg]) -> Option<CorrelationId> {
        let mut de = serde_json::Deserializer::from_str(frame);
        de::DeserializeSeed::deserialize(At(path), &mut de).ok()?
    }

    /// Reads the id of a frame that may carry it at any of `paths` (the
    /// first found).
    pub fn find_any(frame: &str, paths: &[&[Seg]]) -> Option<CorrelationId> {
        paths.iter().find_map(|path| Self::find(frame, path))
    }

    /// The id as a JSON value.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(self.as_json()).unwrap_or(serde_json::Value::Null)
    }

    /// The id as JSON text, e.g. `42` or `"a1"`.
    pub fn as_json(&self) -> &str {
        match &self.0 {
            // Only whole UTF-8 texts are stored.
            Text::Integer { .. } | Text::Inline { .. } => {
                std::str::from_utf8(self.bytes()).unwrap_or_default()
            }
            Text::Heap(text) => text,
        }
    }

    /// The id as a value of `T` (e.g. `u64`, `Option<String>`), when it
    /// reads as one: how generated code writes a request's id into the
    /// payload field that holds it.
    #[inline]
    pub fn parse<T: de::DeserializeOwned>(&self) -> Option<T> {
        match self.0 {
            // The common case, cheaply: an integer id, kept with its value.
            Text::Integer { n, .. } => T::deserialize(Integer(n)).ok(),
            _ => serde_json::from_str(self.as_json()).ok(),
        }
    }

    #[inline]
    fn bytes(&self) -> &[u8] {
        match &self.0 {
            Text::Integer { len, bytes, .. } => &bytes[..usize::from(*len)],
            Text::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Text::Heap(text) => text.as_bytes(),
        }
    }

    /// The id `n` as a JSON integer.
    pub(crate) fn integer(n: u64) -> CorrelationId {
        Self::written(|w| write!(w, "{n}"))
    }

    /// The id `n` as a JSON string.
    pub(crate) fn string(n: u64) -> CorrelationId {
        Self::written(|w| write!(w, "\"{n}\""))
    }

    /// A scalar as serde_json writes it.
    fn of<T: serde::Serialize + ?Sized>(scalar: &T) -> CorrelationId {
        Self::written(|w| serde_json::to_writer(w, scalar).map_err(io::Error::other))
    }

    fn written(write: impl FnOnce(&mut Writer) -> io::Result<()>) -> CorrelationId {
        let mut w = Writer {
            len: 0,
            bytes: [0; INLINE],
            heap: Vec::new(),
        };
        // Writing to memory does not fail, and what is written is UTF-8.
        let _ = write(&mut w);
        if w.heap.is_empty() {
            let text = &w.bytes[..w.len];
            if let Some(n) = digits_u64(text) {
                let mut bytes = [0; U64_DIGITS];
                // At most 20 digits: a `u64`.
                bytes[..text.len()].copy_from_slice(text);
                return CorrelationId(Text::Integer {
                    n,
                    len: w.len as u8,
                    bytes,
                });
            }
            CorrelationId(Text::Inline {
                len: w.len as u8,
                bytes: w.bytes,
            })
        } else {
            let text = String::from_utf8(w.heap)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            CorrelationId(Text::Heap(text.into_boxed_str()))
        }
    }
}

/// Collects JSON text inline while it fits, on the heap after.
struct Writer {
    len: usize,
    bytes: [u8; INLINE],
    heap: Vec<u8>,
}

impl io::Write for Writer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.heap.is_empty() && self.len + buf.len() <= INLINE {
            self.bytes[self.len..self.len + buf.len()].copy_from_slice(buf);
            self.len += buf.len();
        } else {
            if self.heap.is_empty() {
                self.heap.extend_from_slice(&self.bytes[..self.len]);
            }
            self.heap.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl PartialEq for CorrelationId {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for CorrelationId {}

impl Hash for CorrelationId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.bytes().hash(state);
    }
}

impl fmt::Debug for CorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CorrelationId")
            .field(&self.as_json())
            .finish()
    }
}

impl fmt::Display for CorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_json())
    }
}

/// Serializes as the JSON value it is (`42` as a number, `"a1"` as a string).
impl serde::Serialize for CorrelationId {
    #[inline]
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The common case, cheaply: an integer id, kept with its value.
        if let Text::Integer { n, .. } = self.0 {
            return serializer.serialize_u64(n);
        }
        self.serialize_text(serializer)
    }
}

impl CorrelationId {
    /// Serializes an id other than a `u64` from its text.
    #[inline(never)]
    fn serialize_text<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self.as_json();
        let invalid = |e: &dyn fmt::Display| {
            <S::Error as serde::ser::Error>::custom(format!("correlation id {text}: {e}"))
        };
        match text.as_bytes().first() {
            Some(b'"') => match serde_json::from_str::<Cow<'_, str>>(text) {
                Ok(s) => serializer.serialize_str(&s),
                Err(e) => Err(invalid(&e)),
            },
            Some(b't') => serializer.serialize_bool(true),
            Some(b'f') => serializer.serialize_bool(false),
            _ => {
                // Canonical numbers: integers as written, others as the
                // shortest text of their f64 (which reads back exactly).
                if let Ok(n) = text.parse::<u64>() {
                    serializer.serialize_u64(n)
                } else if let Ok(n) = text.parse::<i64>() {
                    serializer.serialize_i64(n)
                } else {
                    match text.parse::<f64>() {
                        Ok(x) => serializer.serialize_f64(x),
                        Err(e) => Err(invalid(&e)),
                    }
                }
            }
        }
    }
}

/// The number that `bytes`, ASCII digits only, write (`None` for anything
/// else, a leading zero, or beyond `u64`).
fn digits_u64(bytes: &[u8]) -> Option<u64> {
    // Canonical integers have no leading zero (but `0` is one).
    if bytes.is_empty() || (bytes[0] == b'0' && bytes.len() > 1) {
        return None;
    }
    bytes.iter().try_fold(0u64, |n, &b| {
        let digit = b.checked_sub(b'0').filter(|d| *d < 10)?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// Reads the id at a path of a frame through serde_json, skipping the
/// rest (`None` inside: no such place, or no scalar there).
struct At<'p>(&'p [Seg]);

impl<'de> de::DeserializeSeed<'de> for At<'_> {
    type Value = Option<CorrelationId>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        match self.0.first() {
            None => deserializer.deserialize_any(self),
            Some(Seg::Key(_)) => deserializer.deserialize_map(self),
            Some(Seg::Index(_)) => deserializer.deserialize_seq(self),
        }
    }
}

impl<'de> de::Visitor<'de> for At<'_> {
    type Value = Option<CorrelationId>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (Some(Seg::Key(want)), rest) = (self.0.first(), self.0.get(1..).unwrap_or_default())
        else {
            // An object where the id would be: no id.
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(None);
        };
        let mut found = None;
        while let Some(here) = map.next_key_seed(KeyIs(want))? {
            if here {
                found = map.next_value_seed(At(rest))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let (Some(Seg::Index(want)), rest) = (self.0.first(), self.0.get(1..).unwrap_or_default())
        else {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(None);
        };
        let mut found = None;
        let mut i = 0;
        loop {
            let next = if i == *want {
                seq.next_element_seed(At(rest))?.map(|f| found = f)
            } else {
                seq.next_element::<IgnoredAny>()?.map(drop)
            };
            if next.is_none() {
                return Ok(found);
            }
            i += 1;
        }
    }

    // Scalars: the id when the path ends here, else no place for it.

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(self.0.is_empty().then(|| CorrelationId::of(&v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(self.0.is_empty().then(|| CorrelationId::of(&v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(self.0.is_empty().then(|| CorrelationId::of(&v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(self.0.is_empty().then(|| CorrelationId::of(&v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.is_empty().then(|| CorrelationId::of(v)))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// Whether an object key is `.0`, read without allocating (escaped keys are
/// unescaped by serde_json into its scratch space).
struct KeyIs<'w>(&'w str);

impl<'de> de::DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> de::Visitor<'de> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

/// An integer id read as a value (of any integer type, or an `Option` of
/// one), without going through its text.
struct Integer(u64);

impl<'de> de::Deserializer<'de> for Integer {
    type Error = de::value::Error;

    #[inline]
    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_u64(self.0)
    }

    #[inline]
    fn deserialize_option<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}
