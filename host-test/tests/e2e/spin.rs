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

/// A `subscriptions/listen` held open through Spin on a raw connection: its SSE messages, read
/// on a thread as they come. Shutting `connection` down is the client leaving.
struct SpinSubscription {
    connection: TcpStream,
    messages: std::sync::mpsc::Receiver<Value>,
}

impl SpinSubscription {
    fn open(port: u16, id: u64, uris: &[String]) -> SpinSubscription {
        let body = crate::modern::modern_body(
            id,
            "subscriptions/listen",
            json!({"notifications": {"resourceSubscriptions": uris}}),
        )
        .to_string();
        let mut head = format!(
            "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{MCP_HEADERS}Content-Length: {}\r\n",
            body.len()
        );
        for (name, value) in crate::modern::mirrored(&serde_json::from_str(&body).unwrap()) {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        let mut connection = TcpStream::connect(("127.0.0.1", port)).unwrap();
        connection
            .write_all(format!("{head}\r\n{body}").as_bytes())
            .unwrap();
        let mut reading = connection.try_clone().unwrap();
        let (sender, messages) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut raw = Vec::new();
            let mut piece = [0u8; 8192];
            let mut head_done = false;
            let mut body = Vec::new();
            while let Ok(n @ 1..) = reading.read(&mut piece) {
                raw.extend_from_slice(&piece[..n]);
                if !head_done {
                    let Some(end) = find(&raw, b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
                    assert!(head.starts_with("http/1.1 200"), "{head}");
                    assert!(head.contains("content-type: text/event-stream"), "{head}");
                    assert!(head.contains("transfer-encoding: chunked"), "{head}");
                    raw.drain(..end + 4);
                    head_done = true;
                }
                // De-chunk what is whole.
                while let Some(line_end) = find(&raw, b"\r\n") {
                    let size =
                        usize::from_str_radix(String::from_utf8_lossy(&raw[..line_end]).trim(), 16)
                            .expect("a chunk size");
                    if raw.len() < line_end + 2 + size + 2 {
                        break;
                    }
                    body.extend_from_slice(&raw[line_end + 2..line_end + 2 + size]);
                    raw.drain(..line_end + 2 + size + 2);
                }
                while let Some(end) = find(&body, b"\n\n") {
                    let event: Vec<u8> = body.drain(..end + 2).collect();
                    for message in crate::sse_messages(&event) {
                        if sender.send(message).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        SpinSubscription {
            connection,
            messages,
        }
    }

    fn next(&self, within: Duration) -> Option<Value> {
        self.messages.recv_timeout(within).ok()
    }

    fn leave(self) {
        let _ = self.connection.shutdown(std::net::Shutdown::Both);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn wait_until(what: &str, within: Duration, check: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + within;
    while !check() {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The live feed on real Spin: a 2026-07-28 subscription to an app is acknowledged, a sync
/// made at the stand-in is heard step by step, once and in order, tagged with the subscription;
/// and the client leaving closes the watch on Argo CD (Spin notices through the keepalives the
/// server writes down a quiet stream).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_spin_a_subscription_hears_a_sync_and_leaving_closes_the_watch() {
    let Some(spin) =
        spin_binary("on_spin_a_subscription_hears_a_sync_and_leaving_closes_the_watch")
    else {
        return;
    };
    const SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";
    let standin = StandIn::start(Config {
        operation_time: Duration::from_millis(1500),
        ..Config::default()
    })
    .await
    .unwrap();
    standin.set_rollout_time(Duration::from_millis(500));
    let variables = login_variables(&standin, "password");
    let node = SpinNode::start(&spin, &app_dir("feed"), &borrowed(&variables), None);
    let guestbook = "argocd://applications/argocd/guestbook".to_owned();
    let subscription = SpinSubscription::open(node.port, 7, std::slice::from_ref(&guestbook));
    let soon = Duration::from_secs(20);
    let ack = subscription.next(soon).expect("an acknowledgment");
    assert_eq!(
        ack["method"], "notifications/subscriptions/acknowledged",
        "{ack}"
    );
    assert_eq!(ack["params"]["_meta"][SUBSCRIPTION_ID], 7, "{ack}");
    wait_until("the watch is open", soon, || standin.open_watches() == 1);

    assert!(standin.set_sync_status("guestbook", "OutOfSync"));
    let result = call(
        node.port,
        "sync_argocd_app",
        json!({"app_name": "guestbook", "confirm": true}),
    );
    assert_eq!(result["isError"], false, "{result}");
    let mut steps: Vec<Vec<String>> = Vec::new();
    while steps
        .last()
        .is_none_or(|s| s != &["health Progressing→Healthy".to_owned()])
    {
        let update = subscription.next(soon).expect("the next step of the sync");
        assert_eq!(
            update["method"], "notifications/resources/updated",
            "{update}"
        );
        assert_eq!(update["params"]["_meta"][SUBSCRIPTION_ID], 7, "{update}");
        assert_eq!(update["params"]["uri"], guestbook.as_str(), "{update}");
        let change = &update["params"]["_meta"]["argocd-mcp/change"];
        let mut fields: Vec<String> = ["sync", "health", "operation"]
            .iter()
            .filter(|f| change.get(**f).is_some())
            .map(|f| {
                let end = |e: &str| change[*f][e].as_str().unwrap().to_owned();
                format!("{f} {}→{}", end("from"), end("to"))
            })
            .collect();
        fields.sort();
        steps.push(fields);
        assert!(steps.len() <= 6, "more than the sync's steps: {steps:?}");
    }
    let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        steps,
        [
            strings(&["sync Synced→OutOfSync"]),
            strings(&["operation Succeeded→Running"]),
            strings(&[
                "health Healthy→Progressing",
                "operation Running→Succeeded",
                "sync OutOfSync→Synced"
            ]),
            strings(&["health Progressing→Healthy"]),
        ]
    );

    subscription.leave();
    wait_until(
        "the watch closes after the client left",
        Duration::from_secs(30),
        || standin.open_watches() == 0,
    );
    // And stays closed: nothing reconnects for a client who is gone.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(standin.open_watches(), 0);
}
