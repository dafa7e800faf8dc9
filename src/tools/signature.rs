//! A tool's signature as data: what the registry hands to code that describes the tools from
//! outside the runtime (the plugin's WIT and glue, rendered at build time by the
//! `argocd-mcp-plugin-surface` crate). Nothing here renders; it only reads the argument type.

use serde::de::{self, DeserializeOwned, Visitor};
use serde_json::Value;

use super::Tool;

/// One tool as the registry describes it.
pub struct ToolSignature {
    pub name: &'static str,
    pub description: &'static str,
    /// Argument names in the order the argument type declares them.
    pub fields: Vec<&'static str>,
    /// The exact input schema (formats kept: they choose the integer types), with the types it
    /// uses under `$defs` by their Rust names (which name the records).
    pub schema: Value,
}

impl ToolSignature {
    pub fn of<T: Tool>() -> ToolSignature {
        ToolSignature::with_arguments::<T::Args>(T::NAME, T::DESCRIPTION)
    }

    /// The signature of a tool whose arguments are `Args`; public so that code describing tools
    /// can test itself on argument types of its own.
    pub fn with_arguments<Args: DeserializeOwned + schemars::JsonSchema>(
        name: &'static str,
        description: &'static str,
    ) -> ToolSignature {
        let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
        ToolSignature {
            name,
            description,
            fields: declared_fields::<Args>(),
            schema: generator.into_root_schema_for::<Args>().to_value(),
        }
    }
}

/// The fields of a struct in declaration order, as serde's derive hands them to a deserializer
/// (a JSON Schema keeps no order). Types that are not plain structs give none.
pub(crate) fn declared_fields<T: DeserializeOwned>() -> Vec<&'static str> {
    struct Collector(Vec<&'static str>);
    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("fields collected")
        }
    }
    impl std::error::Error for Stop {}
    impl de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Stop
        }
    }
    impl<'de> de::Deserializer<'de> for &mut Collector {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            self.0 = fields.to_vec();
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let mut collector = Collector(Vec::new());
    let _ = T::deserialize(&mut collector);
    collector.0
}
