//! The schemas `tools/list` publishes, shaped from the argument and answer types: the JSON
//! Schema of each, trimmed of what clients never read, output schemas as an outline, and the
//! `profile` argument added when several Argo CD instances are configured.

use schemars::JsonSchema;
use serde_json::Value;

use super::Tool;
use crate::mcp::tool::{ParamHeader, ToolDefinition};

/// The argument every tool takes when several Argo CD instances are configured.
pub const PROFILE_ARGUMENT: &str = "profile";

/// 2026-07-28 clients mirror `profile` into `Mcp-Param-Profile`, so a gateway can route each
/// call to the right place (or audit which Argo CD it reaches) without reading the body.
pub const PROFILE_HEADER: ParamHeader = ParamHeader {
    argument: PROFILE_ARGUMENT,
    header: "Profile",
};

/// The mirrored arguments of every tool: `profile`, when there is a choice of instances.
pub fn param_headers(profile_names: &[&str]) -> Vec<ParamHeader> {
    if profile_names.len() < 2 {
        return Vec::new();
    }
    vec![PROFILE_HEADER]
}

/// Adds the optional `profile` argument, naming the configured instances, to every tool; with a
/// single instance the definitions stay as they are (and so does the size of `tools/list`).
pub fn with_profiles(mut definitions: Vec<ToolDefinition>, names: &[&str]) -> Vec<ToolDefinition> {
    if names.len() < 2 {
        return definitions;
    }
    let property = serde_json::json!({
        "type": "string",
        "enum": names,
        "description": format!("Argo CD instance to use (default {}).", names[0]),
        "x-mcp-header": PROFILE_HEADER.header,
    });
    for definition in &mut definitions {
        if let Some(properties) = definition.input_schema.get_mut("properties") {
            properties[PROFILE_ARGUMENT] = property.clone();
        } else {
            definition.input_schema["properties"] =
                serde_json::json!({ PROFILE_ARGUMENT: property.clone() });
        }
    }
    definitions
}

pub(super) fn exact_output_schema_of<T: Tool>() -> Value {
    let mut output_schema = schema_of::<T::Output>();
    compact(&mut output_schema, false);
    output_schema
}

/// The schemas `tools/list` publishes for every tool, as `published_schemas.json` holds them:
/// `{name: {"input": …, "output": …}}`, one tool a line. They are fixed by the argument and
/// answer types, so they are generated from them ([`generated_schemas`]) and committed rather
/// than derived at run time: a component then carries this text, not the schema machinery
/// (about 300 KB of code in the server). A unit test checks the file is what the types generate
/// and rewrites it when it is not.
pub(super) const PUBLISHED_SCHEMAS: &str = include_str!("published_schemas.json");

/// The published input and output schemas of the tool called `name`.
pub(super) fn published_schemas(name: &str) -> (Value, Value) {
    let mut all: serde_json::Map<String, Value> =
        serde_json::from_str(PUBLISHED_SCHEMAS).expect("published_schemas.json is JSON");
    let Some(Value::Object(mut schemas)) = all.remove(name) else {
        panic!(
            "published_schemas.json has no {name}: regenerate it (cargo test -p argocd-mcp --lib published_schemas)"
        );
    };
    let input = schemas.remove("input").unwrap_or_default();
    let output = schemas.remove("output").unwrap_or_default();
    (input, output)
}

/// The definitions of the tools `tools` names, in that order, their schemas from the committed
/// text (see [`PUBLISHED_SCHEMAS`]).
pub(super) fn published_definitions(tools: Vec<ToolDefinition>) -> Vec<ToolDefinition> {
    let mut all: serde_json::Map<String, Value> =
        serde_json::from_str(PUBLISHED_SCHEMAS).expect("published_schemas.json is JSON");
    tools
        .into_iter()
        .map(|mut definition| {
            if let Some(Value::Object(mut schemas)) = all.remove(definition.name) {
                definition.input_schema = schemas.remove("input").unwrap_or_default();
                definition.output_schema = schemas.remove("output").unwrap_or_default();
            }
            definition
        })
        .collect()
}

/// A tool's definition with its schemas left empty (filled from the committed text).
pub(super) fn bare_definition<T: Tool>() -> ToolDefinition {
    ToolDefinition {
        name: T::NAME,
        title: T::TITLE,
        description: T::DESCRIPTION,
        input_schema: Value::Null,
        output_schema: Value::Null,
        annotations: T::ANNOTATIONS,
    }
}

/// A tool's published schemas as its types generate them: the input schema compacted, the
/// output schema compacted and outlined.
pub(super) fn generated_schemas_of<T: Tool>() -> Value {
    let mut input_schema = schema_of::<T::Args>();
    compact(&mut input_schema, true);
    let mut output_schema = exact_output_schema_of::<T>();
    outline(&mut output_schema, 0);
    serde_json::json!({ "input": input_schema, "output": output_schema })
}

/// `published_schemas.json` as the argument and answer types generate it, one tool a line.
pub fn generated_schemas() -> String {
    let lines: Vec<String> = super::registry::generated_schemas()
        .into_iter()
        .map(|(name, schemas)| format!("{}: {schemas}", Value::from(name)))
        .collect();
    format!("{{\n{}\n}}\n", lines.join(",\n"))
}

