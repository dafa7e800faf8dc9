//! The tools that look at what runs: tree, events, logs; and Argo CD itself.

use serde_json::json;

use crate::World;

#[tokio::test]
async fn resource_tree_is_slim_paged_and_filterable() {
    let world = World::new().await;
    let tree = world
        .ok(
            "get_argocd_app_resource_tree",
            json!({"app_name": "guestbook"}),
        )
        .await;
    assert_eq!(tree["counts"]["kind"]["Pod"], 2);
    let pod = tree["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "Pod")
        .unwrap();
    assert!(
        pod["parent"]
            .as_str()
            .unwrap()
            .starts_with("ReplicaSet/guestbook-")
    );
    assert!(pod["images"][0].as_str().unwrap().contains("guestbook"));
    let huge = world
        .call(
            "get_argocd_app_resource_tree",
            json!({"app_name": "huge-app"}),
        )
        .await;
    let structured = &huge["structuredContent"];
    assert!(structured["total"].as_u64().unwrap() > 500);
    assert_eq!(structured["nodes"].as_array().unwrap().len(), 50);
    assert_eq!(structured["next_offset"], 50);
    assert!(
        structured.to_string().len() <= 16 * 1024,
        "{} bytes",
        structured.to_string().len()
    );
    let pods = world
        .ok(
            "get_argocd_app_resource_tree",
            json!({"app_name": "broken-app", "kind": "pod", "health": "unhealthy"}),
        )
        .await;
    assert_eq!(pods["total"], 2);
    assert!(
        pods["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["health"] == "Degraded")
    );
}

#[tokio::test]
async fn events_of_the_app_and_of_one_resource() {
    let world = World::new().await;
    let own = world
        .ok("get_argocd_app_events", json!({"app_name": "broken-app"}))
        .await;
    assert_eq!(own["total"], 4);
    assert_eq!(own["warnings"], 1);
    assert_eq!(own["events"][0]["object"], "Application/broken-app");
    assert!(
        own["events"][0]["last_seen"].as_str() >= own["events"][1]["last_seen"].as_str(),
        "newest first"
    );
    let events = world.ok("get_argocd_app_events", json!({"app_name": "broken-app", "resource_kind": "Deployment", "resource_name": "broken-app"})).await;
    assert_eq!(events["events"][0]["object"], "Deployment/broken-app");
    let sent = world
        .standin
        .requests()
        .into_iter()
        .find(|r| r.path.contains("resourceUID="))
        .unwrap();
    assert!(
        sent.path.contains("resourceNamespace=broken-app"),
        "{}",
        sent.path
    );
    let wrong = world.tool_error("get_argocd_app_events", json!({"app_name": "broken-app", "resource_kind": "Deployment", "resource_name": "nope"})).await;
    assert!(wrong.contains("is not part of application"), "{wrong}");
    let half = world
        .tool_error(
            "get_argocd_app_events",
            json!({"app_name": "broken-app", "resource_name": "broken-app"}),
        )
        .await;
    assert!(half.contains("go together"), "{half}");
}

#[tokio::test]
async fn logs_by_workload_bounded_and_filtered() {
    let world = World::new().await;
    let logs = world.ok("get_argocd_app_logs", json!({"app_name": "guestbook", "kind": "Deployment", "group": "apps", "resource_name": "guestbook", "tail_lines": 10})).await;
    assert_eq!(logs["pods"].as_array().unwrap().len(), 2);
    assert_eq!(logs["received"], 20);
    assert_eq!(logs["truncated"], false);
    assert!(
        logs["lines"][0].as_str().unwrap().contains(" [0] ")
            || logs["lines"][0].as_str().unwrap().contains(" [1] ")
    );
    let request = world
        .standin
        .requests()
        .into_iter()
        .find(|r| r.path.contains("/logs"))
        .unwrap();
    assert!(
        request.path.contains("follow=false") && request.path.contains("tailLines=10"),
        "{}",
        request.path
    );

    let errors = world.ok("get_argocd_app_logs", json!({"app_name": "guestbook", "kind": "Deployment", "resource_name": "guestbook", "filter": "level=error"})).await;
    assert!(
        errors["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l.as_str().unwrap().contains("level=error"))
    );

    let huge = world.call("get_argocd_app_logs", json!({"app_name": "huge-app", "kind": "Deployment", "resource_name": "huge-app", "tail_lines": 1000})).await;
    let structured = &huge["structuredContent"];
    assert_eq!(structured["received"], 2000);
    assert_eq!(structured["truncated"], true);
    let text: usize = structured["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().len())
        .sum();
    assert!(text <= 12 * 1024, "{text}");
    assert!(
        structured.to_string().len() <= 16 * 1024,
        "{}",
        structured.to_string().len()
    );

    let too_many = world
        .tool_error("get_argocd_app_logs", json!({"app_name": "huge-app"}))
        .await;
    assert!(too_many.contains("max pods to view logs"), "{too_many}");
    let none = world
        .ok(
            "get_argocd_app_logs",
            json!({"app_name": "guestbook", "pod_name": "not-a-pod"}),
        )
        .await;
    assert_eq!(none["received"], 0);
    let half = world
        .tool_error(
            "get_argocd_app_logs",
            json!({"app_name": "guestbook", "resource_name": "guestbook"}),
        )
        .await;
    assert!(
        half.contains("kind and resource_name go together"),
        "{half}"
    );
}

#[tokio::test]
async fn server_info_projects_and_clusters() {
    let world = World::new().await;
    let info = world.ok("get_argocd_server_info", json!({})).await;
    assert_eq!(info["version"], "v3.5.1");
    assert_eq!(info["logged_in"], true);
    assert_eq!(info["username"], "admin");
    assert_eq!(info["argocd_url"], crate::ARGOCD_URL);
    let projects = world.ok("list_argocd_projects", json!({"limit": 3})).await;
    assert_eq!(projects["projects"].as_array().unwrap().len(), 3);
    assert!(projects["total"].as_u64().unwrap() >= 5);
    assert_eq!(projects["next_offset"], 3);
    let clusters = world.ok("list_argocd_clusters", json!({})).await;
    let edge = clusters["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "edge-eu")
        .unwrap();
    assert_eq!(edge["connection"], "Failed");
    assert!(!clusters.to_string().contains("tlsClientConfig"));
}

#[tokio::test]
async fn refresh_returns_the_fresh_status() {
    let world = World::new().await;
    let status = world
        .ok(
            "refresh_argocd_app",
            json!({"app_name": "guestbook", "hard": true}),
        )
        .await;
    assert_eq!(status["name"], "guestbook");
    let request = world
        .standin
        .requests()
        .into_iter()
        .find(|r| r.path.contains("refresh="))
        .unwrap();
    assert!(request.path.ends_with("refresh=hard"), "{}", request.path);
    assert!(
        world
            .tool_error("refresh_argocd_app", json!({"app_name": "ghost"}))
            .await
            .contains("not found or")
    );
}
