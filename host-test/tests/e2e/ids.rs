//! Every request gets an answer with its id, over every transport: a version or method no HTTP
//! header can carry (a control character, a trailing newline) over stdio, an unsupported version
//! over HTTP and over stdio, and a refusal the transport makes before reading the message.

use std::io::Write;

use serde_json::{Value, json};

use crate::{World, processes};

fn meta(version: &str) -> Value {
    json!({"io.modelcontextprotocol/protocolVersion": version,
           "io.modelcontextprotocol/clientCapabilities": {}})
}

#[test]
fn stdio_answers_every_request_with_its_id() {
    let mut child = processes::stdio_demo();
    let mut stdin = child.stdin.take().unwrap();
    let requests = [
        (
            json!(1),
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": meta("2026-07-28\n")}}),
            -32022,
        ),
        (
            json!("two"),
            json!({"jsonrpc": "2.0", "id": "two", "method": "tools/list", "params": {"_meta": meta("2026-07-28\u{1}")}}),
            -32022,
        ),
        (
            json!(3),
            json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list\u{7}", "params": {"_meta": meta("2026-07-28")}}),
            -32601,
        ),
        (
            json!(4),
            json!({"jsonrpc": "2.0", "id": 4, "method": "tools/list\n"}),
            -32601,
        ),
        (
            json!(5),
            json!({"jsonrpc": "2.0", "id": 5, "method": "tools/list", "params": {"_meta": meta("1999-01-01")}}),
            -32022,
        ),
    ];
    for (_, request, _) in &requests {
        // serde_json escapes the control characters, so each message stays one line.
        writeln!(stdin, "{request}").unwrap();
    }
    writeln!(
        stdin,
        "{}",
        json!({"jsonrpc": "2.0", "id": 6, "method": "tools/list", "params": {"_meta": meta("2026-07-28")}})
    )
    .unwrap();
    drop(stdin);
    let lines = processes::answers(&mut child);
    assert_eq!(lines.len(), requests.len() + 1, "{lines:?}");
    for (id, request, code) in &requests {
        let answer = lines
            .iter()
            .find(|l| l["id"] == *id)
            .unwrap_or_else(|| panic!("no answer with id {id} to {request}: {lines:?}"));
        assert_eq!(answer["error"]["code"], *code, "{request}: {answer}");
    }
    assert!(lines.iter().all(|l| !l["id"].is_null()), "{lines:?}");
    let fine = lines.iter().find(|l| l["id"] == 6).unwrap();
    assert!(fine["result"]["tools"].is_array(), "{fine}");
}

#[test]
fn stdio_answers_with_the_id_when_the_transport_refuses_unread() {
    // A user token the server cannot check: the transport refuses before reading the message.
    let mut child = processes::stdio_demo_with(&[
        ("ARGOCD_AUTH_MODE", "user"),
        ("MCP_USER_TOKEN", "not-a-token"),
    ]);
    let mut stdin = child.stdin.take().unwrap();
    writeln!(
        stdin,
        "{}",
        json!({"jsonrpc": "2.0", "id": 41, "method": "tools/list"})
    )
    .unwrap();
    drop(stdin);
    let lines = processes::answers(&mut child);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["id"], 41, "{}", lines[0]);
    assert!(lines[0]["error"].is_object(), "{}", lines[0]);
}

#[tokio::test]
async fn http_answers_an_unsupported_version_with_the_id() {
    let world = World::new().await;
    for (header, id) in [("1999-01-01", json!(9)), ("2026-13-01", json!("nine"))] {
        let body = json!({"jsonrpc": "2.0", "id": id, "method": "tools/list"}).to_string();
        let response = world
            .http(
                "POST",
                "/mcp",
                &[
                    ("content-type", "application/json"),
                    ("accept", "application/json, text/event-stream"),
                    ("mcp-protocol-version", header),
                ],
                &body,
            )
            .await;
        assert_eq!(response.status, 400);
        let answer = response.json().unwrap();
        assert_eq!(answer["id"], id, "{answer}");
        assert_eq!(answer["error"]["code"], -32022, "{answer}");
    }
}
