//! Tool arguments parsed from their JSON with the path of what was wrong (`history_id: invalid
//! type: string …`): a deserializer over `serde_json::Value` that keeps track of where it is, so
//! an argument type's parser is compiled once, for it alone. (`serde_path_to_error` did the
//! same by wrapping every visitor around serde_json's own deserializer, which compiled every
//! argument parser twice over: about 130 KB of each component.)
//!
//! It behaves as serde_json's `Value` deserializer does, message for message, and reports the
//! path as `serde_path_to_error` did: the deepest place an error came from, map keys and
//! variant names joined by `.`, indexes as `[i]`, and `.` for the top. A unit test compares both
//! on every tool's arguments, right and wrong.

use std::cell::RefCell;
use std::fmt::Write as _;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, Error as _, IntoDeserializer, MapAccess,
    SeqAccess, Unexpected, VariantAccess, Visitor,
};
use serde_json::{Error, Map, Value};

/// Where in the arguments a value is.
enum Chain<'a> {
    Root,
    Key(&'a Chain<'a>, &'a str),
    Index(&'a Chain<'a>, usize),
}

impl Chain<'_> {
    fn path(&self) -> String {
        let mut segments = Vec::new();
        let mut chain = self;
        loop {
            match chain {
                Chain::Root => break,
                Chain::Key(parent, key) => {
                    segments.push(Ok(*key));
                    chain = parent;
                }
                Chain::Index(parent, index) => {
                    segments.push(Err(*index));
                    chain = parent;
                }
            }
        }
        if segments.is_empty() {
            return ".".into();
        }
        let mut path = String::new();
        for (i, segment) in segments.iter().rev().enumerate() {
            match segment {
                Ok(key) => {
                    if i > 0 {
                        path.push('.');
                    }
                    path.push_str(key);
                }
                Err(index) => {
                    let _ = write!(path, "[{index}]");
                }
            }
        }
        path
    }
}

/// The first (deepest) place an error was seen.
struct Track(RefCell<Option<String>>);

impl Track {
    fn trigger<T>(&self, chain: &Chain<'_>, result: Result<T, Error>) -> Result<T, Error> {
        if result.is_err() {
            let mut path = self.0.borrow_mut();
            if path.is_none() {
                *path = Some(chain.path());
            }
        }
        result
    }
}

/// `T` from `value`; on error, where it was (`.` for the top) and what.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, (String, Error)> {
    let track = Track(RefCell::new(None));
    let chain = Chain::Root;
    T::deserialize(At {
        value,
        chain: &chain,
        track: &track,
    })
    .map_err(|e| (track.0.into_inner().unwrap_or_else(|| ".".into()), e))
}

struct At<'a> {
    value: Value,
    chain: &'a Chain<'a>,
    track: &'a Track,
}

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            _ => Unexpected::Float(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

impl<'de> At<'_> {
    fn any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let (chain, track) = (self.chain, self.track);
        let result = match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => visitor.visit_u64(u),
                (None, Some(i)) => visitor.visit_i64(i),
                _ => visitor.visit_f64(n.as_f64().unwrap_or_default()),
            },
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => visit_array(items, chain, track, visitor),
            Value::Object(map) => visit_object(map, chain, track, visitor),
        };
        track.trigger(chain, result)
    }
}

fn visit_array<'de, V: Visitor<'de>>(
    items: Vec<Value>,
    chain: &Chain<'_>,
    track: &Track,
    visitor: V,
) -> Result<V::Value, Error> {
    let len = items.len();
    let mut seq = Items {
        items: items.into_iter(),
        index: 0,
        chain,
        track,
    };
    let value = visitor.visit_seq(&mut seq)?;
    if seq.items.len() == 0 {
        Ok(value)
    } else {
        Err(Error::invalid_length(len, &"fewer elements in array"))
    }
}

fn visit_object<'de, V: Visitor<'de>>(
    map: Map<String, Value>,
    chain: &Chain<'_>,
    track: &Track,
    visitor: V,
) -> Result<V::Value, Error> {
    let len = map.len();
    let mut entries = Entries {
        entries: map.into_iter(),
        value: None,
        chain,
        track,
    };
    let value = visitor.visit_map(&mut entries)?;
    if entries.entries.len() == 0 {
        Ok(value)
    } else {
        Err(Error::invalid_length(len, &"fewer elements in map"))
    }
}

