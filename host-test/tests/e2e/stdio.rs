//! The runner binary over stdio, as a desktop MCP client starts it.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

#[test]
fn stdio_demo_answers_a_client_session() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_argocd-mcp-runner"))
        .args(["stdio", "--demo"])
        .env_remove("ARGOCD_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("runner starts");
    let mut stdin = child.stdin.take().unwrap();
    for message in [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "get_argocd_app_status", "arguments": {"app_name": "guestbook"}}}),
    ] {
        writeln!(stdin, "{message}").unwrap();
    }
    writeln!(stdin, "not json").unwrap();
    drop(stdin);
    let lines: Vec<Value> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    assert!(child.wait().unwrap().success());
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0]["result"]["protocolVersion"], "2025-11-25");
    assert_eq!(lines[1]["result"]["structuredContent"]["name"], "guestbook");
    assert_eq!(lines[2]["error"]["code"], -32700);
}

/// 2026-07-28 over stdio: the runner mirrors each message's version, method and name into the
/// headers the server component checks (base64-encoded when the name is not plain ASCII).
#[test]
fn stdio_speaks_the_stateless_revision() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_argocd-mcp-runner"))
        .args(["stdio", "--demo"])
        .env_remove("ARGOCD_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("runner starts");
    let meta = json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                      "io.modelcontextprotocol/clientCapabilities": {}});
    let mut stdin = child.stdin.take().unwrap();
    for message in [
        json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {"_meta": meta}}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "get_argocd_app_status", "arguments": {"app_name": "guestbook"}, "_meta": meta}}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "resources/read", "params": {"uri": "argocd-mcp://guides/ünknown", "_meta": meta}}),
    ] {
        writeln!(stdin, "{message}").unwrap();
    }
    drop(stdin);
    let lines: Vec<Value> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    assert!(child.wait().unwrap().success());
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0]["result"]["resultType"], "complete");
    assert_eq!(lines[1]["result"]["structuredContent"]["name"], "guestbook");
    assert_eq!(lines[1]["result"]["resultType"], "complete");
    assert_eq!(
        lines[2]["error"]["code"], -32602,
        "the encoded name passed the header check and the resource is unknown: {}",
        lines[2]
    );
}
