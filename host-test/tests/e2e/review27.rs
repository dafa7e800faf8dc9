//! Twenty-seventh hostile review (issue 19): the project allow-list after db80b36, attacked
//! through the built server component against the stand-in.
//!
//! Findings (each `review27_finding_*` asserts the secure behaviour; all three are fixed and
//! their tests run: a patch leaving auto-sync on may change only the target revisions and the
//! sync policy, the sources' shape kept, or is refused; a rollback entry of another shape is
//! refused; an applied Application that cannot be read is refused; namespace-less objects are
//! looked up in the app's destination namespace):
//!
//! - B1 (high, allow-list, server; `project_guard.rs` `ensure_patch_allowed`) a patch of
//!   `spec.destination` (namespace) that leaves auto-sync on is judged by the manifests of the
//!   app as it is: an Application in Git without `metadata.namespace` is looked up in the old
//!   destination namespace (absent there: "created"), while the auto-sync after the patch
//!   applies it in the new one, over the live app of that name of another project. Root cause:
//!   only the sources are compared before and after (`sources_but_revisions`); the destination
//!   also decides where namespace-less objects land (and what Helm renders).
//! - B2 (medium, allow-list, server; `ensure_patch_allowed` / `target_revisions`) a patch that
//!   switches `spec.source` to `spec.sources` (same repository and path, another
//!   `targetRevision`) with auto-sync on passes `sources_but_revisions` (one source either way)
//!   and is judged by `…/manifests?revisions=X&sourcePositions=1` of the app as it is, a
//!   single-source app, for which Argo CD's GetManifests reads only `revision`: the old
//!   revision is judged, the auto-sync deploys the new one. Same for the reverse
//!   (`sources` → `source`, `?revision=` on a multi-source app) and for a rollback to a
//!   multi-source entry of an app that is single-source now.
//! - B3 (high, allow-list, server; `ensure_applied_objects_allowed`) an Application in the
//!   synced app's Git whose live read answers 403 is taken as absent ("the sync creates it"):
//!   in user mode (or with a token RBAC limits to the allowed projects) the caller cannot read
//!   another project's app, so Git naming it `guestbook` (project default) with `spec.project:
//!   payments` is synced, and Argo CD's controller, not the caller, rewrites `guestbook`. Argo
//!   CD answers 403 for an app the caller may not read, existing or not: only 404 is absent.
//!
//! Held (tested): a sync whose Git holds a namespace-less Application named as another
//! project's app in the app's own destination namespace is refused. Read, not tested: the tree
//! walk for deletes refuses on any read error (403 included).
//!
//! Stand-in: its `…/manifests` answers the blueprint's destination namespace (a patch does
//! not change it) and ignores `revision`/`revisions`; the findings show the guard reading the
//! wrong thing and the write being sent. Not verified: whether real Argo CD's server fills
//! `namespace` in GetManifests' answer at all (if it does not, every namespace-less
//! Application manifest is looked up in the control-plane namespace, whatever the
//! destination).

use serde_json::{Value, json};

use crate::planting::sent_writes;

/// `payments` (allowed) with auto-sync on, its Git holding `objects` besides what it manages.
async fn auto_payments(objects: Vec<Value>) -> crate::World {
    let mut world = crate::World::new().await;
    world.set("allowed_projects", "payments");
    let mut state = world.standin.state();
    let record = state.apps.get_mut("payments").unwrap();
    record.app["spec"]["syncPolicy"] = json!({"automated": {"selfHeal": true}});
    record.blueprint.auto_sync = true;
    state.review_git.insert("payments".into(), objects);
    drop(state);
    world
}

/// `guestbook` (project default, in `argocd`) as `payments`' Git writes it: into `payments`,
/// without a namespace (Argo CD puts it in the destination namespace).
fn namespaceless_guestbook() -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
           "metadata": {"name": "guestbook"},
           "spec": {"project": "payments",
                    "source": {"repoURL": "https://git.example.com/attacker.git", "path": "."},
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": "kube-system"}}})
}

fn manifests_read(world: &crate::World) -> Vec<String> {
    world
        .standin
        .requests()
        .iter()
        .filter(|r| r.path.contains("/manifests"))
        .map(|r| r.path.clone())
        .collect()
}

/// B1: the destination namespace patched to `argocd` with auto-sync on. The guard reads the
/// manifests of the app as it is (destination `payments`), looks `guestbook` up in `payments`
/// (not there), and lets the patch go; Argo CD's auto-sync then applies `guestbook` in
/// `argocd`, rewriting project default's app into `payments` with the attacker's source.
#[tokio::test]
async fn review27_finding_b1_patch_of_the_destination_judges_applied_apps_in_the_old_namespace() {
    let world = auto_payments(vec![namespaceless_guestbook()]).await;
    assert_eq!(
        world.standin.state().apps["guestbook"].blueprint.project,
        "default"
    );
    let patch = json!({"app_name": "payments", "confirm": true,
                       "patch": {"spec": {"destination": {"namespace": "argocd"}}}});
    let answer = world.call("patch_argocd_app", patch).await;
    println!("patch: {answer}");
    println!("manifests read: {:?}", manifests_read(&world));
    let asked: Vec<String> = world
        .standin
        .requests()
        .iter()
        .map(|r| r.path.clone())
        .collect();
    println!("requests: {asked:?}");
    assert_eq!(answer["isError"], true, "the patch went: {answer}");
    assert!(
        sent_writes(&world).is_empty(),
        "sent: {:?}",
        sent_writes(&world)
    );
}

