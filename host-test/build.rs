//! Builds the two guest components exactly as they ship (`--profile guest`, wasm32-wasip2), so
//! the harness, its tests and the runner never run a stale `.wasm`, and packages them in
//! `target/dist/` (what `scripts/release` publishes): each with its root name and the workspace
//! version. A separate target directory keeps this nested cargo off the outer build's lock.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest
        .parent()
        .expect("host-test sits in the workspace")
        .to_path_buf();
    let target_dir = root.join("target").join("guest-build");
    for watched in ["src", "components", "wit", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(&root)
        .args(["build", "--profile", "guest", "--target", "wasm32-wasip2"])
        .args(["-p", "argocd-mcp-server", "-p", "argocd-mcp-plugin"])
        .arg("--target-dir")
        .arg(&target_dir);
    for (key, _) in std::env::vars() {
        let inherited_build_setting = key.starts_with("CARGO_PROFILE_")
            || key.starts_with("CARGO_BUILD_")
            || key.starts_with("CARGO_TARGET_")
            || matches!(
                key.as_str(),
                "RUSTFLAGS"
                    | "CARGO_ENCODED_RUSTFLAGS"
                    | "RUSTC_WRAPPER"
                    | "RUSTC_WORKSPACE_WRAPPER"
            );
        if inherited_build_setting {
            command.env_remove(&key);
        }
    }
    let status = command
        .status()
        .expect("could not run cargo for the guest components");
    if !status.success() {
        panic!(
            "building the guest components failed; is the target installed? run: rustup target add wasm32-wasip2"
        );
    }
    let out = target_dir.join("wasm32-wasip2").join("guest");
    let dist = root.join("target").join("dist");
    std::fs::create_dir_all(&dist).expect("target/dist can be made");
    let server = dist.join("argocd_mcp_server.wasm");
    package_server(&out.join("argocd_mcp_server.wasm"), &server);
    println!(
        "cargo:rustc-env=ARGOCD_MCP_SERVER_WASM={}",
        server.display()
    );
    let plugin = dist.join("argocd_mcp_plugin.wasm");
    package_plugin(
        &out.join("argocd_mcp_plugin.wasm"),
        &root.join("wit"),
        &plugin,
    );
    std::fs::copy(
        root.join("components/plugin/argocd_mcp_plugin.policy.yaml"),
        dist.join("argocd_mcp_plugin.policy.yaml"),
    )
    .expect("the policy file is copied beside the plugin");
    println!(
        "cargo:rerun-if-changed={}",
        root.join("components/plugin/argocd_mcp_plugin.policy.yaml")
            .display()
    );
    println!(
        "cargo:rustc-env=ARGOCD_MCP_PLUGIN_WASM={}",
        plugin.display()
    );
}

/// The docs describe exactly this component's world, under the name a decoder gives it. The
/// standard decoder (wit-component, `wasm-tools component wit`) names a component's world `root`
/// and fails on docs for any world it cannot find, such as `server`, which shares the WIT package
/// but not this component.
fn plugin_world_only(encoded: &[u8]) -> Vec<u8> {
    let (version, json) = encoded.split_first().expect("a version byte");
    let mut docs: serde_json::Value = serde_json::from_slice(json).expect("the docs are JSON");
    let worlds = docs
        .get_mut("worlds")
        .and_then(serde_json::Value::as_object_mut)
        .expect("the package has worlds");
    let plugin = worlds.remove("plugin").expect("the plugin world has docs");
    worlds.clear();
    worlds.insert("root".into(), plugin);
    let mut out = vec![*version];
    out.extend(serde_json::to_vec(&docs).expect("the docs encode"));
    out
}

/// The root component name and the version every published artifact states (the workspace's,
/// the one `serverInfo` reports): rustc writes neither. The version goes in the `version` custom
/// section that `wasm-tools metadata show` and OCI tooling read.
fn named_and_versioned(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut metadata = wasm_metadata::AddMetadata::default();
    metadata.name = wasm_metadata::AddMetadataField::Set(name.into());
    let mut packaged = metadata
        .to_wasm(bytes)
        .expect("the component takes a root name");
    let version = std::env::var("CARGO_PKG_VERSION").expect("set by cargo");
    use wasm_encoder::ComponentSection as _;
    wasm_encoder::CustomSection {
        name: "version".into(),
        data: version.as_bytes().into(),
    }
    .append_to_component(&mut packaged);
    packaged
}

/// The server as published in the Spin app: the component cargo built, named and versioned.
fn package_server(built: &std::path::Path, packaged: &std::path::Path) {
    let bytes = std::fs::read(built).expect("the server was built");
    std::fs::write(packaged, named_and_versioned(&bytes, "argocd-mcp-server"))
        .expect("the packaged server is written");
}

/// The plugin as WASM MCP hosts want it: rustc leaves out the WIT docs (hosts show them as tool
/// descriptions, from a `package-docs` custom section), the root component name (which
/// Wassette needs for components it finds in its local directory) and the version. They are
/// added here, to a copy, so running this again never stacks sections.
fn package_plugin(built: &std::path::Path, wit: &std::path::Path, packaged: &std::path::Path) {
    let mut resolve = wit_parser::Resolve::default();
    let (package, _) = resolve.push_dir(wit).expect("the WIT parses");
    let docs = plugin_world_only(
        &wit_parser::PackageMetadata::extract(&resolve, package)
            .encode()
            .expect("the WIT docs encode"),
    );
    let bytes = std::fs::read(built).expect("the plugin was built");
    let mut packaged_bytes = named_and_versioned(&bytes, "argocd-mcp");
    use wasm_encoder::ComponentSection as _;
    wasm_encoder::CustomSection {
        name: wit_parser::PackageMetadata::SECTION_NAME.into(),
        data: docs.into(),
    }
    .append_to_component(&mut packaged_bytes);
    std::fs::write(packaged, packaged_bytes).expect("the packaged plugin is written");
}
