//! The client configurations the README gives, launched exactly as a client would read them:
//! the command, args and environment keys of a stdio block, or the URL and headers of an HTTP
//! block against `serve`. Only the values a user fills in are substituted (the checkout path,
//! the Argo CD address and token, the MCP token, the port).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use host_test::standin::{Config, StandIn};
use serde_json::{Value, json};

use crate::PASSWORD;
use crate::processes::{self, Killed, RUNNER};

const README_RUNNER: &str = "/path/to/argocd-mcp/target/release/argocd-mcp-runner";
const MCP_TOKEN: &str = "setup-test-bearer";

/// The README's `<!-- setup: name -->` JSON blocks: (name, JSON).
fn readme_setups() -> Vec<(String, Value)> {
    let readme = include_str!("../../../README.md");
    let mut setups = Vec::new();
    let mut rest = readme;
    while let Some(at) = rest.find("<!-- setup: ") {
        rest = &rest[at + "<!-- setup: ".len()..];
        let name_end = rest.find(" -->").unwrap();
        let name = rest[..name_end].to_string();
        let Some(block) = rest[name_end + " -->".len()..]
            .trim_start()
            .strip_prefix("```json\n")
        else {
            continue; // another kind of setup (Spin's runtime config is TOML)
        };
        let end = block.find("\n```").unwrap();
        let config = serde_json::from_str(&block[..end])
            .unwrap_or_else(|e| panic!("the {name} block is not JSON: {e}"));
        setups.push((name, config));
    }
    setups
}

/// The one server a block defines, whichever key the client uses for its servers.
fn server_of(config: &Value) -> &Value {
    let servers = config
        .get("mcpServers")
        .or_else(|| config.get("servers"))
        .expect("a server map");
    &servers["argocd"]
}

/// What a user types where the block leaves a placeholder.
fn fill(value: &str, argocd_url: &str, token: &str, port: u16) -> String {
    value
        .replace(README_RUNNER, RUNNER)
        .replace("https://argocd.example.com", argocd_url)
        .replace("<Argo CD API token>", token)
        .replace("${input:argocd-token}", token)
        .replace("<MCP_AUTH_TOKEN>", MCP_TOKEN)
        .replace("${input:mcp-token}", MCP_TOKEN)
        .replace("127.0.0.1:8787", &format!("127.0.0.1:{port}"))
}

/// initialize, initialized, a tool call: what every client does first.
fn session() -> Vec<Value> {
    vec![
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "setup-test", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "get_argocd_app_status", "arguments": {"app_name": "guestbook"}}}),
    ]
}

fn check_answers(name: &str, answers: &[Value]) {
    let by_id = |id: u64| {
        answers
            .iter()
            .find(|a| a["id"] == id)
            .unwrap_or_else(|| panic!("{name}: no answer {id}: {answers:?}"))
    };
    assert_eq!(
        by_id(1)["result"]["serverInfo"]["name"],
        "argocd-mcp",
        "{name}"
    );
    let status = &by_id(2)["result"];
    assert_eq!(status["isError"], false, "{name}: {status}");
    assert_eq!(status["structuredContent"]["name"], "guestbook", "{name}");
}

fn run_stdio(name: &str, server: &Value, argocd_url: &str, token: &str) {
    let command = fill(server["command"].as_str().unwrap(), argocd_url, token, 0);
    let args: Vec<String> = server["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| fill(a.as_str().unwrap(), argocd_url, token, 0))
        .collect();
    let mut launch = Command::new(command);
    launch.args(&args).env_clear();
    for (key, value) in server["env"].as_object().unwrap() {
        launch.env(key, fill(value.as_str().unwrap(), argocd_url, token, 0));
    }
    let mut child = Killed(
        launch
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{name}: the command starts: {e}")),
    );
    let mut stdin = child.0.stdin.take().unwrap();
    for message in session() {
        writeln!(stdin, "{message}").unwrap();
    }
    drop(stdin);
    let answers: Vec<Value> = BufReader::new(child.0.stdout.take().unwrap())
        .lines()
        .map(|line| serde_json::from_str(&line.unwrap()).unwrap())
        .collect();
    check_answers(name, &answers);
}

/// One request as HTTP/1.0, so the answer comes whole (no chunking) and the connection closes.
fn post(url: &str, headers: &Value, body: &Value) -> (u16, Value) {
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = TcpStream::connect(authority).unwrap();
    let body = body.to_string();
    let mut request = format!(
        "POST {path} HTTP/1.0\r\nHost: {authority}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers.as_object().into_iter().flatten() {
        request.push_str(&format!("{name}: {}\r\n", value.as_str().unwrap()));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let payload = &response[response.find("\r\n\r\n").unwrap() + 4..];
    (status, serde_json::from_str(payload).unwrap_or(Value::Null))
}

fn run_http(name: &str, server: &Value, argocd_url: &str, token: &str) {
    let (_runner, listen) = processes::serve(|command| {
        command
            .env_clear()
            .env("ARGOCD_URL", argocd_url)
            .env("ARGOCD_TOKEN", token)
            .env("MCP_AUTH_TOKEN", MCP_TOKEN);
    });
    let port: u16 = listen.rsplit(':').next().unwrap().parse().unwrap();
    let url = fill(server["url"].as_str().unwrap(), argocd_url, token, port);
    let mut headers = server.get("headers").cloned().unwrap_or(json!({}));
    for value in headers.as_object_mut().unwrap().values_mut() {
        *value = json!(fill(value.as_str().unwrap(), argocd_url, token, port));
    }
    let mut answers = Vec::new();
    for message in session() {
        let (status, answer) = post(&url, &headers, &message);
        assert!(status == 200 || status == 202, "{name}: {status} {answer}");
        if !answer.is_null() {
            answers.push(answer);
        }
    }
    check_answers(name, &answers);
    let (refused, _) = post(&url, &json!({}), &session()[0]);
    assert_eq!(
        refused, 401,
        "{name}: without the block's headers the server refuses"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_setup_in_the_readme_works_as_written() {
    let standin = StandIn::start(Config {
        users: vec![("admin".into(), PASSWORD.into())],
        ..Config::default()
    })
    .await
    .unwrap();
    let token = standin.api_token("admin", None);
    let argocd_url = standin.url();
    let setups = readme_setups();
    let names: Vec<&str> = setups.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "claude-desktop",
            "claude-code",
            "cursor-http",
            "vscode",
            "vscode-http"
        ]
    );
    for (name, config) in &setups {
        let server = server_of(config).clone();
        let (name, argocd_url, token) = (name.clone(), argocd_url.clone(), token.clone());
        tokio::task::spawn_blocking(move || {
            if server.get("url").is_some() {
                run_http(&name, &server, &argocd_url, &token);
            } else {
                run_stdio(&name, &server, &argocd_url, &token);
            }
        })
        .await
        .unwrap();
    }
    assert_eq!(standin.login_count(), 0, "the API token is used as is");
}
