//! Thirty-fourth hostile review (issue 19): placeholder doc, rewritten at the end.

use serde_json::{Value, json};

use crate::harness;
use crate::planting::{plugin_env, without_auto_sync};

/// `payments` (allowed, single-source) without auto-sync.
async fn payments_alone() -> crate::World {
    let mut world = crate::World::new().await;
    world.set("allowed_projects", "payments");
    without_auto_sync(world)
}

/// The bodies of the syncs of payments sent to Argo CD.
fn sync_bodies(world: &crate::World) -> Vec<Value> {
    world
        .standin
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/payments/sync"))
        .map(|r| serde_json::from_str(&r.body).expect("a JSON body"))
        .collect()
}

/// The syncs of single-source `payments` sent without `judged` as their `revision`: Argo CD
/// reads `revision` alone for such an app (`resolveSourceRevisions` reads
/// `revisions`/`sourcePositions` only under `HasMultipleSources`), so one sent without it
/// deploys the branch's HEAD as it is when the sync starts.
fn unpinned_syncs(world: &crate::World, judged: &str, via: &str) -> Vec<String> {
    sync_bodies(world)
        .into_iter()
        .filter(|body| body["revision"].as_str() != Some(judged))
        .map(|body| format!("{via}: sent without the judged commit {judged}: {body}"))
        .collect()
}

/// Whether the guard read payments' manifests (so something was judged).
fn manifests_read(world: &crate::World) -> bool {
    world
        .standin
        .requests()
        .iter()
        .any(|r| r.path.contains("/payments/manifests"))
}

/// P1: `revisions` + `source_positions` on a single-source app under the allow-list: the guard
/// judges the manifests (Argo CD renders them at the target revision, ignoring the positions
/// for a single source), `pinned_revision` gives up because the body has `revisions`, and the
/// sync is sent without `revision`: a push between the check and the sync is deployed unjudged.
#[tokio::test]
#[ignore = "issue 19: review34 P1"]
async fn review34_finding_p1_revisions_on_a_single_source_app_escape_the_pin() {
    let judged = host_test::standin::fleet::commit("payments@HEAD");
    let mut found = Vec::new();
    let world = payments_alone().await;
    let _ = world
        .call(
            "sync_argocd_app",
            json!({"app_name": "payments", "revisions": ["main"], "source_positions": [1],
                   "confirm": true}),
        )
        .await;
    assert!(manifests_read(&world), "server: the guard judged the manifests");
    found.extend(unpinned_syncs(&world, &judged, "server"));

    let world = payments_alone().await;
    let mut env = plugin_env(&world.standin);
    env.env
        .push(("ARGOCD_ALLOWED_PROJECTS".into(), "payments".into()));
    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let _ = plugin
        .call_sync_argocd_app(
            &mut store,
            "payments",
            None,
            Some(&["main".to_owned()]),
            Some(&[1]),
            None,
            None,
            None,
            None,
            None,
            None,
            true,
            None,
        )
        .await
        .expect("the plugin answers");
    assert!(manifests_read(&world), "plugin: the guard judged the manifests");
    found.extend(unpinned_syncs(&world, &judged, "plugin"));
    crate::planting::assert_none(found);
}

/// Held: a sync a person approved (ARGOCD_REQUIRE_APPROVAL) is pinned on the approved retry,
/// as one without approvals is; a partial sync with prune is pinned alike.
#[tokio::test]
async fn review34_held_approved_and_partial_syncs_are_pinned() {
    let judged = host_test::standin::fleet::commit("payments@HEAD");
    let mut world = crate::planting::approval_world().await;
    world.set("allowed_projects", "payments");
    let world = without_auto_sync(world);
    let call = json!({"name": "sync_argocd_app", "arguments": {"app_name": "payments",
        "prune": false, "confirm": true}});
    let asked = crate::planting::asked(&world, &call).await;
    assert_eq!(asked["result"]["resultType"], "input_required", "{asked}");
    let mut retry = call.clone();
    retry["requestState"] = asked["result"]["requestState"].clone();
    retry["inputResponses"] =
        json!({"approval": {"action": "accept", "content": {"approve": true}}});
    let ran = crate::planting::asked(&world, &retry).await;
    assert_eq!(ran["result"]["isError"], false, "{ran}");
    let bodies = sync_bodies(&world);
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert!(unpinned_syncs(&world, &judged, "approved").is_empty(), "{bodies:?}");

    let world = payments_alone().await;
    let resources = world.standin.state().apps["payments"].app["status"]["resources"][0].clone();
    let _ = world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "payments", "confirm": true, "resources": [{
                "group": resources["group"], "kind": resources["kind"],
                "name": resources["name"], "namespace": resources["namespace"]}]}),
        )
        .await;
    let bodies = sync_bodies(&world);
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert!(unpinned_syncs(&world, &judged, "partial").is_empty(), "{bodies:?}");
}
