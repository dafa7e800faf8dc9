//! The runner binary over stdio, as a desktop MCP client starts it.

use std::io::{BufRead, BufReader, Write};

use serde_json::{Value, json};

use crate::processes;

#[test]
fn stdio_demo_answers_a_client_session() {
    let mut child = processes::stdio_demo();
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
    let lines = processes::answers(&mut child);
    assert_eq!(lines.len(), 3, "{lines:?}");
    // Messages are served side by side, so answers come in any order: match them by id.
    let by_id = |id: Value| lines.iter().find(|l| l["id"] == id).unwrap();
    assert_eq!(by_id(json!(1))["result"]["protocolVersion"], "2025-11-25");
    assert_eq!(
        by_id(json!(2))["result"]["structuredContent"]["name"],
        "guestbook"
    );
    assert_eq!(by_id(Value::Null)["error"]["code"], -32700);
}

/// 2026-07-28 over stdio: the runner mirrors each message's version, method and name into the
/// headers the server component checks (base64-encoded when the name is not plain ASCII).
#[test]
fn stdio_speaks_the_stateless_revision() {
    let mut child = processes::stdio_demo();
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
    let lines = processes::answers(&mut child);
    assert_eq!(lines.len(), 3, "{lines:?}");
    let by_id = |id: u64| lines.iter().find(|l| l["id"] == id).unwrap();
    assert_eq!(by_id(1)["result"]["resultType"], "complete");
    assert_eq!(by_id(2)["result"]["structuredContent"]["name"], "guestbook");
    assert_eq!(by_id(2)["result"]["resultType"], "complete");
    assert_eq!(
        by_id(3)["error"]["code"],
        -32602,
        "the encoded name passed the header check and the resource is unknown: {}",
        by_id(3)
    );
}

/// Over stdio a long wait does not hold up other messages, and `notifications/cancelled` stops
/// it: the cancelled request gets no answer (the demo's operations take 3 s; the wait would
/// otherwise answer then).
#[test]
fn stdio_serves_side_by_side_and_cancels_on_request() {
    let mut child = processes::stdio_demo();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (sender, received) = std::sync::mpsc::channel::<Value>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = sender.send(serde_json::from_str(&line.unwrap()).unwrap());
        }
    });
    let mut send = |message: Value| writeln!(stdin, "{message}").unwrap();
    let next = || received.recv_timeout(std::time::Duration::from_secs(20));

    send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "sync_argocd_app", "arguments": {"app_name": "guestbook", "confirm": true}}}),
    );
    assert_eq!(next().unwrap()["id"], 1);
    send(
        json!({"jsonrpc": "2.0", "id": "wait", "method": "tools/call", "params": {"name": "wait_for_argocd_operation", "arguments": {"app_name": "guestbook", "timeout_seconds": 60}, "_meta": {"progressToken": "w"}}}),
    );
    let progress = next().unwrap();
    assert_eq!(progress["params"]["progressToken"], "w", "{progress}");
    // While the wait runs, other requests are answered.
    send(json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list"}));
    let mut seen = Vec::new();
    loop {
        let message = next().unwrap();
        let listed = message["id"] == 3;
        seen.push(message);
        if listed {
            break;
        }
    }
    assert!(seen.iter().all(|m| m["id"] != "wait"), "{seen:?}");
    send(
        json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "wait", "reason": "user stopped it"}}),
    );
    send(json!({"jsonrpc": "2.0", "id": 4, "method": "ping"}));
    drop(stdin);
    let mut rest = Vec::new();
    while let Ok(message) = next() {
        rest.push(message);
    }
    assert!(child.wait().unwrap().success());
    assert!(rest.iter().any(|m| m["id"] == 4), "{rest:?}");
    assert!(
        rest.iter().all(|m| m["id"] != "wait"),
        "a cancelled request gets no answer: {rest:?}"
    );
}

/// The stdio runner reads `x-mcp-header` from the component's tools and mirrors `profile` into
/// `Mcp-Param-Profile`, so 2026-07-28 calls that name an instance pass the server's check.
/// (The second instance is named but not reachable here; reaching it is tested elsewhere.)
#[test]
fn stdio_mirrors_the_profile_header() {
    let profiles = json!([{"name": "again", "url": "https://argocd.example.com", "username": "admin", "password": "password"}]);
    let mut child = processes::stdio_demo_with(&[("ARGOCD_PROFILES", &profiles.to_string())]);
    let meta = json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                      "io.modelcontextprotocol/clientCapabilities": {}});
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{}", json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "get_argocd_server_info", "arguments": {"profile": "again"}, "_meta": meta}})).unwrap();
    drop(stdin);
    let lines = processes::answers(&mut child);
    assert_eq!(lines.len(), 1, "{lines:?}");
    // Past the header check (no -32020) and on to the instance named, which this test leaves
    // unreachable: the tool's own error names it.
    let result = &lines[0]["result"];
    assert!(lines[0].get("error").is_none(), "{}", lines[0]);
    assert!(
        result["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("https://argocd.example.com"),
        "{result}"
    );
}

