//! ARGOCD_ALLOWED_PROJECTS and what a sync deletes by the manifests it applies (review24 A1):
//! an object whose own `argocd.argoproj.io/sync-options` annotation says `Replace=true` or
//! `Force=true`, and every hook, is deleted and created again by a sync with or without prune.
//! A child Application of another project so written in an allowed app's Git is refused; the
//! manifests read are those the call deploys.

use host_test::standin::{Fault, FaultRule};
use serde_json::{Value, json};

use crate::harness;
use crate::planting::{manual_payments, plugin_env, sent_writes, without_auto_sync};

/// `payments` (allowed) without auto-sync, managing nothing of another project.
async fn payments_alone() -> crate::World {
    let mut world = crate::World::new().await;
    world.set("allowed_projects", "payments");
    without_auto_sync(world)
}

/// `payments`' child `broken-app` (project default) with `options` as its own sync-options
/// annotation, in Git and in the cluster.
fn replaced_child(world: &crate::World, options: &str) {
    world.standin.state().review_live.insert(
        "broken-app".into(),
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
               "metadata": {"name": "broken-app", "namespace": "argocd",
                            "annotations": {"argocd.argoproj.io/sync-options": options}},
               "spec": {"project": "default"}}),
    );
}

/// An Application written in `payments`' Git as a hook, into the allowed project: the one of
/// that name in the cluster (`guestbook`: project default) is deleted first.
fn hook_application(name: &str) -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
           "metadata": {"name": name, "namespace": "argocd",
                        "annotations": {"argocd.argoproj.io/hook": "PreSync"}},
           "spec": {"project": "payments"}})
}

/// A hook only Git holds (not among what `payments` manages) deletes the app of that name
/// before it is created again: refused through both components, nothing sent.
#[tokio::test]
async fn a_hook_in_git_that_replaces_an_app_of_another_project_refuses_the_sync() {
    let world = payments_alone().await;
    world
        .standin
        .state()
        .review_git
        .insert("payments".into(), vec![hook_application("guestbook")]);
    let sync = world
        .tool_error(
            "sync_argocd_app",
            json!({"app_name": "payments", "confirm": true}),
        )
        .await;
    assert!(
        sync.contains("guestbook") && sync.contains("hook") && sync.contains("default"),
        "{sync}"
    );
    let mut env = plugin_env(&world.standin);
    env.env
        .push(("ARGOCD_ALLOWED_PROJECTS".into(), "payments".into()));
    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let answer = plugin
        .call_sync_argocd_app(
            &mut store, "payments", None, None, None, None, None, None, None, None, None, true,
            None,
        )
        .await
        .expect("the plugin answers");
    let refusal = answer.expect_err("the plugin refuses the sync");
    assert!(refusal.contains("guestbook"), "{refusal}");
    assert!(sent_writes(&world).is_empty(), "{:?}", sent_writes(&world));
}

/// The rollback's manifests are its history entry's revision, judged as a sync's: the child
/// Application carrying `Force=true` in Git is refused.
#[tokio::test]
async fn a_rollback_applying_a_replaced_app_of_another_project_is_refused() {
    let world = manual_payments().await;
    replaced_child(&world, "ServerSideApply=true, Force=true");
    let rollback = world
        .tool_error(
            "rollback_argocd_app",
            json!({"app_name": "payments", "history_id": 1, "confirm": true}),
        )
        .await;
    assert!(rollback.contains("broken-app"), "{rollback}");
    assert!(sent_writes(&world).is_empty(), "{:?}", sent_writes(&world));
    let asked = world.standin.requests();
    let manifests = asked
        .iter()
        .find(|r| {
            r.path
                .starts_with("/api/v1/applications/payments/manifests")
        })
        .expect("the manifests were read");
    assert!(
        manifests.path.contains("?revision="),
        "the history entry's revision is not asked: {}",
        manifests.path
    );
}

