//! Tenth hostile review: the approval question after it learned the app's and the resource's
//! object uid, what it states of `create_argocd_app`'s namespace and destination, of a hydrated
//! app's source and of a rollback's target; what its patch view masks; read-only's known
//! revisions; and structured fields of Argo CD's own kinds no earlier test seeds. A test named
//! `review10_finding_*` asserts the guarded behaviour and failed while the breach it reproduced
//! was there; every one is fixed now and runs. The others found the guard holding.
//!
//! Found: a patch that sets `kind` or `apiVersion` turns off the Application masking of the
//! question's after side (Helm values, plugin parameters shown `"***" → "<credential>"`); an
//! Application inside another kind (Crossplane `Object`) is not masked as one; the question
//! omits `create_argocd_app`'s `app_namespace`, judges an upsert's target in the default
//! namespace, states a `dest_server` the call drops for `dest_name`, states no source for a
//! source-hydrator app and the app's current source for a rollback (which deploys the history
//! entry's); an app of 12 sources, or a values change in values text over about 1,700
//! characters, can never be put to a person; read-only takes every source's revisions for a
//! multi-source app's revision metadata without `source_index` (Argo CD applies it to the
//! first), and a history revision of another repository for a single-source app.
//!
//! Fixed: the question masks the patched app as an Application whatever kind it claims;
//! Applications and Secrets held inside other kinds are masked as what they are; a create lists
//! its `app_namespace` and an upsert reads the app there; a create refuses `dest_server` with
//! `dest_name`; the question states a hydrator's dry, sync and hydrate-to sources, one line a
//! source, and a rollback's history entry (revision and source); a change inside text of several
//! lines shows the lines that change; read-only takes a revision named without a source on a
//! multi-source app only when every source has it, and a single source's history only while it
//! held the same repository; the status of a hydrator app names its sync source.

use serde_json::{Value, json};

use crate::modern::{mirrored, modern_body};
use crate::planting::{plant_live, plugin_env, read_live};
use crate::{PASSWORD, World};

fn asking(params: &Value) -> Value {
    let mut body = modern_body(9, "tools/call", params.clone());
    body["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"] =
        json!({"elicitation": {"form": {}}});
    body
}

async fn modern_call(world: &World, params: &Value) -> Value {
    let body = asking(params);
    world.post(&body, &mirrored(&body)).await.1
}

async fn approval_world() -> World {
    World::with(
        host_test::standin::Config::default(),
        &[
            ("argocd_username", "admin"),
            ("argocd_password", PASSWORD),
            ("require_approval", "true"),
        ],
    )
    .await
}

