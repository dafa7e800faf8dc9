//! ApplicationSets over REST: list, get with generated apps, dry-run preview.

use serde_json::json;

use crate::World;

#[tokio::test]
async fn list_get_and_preview() {
    let world = World::new().await;
    let sets = world.ok("list_argocd_applicationsets", json!({})).await;
    assert_eq!(sets["total"], 2);
    let envs = sets["application_sets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "guestbook-envs")
        .unwrap();
    assert_eq!(envs["generators"], json!(["list"]));
    assert_eq!(envs["applications"], 3);
    assert_eq!(envs["unhealthy"], 1);
    let addons = sets["application_sets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "platform-addons")
        .unwrap();
    assert!(
        addons["problems"][0]
            .as_str()
            .unwrap()
            .contains("Unable to connect")
    );
    let filtered = world
        .ok(
            "list_argocd_applicationsets",
            json!({"selector": "team=platform"}),
        )
        .await;
    assert_eq!(filtered["total"], 1);

    let one = world
        .ok(
            "get_argocd_applicationset",
            json!({"name": "guestbook-envs"}),
        )
        .await;
    assert_eq!(one["health"]["Degraded"], 1);
    assert!(
        one["applications"]
            .as_array()
            .unwrap()
            .contains(&json!("guestbook-prod OutOfSync Degraded"))
    );
    assert!(one["template"].as_str().unwrap().contains("envs/{{env}}"));
    assert!(
        world
            .tool_error("get_argocd_applicationset", json!({"name": "nope"}))
            .await
            .contains("not found or")
    );

    let spec = json!({
        "metadata": {"name": "try-me", "namespace": "argocd"},
        "spec": {
            "generators": [{"list": {"elements": [{"team": "a"}, {"team": "b"}]}}],
            "template": {"metadata": {"name": "svc-{{team}}"}, "spec": {"project": "default", "source": {"repoURL": "https://git.example.com/svc.git", "path": "teams/{{team}}"}, "destination": {"server": "https://kubernetes.default.svc", "namespace": "{{team}}"}}}
        }
    });
    let preview = world
        .ok(
            "preview_argocd_applicationset",
            json!({"applicationset": spec}),
        )
        .await;
    assert_eq!(preview["count"], 2);
    assert_eq!(
        preview["applications"][0],
        "svc-a: default, https://git.example.com/svc.git teams/a → https://kubernetes.default.svc a"
    );
    let by_cluster = json!({
        "metadata": {"name": "addons", "namespace": "argocd"},
        "spec": {
            "goTemplate": true,
            "generators": [{"clusters": {"selector": {"matchLabels": {"addons": "enabled"}}}}],
            "template": {"metadata": {"name": "addons-{{.name}}"}, "spec": {"project": "default", "source": {"repoURL": "https://git.example.com/addons.git", "path": "envs/{{.metadata.labels.env}}"}, "destination": {"server": "{{.server}}", "namespace": "addons"}}}
        }
    });
    let preview = world
        .ok(
            "preview_argocd_applicationset",
            json!({"applicationset": by_cluster}),
        )
        .await;
    assert_eq!(
        preview["count"], 1,
        "only in-cluster carries addons=enabled: {preview}"
    );
    assert_eq!(
        preview["applications"][0],
        "addons-in-cluster: default, https://git.example.com/addons.git envs/prod → https://kubernetes.default.svc addons"
    );
    let sent = world
        .standin
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/v1/applicationsets/generate")
        .unwrap();
    assert_eq!(sent.method, "POST");
    let bad = world
        .tool_error(
            "preview_argocd_applicationset",
            json!({"applicationset": {"spec": {"template": {}, "generators": [{"git": {}}]}}}),
        )
        .await;
    assert!(bad.contains("HTTP 400"), "{bad}");
    assert!(
        world
            .tool_error(
                "preview_argocd_applicationset",
                json!({"applicationset": "x"})
            )
            .await
            .contains("with a spec")
    );
}
