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

/// A world seeded with credentials everywhere the stand-in knows (`Config::seed_credentials`).
async fn seeded_world() -> crate::World {
    crate::World::with(
        host_test::standin::Config {
            seed_credentials: true,
            ..host_test::standin::Config::default()
        },
        &[
            ("argocd_username", "admin"),
            ("argocd_password", crate::PASSWORD),
        ],
    )
    .await
}

/// The log lines of vault-app's Deployment kept by `filter`, through the server and the plugin.
async fn filtered_log_lines(world: &crate::World, filter: &str) -> (Vec<String>, Vec<String>) {
    let lines = |answer: &Value| -> Vec<String> {
        answer["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    let server = world
        .ok(
            "get_argocd_app_logs",
            json!({"app_name": "vault-app", "kind": "Deployment", "resource_name": "vault-app",
                   "filter": filter}),
        )
        .await;
    let (plugin, mut store) = harness().plugin(&plugin_env(&world.standin)).await.unwrap();
    let answer = plugin
        .call_get_argocd_app_logs(
            &mut store,
            "vault-app",
            None,
            Some("Deployment"),
            Some("vault-app"),
            None,
            None,
            None,
            None,
            Some(filter),
            None,
            None,
            None,
            None,
            None,
        )
        .await
        .expect("the plugin answers")
        .expect("the plugin reads the logs");
    let answer: Value = serde_json::from_str(&answer).expect("JSON");
    (lines(&server), lines(&answer))
}

/// L1: `get_argocd_app_logs`' `filter` is sent to Argo CD, which keeps the lines that hold it
/// in the raw log, before any scrubbing: whether lines come back tells whether the raw log
/// holds the filter, so an agent learns a scrubbed password character by character
/// (`dsn=postgres://app:S` → lines, `…app:T` → none, …): the answer hides the value, the
/// choice of lines gives it away. Here the whole seeded log password is confirmed, and a
/// wrong last character tells apart.
#[tokio::test]
#[ignore = "issue 19: review34 L1"]
async fn review34_finding_l1_log_filter_is_an_oracle_for_scrubbed_secrets() {
    use host_test::standin::credentials::LOG_PASSWORD;
    let world = seeded_world().await;
    let right = format!("postgres://app:{LOG_PASSWORD}@");
    let mut wrong = format!("postgres://app:{LOG_PASSWORD}");
    wrong.pop();
    wrong.push_str("X@");
    let (server_right, plugin_right) = filtered_log_lines(&world, &right).await;
    let (server_wrong, plugin_wrong) = filtered_log_lines(&world, &wrong).await;
    println!("review34 L1 right filter, server: {server_right:?}");
    // The seeded line was reached, and its password hidden, on both.
    for (via, lines) in [("server", &server_right), ("plugin", &plugin_right)] {
        assert!(
            lines.iter().any(|l| l.contains("db.internal")),
            "{via}: the seeded line is read: {lines:?}"
        );
        assert!(
            lines.iter().all(|l| !l.contains(LOG_PASSWORD)),
            "{via}: the password is scrubbed from the line: {lines:?}"
        );
    }
    let mut found = Vec::new();
    for (via, right, wrong) in [
        ("server", &server_right, &server_wrong),
        ("plugin", &plugin_right, &plugin_wrong),
    ] {
        if right.len() != wrong.len() {
            found.push(format!(
                "{via}: filter with the true password keeps {} line(s), with a wrong last character {}: the log's scrubbed password is confirmed by the filter",
                right.len(),
                wrong.len()
            ));
        }
    }
    crate::planting::assert_none(found);
}