struct Items<'a> {
    items: std::vec::IntoIter<Value>,
    index: usize,
    chain: &'a Chain<'a>,
    track: &'a Track,
}

impl<'de> SeqAccess<'de> for Items<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(value) = self.items.next() else {
            return Ok(None);
        };
        let chain = Chain::Index(self.chain, self.index);
        self.index += 1;
        seed.deserialize(At {
            value,
            chain: &chain,
            track: self.track,
        })
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Entries<'a> {
    entries: serde_json::map::IntoIter,
    value: Option<(String, Value)>,
    chain: &'a Chain<'a>,
    track: &'a Track,
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        // A key that is refused (an unknown field) is the place of its error.
        let result = seed.deserialize(Key(key.clone())).map(Some);
        let result = self.track.trigger(&Chain::Key(self.chain, &key), result);
        self.value = Some((key, value));
        result
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let Some((key, value)) = self.value.take() else {
            return Err(Error::custom("value is missing"));
        };
        let chain = Chain::Key(self.chain, &key);
        seed.deserialize(At {
            value,
            chain: &chain,
            track: self.track,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A map key: always a string in JSON.
struct Key(String);

impl<'de> de::Deserializer<'de> for Key {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_string(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0
            .into_deserializer()
            .deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

impl<'de> de::Deserializer<'de> for At<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let (chain, track) = (self.chain, self.track);
        let result = match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        };
        track.trigger(chain, result)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let (chain, track) = (self.chain, self.track);
        track.trigger(chain, visitor.visit_newtype_struct(self))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let (chain, track) = (self.chain, self.track);
        let (variant, value) = match self.value {
            Value::Object(map) => {
                let mut entries = map.into_iter();
                let (Some((variant, value)), None) = (entries.next(), entries.next()) else {
                    return track.trigger(
                        chain,
                        Err(Error::invalid_value(
                            Unexpected::Map,
                            &"map with a single key",
                        )),
                    );
                };
                (variant, Some(value))
            }
            Value::String(variant) => (variant, None),
            other => {
                let error = Error::invalid_type(unexpected(&other), &"string or map");
                return track.trigger(chain, Err(error));
            }
        };
        let result = visitor.visit_enum(Variant {
            variant,
            value,
            chain,
            track,
        });
        track.trigger(chain, result)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier
    }
}

struct Variant<'a> {
    variant: String,
    value: Option<Value>,
    chain: &'a Chain<'a>,
    track: &'a Track,
}

impl<'de, 'a> EnumAccess<'de> for Variant<'a> {
    type Error = Error;
    type Variant = VariantValue<'a>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, VariantValue<'a>), Error> {
        let tag = seed.deserialize(Key(self.variant.clone()))?;
        Ok((
            tag,
            VariantValue {
                variant: self.variant,
                value: self.value,
                chain: self.chain,
                track: self.track,
            },
        ))
    }
}

struct VariantValue<'a> {
    variant: String,
    value: Option<Value>,
    chain: &'a Chain<'a>,
    track: &'a Track,
}

