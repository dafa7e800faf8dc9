//! The WIT text of the `plugin` world: records, then one export per tool, each documented.

use std::fmt::Write;

use crate::PluginSurface;
use crate::schema::WitType;

const WORLD_DOC: &str = "The plugin for WASM MCP hosts (Wassette-style): one typed export per tool. Each returns the tool's JSON answer, or an error message that says what to fix. Settings come from the environment (ARGOCD_URL, ARGOCD_TOKEN or ARGOCD_USERNAME + ARGOCD_PASSWORD, ARGOCD_READ_ONLY, ARGOCD_PROFILES…). Every export takes `profile`: the Argo CD instance to use, by its name in ARGOCD_PROFILES (none: the first).";

impl PluginSurface {
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
}

impl WitType {
    /// How the world spells it.
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

/// A name as the world spells it: `%`-escaped when it is a keyword.
fn identifier(name: &str) -> String {
    if WIT_KEYWORDS.contains(&name) {
        format!("%{name}")
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use crate::example;

    #[test]
    fn parameters_keep_their_declared_order_types_and_escapes() {
        assert_eq!(
            example::signature().fields,
            ["type", "count", "id", "patch", "pods", "resource"]
        );
        let wit = example::surface().wit();
        assert!(
            wit.contains("export try-it: func(%type: string, count: option<u32>, id: s64, patch-json: string, pods: option<list<pod-ref>>, %resource: bool, profile: option<string>) -> result<string, string>;"),
            "{wit}"
        );
        assert!(wit.contains("    record pod-ref {\n        /// The pod.\n        name: string,\n        namespace: option<string>,\n    }"), "{wit}");
        assert!(wit.contains("    /// - `type`: Which one."), "{wit}");
    }
}
