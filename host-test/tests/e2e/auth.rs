//! Login, the shared token cache, refresh, recovery, lockout safety, health, and secrets.

use std::time::Duration;

use host_test::standin::Config;
use serde_json::{Value, json};

use crate::{ARGOCD_URL, PASSWORD, World};

const SESSION_KEY: &str = "argocd-mcp/session/admin@https://argocd.example.com";

fn seal() -> argocd_mcp::store_seal::StoreSeal {
    argocd_mcp::store_seal::StoreSeal::from_secret(host_test::embed::TEST_STORE_KEY).unwrap()
}

/// The cached session as the component sealed it, opened.
fn cached_session(world: &World) -> Value {
    let sealed = &world.env.kv.snapshot()[SESSION_KEY];
    serde_json::from_slice(
        &seal()
            .open(SESSION_KEY, sealed)
            .expect("sealed with the key"),
    )
    .unwrap()
}

#[tokio::test]
async fn twenty_calls_in_twenty_instances_log_in_once() {
    let world = World::new().await;
    for i in 0..20 {
        let tool = if i % 2 == 0 {
            "list_argocd_apps"
        } else {
            "get_argocd_app_status"
        };
        world
            .ok(
                tool,
                json!(if i % 2 == 0 {
                    json!({"limit": 5})
                } else {
                    json!({"app_name": "guestbook"})
                }),
            )
            .await;
    }
    assert_eq!(world.standin.login_count(), 1);
    let cached = cached_session(&world);
    assert!(cached["exp"].as_i64().unwrap() > 0);
    let keys: Vec<String> = world.env.kv.snapshot().into_keys().collect();
    assert!(keys.iter().all(|k| !k.contains(PASSWORD)), "{keys:?}");
}

#[tokio::test]
async fn a_token_near_expiry_is_renewed_and_one_without_exp_is_kept() {
    let world = World::new().await;
    world.ok("list_argocd_apps", json!({})).await;
    // Four minutes left: under the five-minute margin.
    world.env.kv.update(SESSION_KEY, |bytes| {
        let mut cached: Value =
            serde_json::from_slice(&seal().open(SESSION_KEY, bytes).unwrap()).unwrap();
        let soon = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 240;
        cached["exp"] = json!(soon);
        *bytes = seal()
            .seal(SESSION_KEY, &serde_json::to_vec(&cached).unwrap())
            .unwrap();
    });
    world.ok("list_argocd_apps", json!({})).await;
    assert_eq!(world.standin.login_count(), 2, "renewed before expiry");
    world.ok("list_argocd_apps", json!({})).await;
    assert_eq!(world.standin.login_count(), 2, "fresh token reused");

    let endless = World::with(
        Config {
            session_lifetime: None,
            ..Config::default()
        },
        &[("argocd_username", "admin"), ("argocd_password", PASSWORD)],
    )
    .await;
    for _ in 0..5 {
        endless.ok("list_argocd_apps", json!({})).await;
    }
    assert_eq!(endless.standin.login_count(), 1);
    let cached = cached_session(&endless);
    assert!(cached["exp"].is_null());
}

#[tokio::test]
async fn a_rotated_signing_key_costs_one_login_and_one_retry() {
    let world = World::new().await;
    world.ok("list_argocd_apps", json!({})).await;
    world.standin.rotate_signing_key();
    let status = world
        .ok("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await;
    assert_eq!(status["name"], "guestbook");
    assert_eq!(world.standin.login_count(), 2);
    let gets = world
        .standin
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/applications/guestbook"))
        .count();
    assert_eq!(gets, 2, "one refused, one retried");
}

#[tokio::test]
async fn a_wrong_password_never_locks_the_account() {
    let world = World::with(
        Config::default(),
        &[("argocd_username", "admin"), ("argocd_password", "wrong")],
    )
    .await;
    let first = world.tool_error("list_argocd_apps", json!({})).await;
    assert!(first.contains("Invalid username or password"), "{first}");
    for _ in 0..9 {
        let again = world
            .tool_error("get_argocd_app_status", json!({"app_name": "guestbook"}))
            .await;
        assert!(again.contains("not retrying for another"), "{again}");
    }
    assert_eq!(world.standin.login_count(), 1, "one attempt, then back-off");
    // The account still works for whoever has the right password.
    let mut fixed = World {
        standin: world.standin.clone(),
        env: world.env.clone(),
    };
    fixed.env.kv = Default::default();
    fixed.set("argocd_password", PASSWORD);
    fixed.ok("list_argocd_apps", json!({})).await;
}

#[tokio::test]
async fn a_failing_store_costs_logins_not_answers() {
    let world = World::new().await;
    world.env.kv.set_failing(true);
    for _ in 0..3 {
        world
            .ok("get_argocd_app_status", json!({"app_name": "guestbook"}))
            .await;
    }
    assert_eq!(world.standin.login_count(), 3);
    world.env.kv.set_failing(false);
    world.ok("list_argocd_apps", json!({})).await;
    world.ok("list_argocd_apps", json!({})).await;
    assert_eq!(world.standin.login_count(), 4);
}

#[tokio::test]
async fn a_static_token_is_used_as_is() {
    let standin_world = World::new().await;
    let token = standin_world.standin.api_token("admin", None);
    let mut world = World {
        standin: standin_world.standin.clone(),
        env: standin_world.env.clone(),
    };
    world.env.variables.remove("argocd_username");
    world.env.variables.remove("argocd_password");
    world.set("argocd_token", &token);
    world.ok("list_argocd_apps", json!({})).await;
    assert_eq!(world.standin.login_count(), 0);
    let sent = world.standin.requests().into_iter().last().unwrap();
    assert_eq!(
        sent.authorization.as_deref(),
        Some(format!("Bearer {token}").as_str())
    );
}

#[tokio::test]
async fn health_is_200_then_503_with_a_bad_token() {
    let world = World::new().await;
    let token = world.standin.api_token("admin", None);
    let mut world = World {
        standin: world.standin.clone(),
        env: world.env.clone(),
    };
    world.env.variables.remove("argocd_password");
    world.set("argocd_token", &token);
    let ok = world.http("GET", "/health/argocd", &[], "").await;
    assert_eq!(ok.status, 200);
    let body = ok.json().unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["authenticated_as"], "admin");
    assert_eq!(body["argocd_url"], ARGOCD_URL);
    assert!(body["latency_ms"].is_u64());

    world.standin.rotate_signing_key();
    let bad = world.http("GET", "/health/argocd", &[], "").await;
    assert_eq!(bad.status, 503);
    let body = bad.json().unwrap();
    assert_eq!(
        body["http_status"], 200,
        "userinfo says 200 {{}}, never 401"
    );
    assert!(body["note"].as_str().unwrap().contains("generate-token"));
    assert!(!bad.body.windows(token.len()).any(|w| w == token.as_bytes()));
}