/// Held: the same Git, synced where the app's destination already is `argocd`: `guestbook` is
/// looked up there and refused.
#[tokio::test]
async fn review27_held_a_namespaceless_app_of_another_project_in_the_destination_is_refused() {
    let world = auto_payments(vec![namespaceless_guestbook()]).await;
    {
        let mut state = world.standin.state();
        let record = state.apps.get_mut("payments").unwrap();
        record.blueprint.destination_namespace = "argocd".into();
        record.app["spec"]["destination"]["namespace"] = json!("argocd");
    }
    let sync = world
        .tool_error(
            "sync_argocd_app",
            json!({"app_name": "payments", "confirm": true}),
        )
        .await;
    assert!(
        sync.contains("guestbook") && sync.contains("default"),
        "{sync}"
    );
    assert!(
        sent_writes(&world).is_empty(),
        "sent: {:?}",
        sent_writes(&world)
    );
}

/// B2: `spec.source` swapped for a one-element `spec.sources` at another revision, auto-sync
/// on. The manifests are asked with `revisions`/`sourcePositions` of an app that is
/// single-source until the patch lands: Argo CD's GetManifests then renders `spec.source` at
/// its current `targetRevision`. Secure: refused, or the new revision asked as `revision`.
#[tokio::test]
async fn review27_finding_b2_patch_switching_source_to_sources_is_judged_at_the_old_revision() {
    let world = auto_payments(vec![]).await;
    let mut source = world.standin.state().apps["payments"].app["spec"]["source"].clone();
    assert!(source.is_object(), "payments is single-source: {source}");
    source["targetRevision"] = json!("attacker-branch");
    let patch = json!({"app_name": "payments", "confirm": true,
                       "patch": {"spec": {"source": null, "sources": [source]}}});
    let answer = world.call("patch_argocd_app", patch).await;
    println!("patch: {answer}");
    let asked = manifests_read(&world);
    println!("manifests read: {asked:?}");
    let judged_new = asked
        .iter()
        .any(|p| p.contains("revision=attacker-branch") && !p.contains("revisions="));
    assert!(
        answer["isError"] == true || judged_new,
        "patched, judged by a query a single-source app renders at its old revision: {answer} (read {asked:?})"
    );
}

/// B3: in user mode, alice (`payments-deployers`) may read and sync only `payments/*`.
/// `payments`' Git holds an Application `guestbook` (live: project default, which alice cannot
/// read). The guard reads `guestbook` as alice: 403, taken as "absent, the sync creates it",
/// and the sync goes; Argo CD's controller (not alice) then applies it over project default's
/// `guestbook`. Real Argo CD answers 403 for an app the caller may not read whether it exists
/// or not, so the guard cannot tell them apart: it must refuse.
#[tokio::test]
async fn review27_finding_b3_an_applied_app_hidden_from_the_caller_is_taken_as_absent() {
    use host_test::standin::rbac::Policy;
    let mut world = crate::identity::user_mode(&[]).await;
    world.set("allowed_projects", "payments");
    {
        let mut state = world.standin.state();
        state.rbac = vec![
            Policy::new("payments-deployers", "applications", "get", "payments/*"),
            Policy::new("payments-deployers", "applications", "sync", "payments/*"),
        ];
        let record = state.apps.get_mut("payments").unwrap();
        record.app["spec"]["syncPolicy"] = json!({});
        record.blueprint.auto_sync = false;
        let mut guestbook = namespaceless_guestbook();
        guestbook["metadata"]["namespace"] = json!("argocd");
        state.review_git.insert("payments".into(), vec![guestbook]);
        assert_eq!(state.apps["guestbook"].blueprint.project, "default");
    }
    let alice = crate::identity::token(&world, "alice");
    let (_, answer) = crate::identity::call_as(
        &world,
        &alice,
        "sync_argocd_app",
        json!({"app_name": "payments", "confirm": true}),
    )
    .await;
    println!("sync: {answer}");
    let asked: Vec<String> = world
        .standin
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    println!("requests: {asked:?}");
    assert_eq!(answer["result"]["isError"], true, "the sync went: {answer}");
    // The caller's token exchange at the identity provider is no write to Argo CD.
    let writes: Vec<String> = sent_writes(&world)
        .into_iter()
        .filter(|w| !w.contains("/api/dex/"))
        .collect();
    assert!(writes.is_empty(), "sent: {writes:?}");
}
