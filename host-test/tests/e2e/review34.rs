//! Thirty-fourth hostile review (issue 19), fresh context, time box 45 minutes: the pinned
//! sync under ARGOCD_ALLOWED_PROJECTS first (new today), then the structured surface and the
//! paths less travelled (pod logs' options, named entries in other spellings); through both
//! built components (the server through wasmtime as shipped, the plugin's typed exports).
//!
//! Findings (each `review34_finding_*` asserts the secure behaviour, was seen failing on both
//! components, and is ignored until fixed):
//!
//! All three fixed in session 22, their tests run: P1 (`operations.rs` refuses `revisions` for
//! an app of one source under the allow-list; `pinned_revision` decides by the app alone), L1
//! (`logs.rs` filters the scrubbed lines itself and never sends `filter`; the same oracle in
//! the lists' label `selector` is refused, `arguments::check_selector`), N1 (`masking.rs`
//! `is_pair_name`/`is_pair_value`: pair fields in any case and with a prefix).
//!
//! - P1 (medium, allow-list, both; `src/tools/project_guard.rs` `pinned_revision`, with
//!   `src/tools/operations.rs` `SyncApp::run`) a sync of a SINGLE-source app called with
//!   `revisions` + `source_positions` is judged and then sent unpinned. The guard reads
//!   `/manifests?revisions=…&sourcePositions=1`, which Argo CD renders at the app's target
//!   revision for a single-source app (GetManifests reads `revisions` only under
//!   `HasMultipleSources`), so it judges HEAD at that moment; `pinned_revision` then returns
//!   None because the body has `revisions`, and the sync goes out as
//!   `{"revisions":["main"],"sourcePositions":[1]}` with no `revision`. Argo CD's
//!   `resolveSourceRevisions` reads `revisions`/`sourcePositions` only for a multi-source app
//!   and otherwise resolves `syncReq.GetRevision()` (empty: the target branch) when the sync
//!   starts: a push between the check and the sync deploys unjudged objects, exactly what
//!   pinning was added to stop. Repro: allow-list `payments`, auto-sync off,
//!   `sync_argocd_app {app_name: payments, revisions: [main], source_positions: [1], confirm:
//!   true}`; the POST /sync body has no `revision` (plugin: `sync-argocd-app` with the same
//!   arguments). Note: the stand-in answers that sync 400 "source position is out of range"
//!   (its `sync` route checks positions against `spec.sources` whatever the app's shape), which
//!   real Argo CD does not do for a single-source app (argo-cd
//!   `server/application/application.go` `resolveSourceRevisions`: the range check sits inside
//!   `if a.Spec.HasMultipleSources()`); the test asserts on the body sent, so it holds either
//!   way. Fix: decide multi-source by the app (`spec.sources` non-empty) alone: for a
//!   single-source app refuse `revisions`/`source_positions` as invalid input (or drop them and
//!   pin `revision` as usual), before the guard reads anything; the stand-in's sync route should
//!   ignore positions for a single-source app as Argo CD does.
//! - L1 (medium, logs oracle, both; `src/tools/logs.rs` `GetAppLogs::run` sends `filter` to
//!   Argo CD, which matches it against the RAW log lines before any scrubbing) whether lines
//!   come back tells whether the raw log holds the filter text, so the agent confirms, or
//!   recovers character by character (`dsn=postgres://app:S`, `…:S3`, …), a password the
//!   answer itself hides: with the seeded log password, the filter
//!   `postgres://app:S33D-log-pw@` keeps 2 lines (each with the password scrubbed) and the
//!   same with the last character changed keeps 0. Not listed under "What cannot be hidden".
//!   Repro: seeded world, `get_argocd_app_logs {app_name: vault-app, kind: Deployment,
//!   resource_name: vault-app, filter: "postgres://app:S33D-log-pw@"}` vs `…-pX@`. Fix: never
//!   send `filter` to Argo CD; read the window (`tailLines`, `sinceSeconds`; already capped at
//!   8 MiB) and apply the filter locally to the SCRUBBED lines (then a filter naming a hidden
//!   value matches nothing, as it should). The same principle for any other argument Argo CD
//!   matches against text the answer scrubs.
//! - N1 (low-medium, names, both; `src/tools/masking.rs` `PAIR_NAMES` = name/key/type and
//!   `PAIR_VALUES`, exact case) a named entry spelled otherwise is shown whole under a
//!   credential's name: AWS's capitalised `{Name: DB_PASSWORD, Value: …}` and `{Key:
//!   api_token, Value: …}` (ECS container definitions, CloudFormation/ACK, tags),
//!   CloudFormation's `{ParameterKey: DBPassword, ParameterValue: …}`, `{variable:
//!   db_password, value}`, `{header: X-Api-Key, value}`, `{id: client_secret, value}`,
//!   `{field: password, value}`, `{name: API_TOKEN, text: …}`, `{name: password, val: …}` and
//!   `{name: db_password, map: {primary: …}}` outside an Application. Repro: a custom resource
//!   `spec.entries: [<shape>]` read by `get_argocd_resource`. Fix: compare pair field names
//!   ignoring ASCII case and add `variable`, `header`, `id`, `field`, `parameterKey` to the
//!   names and `text`, `val`, `map`, `parameterValue` to the values (or: in an object with
//!   exactly two string fields where one names a credential, mask the other).
//!
//! Held (passing `review34_held_*`): an approved sync (ARGOCD_REQUIRE_APPROVAL, the sealed
//! retry) is pinned to the judged commit as one without approvals is, and a partial sync
//! (`resources`) is pinned alike; `{name, value}` under a credential's name in a custom
//! resource, and an Application's own plugin parameter `map` under a credential's name with
//! innocent keys, are hidden on both components.
//!
//! Looked at without a test: `pinned_revision`'s auto-sync reading (`enabled: "false"` as a
//! string is read as auto-synced, so not pinned; Argo CD's CRD schema refuses a string there,
//! so no real app has it); rollback (deploys the history entry's resolved revision, a commit,
//! and refuses an entry of other sources); dry runs and multi-source apps (not pinned by
//! design); the feed's notifications (`src/feed/watch.rs` scrubs each `_meta` with
//! `scrub_value`, and what it carries is project/sync/health/phase/revision); user mode's
//! token-exchange refusal (`delegation.rs`: `error_description` passes `OwnSecrets` and the
//! answer's scrubber; the provider's `error` field does not pass `OwnSecrets` before it is
//! quoted, but the stand-in's identity provider can echo only `error_description`, so it was
//! not tried); managed-resources diffs (`manifests.rs` `GetAppDiff` deserialises only
//! `targetState` and `liveState`, each masked by its own kind and scrubbed before compared;
//! `predictedLiveState`/`normalizedLiveState` are never read, so never answered).
//!
//! Not reached: an app changed between the guard's read and the sync (single-source turned
//! multi-source: the pinned `revision` is then ignored by Argo CD; the stand-in has no hook to
//! change state mid-call); `spec.sourceHydrator` apps under pinning; progress notifications
//! during a `wait: true` sync; resource-tree `info`; revision metadata's
//! signature info; other oracles of the L1 kind (`preview_argocd_applicationset` templates
//! with Sprig functions over generator values; label selectors).