#[tokio::test]
async fn health_reauthenticates_a_stale_session() {
    let world = World::new().await;
    assert_eq!(
        world.http("GET", "/health/argocd", &[], "").await.status,
        200
    );
    world.standin.rotate_signing_key();
    let again = world.http("GET", "/health/argocd", &[], "").await;
    assert_eq!(
        again.status,
        200,
        "{}",
        String::from_utf8_lossy(&again.body)
    );
    assert_eq!(world.standin.login_count(), 2);
    let mut unconfigured = World::with(Config::default(), &[]).await;
    unconfigured
        .env
        .variables
        .retain(|name, _| name == "store_key");
    let missing = unconfigured.http("GET", "/health/argocd", &[], "").await;
    assert_eq!(missing.status, 503);
    assert!(
        missing.json().unwrap()["error"]
            .as_str()
            .unwrap()
            .contains("ARGOCD_URL")
    );
    unconfigured.set("argocd_url", "https://argocd.example.com");
    let denied = unconfigured.http("GET", "/health/argocd", &[], "").await;
    assert!(
        denied.json().unwrap()["error"]
            .as_str()
            .unwrap()
            .contains("ARGOCD_TOKEN")
    );
}

#[tokio::test]
async fn no_secret_reaches_any_output_or_log() {
    let mut world = World::with(
        Config {
            operation_time: Duration::from_millis(50),
            ..Config::default()
        },
        &[("argocd_username", "admin"), ("argocd_password", PASSWORD)],
    )
    .await;
    world.set("mcp_auth_token", "mcp-bearer-secret");
    let bearer = [("authorization", "Bearer mcp-bearer-secret")];
    let mut outputs = Vec::new();
    for message in [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25"}}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "get_argocd_app_status", "arguments": {"app_name": "guestbook"}}}),
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "sync_argocd_app", "arguments": {"app_name": "guestbook", "confirm": true}}}),
        json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "get_argocd_app_status", "arguments": {"app_name": "nope"}}}),
    ] {
        outputs.push(world.mcp_with(&message, &bearer).await.body.to_vec());
    }
    outputs.push(
        world
            .http("GET", "/health/argocd", &[], "")
            .await
            .body
            .to_vec(),
    );
    world.standin.rotate_signing_key();
    outputs.push(world.mcp_with(&json!({"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": "list_argocd_apps"}}), &bearer).await.body.to_vec());
    world.set("argocd_password", "wrong-but-secret");
    world.env.kv = Default::default();
    outputs.push(world.mcp_with(&json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "list_argocd_apps"}}), &bearer).await.body.to_vec());
    outputs.push(world.stderr().into_bytes());
    let tokens: Vec<String> = world
        .standin
        .requests()
        .iter()
        .filter_map(|r| {
            r.authorization
                .as_deref()
                .and_then(|a| a.strip_prefix("Bearer "))
                .map(str::to_owned)
        })
        .collect();
    assert!(!tokens.is_empty());
    let mut secrets: Vec<&str> = vec![PASSWORD, "wrong-but-secret", "mcp-bearer-secret"];
    secrets.extend(tokens.iter().map(String::as_str));
    for output in &outputs {
        let text = String::from_utf8_lossy(output);
        for secret in &secrets {
            assert!(!text.contains(secret), "secret leaked in: {text}");
        }
    }
}