/// Held: hooks that are not Argo CD objects (a migration Job), and an app of apps whose
/// children carry no such annotation, sync as before; a dry run reads no manifests.
#[tokio::test]
async fn ordinary_hooks_and_plain_children_still_sync() {
    let with_a_job_hook = || async {
        let world = payments_alone().await;
        world.standin.state().review_git.insert(
            "payments".into(),
            vec![json!({"apiVersion": "batch/v1", "kind": "Job",
                        "metadata": {"name": "migrate", "annotations": {"argocd.argoproj.io/hook": "PreSync"}}})],
        );
        world
    };
    let world = with_a_job_hook().await;
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "payments", "dry_run": true, "confirm": true}),
        )
        .await;
    let read = |world: &crate::World| {
        world
            .standin
            .requests()
            .iter()
            .filter(|r| r.path.contains("/manifests"))
            .count()
    };
    assert_eq!(read(&world), 0, "a dry run deletes nothing");
    // A dry run is an operation too: the sync goes to an app with none running.
    let world = with_a_job_hook().await;
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "payments", "confirm": true}),
        )
        .await;
    assert_eq!(read(&world), 1);
    assert!(
        sent_writes(&world)
            .iter()
            .any(|w| w.contains("/payments/sync")),
        "{:?}",
        sent_writes(&world)
    );
}

/// Manifests Argo CD cannot render (the repository unreachable) leave what the sync deletes
/// unknown: refused, saying why.
#[tokio::test]
async fn manifests_that_cannot_be_read_refuse_the_sync() {
    let world = payments_alone().await;
    world.standin.inject(FaultRule::new(
        Some("GET"),
        "/api/v1/applications/payments/manifests",
        Fault::Answer(
            500,
            json!({"code": 2, "error": "rpc error: repository not accessible", "message": "rpc error: repository not accessible"}).to_string(),
        ),
    ));
    let sync = world
        .tool_error(
            "sync_argocd_app",
            json!({"app_name": "payments", "confirm": true}),
        )
        .await;
    assert!(
        sync.contains("manifests") && sync.contains("ARGOCD_ALLOWED_PROJECTS"),
        "{sync}"
    );
    assert!(sent_writes(&world).is_empty(), "{:?}", sent_writes(&world));
}

/// A patch turning auto-sync on starts what a sync would: a child Application in Git whose
/// own annotation says `Replace=true`, written in the allowed project but existing in another,
/// refuses it (as a delete of that app); the same patch of an app whose manifests hold nothing
/// of another project goes.
#[tokio::test]
async fn a_patch_turning_auto_sync_on_is_judged_by_the_manifests_too() {
    let world = payments_alone().await;
    let auto_sync = json!({"app_name": "payments", "confirm": true,
                           "patch": {"spec": {"syncPolicy": {"automated": {"selfHeal": true}}}}});
    world.standin.state().review_git.insert(
        "payments".into(),
        vec![json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                    "metadata": {"name": "broken-app", "namespace": "argocd",
                                 "annotations": {"argocd.argoproj.io/sync-options": "Replace=true"}},
                    "spec": {"project": "payments"}})],
    );
    let refused = world
        .tool_error("patch_argocd_app", auto_sync.clone())
        .await;
    assert!(
        refused.contains("deletes Application 'broken-app'") && refused.contains("'default'"),
        "{refused}"
    );
    assert!(sent_writes(&world).is_empty(), "{:?}", sent_writes(&world));
    world.standin.state().review_git.clear();
    world.ok("patch_argocd_app", auto_sync).await;
    assert_eq!(sent_writes(&world).len(), 1, "{:?}", sent_writes(&world));
}