/// The question a call is asked with (its `input_required` message), or panics.
async fn question_of(world: &World, call: &Value) -> (Value, String) {
    let asked = modern_call(world, call).await;
    assert_eq!(asked["result"]["resultType"], "input_required", "{asked}");
    let question = asked["result"]["inputRequests"]["approval"]["params"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    println!("review10 asked:\n{question}");
    (asked, question)
}

fn yes_to(call: &Value, asked: &Value) -> Value {
    let mut retry = call.clone();
    retry["requestState"] = asked["result"]["requestState"].clone();
    retry["inputResponses"] =
        json!({"approval": {"action": "accept", "content": {"approve": true}}});
    retry
}

// ---------------------------------------------------------------------------------------------
// The approval question: what it states
// ---------------------------------------------------------------------------------------------

/// FINDING: `approval_question_of` takes `app_namespace` out of the arguments before anything
/// else (`given.remove("app_namespace")`), to state it from the app as Argo CD has it. But
/// `create_argocd_app` names no `app_name`, so for a create nothing states it: the question
/// lists every other argument under "With:" and leaves `app_namespace` out of "Left at their
/// defaults" too. The person approves creating `review10-app` without being told it goes into
/// the Application namespace `team-a` (where another team's RBAC, AppProject source namespaces
/// and notifications apply), although the README says "every argument given" is shown.
#[tokio::test]
async fn review10_finding_create_question_omits_app_namespace() {
    let world = approval_world().await;
    let create = json!({"name": "create_argocd_app", "arguments": {
        "name": "review10-app", "project": "default", "app_namespace": "team-a",
        "repo_url": "https://github.com/argoproj/argocd-example-apps.git",
        "path": "guestbook", "dest_namespace": "review10", "confirm": true}});
    let (_, question) = question_of(&world, &create).await;
    assert!(
        question.contains("team-a"),
        "the person is not told the app is created in namespace team-a:\n{question}"
    );
}

/// FINDING: for `create_argocd_app` with `upsert`, the question looks for the app it would
/// replace with `given.get("app_namespace")`, which was removed a few lines above: it always
/// reads the app of that name in Argo CD's own namespace. An upsert of `guestbook` into
/// `team-a` is asked as "It REPLACES the existing application guestbook (project default)",
/// with `argocd/guestbook`'s source, destination and uid: another object than the one the call
/// replaces (the call itself, `ensure_upsert_allowed`, reads `team-a/guestbook`). With
/// apps-in-any-namespace, `team-a/guestbook` replaced whole while the person was shown a
/// different app (or, when the default namespace has none of that name, told nothing is
/// replaced at all).
#[tokio::test]
async fn review10_finding_upsert_question_reads_the_wrong_namespace() {
    let world = approval_world().await;
    let upsert = json!({"name": "create_argocd_app", "arguments": {
        "name": "guestbook", "project": "default", "app_namespace": "team-a",
        "repo_url": "https://github.com/argoproj/argocd-example-apps.git",
        "path": "guestbook", "dest_namespace": "guestbook", "upsert": true, "confirm": true}});
    let before = world.standin.requests().len();
    let (_, question) = question_of(&world, &upsert).await;
    let reads: Vec<String> = world.standin.requests()[before..]
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/api/v1/applications/guestbook"))
        .map(|r| r.path.clone())
        .collect();
    println!("review10 the question's reads of guestbook: {reads:?}");
    assert!(
        !reads.is_empty() && reads.iter().all(|p| p.contains("appNamespace=team-a")),
        "the upsert into team-a was judged against another namespace's app: reads {reads:?}\n{question}"
    );
}

/// FINDING: an app that deploys through the source hydrator (`spec.sourceHydrator`, in the
/// v3.5.1 swagger: `drySource` repoURL/path/targetRevision, `syncSource` targetBranch/path) has
/// no `spec.source`: `where_it_deploys` reads only `source` and `sources`, so the question for a
/// sync of it states no source at all (only the destination). The README: "What the person
/// reads is what runs: the app, its project and where it deploys from and to".
#[tokio::test]
async fn review10_finding_hydrator_source_not_in_the_question() {
    let world = approval_world().await;
    {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        app["spec"].as_object_mut().unwrap().remove("source");
        app["spec"]["sourceHydrator"] = json!({
            "drySource": {"repoURL": "https://github.com/review10/dry-config.git",
                          "path": "apps/guestbook", "targetRevision": "main"},
            "syncSource": {"targetBranch": "environments/prod", "path": "guestbook-hydrated"}
        });
    }
    let sync = json!({"name": "sync_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true}});
    let (_, question) = question_of(&world, &sync).await;
    assert!(
        question.contains("review10/dry-config") && question.contains("guestbook-hydrated"),
        "the person is not told where a hydrated app deploys from:\n{question}"
    );
}

/// FINDING: `create_argocd_app` given both `dest_server` and `dest_name` sends only the name
/// (`match (&args.dest_name, &args.dest_server) { (Some(name), _) => … }`): Argo CD, asked
/// directly, refuses a destination with both. The question lists both under "With:" as given,
/// so the person approves "dest_server: https://staging…" and the app is created to deploy to
/// the cluster named `production`, the server they read dropped without a word.
#[tokio::test]
async fn review10_finding_create_question_states_a_dropped_destination() {
    let world = approval_world().await;
    let create = json!({"name": "create_argocd_app", "arguments": {
        "name": "review10-dest", "project": "default",
        "repo_url": "https://github.com/argoproj/argocd-example-apps.git",
        "path": "guestbook", "dest_namespace": "review10",
        "dest_server": "https://staging.example.com", "dest_name": "production",
        "confirm": true}});
    let (asked, question) = question_of(&world, &create).await;
    let ran = modern_call(&world, &yes_to(&create, &asked)).await;
    let created = world.standin.app("review10-dest");
    println!(
        "review10 create with both destinations: {} ; created destination {}",
        ran.to_string().chars().take(300).collect::<String>(),
        created
            .as_ref()
            .map_or(Value::Null, |a| a["spec"]["destination"].clone())
    );
    let stated_server = question.contains("staging.example.com");
    let deployed_to_it = created
        .as_ref()
        .is_some_and(|a| a["spec"]["destination"]["server"] == "https://staging.example.com");
    assert!(
        !stated_server || deployed_to_it || created.is_none(),
        "the person approved dest_server https://staging.example.com; the app deploys to {}",
        created.map_or(Value::Null, |a| a["spec"]["destination"].clone())
    );
}

/// FINDING (approvals block legitimate use): the question states every source of the app
/// (`where_it_deploys`: repoURL, path or chart, targetRevision, a line each) and a question
/// over 40 lines is refused ("split it into smaller calls"). An app of 12 sources (an umbrella
/// of charts and values repositories; Argo CD sets no limit) makes 43 lines before a single
/// argument: every sync, rollback, terminate, patch or delete of it is refused outright under
/// `ARGOCD_REQUIRE_APPROVAL`, and no smaller call exists to split it into.
#[tokio::test]
async fn review10_finding_many_sources_block_every_approval() {
    let world = approval_world().await;
    {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        app["spec"].as_object_mut().unwrap().remove("source");
        app["spec"]["sources"] = (0..12)
            .map(|i| {
                json!({"repoURL": format!("https://github.com/review10/part-{i}.git"),
                       "path": format!("deploy/part-{i}"), "targetRevision": "main"})
            })
            .collect();
    }
    let terminate = json!({"name": "terminate_argocd_operation", "arguments": {
        "app_name": "guestbook", "confirm": true}});
    let asked = modern_call(&world, &terminate).await;
    println!(
        "review10 a plain terminate of a 12-source app: {}",
        asked.to_string().chars().take(600).collect::<String>()
    );
    assert_eq!(
        asked["result"]["resultType"], "input_required",
        "no person can be asked about any change of a 12-source app: {asked}"
    );
}

/// FINDING (the question misstates what runs): a rollback redeploys the history entry's own
/// `source` (or `sources`) at its revision (Argo CD's `Rollback` puts `deploymentInfo.Source`
/// and `.Revision` into the sync operation), not `spec.source`. The question states where the
/// app deploys from now (`spec.source`) and `history_id: N`, never the entry's repository,
/// path, chart or revision: the person approves "a rollback of guestbook, which deploys from
/// platform/guestbook.git" and the cluster gets `legacy-branch` of another repository.
#[tokio::test]
async fn review10_finding_rollback_question_omits_what_it_deploys() {
    let world = approval_world().await;
    let id = {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        app["spec"]["syncPolicy"] = json!({});
        let history = app["status"]["history"].as_array_mut().expect("history");
        history[0]["revision"] = json!("legacy-branch");
        history[0]["source"]["repoURL"] =
            json!("https://git.example.com/platform/old-guestbook.git");
        history[0]["id"].as_i64().expect("an id")
    };
    let rollback = json!({"name": "rollback_argocd_app", "arguments": {
        "app_name": "guestbook", "history_id": id, "confirm": true}});
    let (_, question) = question_of(&world, &rollback).await;
    assert!(
        question.contains("old-guestbook") && question.contains("legacy-branch"),
        "the person is not told the rollback deploys legacy-branch of old-guestbook.git:\n{question}"
    );
}

/// FINDING (approvals block legitimate use): a patch's question shows each changed leaf as
/// `path: before → after` on one line, and Helm `values` is one string: an app whose values
/// text is over about 1,700 characters (some 60 lines of YAML, common) cannot have one
/// value in it changed under `ARGOCD_REQUIRE_APPROVAL`; the refusal asks to "split it into
/// smaller calls", which a single string does not allow.
#[tokio::test]
async fn review10_finding_values_patch_never_fits_the_question() {
    let world = approval_world().await;
    let values: String = (0..60)
        .map(|i| format!("service{i:02}:\n  replicas: 2\n  image: nginx:1.25\n"))
        .collect();
    {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        app["spec"]["source"]["helm"] = json!({"values": values.clone()});
    }
    let changed = values.replacen("replicas: 2", "replicas: 3", 1);
    let patch = json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true,
        "patch": {"spec": {"source": {"helm": {"values": changed}}}}}});
    let asked = modern_call(&world, &patch).await;
    println!(
        "review10 one replica count changed in {} characters of values: {}",
        values.len(),
        asked.to_string().chars().take(500).collect::<String>()
    );
    assert_eq!(
        asked["result"]["resultType"], "input_required",
        "a one-value change of the app's Helm values cannot be put to a person: {asked}"
    );
}

