//! Argo CD's answers parsed with structs read from JSON objects only (issue 16: size).
//!
//! serde's derive gives every struct two ways to be read: from a map and from a sequence (its
//! fields in order). serde_json takes both for a struct, so each struct's sequence form is
//! machine code in the component, though Argo CD writes every object as a JSON object. Read
//! through [`Objects`], a struct is asked for as a map, so only its map form is compiled in; an
//! array where an object belongs is an error ("invalid type: sequence, expected struct …"), as it
//! would be for any other value of the wrong type. Everything else reads as serde_json reads it.

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, Visitor};

/// Parses `bytes` as one JSON value of type `T`, structs from objects only (see the module).
/// Errors are serde_json's, with their line and column.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    let mut json = serde_json::Deserializer::from_slice(bytes);
    let value = T::deserialize(Objects(&mut json))?;
    json.end()?;
    Ok(value)
}

/// `T` read through [`Objects`] by whatever deserializer reads it (e.g. each value of
/// serde_json's stream of values, which takes no deserializer of ours).
pub struct Object<T>(pub T);

impl<'de, T: de::Deserialize<'de>> de::Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(Objects(deserializer)).map(Object)
    }
}

/// A deserializer that reads structs as maps, and hands the same on to every value inside.
pub struct Objects<D>(pub D);

/// A visitor whose maps, sequences and options it is given are read through [`Objects`].
struct Within<V>(V);

/// A seed deserialized through [`Objects`].
struct Seed<S>(S);

macro_rules! forward {
    ($($method:ident),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                self.0.$method(Within(visitor))
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Objects<D> {
    type Error = D::Error;

    forward!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any,
    );

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, Within(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, Within(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, Within(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, Within(visitor))
    }

    /// The point of it all: a struct is read as a map.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(Within(visitor))
    }

    /// Enums are read as serde_json reads them (their variants' contents too).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! visit {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
                self.0.$method(v)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Within<V> {
    type Value = V::Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        self.0.expecting(formatter)
    }

    visit!(
        visit_bool(bool),
        visit_i64(i64),
        visit_i128(i128),
        visit_u64(u64),
        visit_u128(u128),
        visit_f64(f64),
        visit_char(char),
        visit_str(&str),
        visit_borrowed_str(&'de str),
        visit_string(String),
        visit_bytes(&[u8]),
        visit_borrowed_bytes(&'de [u8]),
        visit_byte_buf(Vec<u8>),
    );

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(Objects(deserializer))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(Objects(deserializer))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Within(seq))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Within(map))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(data)
    }
}

impl<'de, A: de::SeqAccess<'de>> de::SeqAccess<'de> for Within<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: de::MapAccess<'de>> de::MapAccess<'de> for Within<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Seed(seed))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Objects(deserializer))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default, rename_all = "camelCase")]
    struct Inner {
        name: String,
        count: Option<i64>,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default, rename_all = "camelCase")]
    struct Outer {
        inner: Inner,
        items: Vec<Inner>,
        maybe: Option<Inner>,
        any: Option<serde_json::Value>,
        tags: Vec<String>,
    }

    #[test]
    fn objects_read_as_serde_json_reads_them() {
        let text = br#"{"inner":{"name":"a","count":2,"extra":[1,{"x":null}]},
            "items":[{"name":"b"},{}],"maybe":null,"any":{"k":[1,2.5,"s",true]},
            "tags":["x","y"],"unknown":{"deep":[[]]}}"#;
        let ours: Outer = super::from_slice(text).unwrap();
        let theirs: Outer = serde_json::from_slice(text).unwrap();
        assert_eq!(ours, theirs);
        assert_eq!(ours.items[0].name, "b");
        assert_eq!(ours.any.unwrap()["k"][1], 2.5);
    }

    #[test]
    fn a_struct_is_never_read_from_an_array() {
        let positional = br#"{"inner":["a",2]}"#;
        assert!(serde_json::from_slice::<Outer>(positional).is_ok());
        let error = super::from_slice::<Outer>(positional).unwrap_err();
        assert!(
            error.to_string().contains("invalid type: sequence"),
            "{error}"
        );
        assert!(super::from_slice::<Inner>(br#"["a",2]"#).is_err());
    }

    #[test]
    fn errors_keep_their_place_and_trailing_bytes_are_refused() {
        let text = b"{\n\"tags\": [1]}";
        let ours = super::from_slice::<Outer>(text).unwrap_err();
        let theirs = serde_json::from_slice::<Outer>(text).unwrap_err();
        assert_eq!(ours.to_string(), theirs.to_string());
        assert_eq!((ours.line(), ours.column()), (2, 10), "{ours}");
        assert!(super::from_slice::<Inner>(br#"{} x"#).is_err());
    }
}
