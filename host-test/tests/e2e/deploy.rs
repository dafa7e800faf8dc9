//! `spin.toml` agrees with the code: same variables, same artifact, the store the code opens.

use std::collections::BTreeSet;

use toml::Value;

fn manifest() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spin.toml")).unwrap();
    Value::Table(toml::from_str(&text).unwrap())
}

#[test]
fn spin_variables_are_the_settings_the_code_reads() {
    let manifest = manifest();
    let declared: BTreeSet<&str> = manifest["variables"]
        .as_table()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let passed: BTreeSet<&str> = manifest["component"]["argocd-mcp"]["variables"]
        .as_table()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let read: BTreeSet<&str> = argocd_mcp::settings::all().map(|s| s.variable).collect();
    // One variable is Spin's alone: it widens the outbound allow-list for user mode.
    let spin_only: BTreeSet<&str> = ["identity_provider_origin"].into();
    assert_eq!(
        declared,
        read.union(&spin_only).copied().collect::<BTreeSet<_>>()
    );
    assert_eq!(passed, read);
    for secret in [
        "argocd_password",
        "argocd_token",
        "mcp_auth_token",
        "store_key",
        "extra_headers",
        "oidc_client_secret",
    ] {
        assert_eq!(
            manifest["variables"][secret]["secret"].as_bool(),
            Some(true),
            "{secret}"
        );
    }
    // Spin refuses to start without a store key, so no deployment keeps sessions in clear.
    assert_eq!(
        manifest["variables"]["store_key"]["required"].as_bool(),
        Some(true)
    );
    assert!(manifest["variables"]["store_key"].get("default").is_none());
}

#[test]
fn spin_deploys_the_component_the_harness_tests() {
    let manifest = manifest();
    let component = &manifest["component"]["argocd-mcp"];
    let source = component["source"].as_str().unwrap();
    let tested = std::path::Path::new(host_test::embed::SERVER_WASM);
    assert!(source.ends_with("wasm32-wasip2/guest/argocd_mcp_server.wasm"));
    // The harness runs what is published: the same build, packaged with its name and version
    // (host-test/build.rs).
    assert!(
        tested.ends_with("target/dist/argocd_mcp_server.wasm"),
        "{}",
        tested.display()
    );
    let build = component["build"]["command"].as_str().unwrap();
    assert!(build.contains("--profile guest") && build.contains("--target wasm32-wasip2"));
    assert_eq!(
        component["key_value_stores"].as_array().unwrap()[0].as_str(),
        Some("default")
    );
    assert_eq!(
        component["allowed_outbound_hosts"].as_array().unwrap()[0].as_str(),
        Some("{{ argocd_url }}")
    );
    let routes: Vec<&str> = manifest["trigger"]["http"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["route"].as_str().unwrap())
        .collect();
    assert_eq!(
        routes,
        [
            argocd_mcp::service::MCP_PATH,
            argocd_mcp::service::HEALTH_PATH,
            &format!("{}/...", argocd_mcp::mcp::authorization::METADATA_PATH),
        ]
    );
}

#[test]
fn readme_tool_table_is_generated_from_the_code() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let table = host_test::runner::tools_table();
    assert!(
        readme.contains(&table),
        "README's tool table is stale; replace it with the output of `cargo run --release -p host-test -- tools`:\n{table}"
    );
}

#[test]
fn the_readme_runtime_config_puts_the_shared_store_on_redis() {
    let readme = include_str!("../../../README.md");
    let marker = "<!-- setup: spin-runtime-config -->";
    let block = &readme[readme.find(marker).expect("the block is marked") + marker.len()..];
    let start = block.find("```toml\n").unwrap() + "```toml\n".len();
    let end = start + block[start..].find("\n```").unwrap();
    let config = Value::Table(toml::from_str(&block[start..end]).unwrap());
    let manifest = manifest();
    let store = manifest["component"]["argocd-mcp"]["key_value_stores"][0]
        .as_str()
        .unwrap();
    let configured = &config["key_value_store"][store];
    assert_eq!(configured["type"].as_str(), Some("redis"), "{config}");
    assert!(configured["url"].as_str().unwrap().starts_with("redis://"));
}
