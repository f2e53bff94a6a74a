//! Encoding a message with a correlation id written at its path, straight
//! from the typed message to JSON text: a serde `Serializer` adapter over
//! serde_json's that, along the path, writes the id in place of the member
//! (or array element) there, or adds the member at the end of the object
//! when the message does not write it (an absent optional field).

use super::{CorrelationId, PathDisplay};
use crate::dispatch::Seg;
use serde::ser::{self, Serialize, Serializer};
use serde_json::Value;
use std::cell::Cell;

/// Why [`encode`] failed.
#[derive(Debug)]
pub(super) enum Failure {
    /// The value has no place for the id at the path.
    NoPlace,
    /// serde_json failed to encode the value.
    Encode(serde_json::Error),
}

/// Encodes `value` with `id` written at `path`: in place of the member or
/// element there, or as a member added to the object the path's last step
/// is in when the value does not write it (an absent optional field, at
/// its place among the fields); never a missing parent or array position.
pub(super) fn encode<T: Serialize + ?Sized>(
    value: &T,
    path: &[Seg],
    id: &CorrelationId,
) -> Result<String, Failure> {
    let miss = Cell::new(Miss::None);
    let place = Place {
        path,
        id,
        miss: &miss,
    };
    match serde_json::to_string(&WithId { value, place }) {
        Ok(text) => Ok(text),
        Err(error) => match miss.get() {
            Miss::None => Err(Failure::Encode(error)),
            Miss::NoPlace => Err(Failure::NoPlace),
            Miss::Unsupported => encode_through_value(value, path, id),
        },
    }
}

/// [`encode`] through a `Value`, for paths through what the adapter does
/// not walk (externally tagged enum variants).
fn encode_through_value<T: Serialize + ?Sized>(
    value: &T,
    path: &[Seg],
    id: &CorrelationId,
) -> Result<String, Failure> {
    let mut tree = serde_json::to_value(value).map_err(Failure::Encode)?;
    if !set_at(&mut tree, path, id.to_value()) {
        return Err(Failure::NoPlace);
    }
    serde_json::to_string(&tree).map_err(Failure::Encode)
}

/// Writes `new` at `path` in `value`; the last step may add an object
/// member. Whether there was a place for it.
fn set_at(value: &mut Value, path: &[Seg], new: Value) -> bool {
    let Some((last, parents)) = path.split_last() else {
        *value = new;
        return true;
    };
    let mut current = value;
    for seg in parents {
        let next = match (seg, current) {
            (Seg::Key(key), Value::Object(map)) => map.get_mut(*key),
            (Seg::Index(i), Value::Array(items)) => items.get_mut(*i),
            _ => None,
        };
        match next {
            Some(next) => current = next,
            None => return false,
        }
    }
    match (last, current) {
        (Seg::Key(key), Value::Object(map)) => {
            map.insert((*key).to_string(), new);
            true
        }
        (Seg::Index(i), Value::Array(items)) => match items.get_mut(*i) {
            Some(slot) => {
                *slot = new;
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// Why the adapter stopped short of writing the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Miss {
    /// The id was written.
    None,
    /// There is no place for the id on the path (a scalar, `null`, an array
    /// too short, or a missing parent object).
    NoPlace,
    /// The path goes through something the adapter does not walk (an
    /// externally tagged enum variant): encode through a `Value` instead.
    Unsupported,
}

/// Where the id goes, relative to the value being written, and what
/// stopped it, if anything.
#[derive(Clone, Copy)]
pub(super) struct Place<'a> {
    pub(super) path: &'a [Seg],
    pub(super) id: &'a CorrelationId,
    pub(super) miss: &'a Cell<Miss>,
}

impl Place<'_> {
    #[cold]
    #[inline(never)]
    fn fail<E: ser::Error>(self, miss: Miss) -> E {
        self.miss.set(miss);
        E::custom(format!(
            "no place for the correlation id at {}",
            PathDisplay(self.path)
        ))
    }
}

/// `value`, serialized with the id written at `place`.
pub(super) struct WithId<'a, T: ?Sized> {
    pub(super) value: &'a T,
    pub(super) place: Place<'a>,
}

