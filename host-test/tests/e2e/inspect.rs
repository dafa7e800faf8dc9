//! Diff, one live resource, actions, revision metadata, sync windows, repositories, can-i.

use serde_json::json;

use crate::World;

#[tokio::test]
async fn diff_shows_the_drifted_fields_and_masks_secrets() {
    let world = World::new().await;
    let diff = world
        .ok("get_argocd_app_diff", json!({"app_name": "broken-app"}))
        .await;
    assert_eq!(diff["resources_compared"], 3);
    assert_eq!(diff["drifted"], 1);
    let drift = &diff["resources"][0];
    assert_eq!(drift["resource"], "ConfigMap/broken-app/broken-app");
    assert_eq!(drift["changes"], json!(["data.LOG_LEVEL: info → debug"]));
    let all = world
        .ok(
            "get_argocd_app_diff",
            json!({"app_name": "guestbook", "include_unchanged": true}),
        )
        .await;
    assert_eq!(all["drifted"], 0);
    assert_eq!(all["resources"].as_array().unwrap().len(), 3);
    let huge = world
        .call(
            "get_argocd_app_diff",
            json!({"app_name": "huge-app", "include_unchanged": true}),
        )
        .await;
    assert_eq!(huge["structuredContent"]["truncated"], true);
    assert!(huge["structuredContent"].to_string().len() <= 16 * 1024);
    let secret_app = world.ok("get_argocd_app_diff", json!({"app_name": "huge-app", "kind": "Secret", "include_unchanged": true, "limit": 3})).await;
    assert!(!secret_app.to_string().contains("c3VwZXItc2VjcmV0"));
}

#[tokio::test]
async fn one_live_resource_with_secrets_masked() {
    let world = World::new().await;
    let deployment = world
        .ok("get_argocd_resource", json!({"app_name": "guestbook", "kind": "Deployment", "group": "apps", "resource_name": "guestbook", "namespace": "guestbook"}))
        .await;
    assert_eq!(deployment["manifest"]["spec"]["replicas"], 3);
    assert!(
        deployment["manifest"].get("status").is_none(),
        "status only with full"
    );
    assert!(
        deployment["manifest"]["metadata"]
            .get("managedFields")
            .is_none()
    );
    let full = world
        .ok("get_argocd_resource", json!({"app_name": "guestbook", "kind": "Deployment", "group": "apps", "resource_name": "guestbook", "full": true}))
        .await;
    assert_eq!(full["manifest"]["status"]["readyReplicas"], 3);
    let huge = World::new().await;
    let secret = huge
        .ok(
            "get_argocd_resource",
            json!({"app_name": "huge-app", "kind": "Secret", "resource_name": "huge-app"}),
        )
        .await;
    assert_eq!(secret["manifest"]["data"]["DATABASE_PASSWORD"], "***");
    let missing = world
        .tool_error(
            "get_argocd_resource",
            json!({"app_name": "guestbook", "kind": "Deployment", "resource_name": "other"}),
        )
        .await;
    assert!(
        missing.contains("Deployment 'other' of application 'guestbook' is not one of the application's resources"),
        "{missing}"
    );
}

#[tokio::test]
async fn actions_are_listed_and_run() {
    let world = World::new().await;
    let target = json!({"app_name": "guestbook", "kind": "Deployment", "group": "apps", "resource_name": "guestbook", "namespace": "guestbook"});
    let actions = world
        .ok("list_argocd_resource_actions", target.clone())
        .await;
    assert_eq!(actions["available"], json!(["restart", "pause"]));
    assert_eq!(actions["disabled"], json!(["resume"]));
    let mut run = target.clone();
    run["action"] = json!("restart");
    assert!(
        world
            .tool_error("run_argocd_resource_action", run.clone())
            .await
            .contains("confirm")
    );
    run["confirm"] = json!(true);
    let done = world.ok("run_argocd_resource_action", run.clone()).await;
    assert_eq!(done["action"], "restart");
    let sent = world
        .standin
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/resource/actions/v2"))
        .unwrap();
    assert_eq!(sent.content_type.as_deref(), Some("application/json"));
    run["action"] = json!("resume");
    assert!(
        world
            .tool_error("run_argocd_resource_action", run.clone())
            .await
            .contains("disabled")
    );
    run["action"] = json!("rm -rf");
    assert!(
        world
            .tool_error("run_argocd_resource_action", run)
            .await
            .contains("action must be a name")
    );
}

