//! Create, patch, delete an app; delete one resource; the allow-list on each.

use serde_json::json;

use crate::World;

#[tokio::test]
async fn create_then_patch_then_delete() {
    let world = World::new().await;
    let create = json!({"name": "new-svc", "project": "default", "repo_url": "https://git.example.com/new.git", "path": "deploy", "dest_namespace": "new-svc", "auto_sync": true, "create_namespace": true});
    assert!(
        world
            .tool_error("create_argocd_app", create.clone())
            .await
            .contains("confirm")
    );
    let mut confirmed = create.clone();
    confirmed["confirm"] = json!(true);
    let created = world.ok("create_argocd_app", confirmed.clone()).await;
    assert_eq!(
        (created["app"].as_str(), created["auto_sync"].as_bool()),
        (Some("new-svc"), Some(true))
    );
    let again = world
        .tool_error("create_argocd_app", confirmed.clone())
        .await;
    assert!(again.contains("upsert"), "{again}");
    let status = world
        .ok("get_argocd_app_status", json!({"app_name": "new-svc"}))
        .await;
    assert_eq!(status["sources"][0]["path"], "deploy");
    let mut both = confirmed.clone();
    both["chart"] = json!("x");
    assert!(
        world
            .tool_error("create_argocd_app", both)
            .await
            .contains("exactly one of path")
    );

    // The rollback rule: turn auto-sync off with a patch, then Argo CD allows a rollback.
    let refused = world
        .tool_error(
            "rollback_argocd_app",
            json!({"app_name": "payments", "history_id": 0, "confirm": true}),
        )
        .await;
    assert!(refused.contains("auto-sync"));
    let patched = world.ok("patch_argocd_app", json!({"app_name": "payments", "patch": {"spec": {"syncPolicy": {"automated": null}}}, "confirm": true})).await;
    assert_eq!(patched["auto_sync"], false);
    world
        .ok(
            "rollback_argocd_app",
            json!({"app_name": "payments", "history_id": 0, "confirm": true}),
        )
        .await;
    let sent = world
        .standin
        .requests()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .unwrap();
    assert_eq!(sent.content_type.as_deref(), Some("application/json"));
    assert!(
        world
            .tool_error(
                "patch_argocd_app",
                json!({"app_name": "payments", "patch": {}, "confirm": true})
            )
            .await
            .contains("non-empty")
    );

    let missing_cascade = world
        .tool_error(
            "delete_argocd_app",
            json!({"app_name": "new-svc", "confirm": true}),
        )
        .await;
    assert!(missing_cascade.contains("cascade"), "{missing_cascade}");
    let deleted = world
        .ok(
            "delete_argocd_app",
            json!({"app_name": "new-svc", "cascade": false, "confirm": true}),
        )
        .await;
    assert!(
        deleted["message"]
            .as_str()
            .unwrap()
            .contains("keep running")
    );
    let request = world
        .standin
        .requests()
        .into_iter()
        .find(|r| r.method == "DELETE")
        .unwrap();
    assert!(request.path.contains("cascade=false"), "{}", request.path);
    assert!(
        world
            .tool_error("get_argocd_app_status", json!({"app_name": "new-svc"}))
            .await
            .contains("not found or")
    );
}

#[tokio::test]
async fn delete_one_resource() {
    let world = World::new().await;
    let before = world
        .ok(
            "get_argocd_app_status",
            json!({"app_name": "guestbook", "include_resources": true}),
        )
        .await;
    world
        .ok("delete_argocd_resource", json!({"app_name": "guestbook", "kind": "ConfigMap", "resource_name": "guestbook", "namespace": "guestbook", "confirm": true}))
        .await;
    let after = world
        .ok(
            "get_argocd_app_status",
            json!({"app_name": "guestbook", "include_resources": true}),
        )
        .await;
    assert_eq!(
        after["resources"]["total"].as_u64().unwrap() + 1,
        before["resources"]["total"].as_u64().unwrap()
    );
    let wrong = world.tool_error("delete_argocd_resource", json!({"app_name": "guestbook", "kind": "ConfigMap", "resource_name": "nope", "confirm": true})).await;
    assert!(
        wrong.contains(
            "ConfigMap 'nope' of application 'guestbook' is not one of the application's resources"
        ),
        "{wrong}"
    );
}

#[tokio::test]
async fn the_allow_list_guards_every_write() {
    let mut world = World::new().await;
    world.set("allowed_projects", "payments");
    let create = json!({"name": "x1", "project": "default", "repo_url": "https://git.example.com/x.git", "path": ".", "dest_namespace": "x1", "confirm": true});
    assert!(
        world
            .tool_error("create_argocd_app", create)
            .await
            .contains("not in ARGOCD_ALLOWED_PROJECTS")
    );
    let move_out =
        json!({"app_name": "payments", "patch": {"spec": {"project": "default"}}, "confirm": true});
    assert!(
        world
            .tool_error("patch_argocd_app", move_out)
            .await
            .contains("not in ARGOCD_ALLOWED_PROJECTS")
    );
    for (tool, args) in [
        (
            "delete_argocd_app",
            json!({"app_name": "guestbook", "cascade": true, "confirm": true}),
        ),
        (
            "delete_argocd_resource",
            json!({"app_name": "guestbook", "kind": "ConfigMap", "resource_name": "guestbook", "confirm": true}),
        ),
        (
            "run_argocd_resource_action",
            json!({"app_name": "guestbook", "kind": "Deployment", "group": "apps", "resource_name": "guestbook", "action": "restart", "confirm": true}),
        ),
        (
            "patch_argocd_app",
            json!({"app_name": "guestbook", "patch": {"metadata": {"labels": {"a": "b"}}}, "confirm": true}),
        ),
    ] {
        let message = world.tool_error(tool, args).await;
        assert!(message.contains("project 'default'"), "{tool}: {message}");
    }
    assert!(
        world
            .standin
            .requests()
            .iter()
            .all(|r| r.method == "GET" || r.path == "/api/v1/session")
    );
}