impl<T: Serialize + ?Sized> Serialize for WithId<'_, T> {
    #[inline(always)]
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.place.path.is_empty() {
            return self.place.id.serialize(serializer);
        }
        self.value.serialize(IdSerializer {
            inner: serializer,
            place: self.place,
        })
    }
}

/// Serializes a value whose path to the id is not empty.
struct IdSerializer<'a, S> {
    inner: S,
    place: Place<'a>,
}

impl<'a, S: Serializer> IdSerializer<'a, S> {
    fn no_place<T>(self) -> Result<T, S::Error> {
        Err(self.place.fail(Miss::NoPlace))
    }

    fn unsupported<T>(self) -> Result<T, S::Error> {
        Err(self.place.fail(Miss::Unsupported))
    }

    /// Elements of an array, when the path's next step is a position.
    fn items<C>(
        self,
        start: impl FnOnce(S) -> Result<C, S::Error>,
    ) -> Result<Items<'a, C>, S::Error> {
        match self.place.path.split_first() {
            Some((Seg::Index(want), rest)) => Ok(Items {
                inner: start(self.inner)?,
                at: 0,
                want: *want,
                rest: Place {
                    path: rest,
                    ..self.place
                },
                written: false,
            }),
            _ => self.no_place(),
        }
    }
}

macro_rules! no_place {
    ($($method:ident($($arg:ty),*);)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<S::Ok, S::Error> {
            self.no_place()
        })*
    };
}

impl<'a, S: Serializer> Serializer for IdSerializer<'a, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Items<'a, S::SerializeSeq>;
    type SerializeTuple = Items<'a, S::SerializeTuple>;
    type SerializeTupleStruct = Items<'a, S::SerializeTupleStruct>;
    type SerializeTupleVariant = ser::Impossible<S::Ok, S::Error>;
    type SerializeMap = Members<'a, S::SerializeMap>;
    type SerializeStruct = Fields<'a, S::SerializeStruct>;
    type SerializeStructVariant = ser::Impossible<S::Ok, S::Error>;

    no_place! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_i128(i128);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_u128(u128);
        serialize_f32(f32);
        serialize_f64(f64);
        serialize_char(char);
        serialize_str(&str);
        serialize_bytes(&[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }

    #[inline]
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        value.serialize(self)
    }

    #[inline]
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<S::Ok, S::Error> {
        self.unsupported()
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.items(|s| s.serialize_seq(len))
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.items(|s| s.serialize_tuple(len))
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.items(|s| s.serialize_tuple_struct(name, len))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.unsupported()
    }

    #[inline]
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        let Some((&Seg::Key(want), rest)) = self.place.path.split_first() else {
            return self.no_place();
        };
        // One more member, perhaps.
        Ok(Members {
            inner: self.inner.serialize_map(len.map(|n| n + 1))?,
            want,
            rest: Place {
                path: rest,
                ..self.place
            },
            here: false,
            written: false,
        })
    }

    #[inline(always)]
    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        let Some((&Seg::Key(want), rest)) = self.place.path.split_first() else {
            return self.no_place();
        };
        Ok(Fields {
            inner: self.inner.serialize_struct(name, len + 1)?,
            want,
            rest: Place {
                path: rest,
                ..self.place
            },
            written: false,
        })
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.unsupported()
    }

    fn collect_str<T: std::fmt::Display + ?Sized>(self, _: &T) -> Result<S::Ok, S::Error> {
        self.no_place()
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// The fields of a struct, one of which may be the member `want`.
struct Fields<'a, C> {
    inner: C,
    want: &'static str,
    rest: Place<'a>,
    written: bool,
}

