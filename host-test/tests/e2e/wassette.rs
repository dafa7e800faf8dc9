//! The shipped plugin in a real WASM MCP host, Wassette 0.2.0: what a user of that version gets.
//! It loads the plugin and lists its exports as tools, but hands granted settings to components
//! only as `wasi:config` variables, never as environment variables (later releases give both), so
//! the plugin, which reads the environment, answers that Argo CD is not configured: the limit the
//! README's compatibility table states. Runs when a Wassette binary is at hand (`WASSETTE`, or
//! `wassette` on PATH) and says it was skipped otherwise.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use host_test::spin::Killed;
use host_test::standin::{Config, StandIn};
use serde_json::{Value, json};

fn wassette_binary() -> Option<PathBuf> {
    let from_env = std::env::var_os("WASSETTE")
        .map(PathBuf::from)
        .filter(|p| p.is_file());
    from_env.or_else(|| {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|dir| dir.join("wassette"))
            .find(|candidate| candidate.is_file())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wassette_0_2_loads_and_lists_the_plugin_but_gives_it_no_settings() {
    let Some(wassette) = wassette_binary() else {
        eprintln!(
            "SKIPPED wassette_0_2_loads_and_lists_the_plugin_but_gives_it_no_settings: no Wassette binary (set WASSETTE, or put wassette on PATH)"
        );
        return;
    };
    let standin = StandIn::start(Config::default()).await.unwrap();
    let token = standin.api_token("admin", None);
    let plugins = std::env::temp_dir().join(format!("argocd-mcp-wassette-{}", std::process::id()));
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::copy(
        host_test::embed::PLUGIN_WASM,
        plugins.join("argocd_mcp_plugin.wasm"),
    )
    .unwrap();
    let mut child = Killed(
        Command::new(&wassette)
            .args(["serve", "--stdio", "--plugin-dir"])
            .arg(&plugins)
            .env("ARGOCD_URL", standin.url())
            .env("ARGOCD_TOKEN", &token)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("wassette starts"),
    );
    let mut stdin = child.0.stdin.take().unwrap();
    let stdout = child.0.stdout.take().unwrap();
    let (answers, received) = mpsc::channel::<Value>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(message) = serde_json::from_str::<Value>(&line) {
                let _ = answers.send(message);
            }
        }
    });
    let mut send = |message: Value| writeln!(stdin, "{message}").unwrap();
    let answer = |id: u64| -> Value {
        loop {
            let message = received
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("no answer to request {id}"));
            if message["id"] == id {
                return message;
            }
        }
    };
    send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}),
    );
    answer(1);
    send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));

    // Every export is a tool, with every argument (Wassette marks options as required nulls).
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}));
    let listed = answer(2);
    let names: Vec<&str> = listed["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    for tool in argocd_mcp::tools::definitions(false) {
        let export = tool.name.replace('_', "-");
        assert!(
            names.contains(&export.as_str()),
            "{export} not listed: {names:?}"
        );
    }

    // Granted the settings and the host, the plugin still sees no environment in 0.2.0.
    let grants = [
        (
            "grant-environment-variable-permission",
            json!({"key": "ARGOCD_URL"}),
        ),
        (
            "grant-environment-variable-permission",
            json!({"key": "ARGOCD_TOKEN"}),
        ),
        ("grant-network-permission", json!({"host": "127.0.0.1"})),
    ];
    for (i, (tool, details)) in grants.into_iter().enumerate() {
        let id = 10 + i as u64;
        send(
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": {"component_id": "argocd_mcp_plugin", "details": details}}}),
        );
        let granted = answer(id);
        assert!(
            granted.to_string().contains("permission granted"),
            "{granted}"
        );
    }
    send(
        json!({"jsonrpc": "2.0", "id": 20, "method": "tools/call", "params": {"name": "get-argocd-app-status", "arguments": {"app-name": "guestbook", "include-resources": null, "app-namespace": null, "profile": null}}}),
    );
    let called = answer(20);
    let text = called["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("Argo CD is not configured: set ARGOCD_URL"),
        "{text}"
    );
    assert!(!text.contains(&token), "no secret in the answer");
    assert_eq!(standin.requests().len(), 0, "nothing reached Argo CD");
}
