//! The server component on real Spin (`spin up` with this repository's `spin.toml`), against the
//! stand-in: tools, the shared session, 401 recovery, health, progress over SSE, and what only a
//! host that runs many instances at once can show: bursts of cold calls with the right and the
//! wrong password, sustained load, and two nodes sharing one Redis store.
//!
//! Spin is test equipment, not a dependency: these tests run when a Spin binary is at hand (`SPIN`,
//! or `spin` on PATH) and say they were skipped otherwise. Two-node tests also need `redis-server`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use host_test::http_client::Connection;
use host_test::spin::{Killed, SpinNode, app_dir, free_port, wait_for_port};
use host_test::standin::{Config, StandIn};
use serde_json::{Value, json};

/// The Spin binary, or `None` (and a line saying the test is skipped).
pub(crate) fn spin_binary(test: &str) -> Option<PathBuf> {
    let found = host_test::spin::binary();
    if found.is_none() {
        eprintln!("SKIPPED {test}: no Spin binary (set SPIN, or put spin on PATH)");
    }
    found
}

/// One request on a fresh connection: the status and the body as text.
pub(crate) fn exchange(
    port: u16,
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> (u16, String) {
    let (status, answer) = Connection::new(port)
        .send(method, path, headers, body)
        .unwrap_or_else(|why| panic!("{method} {path}: {why}"));
    (status, String::from_utf8_lossy(&answer).into_owned())
}

pub(crate) const MCP_HEADERS: &str =
    "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";

/// A `tools/call` through Spin: the JSON-RPC `result`.
fn call(port: u16, tool: &str, arguments: Value) -> Value {
    let message = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                         "params": {"name": tool, "arguments": arguments}});
    let (status, body) = exchange(port, "POST", "/mcp", MCP_HEADERS, &message.to_string());
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{body}"));
    answer["result"].clone()
}

