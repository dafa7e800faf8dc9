//! The Rust glue of the plugin's exports: `impl Guest for Plugin`, one function per export that
//! turns its typed parameters back into the tool's JSON arguments.

use std::fmt::Write;

use crate::PluginSurface;
use crate::schema::WitType;

impl PluginSurface {
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

impl WitType {
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
}

/// Rust keywords, which wit-bindgen suffixes with `_` when a parameter is named after one.
const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
    "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
    "try", "type", "unsafe", "use", "where", "while", "yield",
];

/// A parameter's Rust name, as wit-bindgen gives it.
fn rust_ident(wit_name: &str) -> String {
    let snake = wit_name.replace('-', "_");
    if RUST_KEYWORDS.contains(&snake.as_str()) {
        format!("{snake}_")
    } else {
        snake
    }
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
    use crate::example;

    #[test]
    fn the_glue_turns_parameters_back_into_the_tools_arguments() {
        let glue = example::surface().glue();
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
}