/// Applying an Application rewrites the one of that name: one of another project is refused
/// even written into the allowed project (it would move), one written into another project is
/// refused, and one that cannot be read (Argo CD answers alike for one that does not exist and
/// one the caller may not see) is refused too; the app managing itself in the allowed project
/// goes.
#[tokio::test]
async fn a_sync_applying_an_app_of_another_project_or_an_unknown_one_is_refused() {
    let applied = |name: &str, project: &str| {
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
               "metadata": {"name": name, "namespace": "argocd"},
               "spec": {"project": project}})
    };
    let sync = json!({"app_name": "payments", "confirm": true});
    for (object, said) in [
        (
            applied("guestbook", "payments"),
            "rewrites the Application 'guestbook'",
        ),
        (applied("brand-new", "default"), "of project 'default'"),
        (applied("brand-new", "payments"), "could not be read"),
    ] {
        let world = payments_alone().await;
        world
            .standin
            .state()
            .review_git
            .insert("payments".into(), vec![object]);
        let refused = world.tool_error("sync_argocd_app", sync.clone()).await;
        assert!(refused.contains(said), "{refused}");
        assert!(sent_writes(&world).is_empty(), "{:?}", sent_writes(&world));
    }
    let world = payments_alone().await;
    world
        .standin
        .state()
        .review_git
        .insert("payments".into(), vec![applied("payments", "payments")]);
    world.ok("sync_argocd_app", sync).await;
    assert_eq!(sent_writes(&world).len(), 1, "{:?}", sent_writes(&world));
}

/// An object written in `payments`' Git as a delete hook (`PostDelete`): Argo CD creates it
/// from Git when the app is deleted, and deletes it once it ran (review29 A1).
fn post_delete_hook(api_version: &str, kind: &str, name: &str) -> Value {
    json!({"apiVersion": api_version, "kind": kind,
           "metadata": {"name": name, "annotations": {"argocd.argoproj.io/hook": "PostDelete"}}})
}

/// Held: an app whose delete hooks are ordinary objects (a cleanup Job) is deleted, cascade or
/// not, once its manifests were read; one whose hook is a Namespace holding Argo CD's
/// Applications (`argocd`, deleted once the hook ran) is refused on both components, and before
/// a person is asked.
#[tokio::test]
async fn delete_hooks_are_read_before_an_app_is_deleted() {
    for cascade in [false, true] {
        let world = payments_alone().await;
        world.standin.state().review_git.insert(
            "payments".into(),
            vec![post_delete_hook("batch/v1", "Job", "cleanup")],
        );
        world
            .ok(
                "delete_argocd_app",
                json!({"app_name": "payments", "cascade": cascade, "confirm": true}),
            )
            .await;
        let requests = world.standin.requests();
        let manifests = requests.iter().position(|r| {
            r.path
                .starts_with("/api/v1/applications/payments/manifests")
        });
        let delete = requests.iter().position(|r| {
            r.method == "DELETE" && r.path.starts_with("/api/v1/applications/payments")
        });
        assert!(
            matches!((manifests, delete), (Some(m), Some(d)) if m < d),
            "cascade {cascade}: manifests read before the delete: {manifests:?} {delete:?}"
        );
    }
    let mut world = payments_alone().await;
    world.standin.state().review_git.insert(
        "payments".into(),
        vec![post_delete_hook("v1", "Namespace", "argocd")],
    );
    let refused = world
        .tool_error(
            "delete_argocd_app",
            json!({"app_name": "payments", "cascade": false, "confirm": true}),
        )
        .await;
    assert!(refused.contains("argocd"), "{refused}");
    let mut env = plugin_env(&world.standin);
    env.env
        .push(("ARGOCD_ALLOWED_PROJECTS".into(), "payments".into()));
    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let answer = plugin
        .call_delete_argocd_app(&mut store, "payments", false, None, None, true, None)
        .await
        .unwrap();
    assert!(answer.is_err(), "plugin: {answer:?}");
    world.set("require_approval", "true");
    let body = crate::attacks::modern_call(json!({"name": "delete_argocd_app",
        "arguments": {"app_name": "payments", "cascade": true, "confirm": true}}));
    let (_, answer) = world.post(&body, &crate::modern::mirrored(&body)).await;
    assert!(
        answer["result"]["inputRequests"].is_null() && answer["result"]["isError"] == true,
        "asked or run: {answer}"
    );
    assert!(sent_writes(&world).is_empty(), "{:?}", sent_writes(&world));
}

