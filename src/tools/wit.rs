//! The tools as the plugin component exports them, generated from the registry: the WIT world
//! (one typed function per tool, its doc comment from the tool's description and its
//! parameters', in the order the argument type declares them, then `profile`) and the Rust glue
//! that turns each export's typed parameters back into the JSON arguments the tool parses.
//! `components/plugin/build.rs` writes both at build time, so a tool is written once: its file
//! and its line in the registry. Arguments that hold any JSON (a merge patch, an ApplicationSet)
//! travel as JSON text in a parameter named `<name>-json`.

use std::fmt::Write;

use serde_json::Value;

use super::signature::ToolSignature;

#[derive(Debug, Clone, PartialEq)]
enum WitType {
    String,
    Bool,
    U32,
    U64,
    S64,
    List(Box<WitType>),
    Option(Box<WitType>),
    Record(String),
    /// Any JSON, carried as text.
    JsonText,
}

impl WitType {
    fn wit(&self) -> String {
        match self {
            WitType::String | WitType::JsonText => "string".into(),
            WitType::Bool => "bool".into(),
            WitType::U32 => "u32".into(),
            WitType::U64 => "u64".into(),
            WitType::S64 => "s64".into(),
            WitType::List(inner) => format!("list<{}>", inner.wit()),
            WitType::Option(inner) => format!("option<{}>", inner.wit()),
            WitType::Record(name) => identifier(name),
        }
    }

    /// The Rust type wit-bindgen generates for it.
    fn rust(&self) -> String {
        match self {
            WitType::String | WitType::JsonText => "String".into(),
            WitType::Bool => "bool".into(),
            WitType::U32 => "u32".into(),
            WitType::U64 => "u64".into(),
            WitType::S64 => "i64".into(),
            WitType::List(inner) => format!("Vec<{}>", inner.rust()),
            WitType::Option(inner) => format!("Option<{}>", inner.rust()),
            WitType::Record(name) => format!("bindings::{}", upper_camel(name)),
        }
    }

    fn is_json_text(&self) -> bool {
        match self {
            WitType::JsonText => true,
            WitType::Option(inner) => inner.is_json_text(),
            _ => false,
        }
    }
}

struct Param {
    /// The argument's name in the tool's JSON.
    json_name: String,
    /// kebab-case, `-json` added for JSON text.
    wit_name: String,
    ty: WitType,
    doc: Option<String>,
}

struct Record {
    name: String,
    doc: Option<String>,
    fields: Vec<Param>,
}

struct Export {
    name: String,
    description: String,
    params: Vec<Param>,
}

/// The plugin world and its glue, from every tool's signature.
pub struct PluginSurface {
    exports: Vec<Export>,
    records: Vec<Record>,
}