#[tokio::test]
async fn revision_metadata_sync_windows_repositories_and_can_i() {
    let world = World::new().await;
    let history = world
        .ok("list_argocd_app_history", json!({"app_name": "guestbook"}))
        .await;
    let revision = history["entries"][0]["revision"].as_str().unwrap();
    let meta = world
        .ok(
            "get_argocd_revision_metadata",
            json!({"app_name": "guestbook", "revision": revision}),
        )
        .await;
    assert!(meta["author"].as_str().unwrap().contains("@example.com"));
    assert!(
        meta["message"]
            .as_str()
            .unwrap()
            .contains("deploy guestbook")
    );
    let unknown = world
        .tool_error(
            "get_argocd_revision_metadata",
            json!({"app_name": "guestbook", "revision": "deadbeef"}),
        )
        .await;
    assert!(
        unknown.contains("HTTP 500") && unknown.contains("unable to resolve"),
        "{unknown}"
    );
    assert!(
        world
            .tool_error(
                "get_argocd_revision_metadata",
                json!({"app_name": "guestbook", "revision": "../x"})
            )
            .await
            .contains("revision must be")
    );

    let open = world
        .ok("get_argocd_sync_windows", json!({"app_name": "guestbook"}))
        .await;
    assert_eq!(open["can_sync"], true);
    let list = world
        .ok("list_argocd_apps", json!({"project": "data", "limit": 1}))
        .await;
    let data_app = list["apps"][0]["name"].as_str().unwrap().to_owned();
    let closed = world
        .ok("get_argocd_sync_windows", json!({"app_name": data_app}))
        .await;
    assert_eq!(closed["can_sync"], false);
    assert_eq!(closed["active"][0]["kind"], "deny");
    let blocked = world
        .tool_error(
            "sync_argocd_app",
            json!({"app_name": data_app, "confirm": true}),
        )
        .await;
    assert!(blocked.contains("blocked by sync window"), "{blocked}");

    let repos = world
        .ok("list_argocd_repositories", json!({"limit": 5}))
        .await;
    assert_eq!(repos["repositories"].as_array().unwrap().len(), 5);
    assert_eq!(repos["repositories"][0]["connection"], "Successful");

    let yes = world
        .ok(
            "can_i_argocd",
            json!({"resource": "applications", "action": "sync", "object": "default/guestbook"}),
        )
        .await;
    assert_eq!(yes["allowed"], true);
    let sent = world
        .standin
        .requests()
        .into_iter()
        .find(|r| r.path.contains("can-i"))
        .unwrap();
    assert_eq!(
        sent.path,
        "/api/v1/account/can-i/applications/sync/default/guestbook"
    );
    assert!(
        world
            .tool_error(
                "can_i_argocd",
                json!({"resource": "applications", "action": "sync", "object": "../../x"})
            )
            .await
            .contains("object")
    );
}