/// `n` cold calls at once, each on its own connection: their results.
fn burst(ports: &[u16], n: usize) -> Vec<Value> {
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let port = ports[i % ports.len()];
            std::thread::spawn(move || {
                call(
                    port,
                    "get_argocd_app_status",
                    json!({"app_name": "guestbook"}),
                )
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

pub(crate) async fn fresh_standin() -> StandIn {
    StandIn::start(Config::default()).await.unwrap()
}

pub(crate) fn login_variables(standin: &StandIn, password: &str) -> Vec<(&'static str, String)> {
    vec![
        ("argocd_url", standin.url()),
        ("argocd_username", "admin".into()),
        ("argocd_password", password.into()),
    ]
}

pub(crate) fn borrowed<'a>(variables: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    variables.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_spin_tools_health_the_shared_session_and_401_recovery_work() {
    let Some(spin) = spin_binary("on_spin_tools_health_the_shared_session_and_401_recovery_work")
    else {
        return;
    };
    let standin = fresh_standin().await;
    let variables = login_variables(&standin, "password");
    let node = SpinNode::start(&spin, &app_dir("basics"), &borrowed(&variables), None);
    for _ in 0..10 {
        let result = call(
            node.port,
            "get_argocd_app_status",
            json!({"app_name": "guestbook"}),
        );
        assert_eq!(result["isError"], false, "{result}");
        assert_eq!(result["structuredContent"]["name"], "guestbook");
    }
    assert_eq!(standin.login_count(), 1, "ten instances, one login");
    let (status, health) = exchange(node.port, "GET", "/health/argocd", "", "");
    assert_eq!(status, 200, "{health}");
    assert!(
        health.contains("\"authenticated_as\":\"admin\""),
        "{health}"
    );
    // Argo CD forgets its signing key: one re-login, one retry, the call succeeds.
    standin.rotate_signing_key();
    let result = call(node.port, "list_argocd_apps", json!({"limit": 3}));
    assert_eq!(result["isError"], false, "{result}");
    assert_eq!(standin.login_count(), 2);
    // A name Spin serves but the server was not told of is refused (DNS-rebinding protection).
    let mut stream = TcpStream::connect(("127.0.0.1", node.port)).unwrap();
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    write!(
        stream,
        "POST /mcp HTTP/1.1\r\nHost: evil.example:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{ping}",
        node.port,
        ping.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_spin_progress_streams_while_a_sync_is_waited_on() {
    let Some(spin) = spin_binary("on_spin_progress_streams_while_a_sync_is_waited_on") else {
        return;
    };
    let standin = StandIn::start(Config {
        operation_time: Duration::from_millis(1500),
        ..Config::default()
    })
    .await
    .unwrap();
    let variables = login_variables(&standin, "password");
    let node = SpinNode::start(&spin, &app_dir("progress"), &borrowed(&variables), None);
    let message = json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {
        "name": "sync_argocd_app", "_meta": {"progressToken": "p1"},
        "arguments": {"app_name": "guestbook", "confirm": true, "wait": true, "timeout_seconds": 30}}});
    let (status, body) = exchange(node.port, "POST", "/mcp", MCP_HEADERS, &message.to_string());
    assert_eq!(status, 200);
    let events: Vec<Value> = crate::sse_messages(body.as_bytes());
    let progress = events
        .iter()
        .filter(|m| m["method"] == "notifications/progress")
        .count();
    assert!(progress >= 2, "{body}");
    let last = events.last().unwrap();
    assert_eq!(
        last["result"]["structuredContent"]["outcome"]["verdict"], "healthy",
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_spin_a_cold_burst_logs_in_once_and_a_wrong_password_cannot_lock() {
    let Some(spin) =
        spin_binary("on_spin_a_cold_burst_logs_in_once_and_a_wrong_password_cannot_lock")
    else {
        return;
    };
    let standin = fresh_standin().await;
    let right = login_variables(&standin, "password");
    let node = SpinNode::start(&spin, &app_dir("burst"), &borrowed(&right), None);
    let results = burst(&[node.port], 32);
    assert!(results.iter().all(|r| r["isError"] == false), "{results:?}");
    assert!(
        standin.login_count() <= 1,
        "{} logins",
        standin.login_count()
    );

    let wrong_standin = fresh_standin().await;
    let wrong = login_variables(&wrong_standin, "wrong");
    let node = SpinNode::start(&spin, &app_dir("wrong"), &borrowed(&wrong), None);
    let results = burst(&[node.port], 32);
    for result in &results {
        assert_eq!(result["isError"], true);
        let text = result["content"][0]["text"].as_str().unwrap();
        assert!(
            text.contains("Invalid username or password") || text.contains("not retrying"),
            "{text}"
        );
    }
    let attempts = wrong_standin.login_count();
    assert!(attempts < 5, "{attempts} attempts: Argo CD locks at 5");
    assert!(!wrong_standin.state().sessions.is_locked("admin"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_spin_ten_thousand_calls_at_32_clients_all_succeed() {
    let Some(spin) = spin_binary("on_spin_ten_thousand_calls_at_32_clients_all_succeed") else {
        return;
    };
    let standin = fresh_standin().await;
    let variables = login_variables(&standin, "password");
    let node = SpinNode::start(&spin, &app_dir("load"), &borrowed(&variables), None);
    let port = node.port;
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let clients: Vec<_> = (0..32)
        .map(|_| {
            let next = next.clone();
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                while next.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 10_000 {
                    let result = call(
                        port,
                        "get_argocd_app_status",
                        json!({"app_name": "guestbook"}),
                    );
                    if result["isError"] != false {
                        failures.push(result);
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<Value> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of 10,000 failed, e.g. {}",
        failures.len(),
        failures[0]
    );
    assert_eq!(standin.login_count(), 1);
}

/// `redis-server` on a free port, killed when dropped; `None` when it is not installed.
pub(crate) fn redis(test: &str) -> Option<(Killed, u16)> {
    let port = free_port();
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match child {
        Ok(child) => {
            wait_for_port(port, "redis-server");
            Some((Killed(child), port))
        }
        Err(_) => {
            eprintln!("SKIPPED {test}: no redis-server (Debian package redis-server)");
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_two_spin_nodes_sharing_redis_a_burst_logs_in_once_and_cannot_lock() {
    let test = "on_two_spin_nodes_sharing_redis_a_burst_logs_in_once_and_cannot_lock";
    let Some(spin) = spin_binary(test) else {
        return;
    };
    let Some((_redis, redis_port)) = redis(test) else {
        return;
    };
    for (password, ok) in [("password", true), ("wrong", false)] {
        // A store per round: the wrong password's back-off must not meet the right one's token.
        let _ = Command::new("redis-cli")
            .args(["-p", &redis_port.to_string(), "flushall"])
            .stdout(Stdio::null())
            .status();
        let standin = fresh_standin().await;
        let variables = login_variables(&standin, password);
        let dir = app_dir(&format!("redis-{ok}"));
        let config = host_test::spin::redis_runtime_config(&dir, redis_port);
        let first = SpinNode::start(&spin, &dir, &borrowed(&variables), Some(&config));
        let second = SpinNode::start(&spin, &dir, &borrowed(&variables), Some(&config));
        let results = burst(&[first.port, second.port], 32);
        let logins = standin.login_count();
        if ok {
            assert!(results.iter().all(|r| r["isError"] == false), "{results:?}");
            assert!(logins <= 2, "{logins} logins on two nodes");
        } else {
            assert!(results.iter().all(|r| r["isError"] == true));
            assert!(
                logins < 5,
                "{logins} attempts on two nodes: Argo CD locks at 5"
            );
        }
    }
}

/// User mode on Spin: the metadata routes `spin.toml` declares answer at both addresses, a call
/// without a token is challenged, and two users' cold calls, interleaved over many instances at
/// once, each act as their own user at Argo CD, one exchange per user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_spin_user_mode_signs_in_each_caller_and_acts_as_them() {
    let Some(spin) = spin_binary("on_spin_user_mode_signs_in_each_caller_and_acts_as_them") else {
        return;
    };
    let standin = fresh_standin().await;
    let port = free_port();
    let resource = format!("http://127.0.0.1:{port}/mcp");
    let secret = "spin-test-client-secret";
    standin.trust_mcp_server("argocd-mcp", secret, &resource);
    let issuer = standin.issuer();
    let variables: Vec<(&str, String)> = standin
        .user_mode_settings("argocd-mcp", secret, &resource)
        .into_iter()
        .map(|(setting, value)| (setting.variable, value))
        .collect();
    let node = SpinNode::start_on(
        port,
        &spin,
        &app_dir("user-mode"),
        &borrowed(&variables),
        None,
    );

    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ] {
        let (status, body) = exchange(node.port, "GET", path, "", "");
        assert_eq!(status, 200, "{path}: {body}");
        let metadata: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(metadata["resource"], resource.as_str());
        assert_eq!(metadata["authorization_servers"], json!([issuer]));
    }
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    let (status, body) = exchange(node.port, "POST", "/mcp", MCP_HEADERS, ping);
    assert_eq!(status, 401, "{body}");

    let tokens: Vec<(&str, String)> = ["alice", "bob"]
        .into_iter()
        .map(|user| (user, standin.user_token(user, &resource)))
        .collect();
    let threads: Vec<_> = (0..32)
        .map(|i| {
            let (user, token) = tokens[i % 2].clone();
            let port = node.port;
            std::thread::spawn(move || {
                let headers = format!("{MCP_HEADERS}Authorization: Bearer {token}\r\n");
                let message = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                    "params": {"name": "get_argocd_server_info", "arguments": {}}});
                let (status, body) = exchange(port, "POST", "/mcp", &headers, &message.to_string());
                assert_eq!(status, 200, "{body}");
                let answer: Value = serde_json::from_str(&body).unwrap();
                (
                    user,
                    answer["result"]["structuredContent"]["username"].clone(),
                )
            })
        })
        .collect();
    for thread in threads {
        let (user, answered_as) = thread.join().unwrap();
        assert_eq!(answered_as, user, "a call answered as another user");
    }
    let exchanges = standin.state().idp.exchanges.len();
    assert!(
        (2..=4).contains(&exchanges),
        "{exchanges} exchanges for 32 cold calls of 2 users"
    );

    let sync_as = |token: &str| {
        let headers = format!("{MCP_HEADERS}Authorization: Bearer {token}\r\n");
        let message = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "sync_argocd_app", "arguments": {"app_name": "payments", "confirm": true}}});
        let (_, body) = exchange(node.port, "POST", "/mcp", &headers, &message.to_string());
        serde_json::from_str::<Value>(&body).unwrap()["result"].clone()
    };
    assert_eq!(sync_as(&tokens[1].1)["isError"], true, "bob is a viewer");
    assert_eq!(
        sync_as(&tokens[0].1)["isError"],
        false,
        "alice deploys payments"
    );
    let audit: Vec<(String, bool)> = standin
        .audit_trail()
        .into_iter()
        .map(|(user, _, allowed)| (user, allowed))
        .collect();
    assert_eq!(audit, [("bob".into(), false), ("alice".into(), true)]);
}