const WORLD_DOC: &str = "The plugin for WASM MCP hosts (Wassette-style): one typed export per tool. Each returns the tool's JSON answer, or an error message that says what to fix. Settings come from the environment (ARGOCD_URL, ARGOCD_TOKEN or ARGOCD_USERNAME + ARGOCD_PASSWORD, ARGOCD_READ_ONLY, ARGOCD_PROFILES…). Every export takes `profile`: the Argo CD instance to use, by its name in ARGOCD_PROFILES (none: the first).";

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

    /// The `plugin` world, for `wit/plugin.wit` (the package is declared in `wit/world.wit`).
    pub fn wit(&self) -> String {
        let mut out = String::from(
            "// Generated from the tool registry by components/plugin/build.rs: do not edit.\n\n",
        );
        doc_comment(&mut out, "", WORLD_DOC);
        out.push_str("world plugin {\n");
        for record in &self.records {
            if let Some(doc) = &record.doc {
                doc_comment(&mut out, "    ", doc);
            }
            let _ = writeln!(out, "    record {} {{", identifier(&record.name));
            for field in &record.fields {
                if let Some(doc) = &field.doc {
                    doc_comment(&mut out, "        ", doc);
                }
                let _ = writeln!(
                    out,
                    "        {}: {},",
                    identifier(&field.wit_name),
                    field.ty.wit()
                );
            }
            out.push_str("    }\n\n");
        }
        for (index, export) in self.exports.iter().enumerate() {
            let mut doc = export.description.clone();
            let documented: Vec<String> = export
                .params
                .iter()
                .filter_map(|p| p.doc.as_ref().map(|d| format!("- `{}`: {d}", p.wit_name)))
                .collect();
            if !documented.is_empty() {
                doc.push_str("\n\n");
                doc.push_str(&documented.join("\n"));
            }
            doc_comment(&mut out, "    ", &doc);
            let params: Vec<String> = export
                .params
                .iter()
                .map(|p| format!("{}: {}", identifier(&p.wit_name), p.ty.wit()))
                .chain(std::iter::once("profile: option<string>".to_owned()))
                .collect();
            let _ = writeln!(
                out,
                "    export {}: func({}) -> result<string, string>;",
                identifier(&export.name),
                params.join(", ")
            );
            if index + 1 < self.exports.len() {
                out.push('\n');
            }
        }
        out.push_str("}\n");
        out
    }

    /// `impl Guest for Plugin`: each export gathers its parameters into the tool's JSON
    /// arguments and calls `run(profile, tool, arguments)`; typed values become JSON with
    /// `typed(value)`, JSON text is parsed with `json_text(parameter, text)`. All three are the
    /// plugin's own.
    pub fn glue(&self) -> String {
        let mut out = String::from("// Generated from the tool registry: do not edit.\n\n");
        out.push_str("impl bindings::Guest for Plugin {\n");
        for export in &self.exports {
            let rust_name = export.name.replace('-', "_");
            let params: Vec<String> = export
                .params
                .iter()
                .map(|p| format!("{}: {}", rust_ident(&p.wit_name), p.ty.rust()))
                .chain(std::iter::once("profile: Option<String>".to_owned()))
                .collect();
            if params.len() > 7 {
                out.push_str("    #[allow(clippy::too_many_arguments)]\n");
            }
            let _ = writeln!(
                out,
                "    fn {rust_name}({}) -> Result<String, String> {{",
                params.join(", ")
            );
            let binding = if export.params.is_empty() {
                "let"
            } else {
                "let mut"
            };
            let _ = writeln!(out, "        {binding} arguments = serde_json::Map::new();");
            for param in &export.params {
                let ident = rust_ident(&param.wit_name);
                let value = if param.ty.is_json_text() {
                    let text = if matches!(param.ty, WitType::Option(_)) {
                        format!("{ident}.as_deref()")
                    } else {
                        format!("Some({ident}.as_str())")
                    };
                    format!("json_text({:?}, {text})?", param.wit_name)
                } else {
                    format!("typed(&{ident})")
                };
                let _ = writeln!(
                    out,
                    "        arguments.insert({:?}.into(), {value});",
                    param.json_name
                );
            }
            let _ = writeln!(
                out,
                "        run(profile, {:?}, arguments)\n    }}\n",
                export.name.replace('-', "_")
            );
        }
        out.push_str("}\n");
        out
    }
}

/// What converting one tool's schema needs: its named types, and the records made so far.
struct Context<'a> {
    definitions: &'a Value,
    records: &'a mut Vec<Record>,
}

fn params_of(
    schema: &Value,
    fields: &[&'static str],
    at: &str,
    context: &mut Context<'_>,
) -> Result<Vec<Param>, String> {
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut names: Vec<&str> = fields
        .iter()
        .copied()
        .filter(|f| properties.contains_key(*f))
        .collect();
    // Properties serde did not name (none today) keep the schema's order after the others.
    names.extend(
        properties
            .keys()
            .map(String::as_str)
            .filter(|k| !fields.contains(k)),
    );
    let mut params = Vec::new();
    for name in names {
        let property = &properties[name];
        let where_ = format!("{at}.{name}");
        let ty = type_of(property, &where_, context)?;
        let ty = if required.contains(&name) {
            ty
        } else {
            WitType::Option(Box::new(ty))
        };
        let mut wit_name = name.replace('_', "-");
        if ty.is_json_text() {
            wit_name.push_str("-json");
        }
        params.push(Param {
            json_name: name.to_owned(),
            wit_name,
            ty,
            doc: property
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
        });
    }
    Ok(params)
}

fn type_of(schema: &Value, at: &str, context: &mut Context<'_>) -> Result<WitType, String> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/$defs/");
        let Some(definition) = context.definitions.get(name).cloned() else {
            return Err(format!("{at}: {reference} is not defined"));
        };
        if definition.get("type").and_then(Value::as_str) != Some("object") {
            return type_of(&definition, at, context);
        }
        let record = kebab(name);
        if !context.records.iter().any(|r| r.name == record) {
            let fields = params_of(&definition, &[], at, context)?;
            if fields.iter().any(|f| f.ty.is_json_text()) {
                return Err(format!(
                    "{at}: JSON text inside a record has no WIT form here"
                ));
            }
            context.records.push(Record {
                name: record.clone(),
                doc: definition
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                fields,
            });
        }
        return Ok(WitType::Record(record));
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(options)) = schema.get(key) {
            let concrete: Vec<&Value> = options
                .iter()
                .filter(|o| o.get("type").and_then(Value::as_str) != Some("null"))
                .collect();
            return match concrete.as_slice() {
                [one] => type_of(one, at, context),
                _ if options
                    .iter()
                    .all(|o| o.get("const").is_some_and(Value::is_string)) =>
                {
                    Ok(WitType::String)
                }
                _ => Err(format!(
                    "{at}: a choice of several types has no WIT form here"
                )),
            };
        }
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ if schema.get("enum").is_some() => vec!["string"],
        _ => return Ok(WitType::JsonText),
    };
    match types.as_slice() {
        ["string"] => Ok(WitType::String),
        ["boolean"] => Ok(WitType::Bool),
        ["integer"] => match schema.get("format").and_then(Value::as_str) {
            Some("uint8" | "uint16" | "uint32" | "uint") => Ok(WitType::U32),
            Some("uint64") => Ok(WitType::U64),
            _ => Ok(WitType::S64),
        },
        ["array"] => {
            let items = schema.get("items").unwrap_or(&Value::Null);
            Ok(WitType::List(Box::new(type_of(items, at, context)?)))
        }
        ["object"] if schema.get("properties").is_some() => Err(format!(
            "{at}: an unnamed object has no record name; give it a type of its own"
        )),
        ["object"] => Ok(WitType::JsonText),
        _ => Err(format!("{at}: the type {types:?} has no WIT form here")),
    }
}

