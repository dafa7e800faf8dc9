//! The tools as the plugin component exports them, rendered from the registry's signatures
//! ([`argocd_mcp::tools::signatures`]): the WIT world (one typed function per tool, its doc
//! comment from the tool's description and its parameters', in the order the argument type
//! declares them, then `profile`) and the Rust glue that turns each export's typed parameters
//! back into the JSON arguments the tool parses. `components/plugin/build.rs` writes both at build
//! time, so a tool is written once: its file and its line in the registry. Arguments that hold any
//! JSON (a merge patch, an ApplicationSet) travel as JSON text in a parameter named `<name>-json`.
//!
//! Only build scripts and tests use this crate: the components carry none of it.
//!
//! - [`schema`]: JSON Schemas to WIT types, parameters and records.
//! - [`wit`]: the WIT text; [`glue`]: the Rust glue.

use argocd_mcp::tools::ToolSignature;
use serde_json::Value;

use schema::{Context, Export, Record, params_of};

mod glue;
mod schema;
mod wit;

/// The plugin world and its glue, from every tool's signature.
pub struct PluginSurface {
    exports: Vec<Export>,
    records: Vec<Record>,
}

impl PluginSurface {
    /// Fails, naming the tool and argument, on a schema the plugin cannot carry.
    pub fn new(signatures: &[ToolSignature]) -> Result<PluginSurface, String> {
        let mut records = Vec::new();
        let mut exports = Vec::new();
        for signature in signatures {
            let at = signature.name;
            let definitions = signature
                .schema
                .get("$defs")
                .cloned()
                .unwrap_or(Value::Null);
            let mut context = Context {
                definitions: &definitions,
                records: &mut records,
            };
            let params = params_of(&signature.schema, &signature.fields, at, &mut context)?;
            exports.push(Export {
                name: signature.name.replace('_', "-"),
                description: signature.description.to_owned(),
                params,
            });
        }
        Ok(PluginSurface { exports, records })
    }
}

/// An argument type of the tests' own, with what the tools' have: a keyword for a name, every
/// integer type, any JSON, a list of records.
#[cfg(test)]
mod example {
    use argocd_mcp::tools::ToolSignature;
    use schemars::JsonSchema;
    use serde::Deserialize;

    use crate::PluginSurface;

    /// A record, as the argument types' shared pieces are.
    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct PodRef {
        /// The pod.
        name: String,
        namespace: Option<String>,
    }

    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Args {
        /// Which one.
        r#type: String,
        count: Option<u32>,
        id: i64,
        patch: serde_json::Value,
        pods: Option<Vec<PodRef>>,
        resource: bool,
    }

    pub fn signature() -> ToolSignature {
        ToolSignature::with_arguments::<Args>("try_it", "Tries it.")
    }

    pub fn surface() -> PluginSurface {
        PluginSurface::new(&[signature()]).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::PluginSurface;

    #[test]
    fn every_registered_tool_has_a_plugin_form() {
        let surface = PluginSurface::new(&argocd_mcp::tools::signatures()).unwrap();
        assert_eq!(
            surface.exports.len(),
            argocd_mcp::tools::definitions(false).len()
        );
    }
}