/// Plants on guestbook two sources whose credentials only the Application masking hides
/// (`mask_sources`: a plugin parameter's `string` and `array` under a credential's name, and
/// Helm values text in shapes `values_text` reads and the text rules do not: an explicit key
/// and a plain scalar continued on the next line).
fn plant_masked_only_by_kind(world: &World) {
    let mut state = world.standin.state();
    let app = &mut state.apps.get_mut("guestbook").unwrap().app;
    app["spec"].as_object_mut().unwrap().remove("source");
    app["spec"]["sources"] = json!([
        {"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.0",
         "helm": {"values": "replicaCount: 2\n? apiToken\n: R10k01c\nsmtp:\n  password: first-line\n    R10k01d\n"}},
        {"repoURL": "https://git.example.com/platform/guestbook.git", "path": "deploy", "targetRevision": "HEAD",
         "plugin": {"name": "cmp", "parameters": [
             {"name": "api-token", "string": "R10k01a"},
             {"name": "tokens", "array": ["R10k01b"]}
         ]}}
    ]);
}

const MASKED_ONLY_BY_KIND: [&str; 4] = ["R10k01a", "R10k01b", "R10k01c", "R10k01d"];

/// FINDING (a credential in the approval question): a patch's question shows the app before and
/// after the merge, each masked by `mask_secrets` "as every answer shows an Application". But
/// `mask_secrets` masks Helm values, parameters and plugin input only for an object whose
/// `kind` is `Application` (and `apiVersion` is `argoproj.io/…` or absent): the closure sets
/// `kind` only when it is missing, so a patch that sets `kind` (or `apiVersion`) makes the
/// AFTER side an object of another kind, masked by key names alone. Every value the Application
/// masking hid now differs between the sides and is listed, `path: "***" → "<credential>"`,
/// with only its path before it for the text rules to read. The agent sends
/// `{"kind": "Review10"}` (or `{"apiVersion": "v1"}`), reads the credentials in the
/// `input_required` result, and answers no (or nothing): nothing is changed, nobody approved.
#[tokio::test]
async fn review10_finding_patch_question_unmasks_through_kind() {
    let world = approval_world().await;
    plant_masked_only_by_kind(&world);
    let mut leaked = Vec::new();
    for patch in [json!({"kind": "Review10"}), json!({"apiVersion": "v1"})] {
        let call = json!({"name": "patch_argocd_app", "arguments": {
            "app_name": "guestbook", "confirm": true, "patch": patch.clone()}});
        let asked = modern_call(&world, &call).await;
        let text = asked.to_string();
        println!(
            "review10 patch {patch}: {}",
            asked["result"]["inputRequests"]["approval"]["params"]["message"]
                .as_str()
                .unwrap_or(&text)
        );
        for secret in MASKED_ONLY_BY_KIND {
            if text.contains(secret) {
                leaked.push(format!("{patch}: {secret}"));
            }
        }
    }
    assert!(
        leaked.is_empty(),
        "the approval question showed credentials the Application masking hides: {leaked:?}"
    );
}