/// A line longer than a message may be is skipped as it is read, never held whole: it gets an
/// error, and the messages after it are served.
#[test]
fn stdio_refuses_an_oversized_line_and_goes_on() {
    let mut child = processes::stdio_demo();
    let mut stdin = child.stdin.take().unwrap();
    let huge = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"pad\":\"{}\"}}",
        "x".repeat(8 << 20)
    );
    writeln!(stdin, "{huge}").unwrap();
    writeln!(
        stdin,
        "{}",
        json!({"jsonrpc": "2.0", "id": 2, "method": "ping"})
    )
    .unwrap();
    drop(stdin);
    let lines = processes::answers(&mut child);
    assert_eq!(lines.len(), 2, "{lines:?}");
    let refused = lines.iter().find(|l| l["id"].is_null()).unwrap();
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("too large")
    );
    assert!(
        lines
            .iter()
            .any(|l| l["id"] == 2 && l.get("result").is_some())
    );
}

/// 2026-07-28 subscriptions over stdio: two `subscriptions/listen` on one channel, each
/// acknowledged with its own id; a sync made over the same channel is heard on both, tagged
/// with each one's id; `notifications/cancelled` naming one ends it (nothing more for it, no
/// answer), while the other still hears the next sync. Keepalives never come out as messages,
/// and closing stdin ends the runner although a subscription is still open.
#[test]
fn stdio_carries_several_subscriptions_and_cancels_one() {
    use crate::modern::modern_body;
    use std::time::{Duration, Instant};
    const SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";
    let guestbook = "argocd://applications/argocd/guestbook";

    let mut child = processes::stdio_demo();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (sender, received) = std::sync::mpsc::channel::<Result<Value, String>>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let _ = sender.send(serde_json::from_str(&line).map_err(|_| line));
        }
    });
    let mut send = |message: Value| writeln!(stdin, "{message}").unwrap();
    let next = |within: Duration| match received.recv_timeout(within) {
        Ok(Ok(message)) => Some(message),
        Ok(Err(line)) => panic!("a line that is no JSON-RPC message: {line:?}"),
        Err(_) => None,
    };
    // Messages until `done` says enough, each checked to be no answer to a subscription.
    let until = |done: &mut dyn FnMut(&Value) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = next(left).unwrap_or_else(|| panic!("never came; saw {seen:?}"));
            let enough = done(&message);
            seen.push(message);
            if enough {
                return seen;
            }
        }
    };
    let subscription = |m: &Value| m["params"]["_meta"][SUBSCRIPTION_ID].as_u64();
    let succeeded = |m: &Value| {
        m["method"] == "notifications/resources/updated"
            && m["params"]["_meta"]["argocd-mcp/change"]["operation"]["to"] == "Succeeded"
    };
    let listen = |id: u64| {
        modern_body(
            id,
            "subscriptions/listen",
            json!({"notifications": {"resourceSubscriptions": [guestbook]}}),
        )
    };
    let sync = |id: u64| {
        modern_body(
            id,
            "tools/call",
            json!({"name": "sync_argocd_app", "arguments": {"app_name": "guestbook", "confirm": true}}),
        )
    };

    send(listen(1));
    send(listen(2));
    let mut acknowledged = Vec::new();
    until(&mut |m| {
        if m["method"] == "notifications/subscriptions/acknowledged" {
            assert_eq!(
                m["params"]["notifications"]["resourceSubscriptions"],
                json!([guestbook]),
                "{m}"
            );
            acknowledged.push(subscription(m).unwrap());
        }
        acknowledged.len() == 2
    });
    acknowledged.sort_unstable();
    assert_eq!(acknowledged, [1, 2]);

    // A sync over the same channel: its answer, and each subscription hears it through.
    send(sync(10));
    let mut answered = false;
    let mut through = [false, false];
    let seen = until(&mut |m| {
        if m["id"] == 10 {
            assert_eq!(m["result"]["isError"], false, "{m}");
            answered = true;
        }
        if succeeded(m) {
            let id = subscription(m).unwrap();
            assert!(id == 1 || id == 2, "{m}");
            through[id as usize - 1] = true;
        }
        answered && through == [true, true]
    });
    for m in &seen {
        assert!(
            m.get("id").is_none() || m["id"] == 10,
            "only the sync is answered: {m}"
        );
        if m["method"] == "notifications/resources/updated" {
            assert_eq!(m["params"]["uri"], guestbook, "{m}");
        }
    }
    // What is left of the sync (health settling) comes to both; then quiet.
    while next(Duration::from_secs(3)).is_some() {}

    send(
        json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
                "params": {"requestId": 1, "reason": "no longer needed"}}),
    );
    std::thread::sleep(Duration::from_millis(500));
    send(sync(11));
    let mut answered = false;
    let seen = until(&mut |m| {
        answered |= m["id"] == 11;
        answered && succeeded(m) && subscription(m) == Some(2)
    });
    // Whatever else of the second sync is still coming, for a while.
    let mut rest = seen;
    while let Some(m) = next(Duration::from_secs(3)) {
        rest.push(m);
    }
    for m in &rest {
        assert_ne!(
            subscription(m),
            Some(1),
            "the cancelled subscription heard: {m}"
        );
        assert_ne!(m["id"], 1, "a cancelled request gets no answer: {m}");
    }

    // The client leaving (stdin closed) ends the runner, the open subscription with it.
    drop(stdin);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the runner did not end after stdin closed");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success());
}
