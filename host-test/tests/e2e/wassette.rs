//! The shipped plugin in a real WASM MCP host, Wassette 0.2.0: what a user of that version gets.
//! It loads the plugin and lists its exports as tools, but hands granted settings to components
//! only as `wasi:config` variables, never as environment variables (later releases give both), so
//! the plugin, which reads the environment, answers that Argo CD is not configured: the limit the
//! README's compatibility table states. Runs when a Wassette binary is at hand (`WASSETTE`, or
//! `wassette` on PATH) and says it was skipped otherwise.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use host_test::spin::Killed;
use host_test::standin::{Config, StandIn};
use serde_json::{Value, json};

pub(crate) fn wassette_binary() -> Option<PathBuf> {
    let from_env = std::env::var_os("WASSETTE")
        .map(PathBuf::from)
        .filter(|p| p.is_file());
    from_env.or_else(|| {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|dir| dir.join("wassette"))
            .find(|candidate| candidate.is_file())
    })
}

/// One `wassette serve --stdio` process, initialized, killed when dropped.
pub(crate) struct WassetteSession {
    stdin: ChildStdin,
    received: mpsc::Receiver<Value>,
    _process: Killed,
}

impl WassetteSession {
    /// Started with `plugins` as its component folder and `environment` added to its own.
    pub(crate) fn start(
        wassette: &Path,
        plugins: &Path,
        environment: &[(&str, &str)],
    ) -> WassetteSession {
        let mut command = Command::new(wassette);
        command
            .args(["serve", "--stdio", "--plugin-dir"])
            .arg(plugins)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (key, value) in environment {
            command.env(key, value);
        }
        let mut child = Killed(command.spawn().expect("wassette starts"));
        let stdin = child.0.stdin.take().unwrap();
        let stdout = child.0.stdout.take().unwrap();
        let (answers, received) = mpsc::channel::<Value>();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(message) = serde_json::from_str::<Value>(&line) {
                    let _ = answers.send(message);
                }
            }
        });
        let mut session = WassetteSession {
            stdin,
            received,
            _process: child,
        };
        session.send(
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}),
        );
        session.answer(1);
        session.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        session
    }

    pub(crate) fn send(&mut self, message: Value) {
        writeln!(self.stdin, "{message}").unwrap();
    }

    /// The answer to request `id` (at most a minute: loading compiles a component).
    pub(crate) fn answer(&self, id: u64) -> Value {
        loop {
            let message = self
                .received
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("no answer to request {id}"));
            if message["id"] == id {
                return message;
            }
        }
    }

    /// A tools/call of Wassette's or a component's tool: the whole answer.
    pub(crate) fn call(&mut self, id: u64, tool: &str, arguments: Value) -> Value {
        self.send(
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}),
        );
        self.answer(id)
    }

    /// The names of the tools it lists.
    pub(crate) fn tool_names(&mut self, id: u64) -> Vec<String> {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": "tools/list"}));
        self.answer(id)["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t["name"].as_str().map(str::to_owned))
            .collect()
    }
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
    let mut wassette = WassetteSession::start(
        &wassette,
        &plugins,
        &[("ARGOCD_URL", &standin.url()), ("ARGOCD_TOKEN", &token)],
    );

    // Every export is a tool, with every argument (Wassette marks options as required nulls).
    let names = wassette.tool_names(2);
    for tool in argocd_mcp::tools::definitions(false) {
        let export = tool.name.replace('_', "-");
        assert!(names.contains(&export), "{export} not listed: {names:?}");
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
        let granted = wassette.call(
            10 + i as u64,
            tool,
            json!({"component_id": "argocd_mcp_plugin", "details": details}),
        );
        assert!(
            granted.to_string().contains("permission granted"),
            "{granted}"
        );
    }
    let called = wassette.call(
        20,
        "get-argocd-app-status",
        json!({"app-name": "guestbook", "include-resources": null, "app-namespace": null, "profile": null}),
    );
    let text = called["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("Argo CD is not configured: set ARGOCD_URL"),
        "{text}"
    );
    assert!(!text.contains(&token), "no secret in the answer");
    assert_eq!(standin.requests().len(), 0, "nothing reached Argo CD");
}
