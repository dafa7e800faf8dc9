//! Resources (guides) and prompts through the server component.

use serde_json::json;

use crate::World;

#[tokio::test]
async fn guides_and_prompts_are_listed_and_fetched() {
    let world = World::new().await;
    let init = world.mcp(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25"}})).await.json().unwrap();
    assert!(init["result"]["capabilities"]["resources"].is_object());
    assert!(init["result"]["capabilities"]["prompts"].is_object());
    let resources = world
        .mcp(&json!({"jsonrpc": "2.0", "id": 2, "method": "resources/list"}))
        .await
        .json()
        .unwrap();
    let uris: Vec<&str> = resources["result"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uri"].as_str().unwrap())
        .collect();
    assert_eq!(uris.len(), 5);
    let read = world.mcp(&json!({"jsonrpc": "2.0", "id": 3, "method": "resources/read", "params": {"uri": "argocd-mcp://guides/rollback-rules"}})).await.json().unwrap();
    assert!(
        read["result"]["contents"][0]["text"]
            .as_str()
            .unwrap()
            .contains("auto-sync")
    );
    let missing = world.mcp(&json!({"jsonrpc": "2.0", "id": 4, "method": "resources/read", "params": {"uri": "argocd-mcp://guides/nope"}})).await.json().unwrap();
    assert_eq!(missing["error"]["code"], -32002);
    let prompts = world
        .mcp(&json!({"jsonrpc": "2.0", "id": 5, "method": "prompts/list"}))
        .await
        .json()
        .unwrap();
    assert_eq!(prompts["result"]["prompts"].as_array().unwrap().len(), 5);
    let safe = world
        .mcp(&json!({"jsonrpc": "2.0", "id": 6, "method": "prompts/get", "params": {"name": "safe_sync", "arguments": {"app_name": "guestbook"}}}))
        .await
        .json()
        .unwrap();
    let text = safe["result"]["messages"][0]["content"]["text"]
        .as_str()
        .unwrap();
    assert!(
        text.starts_with("Sync guestbook to its target revision safely"),
        "{text}"
    );
    let no_app = world.mcp(&json!({"jsonrpc": "2.0", "id": 7, "method": "prompts/get", "params": {"name": "triage_app"}})).await.json().unwrap();
    assert_eq!(no_app["error"]["code"], -32602);
    assert_eq!(
        world.standin.requests().len(),
        0,
        "guides and prompts need no Argo CD"
    );
}