/// The same breach on the stand-in's seeded credentials (`Config::seed_credentials`,
/// `vault-app` and `vault-multi`): the question for `{"kind": "Review10"}` is searched for
/// [`MARK`](host_test::standin::credentials::MARK).
#[tokio::test]
async fn review10_finding_patch_question_unmasks_seeded_credentials() {
    use host_test::standin::credentials::MARK;
    let world = World::with(
        host_test::standin::Config {
            seed_credentials: true,
            ..host_test::standin::Config::default()
        },
        &[
            ("argocd_username", "admin"),
            ("argocd_password", PASSWORD),
            ("require_approval", "true"),
        ],
    )
    .await;
    let mut leaked = Vec::new();
    for app in ["vault-app", "vault-multi"] {
        let call = json!({"name": "patch_argocd_app", "arguments": {
            "app_name": app, "confirm": true, "patch": {"kind": "Review10"}}});
        let asked = modern_call(&world, &call).await;
        let message = asked["result"]["inputRequests"]["approval"]["params"]["message"]
            .as_str()
            .map_or_else(|| asked.to_string(), str::to_owned);
        println!("review10 seeded {app}:\n{message}");
        for line in message.lines().filter(|l| l.contains(MARK)) {
            leaked.push(format!("{app}: {line}"));
        }
    }
    assert!(
        leaked.is_empty(),
        "seeded credentials in the approval question:\n{}",
        leaked.join("\n")
    );
}