impl<C: ser::SerializeStruct> Fields<'_, C> {
    /// Whether the field `key` is where the id goes (and it is not written
    /// yet). Field names are short: compared in line, first byte first,
    /// rather than by a call to `bcmp` for each field.
    #[inline(always)]
    fn is_want(&self, key: &str) -> bool {
        !self.written
            && key.len() == self.want.len()
            && (std::ptr::eq(key.as_ptr(), self.want.as_ptr())
                || key.bytes().zip(self.want.bytes()).all(|(a, b)| a == b))
    }

    /// Writes the member `want`: the id, or `value` with the id inside.
    #[inline(always)]
    fn write<T: Serialize + ?Sized>(&mut self, value: Option<&T>) -> Result<(), C::Error> {
        self.written = true;
        match value {
            Some(value) => self.inner.serialize_field(
                self.want,
                &WithId {
                    value,
                    place: self.rest,
                },
            ),
            None if self.rest.path.is_empty() => {
                self.inner.serialize_field(self.want, self.rest.id)
            }
            None => Err(self.rest.fail(Miss::NoPlace)),
        }
    }
}

impl<C: ser::SerializeStruct> ser::SerializeStruct for Fields<'_, C> {
    type Ok = C::Ok;
    type Error = C::Error;

    #[inline(always)]
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), C::Error> {
        if self.is_want(key) {
            self.write(Some(value))
        } else {
            self.inner.serialize_field(key, value)
        }
    }

    #[inline(always)]
    fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
        // A skipped `Option` field: the id goes where it would have been.
        if self.is_want(key) {
            self.write(None::<&()>)
        } else {
            self.inner.skip_field(key)
        }
    }

    #[inline(always)]
    fn end(mut self) -> Result<C::Ok, C::Error> {
        if !self.written {
            self.write(None::<&()>)?;
        }
        self.inner.end()
    }
}

/// The entries of a map, one of which may have the key `want`.
struct Members<'a, C> {
    inner: C,
    want: &'static str,
    rest: Place<'a>,
    /// Whether the key just written is `want`.
    here: bool,
    written: bool,
}

/// Whether a map key serializes as the JSON object key `want`.
fn key_is<T: Serialize + ?Sized>(key: &T, want: &str) -> bool {
    match serde_json::to_value(key) {
        Ok(serde_json::Value::String(key)) => key == want,
        Ok(serde_json::Value::Number(n)) => n.to_string() == want,
        Ok(serde_json::Value::Bool(b)) => b.to_string() == want,
        _ => false,
    }
}

impl<C: ser::SerializeMap> ser::SerializeMap for Members<'_, C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), C::Error> {
        self.here = !self.written && key_is(key, self.want);
        self.inner.serialize_key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        if !std::mem::take(&mut self.here) {
            return self.inner.serialize_value(value);
        }
        self.written = true;
        self.inner.serialize_value(&WithId {
            value,
            place: self.rest,
        })
    }

    fn end(mut self) -> Result<C::Ok, C::Error> {
        if !self.written {
            if !self.rest.path.is_empty() {
                return Err(self.rest.fail(Miss::NoPlace));
            }
            self.inner.serialize_entry(self.want, self.rest.id)?;
        }
        self.inner.end()
    }
}

/// The elements of an array, one of which may be at position `want`.
struct Items<'a, C> {
    inner: C,
    at: usize,
    want: usize,
    rest: Place<'a>,
    written: bool,
}

impl<C> Items<'_, C> {
    /// Whether the next element is where the id goes.
    fn next(&mut self) -> bool {
        let here = self.at == self.want;
        self.at += 1;
        self.written |= here;
        here
    }

    fn check<E: ser::Error>(&self) -> Result<(), E> {
        // Positions past the end are not added.
        if self.written {
            Ok(())
        } else {
            Err(self.rest.fail(Miss::NoPlace))
        }
    }
}

macro_rules! items {
    ($trait:ident, $method:ident) => {
        impl<C: ser::$trait> ser::$trait for Items<'_, C> {
            type Ok = C::Ok;
            type Error = C::Error;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
                if self.next() {
                    let place = self.rest;
                    self.inner.$method(&WithId { value, place })
                } else {
                    self.inner.$method(value)
                }
            }

            fn end(self) -> Result<C::Ok, C::Error> {
                self.check()?;
                self.inner.end()
            }
        }
    };
}

items!(SerializeSeq, serialize_element);
items!(SerializeTuple, serialize_element);
items!(SerializeTupleStruct, serialize_field);
