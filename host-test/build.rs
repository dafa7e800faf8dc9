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
    command.env("CARGO_ENCODED_RUSTFLAGS", registry_remaps().join("\x1f"));
    let status = command
        .status()
        .expect("could not run cargo for the guest components");
    if !status.success() {
        panic!(
            "building the guest components failed; is the target installed? run: rustup target add wasm32-wasip2"
        );
    }
    let out = target_dir.join("wasm32-wasip2").join("guest");
    println!("cargo:rerun-if-env-changed=ARGOCD_MCP_WASM_OPT");
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

/// binaryen's `wasm-opt`, pinned: the version the shipped sizes were measured with (`.ci/run`
/// installs it: `npm install -g binaryen@132.0.0`). `ARGOCD_MCP_WASM_OPT` names another binary,
/// or `off` to ship what rustc built.
const WASM_OPT_VERSION: &str = "version 132";

/// The component with its main core module (the largest: the program, beside the small shims
/// wit-component adds) run through `wasm-opt -Oz` (after merging similar functions), which
/// takes about 15% more off than
/// rustc's `opt-level = "s"` and LTO. Without wasm-opt (or with another version) the component
/// is packaged as built, with a warning: it works the same, only larger.
fn size_optimized(component: Vec<u8>, name: &str) -> Vec<u8> {
    let wasm_opt = std::env::var("ARGOCD_MCP_WASM_OPT").unwrap_or_else(|_| "wasm-opt".into());
    if wasm_opt == "off" {
        return component;
    }
    let version = Command::new(&wasm_opt).arg("--version").output();
    let version = match version {
        Ok(output) if output.status.success() => {
            String::from_utf8_lossy(&output.stdout).into_owned()
        }
        _ => {
            println!(
                "cargo:warning=wasm-opt (binaryen) not found: {name} is packaged without its size pass (npm install -g binaryen@132.0.0)"
            );
            return component;
        }
    };
    if !version.contains(WASM_OPT_VERSION) {
        println!(
            "cargo:warning=wasm-opt is {}, not binaryen {WASM_OPT_VERSION}: {name} is packaged without its size pass",
            version.trim()
        );
        return component;
    }
    let Some((header, start, end)) = largest_core_module(&component) else {
        panic!("{name} has no core module");
    };
    let work = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    let input = work.join(format!("{name}.core.wasm"));
    let output = work.join(format!("{name}.core.opt.wasm"));
    std::fs::write(&input, &component[start..end]).expect("the core module is written");
    let status = Command::new(&wasm_opt)
        // Functions that differ only in constants (the many monomorphized copies of one generic
        // body) merged first: 4 to 5 KB more off each component; `--converge` repeats -Oz while
        // it still gains (about 0.5 KB for twice the time).
        .args(["--merge-similar-functions", "-Oz", "--converge"])
        // The features rustc's wasm32-wasip2 target enables, and only those: wasm-opt must not
        // bring in instructions a host may not take.
        .args([
            "--enable-bulk-memory",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-nontrapping-float-to-int",
            "--enable-multivalue",
            "--enable-reference-types",
        ])
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .status()
        .expect("wasm-opt runs");
    assert!(status.success(), "wasm-opt failed on {name}");
    let optimized = std::fs::read(&output).expect("wasm-opt wrote the module");
    // The section header again: id 1 (core module), the new size, the module.
    let mut spliced = component[..header].to_vec();
    spliced.push(1);
    let mut size = optimized.len();
    loop {
        let byte = (size & 0x7f) as u8;
        size >>= 7;
        if size == 0 {
            spliced.push(byte);
            break;
        }
        spliced.push(byte | 0x80);
    }
    spliced.extend_from_slice(&optimized);
    spliced.extend_from_slice(&component[end..]);
    spliced
}

/// The component without the `component-name` section wit-component writes (names of its inner
/// instances, functions and types, for debugging: about 12 KB). Packaging writes the root name
/// afresh, alone, in its own `component-name` section.
fn without_inner_names(component: Vec<u8>) -> Vec<u8> {
    let mut kept = component[..8].to_vec();
    for (id, header, body, end) in sections(&component) {
        let (name_len, name_at) = leb128(&component, body);
        let inner_names = id == 0 && &component[name_at..name_at + name_len] == b"component-name";
        if !inner_names {
            kept.extend_from_slice(&component[header..end]);
        }
    }
    kept
}

/// An unsigned LEB128 at `at`: its value and where it ends.
fn leb128(bytes: &[u8], mut at: usize) -> (usize, usize) {
    let (mut value, mut shift) = (0usize, 0);
    loop {
        let byte = bytes[at];
        at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            return (value, at);
        }
    }
}

/// The top-level sections of a component: id, start of the header, start and end of the body.
fn sections(component: &[u8]) -> Vec<(u8, usize, usize, usize)> {
    let mut sections = Vec::new();
    let mut at = 8; // magic and version
    while at < component.len() {
        let (size, body) = leb128(component, at + 1);
        sections.push((component[at], at, body, body + size));
        at = body + size;
    }
    sections
}

/// The largest core module section: where its header starts, where its body starts and ends.
fn largest_core_module(component: &[u8]) -> Option<(usize, usize, usize)> {
    sections(component)
        .into_iter()
        .filter(|(id, ..)| *id == 1)
        .max_by_key(|(_, _, start, end)| end - start)
        .map(|(_, header, start, end)| (header, start, end))
}

/// The server as published in the Spin app: the component cargo built, size-optimized, named
/// and versioned.
fn package_server(built: &std::path::Path, packaged: &std::path::Path) {
    let bytes = size_optimized(
        without_inner_names(std::fs::read(built).expect("the server was built")),
        "argocd_mcp_server",
    );
    std::fs::write(packaged, named_and_versioned(&bytes, "argocd-mcp-server"))
        .expect("the packaged server is written");
}

/// The plugin as WASM MCP hosts want it, size-optimized like the server: rustc leaves out the WIT docs (hosts show them as tool
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
    let bytes = size_optimized(
        without_inner_names(std::fs::read(built).expect("the plugin was built")),
        "argocd_mcp_plugin",
    );
    let mut packaged_bytes = named_and_versioned(&bytes, "argocd-mcp");
    use wasm_encoder::ComponentSection as _;
    wasm_encoder::CustomSection {
        name: wit_parser::PackageMetadata::SECTION_NAME.into(),
        data: docs.into(),
    }
    .append_to_component(&mut packaged_bytes);
    std::fs::write(packaged, packaged_bytes).expect("the packaged plugin is written");
}

/// Panic messages name the file they come from, and a dependency's file is named with the
/// directory cargo unpacked it in (`/home/…/.cargo/registry/src/index.crates.io-…/base64-0.22.1/…`):
/// about 3.5 KB of the server component spent on this machine's paths (issue 16), and a build
/// that differs by where it ran. Each registry directory is remapped to nothing, so a file reads
/// `base64-0.22.1/src/…`.
fn registry_remaps() -> Vec<String> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    let Some(sources) = cargo_home.map(|home| home.join("registry").join("src")) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(&sources) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|entry| format!("--remap-path-prefix={}/=", entry.path().display()))
        .collect()
}
