//! The MCP transport and protocol through the server component.

use serde_json::{Value, json};

use crate::World;

fn rpc_error(body: &Value) -> i64 {
    body["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("no error: {body}"))
}

#[tokio::test]
async fn a_client_session_initialize_list_call() {
    let world = World::new().await;
    let init = world
        .mcp(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}))
        .await;
    assert_eq!(init.status, 200);
    assert_eq!(init.header("content-type"), Some("application/json"));
    let body = init.json().unwrap();
    assert_eq!(body["result"]["protocolVersion"], "2025-06-18");
    assert_eq!(body["result"]["serverInfo"]["name"], "argocd-mcp");
    let initialized = world
        .mcp(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await;
    assert_eq!((initialized.status, initialized.body.len()), (202, 0));
    let ping = world
        .mcp(&json!({"jsonrpc": "2.0", "id": "p", "method": "ping"}))
        .await;
    assert_eq!(ping.json().unwrap()["result"], json!({}));
    let list = world
        .mcp(&json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))
        .await
        .json()
        .unwrap();
    let tools = list["result"]["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), argocd_mcp::tools::definitions(false).len());
    assert_eq!(
        names[..3],
        [
            "get_argocd_app_status",
            "list_argocd_apps",
            "list_argocd_app_history"
        ]
    );
    let writes = [
        "sync_argocd_app",
        "rollback_argocd_app",
        "terminate_argocd_operation",
        "run_argocd_resource_action",
        "create_argocd_app",
        "patch_argocd_app",
        "delete_argocd_app",
        "delete_argocd_resource",
    ];
    assert_eq!(names[names.len() - writes.len()..], writes);
    for tool in tools {
        assert!(tool["description"].as_str().unwrap().len() > 40);
        assert_eq!(tool["inputSchema"]["type"], "object");
        assert_eq!(tool["outputSchema"]["type"], "object");
        let read_only = tool["annotations"]["readOnlyHint"].as_bool().unwrap();
        assert_eq!(read_only, !writes.contains(&tool["name"].as_str().unwrap()));
    }
    let sync = tools
        .iter()
        .find(|t| t["name"] == "sync_argocd_app")
        .unwrap();
    // Destructive is the spec's default for a tool that changes things: said by leaving it out.
    assert_eq!(sync["annotations"], json!({"readOnlyHint": false}));
    let hints: Vec<&Value> = tools.iter().map(|t| &t["annotations"]).collect();
    assert!(
        hints
            .iter()
            .all(|a| a["destructiveHint"] != true && a["idempotentHint"] != false)
    );
    assert!(hints.iter().any(|a| a["destructiveHint"] == false));
    assert_eq!(sync["inputSchema"]["properties"]["confirm"]["const"], true);
}

#[tokio::test]
async fn transport_rules() {
    let world = World::new().await;
    assert_eq!(
        world
            .http("GET", "/mcp", &[("accept", "text/event-stream")], "")
            .await
            .status,
        405
    );
    assert_eq!(world.http("DELETE", "/mcp", &[], "").await.status, 405);
    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"});
    let foreign = world
        .mcp_with(&ping, &[("origin", "https://evil.example")])
        .await;
    assert_eq!(foreign.status, 403);
    assert_eq!(
        world
            .mcp_with(&ping, &[("origin", "http://localhost:8787")])
            .await
            .status,
        200
    );
    let bad_version = world
        .http(
            "POST",
            "/mcp",
            &[
                ("content-type", "application/json"),
                ("mcp-protocol-version", "1999-01-01"),
            ],
            &ping.to_string(),
        )
        .await;
    assert_eq!(bad_version.status, 400);
    assert!(bad_version.json().unwrap()["error"]["data"]["supported"].is_array());
    assert_eq!(
        world
            .http(
                "POST",
                "/mcp",
                &[("content-type", "text/plain")],
                &ping.to_string()
            )
            .await
            .status,
        415
    );
    assert_eq!(world.http("GET", "/nowhere", &[], "").await.status, 404);
}

