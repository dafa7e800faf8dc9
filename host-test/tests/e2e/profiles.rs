//! Several Argo CD instances behind one server: named profiles, a `profile` argument on every
//! tool, one cached session per instance. Two stand-ins run at once.

use host_test::embed::HostEnv;
use host_test::standin::{Config, StandIn};
use serde_json::{Value, json};

use crate::{PASSWORD, World, harness};

const STAGING_PASSWORD: &str = "St4ging-only-pw";

/// The second instance: its own account, a fleet of 3 generated apps plus the showcase ones.
async fn start_staging() -> StandIn {
    StandIn::start(Config {
        users: vec![("bot".into(), STAGING_PASSWORD.into())],
        fleet_size: 3,
        ..Config::default()
    })
    .await
    .unwrap()
}

/// `default` is the usual stand-in (admin login); `staging` a second one (its own account) that
/// holds a different fleet.
pub(crate) async fn two_instances() -> (World, StandIn) {
    let mut world = World::new().await;
    let staging = start_staging().await;
    world
        .env
        .redirect_hosts
        .insert("staging.example.com".into(), staging.addr);
    let profiles = json!([{"name": "staging", "url": "https://staging.example.com",
                           "username": "bot", "password": STAGING_PASSWORD}]);
    world.set("profiles", &profiles.to_string());
    (world, staging)
}

#[tokio::test]
async fn every_tool_takes_a_profile_and_each_instance_keeps_its_session() {
    let (world, staging) = two_instances().await;

    let list = world
        .mcp(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
        .await
        .json()
        .unwrap();
    let tools = list["result"]["tools"].as_array().unwrap();
    for tool in tools {
        assert_eq!(
            tool["inputSchema"]["properties"]["profile"]["enum"],
            json!(["default", "staging"]),
            "{}",
            tool["name"]
        );
    }

    let default_apps = world.ok("list_argocd_apps", json!({})).await;
    let staging_apps = world
        .ok("list_argocd_apps", json!({"profile": "staging"}))
        .await;
    assert_ne!(
        default_apps["total"], staging_apps["total"],
        "two fleets, two answers"
    );
    assert_eq!(
        staging_apps["total"],
        3 + host_test::standin::showcase().len(),
        "the staging fleet: 3 generated apps and the showcase ones"
    );

    let info = world
        .ok("get_argocd_server_info", json!({"profile": "staging"}))
        .await;
    assert_eq!(info["argocd_url"], "https://staging.example.com");
    assert_eq!(info["username"], "bot");
    assert_eq!(info["profile"], "staging");
    assert_eq!(info["profiles"], json!(["default", "staging"]));
    let info = world.ok("get_argocd_server_info", json!({})).await;
    assert_eq!(info["profile"], "default");
    assert_eq!(info["username"], "admin");

    // A write goes to the instance named, and only there.
    let before = world.standin.requests().len();
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true, "profile": "staging"}),
        )
        .await;
    assert!(
        staging
            .requests()
            .iter()
            .any(|r| r.method == "POST" && r.path == "/api/v1/applications/guestbook/sync")
    );
    assert!(
        world.standin.requests()[before..]
            .iter()
            .all(|r| r.method != "POST"),
        "nothing was sent to the default instance"
    );

    // More calls reuse each instance's cached session: one login each.
    for _ in 0..3 {
        world
            .ok(
                "get_argocd_app_status",
                json!({"app_name": "guestbook", "profile": "staging"}),
            )
            .await;
        world
            .ok("get_argocd_app_status", json!({"app_name": "guestbook"}))
            .await;
    }
    assert_eq!(world.standin.login_count(), 1);
    assert_eq!(staging.login_count(), 1);
    let keys: Vec<String> = world.env.kv.snapshot().into_keys().collect();
    assert!(
        keys.iter()
            .any(|k| k.contains("bot@https://staging.example.com")),
        "{keys:?}"
    );
    assert!(
        keys.iter()
            .any(|k| k.contains("admin@https://argocd.example.com")),
        "{keys:?}"
    );

    let unknown = world
        .tool_error("list_argocd_apps", json!({"profile": "prod-eu"}))
        .await;
    assert!(unknown.contains("default, staging"), "{unknown}");
    for leak in [PASSWORD, STAGING_PASSWORD] {
        assert!(!unknown.contains(leak));
        assert!(!world.stderr().contains(leak));
    }
}