impl<'de> VariantAccess<'de> for VariantValue<'_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        let chain = Chain::Key(self.chain, &self.variant);
        match self.value {
            Some(value) => de::Deserialize::deserialize(At {
                value,
                chain: &chain,
                track: self.track,
            }),
            None => Ok(()),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        let chain = Chain::Key(self.chain, &self.variant);
        match self.value {
            Some(value) => seed.deserialize(At {
                value,
                chain: &chain,
                track: self.track,
            }),
            None => self.track.trigger(
                &chain,
                Err(Error::invalid_type(
                    Unexpected::UnitVariant,
                    &"newtype variant",
                )),
            ),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        let chain = Chain::Key(self.chain, &self.variant);
        let result = match self.value {
            Some(Value::Array(items)) if items.is_empty() => visitor.visit_unit(),
            Some(Value::Array(items)) => visit_array(items, &chain, self.track, visitor),
            Some(other) => Err(Error::invalid_type(unexpected(&other), &"tuple variant")),
            None => Err(Error::invalid_type(
                Unexpected::UnitVariant,
                &"tuple variant",
            )),
        };
        self.track.trigger(&chain, result)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let chain = Chain::Key(self.chain, &self.variant);
        let result = match self.value {
            Some(Value::Object(map)) => visit_object(map, &chain, self.track, visitor),
            Some(other) => Err(Error::invalid_type(unexpected(&other), &"struct variant")),
            None => Err(Error::invalid_type(
                Unexpected::UnitVariant,
                &"struct variant",
            )),
        };
        self.track.trigger(&chain, result)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// How `T` takes `value` here and with `serde_path_to_error`: the error as the dispatcher
    /// words it (`path: message`), or that it parsed.
    pub(crate) fn both<T: DeserializeOwned>(
        value: &Value,
    ) -> (Result<(), String>, Result<(), String>) {
        let ours = from_value::<T>(value.clone())
            .map(|_| ())
            .map_err(|(at, e)| format!("{at}: {e}"));
        let theirs = serde_path_to_error::deserialize::<_, T>(value.clone())
            .map(|_| ())
            .map_err(|e| format!("{}: {}", e.path().to_string(), e.into_inner()));
        (ours, theirs)
    }

    /// A value of the schema's type.
    fn sample(schema: &Value) -> Value {
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return values.first().cloned().unwrap_or(Value::Null);
        }
        match schema["type"].as_str() {
            Some("string") => json!("x"),
            Some("integer") => json!(3),
            Some("number") => json!(2.5),
            Some("boolean") => json!(true),
            Some("array") => json!([sample(&schema["items"])]),
            Some("object") => {
                let mut object = Map::new();
                for (name, field) in schema["properties"].as_object().into_iter().flatten() {
                    object.insert(name.clone(), sample(field));
                }
                Value::Object(object)
            }
            _ => json!("x"),
        }
    }

    fn wrong_values() -> Vec<Value> {
        vec![
            json!(null),
            json!(true),
            json!(0),
            json!(1),
            json!(-1),
            json!(1.5),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(""),
            json!("s"),
            json!("Deployment"),
            json!([]),
            json!([1, "a"]),
            json!(["s"]),
            json!([{"k": "v"}]),
            json!([[1]]),
            json!({}),
            json!({"a": 1}),
            json!({"x": null, "y": [1]}),
        ]
    }

    /// Every value one change away from `base`: each member replaced by a wrong value (and,
    /// in arrays of objects, each member of the first), removed, and one unknown member added.
    fn variations(base: &Value) -> Vec<Value> {
        let mut out = vec![base.clone()];
        let Value::Object(map) = base else {
            return out;
        };
        let mut unknown = map.clone();
        unknown.insert("projetc".into(), json!("x"));
        out.push(Value::Object(unknown));
        for (name, value) in map {
            let mut without = map.clone();
            without.remove(name);
            out.push(Value::Object(without));
            for wrong in wrong_values() {
                let mut changed = map.clone();
                changed.insert(name.clone(), wrong.clone());
                out.push(Value::Object(changed));
                if let Value::Array(items) = value
                    && let Some(Value::Object(first)) = items.first()
                {
                    for inner in first.keys() {
                        let mut item = first.clone();
                        item.insert(inner.clone(), wrong.clone());
                        let mut changed = map.clone();
                        changed.insert(name.clone(), json!([items[0].clone(), item]));
                        out.push(Value::Object(changed));
                    }
                    let mut item = first.clone();
                    item.insert("unknown".into(), wrong.clone());
                    let mut changed = map.clone();
                    changed.insert(name.clone(), json!([item]));
                    out.push(Value::Object(changed));
                }
                if let Value::Object(inner_map) = value {
                    for inner in inner_map.keys() {
                        let mut inner_changed = inner_map.clone();
                        inner_changed.insert(inner.clone(), wrong.clone());
                        let mut changed = map.clone();
                        changed.insert(name.clone(), Value::Object(inner_changed));
                        out.push(Value::Object(changed));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn every_tool_parses_and_refuses_as_serde_path_to_error_did() {
        let mut compared = 0;
        let mut refused = 0;
        let mut with_paths = 0;
        for tool in crate::tools::definitions(false) {
            let base = sample(&tool.input_schema);
            let mut values = variations(&base);
            values.extend(wrong_values());
            for value in values {
                let (ours, theirs) = crate::tools::registry::parse_both(tool.name, &value)
                    .expect("a tool of the registry");
                assert_eq!(ours, theirs, "{}: {value}", tool.name);
                compared += 1;
                if let Err(e) = &ours {
                    refused += 1;
                    with_paths += usize::from(!e.starts_with(".:"));
                }
            }
        }
        // The corpus exercises both outcomes, and errors below the top.
        assert!(compared > 3000, "{compared}");
        assert!(
            refused > compared / 2 && refused < compared,
            "{refused} of {compared}"
        );
        assert!(with_paths > 1000, "{with_paths}");
    }

    #[test]
    fn paths_are_written_as_serde_path_to_error_wrote_them() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Inner {
            kind: String,
            count: Option<u32>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        enum Choice {
            Plain,
            Wrapped(u8),
            Pair(u8, u8),
            Shaped { size: u8 },
        }
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Outer {
            items: Vec<Inner>,
            nested: Option<Vec<Vec<u8>>>,
            choice: Option<Choice>,
            labels: Option<std::collections::BTreeMap<String, u16>>,
            pair: Option<(u8, String)>,
            raw: Option<Value>,
        }
        let cases = [
            json!({"items": []}),
            json!({"items": [{"kind": "a"}, {"kind": 1}]}),
            json!({"items": [{"kind": "a", "extra": 1}]}),
            json!({"items": [{"count": 1}]}),
            json!({"items": [], "nested": [[1], [2, "x"]]}),
            json!({"items": [], "nested": [[1], [256]]}),
            json!({"items": [], "choice": "Plain"}),
            json!({"items": [], "choice": "Other"}),
            json!({"items": [], "choice": {"Wrapped": "x"}}),
            json!({"items": [], "choice": {"Wrapped": 7}}),
            json!({"items": [], "choice": "Wrapped"}),
            json!({"items": [], "choice": {"Pair": [1]}}),
            json!({"items": [], "choice": {"Pair": [1, 2, 3]}}),
            json!({"items": [], "choice": {"Pair": [1, 2]}}),
            json!({"items": [], "choice": {"Pair": []}}),
            json!({"items": [], "choice": {"Pair": 1}}),
            json!({"items": [], "choice": {"Shaped": {"size": -1}}}),
            json!({"items": [], "choice": {"Shaped": {"size": 1}}}),
            json!({"items": [], "choice": {"Shaped": []}}),
            json!({"items": [], "choice": {"Plain": null}}),
            json!({"items": [], "choice": {"Plain": 1}}),
            json!({"items": [], "choice": {}}),
            json!({"items": [], "choice": {"Plain": null, "Pair": [1, 2]}}),
            json!({"items": [], "choice": 3}),
            json!({"items": [], "labels": {"a": 1, "b": "2"}}),
            json!({"items": [], "labels": {"a": 70000}}),
            json!({"items": [], "pair": [1]}),
            json!({"items": [], "pair": [1, "a", 3]}),
            json!({"items": [], "pair": [1, 2]}),
            json!({"items": [], "raw": {"a": [1, {"b": null}], "c": -1.5}}),
            json!({"items": [], "projetc": 1}),
            json!({}),
            json!([]),
            json!([[]]),
            json!(null),
        ];
        for case in cases {
            let (ours, theirs) = both::<Outer>(&case);
            assert_eq!(ours, theirs, "{case}");
        }
        let parsed: Outer = from_value(json!({"items": [{"kind": "k", "count": 2}], "raw": {"a": [1, 2.5, -3, "s", null, true]}})).unwrap();
        assert_eq!(parsed.items[0].count, Some(2));
        assert_eq!(
            parsed.raw,
            Some(json!({"a": [1, 2.5, -3, "s", null, true]}))
        );
    }
}
