//! Each tool through the server component against the stand-in.

use std::time::Duration;

use serde_json::json;

use crate::World;

#[tokio::test]
async fn status_reports_sync_and_health_apart() {
    let world = World::new().await;
    let status = world
        .ok(
            "get_argocd_app_status",
            json!({"app_name": "broken-app", "include_resources": true}),
        )
        .await;
    assert_eq!(status["sync"]["status"], "OutOfSync");
    assert_eq!(status["health"]["status"], "Degraded");
    assert_eq!(status["operation"]["phase"], "Failed");
    assert!(
        status["operation"]["failed_resources"][0]
            .as_str()
            .unwrap()
            .contains("Deployment/")
    );
    let resources = &status["resources"];
    assert_eq!(resources["total"], 3);
    assert_eq!(resources["out_of_sync"], 1);
    assert_eq!(
        resources["items"][0]["health"], "Degraded",
        "problems come first"
    );
    let multi = world
        .ok(
            "get_argocd_app_status",
            json!({"app_name": "multi-source-app"}),
        )
        .await;
    assert_eq!(multi["sources"].as_array().unwrap().len(), 2);
    assert_eq!(multi["sync"]["revisions"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn huge_apps_are_bounded() {
    let world = World::new().await;
    let result = world
        .call(
            "get_argocd_app_status",
            json!({"app_name": "huge-app", "include_resources": true}),
        )
        .await;
    let status = &result["structuredContent"];
    assert_eq!(status["resources"]["total"], 500);
    assert_eq!(status["resources"]["items"].as_array().unwrap().len(), 100);
    assert_eq!(status["resources"]["truncated"], true);
    assert!(result.to_string().len() < 32 * 1024);
}

#[tokio::test]
async fn list_counts_the_whole_fleet_and_pages() {
    let world = World::with(
        host_test::standin::Config {
            fleet_size: 300,
            ..Default::default()
        },
        &[
            ("argocd_username", "admin"),
            ("argocd_password", crate::PASSWORD),
        ],
    )
    .await;
    let page = world.ok("list_argocd_apps", json!({"limit": 10})).await;
    assert_eq!(page["total"], 305);
    assert_eq!(page["returned"], 10);
    assert_eq!(page["next_offset"], 10);
    let health_total: u64 = page["counts"]["health"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(health_total, 305);
    let list_request = world
        .standin
        .requests()
        .into_iter()
        .find(|r| r.path.starts_with("/api/v1/applications?"))
        .unwrap();
    assert!(
        list_request.path.contains("fields=items.metadata.name"),
        "{}",
        list_request.path
    );

    let degraded = world
        .ok(
            "list_argocd_apps",
            json!({"project": "payments", "health_status": "Degraded", "limit": 500}),
        )
        .await;
    assert!(degraded["total"].as_u64().unwrap() > 0);
    for row in degraded["apps"].as_array().unwrap() {
        assert_eq!(row["project"], "payments");
        assert_eq!(row["health"], "Degraded");
    }
    let selected = world
        .ok(
            "list_argocd_apps",
            json!({"selector": "team=search,env in (prod)", "limit": 500}),
        )
        .await;
    assert!(
        selected["apps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["name"].as_str().unwrap().starts_with("search-")
                && r["name"].as_str().unwrap().contains("-prod-"))
    );
    let last = world
        .ok("list_argocd_apps", json!({"limit": 500, "offset": 300}))
        .await;
    assert_eq!(last["returned"], 5);
    assert!(last.get("next_offset").is_none());
}

#[tokio::test]
async fn list_rows_stay_small() {
    let world = World::new().await;
    let page = world.ok("list_argocd_apps", json!({"limit": 30})).await;
    for row in page["apps"].as_array().unwrap() {
        assert!(row.to_string().len() <= 150, "row too big: {row}");
    }
    assert!(
        world
            .tool_error("list_argocd_apps", json!({"limit": 0}))
            .await
            .contains("limit")
    );
}

#[tokio::test]
async fn history_is_newest_first_with_numeric_ids() {
    let world = World::new().await;
    let history = world
        .ok("list_argocd_app_history", json!({"app_name": "guestbook"}))
        .await;
    let ids: Vec<i64> = history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![3, 2, 1, 0]);
    assert_eq!(
        history["entries"][0]["revision"],
        history["current_revision"]
    );
}

async fn wait_for_phase(world: &World, app: &str) -> serde_json::Value {
    for _ in 0..50 {
        let status = world
            .ok("get_argocd_app_status", json!({"app_name": app}))
            .await;
        if status["operation_in_progress"] == false && status["operation"]["phase"].is_string() {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("operation on {app} never finished");
}

#[tokio::test]
async fn sync_runs_and_adds_history() {
    let world = World::new().await;
    let refused = world
        .tool_error("sync_argocd_app", json!({"app_name": "guestbook"}))
        .await;
    assert!(refused.contains("confirm"), "{refused}");
    let started = world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "guestbook", "revision": "v2", "prune": true, "confirm": true}),
        )
        .await;
    assert_eq!(started["operation"], "sync");
    let busy = world
        .tool_error(
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true}),
        )
        .await;
    assert!(
        busy.contains("another operation is already in progress"),
        "{busy}"
    );
    assert!(busy.contains("wait for it"), "{busy}");
    let running = world
        .ok("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await;
    assert_eq!(running["operation_in_progress"], true);
    let done = wait_for_phase(&world, "guestbook").await;
    assert_eq!(done["operation"]["phase"], "Succeeded");
    let history = world
        .ok("list_argocd_app_history", json!({"app_name": "guestbook"}))
        .await;
    assert_eq!(history["entries"][0]["id"], 4);
    assert_eq!(history["entries"][0]["revision"], done["sync"]["revision"]);
    let sent = world
        .standin
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/sync"))
        .unwrap();
    assert_eq!(sent.content_type.as_deref(), Some("application/json"));
}

#[tokio::test]
async fn selective_and_dry_run_syncs_leave_history_alone() {
    let world = World::new().await;
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "guestbook", "dry_run": true, "confirm": true}),
        )
        .await;
    wait_for_phase(&world, "guestbook").await;
    world
        .ok("sync_argocd_app", json!({"app_name": "guestbook", "confirm": true, "resources": [{"group": "apps", "kind": "Deployment", "name": "guestbook", "namespace": "guestbook"}]}))
        .await;
    wait_for_phase(&world, "guestbook").await;
    let history = world
        .ok("list_argocd_app_history", json!({"app_name": "guestbook"}))
        .await;
    assert_eq!(history["entries"].as_array().unwrap().len(), 4);
    let op =
        &world.standin.app("guestbook").unwrap()["status"]["operationState"]["operation"]["sync"];
    assert_eq!(op["resources"][0]["kind"], "Deployment");
}

