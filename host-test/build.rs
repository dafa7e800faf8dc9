//! Builds the two guest components exactly as they ship (`--profile guest`, wasm32-wasip2), so
//! the harness, its tests and the runner never run a stale `.wasm`. A separate target directory
//! keeps this nested cargo off the outer build's lock.

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
    println!(
        "cargo:rustc-env=ARGOCD_MCP_SERVER_WASM={}",
        out.join("argocd_mcp_server.wasm").display()
    );
    println!(
        "cargo:rustc-env=ARGOCD_MCP_PLUGIN_WASM={}",
        out.join("argocd_mcp_plugin.wasm").display()
    );
}