#[tokio::test]
async fn rendered_manifests_projects_and_clusters() {
    let world = World::new().await;
    let rendered = world
        .ok(
            "get_argocd_app_manifests",
            json!({"app_name": "guestbook", "revision": "v2"}),
        )
        .await;
    assert_eq!(rendered["count"], 3);
    assert_eq!(rendered["objects"][0], "Deployment/guestbook/guestbook");
    assert!(rendered.get("manifests").is_none());
    let sent = world
        .standin
        .requests()
        .into_iter()
        .find(|r| r.path.contains("/manifests"))
        .unwrap();
    assert!(sent.path.ends_with("revision=v2"), "{}", sent.path);
    let full = world
        .ok(
            "get_argocd_app_manifests",
            json!({"app_name": "huge-app", "include_objects": true, "limit": 1000}),
        )
        .await;
    assert_eq!(full["count"], 500);
    assert_eq!(full["truncated"], true);
    assert!(
        full.to_string().len() <= 48 * 1024,
        "{}",
        full.to_string().len()
    );
    assert!(!full.to_string().contains("c3VwZXItc2VjcmV0"));

    let project = world
        .ok("get_argocd_project", json!({"name": "data"}))
        .await;
    assert_eq!(project["name"], "data");
    assert_eq!(project["roles"][0]["name"], "ci");
    assert!(
        project["roles"][0]["policies"][0]
            .as_str()
            .unwrap()
            .starts_with("p, proj:data:ci")
    );
    assert_eq!(project["sync_windows"][0], "deny 0 0 * * * 24h");
    let missing = world
        .tool_error("get_argocd_project", json!({"name": "nope"}))
        .await;
    assert!(missing.contains("404"), "{missing}");

    let by_name = world
        .ok("get_argocd_cluster", json!({"cluster": "edge-eu"}))
        .await;
    assert_eq!(by_name["connection"], "Failed");
    let by_url = world
        .ok(
            "get_argocd_cluster",
            json!({"cluster": "https://kubernetes.default.svc"}),
        )
        .await;
    assert_eq!(by_url["name"], "in-cluster");
    assert!(
        world
            .tool_error("get_argocd_cluster", json!({"cluster": "ghost"}))
            .await
            .contains("not found or")
    );
}

/// The app's deep links, with its values filled in; none configured gives an empty list (Argo CD
/// then answers `{}`); an unknown app, or one in a namespace Argo CD does not serve, is refused.
#[tokio::test]
async fn app_links_come_with_the_apps_values_filled_in() {
    let world = World::new().await;
    let links = world
        .ok("list_argocd_app_links", json!({"app_name": "payments"}))
        .await;
    assert_eq!(links["app"], "payments");
    assert_eq!(
        links["links"],
        json!([
            {"title": "Dashboard", "url": "https://grafana.example.com/d/apps?var-app=payments",
             "description": "Golden signals of this app"},
            {"title": "Runbook", "url": "https://wiki.example.com/runbooks/payments"},
        ])
    );
    let sent = world.standin.requests();
    assert!(
        sent.iter()
            .any(|r| r.path == "/api/v1/applications/payments/links"),
        "{:?}",
        sent.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    let elsewhere = world
        .tool_error(
            "list_argocd_app_links",
            json!({"app_name": "payments", "app_namespace": "team-a"}),
        )
        .await;
    assert!(elsewhere.contains("payments"), "{elsewhere}");
    assert!(
        world
            .standin
            .requests()
            .iter()
            .any(|r| r.path == "/api/v1/applications/payments/links?namespace=team-a")
    );
    let unknown = world
        .tool_error("list_argocd_app_links", json!({"app_name": "no-such-app"}))
        .await;
    assert!(unknown.contains("no-such-app"), "{unknown}");

    world.standin.state().app_links.clear();
    let none = world
        .ok("list_argocd_app_links", json!({"app_name": "guestbook"}))
        .await;
    assert_eq!(none["links"], json!([]));

    // An answer is bounded however many links are configured.
    world.standin.state().app_links = (0..70)
        .map(|i| {
            (
                format!("Link {i}"),
                format!("https://x.example/{i}"),
                String::new(),
            )
        })
        .collect();
    let many = world
        .ok("list_argocd_app_links", json!({"app_name": "guestbook"}))
        .await;
    assert_eq!(many["links"].as_array().unwrap().len(), 50);
    assert_eq!(many["total"], 70);
}