/// The revision each sync sent to payments asked for (`None`: the target one).
fn synced_revisions(world: &crate::World) -> Vec<Option<String>> {
    crate::planting::payments_sync_bodies(world)
        .iter()
        .map(|body| body["revision"].as_str().map(str::to_owned))
        .collect()
}

/// What the allow-list judges is what Argo CD deploys: a sync is sent with the commit Argo CD
/// resolved the judged manifests at, not the branch, which a push could move before the sync
/// starts (the stand-in's HEAD moves with every sync that names none). Through both
/// components; a branch named is pinned alike, a commit named is sent as it is.
#[tokio::test]
async fn a_sync_is_pinned_to_the_commit_its_manifests_were_judged_at() {
    let judged_head = host_test::standin::fleet::commit("payments@HEAD");
    let world = payments_alone().await;
    let answer = world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "payments", "confirm": true}),
        )
        .await;
    assert_eq!(synced_revisions(&world), [Some(judged_head.clone())]);
    assert_eq!(
        answer["revision"], judged_head,
        "the answer says which commit was synced: {answer}"
    );
    // The operation Argo CD starts deploys that commit (what the controller then syncs).
    let deploying =
        world.standin.state().apps["payments"].app["operation"]["sync"]["revision"].clone();
    assert_eq!(deploying, judged_head.as_str());

    let world = payments_alone().await;
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "payments", "revision": "main", "confirm": true}),
        )
        .await;
    let judged_main = host_test::standin::fleet::commit("payments@main");
    assert_eq!(synced_revisions(&world), [Some(judged_main)]);

    let world = payments_alone().await;
    let commit = "0123456789abcdef0123456789abcdef01234567";
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "payments", "revision": commit, "confirm": true}),
        )
        .await;
    let manifests_read = world.standin.requests();
    let manifests_read = manifests_read
        .iter()
        .find(|r| r.path.contains("/payments/manifests"))
        .expect("the manifests are read");
    assert!(
        manifests_read.path.contains(commit),
        "{}",
        manifests_read.path
    );
    assert_eq!(synced_revisions(&world), [Some(commit.to_owned())]);

    let world = payments_alone().await;
    let mut env = plugin_env(&world.standin);
    env.env
        .push(("ARGOCD_ALLOWED_PROJECTS".into(), "payments".into()));
    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let answer = plugin
        .call_sync_argocd_app(
            &mut store, "payments", None, None, None, None, None, None, None, None, None, true,
            None,
        )
        .await
        .expect("the plugin answers")
        .expect("the plugin syncs");
    assert_eq!(synced_revisions(&world), [Some(judged_head.clone())]);
    assert!(answer.contains(&judged_head), "{answer}");
}

/// Where pinning cannot hold, the sync goes as asked: without the allow-list nothing is judged
/// (no manifests read, no revision added); an app Argo CD syncs by itself refuses any revision
/// but its target one; a dry run deploys nothing.
#[tokio::test]
async fn a_sync_nothing_judged_or_auto_synced_is_sent_as_asked() {
    let world = without_auto_sync(crate::World::new().await);
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "payments", "confirm": true}),
        )
        .await;
    assert_eq!(synced_revisions(&world), [None]);

    let mut world = crate::World::new().await;
    world.set("allowed_projects", "payments");
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "payments", "confirm": true}),
        )
        .await;
    assert_eq!(
        synced_revisions(&world),
        [None],
        "payments syncs by itself in the stand-in's fleet"
    );

    let world = payments_alone().await;
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "payments", "dry_run": true, "confirm": true}),
        )
        .await;
    assert_eq!(synced_revisions(&world), [None]);
}