#[tokio::test]
async fn rollback_follows_argocd_rules() {
    let world = World::new().await;
    let auto = world
        .tool_error(
            "rollback_argocd_app",
            json!({"app_name": "payments", "history_id": 0, "confirm": true}),
        )
        .await;
    assert!(
        auto.contains("auto-sync is enabled") && auto.contains("disable automated sync"),
        "{auto}"
    );
    let unknown = world
        .tool_error(
            "rollback_argocd_app",
            json!({"app_name": "guestbook", "history_id": 42, "confirm": true}),
        )
        .await;
    assert!(
        unknown.contains("does not have deployment with id 42"),
        "{unknown}"
    );
    let history = world
        .ok("list_argocd_app_history", json!({"app_name": "guestbook"}))
        .await;
    let target = history["entries"][2].clone();
    world
        .ok(
            "rollback_argocd_app",
            json!({"app_name": "guestbook", "history_id": target["id"], "confirm": true}),
        )
        .await;
    let done = wait_for_phase(&world, "guestbook").await;
    assert_eq!(done["sync"]["revision"], target["revision"]);
    let sent = world
        .standin
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/rollback"))
        .unwrap();
    assert_eq!(sent.method, "POST");
}

#[tokio::test]
async fn failed_syncs_and_degraded_health_are_reported() {
    let world = World::new().await;
    world.standin.set_next_outcome(
        "guestbook",
        host_test::standin::Outcome {
            phase: "Failed".into(),
            health: "Degraded".into(),
        },
    );
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true}),
        )
        .await;
    let done = wait_for_phase(&world, "guestbook").await;
    assert_eq!(done["operation"]["phase"], "Failed");
    assert_eq!(done["health"]["status"], "Degraded");
    assert!(
        !done["operation"]["failed_resources"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn unknown_apps_are_not_found_or_denied() {
    let world = World::new().await;
    let message = world
        .tool_error("get_argocd_app_status", json!({"app_name": "no-such-app"}))
        .await;
    assert!(
        message.contains("403") && message.contains("not found or"),
        "{message}"
    );
    let sync = world
        .tool_error(
            "sync_argocd_app",
            json!({"app_name": "no-such-app", "confirm": true}),
        )
        .await;
    assert!(sync.contains("not found or"), "{sync}");
}

#[tokio::test]
async fn argocd_failures_become_clear_tool_errors() {
    let world = World::new().await;
    world.ok("list_argocd_apps", json!({})).await;
    world.standin.set_fail_with(Some(503));
    let unavailable = world
        .tool_error("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await;
    assert!(
        unavailable.contains("HTTP 503") && unavailable.contains("retry later"),
        "{unavailable}"
    );
    world.standin.set_fail_with(Some(502));
    let proxy = world.tool_error("list_argocd_apps", json!({})).await;
    assert!(proxy.contains("HTTP 502"), "{proxy}");
}

#[tokio::test]
async fn slow_and_down_argocd_time_out_with_a_message() {
    let mut world = World::new().await;
    world.set("request_timeout_ms", "300");
    world.standin.set_delay(Duration::from_secs(2));
    let started = std::time::Instant::now();
    let slow = world
        .tool_error("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await;
    assert!(slow.contains("did not answer within 300 ms"), "{slow}");
    assert!(started.elapsed() < Duration::from_millis(1500));

    let down = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = down.local_addr().unwrap();
    drop(down);
    world.env.redirect = Some(closed);
    let message = world.tool_error("list_argocd_apps", json!({})).await;
    assert!(message.contains("could not reach Argo CD"), "{message}");
    // The host's reason, as wasi:http names it.
    assert!(message.contains(": connection-refused"), "{message}");
}

fn slow_ops(ms: u64) -> host_test::standin::Config {
    host_test::standin::Config {
        operation_time: Duration::from_millis(ms),
        ..Default::default()
    }
}

async fn login_world(config: host_test::standin::Config) -> World {
    World::with(
        config,
        &[
            ("argocd_username", "admin"),
            ("argocd_password", crate::PASSWORD),
        ],
    )
    .await
}

#[tokio::test]
/// A wait reads the app when it starts and again when its watch shows the operation ended: two
/// reads for a 1.5 s sync (reading every few seconds took at least three), and the verdict.
async fn a_wait_reads_again_when_the_watch_shows_the_end_and_reports_health() {
    let world = login_world(slow_ops(1500)).await;
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true}),
        )
        .await;
    let outcome = world
        .ok(
            "wait_for_argocd_operation",
            json!({"app_name": "guestbook", "timeout_seconds": 30}),
        )
        .await;
    assert_eq!(outcome["verdict"], "healthy");
    assert_eq!(outcome["success"], true);
    assert_eq!(outcome["phase"], "Succeeded");
    assert_eq!(outcome["polls"], 2, "{outcome}");
    assert!(outcome["waited_ms"].as_u64().unwrap() >= 1400);
}

#[tokio::test]
async fn wait_reports_a_failure_and_a_degraded_success() {
    let world = login_world(slow_ops(400)).await;
    world.standin.set_next_outcome(
        "guestbook",
        host_test::standin::Outcome {
            phase: "Failed".into(),
            health: "Degraded".into(),
        },
    );
    let failed = world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true, "wait": true, "timeout_seconds": 30}),
        )
        .await;
    assert_eq!(failed["outcome"]["verdict"], "failed");
    assert_eq!(failed["outcome"]["success"], false);
    assert!(
        !failed["outcome"]["failed_resources"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    world.standin.set_next_outcome(
        "guestbook",
        host_test::standin::Outcome {
            phase: "Succeeded".into(),
            health: "Degraded".into(),
        },
    );
    let history = world
        .ok("list_argocd_app_history", json!({"app_name": "guestbook"}))
        .await;
    let degraded = world
        .ok("rollback_argocd_app", json!({"app_name": "guestbook", "history_id": history["entries"][1]["id"], "confirm": true, "wait": true}))
        .await;
    assert_eq!(degraded["outcome"]["phase"], "Succeeded");
    assert_eq!(
        degraded["outcome"]["verdict"], "degraded",
        "a Succeeded sync with Degraded health is not a success"
    );
    assert_eq!(degraded["outcome"]["success"], false);
}

#[tokio::test]
async fn wait_times_out_and_terminate_stops_an_operation() {
    let world = login_world(slow_ops(60_000)).await;
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true}),
        )
        .await;
    let late = world
        .ok(
            "wait_for_argocd_operation",
            json!({"app_name": "guestbook", "timeout_seconds": 1}),
        )
        .await;
    assert_eq!(late["verdict"], "timed_out");
    assert_eq!(late["timed_out"], true);
    assert!(
        world
            .tool_error(
                "terminate_argocd_operation",
                json!({"app_name": "guestbook"})
            )
            .await
            .contains("confirm")
    );
    world
        .ok(
            "terminate_argocd_operation",
            json!({"app_name": "guestbook", "confirm": true}),
        )
        .await;
    let ended = world
        .ok(
            "wait_for_argocd_operation",
            json!({"app_name": "guestbook", "timeout_seconds": 5}),
        )
        .await;
    assert_eq!(ended["phase"], "Failed");
    assert_eq!(ended["message"], "Operation terminated");
    let nothing = world
        .tool_error(
            "terminate_argocd_operation",
            json!({"app_name": "guestbook", "confirm": true}),
        )
        .await;
    assert!(nothing.contains("No operation is in progress"), "{nothing}");
    let sent = world
        .standin
        .requests()
        .into_iter()
        .find(|r| r.method == "DELETE")
        .unwrap();
    assert_eq!(
        sent.content_type.as_deref(),
        Some("application/json"),
        "DELETE needs the JSON content type too"
    );
    assert!(
        world
            .tool_error(
                "wait_for_argocd_operation",
                json!({"app_name": "guestbook", "timeout_seconds": 0})
            )
            .await
            .contains("timeout_seconds")
    );
}

