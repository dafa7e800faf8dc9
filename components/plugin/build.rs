//! Generates the plugin's surface from the tool registry, so a tool is written once: the `plugin`
//! world (`wit/plugin.wit`, committed for readers, rewritten here when the registry changes; CI
//! fails when the committed file differs) and the glue that implements its exports
//! (`$OUT_DIR/exports.rs`). See the `argocd-mcp-plugin-surface` crate.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("../..");
    println!("cargo:rerun-if-changed={}", root.join("src").display());
    let surface = argocd_mcp_plugin_surface::PluginSurface::new(&argocd_mcp::tools::signatures())
        .unwrap_or_else(|why| panic!("a tool's arguments have no WIT form: {why}"));
    let wit = root.join("wit").join("plugin.wit");
    let generated = surface.wit();
    if std::fs::read_to_string(&wit).ok().as_deref() != Some(generated.as_str()) {
        std::fs::write(&wit, generated).expect("wit/plugin.wit is written");
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    std::fs::write(out.join("exports.rs"), surface.glue()).expect("the glue is written");
}