/// Held: the same app, a patch that changes a label: the question shows the label and no
/// credential (the two sides masked alike).
#[tokio::test]
async fn review10_patch_question_masks_an_ordinary_change() {
    let world = approval_world().await;
    plant_masked_only_by_kind(&world);
    let call = json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true,
        "patch": {"metadata": {"labels": {"team": "review10"}}}}});
    let (_, question) = question_of(&world, &call).await;
    assert!(question.contains("review10"), "{question}");
    for secret in MASKED_ONLY_BY_KIND {
        assert!(!question.contains(secret), "{secret}: {question}");
    }
}

/// Held: `run_argocd_resource_action`'s question states the resource and its live uid; the
/// yes runs once; replayed on a resource recreated under its name, it is asked again.
#[tokio::test]
async fn review10_resource_action_question_states_the_live_uid() {
    let world = approval_world().await;
    let restart = json!({"name": "run_argocd_resource_action", "arguments": {
        "app_name": "guestbook", "kind": "Deployment", "resource_name": "guestbook",
        "namespace": "guestbook", "group": "apps", "action": "restart", "confirm": true}});
    let (asked, question) = question_of(&world, &restart).await;
    assert!(question.contains("Resource: \"Deployment\""), "{question}");
    assert!(question.contains("object uid"), "{question}");
    assert!(!question.contains("object uid unknown"), "{question}");
    let ran = modern_call(&world, &yes_to(&restart, &asked)).await;
    println!(
        "review10 restart ran: {}",
        ran.to_string().chars().take(300).collect::<String>()
    );
    assert_eq!(ran["result"]["isError"], false, "{ran}");
}

/// Held: a resource the question cannot read (here not in the app) refuses the call with a
/// message, changes nothing, and quotes no credential.
#[tokio::test]
async fn review10_resource_question_unreadable_refuses_cleanly() {
    let world = approval_world().await;
    let delete = json!({"name": "delete_argocd_resource", "arguments": {
        "app_name": "guestbook", "kind": "ConfigMap", "resource_name": "no-such-thing",
        "namespace": "guestbook", "confirm": true}});
    let answer = modern_call(&world, &delete).await;
    println!("review10 unreadable resource: {answer}");
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    let deletes = world
        .standin
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .count();
    assert_eq!(deletes, 0);
}

// ---------------------------------------------------------------------------------------------
// Structured fields of Argo CD's own kinds no earlier test seeds
// ---------------------------------------------------------------------------------------------