#[tokio::test]
async fn writes_outside_the_allowed_projects_never_reach_argocd() {
    let mut world = World::new().await;
    world.set("allowed_projects", "payments, search");
    let refused = world
        .tool_error(
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true}),
        )
        .await;
    assert!(
        refused.contains("project 'default'") && refused.contains("payments, search"),
        "{refused}"
    );
    let refused = world
        .tool_error(
            "terminate_argocd_operation",
            json!({"app_name": "guestbook", "confirm": true}),
        )
        .await;
    assert!(refused.contains("Nothing was sent"), "{refused}");
    assert!(
        world
            .standin
            .requests()
            .iter()
            .all(|r| r.method == "GET" || r.path == "/api/v1/session")
    );
    let allowed = world
        .tool_error(
            "rollback_argocd_app",
            json!({"app_name": "payments", "history_id": 0, "confirm": true}),
        )
        .await;
    assert!(
        allowed.contains("auto-sync"),
        "allowed project reaches Argo CD: {allowed}"
    );
    world
        .ok("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await;
}

#[tokio::test]
async fn extra_headers_reach_argocd_and_nothing_else() {
    let mut world = World::new().await;
    world.set(
        "extra_headers",
        r#"{"CF-Access-Client-Id":"client-id-1","CF-Access-Client-Secret":"cf-secret-value"}"#,
    );
    let status = world
        .call("get_argocd_app_status", json!({"app_name": "ghost"}))
        .await;
    for request in world.standin.requests() {
        let secret = request
            .headers
            .iter()
            .find(|(k, _)| k == "cf-access-client-secret")
            .map(|(_, v)| v.as_str());
        assert_eq!(secret, Some("cf-secret-value"), "{}", request.path);
    }
    assert!(!status.to_string().contains("cf-secret-value"));
    world.set("extra_headers", r#"{"Authorization":"Basic x"}"#);
    let bad = world.tool_error("list_argocd_apps", json!({})).await;
    assert!(
        bad.contains("ARGOCD_EXTRA_HEADERS") && bad.contains("set by the server itself"),
        "{bad}"
    );
}

#[tokio::test]
async fn multi_source_sync_sends_revisions_with_numeric_positions() {
    let world = World::new().await;
    world
        .ok("sync_argocd_app", json!({"app_name": "multi-source-app", "revisions": ["v2", "v7"], "source_positions": [1, 2], "confirm": true}))
        .await;
    let op = &world.standin.app("multi-source-app").unwrap()["operation"]["sync"];
    assert_eq!(
        op["sourcePositions"],
        json!([1, 2]),
        "int64 positions go as JSON numbers"
    );
    assert_eq!(op["revisions"], json!(["v2", "v7"]));
    let out_of_range = world.tool_error("sync_argocd_app", json!({"app_name": "guestbook", "revisions": ["v2"], "source_positions": [3], "confirm": true})).await;
    assert!(
        out_of_range.contains("source position is out of range"),
        "{out_of_range}"
    );
    let unpaired = world
        .tool_error(
            "sync_argocd_app",
            json!({"app_name": "multi-source-app", "revisions": ["v2"], "confirm": true}),
        )
        .await;
    assert!(unpaired.contains("go together"), "{unpaired}");
}