use serde_json::{Value, json};

use crate::harness;
use crate::planting::{payments_sync_bodies, plugin_env, without_auto_sync};

/// `payments` (allowed, single-source) without auto-sync.
async fn payments_alone() -> crate::World {
    let mut world = crate::World::new().await;
    world.set("allowed_projects", "payments");
    without_auto_sync(world)
}

/// The syncs of single-source `payments` sent without `judged` as their `revision`: Argo CD
/// reads `revision` alone for such an app (`resolveSourceRevisions` reads
/// `revisions`/`sourcePositions` only under `HasMultipleSources`), so one sent without it
/// deploys the branch's HEAD as it is when the sync starts.
fn unpinned_syncs(world: &crate::World, judged: &str, via: &str) -> Vec<String> {
    payments_sync_bodies(world)
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
    // Fixed: refused before anything is read or sent (a single source takes `revision`);
    // a sync that is sent must have been judged.
    assert!(
        payments_sync_bodies(&world).is_empty() || manifests_read(&world),
        "server: a sync sent unjudged"
    );
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
    // Fixed: refused before anything is read or sent (a single source takes `revision`);
    // a sync that is sent must have been judged.
    assert!(
        payments_sync_bodies(&world).is_empty() || manifests_read(&world),
        "plugin: a sync sent unjudged"
    );
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
    let bodies = payments_sync_bodies(&world);
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert!(
        unpinned_syncs(&world, &judged, "approved").is_empty(),
        "{bodies:?}"
    );

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
    let bodies = payments_sync_bodies(&world);
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert!(
        unpinned_syncs(&world, &judged, "partial").is_empty(),
        "{bodies:?}"
    );
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
    // The seeded line is reached by a filter of what it shows, its password hidden, on both
    // (fixed: the filter is matched against the lines as shown, so neither guess keeps it).
    let (server_shown, plugin_shown) = filtered_log_lines(&world, "db.internal").await;
    for (via, lines) in [("server", &server_shown), ("plugin", &plugin_shown)] {
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

/// A custom resource named `name` whose `spec.entries` are `entries`.
fn entries_object(name: &str, entries: Value) -> Value {
    json!({"apiVersion": "example.com/v1", "kind": "Settings",
           "metadata": {"name": name, "namespace": "default"},
           "spec": {"entries": entries}})
}

/// Named entries in shapes other than `{name|key|type, value}`, each read back through
/// `get_argocd_resource` on both components: (shape, object, secret, a word that shows the
/// entry was reached).
fn pair_shapes() -> Vec<(&'static str, Value, &'static str, &'static str)> {
    vec![
        (
            "AWS-style capitalised Name/Value (ECS container environment, tags)",
            entries_object(
                "r34-capital",
                json!([{"Name": "DB_PASSWORD", "Value": "R34capNV-Qx7pLm2"}]),
            ),
            "R34capNV-Qx7pLm2",
            "DB_PASSWORD",
        ),
        (
            "AWS-style capitalised Key/Value",
            entries_object(
                "r34-capkey",
                json!([{"Key": "api_token", "Value": "R34capKV-Wd8rTz5"}]),
            ),
            "R34capKV-Wd8rTz5",
            "api_token",
        ),
        (
            "CloudFormation ParameterKey/ParameterValue",
            entries_object(
                "r34-cfn",
                json!([{"ParameterKey": "DBPassword", "ParameterValue": "R34cfnPV-Hs3kYb9"}]),
            ),
            "R34cfnPV-Hs3kYb9",
            "DBPassword",
        ),
        (
            "variable/value",
            entries_object(
                "r34-var",
                json!([{"variable": "db_password", "value": "R34varVV-Jn4cXe6"}]),
            ),
            "R34varVV-Jn4cXe6",
            "db_password",
        ),
        (
            "plugin parameter map",
            entries_object(
                "r34-map",
                json!([{"name": "db_password", "map": {"primary": "R34mapPM-Lq2vGa8"}}]),
            ),
            "R34mapPM-Lq2vGa8",
            "db_password",
        ),
        (
            "header/value",
            entries_object(
                "r34-header",
                json!([{"header": "X-Api-Key", "value": "R34hdrHV-Pt6nMs1"}]),
            ),
            "R34hdrHV-Pt6nMs1",
            "X-Api-Key",
        ),
        (
            "id/value",
            entries_object(
                "r34-id",
                json!([{"id": "client_secret", "value": "R34idIV-Zr9bKw3"}]),
            ),
            "R34idIV-Zr9bKw3",
            "client_secret",
        ),
        (
            "field/value",
            entries_object(
                "r34-field",
                json!([{"field": "password", "value": "R34fldFV-Ug5hDc7"}]),
            ),
            "R34fldFV-Ug5hDc7",
            "password",
        ),
        (
            "name/text",
            entries_object(
                "r34-text",
                json!([{"name": "API_TOKEN", "text": "R34txtNT-Ye1fRj4"}]),
            ),
            "R34txtNT-Ye1fRj4",
            "API_TOKEN",
        ),
        (
            "name/val",
            entries_object(
                "r34-val",
                json!([{"name": "password", "val": "R34valNV-Vb8mQs2"}]),
            ),
            "R34valNV-Vb8mQs2",
            "\"password\"",
        ),
    ]
}

/// Reads every shape; the shapes whose secret showed, as `component shape`, and those hidden.
async fn pairs_shown(
    shapes: Vec<(&'static str, Value, &'static str, &'static str)>,
) -> (Vec<String>, Vec<String>) {
    let world = crate::World::new().await;
    crate::planting::plant_live(
        &world,
        &shapes
            .iter()
            .map(|(_, o, _, _)| o.clone())
            .collect::<Vec<_>>(),
    );
    let env = plugin_env(&world.standin);
    let (mut shown, mut held) = (Vec::new(), Vec::new());
    for (shape, object, secret, reached) in &shapes {
        let (server, plugin) = crate::planting::read_live(&world, &env, object).await;
        for (via, text) in [("server", &server), ("plugin", &plugin)] {
            assert!(
                text.contains(reached) || text.contains(secret),
                "{via} {shape}: not reached: {text}"
            );
            if text.contains(secret) {
                shown.push(format!("{via} {shape}: {secret}"));
            } else {
                held.push(format!("{via} {shape}"));
            }
        }
    }
    println!("review34 pair shapes held: {held:#?}\nshown: {shown:#?}");
    (shown, held)
}

/// N1: a named entry whose name is a credential's but whose fields are not spelled
/// `name`/`key`/`type` and `value`/`values`/`default`/`defaultValue`/`string`/`array`
/// (`masking.rs` `PAIR_NAMES`, `PAIR_VALUES`, matched by exact case) is shown whole: AWS's
/// capitalised `Name`/`Value` and `Key`/`Value`, CloudFormation's
/// `ParameterKey`/`ParameterValue`, `variable`, `header`, `id`, `field` as the name, `text`
/// and `val` as the value, and a `map` under a credential's name outside an Application.
#[tokio::test]
async fn review34_finding_n1_named_entries_in_other_spellings() {
    let (shown, _) = pairs_shown(pair_shapes()).await;
    crate::planting::assert_none(shown);
}

/// Held (and the control of N1): `{name, value}` under the same names is hidden on both, and
/// an Application's own plugin parameter `map` under a credential's name with innocent keys.
#[tokio::test]
async fn review34_held_named_entries_as_spelled() {
    let control = vec![
        (
            "name/value",
            entries_object(
                "r34-control",
                json!([{"name": "DB_PASSWORD", "value": "R34ctlNV-Aa1zXq9"}]),
            ),
            "R34ctlNV-Aa1zXq9",
            "DB_PASSWORD",
        ),
        (
            "an Application's own plugin parameter map under a credential name",
            crate::planting::app_with_source(
                "r34-plugin-map",
                json!({"repoURL": "https://git.example.com/a.git", "path": "a",
                       "plugin": {"name": "vault", "parameters": [
                           {"name": "db-passwords", "map": {"primary": "R34appMP-Fk3wNd6"}}]}}),
            ),
            "R34appMP-Fk3wNd6",
            "db-passwords",
        ),
    ];
    let (shown, held) = pairs_shown(control).await;
    crate::planting::assert_none(shown);
    assert_eq!(held.len(), 4, "{held:?}");
}

/// The same oracle as L1 in a list's label selector (found after review34 while fixing L1):
/// Argo CD matches a selector against label values as they are, so a selector on a label whose
/// value answers hide (`db-password=guess`) is refused before anything is asked, on both
/// components; a selector on ordinary labels still lists.
#[tokio::test]
async fn review34_fixed_a_selector_on_a_hidden_label_is_refused() {
    let world = crate::World::new().await;
    for (tool, selector) in [
        ("list_argocd_apps", "team=payments,db-password=Gu3ss"),
        (
            "list_argocd_applicationsets",
            "example.com/api_token in (a,b)",
        ),
    ] {
        let refused = world.tool_error(tool, json!({"selector": selector})).await;
        assert!(refused.contains("Select by other labels"), "{refused}");
    }
    let listed = world
        .standin
        .requests()
        .iter()
        .filter(|r| r.path.contains("selector="))
        .count();
    assert_eq!(listed, 0, "nothing asked of Argo CD");
    world
        .ok("list_argocd_apps", json!({"selector": "team=payments"}))
        .await;

    let env = plugin_env(&world.standin);
    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let refused = plugin
        .call_list_argocd_apps(
            &mut store,
            None,
            None,
            None,
            None,
            Some("!client_secret"),
            None,
            None,
            None,
            None,
        )
        .await
        .expect("the plugin answers")
        .expect_err("the plugin refuses the selector");
    assert!(refused.contains("Select by other labels"), "{refused}");
    let refused = plugin
        .call_list_argocd_applicationsets(&mut store, None, Some("apiKey=x"), None, None, None)
        .await
        .expect("the plugin answers")
        .expect_err("the plugin refuses the selector");
    assert!(refused.contains("Select by other labels"), "{refused}");
}
