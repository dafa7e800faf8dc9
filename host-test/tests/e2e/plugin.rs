//! The plugin component's typed exports, one fresh instance per call as Wassette does.

use host_test::embed::{HostEnv, ResourceRef};
use host_test::standin::{Config, StandIn};
use serde_json::Value;

use crate::harness;

async fn setup(extra: &[(&str, &str)]) -> (StandIn, HostEnv) {
    let standin = StandIn::start(Config::default()).await.unwrap();
    let mut env = vec![
        (
            "ARGOCD_URL".to_string(),
            "https://argocd.example.com".to_string(),
        ),
        ("ARGOCD_USERNAME".into(), "admin".into()),
        ("ARGOCD_PASSWORD".into(), "password".into()),
    ];
    for (k, v) in extra {
        env.push((k.to_string(), v.to_string()));
    }
    let host = HostEnv {
        env,
        redirect: Some(standin.addr),
        ..HostEnv::default()
    };
    (standin, host)
}

fn parse(answer: Result<String, String>) -> Value {
    serde_json::from_str(&answer.expect("tool succeeds")).unwrap()
}

#[tokio::test]
async fn every_tool_works_through_typed_exports() {
    let (standin, env) = setup(&[]).await;
    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let status = parse(
        plugin
            .call_get_argocd_app_status(&mut store, "broken-app", Some(true), None)
            .await
            .unwrap(),
    );
    assert_eq!(status["health"]["status"], "Degraded");
    assert_eq!(status["resources"]["total"], 3);

    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let list = parse(
        plugin
            .call_list_argocd_apps(
                &mut store,
                Some("payments"),
                None,
                None,
                None,
                None,
                None,
                Some(5),
                None,
            )
            .await
            .unwrap(),
    );
    assert_eq!(list["returned"], 5);
    assert!(
        list["apps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["project"] == "payments")
    );

    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let history = parse(
        plugin
            .call_list_argocd_app_history(&mut store, "guestbook", None)
            .await
            .unwrap(),
    );
    assert_eq!(history["entries"][0]["id"], 3);

    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let refused = plugin
        .call_sync_argocd_app(
            &mut store,
            "guestbook",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            false,
        )
        .await
        .unwrap();
    assert!(refused.unwrap_err().contains("confirm"));

    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let resources = vec![ResourceRef {
        group: Some("apps".into()),
        kind: "Deployment".into(),
        name: "guestbook".into(),
        namespace: Some("guestbook".into()),
    }];
    let started = parse(
        plugin
            .call_sync_argocd_app(
                &mut store,
                "guestbook",
                None,
                None,
                None,
                None,
                Some(true),
                Some(&resources),
                None,
                None,
                None,
                true,
            )
            .await
            .unwrap(),
    );
    assert_eq!(started["resources"], 1);
    let sync_body = standin
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/sync"))
        .unwrap();
    assert_eq!(sync_body.content_type.as_deref(), Some("application/json"));

    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let auto = plugin
        .call_rollback_argocd_app(
            &mut store, "payments", 0, None, None, None, None, None, true,
        )
        .await
        .unwrap();
    assert!(auto.unwrap_err().contains("auto-sync"));

    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let bad = plugin
        .call_get_argocd_app_status(&mut store, "../secrets", None, None)
        .await
        .unwrap();
    assert!(bad.unwrap_err().contains("not a valid Kubernetes name"));
}

#[tokio::test]
async fn read_only_and_missing_settings_are_refused_clearly() {
    let (_standin, env) = setup(&[("ARGOCD_READ_ONLY", "true")]).await;
    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let refused = plugin
        .call_rollback_argocd_app(
            &mut store,
            "guestbook",
            1,
            None,
            None,
            None,
            None,
            None,
            true,
        )
        .await
        .unwrap();
    assert!(refused.unwrap_err().contains("read-only"));

    let empty = HostEnv::default();
    let (plugin, mut store) = harness().plugin(&empty).await.unwrap();
    let unconfigured = plugin
        .call_list_argocd_apps(&mut store, None, None, None, None, None, None, None, None)
        .await
        .unwrap();
    assert!(unconfigured.unwrap_err().contains("ARGOCD_URL"));
}

#[tokio::test]
async fn an_api_token_needs_no_login() {
    let (standin, mut env) = setup(&[]).await;
    let token = standin.api_token("admin", None);
    env.env.retain(|(k, _)| k == "ARGOCD_URL");
    env.env.push(("ARGOCD_TOKEN".into(), token));
    for _ in 0..3 {
        let (plugin, mut store) = harness().plugin(&env).await.unwrap();
        parse(
            plugin
                .call_get_argocd_app_status(&mut store, "guestbook", None, None)
                .await
                .unwrap(),
        );
    }
    assert_eq!(standin.login_count(), 0);
}

#[tokio::test]
async fn the_operator_tools_work_through_typed_exports() {
    let (standin, env) = setup(&[]).await;
    let h = harness();
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let tree = parse(
        p.call_get_argocd_app_resource_tree(
            &mut s,
            "guestbook",
            Some("Pod"),
            None,
            None,
            None,
            None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(tree["total"], 2);
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let events = parse(
        p.call_get_argocd_app_events(
            &mut s,
            "guestbook",
            Some("Deployment"),
            Some("guestbook"),
            None,
            Some(2),
            None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(events["events"].as_array().unwrap().len(), 2);
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let logs = parse(
        p.call_get_argocd_app_logs(
            &mut s,
            "guestbook",
            None,
            Some("Deployment"),
            Some("guestbook"),
            None,
            None,
            Some(5),
            None,
            Some("!healthz"),
            None,
            None,
            None,
            None,
        )
        .await
        .unwrap(),
    );
    assert!(
        logs["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| !l.as_str().unwrap().contains("healthz"))
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let refreshed = parse(
        p.call_refresh_argocd_app(&mut s, "guestbook", Some(false), None)
            .await
            .unwrap(),
    );
    assert_eq!(refreshed["name"], "guestbook");
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let info = parse(p.call_get_argocd_server_info(&mut s).await.unwrap());
    assert_eq!(info["logged_in"], true);
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert!(
        parse(
            p.call_list_argocd_projects(&mut s, Some(2), None)
                .await
                .unwrap()
        )["projects"]
            .as_array()
            .unwrap()
            .len()
            == 2
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert_eq!(
        parse(
            p.call_list_argocd_clusters(&mut s, None, None)
                .await
                .unwrap()
        )["total"],
        2
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let started = parse(
        p.call_sync_argocd_app(
            &mut s,
            "guestbook",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some(true),
            Some(30),
            true,
        )
        .await
        .unwrap(),
    );
    assert_eq!(started["outcome"]["verdict"], "healthy");
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let waited = parse(
        p.call_wait_for_argocd_operation(&mut s, "guestbook", Some(5), None)
            .await
            .unwrap(),
    );
    assert_eq!(waited["phase"], "Succeeded");
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let idle = p
        .call_terminate_argocd_operation(&mut s, "guestbook", None, true)
        .await
        .unwrap();
    assert!(idle.unwrap_err().contains("No operation is in progress"));
    assert!(standin.requests().iter().any(|r| r.method == "DELETE"));
}

#[tokio::test]
async fn the_inspection_tools_work_through_typed_exports() {
    let (standin, env) = setup(&[]).await;
    let h = harness();
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let diff = parse(
        p.call_get_argocd_app_diff(&mut s, "broken-app", None, None, None, None, None)
            .await
            .unwrap(),
    );
    assert_eq!(diff["drifted"], 1);
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let secret = parse(
        p.call_get_argocd_resource(
            &mut s, "huge-app", "Secret", "huge-app", None, None, None, None, None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(secret["manifest"]["data"]["API_KEY"], "***");
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let actions = parse(
        p.call_list_argocd_resource_actions(
            &mut s,
            "guestbook",
            "Deployment",
            "guestbook",
            None,
            Some("apps"),
            None,
            None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(actions["available"][0], "restart");
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let ran = parse(
        p.call_run_argocd_resource_action(
            &mut s,
            "guestbook",
            "Deployment",
            "guestbook",
            None,
            Some("apps"),
            None,
            None,
            "restart",
            true,
        )
        .await
        .unwrap(),
    );
    assert_eq!(ran["action"], "restart");
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert_eq!(
        parse(
            p.call_get_argocd_sync_windows(&mut s, "guestbook", None)
                .await
                .unwrap()
        )["can_sync"],
        true
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert_eq!(
        parse(
            p.call_can_i_argocd(&mut s, "applications", "get", "*")
                .await
                .unwrap()
        )["allowed"],
        true
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert!(
        parse(
            p.call_list_argocd_repositories(&mut s, None, None)
                .await
                .unwrap()
        )["total"]
            .as_u64()
            .unwrap()
            > 0
    );
    let revision = standin.app("guestbook").unwrap()["status"]["history"][0]["revision"]
        .as_str()
        .unwrap()
        .to_owned();
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let meta = parse(
        p.call_get_argocd_revision_metadata(&mut s, "guestbook", &revision, None, None)
            .await
            .unwrap(),
    );
    assert_eq!(meta["revision"], revision);
}

#[tokio::test]
async fn applicationsets_through_typed_exports() {
    let (_standin, env) = setup(&[]).await;
    let h = harness();
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert_eq!(
        parse(
            p.call_list_argocd_applicationsets(&mut s, None, None, None, None)
                .await
                .unwrap()
        )["total"],
        2
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let one = parse(
        p.call_get_argocd_applicationset(&mut s, "guestbook-envs", None)
            .await
            .unwrap(),
    );
    assert_eq!(one["generators"][0], "list");
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let spec = r#"{"metadata":{"name":"x"},"spec":{"generators":[{"list":{"elements":[{"n":"1"}]}}],"template":{"metadata":{"name":"app-{{n}}"},"spec":{"project":"default"}}}}"#;
    assert_eq!(
        parse(
            p.call_preview_argocd_applicationset(&mut s, spec)
                .await
                .unwrap()
        )["count"],
        1
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert!(
        p.call_preview_argocd_applicationset(&mut s, "{not json")
            .await
            .unwrap()
            .unwrap_err()
            .contains("not JSON")
    );
}

#[tokio::test]
async fn lifecycle_through_typed_exports() {
    let (standin, env) = setup(&[]).await;
    let h = harness();
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let created = parse(
        p.call_create_argocd_app(
            &mut s,
            "plug-svc",
            "default",
            "https://git.example.com/p.git",
            Some("deploy"),
            None,
            None,
            None,
            None,
            "plug",
            None,
            None,
            None,
            None,
            None,
            None,
            true,
        )
        .await
        .unwrap(),
    );
    assert_eq!(created["app"], "plug-svc");
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let patched = parse(
        p.call_patch_argocd_app(
            &mut s,
            "payments",
            r#"{"spec":{"syncPolicy":{"automated":null}}}"#,
            None,
            true,
        )
        .await
        .unwrap(),
    );
    assert_eq!(patched["auto_sync"], false);
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert!(
        p.call_patch_argocd_app(&mut s, "payments", "nope", None, true)
            .await
            .unwrap()
            .unwrap_err()
            .contains("not JSON")
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    parse(
        p.call_delete_argocd_resource(
            &mut s,
            "guestbook",
            "ConfigMap",
            "guestbook",
            None,
            None,
            None,
            None,
            None,
            None,
            true,
        )
        .await
        .unwrap(),
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    parse(
        p.call_delete_argocd_app(&mut s, "plug-svc", true, Some("foreground"), None, true)
            .await
            .unwrap(),
    );
    assert!(standin.app("plug-svc").is_none());
}

#[tokio::test]
async fn manifests_project_and_cluster_through_typed_exports() {
    let (_standin, env) = setup(&[]).await;
    let h = harness();
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert_eq!(
        parse(
            p.call_get_argocd_app_manifests(
                &mut s,
                "guestbook",
                None,
                None,
                None,
                Some(true),
                None,
                None
            )
            .await
            .unwrap()
        )["count"],
        3
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert_eq!(
        parse(p.call_get_argocd_project(&mut s, "payments").await.unwrap())["name"],
        "payments"
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert_eq!(
        parse(
            p.call_get_argocd_cluster(&mut s, "in-cluster")
                .await
                .unwrap()
        )["connection"],
        "Successful"
    );
}