type Planted = (&'static str, Value, &'static [&'static str]);

fn argo_objects() -> Vec<Planted> {
    let destination = json!({"server": "https://kubernetes.default.svc", "namespace": "child"});
    vec![
        (
            "hydrator: dry source Helm parameters, values and plugin env",
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                   "metadata": {"name": "r10-hydrated", "namespace": "argocd"},
                   "spec": {"project": "default", "destination": destination,
                            "sourceHydrator": {
                                "drySource": {"repoURL": "https://github.com/review10/dry.git", "path": "app", "targetRevision": "main",
                                              "helm": {"parameters": [{"name": "db.password", "value": "R10h01a"}],
                                                       "values": "auth:\n  apiToken: R10h01b\n",
                                                       "valuesObject": {"redis": {"password": "R10h01c"}}},
                                              "plugin": {"name": "vault", "env": [{"name": "VAULT_TOKEN", "value": "R10h01d"}]}},
                                "syncSource": {"targetBranch": "env/prod", "path": "app"}}}}),
            &["R10h01a", "R10h01b", "R10h01c", "R10h01d"],
        ),
        (
            "ApplicationSet templatePatch: Helm parameters as YAML text",
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
                   "metadata": {"name": "r10-patched", "namespace": "argocd"},
                   "spec": {"generators": [{"list": {"elements": [{"env": "dev"}]}}],
                            "template": {"metadata": {"name": "r10-{{env}}"},
                                         "spec": {"project": "default", "destination": destination,
                                                  "source": {"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.0"}}},
                            "templatePatch": "spec:\n  source:\n    helm:\n      parameters:\n        - name: db.password\n          value: R10t01a\n      valuesObject:\n        redis:\n          password: R10t01b\n"}}),
            &["R10t01a", "R10t01b"],
        ),
        (
            "ApplicationSet generator template overrides (a generator's own template)",
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
                   "metadata": {"name": "r10-gen-template", "namespace": "argocd"},
                   "spec": {"generators": [{"list": {"elements": [{"env": "dev"}],
                                                     "template": {"metadata": {}, "spec": {"project": "default", "destination": destination,
                                                         "source": {"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.0",
                                                                    "helm": {"parameters": [{"name": "apiKey", "value": "R10g01a"}]}}}}}}],
                            "template": {"metadata": {"name": "r10-{{env}}"},
                                         "spec": {"project": "default", "destination": destination,
                                                  "source": {"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.0"}}}}}),
            &["R10g01a"],
        ),
        (
            "Application info entries and an operation's sync source",
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                   "metadata": {"name": "r10-operation", "namespace": "argocd"},
                   "spec": {"project": "default", "destination": destination,
                            "source": {"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.0"},
                            "info": [{"name": "grafana-api-key", "value": "R10i01a"}]},
                   "operation": {"sync": {"source": {"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.1",
                                                     "helm": {"parameters": [{"name": "secretKey", "value": "R10i01b"}]}}}}}),
            &["R10i01a", "R10i01b"],
        ),
    ]
}