/// `///` lines of at most about 100 columns.
fn doc_comment(out: &mut String, indent: &str, text: &str) {
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && indent.len() + 4 + line.len() + word.len() > 100 {
                let _ = writeln!(out, "{indent}/// {line}");
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

/// WIT keywords a name must be escaped from with `%`.
const WIT_KEYWORDS: &[&str] = &[
    "as",
    "async",
    "bool",
    "borrow",
    "char",
    "constructor",
    "enum",
    "export",
    "f32",
    "f64",
    "flags",
    "from",
    "func",
    "future",
    "import",
    "include",
    "interface",
    "list",
    "option",
    "own",
    "package",
    "record",
    "resource",
    "result",
    "s16",
    "s32",
    "s64",
    "s8",
    "static",
    "stream",
    "string",
    "tuple",
    "type",
    "u16",
    "u32",
    "u64",
    "u8",
    "use",
    "variant",
    "with",
    "world",
];

fn identifier(name: &str) -> String {
    if WIT_KEYWORDS.contains(&name) {
        format!("%{name}")
    } else {
        name.to_owned()
    }
}

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
    "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
    "try", "type", "unsafe", "use", "where", "while", "yield",
];

fn rust_ident(wit_name: &str) -> String {
    let snake = wit_name.replace('-', "_");
    if RUST_KEYWORDS.contains(&snake.as_str()) {
        format!("{snake}_")
    } else {
        snake
    }
}

/// `ResourceRef` → `resource-ref`.
fn kebab(upper_camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in upper_camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// `resource-ref` → `ResourceRef`, as wit-bindgen names types.
fn upper_camel(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use schemars::JsonSchema;
    use serde::Deserialize;

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

    fn signature() -> ToolSignature {
        ToolSignature::with_arguments::<Args>("try_it", "Tries it.")
    }

    fn surface() -> PluginSurface {
        PluginSurface::new(&[signature()]).unwrap()
    }

    #[test]
    fn parameters_keep_their_declared_order_types_and_escapes() {
        assert_eq!(
            signature().fields,
            ["type", "count", "id", "patch", "pods", "resource"]
        );
        let wit = surface().wit();
        assert!(
            wit.contains("export try-it: func(%type: string, count: option<u32>, id: s64, patch-json: string, pods: option<list<pod-ref>>, %resource: bool, profile: option<string>) -> result<string, string>;"),
            "{wit}"
        );
        assert!(wit.contains("    record pod-ref {\n        /// The pod.\n        name: string,\n        namespace: option<string>,\n    }"), "{wit}");
        assert!(wit.contains("    /// - `type`: Which one."), "{wit}");
    }

    #[test]
    fn the_glue_turns_parameters_back_into_the_tools_arguments() {
        let glue = surface().glue();
        assert!(glue.contains("fn try_it(type_: String, count: Option<u32>, id: i64, patch_json: String, pods: Option<Vec<bindings::PodRef>>, resource: bool, profile: Option<String>)"), "{glue}");
        assert!(
            glue.contains(r#"arguments.insert("type".into(), typed(&type_));"#),
            "{glue}"
        );
        assert!(
            glue.contains(r#"arguments.insert("patch".into(), json_text("patch-json", Some(patch_json.as_str()))?);"#),
            "{glue}"
        );
        assert!(
            glue.contains(r#"run(profile, "try_it", arguments)"#),
            "{glue}"
        );
    }

    #[test]
    fn every_registered_tool_has_a_plugin_form() {
        let surface = PluginSurface::new(&super::super::signatures()).unwrap();
        assert_eq!(
            surface.exports.len(),
            super::super::definitions(false).len()
        );
    }
}
