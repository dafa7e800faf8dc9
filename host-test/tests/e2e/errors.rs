//! Every tool's error paths: unknown app, Argo CD failing, an operation already running.

use serde_json::{Value, json};

use crate::World;

/// Each app-scoped tool with the smallest arguments it accepts besides `app_name`.
fn app_tools() -> Vec<(&'static str, Value)> {
    vec![
        ("get_argocd_app_status", json!({})),
        ("list_argocd_app_history", json!({})),
        ("refresh_argocd_app", json!({})),
        ("get_argocd_app_resource_tree", json!({})),
        ("get_argocd_app_events", json!({})),
        ("get_argocd_app_logs", json!({})),
        ("get_argocd_app_diff", json!({})),
        ("get_argocd_app_manifests", json!({})),
        (
            "get_argocd_resource",
            json!({"kind": "Deployment", "resource_name": "guestbook"}),
        ),
        (
            "list_argocd_resource_actions",
            json!({"kind": "Deployment", "resource_name": "guestbook"}),
        ),
        (
            "get_argocd_revision_metadata",
            json!({"revision": "abc123"}),
        ),
        ("get_argocd_sync_windows", json!({})),
        ("wait_for_argocd_operation", json!({"timeout_seconds": 1})),
        ("sync_argocd_app", json!({"confirm": true})),
        (
            "rollback_argocd_app",
            json!({"history_id": 0, "confirm": true}),
        ),
        ("terminate_argocd_operation", json!({"confirm": true})),
        (
            "run_argocd_resource_action",
            json!({"kind": "Deployment", "resource_name": "guestbook", "action": "restart", "confirm": true}),
        ),
    ]
}

fn with_app(arguments: &Value, app: &str) -> Value {
    let mut arguments = arguments.clone();
    arguments["app_name"] = json!(app);
    arguments
}

#[tokio::test]
async fn unknown_apps_are_not_found_or_denied_everywhere() {
    let world = World::new().await;
    for (tool, arguments) in app_tools() {
        let message = world
            .tool_error(tool, with_app(&arguments, "ghost-app"))
            .await;
        assert!(message.contains("not found or"), "{tool}: {message}");
    }
}

#[tokio::test]
async fn an_argocd_outage_is_reported_by_every_tool() {
    let world = World::new().await;
    world.ok("list_argocd_apps", json!({})).await; // logged in before the outage
    world.standin.set_fail_with(Some(503));
    let mut all = app_tools()
        .into_iter()
        .map(|(t, a)| (t, with_app(&a, "guestbook")))
        .collect::<Vec<_>>();
    all.extend([
        ("list_argocd_apps", json!({})),
        ("get_argocd_server_info", json!({})),
        (
            "can_i_argocd",
            json!({"resource": "applications", "action": "get", "object": "*"}),
        ),
        ("list_argocd_projects", json!({})),
        ("list_argocd_clusters", json!({})),
        ("get_argocd_cluster", json!({"cluster": "in-cluster"})),
        ("get_argocd_project", json!({"name": "default"})),
        ("list_argocd_repositories", json!({})),
        ("list_argocd_applicationsets", json!({})),
        (
            "get_argocd_applicationset",
            json!({"name": "guestbook-envs"}),
        ),
        (
            "preview_argocd_applicationset",
            json!({"applicationset": {"spec": {}}}),
        ),
    ]);
    for (tool, arguments) in all {
        let message = world.tool_error(tool, arguments).await;
        assert!(
            message.contains("HTTP 503") && message.contains("retry later"),
            "{tool}: {message}"
        );
    }
}

#[tokio::test]
async fn writes_during_an_operation_are_refused_with_advice() {
    let world = World::with(
        host_test::standin::Config {
            operation_time: std::time::Duration::from_secs(30),
            ..Default::default()
        },
        &[
            ("argocd_username", "admin"),
            ("argocd_password", crate::PASSWORD),
        ],
    )
    .await;
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true}),
        )
        .await;
    for (tool, arguments) in [
        ("sync_argocd_app", json!({"confirm": true})),
        (
            "rollback_argocd_app",
            json!({"history_id": 0, "confirm": true}),
        ),
    ] {
        let message = world
            .tool_error(tool, with_app(&arguments, "guestbook"))
            .await;
        assert!(
            message.contains("another operation is already in progress")
                && message.contains("terminate"),
            "{tool}: {message}"
        );
    }
}