#[tokio::test]
async fn bearer_token_guards_the_endpoint() {
    let mut world = World::new().await;
    world.set("mcp_auth_token", "s3cret-bearer");
    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"});
    let refused = world.mcp(&ping).await;
    assert_eq!(refused.status, 401);
    assert!(
        refused
            .header("www-authenticate")
            .unwrap()
            .starts_with("Bearer ")
    );
    assert_eq!(
        world
            .mcp_with(&ping, &[("authorization", "Bearer wrong")])
            .await
            .status,
        401
    );
    assert_eq!(
        world
            .mcp_with(&ping, &[("authorization", "Bearer s3cret-bearer")])
            .await
            .status,
        200
    );
    assert_eq!(world.standin.requests().len(), 0, "nothing reached Argo CD");
}

#[tokio::test]
async fn malformed_input_gets_the_right_error() {
    let world = World::new().await;
    let headers = [
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
    ];
    let parse = world
        .http("POST", "/mcp", &headers, "{\"jsonrpc\": \"2.0\", ")
        .await;
    assert_eq!(parse.status, 400);
    assert_eq!(rpc_error(&parse.json().unwrap()), -32700);
    let batch = world
        .http(
            "POST",
            "/mcp",
            &headers,
            r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
        )
        .await;
    assert_eq!(
        (batch.status, rpc_error(&batch.json().unwrap())),
        (400, -32600)
    );
    let no_version = world
        .http("POST", "/mcp", &headers, r#"{"id":1,"method":"ping"}"#)
        .await;
    assert_eq!(rpc_error(&no_version.json().unwrap()), -32600);
    let unknown = world
        .mcp(&json!({"jsonrpc": "2.0", "id": 1, "method": "resources/subscribe"}))
        .await;
    assert_eq!(rpc_error(&unknown.json().unwrap()), -32601);
    let no_tool = world.mcp(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "delete_everything"}})).await;
    let body = no_tool.json().unwrap();
    assert_eq!(rpc_error(&body), -32602);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("tools/list")
    );
    let missing = world.tool_error("get_argocd_app_status", json!({})).await;
    assert!(missing.contains("missing field `app_name`"), "{missing}");
    let wrong_type = world
        .tool_error(
            "rollback_argocd_app",
            json!({"app_name": "guestbook", "history_id": "3", "confirm": true}),
        )
        .await;
    assert!(
        wrong_type.contains("history_id: invalid type: string"),
        "{wrong_type}"
    );
    let typo = world
        .tool_error("list_argocd_apps", json!({"projetc": "x"}))
        .await;
    assert!(typo.contains("unknown field `projetc`"), "{typo}");
    for name in [
        "../../etc/passwd",
        "a/b",
        "..",
        "guestbook/../payments",
        "Guestbook",
    ] {
        let message = world
            .tool_error("get_argocd_app_status", json!({"app_name": name}))
            .await;
        assert!(message.contains("not a valid Kubernetes name"), "{message}");
    }
    assert_eq!(
        world.standin.requests().len(),
        0,
        "nothing invalid reached Argo CD"
    );
}

#[tokio::test]
async fn read_only_hides_and_refuses_mutations() {
    let mut world = World::new().await;
    world.set("read_only", "true");
    let list = world
        .mcp(&json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))
        .await
        .json()
        .unwrap();
    let names: Vec<&str> = list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), argocd_mcp::tools::definitions(true).len());
    assert_eq!(
        names.len() + 8,
        argocd_mcp::tools::definitions(false).len(),
        "the 8 writes hidden"
    );
    let writes = [
        "sync_argocd_app",
        "rollback_argocd_app",
        "terminate_argocd_operation",
        "run_argocd_resource_action",
        "create_argocd_app",
        "patch_argocd_app",
        "delete_argocd_app",
        "delete_argocd_resource",
    ];
    assert!(!names.iter().any(|n| writes.contains(n)));
    let call = world
        .mcp(&json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "sync_argocd_app", "arguments": {"app_name": "guestbook", "confirm": true}}}))
        .await
        .json()
        .unwrap();
    assert!(
        call["error"]["message"]
            .as_str()
            .unwrap()
            .contains("read-only")
    );
    assert!(
        world
            .standin
            .requests()
            .iter()
            .all(|r| !r.path.contains("/sync"))
    );
}
