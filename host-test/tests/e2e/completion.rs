//! `completion/complete` for prompt arguments, answered from Argo CD.

use serde_json::{Value, json};

use crate::World;

fn complete(prompt: &str, argument: &str, value: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": 5, "method": "completion/complete", "params": {
        "ref": {"type": "ref/prompt", "name": prompt},
        "argument": {"name": argument, "value": value}}})
}

#[tokio::test]
async fn app_and_project_names_complete_from_argo_cd() {
    let world = World::new().await;
    let init = world
        .mcp(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}))
        .await
        .json()
        .unwrap();
    assert!(init["result"]["capabilities"]["completions"].is_object());

    let answer = world
        .mcp(&complete("triage_app", "app_name", "GUEST"))
        .await
        .json()
        .unwrap();
    assert_eq!(
        answer["result"]["completion"]["values"],
        json!(["guestbook"])
    );
    assert_eq!(answer["result"]["completion"]["hasMore"], false);
    let listed = world
        .env
        .outbound()
        .into_iter()
        .find(|r| r.uri.contains("/api/v1/applications"))
        .expect("asked Argo CD");
    assert!(
        listed.uri.ends_with("?fields=items.metadata.name"),
        "names only: {}",
        listed.uri
    );

    // Every app for an empty prefix, sorted; the fleet has more than a screenful.
    let all = world
        .mcp(&complete("safe_sync", "app_name", ""))
        .await
        .json()
        .unwrap();
    let values = all["result"]["completion"]["values"].as_array().unwrap();
    assert_eq!(all["result"]["completion"]["total"], values.len());
    assert!(values.len() > 30, "{}", values.len());
    let names: Vec<&str> = values.iter().map(|v| v.as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);

    let projects = world
        .mcp(&complete("fleet_status", "project", "pay"))
        .await
        .json()
        .unwrap();
    assert_eq!(
        projects["result"]["completion"]["values"],
        json!(["payments"])
    );

    // A prompt or argument that does not exist is invalid params; an argument we cannot
    // complete (a revision) offers nothing.
    for (prompt, argument) in [("nope", "app_name"), ("triage_app", "cluster")] {
        let refused = world
            .mcp(&complete(prompt, argument, "x"))
            .await
            .json()
            .unwrap();
        assert_eq!(refused["error"]["code"], -32602, "{prompt}/{argument}");
    }
    let revision = world
        .mcp(&complete("safe_sync", "revision", "v"))
        .await
        .json()
        .unwrap();
    assert_eq!(revision["result"]["completion"]["values"], json!([]));
}

#[tokio::test]
async fn completion_offers_nothing_when_argo_cd_is_down() {
    let mut world = World::new().await;
    world.standin.set_fail_with(Some(503));
    let answer = world
        .mcp(&complete("triage_app", "app_name", "g"))
        .await
        .json()
        .unwrap();
    assert_eq!(answer["result"]["completion"]["values"], json!([]));
    world.set("argocd_url", "");
    let unconfigured = world
        .mcp(&complete("triage_app", "app_name", "g"))
        .await
        .json()
        .unwrap();
    assert_eq!(unconfigured["result"]["completion"]["total"], 0);
}
