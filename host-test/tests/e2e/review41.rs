//! review41: a hostile review of every guard but secret scrubbing, through the server component
//! (approvals are the server's alone: the plugin refuses every change outright while
//! `ARGOCD_REQUIRE_APPROVAL` is set, `service.rs` `call_tool`).
//!
//! Finding:
//! - R1 (medium, approvals × rollback, server; `src/tools/guards.rs` `what_the_rollback_deploys`)
//!   "what the person reads is what runs" fails for `rollback_argocd_app`. Argo CD's Rollback
//!   syncs the history entry's own `source`/`sources` whole (`deploymentInfo.Source`: Helm
//!   parameters and values, `valueFiles`, Kustomize images and patches, plugin env, directory
//!   options; api-notes §g), but the question states of the entry only `revision`, `revisions`,
//!   `deployedAt` and its sources' `repoURL`, `path`, `chart`. Repro
//!   (`review41_finding_r1_rollback_question_hides_the_entry_helm_parameters`): guestbook without
//!   auto-sync whose `spec.source.helm` sets `image.repository=nginx` and `networkPolicy.enabled:
//!   true`, and whose history entry 0 is the same repository and path with
//!   `image.repository=registry.evil.example/backdoor` and `networkPolicy.enabled: false`;
//!   `rollback_argocd_app {history_id: 0}` asks "It deploys history entry 0: revision … from
//!   repoURL … path …" and nothing of the parameters or values; a yes sends the rollback (seen
//!   at the stand-in), and Argo CD deploys the other registry's image with the policy off. The
//!   allow-list refuses such an entry since review26 A3 (`ensure_entry_renders`); approvals
//!   alone do not. Fix: when `sources_but_revisions(entry)` differs from the app's, state the
//!   difference as a patch's is stated (`said.changes` of the two, masked as an Application,
//!   refused through `statement::hidden_change` when the masking or scrubbing would hide any
//!   part of it), or refuse the rollback under approvals with a message naming the differing
//!   fields.
//!
//! Held (read, and where cheap tested here): the approval seal (tool, argument digest with
//! `profile`, question digest, caller, expiry, nonce spent before the answer is read);
//! `needs_approval_of` and `invoke` parse the same arguments (`profile` out, `confirm` in), so no
//! argument makes one see a change the other does not; the handshake era is refused a change
//! under approvals (tested below); `Mcp-Param-Profile` must equal the `profile` argument; a
//! dry run skips approval and the allow-list, and Argo CD applies nothing for it; the allow-list's
//! rollback judgement (`ensure_entry_renders` compares whole sources but revisions); the sync,
//! rollback and action bodies carry `appNamespace` and `project`; read-only's named revisions
//! (per source position, `revision` and `revisions` both judged) and preview generators (any key
//! not `list`/`clusters`/`matrix`/`merge`/`selector` refused, judged fields checked for Go's case
//! folding); the Host check judges both the URI authority and the `Host` header; the feed is
//! narrowed by `projects` on both its list and its watch; user mode's `with_profile` refuses any
//! profile for a caller.
//!
//! Not reached (time box): the store's leases and sweeps under races, lockout back-off with
//! profiles, JWT verdict caching beyond reading `authenticate`, the feed's slot counting.

use serde_json::{Value, json};

use crate::World;
use crate::modern::{mirrored, modern_body};
use crate::planting::approval_world;

/// What the agent is answered for the `tools/call` params `call` by a client that can show
/// forms (2026-07-28).
async fn asked(world: &World, call: &Value) -> Value {
    let mut body = modern_body(41, "tools/call", call.clone());
    body["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"] =
        json!({"elicitation": {"form": {}}});
    world.post(&body, &mirrored(&body)).await.1
}