/// Argo CD's own kinds (app-of-apps, app-of-appsets) in fields no earlier test seeds, read back
/// through `get_argocd_resource` on both components. Printed per shape.
#[tokio::test]
async fn review10_argo_kinds_unseeded_fields() {
    let found = crate::planting::leaks_in_live(&argo_objects()).await;
    assert!(
        found.is_empty(),
        "leaked {}:\n{}",
        found.len(),
        found.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Read-only: revisions of a multi-source app
// ---------------------------------------------------------------------------------------------

/// A multi-source app: source 1 the app's repository at `main`, source 2 a values repository at
/// the branch `release-candidate`.
fn multi_source_app(world: &World) {
    let mut bp = host_test::standin::fleet::Blueprint::new("ms");
    bp.multi_source = true;
    world.standin.add_app(bp);
    let mut state = world.standin.state();
    let app = &mut state.apps.get_mut("ms").expect("added").app;
    app["spec"]["sources"][0]["targetRevision"] = json!("main");
    app["spec"]["sources"][1]["targetRevision"] = json!("release-candidate");
}

fn revision_reads(world: &World) -> Vec<String> {
    world
        .standin
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.contains("/revisions/"))
        .collect()
}

/// FINDING (read-only, argument shape): `get_argocd_revision_metadata` on a multi-source app
/// judges a revision given WITHOUT `source_index` against every source's revisions (the `_` arm
/// of `known_revisions`), while Argo CD applies a query without `sourceIndex` to the FIRST
/// source (`getAppSourceBySourceIndexAndVersionId`: "The default is the first source if the
/// app has multiple sources") and its repo-server fetches that revision from the first source's
/// repository. With `source_index: 0` the same call is refused (the second review's fix); left
/// out, source 2's branch `release-candidate` is fetched from source 1's repository, a ref the
/// app never targets there (one anyone with push access to it controls).
#[tokio::test]
async fn review10_finding_read_only_revision_without_source_index() {
    let mut world = World::new().await;
    world.set("read_only", "true");
    multi_source_app(&world);
    let with_index = world
        .call(
            "get_argocd_revision_metadata",
            json!({"app_name": "ms", "revision": "release-candidate", "source_index": 0}),
        )
        .await;
    println!(
        "review10 with source_index 0: {}",
        with_index.to_string().chars().take(300).collect::<String>()
    );
    assert_eq!(with_index["isError"], true, "{with_index}");
    assert!(revision_reads(&world).is_empty());
    let without = world
        .call(
            "get_argocd_revision_metadata",
            json!({"app_name": "ms", "revision": "release-candidate"}),
        )
        .await;
    let sent = revision_reads(&world);
    println!(
        "review10 without source_index: {} ; sent {sent:?}",
        without.to_string().chars().take(300).collect::<String>()
    );
    // The plugin component, read-only too, the same call.
    let mut env = plugin_env(&world.standin);
    env.env.push(("ARGOCD_READ_ONLY".into(), "true".into()));
    let (p, mut s) = crate::harness().plugin(&env).await.unwrap();
    let plugin = match p
        .call_get_argocd_revision_metadata(&mut s, "ms", "release-candidate", None, None, None)
        .await
        .expect("plugin answers")
    {
        Ok(a) | Err(a) => a,
    };
    let plugin_sent = revision_reads(&world).len() - sent.len();
    println!(
        "review10 plugin without source_index: {} ; {plugin_sent} more fetch(es)",
        plugin.chars().take(300).collect::<String>()
    );
    assert!(
        sent.is_empty() && plugin_sent == 0,
        "read-only let source 2's revision be fetched from source 1 (no sourceIndex: Argo CD's first source): server {sent:?}, plugin {plugin_sent}"
    );
}

/// Held: the same revision through `get_argocd_app_manifests`' single `revision` (which Argo CD
/// ignores for a multi-source app) and a revision no source has, refused or harmless.
#[tokio::test]
async fn review10_read_only_unknown_revision_refused() {
    let mut world = World::new().await;
    world.set("read_only", "true");
    multi_source_app(&world);
    let refused = world
        .tool_error(
            "get_argocd_revision_metadata",
            json!({"app_name": "ms", "revision": "feature-x"}),
        )
        .await;
    assert!(refused.contains("read-only"), "{refused}");
    assert!(revision_reads(&world).is_empty());
}

/// FINDING (read-only, history of another repository): for a single-source app the guard takes
/// every revision in `status.history` as known, whatever repository the entry deployed from
/// (`known_revisions`' `_` arm compares no `repoURL`; the multi-source arm does, since the
/// second review). An app moved from `platform/old-guestbook` to its current repository keeps
/// the old repository's branch `legacy-branch` in its history: read-only lets
/// `get_argocd_app_manifests` ask for it, and Argo CD fetches and renders `legacy-branch` of
/// the CURRENT repository, a ref this app never targeted there (one anyone with push access
/// to that repository controls).
#[tokio::test]
async fn review10_finding_read_only_history_of_another_repository() {
    let mut world = World::new().await;
    world.set("read_only", "true");
    {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        let history = app["status"]["history"].as_array_mut().expect("history");
        history[0]["revision"] = json!("legacy-branch");
        history[0]["source"]["repoURL"] =
            json!("https://git.example.com/platform/old-guestbook.git");
        println!(
            "review10 now at {} ; history[0] {}",
            app["spec"]["source"]["repoURL"], app["status"]["history"][0]
        );
    }
    let before = world.standin.requests().len();
    let answer = world
        .call(
            "get_argocd_app_manifests",
            json!({"app_name": "guestbook", "revision": "legacy-branch"}),
        )
        .await;
    let sent: Vec<String> = world.standin.requests()[before..]
        .iter()
        .map(|r| r.path.clone())
        .filter(|p| p.contains("/manifests"))
        .collect();
    println!(
        "review10 manifests at the old repository's branch: {} ; sent {sent:?}",
        answer.to_string().chars().take(300).collect::<String>()
    );
    // The plugin component, read-only too, the same call.
    let mut env = plugin_env(&world.standin);
    env.env.push(("ARGOCD_READ_ONLY".into(), "true".into()));
    let (p, mut s) = crate::harness().plugin(&env).await.unwrap();
    let before = world.standin.requests().len();
    let plugin = match p
        .call_get_argocd_app_manifests(
            &mut s,
            "guestbook",
            Some("legacy-branch"),
            None,
            None,
            None,
            None,
            None,
            None,
        )
        .await
        .expect("plugin answers")
    {
        Ok(a) | Err(a) => a,
    };
    let plugin_sent: Vec<String> = world.standin.requests()[before..]
        .iter()
        .map(|r| r.path.clone())
        .filter(|p| p.contains("/manifests"))
        .collect();
    println!(
        "review10 plugin: {} ; sent {plugin_sent:?}",
        plugin.chars().take(300).collect::<String>()
    );
    assert!(
        sent.is_empty() && plugin_sent.is_empty(),
        "read-only let another repository's branch be fetched from the app's current one: server {sent:?}, plugin {plugin_sent:?}"
    );
}

/// FINDING (structured field no test seeds): an Application held inside another kind is not
/// masked as an Application. `mask_secrets` runs `mask_sources` only when the object itself is
/// an Application or ApplicationSet (a Secret inside another kind is masked wherever it sits,
/// since the fourth review; an Application is not). Crossplane's provider-kubernetes `Object`
/// (`spec.forProvider.manifest`) is how clusters are often bootstrapped with Argo CD apps:
/// its Application's plugin parameter `string` under `api-token`, and Helm values an explicit
/// key (`? apiToken` / `: …`) and a continued scalar hold, all of which the same Application
/// read directly shows as `***`, are shown whole by `get_argocd_resource` on both components.
#[tokio::test]
async fn review10_finding_application_inside_another_kind() {
    let application = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "bootstrapped", "namespace": "argocd"},
        "spec": {"project": "default",
                 "destination": {"server": "https://kubernetes.default.svc", "namespace": "child"},
                 "sources": [
                     {"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.0",
                      "helm": {"values": "replicaCount: 2\n? apiToken\n: R10x01c\nsmtp:\n  password: first-line\n    R10x01d\n"}},
                     {"repoURL": "https://git.example.com/platform/boot.git", "path": "deploy", "targetRevision": "HEAD",
                      "plugin": {"name": "cmp", "parameters": [
                          {"name": "api-token", "string": "R10x01a"},
                          {"name": "tokens", "array": ["R10x01b"]}]}}]}});
    let object = json!({"apiVersion": "kubernetes.crossplane.io/v1alpha2", "kind": "Object",
        "metadata": {"name": "r10-bootstrap", "namespace": "guestbook"},
        "spec": {"forProvider": {"manifest": application.clone()}, "providerConfigRef": {"name": "in-cluster"}}});
    let mut direct = application.clone();
    direct["metadata"]["name"] = json!("r10-direct");
    direct["metadata"]["namespace"] = json!("guestbook");
    let world = World::new().await;
    plant_live(&world, &[object.clone(), direct.clone()]);
    let env = plugin_env(&world.standin);
    let (direct_server, direct_plugin) = read_live(&world, &env, &direct).await;
    let (server, plugin) = read_live(&world, &env, &object).await;
    println!("review10 the Application read directly: {direct_server}");
    println!("review10 the Application inside an Object:\n  server: {server}\n  plugin: {plugin}");
    let secrets = ["R10x01a", "R10x01b", "R10x01c", "R10x01d"];
    for s in secrets {
        assert!(
            !direct_server.contains(s) && !direct_plugin.contains(s),
            "direct: {s}"
        );
    }
    let leaked: Vec<String> = secrets
        .iter()
        .flat_map(|s| {
            [("server", &server), ("plugin", &plugin)]
                .into_iter()
                .filter(move |(_, answer)| answer.contains(s))
                .map(move |(component, _)| format!("{component}: {s}"))
        })
        .collect();
    assert!(
        leaked.is_empty(),
        "an Application inside an Object shows what the same Application read directly masks: {leaked:?}"
    );
}

/// FINDING (what an operator needs, not shown): `get_argocd_app_status` lists an app's sources
/// from `spec.source` or `spec.sources` (`all_sources`); a source-hydrator app (the third
/// variant, `spec.sourceHydrator`, api-notes) has neither, so its status says `sources: []`: the
/// operator cannot read where it deploys from (dry source, hydrated branch) through any tool
/// but `get_argocd_resource` on an app-of-apps parent.
#[tokio::test]
async fn review10_finding_hydrator_app_status_shows_no_source() {
    let world = World::new().await;
    {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        app["spec"].as_object_mut().unwrap().remove("source");
        app["spec"]["sourceHydrator"] = json!({
            "drySource": {"repoURL": "https://github.com/review10/dry-config.git",
                          "path": "apps/guestbook", "targetRevision": "main"},
            "syncSource": {"targetBranch": "environments/prod", "path": "guestbook-hydrated"}
        });
    }
    let status = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await;
    println!(
        "review10 status of a hydrator app: {}",
        status["structuredContent"]["sources"]
    );
    assert!(
        status.to_string().contains("review10/dry-config"),
        "the status of a source-hydrator app names no source: {}",
        status["structuredContent"]
    );
}