#[tokio::test]
async fn a_single_instance_has_no_profile_argument() {
    let world = World::new().await;
    let list = world
        .mcp(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
        .await
        .json()
        .unwrap();
    assert!(
        list["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["inputSchema"]["properties"].get("profile").is_none())
    );
    let refused = world
        .tool_error("list_argocd_apps", json!({"profile": "staging"}))
        .await;
    assert!(refused.contains("ARGOCD_PROFILES"), "{refused}");
    let bad = json!([{"name": "x", "url": "https://x.example.com", "token": "sekrit-tok"}, {"name": "x", "url": "https://y.example.com", "token": "t"}]);
    let mut world = world;
    world.set("profiles", &bad.to_string());
    let problem = world.tool_error("list_argocd_apps", json!({})).await;
    assert!(problem.contains("twice"), "{problem}");
    assert!(!problem.contains("sekrit"));
}

#[tokio::test]
async fn the_plugin_takes_a_profile_on_every_export() {
    let default = StandIn::start(Config {
        users: vec![("admin".into(), PASSWORD.into())],
        ..Config::default()
    })
    .await
    .unwrap();
    let staging = start_staging().await;
    let profiles = json!([{"name": "staging", "url": "https://staging.example.com",
                           "username": "bot", "password": STAGING_PASSWORD}]);
    let env = HostEnv {
        env: vec![
            ("ARGOCD_URL".into(), "https://argocd.example.com".into()),
            ("ARGOCD_USERNAME".into(), "admin".into()),
            ("ARGOCD_PASSWORD".into(), PASSWORD.into()),
            ("ARGOCD_PROFILES".into(), profiles.to_string()),
        ],
        redirect: Some(default.addr),
        redirect_hosts: [("staging.example.com".to_string(), staging.addr)].into(),
        ..HostEnv::default()
    };
    let total = |answer: Result<String, String>| -> u64 {
        let answer: Value = serde_json::from_str(&answer.expect("the tool answers")).unwrap();
        answer["total"].as_u64().unwrap()
    };
    let list = |profile: Option<&'static str>| {
        let env = env.clone();
        async move {
            let (plugin, mut store) = harness().plugin(&env).await.unwrap();
            plugin
                .call_list_argocd_apps(
                    &mut store,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    Some(1),
                    None,
                    profile,
                )
                .await
                .unwrap()
        }
    };
    let staging_total = total(list(Some("staging")).await);
    assert_eq!(
        staging_total,
        3 + host_test::standin::showcase().len() as u64
    );
    assert_eq!(staging.login_count(), 1);
    assert_eq!(
        default.login_count(),
        0,
        "nothing went to the default instance"
    );
    let default_total = total(list(None).await);
    assert_ne!(default_total, staging_total);
    assert_eq!(default.login_count(), 1);
    assert_eq!(total(list(Some("default")).await), default_total);

    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let unknown = plugin
        .call_get_argocd_server_info(&mut store, Some("prod-eu"))
        .await
        .unwrap()
        .expect_err("an unknown profile is refused");
    assert!(unknown.contains("default, staging"), "{unknown}");
    assert!(!unknown.contains(STAGING_PASSWORD));
}

#[tokio::test]
async fn the_health_check_takes_a_profile() {
    let (world, _staging) = two_instances().await;
    let staging = world
        .http("GET", "/health/argocd?profile=staging", &[], "")
        .await;
    assert_eq!(staging.status, 200);
    let staging = staging.json().unwrap();
    assert_eq!(staging["authenticated_as"], "bot");
    assert_eq!(staging["argocd_url"], "https://staging.example.com");
    assert_eq!(staging["profile"], "staging");
    let default = world
        .http("GET", "/health/argocd", &[], "")
        .await
        .json()
        .unwrap();
    assert_eq!(default["authenticated_as"], "admin");
    assert_eq!(default["profile"], "default");
    let unknown = world
        .http("GET", "/health/argocd?profile=prod%2Deu", &[], "")
        .await;
    assert_eq!(unknown.status, 404);
    let error = unknown.json().unwrap()["error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        error.contains("\"prod-eu\"") && error.contains("default, staging"),
        "{error}"
    );
    assert!(!error.contains(STAGING_PASSWORD));
}