fn question_in(answer: &Value) -> String {
    answer["result"]["inputRequests"]["approval"]["params"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn yes_to(call: &Value, asked: &Value) -> Value {
    let mut retry = call.clone();
    retry["requestState"] = asked["result"]["requestState"].clone();
    retry["inputResponses"] =
        json!({"approval": {"action": "accept", "content": {"approve": true}}});
    retry
}

/// guestbook without auto-sync, its source rendering Helm with `image.repository` `nginx`, and
/// its first history entry the same repository, path and chart at another revision but with
/// `image.repository` `registry.evil.example/backdoor` (a Helm parameter and values text): what
/// Argo CD's Rollback deploys (`deploymentInfo.Source`, api-notes §g).
fn plant_rollback_entry_with_other_values(world: &World) -> i64 {
    let mut state = world.standin.state();
    let app = &mut state.apps.get_mut("guestbook").unwrap().app;
    app["spec"]["syncPolicy"] = json!({});
    app["spec"]["source"]["helm"] = json!({
        "parameters": [{"name": "image.repository", "value": "nginx"}],
        "values": "replicaCount: 2\nnetworkPolicy:\n  enabled: true\n"
    });
    let mut entry_source = app["spec"]["source"].clone();
    entry_source["helm"] = json!({
        "parameters": [{"name": "image.repository", "value": "registry.evil.example/backdoor"}],
        "values": "replicaCount: 2\nnetworkPolicy:\n  enabled: false\n"
    });
    let history = app["status"]["history"].as_array_mut().expect("history");
    history[0]["source"] = entry_source;
    history[0]["id"].as_i64().expect("an id")
}

/// FINDING R1 (medium, approvals, server): "what the person reads is what runs" fails for a
/// rollback. Argo CD's Rollback syncs the history entry's own `source` (`deploymentInfo.Source`,
/// Helm parameters and values, Kustomize images, plugin env included) at its revision; the
/// question (`guards.rs` `what_the_rollback_deploys`) names only the entry's `revision`,
/// `revisions`, `deployedAt`, and of its source `repoURL`, `path`, `chart`. An entry whose
/// repository, path and chart are the app's own but whose Helm parameters point the image at
/// another registry (and whose values turn the NetworkPolicy off) is put to the person as
/// "It deploys history entry N: revision … from repoURL … path …" beside the app's current
/// source: they approve a rollback of the code and get the old registry and policy too. (The
/// allow-list judges this since review26 A3, `ensure_entry_renders`; approvals alone do not.)
///
/// Fixed: every way the entry's sources differ from the app's is stated (now → entry), as a
/// patch's change is, and the person is asked (not refused: nothing here is a credential).
#[tokio::test]
async fn review41_fixed_r1_rollback_question_states_the_entry_helm_parameters() {
    let world = approval_world().await;
    let id = plant_rollback_entry_with_other_values(&world);
    let call = json!({"name": "rollback_argocd_app", "arguments": {
        "app_name": "guestbook", "history_id": id, "confirm": true}});
    let answer = asked(&world, &call).await;
    let question = question_in(&answer);
    println!("review41 R1 asked:\n{question}\n{answer}");
    let refused = answer["result"]["isError"] == true;
    if !refused {
        // Reached: the person is asked, about the history entry.
        assert!(
            question.contains("It deploys history entry"),
            "not the rollback question: {answer}"
        );
        // A yes runs the rollback, which deploys the entry's parameters.
        let retry = yes_to(&call, &answer);
        let ran = asked(&world, &retry).await;
        println!("review41 R1 after yes: {ran}");
        let sent = world
            .standin
            .requests()
            .iter()
            .any(|r| r.method == "POST" && r.path.ends_with("/guestbook/rollback"));
        println!("review41 R1 rollback sent to Argo CD after the yes: {sent}");
    }
    assert!(!refused, "{answer}");
    assert!(
        question.contains("What it deploys differs from the app's sources now")
            && question.contains("\"nginx\" → \"registry.evil.example/backdoor\"")
            && question.contains("enabled: true")
            && question.contains("enabled: false"),
        "the person approves a rollback whose history entry deploys image.repository \
         registry.evil.example/backdoor and networkPolicy.enabled false, and is never told:\n{question}"
    );
}

/// HELD: the same rollback with the entry's source equal to the app's (but for its revision)
/// is asked about, naming the entry and its revision.
#[tokio::test]
async fn review41_held_rollback_question_names_the_entry() {
    let world = approval_world().await;
    let id = {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        app["spec"]["syncPolicy"] = json!({});
        app["status"]["history"][0]["id"].as_i64().expect("an id")
    };
    let call = json!({"name": "rollback_argocd_app", "arguments": {
        "app_name": "guestbook", "history_id": id, "confirm": true}});
    let answer = asked(&world, &call).await;
    assert_eq!(answer["result"]["resultType"], "input_required", "{answer}");
    let question = question_in(&answer);
    assert!(
        question.contains(&format!("It deploys history entry {id}")),
        "{question}"
    );
}

/// HELD: the handshake era (2025-11-25, no per-request `_meta`) cannot be asked, so a change
/// under approvals is refused there and nothing reaches Argo CD.
#[tokio::test]
async fn review41_held_handshake_era_rollback_is_refused_under_approvals() {
    let world = approval_world().await;
    let id = plant_rollback_entry_with_other_values(&world);
    let message = world
        .tool_error(
            "rollback_argocd_app",
            json!({"app_name": "guestbook", "history_id": id, "confirm": true}),
        )
        .await;
    assert!(message.contains("needs a person's approval"), "{message}");
    assert!(
        !world
            .standin
            .requests()
            .iter()
            .any(|r| r.method == "POST" && r.path.contains("/rollback")),
        "a rollback reached Argo CD without approval"
    );
}

/// HELD: one yes runs one rollback; the same state and answer again are asked again.
#[tokio::test]
async fn review41_held_one_yes_runs_one_rollback() {
    let world = approval_world().await;
    let id = {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        app["spec"]["syncPolicy"] = json!({});
        app["status"]["history"][0]["id"].as_i64().expect("an id")
    };
    let call = json!({"name": "rollback_argocd_app", "arguments": {
        "app_name": "guestbook", "history_id": id, "confirm": true}});
    let answer = asked(&world, &call).await;
    assert_eq!(answer["result"]["resultType"], "input_required", "{answer}");
    let retry = yes_to(&call, &answer);
    let ran = asked(&world, &retry).await;
    assert_eq!(ran["result"]["isError"], false, "{ran}");
    let again = asked(&world, &retry).await;
    assert_eq!(again["result"]["resultType"], "input_required", "{again}");
    let sent = world
        .standin
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.contains("/rollback"))
        .count();
    assert_eq!(sent, 1, "one yes ran {sent} rollbacks");
}

/// R1's fix, attacked: an entry whose Helm values differ from the app's in a credential is not
/// put to a person (they could not be shown that change whole), on both eras' question paths;
/// nothing reaches Argo CD, and the refusal names the field, not the value.
#[tokio::test]
async fn review41_fixed_r1_a_rollback_to_other_credentials_is_refused_under_approvals() {
    let world = approval_world().await;
    let id = {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        app["spec"]["syncPolicy"] = json!({});
        app["spec"]["source"]["helm"] = json!({"values": "db:\n  password: current-pw-4821\n"});
        let mut entry_source = app["spec"]["source"].clone();
        entry_source["helm"] = json!({"values": "db:\n  password: older-pw-7730\n"});
        app["status"]["history"][0]["source"] = entry_source;
        app["status"]["history"][0]["id"].as_i64().expect("an id")
    };
    let call = json!({"name": "rollback_argocd_app", "arguments": {
        "app_name": "guestbook", "history_id": id, "confirm": true}});
    let answer = asked(&world, &call).await;
    let text = answer.to_string();
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    assert!(
        text.contains("this rollback changes spec.source.helm.values"),
        "{text}"
    );
    for value in ["current-pw-4821", "older-pw-7730"] {
        assert!(!text.contains(value), "{text}");
    }
    assert!(
        !world
            .standin
            .requests()
            .iter()
            .any(|r| r.method == "POST" && r.path.ends_with("/rollback")),
        "a rollback reached Argo CD"
    );
}