/// Trims what `tools/list` repeats for every tool without telling a client anything it uses:
/// integer formats, defaults of `null`, `false` and `""` (what an absent field means anyway), `"null"` in the types of optional fields (absent fields are
/// never sent as null: every optional output field is skipped when empty), and, in output
/// schemas, field descriptions (the tool description and field names carry the meaning).
fn compact(schema: &mut Value, keep_descriptions: bool) {
    match schema {
        Value::Object(map) => {
            map.remove("format");
            if map.get("minimum") == Some(&Value::from(0)) {
                map.remove("minimum");
            }
            if matches!(map.get("default"), Some(Value::Null | Value::Bool(false)))
                || map.get("default").and_then(Value::as_str) == Some("")
            {
                map.remove("default");
            }
            if !keep_descriptions {
                map.remove("description");
            }
            if let Some(Value::Array(types)) = map.get("type") {
                let concrete: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
                if concrete.len() == 1 {
                    map.insert("type".into(), concrete[0].clone());
                }
            }
            for value in map.values_mut() {
                compact(value, keep_descriptions);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| compact(v, keep_descriptions)),
        _ => {}
    }
}

/// The answer's shape as `tools/list` publishes it: the top level in full (every field with its
/// type, and `required`), and any object below it only as `{"type": "object"}` (arrays keep their
/// `items`, so a list of objects is `{"type": "array", "items": {"type": "object"}}`). Clients do
/// not give output schemas to the model (it reads the answer itself); they validate with them, and
/// this outline still validates every answer. It saves about 6 KB on every `tools/list`. The full
/// schema stays in `exact_output_schema` for tests that check answers field by field.
fn outline(schema: &mut Value, depth: usize) {
    let Value::Object(map) = schema else { return };
    if depth >= 1 && map.get("type").and_then(Value::as_str) == Some("object") {
        map.retain(|key, _| key == "type");
        return;
    }
    if depth > 0 {
        map.remove("required");
    }
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            ("properties", Value::Object(fields)) => fields
                .values_mut()
                .for_each(|field| outline(field, depth + 1)),
            ("items" | "additionalProperties", item) => outline(item, depth + 1),
            _ => {}
        }
    }
}

/// JSON Schema 2020-12 (MCP's default dialect), inlined, without the bytes clients never read.
pub fn schema_of<T: JsonSchema>() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    if let Value::Object(map) = &mut schema {
        map.remove("$schema");
        map.remove("title");
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::{GetAppStatus, SyncApp, definitions, exact_output_schema};
    use serde_json::json;

    fn definition_of(name: &str) -> ToolDefinition {
        definitions(false)
            .into_iter()
            .find(|d| d.name == name)
            .unwrap()
    }

    /// The committed schemas are what the types generate now; when they are not, the file is
    /// rewritten (review and commit it) and the test fails, like `wit/plugin.wit` in CI.
    #[test]
    fn published_schemas_are_what_the_types_generate() {
        let generated = generated_schemas();
        if generated != PUBLISHED_SCHEMAS {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/src/tools/published_schemas.json"
            );
            let rewritten = std::fs::write(path, &generated).is_ok();
            panic!(
                "src/tools/published_schemas.json differs from what the argument and answer types generate; {}",
                if rewritten {
                    "it was rewritten: review it, rebuild and commit it"
                } else {
                    "it could not be rewritten here"
                }
            );
        }
        let parsed: serde_json::Map<String, Value> =
            serde_json::from_str(PUBLISHED_SCHEMAS).unwrap();
        let names: Vec<&str> = definitions(false).iter().map(|d| d.name).collect();
        assert_eq!(parsed.len(), names.len());
        for name in names {
            let (input, output) = published_schemas(name);
            assert_eq!(input["type"], "object", "{name}");
            assert_eq!(output["type"], "object", "{name}");
        }
        // The approval question names the arguments left at their defaults from the published
        // schema: it lists every argument the type has.
        for (name, arguments) in crate::tools::registry::argument_names() {
            let (input, _) = published_schemas(name);
            let published: Vec<String> = input["properties"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            assert_eq!(published, arguments, "{name}");
        }
        // Read back, the text is the generated values exactly (numbers and all).
        for (name, schemas) in crate::tools::registry::generated_schemas() {
            assert_eq!(parsed[name], schemas, "{name}");
        }
    }

    #[test]
    fn schemas_come_from_the_argument_types() {
        for def in definitions(false) {
            assert_eq!(def.input_schema["type"], "object", "{}", def.name);
            assert_eq!(def.output_schema["type"], "object", "{}", def.name);
            assert!(def.input_schema.get("$schema").is_none());
            assert!(!def.description.is_empty());
        }
        let sync = definition_of(SyncApp::NAME);
        let required = sync.input_schema["required"].as_array().unwrap();
        assert!(required.contains(&Value::from("app_name")));
        assert!(required.contains(&Value::from("confirm")));
        assert_eq!(sync.input_schema["additionalProperties"], false);
    }

    #[test]
    fn published_output_schemas_outline_the_exact_ones() {
        for def in definitions(false) {
            let exact = exact_output_schema(def.name).unwrap();
            assert_eq!(
                def.output_schema["required"], exact["required"],
                "{}",
                def.name
            );
            let published: Vec<_> = def.output_schema["properties"]
                .as_object()
                .unwrap()
                .keys()
                .collect();
            let full: Vec<_> = exact["properties"].as_object().unwrap().keys().collect();
            assert_eq!(published, full, "{}", def.name);
        }
        let status = definition_of(GetAppStatus::NAME).output_schema;
        assert_eq!(status["properties"]["name"]["type"], "string");
        assert_eq!(status["properties"]["health"], json!({"type": "object"}));
        assert_eq!(status["properties"]["resources"], json!({"type": "object"}));
        let exact = exact_output_schema("get_argocd_app_status").unwrap();
        assert_eq!(exact["properties"]["health"]["required"], json!(["status"]));
        assert!(exact_output_schema("no_such_tool").is_none());
    }
}
